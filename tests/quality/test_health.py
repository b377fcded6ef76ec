"""The per-sensor, per-day health table."""

import pandas as pd
import pytest

from tests.quality.helpers import assert_unchanged, make, series, snapshot
from toolkit import quality
from toolkit._errors import TimestampError


def _hourly(start, hours, *, sensor="s1", variable="pm25", skip=()):
    times = [t for t in pd.date_range(start, periods=hours, freq="1h") if t not in skip]
    return series([10.0] * len(times), times=times, sensor=sensor, variable=variable)


def test_days_readings_expected_completeness_and_status():
    # Hourly readings (cadence 1 h) on 1 Jan (24), none on 2 Jan, 18 on 3 Jan, 11 on 4 Jan.
    day1 = _hourly("2024-01-01T00:00Z", 24)
    day3 = _hourly("2024-01-03T00:00Z", 18)
    day4 = _hourly("2024-01-04T00:00Z", 11)
    data = make(day1, day3, day4)
    before = snapshot(data)
    table = quality.health(data, timezone="UTC")
    assert_unchanged(data, before)
    assert table["day"].tolist() == list(pd.date_range("2024-01-01", periods=4, freq="D"))
    assert table["readings"].tolist() == [24, 0, 18, 11]
    assert table["expected"].tolist() == [24.0] * 4
    assert table["completeness"].tolist() == pytest.approx([1.0, 0.0, 0.75, 11 / 24])
    # 75 % is enough for "good"; 11/24 = 46 % < 50 % is "poor"
    assert table["status"].tolist() == ["good", "no data", "good", "poor"]
    assert table["start"].iloc[1] == pd.Timestamp("2024-01-02T00:00Z")
    assert table["end"].iloc[1] == pd.Timestamp("2024-01-03T00:00Z")
    assert table["timezone"].tolist() == ["UTC"] * 4


def test_expected_readings_add_up_over_variables():
    # pm25 hourly (24/day) and temperature every 30 min (48/day): 72 expected
    pm = _hourly("2024-01-01T00:00Z", 24)
    temperature = series(
        [5.0] * 36, start="2024-01-01T00:00Z", freq="30min", variable="temperature"
    )
    table = quality.health(make(pm, temperature), timezone="UTC")
    assert table["readings"].tolist() == [60]
    assert table["expected"].tolist() == [72.0]
    assert table["completeness"].tolist() == pytest.approx([60 / 72])


def test_flag_shares_status_and_top_rules():
    values = [10.0] * 20 + [-999.0, -999.0, 5000.0, 10.0]
    data = make(series(values, start="2024-01-01T00:00Z", freq="1h"))
    checked = quality.check(data, rules=["sentinel", "range", "negative"])
    row = quality.health(checked, timezone="UTC").iloc[0]
    assert row["flagged"] == 3
    assert row["share_flagged"] == pytest.approx(3 / 24)
    assert row["status"] == "check"  # 12.5 % flagged: more than 5 %, not more than 25 %
    assert row["top_rules"] == "range 3, negative 2, sentinel 2"


def test_local_days_follow_daylight_saving_time():
    # Europe/Berlin, clocks go forward on 31 March 2024: that day has 23 hours.
    start = pd.Timestamp("2024-03-29T23:00Z")  # 30 March 00:00 local (UTC+1)
    data = make(_hourly(start, 24 + 23 + 24), timezone="Europe/Berlin")
    table = quality.health(data)  # timezone="local": the sensors' zone
    assert table["day"].tolist() == list(pd.date_range("2024-03-30", periods=3, freq="D"))
    assert table["readings"].tolist() == [24, 23, 24]
    assert table["expected"].tolist() == [24.0, 23.0, 24.0]
    assert table["status"].tolist() == ["good"] * 3
    assert table["start"].iloc[1] == pd.Timestamp("2024-03-30T23:00Z")
    assert table["end"].iloc[1] == pd.Timestamp("2024-03-31T22:00Z")
    utc = quality.health(data, timezone="UTC")
    assert utc["readings"].tolist() == [1, 24, 24, 22]


def test_local_days_need_a_time_zone():
    with pytest.raises(TimestampError, match="the time zone of some sensors is unknown"):
        quality.health(make(_hourly("2024-01-01T00:00Z", 3)))


def test_health_of_empty_data_has_the_columns():
    table = quality.health(make(series([])), timezone="UTC")
    assert table.empty
    assert list(table.columns) == list(quality.HEALTH_COLUMNS)
