"""Tests of toolkit.equity on a hand-computed toy city and on the teaching city.

The toy city: four 1 km x 1 km squares in British National Grid (EPSG:27700, metres),
origin at (500000, 100000)::

    C (5 000 people) | D (5 000 people)       y 1000-2000
    A (10 000)       | B (20 000)             y 0-1000
      x 0-1000         x 1000-2000

Sensors (local metres): two in A at (250, 250) and (750, 750), one in B at (1500, 500),
one in C at (500, 1500), none in D, and one outside the city at (2100, 500), 100 m east
of B's east edge. 40 000 residents, 4 sensors inside.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

geopandas = pytest.importorskip("geopandas")
from shapely.geometry import Point, box  # noqa: E402

from toolkit import equity  # noqa: E402
from toolkit._errors import MissingColumnError  # noqa: E402

X0, Y0 = 500_000, 100_000
CRS = "EPSG:27700"


def _shapes():
    cells = {"A": (0, 0), "B": (1000, 0), "C": (0, 1000), "D": (1000, 1000)}
    return geopandas.GeoDataFrame(
        {"neighbourhood_id": list(cells), "name": ["Ash", "Birch", "Cedar", "Dale"]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + 1000, Y0 + y + 1000) for x, y in cells.values()],
        crs=CRS,
    )


def _demographics():
    return pd.DataFrame(
        {
            "neighbourhood_id": ["A", "B", "C", "D"],
            "population": [10_000, 20_000, 5_000, 5_000],
            "median_income": [30_000, 20_000, 40_000, 15_000],
            "pm25": [10.0, 12.0, 8.0, 30.0],
        }
    )


def _sensors():
    where = {
        "a1": (250, 250),
        "a2": (750, 750),
        "b1": (1500, 500),
        "c1": (500, 1500),
        "out": (2100, 500),
    }
    return geopandas.GeoDataFrame(
        {"sensor_id": list(where)},
        geometry=[Point(X0 + x, Y0 + y) for x, y in where.values()],
        crs=CRS,
    )


def _coverage():
    return equity.coverage(_sensors(), _shapes(), _demographics())


# ------------------------------------------------------------------ coverage


def test_coverage_counts_per_resident_and_keeps_outside_sensors():
    table = _coverage()
    assert table["neighbourhood_id"].tolist() == ["A", "B", "C", "D"]
    assert table["sensors"].tolist() == [2, 1, 1, 0]
    # 2/10000, 1/20000, 1/5000, 0/5000 residents, per 10 000
    assert table["sensors_per_10k"].tolist() == [2.0, 0.5, 2.0, 0.0]
    assert table["population"].tolist() == [10_000, 20_000, 5_000, 5_000]
    assert table["name"].tolist() == ["Ash", "Birch", "Cedar", "Dale"]
    assert table.attrs["outside"] == ("out",)
    assert table.attrs["sensors_total"] == 5
    assert "median_income" in table.columns


def test_coverage_from_latitude_longitude_table_and_geographic_boundaries():
    shapes = _shapes().to_crs("EPSG:4326")
    pts = _sensors().to_crs("EPSG:4326")
    table = pd.DataFrame(
        {"sensor_id": pts["sensor_id"], "latitude": pts.geometry.y, "longitude": pts.geometry.x}
    )
    result = equity.coverage(table, shapes, _demographics())
    assert result["sensors"].tolist() == [2, 1, 1, 0]


def test_coverage_counts_only_sensors_of_a_variable():
    from toolkit.sensordata import SensorData

    pts = _sensors().to_crs("EPSG:4326")
    sensors = pd.DataFrame(
        {"sensor_id": pts["sensor_id"], "latitude": pts.geometry.y, "longitude": pts.geometry.x}
    )
    readings = pd.DataFrame(
        {
            "sensor_id": ["a1", "a2", "b1", "c1", "out"],
            "time": pd.to_datetime(["2024-01-01T00:00Z"] * 5),
            "variable": ["pm25", "temperature", "pm25_cf1", "pm25", "pm25"],
            "value": [1.0] * 5,
            "unit": ["µg/m³", "°C", "µg/m³", "µg/m³", "µg/m³"],
        }
    )
    data = SensorData(readings=readings, sensors=sensors)
    before = data.readings.copy()
    result = equity.coverage(data, _shapes(), _demographics(), variable="pm25")
    assert result["sensors"].tolist() == [1, 1, 1, 0]  # a2 measures temperature only
    pd.testing.assert_frame_equal(data.readings, before)


def test_mismatched_keys_are_named_on_each_side():
    demo = _demographics().replace({"neighbourhood_id": {"D": "E"}})
    with pytest.raises(equity.NeighbourhoodMismatchError) as info:
        equity.coverage(_sensors(), _shapes(), demo)
    message = str(info.value)
    assert "in the boundaries only: D" in message
    assert "in the demographics only: E" in message
    assert isinstance(info.value, ValueError)


def test_missing_columns_are_friendly():
    with pytest.raises(MissingColumnError, match="no column 'ward'"):
        equity.coverage(_sensors(), _shapes(), _demographics(), on="ward")
    with pytest.raises(MissingColumnError, match="no population column 'people'"):
        equity.coverage(_sensors(), _shapes(), _demographics(), population="people")
    with pytest.raises(MissingColumnError, match="coverage"):
        equity.gini(_demographics())


def test_inputs_are_not_mutated():
    shapes, demo, pts = _shapes(), _demographics(), _sensors()
    copies = shapes.copy(), demo.copy(), pts.copy()
    equity.coverage(pts, shapes, demo)
    equity.share_within_walk(shapes, demo, pts, distance_m=250)
    equity.suggest_sites(shapes, demo, pts, k=1, distance_m=250)
    pd.testing.assert_frame_equal(shapes, copies[0])
    pd.testing.assert_frame_equal(demo, copies[1])
    pd.testing.assert_frame_equal(pts, copies[2])


# ------------------------------------------------------------------ inequality


def test_unmeasured_lists_the_neighbourhood_without_a_sensor():
    assert equity.unmeasured(_coverage())["neighbourhood_id"].tolist() == ["D"]


def test_lorenz_and_gini_by_hand():
    # Order by sensors per resident: D (0), B (0.5), A (2), C (2; a tie keeps table order).
    # Residents' shares 5/40, 20/40, 10/40, 5/40 -> X = 0, .125, .625, .875, 1
    # Sensors' shares   0/4, 1/4, 2/4, 1/4       -> Y = 0, 0, .25, .75, 1
    # G = 1 - [.125*(0+0) + .5*(0+.25) + .25*(.25+.75) + .125*(.75+1)]
    #   = 1 - [0 + .125 + .25 + .21875] = .40625
    # Check with sum_i sum_j p_i p_j |r_i - r_j| / (2 mu): rates (per 10k) 0, .5, 2, 2,
    # p = .125, .5, .25, .125, mu = 1; pairs D-B .03125, D-A .0625, D-C .03125,
    # B-A .1875, B-C .09375 sum .40625, doubled .8125, / 2 = .40625.
    curve = equity.lorenz(_coverage())
    assert pd.isna(curve["neighbourhood_id"].iloc[0])  # the (0, 0) start
    assert curve["neighbourhood_id"].tolist()[1:] == ["D", "B", "A", "C"]
    assert curve["residents_share"].tolist() == [0, 0.125, 0.625, 0.875, 1.0]
    assert curve["sensors_share"].tolist() == [0, 0, 0.25, 0.75, 1.0]
    assert equity.gini(_coverage()) == pytest.approx(0.40625, abs=1e-12)


def test_gini_is_zero_when_every_resident_has_the_same_share():
    table = _coverage().assign(sensors=[2, 4, 1, 1])  # 2 per 10 000 everywhere
    assert equity.gini(table) == pytest.approx(0.0, abs=1e-12)


def test_lorenz_without_sensors_is_a_friendly_error():
    with pytest.raises(ValueError, match="at least one sensor"):
        equity.lorenz(_coverage().assign(sensors=0))


def test_against_sorts_by_the_attribute_and_gives_the_rank_correlation():
    table = equity.against(_coverage(), "median_income")
    assert table["neighbourhood_id"].tolist() == ["D", "B", "A", "C"]
    # income ranks D1 B2 A3 C4; per-resident ranks D1 B2 A3.5 C3.5
    # Pearson of ranks: d = (0,0,-.5,.5) around means 2.5: x=(-1.5,-.5,.5,1.5),
    # y=(-1.5,-.5,1,1): sxy=2.25+.25+.5+1.5=4.5, sxx=5, syy=2.25+.25+1+1=4.5
    # rho = 4.5 / sqrt(5*4.5) = 0.948683
    assert table.attrs["spearman"] == pytest.approx(4.5 / math.sqrt(22.5))
    with pytest.raises(MissingColumnError, match="No single column matches 'wealth'"):
        equity.against(_coverage(), "wealth")


# ------------------------------------------------------------------ walking


def test_share_within_walk_by_area_by_hand():
    # Circles of 250 m: A's two circles lie inside A (2 * pi * 250^2 m2 of 1 km2);
    # B's circle lies inside B (pi * 250^2) and the outside sensor, 100 m from B's edge,
    # adds a circular segment r^2 acos(d/r) - d sqrt(r^2 - d^2), d = 100;
    # C's circle lies inside C; D has none.
    r = 250.0
    circle = math.pi * r**2 / 1e6
    segment = (r**2 * math.acos(100 / r) - 100 * math.sqrt(r**2 - 100**2)) / 1e6
    expected = [10_000 * 2 * circle, 20_000 * (circle + segment), 5_000 * circle, 0.0]
    table = equity.share_within_walk(_shapes(), _demographics(), _sensors(), distance_m=r)
    assert table["residents_within"].tolist() == pytest.approx(expected, rel=1e-3)
    assert table["share_within"].tolist() == pytest.approx(
        [2 * circle, circle + segment, circle, 0.0], rel=1e-3
    )
    assert table.attrs["share"] == pytest.approx(sum(expected) / 40_000, rel=1e-3)
    assert "uniformly" in table.attrs["assumptions"]


def _toy_graph():
    """Nodes at the centres of A, B, C, D and one in A's corner; streets between them."""
    graph = nx.MultiDiGraph(crs=CRS)
    for node, (x, y) in {
        "a": (500, 500),
        "a0": (100, 100),
        "b": (1500, 500),
        "c": (500, 1500),
        "d": (1500, 1500),
    }.items():
        graph.add_node(node, x=X0 + x, y=Y0 + y)
    for u, v, length in [
        ("a", "b", 1000),
        ("a", "c", 1000),
        ("b", "d", 1000),
        ("c", "d", 1000),
        ("a", "a0", 566),
    ]:
        graph.add_edge(u, v, length=length)
        graph.add_edge(v, u, length=length)
    return graph


