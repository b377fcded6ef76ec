"""charts.calendar: daily means on a calendar of weeks, any span of years."""

import numpy as np
import pandas as pd
import pytest

from toolkit import charts
from toolkit.charts import _calendar
from toolkit.sensordata import SensorData, normalise_readings

from .helpers import averages, axis_titles, dataset, encodings, make, series, views


def ms(text):
    return pd.Timestamp(text).value // 1_000_000


def _days(values, *, sensor="s1", start="2024-07-01T00:00Z"):
    return averages(values, sensor=sensor, start=start)


def _data(*frames):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"].unique()})
    return SensorData(readings, pd.DataFrame({"sensor_id": ids, "timezone": "UTC"}))


# 1 July 2024 is a Monday. Days above 15: 16 (Tue 2), 30 (Thu 4); 3 July has no valid mean.
VALUES = [10.0, 16.0, np.nan, 30.0, 12.0, 15.0, 9.0]


def test_cells_are_local_days_in_week_columns():
    chart = charts.calendar(_data(_days(VALUES)))
    spec = chart.to_dict()
    rows = dataset(spec)
    assert [r["weekday"] for r in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert [r["date"] for r in rows][:2] == [ms("2024-07-01"), ms("2024-07-02")]
    # Week 26 of 2024 (from Monday 1 January) is drawn on 2001's calendar, which also
    # starts on a Monday: 1 January 2001 + 26 x 7 days = 2 July 2001.
    assert {r["week"] for r in rows} == {ms("2001-07-02")}
    assert [r["value"] for r in rows] == [10.0, 16.0, None, 30.0, 12.0, 15.0, 9.0]
    assert [r["sensors"] for r in rows] == [1, 1, 0, 1, 1, 1, 1]
    colour = next(e for e in encodings(spec, "color") if e.get("field") == "value")
    assert colour["scale"]["scheme"] == "viridis"
    assert colour["title"] == "Daily mean PM2.5 (µg/m³)"
    assert axis_titles(spec) == {"x": {"Month (weeks from Monday)"}, "y": {"Day of the week"}}
    assert "grey: readings, but not enough data" in spec["title"]["subtitle"][0]


def test_days_above_a_guideline_are_outlined_and_counted():
    chart = charts.calendar(_data(_days(VALUES)), guideline="who_2021_pm25_24h")
    spec = chart.to_dict()
    rows = dataset(spec)
    assert [r["date"] for r in rows if r["above"]] == [ms("2024-07-02"), ms("2024-07-04")]
    outlines = [v for v in views(spec) if v.get("transform") == [{"filter": "datum.above"}]]
    assert outlines[0]["mark"]["stroke"] == "#000000"
    assert chart.usermeta["caption"] == (
        "Daily mean PM2.5 at sensor s1 was above the WHO global air quality guidelines "
        "(2021) AQG level (15 µg/m³) on 2 of 6 days with enough data. A day counts when at "
        "least 75 % of its hours have a valid value."
    )


def test_several_sensors_show_the_median_of_their_daily_means():
    data = _data(
        _days([10.0, 20.0]), _days([30.0, 40.0], sensor="s2"), _days([2.0, 3.0], sensor="s3")
    )
    rows = dataset(charts.calendar(data).to_dict())
    assert [r["value"] for r in rows] == [10.0, 20.0]
    assert [r["sensors"] for r in rows] == [3, 3]


def test_several_years_make_one_row_each():
    spec = charts.calendar(_data(_days([1.0, 2.0, 3.0], start="2023-12-31T00:00Z"))).to_dict()
    assert spec["facet"]["row"]["field"] == "year"
    assert {r["year"] for r in dataset(spec)} == {2023, 2024}


def test_long_spans_show_months(monkeypatch):
    monkeypatch.setattr(_calendar, "MAX_ROWS", 30)
    data = make(series(np.full(24 * 45, 5.0), freq="1h"))  # 45 days of hourly readings
    chart = charts.calendar(data)
    spec = chart.to_dict()
    assert chart.usermeta["choices"]["period"] == "month"
    assert axis_titles(spec) == {"x": {"Month"}, "y": {"Year"}}
    assert [r["month_name"] for r in dataset(spec)] == ["Mar", "Apr"]
    assert spec["title"]["subtitle"][0].startswith("Too many days to show one cell each")


def test_from_readings_through_the_toolkits_daily_means():
    # 2 days of 10-minute readings: day 1 all 4, day 2 all 8 -> daily means 4 and 8.
    data = make(series(np.r_[np.full(144, 4.0), np.full(144, 8.0)]))
    chart = charts.calendar(data)
    assert [r["value"] for r in dataset(chart.to_dict())] == [4.0, 8.0]
    assert "toolkit.timeseries.average (day" in chart.to_dict()["description"]


def test_calendar_errors():
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the calendar"):
        charts.calendar(SensorData.empty())
    hourly = _data(averages([1.0, 2.0], period="1h", step="1h"))
    with pytest.raises(ValueError, match="A calendar needs daily values") as e:
        charts.calendar(hourly)
    assert "averages over 1h" in str(e.value)
    invalid = averages([5.0, 6.0], valid=[False, False])
    with pytest.raises(charts.NothingToDrawError, match="no daily value had enough data"):
        charts.calendar(_data(invalid.assign(value=[5.0, 6.0])))
