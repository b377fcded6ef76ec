"""Gaps and clocks."""

import pandas as pd

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit.quality import flag_clock, flag_gaps, gaps

T0 = pd.Timestamp("2024-01-01T00:00Z")


def _at(*seconds):
    return [T0 + pd.Timedelta(seconds=s) for s in seconds]


def test_gaps_by_hand():
    # cadence = median of 60, 60, 300, 60, 60, 150 = 60 s; a gap is > 2.5 x 60 = 150 s:
    # 120 -> 420 (300 s) is one, 540 -> 690 (exactly 150 s) is not.
    data = make(series([1, 2, 3, 4, 5, 6, 7], times=_at(0, 60, 120, 420, 480, 540, 690)))
    table = gaps(data)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["sensor_id"] == "s1"
    assert row["variable"] == "pm25"
    assert row["start"] == T0 + pd.Timedelta(seconds=120)
    assert row["end"] == T0 + pd.Timedelta(seconds=420)
    assert row["duration"] == pd.Timedelta("5min")
    assert row["cadence_s"] == 60.0
    assert row["missing"] == 4  # 300 / 60 - 1
    assert len(gaps(data, factor=2.0)) == 2  # now 150 s > 120 s counts too


def test_flag_gaps_marks_the_first_reading_after_each_gap():
    times = _at(0, 60, 120, 420, 420, 480, 540)  # a duplicate right after the gap
    data = make(series([1, 2, 3, 99, 99, 5, 6], times=times), series([1, 2], sensor="s2"))
    before = snapshot(data)
    out = flag_gaps(data)
    assert out.readings["flag_gaps"].tolist() == [False] * 3 + [True, True] + [False] * 4
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert step.parameters == {"factor": 2.5, "gaps": 1}
    assert step.touched == 2


def test_gaps_are_per_channel():
    a = series([1.0] * 5, times=_at(0, 60, 120, 180, 240), variable="pm25_cf1", channel="A")
    b = series([1.0] * 4, times=_at(0, 60, 120, 600), variable="pm25_cf1", channel="B")
    table = gaps(make(a, b))
    assert table["channel"].tolist() == ["B"]
    assert table["missing"].tolist() == [7]  # 480 s / 60 s - 1


def test_gaps_of_data_without_gaps_is_an_empty_table_with_the_columns():
    table = gaps(make(series([1.0, 2.0, 3.0])))
    assert table.empty
    assert list(table.columns) == [
        "sensor_id",
        "variable",
        "channel",
        "start",
        "end",
        "duration",
        "cadence_s",
        "missing",
    ]


def test_clock_reasons_by_hand():
    times = pd.to_datetime(
        [
            "2024-01-01T10:00Z",
            "2024-01-01T10:02Z",
            "2024-01-01T10:04Z",
            "2024-01-01T10:03Z",  # before the reading read just before it: out of order
            "2024-01-01T10:06Z",
            "2024-01-01T08:00Z",  # out of order, and more than 1 h behind 10:06
            "2024-01-01T08:02Z",  # after the one before, but still > 1 h behind 10:06
            "2024-01-01T10:08Z",
            "2000-01-01T00:00Z",  # clock not set (also out of order and a jump back)
            "2030-01-01T00:00Z",  # in the future
        ]
    )
    data = make(series(range(10), times=times))
    before = snapshot(data)
    out = flag_clock(data, now="2025-06-01T00:00:00")
    expected = [False, False, False, True, False, True, True, False, True, True]
    assert out.readings["flag_clock"].tolist() == expected
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert "out of order 3" in step.description  # 10:03, 08:00 and 2000-01-01
    assert "backwards jump 3" in step.description  # 08:00, 08:02 and 2000-01-01
    assert "in the future 1" in step.description
    assert "too early 1" in step.description
    assert step.parameters == {
        "now": "2025-06-01T00:00:00+00:00",
        "earliest": "2001-01-01T00:00:00+00:00",
        "max_backwards": "1h",
    }


def test_clock_series_are_separate():
    # s2 starts earlier than s1 ended: not out of order, since it is another series
    one = series([1, 2], times=pd.to_datetime(["2024-01-01T10:00Z", "2024-01-01T10:02Z"]))
    two = series([1, 2], times=pd.to_datetime(["2024-01-01T09:00Z", "2024-01-01T09:02Z"]))
    out = flag_clock(make(one, two.assign(sensor_id="s2")), now="2025-01-01")
    assert not out.readings["flag_clock"].any()


def test_clock_records_the_default_now_so_the_check_can_be_remade():
    future = pd.Timestamp.now(tz="UTC") + pd.Timedelta("1D")
    data = make(series([1.0, 2.0], times=[T0, future]))
    out = flag_clock(data)
    recorded = pd.Timestamp(out.history[-1].parameters["now"])
    assert abs(recorded - pd.Timestamp.now(tz="UTC")) < pd.Timedelta("1min")
    again = flag_clock(data, now=recorded)
    assert again.readings["flag_clock"].tolist() == out.readings["flag_clock"].tolist()
    assert out.readings["flag_clock"].tolist() == [False, True]


def test_clock_earliest_and_jump_are_configurable():
    times = pd.to_datetime(["2019-06-01T00:00Z", "2024-01-01T10:00Z", "2024-01-01T09:50Z"])
    data = make(series([1, 2, 3], times=times))
    out = flag_clock(data, now="2025-01-01", earliest="2020-01-01", max_backwards="5min")
    assert out.readings["flag_clock"].tolist() == [True, False, True]