def test_share_within_walk_on_streets_by_hand():
    # Sensors snap to the nearest node: a1 (250,250) -> a0 (212 m, against 354 m to a),
    # a2 -> a, b1 -> b, c1 -> c, out -> b. Within 500 m along the streets: a0, a, b, c;
    # d is 1000 m from b and c. A's two nodes share 10 000 residents; all reached.
    table = equity.share_within_walk(
        _shapes(), _demographics(), _sensors(), residents="streets", graph=_toy_graph()
    )
    assert table["residents_within"].tolist() == [10_000, 20_000, 5_000, 0]
    assert table.attrs["share"] == 35_000 / 40_000


def test_streets_without_a_graph_is_a_friendly_error():
    with pytest.raises(ValueError, match="needs the street network"):
        equity.share_within_walk(_shapes(), _demographics(), _sensors(), residents="streets")


# ------------------------------------------------------------------ siting


def test_greedy_sites_by_hand():
    # Candidates are the centroids. With 250 m circles: B's and C's centroids hold a
    # sensor already (gain 0). A's centroid circle meets A's two circles (centres
    # r*sqrt(2) away) in two lenses of r^2 (pi/2 - 1) each, so it adds
    # pi r^2 - 2 r^2 (pi/2 - 1) = 2 r^2 = 125 000 m2: 10 000 * 0.125 = 1 250 residents.
    # D's centroid adds a whole circle: 5 000 * pi * 0.0625 = 981.7 residents.
    # First A (1 250), then D (981.7); after that nothing is left to gain.
    sites = equity.suggest_sites(_shapes(), _demographics(), _sensors(), k=3, distance_m=250)
    assert sites["neighbourhood_id"].tolist() == ["A", "D"]
    assert sites["order"].tolist() == [1, 2]
    assert sites["residents_newly_covered"].tolist() == pytest.approx(
        [1250, 5000 * math.pi * 0.0625], rel=1e-3
    )
    assert sites.attrs["found"] == 2
    assert "1,250 residents" in sites["reason"].iloc[0]


