"""Tests of toolkit.places: street networks, sensors on them, catchments, nearest sensors.

The hand-made network is a 3 x 3 grid of corners 100 m apart, in metres (UTM 32N), with a
river between the middle and the east column crossed by a single bridge on the north row:

    y=200   (0,2) --- (1,2) ===bridge=== (2,2)
              |         |                  |
    y=100   (0,1) --- (1,1)     river    (2,1)  <- sensor B
              |         |                  |
    y=0     (0,0) --- (1,0)     river    (2,0)
            sensor A
            x=0       x=100              x=200

Expected values below are worked out by hand from this drawing.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
import shapely

from toolkit import datasets, places
from toolkit._errors import MissingColumnError, SourceNotFoundError
from toolkit.fetch import OfflineError
from toolkit.sensordata import SensorData, empty_readings, normalise_sensors

UTM = "EPSG:32632"


def node(i: int, j: int) -> int:
    """Node id of column i (x = 100 i m), row j (y = 100 j m)."""
    return 3 * j + i


@pytest.fixture
def grid() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs=UTM)
    for i in range(3):
        for j in range(3):
            graph.add_node(node(i, j), x=100.0 * i, y=100.0 * j)
    links = [
        ((0, 0), (1, 0)),
        ((0, 1), (1, 1)),
        ((0, 2), (1, 2)),
        ((1, 2), (2, 2)),  # the bridge; (1,0)-(2,0) and (1,1)-(2,1) cross the river: absent
        *[((i, j), (i, j + 1)) for i in range(3) for j in range(2)],
    ]
    for a, b in links:
        graph.add_edge(node(*a), node(*b), length=100.0)
        graph.add_edge(node(*b), node(*a), length=100.0)
    return graph


@pytest.fixture
def sensors() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"sensor_id": ["A", "B"]},
        geometry=[shapely.Point(0, 0), shapely.Point(200, 100)],
        crs=UTM,
    )


def sensor_data(rows: list[dict]) -> SensorData:
    return SensorData(readings=empty_readings(), sensors=normalise_sensors(pd.DataFrame(rows)))


# ------------------------------------------------------------------ hand-made network


def test_snap_gives_nearest_node_and_distance(grid):
    points = gpd.GeoDataFrame(
        {"sensor_id": ["near", "mid"]},
        geometry=[shapely.Point(10, 5), shapely.Point(160, 190)],
        crs=UTM,
    )
    snapped = places.snap_to_network(points, grid)
    assert snapped["node"].tolist() == [node(0, 0), node(2, 2)]
    # sqrt(10² + 5²) and sqrt(40² + 10²)
    assert snapped["snap_m"].tolist() == pytest.approx([math.sqrt(125), math.sqrt(1700)])
    assert not snapped["outside"].any()


def test_points_in_degrees_are_projected_to_the_graph(grid, sensors):
    in_degrees = sensors.to_crs("EPSG:4326")
    snapped = places.snap_to_network(in_degrees, grid)
    assert snapped["node"].tolist() == [node(0, 0), node(2, 1)]
    assert snapped["snap_m"].max() < 0.01


@pytest.mark.parametrize(
    ("distance", "a", "b"),
    [
        (150, {(0, 0), (1, 0), (0, 1)}, {(2, 1), (2, 0), (2, 2)}),
        (
            250,
            {(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)},  # (1,1) and (0,2) at 200 m
            {(2, 1), (2, 0), (2, 2), (1, 2)},  # (1,2) over the bridge at 200 m
        ),
    ],
)
def test_catchments_by_hand(grid, sensors, distance, a, b):
    table = places.catchments(grid, sensors, distance_m=distance)
    assert table.crs == "EPSG:4326"
    got = dict(zip(table["sensor_id"], table["nodes"], strict=True))
    assert got["A"] == {node(*c) for c in a}
    assert got["B"] == {node(*c) for c in b}
    assert table["n_nodes"].tolist() == [len(a), len(b)]


def test_catchment_polygon_follows_streets_not_across_the_river(grid, sensors):
    table = places.catchments(grid, sensors, distance_m=150, buffer_m=10).to_crs(UTM)
    polygon_a = table.geometry.iloc[0]
    assert polygon_a.contains(shapely.Point(50, 0))  # on the street A reaches
    assert not polygon_a.contains(shapely.Point(50, 50))  # inside the block
    assert not polygon_a.contains(shapely.Point(150, 0))  # across the river
    # two 100 m streets buffered by 10 m: about 2 x 100 x 20 m plus round ends
    assert 4000 < polygon_a.area < 5000


def test_nearest_sensor_network_and_voronoi_differ_across_the_river(grid, sensors):
    network = places.nearest_sensor(grid, sensors, method="network").set_index("node")
    straight = places.nearest_sensor(grid, sensors, method="voronoi").set_index("node")
    # (1,1): 141 m from A and 100 m from B as the crow flies, but B is 300 m away over
    # the bridge while A is 200 m away by the streets.
    assert straight.loc[node(1, 1), "sensor_id"] == "B"
    assert straight.loc[node(1, 1), "distance_m"] == pytest.approx(100)
    assert network.loc[node(1, 1), "sensor_id"] == "A"
    assert network.loc[node(1, 1), "distance_m"] == pytest.approx(200)
    # every other node agrees
    expected = {(0, 0): "A", (1, 0): "A", (0, 1): "A", (0, 2): "A"}
    expected |= {(2, 0): "B", (2, 1): "B", (2, 2): "B", (1, 2): "B"}
    for corner, sensor in expected.items():
        assert network.loc[node(*corner), "sensor_id"] == sensor
        assert straight.loc[node(*corner), "sensor_id"] == sensor
    assert network.loc[node(1, 2), "distance_m"] == pytest.approx(200)
    assert straight.loc[node(1, 2), "distance_m"] == pytest.approx(math.sqrt(2e4))
    assert set(network["method"]) == {"network"}


def test_unreachable_nodes_have_no_sensor(grid, sensors):
    grid.add_node(99, x=0.0, y=300.0)
    grid.add_edge(99, 98, length=50.0)
    grid.add_node(98, x=50.0, y=300.0)
    table = places.nearest_sensor(grid, sensors).set_index("node")
    assert pd.isna(table.loc[99, "sensor_id"])
    assert math.isnan(table.loc[99, "distance_m"])


def test_inputs_are_not_mutated(grid, sensors):
    before_nodes, before_edges = dict(grid.nodes(data=True)), list(grid.edges(data=True))
    before_points = sensors.copy()
    places.catchments(grid, sensors)
    places.nearest_sensor(grid, sensors)
    assert dict(grid.nodes(data=True)) == before_nodes
    assert list(grid.edges(data=True)) == before_edges
    pd.testing.assert_frame_equal(sensors, before_points)


# -------------------------------------------------------------------------- sensors


def test_sensor_points_keeps_and_reports_sensors_without_coordinates(grid):
    data = sensor_data(
        [
            {"sensor_id": "x:1", "name": "one", "latitude": 50.1, "longitude": -0.1},
            {"sensor_id": "x:2", "name": "two", "latitude": None, "longitude": None},
        ]
    )
    points = places.sensor_points(data)
    assert points["sensor_id"].tolist() == ["x:1"]
    assert points.crs == "EPSG:4326"
    assert (points.geometry.x.iloc[0], points.geometry.y.iloc[0]) == (-0.1, 50.1)
    assert points.attrs["without_coordinates"] == ["x:2"]
    assert "x:2" in points.attrs["note"]


def test_snap_lists_sensors_without_coordinates_last(grid):
    lon, lat = gpd.GeoSeries([shapely.Point(0, 0)], crs=UTM).to_crs("EPSG:4326").iloc[0].xy
    data = sensor_data(
        [
            {"sensor_id": "x:1", "latitude": lat[0], "longitude": lon[0]},
            {"sensor_id": "x:2", "latitude": None, "longitude": None},
        ]
    )
    snapped = places.snap_to_network(data, grid)
    assert snapped["sensor_id"].tolist() == ["x:1", "x:2"]
    assert snapped["node"].iloc[0] == node(0, 0)
    assert snapped["node"].iloc[1] is None
    assert math.isnan(snapped["snap_m"].iloc[1])


# --------------------------------------------------------------------- friendly errors


def test_all_sensors_outside_the_network(grid):
    far = gpd.GeoDataFrame({"sensor_id": ["far"]}, geometry=[shapely.Point(5000, 5000)], crs=UTM)
    with pytest.raises(places.OutsideNetworkError, match="No sensor lies within") as error:
        places.snap_to_network(far, grid)
    assert "swapped" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_points_without_crs(grid):
    bare = gpd.GeoDataFrame({"sensor_id": ["a"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(places.CRSError, match="no coordinate reference system") as error:
        places.catchments(grid, bare)
    assert "set_crs('EPSG:4326')" in str(error.value)


def test_graph_without_crs(grid, sensors):
    del grid.graph["crs"]
    with pytest.raises(places.CRSError, match=r"graph.graph\['crs'\]"):
        places.snap_to_network(sensors, grid)


def test_points_without_sensor_id(grid, sensors):
    with pytest.raises(MissingColumnError, match="no 'sensor_id' column"):
        places.snap_to_network(sensors.rename(columns={"sensor_id": "id"}), grid)


def test_empty_graph(sensors):
    graph = nx.MultiDiGraph(crs=UTM)
    graph.add_node(1, x=0.0, y=0.0)
    with pytest.raises(places.EmptyNetworkError, match="no streets"):
        places.catchments(graph, sensors)


def test_unknown_method(grid, sensors):
    with pytest.raises(ValueError, match="method='network'"):
        places.nearest_sensor(grid, sensors, method="crow")


# ------------------------------------------------------------------------- XML files


def test_missing_xml_file(tmp_path):
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        places.network_from_xml(tmp_path / "nowhere.osm")


def test_xml_file_without_streets(tmp_path):
    file = tmp_path / "empty.osm"
    file.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">'
        '<node id="1" lat="48.1" lon="10.0"/></osm>\n'
    )
    with pytest.raises(places.EmptyNetworkError, match=r"no (usable )?streets"):
        places.network_from_xml(file)


def test_walk_network_drops_motorways(tmp_path):
    nodes = "".join(f'<node id="{i}" lat="48.1" lon="{10 + i / 1000}"/>' for i in range(1, 5))
    ways = (
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="residential"/></way>'
        '<way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="motorway"/>'
        '<tag k="oneway" v="yes"/></way>'
    )
    file = tmp_path / "two.osm"
    file.write_text(f'<?xml version="1.0"?>\n<osm version="0.6">{nodes}{ways}</osm>\n')
    walk = places.network_from_xml(file)
    everything = places.network_from_xml(file, network_type="all")
    assert set(walk.nodes) == {1, 3}  # 2 is simplified away; 4 only on the motorway
    assert walk.has_edge(1, 3)
    assert walk.has_edge(3, 1)
    assert everything.has_edge(3, 4)
    assert not everything.has_edge(4, 3)
    assert walk.graph["network_type"] == "walk"
    with pytest.raises(ValueError, match="Unknown network type"):
        places.network_from_xml(file, network_type="swim")


@pytest.mark.parametrize(
    "name", ["planet_10.068,48.135_10.071,48.137.osm", "aguascalientes.osm.bz2"]
)
def test_real_osm_extracts_load_offline_with_catchments(real_samples, name):
    graph = places.network_from_xml(real_samples / "osm" / name)
    assert graph.number_of_edges() > 0
    # two sensors on real corners: the first node and the one furthest from it
    xs = [graph.nodes[n]["x"] for n in graph.nodes]
    ys = [graph.nodes[n]["y"] for n in graph.nodes]
    points = gpd.GeoDataFrame(
        {"sensor_id": ["first", "last"]},
        geometry=[shapely.Point(xs[0], ys[0]), shapely.Point(xs[-1], ys[-1])],
        crs="EPSG:4326",
    )
    table = places.catchments(graph, points, distance_m=200)
    assert table["n_nodes"].min() >= 1
    assert table.geometry.is_valid.all()
    assert not table.geometry.is_empty.any()
    assert (places.snap_to_network(points, graph)["snap_m"] < 1).all()
    nearest = places.nearest_sensor(graph, points)
    assert len(nearest) == graph.number_of_nodes()
    assert set(nearest["sensor_id"].dropna()) <= {"first", "last"}


def test_teaching_city_streets_and_sensors():
    graph = places.network_from_xml(datasets.path("streets"))
    stations = pd.read_csv(datasets.path("stations"))
    points = places.sensor_points(sensor_data(stations.to_dict("records")))
    assert len(points) == len(stations)
    snapped = places.snap_to_network(points, graph)
    # corners are about 250 m apart (12 m jitter): no point is further than half a
    # block's diagonal, 250 / sqrt(2) + 2 x 12 ≈ 201 m, from a corner.
    assert snapped["snap_m"].max() < 201
    assert not snapped["outside"].any()


# ------------------------------------------------------------------- neighbourhoods


def test_neighbourhoods_of_the_teaching_city():
    table = places.neighbourhoods_from_geojson(datasets.path("neighbourhoods"))
    assert table.crs == "EPSG:4326"
    assert list(table.columns[:2]) == ["neighbourhood_id", "name"]
    assert table["neighbourhood_id"].is_unique


def test_projected_neighbourhoods_are_reprojected():
    square = shapely.box(0, 0, 100, 100)
    gdf = gpd.GeoDataFrame({"code": ["Q1"], "label": ["Quay"]}, geometry=[square], crs=UTM)
    before = gdf.copy()
    table = places.neighbourhoods_from_geojson(gdf, id_column="code", name_column="label")
    assert table.crs == "EPSG:4326"
    assert table.attrs["source_crs"] == "EPSG:32632"
    assert table[["neighbourhood_id", "name"]].iloc[0].tolist() == ["Q1", "Quay"]
    # UTM 32N: x=0..100 m lies near 4.5° E (500 km west of the 9° E central meridian)
    assert 4 < table.geometry.iloc[0].centroid.x < 5
    pd.testing.assert_frame_equal(gdf, before)


def test_neighbourhoods_without_crs():
    gdf = gpd.GeoDataFrame({"code": ["Q1"]}, geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(places.CRSError, match="degrees or metres") as error:
        places.neighbourhoods_from_geojson(gdf)
    assert "set_crs('EPSG:4326')" in str(error.value)


def test_neighbourhoods_missing_or_repeated_keys():
    gdf = gpd.GeoDataFrame(
        {"code": ["Q1", "Q1"]}, geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:4326"
    )
    with pytest.raises(MissingColumnError, match="no column 'zone'"):
        places.neighbourhoods_from_geojson(gdf, id_column="zone")
    with pytest.raises(ValueError, match="present and unique"):
        places.neighbourhoods_from_geojson(gdf, id_column="code")
    numbered = places.neighbourhoods_from_geojson(gdf)
    assert numbered["neighbourhood_id"].tolist() == ["1", "2"]


# ----------------------------------------------------------------------------- online


def test_online_settings_use_an_absolute_cache(tmp_path, monkeypatch):
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "cache_folder", ox.settings.cache_folder)
    monkeypatch.setattr(ox.settings, "use_cache", ox.settings.use_cache)
    monkeypatch.setattr(ox.settings, "log_console", ox.settings.log_console)
    folder = places.configure_osmnx(cache_folder=tmp_path / "c")
    assert folder.is_absolute()
    assert folder == (tmp_path / "c" / "osmnx").resolve()
    assert ox.settings.cache_folder == str(folder)
    assert ox.settings.use_cache


def test_offline_download_gives_friendly_error(tmp_path, monkeypatch):
    import osmnx as ox
    import requests

    def refuse(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Failed to resolve overpass-api.de")

    monkeypatch.setenv("URBAN_TOOLKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(ox.settings, "cache_folder", ox.settings.cache_folder)
    monkeypatch.setattr(ox.graph, "graph_from_place", refuse)
    monkeypatch.setattr(ox.graph, "graph_from_bbox", refuse)
    with pytest.raises(OfflineError, match="cannot be reached") as error:
        places.network_from_place("Quayford")
    assert "network_from_xml" in str(error.value)
    assert isinstance(error.value, ConnectionError)
    with pytest.raises(OfflineError, match="cannot be reached"):
        places.network_from_bbox(10.0, 48.0, 10.1, 48.1)
    assert ox.settings.cache_folder == str(tmp_path.resolve() / "osmnx")


def test_bbox_in_wrong_order():
    with pytest.raises(places.CRSError, match="west < east"):
        places.network_from_bbox(48.1, 10.0, 48.0, 10.1)
