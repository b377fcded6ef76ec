"""The shared wide-to-tidy builder: how rows and values are accounted for."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit._time import parse_times
from toolkit.ledger import FileRecord
from toolkit.readers._tidy import Column, build_readings, classify_values

COLUMNS = [Column("a", "pm25", "µg/m³"), Column("b", "temperature", "°F")]


def _build(rows, *, missing_numbers=(-999,)):
    frame = pd.DataFrame(rows, columns=["t", "a", "b"], dtype=object)
    times = parse_times(frame["t"], documented_timezone="UTC", column="t")
    record = FileRecord(path="x.csv", rows_read=len(frame))
    readings = build_readings(
        frame,
        times=times,
        sensor_ids="s",
        columns=COLUMNS,
        record=record,
        missing_numbers=missing_numbers,
        time_text=frame["t"],
    )
    return readings, record


def test_values_reasons_and_conversion_by_hand():
    readings, record = _build(
        [
            ["2024-01-01T00:00:00", "10", "212"],  # two values; 212 °F = 100 °C
            ["2024-01-01T00:01:00", "", "-999"],  # no value at all: the row goes
            ["2024-01-01T00:02:00", "null", "x"],  # a code and text: row kept, both dropped
            ["2024-01-01T00:03:00", "inf", "32"],  # infinity is not a measurement; 32 °F = 0 °C
            ["not a time", "5", "50"],  # unreadable timestamp: the row goes
        ]
    )
    assert readings["value"].tolist() == [10.0, 100.0, 0.0]
    assert record.rows_dropped == {
        "timestamp could not be read": 1,
        "no measurement values (all fields empty or missing codes)": 1,
    }
    assert record.row_examples["timestamp could not be read"] == ["not a time"]
    assert record.rows_kept == 3
    assert record.values_read == 6
    assert record.readings_dropped == {
        "missing-value code 'null'": 1,
        "not a finite number": 1,
        "not a number": 1,
    }
    assert record.reading_examples["not a number"] == ["b='x' at 2024-01-01T00:02:00"]
    assert record.conversions == ["temperature: °F → °C ((°F − 32) × 5/9)"]
    assert record.balanced


def test_an_empty_row_repeating_a_timestamp_is_named():
    _, record = _build(
        [
            ["2024-01-01T00:00:00", "10", "50"],
            ["2024-01-01T00:00:00", "", ""],
        ]
    )
    assert record.rows_dropped == {"empty row repeating the timestamp of a row with values": 1}


def test_classify_values_keeps_the_input_intact():
    raw = pd.Series([" 1.5", "NA", "", "abc", "-999"])
    before = raw.copy()
    numbers, reasons = classify_values(raw, missing_numbers=(-999,))
    assert numbers.iloc[0] == 1.5
    assert reasons.tolist() == [
        None,
        "missing-value code 'NA'",
        "empty field",
        "not a number",
        "missing-value code '-999'",
    ]
    pd.testing.assert_series_equal(raw, before)


cell = st.one_of(
    st.floats(-50, 500, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["", "null", "NA", "nan", "-999", "garbage", "inf", " 7 "]),
)
time = st.one_of(
    st.integers(0, 10_000).map(
        lambda m: (pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=m)).isoformat()
    ),
    st.sampled_from(["", "yesterday"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(time, cell, cell), min_size=1, max_size=40))
def test_every_row_and_value_is_accounted_for(rows):
    if not any(t and t != "yesterday" for t, _, _ in rows):
        rows = [("2024-01-01T00:00:00", "1", "1"), *rows]  # all-unreadable files raise
    readings, record = _build([list(r) for r in rows])
    assert record.rows_read == record.rows_kept + sum(record.rows_dropped.values())
    assert record.values_read == record.readings_kept + sum(record.readings_dropped.values())
    assert record.readings_kept == len(readings)
    assert readings["value"].notna().all()