def test_greedy_sites_weighted_by_exposure_go_to_the_most_exposed():
    # Weighted by PM2.5: A scores 1 250 * 10 = 12 500, D 981.7 * 30 = 29 452: D first.
    sites = equity.suggest_sites(
        _shapes(), _demographics(), _sensors(), k=1, distance_m=250, weight="pm25"
    )
    assert sites["neighbourhood_id"].tolist() == ["D"]
    assert sites["score"].iloc[0] == pytest.approx(30 * 5000 * math.pi * 0.0625, rel=1e-3)


def test_greedy_sites_at_given_candidates_and_on_streets():
    candidates = geopandas.GeoSeries([Point(X0 + 1500, Y0 + 1500)], crs=CRS)
    sites = equity.suggest_sites(
        _shapes(), _demographics(), _sensors(), candidates, k=1, distance_m=250
    )
    assert sites["neighbourhood_id"].tolist() == ["D"]
    # On the streets only node d is unreached: its 5 000 residents.
    sites = equity.suggest_sites(
        _shapes(), _demographics(), _sensors(), residents="streets", graph=_toy_graph()
    )
    assert sites["neighbourhood_id"].tolist() == ["D"]
    assert sites["residents_newly_covered"].tolist() == [5_000]


def test_bad_weights_are_friendly():
    with pytest.raises(ValueError, match="missing or negative for B"):
        equity.suggest_sites(
            _shapes(), _demographics(), _sensors(), weight=pd.Series({"A": 1, "C": 1, "D": 1})
        )


