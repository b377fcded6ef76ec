"""charts.sensor_map: sensors over neighbourhoods and streets, no map tiles."""

import json

import pytest

from toolkit import charts
from toolkit.sensordata import SensorData, normalise_sensors

from .helpers import dataset, make, series, views


def _square(name, x0, y0, size=0.01):
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


AREAS = {
    "type": "FeatureCollection",
    "features": [_square("North", -0.10, 50.30), _square("South", -0.10, 50.28)],
}
STREETS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"highway": "primary"},
            "geometry": {"type": "LineString", "coordinates": [[-0.1, 50.28], [-0.09, 50.31]]},
        }
    ],
}


def _sensors():
    # Two sensors in "North", none in "South", one without a position.
    data = make(series([1.0], sensor="a"), series([1.0], sensor="b"), series([1.0], sensor="c"))
    table = data.sensors.copy()
    table["latitude"] = [50.303, 50.305, None]
    table["longitude"] = [-0.095, -0.093, None]
    table["source"] = ["PurpleAir", "Sensor.Community", "Sensor.Community"]
    return SensorData(data.readings, normalise_sensors(table))


def _view(spec, mark):
    for view in views(spec):
        if (view.get("mark") or {}).get("type") == mark:
            yield view


def test_sensors_over_neighbourhoods_and_streets():
    chart = charts.sensor_map(_sensors(), neighbourhoods=AREAS, streets=STREETS)
    spec = chart.to_dict()
    points = next(_view(spec, "point"))
    rows = dataset(spec, points)
    assert [(r["sensor"], r["latitude"], r["longitude"]) for r in rows] == [
        ("a", 50.303, -0.095),
        ("b", 50.305, -0.093),
    ]
    assert points["encoding"]["color"]["scale"]["range"] == list(charts.OKABE_ITO[:2])
    assert points["encoding"]["shape"]["scale"]["domain"] == ["PurpleAir", "Sensor.Community"]
    assert len(list(_view(spec, "geoshape"))) == 2  # areas and streets
    assert points["projection"] == {"type": "mercator"}
    labels = dataset(spec, next(_view(spec, "text")))
    assert [r["label"] for r in labels] == ["North", "South"]
    assert "no background tiles" in spec["description"]
    assert chart.usermeta["caption"] == (
        "2 sensors from 2 sources (PurpleAir, Sensor.Community); 1 more has no position. "
        "Sensors per neighbourhood: from 0 to 2; 1 of 2 have none (South)."
    )


def test_shapes_from_files_and_geodataframes(tmp_path):
    geopandas = pytest.importorskip("geopandas")
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(AREAS), encoding="utf-8")
    frame = geopandas.GeoDataFrame.from_features(AREAS["features"], crs=4326)
    for given in (path, str(path), frame):
        chart = charts.sensor_map(_sensors(), neighbourhoods=given)
        assert chart.usermeta["caption"].endswith("1 of 2 have none (South).")


def test_map_without_positions():
    data = make(series([1.0]))
    table = data.sensors.assign(latitude=float("nan"), longitude=float("nan"))
    with pytest.raises(charts.NothingToDrawError, match="no sensor has a position") as e:
        charts.sensor_map(SensorData(data.readings, table))
    assert "latitude, longitude in degrees, WGS 84" in str(e.value)


def test_neighbourhoods_as_a_choropleth():
    # Sensors per 10,000 residents by neighbourhood name (hand-made values).
    chart = charts.sensor_map(
        _sensors(),
        neighbourhoods=AREAS,
        fill={"North": 2.0, "South": 0.0},
        fill_title="sensors per 10,000 residents",
    )
    spec = chart.to_dict()
    shape = next(_view(spec, "geoshape"))
    colour = shape["encoding"]["color"]
    assert colour["field"] == "properties._fill"
    assert colour["scale"] == {"scheme": "viridis"}  # colour-blind safe
    assert colour["title"] == "sensors per 10,000 residents"
    features = shape["data"]["values"]
    values = {f["properties"]["name"]: f["properties"]["_fill"] for f in features}
    assert values == {"North": 2.0, "South": 0.0}
    assert "coloured by sensors per 10,000 residents" in " ".join(spec["title"]["subtitle"])
    assert "<svg" in charts.to_svg(chart)
    assert AREAS["features"][0]["properties"] == {"name": "North"}  # input unchanged


def test_choropleth_errors_name_what_is_missing():
    with pytest.raises(KeyError, match="no property 'income'") as err:
        charts.sensor_map(_sensors(), neighbourhoods=AREAS, fill="income")
    assert "properties name" in str(err.value)
    with pytest.raises(KeyError, match="no value to colour them by") as err:
        charts.sensor_map(_sensors(), neighbourhoods=AREAS, fill={"North": 1.0})
    assert "South" in str(err.value)
