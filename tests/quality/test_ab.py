"""PurpleAir A/B rule (EPA; Barkjohn et al. 2021), boundaries computed by hand."""

import pandas as pd
import pytest

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit._errors import MissingColumnError
from toolkit.quality import ab_hours, flag_ab

START = pd.Timestamp("2024-03-01T00:00Z")

# One hour per case, A and B constant in the hour (so the hourly means are exact).
# (A, B, disagree?)   |A-B|        2|A-B|/(A+B)
CASES = [
    (10.0, 5.0, False),  # 5 (not > 5)     0.667
    (5.5, 0.5, False),  # 5 exactly       1.667: only one condition true
    (5.6, 0.5, True),  # 5.1             1.672
    (13.5, 6.5, False),  # 7              0.70 exactly (not > 70 %)
    (13.6, 6.4, True),  # 7.2             0.72
    (100.0, 90.0, False),  # 10            0.105: only one condition true
    (3.0, 0.5, False),  # 2.5             1.43: only one condition true
]


def _hours(cases, *, variable="pm25_cf1", per_hour_b=None, sensor="pa1"):
    """30 readings (2-min cadence) per hour and channel; optionally fewer for B."""
    frames = []
    for hour, (a, b, _) in enumerate(cases):
        t0 = START + pd.Timedelta(hours=hour)
        n_b = (per_hour_b or {}).get(hour, 30)
        times = pd.date_range(t0, periods=30, freq="2min")
        frames.append(series([a] * 30, times=times, variable=variable, channel="A", sensor=sensor))
        frames.append(
            series([b] * n_b, times=times[:n_b], variable=variable, channel="B", sensor=sensor)
        )
    return frames


def test_disagreement_boundaries_are_strict():
    data = make(*_hours(CASES))
    before = snapshot(data)
    out = flag_ab(data)
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    hour = (out.readings["time"] - START) // pd.Timedelta("1h")
    flagged_hours = sorted(set(hour[out.readings["flag_ab"]]))
    assert flagged_hours == [i for i, case in enumerate(CASES) if case[2]]
    # every reading of both channels in those hours, nothing else
    assert out.readings["flag_ab"].sum() == 2 * 60
    assert not out.readings["flag_ab_incomplete"].any()
    step = out.history[-1]
    assert step.name == "flag_ab"
    assert step.parameters == {
        "variable": "pm25_cf1",
        "abs_threshold": 5.0,
        "rel_threshold": 0.70,
        "min_completeness": 0.90,
        "timezone": "UTC",
        "hours_compared": 7,
        "hours_disagreeing": 2,
        "hours_incomplete": 0,
    }
    assert step.touched == 120
    assert "amt-14-4617" in step.citation


def test_hourly_table_by_hand():
    table = ab_hours(make(*_hours(CASES[:2])))
    assert table["mean_a"].tolist() == [10.0, 5.5]
    assert table["mean_b"].tolist() == [5.0, 0.5]
    assert table["n_a"].tolist() == [30, 30]
    assert table["expected_a"].tolist() == [30.0, 30.0]  # 3600 s / 120 s
    assert table["abs_diff"].tolist() == [5.0, 5.0]
    assert table["rel_diff"].tolist() == pytest.approx([10 / 15, 10 / 6])
    assert table["start"].tolist() == [START, START + pd.Timedelta("1h")]


def test_completeness_below_90_percent_flags_both_channels_separately_named():
    ok = [(5.0, 5.0, False)] * 4
    # hour 1: B has 27 of 30 (exactly 90 %: complete); hour 2: 26 of 30 (86.7 %: not)
    data = make(*_hours(ok, per_hour_b={1: 27, 2: 26}))
    out = flag_ab(data)
    hour = (out.readings["time"] - START) // pd.Timedelta("1h")
    assert sorted(set(hour[out.readings["flag_ab_incomplete"]])) == [2]
    assert out.readings["flag_ab_incomplete"].sum() == 30 + 26
    assert not out.readings["flag_ab"].any()
    assert out.history[-1].parameters["hours_incomplete"] == 1
    assert "incomplete" in out.history[-1].description
    without = flag_ab(data, min_completeness=None)
    assert "flag_ab_incomplete" not in without.readings.columns


def test_a_missing_channel_hour_is_incomplete():
    frames = _hours([(5.0, 5.0, False)] * 3)
    frames[3] = frames[3].iloc[:0]  # no B at all in hour 1
    out = flag_ab(make(*frames))
    hour = (out.readings["time"] - START) // pd.Timedelta("1h")
    assert sorted(set(hour[out.readings["flag_ab_incomplete"]])) == [1]


def test_combined_value_of_the_same_variable_is_flagged_too_other_variables_not():
    frames = _hours([(5.6, 0.5, True)])
    combined = series([3.05], times=[START + pd.Timedelta("10min")], variable="pm25_cf1")
    combined["sensor_id"] = "pa1"
    other = series([7.0], times=[START + pd.Timedelta("10min")], variable="pm25", sensor="pa1")
    out = flag_ab(make(*frames, combined, other))
    channel = out.readings["channel"].astype(object).fillna("combined")
    flags = out.readings["flag_ab"].groupby(channel).sum()
    assert flags.to_dict() == {"A": 30, "B": 30, "combined": 1}
    assert not out.readings.loc[out.readings["variable"] == "pm25", "flag_ab"].any()


def test_single_channel_sensors_are_not_judged():
    only_a = series([50.0] * 30, variable="pm25_cf1", channel="A", sensor="indoor")
    out = flag_ab(make(*_hours([(5.0, 5.0, False)]), only_a))
    assert not out.readings["flag_ab"].any()
    assert not out.readings["flag_ab_incomplete"].any()


def test_data_without_channels_gets_all_false_flags():
    out = flag_ab(make(series([1.0, 2.0])))
    assert out.readings["flag_ab"].tolist() == [False, False]
    assert "nothing to compare" in out.history[-1].description


def test_wrong_variable_names_the_ones_that_have_pairs():
    data = make(*_hours([(5.0, 5.0, False)], variable="pm25_atm"))
    with pytest.raises(MissingColumnError, match="No readings of 'pm25_cf1' in both channels"):
        flag_ab(data)
    with pytest.raises(MissingColumnError, match="variable='pm25_atm'"):
        flag_ab(data)
    assert flag_ab(data, variable="pm25_atm").history[-1].parameters["hours_compared"] == 1


def test_local_clock_hours_of_a_half_hour_zone():
    # Asia/Kolkata is UTC+05:30: its clock hours start at :30 UTC.
    frames = _hours([(5.0, 5.0, False)] * 2)
    data = make(*frames, timezone="Asia/Kolkata")
    utc = ab_hours(data)
    local = ab_hours(data, timezone="local")
    assert utc["start"].tolist() == [START, START + pd.Timedelta("1h")]
    assert local["start"].tolist() == [START + pd.Timedelta(minutes=m) for m in (-30, 30, 90)]
    assert local["n_a"].tolist() == [15, 30, 15]
    # the half-filled first and last local hours are incomplete (15 of 30 < 90 %)
    out = flag_ab(data, timezone="local")
    assert out.readings["flag_ab_incomplete"].sum() == 4 * 15