def test_exposure_is_population_weighted():
    # (10 000*10 + 20 000*12 + 5 000*8 + 5 000*30) / 40 000 = 530 000 / 40 000 = 13.25
    table = equity.exposure(
        _demographics().set_index("neighbourhood_id")["pm25"], _shapes(), _demographics()
    )
    assert table.attrs["population_weighted_mean"] == pytest.approx(13.25)
    assert table["contribution"].sum() == pytest.approx(13.25)


# ------------------------------------------------------------------ the teaching city


@pytest.fixture(scope="module")
def city():
    """The teaching city's outlines, demographics and PM instruments (its stations table).

    The stations table gives the same positions as ``load_city().data.sensors`` in a
    fraction of the time (checked by hand: 26 PM sensors, as with ``variable="pm25"``).
    """
    from toolkit import datasets

    stations = pd.read_csv(datasets.path("stations"))
    pm = stations[stations["measures"].str.contains("pm25")]
    return {
        "neighbourhoods": geopandas.read_file(datasets.path("neighbourhoods")),
        "demographics": pd.read_csv(datasets.path("demographics")),
        "pm": pm[["sensor_id", "latitude", "longitude"]],
    }


@pytest.fixture(scope="module")
def city_coverage(city):
    return equity.coverage(city["pm"], city["neighbourhoods"], city["demographics"])


def test_city_harbourside_has_the_fewest_sensors_per_resident(city_coverage):
    table = city_coverage.set_index("neighbourhood_id")
    assert table["sensors_per_10k"].idxmin() == "N02"  # Harbourside
    assert table.loc["N02", "sensors"] == 1  # one PM sensor for 18 600 (README)
    assert table.loc["N08", "sensors"] == 5  # Hillcrest: five
    least = equity.lorenz(city_coverage)["neighbourhood_id"].iloc[1]
    assert least == "N02"
    assert equity.gini(city_coverage) > 0.2
    assert equity.unmeasured(city_coverage).empty  # every district has a PM sensor


def test_city_coverage_rises_with_income(city_coverage):
    table = equity.against(city_coverage, "median_income")
    assert table.attrs["attribute"] == "median_income_gbp"
    assert table["neighbourhood_id"].iloc[0] == "N02"  # the poorest
    assert table.attrs["spearman"] > 0


def test_city_next_sensor_goes_to_harbourside(city):
    from toolkit import datasets

    truth = datasets.ground_truth("true_pm_neighbourhoods")
    exposure = truth.groupby("neighbourhood_id")["pm25"].mean()
    table = equity.exposure(exposure, city["neighbourhoods"], city["demographics"])
    assert table.loc[table["concentration"].idxmax(), "neighbourhood_id"] == "N02"
    # the population-weighted exposure is above the plain mean of the districts
    assert table.attrs["population_weighted_mean"] > exposure.mean()
    low_income = 1 / city["demographics"].set_index("neighbourhood_id")["median_income_gbp"]
    for weight in (exposure, low_income):
        sites = equity.suggest_sites(
            city["neighbourhoods"], city["demographics"], city["pm"], k=1, weight=weight
        )
        assert sites["neighbourhood_id"].iloc[0] == "N02"
        assert sites["residents_newly_covered"].iloc[0] > 0


def test_suggested_sites_come_back_in_the_neighbourhoods_crs():
    # The toy city is drawn in CRS; D's centroid is at (X0 + 1500, Y0 + 1500) there.
    shapes = _shapes()
    sites = equity.suggest_sites(shapes, _demographics(), _sensors(), k=3, distance_m=250)
    assert sites.crs == shapes.crs
    assert sites.geometry.iloc[1].x == pytest.approx(X0 + 1500, abs=0.01)
    assert sites.geometry.iloc[1].y == pytest.approx(Y0 + 1500, abs=0.01)
    # in WGS84 too: the same point, as longitude and latitude
    wgs = equity.suggest_sites(
        shapes.to_crs(4326), _demographics(), _sensors(), k=3, distance_m=250
    )
    assert wgs.crs.to_epsg() == 4326
    back = geopandas.GeoSeries([Point(X0 + 1500, Y0 + 1500)], crs=CRS).to_crs(4326).iloc[0]
    assert wgs.geometry.iloc[1].x == pytest.approx(back.x, abs=1e-6)
    assert wgs.geometry.iloc[1].y == pytest.approx(back.y, abs=1e-6)
