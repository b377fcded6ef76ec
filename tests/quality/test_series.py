"""Rules along each series: stuck values, spikes, duplicates."""

import pandas as pd
import pytest

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit.quality import flag_duplicates, flag_spikes, flag_stuck

# --- stuck --------------------------------------------------------------------------


def test_stuck_needs_both_the_count_and_the_duration():
    # 2-min cadence: ten equal readings span 18 minutes (first to last).
    values = [1.0] + [7.0] * 10 + [2.0]
    data = make(series(values))
    before = snapshot(data)
    at_limit = flag_stuck(data, min_repeats=10, min_duration="18min")
    assert at_limit.readings["flag_stuck"].tolist() == [False] + [True] * 10 + [False]
    assert not flag_stuck(data, min_repeats=10, min_duration="19min").readings["flag_stuck"].any()
    assert not flag_stuck(data, min_repeats=11, min_duration="1min").readings["flag_stuck"].any()
    assert not flag_stuck(data).readings["flag_stuck"].any()  # defaults: 10 readings and 3 h
    assert_unchanged(data, before)
    assert_only_flags_added(data, at_limit)
    step = at_limit.history[-1]
    assert step.parameters == {"min_repeats": 10, "min_duration": "18min", "skip_zeros": True}
    assert step.touched == 10
    assert "flat line" in step.citation


def test_stuck_defaults_flag_a_value_frozen_for_three_hours():
    # hourly data: 10 equal values span 9 h >= 3 h
    data = make(series([5.0] * 10 + [6.0], freq="1h"))
    assert flag_stuck(data).readings["flag_stuck"].sum() == 10


def test_stuck_skips_zeros_unless_asked():
    data = make(series([0.0] * 12, variable="light"))
    assert not flag_stuck(data, min_duration="10min").readings["flag_stuck"].any()
    found = flag_stuck(data, min_duration="10min", skip_zeros=False)
    assert found.readings["flag_stuck"].all()


def test_stuck_runs_do_not_cross_series_or_channels():
    # interleaved readings of two channels, each alternating: no channel has a run
    a = series([3.0, 4.0] * 6, channel="A", variable="pm25_cf1")
    b = series([4.0, 3.0] * 6, channel="B", variable="pm25_cf1")
    data = make(a, b)
    assert not flag_stuck(data, min_repeats=2, min_duration="0s").readings["flag_stuck"].any()
    # but a value held by one channel is found in that channel only
    b_flat = series([9.0] * 12, channel="B", variable="pm25_cf1")
    out = flag_stuck(make(a, b_flat), min_repeats=12, min_duration="22min")
    assert out.readings["flag_stuck"].tolist() == [False] * 12 + [True] * 12


# --- spikes -------------------------------------------------------------------------


def test_hampel_by_hand():
    # Reading 4 (30): window = readings 1..7 = 12 11 13 30 12 11 10 -> median 12;
    # |x - 12| = 0 1 1 18 0 1 2 -> MAD 1 -> limit max(3 x 1.4826 x 1, 1) = 4.45 < 18.
    # Reading 3 (13): window 0..6 -> median 12, MAD 1, |13 - 12| = 1 < 4.45.
    values = [10, 12, 11, 13, 30, 12, 11, 10, 12]
    data = make(series(values))
    before = snapshot(data)
    out = flag_spikes(data, floor=1.0)
    assert out.readings["flag_spikes"].tolist() == [i == 4 for i in range(9)]
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert step.parameters["window"] == 7
    assert step.parameters["n_sigmas"] == 3.0
    assert step.parameters["floor"] == {"pm25": 1.0}
    assert "Hampel" in step.citation


def test_spike_floor_protects_flat_series():
    # flat 5.0 with one 5.5: MAD is 0, so only the floor decides
    values = [5.0, 5.0, 5.0, 5.5, 5.0, 5.0, 5.0]
    assert not flag_spikes(make(series(values)), floor=1.0).readings["flag_spikes"].any()
    assert flag_spikes(make(series(values)), floor=0.4).readings["flag_spikes"].sum() == 1


def test_spike_default_floor_is_two_percent_of_the_plausible_range():
    out = flag_spikes(make(series([50.0] * 3 + [70.5] + [50.0] * 3)))
    assert out.history[-1].parameters["floor"] == {"pm25": 20.0}  # 2 % of 0..1000
    assert out.readings["flag_spikes"].sum() == 1  # 20.5 > 20
    assert (
        not flag_spikes(make(series([50.0] * 3 + [70.0] + [50.0] * 3)))
        .readings["flag_spikes"]
        .any()
    )


def test_spikes_skip_noise_and_short_series():
    loud = series([40.0, 41.0, 40.0, 95.0, 40.0, 41.0, 40.0], variable="laeq")
    assert not flag_spikes(make(loud), floor=0.1).readings["flag_spikes"].any()
    short = series([1.0, 90.0, 1.0])  # windows of at most 3 values: fewer than 4
    assert not flag_spikes(make(short), floor=0.1).readings["flag_spikes"].any()


def test_spikes_are_judged_in_time_order_per_series():
    # same values as the hand example, but stored in reverse order and beside another sensor
    values = [10, 12, 11, 13, 30, 12, 11, 10, 12]
    one = series(values)[::-1]
    other = series([30, 30, 30, 30, 30, 30, 30, 30, 30], sensor="s2")
    out = flag_spikes(make(one, other), floor=1.0)
    flagged = out.readings[out.readings["flag_spikes"]]
    assert flagged["value"].tolist() == [30.0]
    assert flagged["sensor_id"].astype(str).tolist() == ["s1"]


def test_spike_window_must_be_odd():
    with pytest.raises(ValueError, match="window must be an odd number of readings"):
        flag_spikes(make(series([1.0] * 9)), window=4)


# --- duplicates ---------------------------------------------------------------------


def test_duplicates_identical_repeats_keep_the_first_conflicts_flag_all():
    t = pd.Timestamp("2024-01-01T00:00Z")
    two = pd.Timedelta("2min")
    times = [t, t, t, t + two, t + two, t + 2 * two]
    readings = series([5.0, 5.0, 5.0, 6.0, 9.0, 7.0], times=times)
    other_channel_same_time = series([5.0], times=[t], sensor="s2")
    data = make(readings, other_channel_same_time)
    before = snapshot(data)
    out = flag_duplicates(data)
    assert out.readings["flag_duplicates"].tolist() == [False, True, True, True, True, False, False]
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert step.touched == 4
    assert "2 identical repeat(s)" in step.description
    assert "2 conflicting value(s)" in step.description


def test_duplicates_first_is_first_in_reading_order_not_time_order():
    t = pd.Timestamp("2024-01-01T00:00Z")
    readings = series([1.0, 4.0, 4.0], times=[t + pd.Timedelta("2min"), t, t])
    out = flag_duplicates(make(readings))
    assert out.readings["flag_duplicates"].tolist() == [False, False, True]


def test_duplicates_channels_are_separate_series():
    t = pd.Timestamp("2024-01-01T00:00Z")
    a = series([5.0], times=[t], variable="pm25_cf1", channel="A")
    b = series([6.0], times=[t], variable="pm25_cf1", channel="B")
    assert not flag_duplicates(make(a, b)).readings["flag_duplicates"].any()
