"""High humidity: PM readings matched to humidity in time."""

import pandas as pd

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit.quality import flag_humidity

T0 = pd.Timestamp("2024-01-01T06:00Z")


def _at(*minutes):
    return [T0 + pd.Timedelta(minutes=m) for m in minutes]


def test_threshold_is_inclusive_and_nearest_humidity_is_used():
    pm = series([10.0, 11.0, 12.0, 13.0], times=_at(0, 10, 21, 60), variable="pm25")
    # PM at 0 -> RH 95.0 (>= 95: flagged); at 10 -> RH 94.9 at 10; at 21 -> nearest is
    # 20 (96), not 23 (50); at 60 -> no humidity within 10 minutes (last is 23).
    rh = series([95.0, 94.9, 96.0, 50.0], times=_at(0, 10, 20, 23), variable="humidity")
    data = make(pm, rh)
    before = snapshot(data)
    out = flag_humidity(data)
    assert out.readings["flag_humidity"].tolist() == [True, False, True, False] + [False] * 4
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert step.parameters == {
        "threshold": 95.0,
        "humidity": "humidity",
        "tolerance": "10min",
        "humidity_from": {},
        "variables": ["pm25"],
    }
    assert "1 had no humidity reading within 10min" in step.description
    assert "amt-11-4883" in step.citation


def test_humidity_from_another_sensor_id():
    pm = series([10.0, 11.0], times=_at(0, 2), variable="pm10", sensor="sds")
    rh = series([97.0, 80.0], times=_at(0, 2), variable="humidity", sensor="dht")
    alone = flag_humidity(make(pm, rh))
    assert not alone.readings["flag_humidity"].any()  # other sensor: no match
    paired = flag_humidity(make(pm, rh), humidity_from={"sds": "dht"})
    assert paired.readings["flag_humidity"].tolist() == [True, False, False, False]


def test_threshold_and_tolerance_are_options():
    pm = series([10.0, 11.0], times=_at(0, 30), variable="pm25")
    rh = series([91.0, 91.0], times=_at(0, 45), variable="humidity")
    out = flag_humidity(make(pm, rh), threshold=91, tolerance="15min")
    assert out.readings["flag_humidity"].tolist() == [True, True, False, False]


def test_other_sensors_humidity_does_not_leak():
    pm = series([10.0], times=_at(0), variable="pm25", sensor="a")
    rh_b = series([99.0], times=_at(0), variable="humidity", sensor="b")
    assert not flag_humidity(make(pm, rh_b)).readings["flag_humidity"].any()
