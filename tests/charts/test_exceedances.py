"""charts.exceedances: periods above a guideline, from toolkit.indices.exceedances."""

import numpy as np
import pandas as pd
import pytest

from toolkit import charts
from toolkit.sensordata import SensorData, normalise_readings

from .helpers import averages, axis_titles, dataset, views


def _data(*frames, variable="pm25"):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"].unique()})
    return SensorData(readings, pd.DataFrame({"sensor_id": ids, "timezone": "UTC"}))


def _view(spec, mark):
    return next(v for v in views(spec) if (v.get("mark") or {}).get("type") == mark)


# s1: 10, 16, 20 and a day without enough data; s2: 14, 15.5, 30, 40. Above 15 µg/m³:
# s1 2 of 3 valid days, s2 3 of 4.
S1 = averages([10.0, 16.0, 20.0, 99.0], valid=[True, True, True, False])
S2 = averages([14.0, 15.5, 30.0, 40.0], sensor="s2")


def test_bars_of_days_above_below_and_not_countable():
    chart = charts.exceedances(_data(S1, S2), guideline="who_2021_pm25_24h")
    spec = chart.to_dict()
    bars = dataset(spec, _view(spec, "bar"))
    counts = {(r["bar"], r["segment"]): r["count"] for r in bars}
    assert counts == {
        ("s1", "above"): 2,
        ("s1", "at or below"): 1,
        ("s1", "not enough data"): 1,
        ("s2", "above"): 3,
        ("s2", "at or below"): 1,
    }
    texts = dataset(spec, _view(spec, "text"))
    assert [r["text"] for r in texts] == ["2 of 3 days", "3 of 4 days"]
    colour = _view(spec, "bar")["encoding"]["color"]["scale"]
    assert colour["domain"] == ["above", "at or below", "not enough data"]
    assert colour["range"] == [charts.OKABE_ITO[5], charts.OKABE_ITO[0], "#BBBBBB"]
    assert axis_titles(spec)["x"] == {"Days (count)"}
    assert spec["title"]["text"] == (
        "Days above the WHO global air quality guidelines (2021) AQG level (15 µg/m³)"
    )
    assert chart.usermeta["caption"] == (
        "Daily mean PM2.5 at 2 sensors was above the WHO global air quality guidelines (2021) "
        "AQG level (15 µg/m³) on 5 of 7 sensor-days with enough data. A day counts when at "
        "least 75 % of its hours have a valid value."
    )


def test_allowed_exceedances_are_a_labelled_line():
    days = averages(np.full(40, 60.0), variable="pm10", start="2024-01-01T00:00Z")
    chart = charts.exceedances(_data(days), guideline="eu_2008_pm10_24h")
    spec = chart.to_dict()
    rule = _view(spec, "rule")
    assert dataset(spec, rule) == [{"allowed": 35.0, "text": "35 allowed per year"}]
    assert chart.usermeta["caption"].endswith(
        "35 such days are allowed per calendar year, and that number was exceeded."
    )


def test_exceedance_errors():
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the exceedance"):
        charts.exceedances(SensorData.empty(), guideline="who_2021_pm25_24h")
