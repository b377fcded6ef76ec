"""Telraam reports as found in the wild (issue 13), from hand-written reproductions.

A real 2023 report carries uptimes slightly above 1 (1.0003-1.0018): rounding in
Telraam's aggregation. Those are read as 1 (100 %) with a note; a column on the
percentage scale (87, 100) is still refused, with advice that fits it.
"""

from __future__ import annotations

import io
import json

import pytest

import toolkit
from tests.conftest import assert_balanced
from toolkit._errors import UnitError
from toolkit.readers.telraam import UPTIME_TOLERANCE, read_telraam


def _read(text: str):
    return read_telraam(io.BytesIO(text.encode()))


def _report(*uptimes: float | None) -> str:
    records = [
        {
            "instance_id": -1,
            "segment_id": 9000123,
            "date": f"2023-05-02T{7 + k:02d}:00:00.000Z",
            "interval": "hourly",
            "uptime": uptime,
            "car": 100.0 + k,
            "timezone": "Europe/Brussels",
        }
        for k, uptime in enumerate(uptimes)
    ]
    return json.dumps({"report": records})


def _uptimes(data) -> list[float]:
    r = data.readings
    return r.loc[r["variable"] == "uptime", "value"].round(6).tolist()


def test_uptime_slightly_above_one_is_accepted_as_one():
    data = _read(_report(1.0003, 0.75, 1.0018, 1.0))
    # Stored in %: 1.0003 and 1.0018 are read as 1 (100 %), 0.75 as 75 %.
    assert _uptimes(data) == [100.0, 75.0, 100.0, 100.0]
    r = data.readings
    # Counts are kept as given.
    assert r.loc[r["variable"] == "count_car", "value"].tolist() == [100.0, 101.0, 102.0, 103.0]
    record = data.ledger[0]
    assert record.status == "ok"
    assert record.rows_kept == 4
    note = next(n for n in record.notes if "slightly above 1" in n)
    assert "2 interval(s)" in note
    assert "1.002" in note  # the largest, 1.0018 to 4 significant digits
    assert "rounding" in note
    assert_balanced(data)


def test_uptime_at_the_tolerance_is_accepted():
    assert UPTIME_TOLERANCE == 0.01
    data = _read(_report(1.01))
    assert _uptimes(data) == [100.0]


def test_uptime_just_beyond_the_tolerance_is_refused():
    with pytest.raises(UnitError, match="looks like a percentage"):
        _read(_report(0.9, 1.02))


@pytest.mark.parametrize("uptimes", [(87.0, 100.0, 0.0), (100.0,), (45.5, 87.0)])
def test_percentage_scale_uptime_is_refused_with_the_right_advice(uptimes):
    with pytest.raises(UnitError) as info:
        _read(_report(*uptimes))
    message = str(info.value)
    assert "looks like a percentage" in message
    assert "Divide the uptime column by 100" in message
    assert "unit='%'" in message
    # The advice also tells that values just above 1 are fine as they are.
    assert "need no change" in message


def test_uptime_on_no_known_scale_is_refused_without_the_percentage_advice():
    with pytest.raises(UnitError) as info:
        _read(_report(0.5, 3600.0))
    message = str(info.value)
    assert "neither a fraction nor a percentage" in message
    assert "largest 3600" in message
    assert "Divide" not in message


def test_missing_uptime_next_to_one_above_one():
    data = _read(_report(None, 1.0005))
    assert _uptimes(data) == [100.0]
    assert data.ledger[0].readings_dropped == {"empty field": 1}
    assert_balanced(data)


def test_csv_export_with_uptime_above_one_via_load(tmp_path):
    path = tmp_path / "telraam_report.csv"
    path.write_text(
        "instance_id,segment_id,date,interval,uptime,car,timezone\n"
        "-1,9000123,2023-05-02 07:00:00+00:00,hourly,1.0011,120.0,Europe/Brussels\n"
        "-1,9000123,2023-05-02 08:00:00+00:00,hourly,0.5,80.0,Europe/Brussels\n"
    )
    data = toolkit.load(path)
    assert data.ledger[0].format == "telraam/csv"
    assert _uptimes(data) == [100.0, 50.0]
    assert any("slightly above 1" in n for n in data.ledger[0].notes)
