"""The ledger's "partial" status: more than 1 % of rows or values lost structurally."""

from __future__ import annotations

import pytest

from toolkit.ledger import FileRecord, Ledger, is_structural


@pytest.mark.parametrize(
    ("reason", "structural"),
    [
        ("row does not have the header's 10 fields", True),
        ("timestamp could not be read", True),
        ("not a number", True),
        ("time outside the range 1677-2262", True),
        ("empty field", False),
        ("missing-value code '-999'", False),
        ("missing-value code 'nan'", False),
        ("no measurement values (all fields empty or missing codes)", False),
        ("repeated header line", False),
        ("PurpleAir API error message written into the file (rate limit)", False),
    ],
)
def test_structural_reasons(reason, structural):
    assert is_structural(reason) is structural


def record(rows_read=200, rows_dropped=None, values_read=400, values_dropped=None):
    rows_dropped = rows_dropped or {}
    values_dropped = values_dropped or {}
    rows_kept = rows_read - sum(rows_dropped.values())
    return FileRecord(
        "f.csv",
        rows_read=rows_read,
        rows_kept=rows_kept,
        rows_dropped=rows_dropped,
        values_read=values_read,
        readings_kept=values_read - sum(values_dropped.values()),
        readings_dropped=values_dropped,
    )


def test_exactly_one_percent_is_still_ok_and_one_more_row_is_partial():
    at_limit = record(rows_dropped={"timestamp could not be read": 2})  # 2 of 200 = 1 %
    at_limit.assess()
    assert at_limit.status == "ok"
    over = record(rows_dropped={"timestamp could not be read": 3})  # 1.5 %
    over.assess()
    assert over.status == "partial"
    assert "3 of 200 rows (1.5 %)" in over.notes[-1]
    assert "timestamp could not be read" in over.notes[-1]


def test_empty_cells_and_codes_never_make_a_file_partial():
    many = record(
        rows_dropped={"no measurement values (all fields empty or missing codes)": 150},
        values_dropped={"empty field": 300, "missing-value code '-999'": 50},
    )
    many.assess()
    assert many.status == "ok"


def test_values_that_are_not_numbers_make_a_file_partial():
    rec = record(values_dropped={"not a number": 5, "empty field": 100})  # 5 of 400 = 1.25 %
    rec.assess()
    assert rec.status == "partial"
    assert "5 of 400 values (1.2 %)" in rec.notes[-1]
    ledger = Ledger([rec, record()])
    assert ledger.partial == [rec]
    assert "1 partly read" in str(ledger)


def test_failed_files_stay_failed():
    rec = FileRecord("f.csv", status="failed", error="broken")
    rec.assess()
    assert rec.status == "failed"
