"""What every chart promises: a valid spec, offline SVG, titles, units, alt text, caption,
friendly errors for empty or all-missing data, and no MaxRowsError on large data."""

import json
import socket

import numpy as np
import pytest

from toolkit import charts

from .helpers import axis_titles, make, series

AREAS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "All"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-0.2, 50.2], [0.0, 50.2], [0.0, 50.4], [-0.2, 50.4], [-0.2, 50.2]]
                ],
            },
        }
    ],
}


def _pm(sensors=2, days=2, freq="10min"):
    n = int(days * 24 * 60 / int(freq.removesuffix("min")))
    return make(
        *(
            series(10 + 5 * np.sin(np.arange(n) / 20) + i, sensor=f"s{i}", freq=freq)
            for i in range(sensors)
        )
    )


def _purpleair(n=90):
    return make(
        series(np.full(n, 20.0), variable="pm25_cf1", freq="2min", channel="A"),
        series(np.full(n, 21.0), variable="pm25_cf1", freq="2min", channel="B"),
        series(np.full(n, 18.0), variable="pm25_atm", freq="2min", channel="A"),
        series(np.full(n, 19.0), variable="pm25_atm", freq="2min", channel="B"),
        series(np.full(n, 50.0), variable="humidity", freq="2min"),
        source="PurpleAir",
    )


CHARTS = {
    "timeseries": lambda d: charts.timeseries(d, show_raw=True, guideline="who_2021_pm25_24h"),
    "calendar": lambda d: charts.calendar(d, guideline=15),
    "profile": lambda d: charts.profile(d),
    "index_bands": lambda d: charts.index_bands(d),
    "distribution": lambda d: charts.distribution(d),
    "scatter": lambda d: charts.scatter(d.select(sensors=["s0", "s1"])),
    "health": lambda d: charts.health(d),
    "exceedances": lambda d: charts.exceedances(d, guideline="who_2021_pm25_24h"),
    "sensor_map": lambda d: charts.sensor_map(d, neighbourhoods=AREAS),
}
# Axes of categories, which have no unit.
CATEGORIES = {"Sensor", "Day of the week", "Year", "Month"}
# What each chart calls itself in its messages.
WHAT = {
    "timeseries": "time series",
    "calendar": "calendar",
    "profile": "profile",
    "index_bands": "index chart",
    "distribution": "distribution",
    "scatter": "scatter chart",
    "health": "health chart",
    "exceedances": "exceedance chart",
    "corrections": "corrections chart",
}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection from Python fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a chart tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("name", [*CHARTS, "corrections"])
def test_valid_spec_offline_svg_titles_units_and_caption(name, no_network):
    chart = charts.corrections(_purpleair()) if name == "corrections" else CHARTS[name](_pm())
    spec = chart.to_dict()  # validated against the Vega-Lite schema by altair
    assert spec["title"]["text"]
    assert len(spec["description"]) > 80
    assert chart.usermeta["caption"]
    for titles in axis_titles(spec).values():
        for title in titles - CATEGORIES:
            assert title.endswith(")"), title  # "... (µg/m³)", "Days (count)", "Time (UTC)"
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg")
    assert "<desc>" in svg


@pytest.mark.parametrize("name", [n for n in CHARTS if n != "sensor_map"])
def test_large_inputs_never_exceed_the_row_limit(name):
    data = _pm(sensors=10, days=1, freq="1min")  # 14,400 readings
    spec = CHARTS[name](data).to_dict()  # would raise MaxRowsError above 5,000 rows
    assert sum(len(rows) for rows in spec["datasets"].values()) <= charts.MAX_ROWS
    assert len(json.dumps(spec)) < 1_000_000


@pytest.mark.parametrize("name", list(WHAT))
def test_empty_and_all_missing_data_get_a_friendly_error(name):
    build = getattr(charts, name) if name in ("corrections", "scatter") else CHARTS[name]
    empty = make(series([1.0]).iloc[:0])
    with pytest.raises(charts.NothingToDrawError, match=f"nothing to draw for the {WHAT[name]}"):
        build(empty)
    missing = make(series([np.nan] * 3, sensor="s0"), series([np.nan] * 3, sensor="s1"))
    with pytest.raises(ValueError, match=f"nothing to draw for the {WHAT[name]}: every") as e:
        build(missing)
    assert "Found: 6 values, all missing (NaN)" in str(e.value)
    assert "What to do:" in str(e.value)


def test_a_map_needs_sensors_with_positions():
    empty = make(series([1.0]).iloc[:0])
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the sensor map"):
        charts.sensor_map(empty)
