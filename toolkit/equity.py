"""Sensors and people: who is measured, who is not, and where the next sensors would help.

A community network grows where volunteers live, and volunteers are not a random sample
of a city. This module puts the sensors beside the residents:

* :func:`coverage` counts sensors per neighbourhood and per 10 000 residents;
* :func:`share_within_walk` says how many residents live within a walk of a sensor;
* :func:`against` sets coverage against income (or any other attribute);
* :func:`lorenz` and :func:`gini` measure how unequally sensors are shared;
* :func:`unmeasured` lists the neighbourhoods without a sensor;
* :func:`suggest_sites` places the next sensors greedily where they reach the most
  residents not yet measured (optionally weighted by exposure or low income);
* :func:`exposure` gives the population-weighted exposure.

How residents are placed
------------------------
Censuses give residents per neighbourhood, not per address. Two simple models:

* ``residents="area"`` (default): each neighbourhood's residents are spread
  **uniformly over its area**; a resident is "within a walk" when within ``distance_m``
  metres in a **straight line** of a sensor (a circle around each sensor, drawn in a
  projected CRS in metres). Circles are polygons of 256 sides: areas are within 0.01 %
  of a true circle's.
* ``residents="streets"``: each neighbourhood's residents are shared **equally among
  the street-network nodes inside it**; a resident is within a walk when their node is
  within ``distance_m`` metres **along the streets** of the node nearest to a sensor
  (needs ``graph``, e.g. from :func:`toolkit.places.network_from_xml`).

Both are crude: straight lines overstate what a walk reaches (streets wind), and real
residents cluster. Results carry the assumptions in ``.attrs``.

Neighbourhoods (a GeoDataFrame, GeoJSON path or dict) and demographics (a table, one
row per neighbourhood) are joined on ``on`` (default ``"neighbourhood_id"``); a key
present on one side only is an error that names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import MissingColumnError, ToolkitError

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx
    import pandas as pd

__all__ = [
    "EquityError",
    "NeighbourhoodMismatchError",
    "against",
    "coverage",
    "exposure",
    "gini",
    "lorenz",
    "share_within_walk",
    "suggest_sites",
    "unmeasured",
]

#: Segments per quarter circle of a sensor's buffer (256-sided polygons).
_QUAD_SEGS = 64
_PER = 10_000


class EquityError(ToolkitError, ValueError):
    """Inputs of an equity analysis that cannot be used as they are."""


class NeighbourhoodMismatchError(EquityError):
    """Neighbourhood boundaries and demographics do not hold the same neighbourhoods."""


# --------------------------------------------------------------------------- inputs


def _boundaries(neighbourhoods: Any) -> gpd.GeoDataFrame:
    """Return a GeoDataFrame from a GeoDataFrame, a GeoJSON path or a GeoJSON dict."""
    import geopandas as gpd

    if isinstance(neighbourhoods, gpd.GeoDataFrame):
        gdf = neighbourhoods
    elif isinstance(neighbourhoods, dict):
        gdf = gpd.GeoDataFrame.from_features(neighbourhoods, crs="EPSG:4326")
    elif isinstance(neighbourhoods, (str, Path)):
        gdf = gpd.read_file(neighbourhoods)
    else:
        raise TypeError(
            "neighbourhoods must be a GeoDataFrame, a GeoJSON file path or a GeoJSON dict, "
            f"not {type(neighbourhoods).__name__}."
        )
    if gdf.crs is None:
        raise EquityError(
            "The neighbourhoods have no coordinate reference system (CRS).",
            fix="Set it: neighbourhoods.set_crs('EPSG:4326') for longitude/latitude.",
        )
    return gdf


def _metric_crs(gdf: gpd.GeoDataFrame) -> Any:
    """Return the CRS to measure in: the data's own if in metres, else its UTM zone."""
    crs = gdf.crs
    if crs.is_projected and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    return gdf.estimate_utm_crs()


def _prepare(
    neighbourhoods: Any, demographics: pd.DataFrame, on: str, population: str
) -> gpd.GeoDataFrame:
    """Join boundaries and demographics on ``on``; projected in metres, sorted by id."""
    import pandas as pd

    gdf = _boundaries(neighbourhoods)
    for side, table in (("neighbourhoods", gdf), ("demographics", demographics)):
        if on not in table.columns:
            raise MissingColumnError(
                f"The {side} have no column {on!r} to join on.",
                found="columns: " + ", ".join(map(str, table.columns)),
                fix="Name the join column with on='...'.",
            )
    if population not in demographics.columns:
        raise MissingColumnError(
            f"The demographics have no population column {population!r}.",
            found="columns: " + ", ".join(map(str, demographics.columns)),
            fix="Name it with population='...'.",
        )
    left = set(gdf[on].astype(str))
    right = set(demographics[on].astype(str))
    if left != right:
        found = []
        if left - right:
            found.append("in the boundaries only: " + ", ".join(sorted(left - right)))
        if right - left:
            found.append("in the demographics only: " + ", ".join(sorted(right - left)))
        raise NeighbourhoodMismatchError(
            f"Neighbourhood boundaries and demographics do not match on {on!r}.",
            found="; ".join(found),
            fix="Correct the ids so both sides list the same neighbourhoods, or drop the "
            "extra rows before calling.",
        )
    pop = pd.to_numeric(demographics[population], errors="coerce")
    if pop.isna().any() or (pop < 0).any():
        bad = demographics.loc[pop.isna() | (pop < 0), on].astype(str)
        raise EquityError(
            f"Population {population!r} must be a number >= 0 for every neighbourhood.",
            found="missing or negative for " + ", ".join(bad),
            fix="Fill in the population of these neighbourhoods.",
        )
    shapes = gdf[[on, "geometry"] + (["name"] if "name" in gdf.columns else [])].copy()
    shapes[on] = shapes[on].astype(str)
    demo = demographics.copy()
    demo[on] = demo[on].astype(str)
    demo[population] = pop.astype(float)
    if "name" in demo.columns and "name" in shapes.columns:
        shapes = shapes.drop(columns="name")
    joined = shapes.merge(demo, on=on, how="left")
    return joined.to_crs(_metric_crs(gdf)).sort_values(on).reset_index(drop=True)


def _matches(variables: pd.Series, variable: str | list[str] | tuple[str, ...]) -> pd.Series:
    """Flag variables equal to one of ``variable`` or starting with it and '_'."""
    import numpy as np
    import pandas as pd

    wanted = [variable] if isinstance(variable, str) else list(variable)
    names = variables.astype(str)
    hit = np.zeros(len(names), dtype=bool)
    for name in wanted:
        hit |= (names == name).to_numpy() | names.str.startswith(name + "_").to_numpy()
    return pd.Series(hit, index=variables.index)


def _points(
    data_or_points: Any, crs: Any, variable: str | list[str] | tuple[str, ...] | None
) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """Sensor points (``sensor_id``, geometry) in ``crs``, and ids without a position."""
    import geopandas as gpd
    import pandas as pd

    from .sensordata import SensorData

    if isinstance(data_or_points, SensorData):
        sensors = data_or_points.sensors
        if variable is not None:
            readings = data_or_points.readings
            keep = readings.loc[_matches(readings["variable"], variable), "sensor_id"]
            sensors = sensors[sensors["sensor_id"].astype(str).isin(set(keep.astype(str)))]
        table = pd.DataFrame(sensors)
    elif isinstance(data_or_points, gpd.GeoDataFrame):
        points = data_or_points
        if points.crs is None:
            raise EquityError(
                "The sensor points have no coordinate reference system (CRS).",
                fix="Set it: points.set_crs('EPSG:4326') for longitude/latitude.",
            )
        ids = points["sensor_id"] if "sensor_id" in points.columns else points.index
        out = gpd.GeoDataFrame(
            {"sensor_id": pd.Index(ids).astype(str)},
            geometry=points.geometry.to_numpy(),
            crs=points.crs,
        )
        return out.to_crs(crs), ()
    elif isinstance(data_or_points, pd.DataFrame):
        table = data_or_points
    else:
        raise TypeError(
            "Sensors must be a SensorData, a GeoDataFrame of points or a table with "
            f"latitude and longitude, not {type(data_or_points).__name__}."
        )
    for column in ("latitude", "longitude"):
        if column not in table.columns:
            raise MissingColumnError(
                f"The sensors have no {column!r} column.",
                found="columns: " + ", ".join(map(str, table.columns)),
                fix="Give a GeoDataFrame of points, or a table with latitude and longitude.",
            )
    ids = (table["sensor_id"] if "sensor_id" in table.columns else table.index).astype(str)
    placed = table["latitude"].notna() & table["longitude"].notna()
    out = gpd.GeoDataFrame(
        {"sensor_id": ids[placed].to_numpy()},
        geometry=gpd.points_from_xy(table.loc[placed, "longitude"], table.loc[placed, "latitude"]),
        crs="EPSG:4326",
    )
    return out.to_crs(crs), tuple(ids[~placed])


def _locate(points: gpd.GeoDataFrame, shapes: gpd.GeoDataFrame, on: str) -> pd.Series:
    """Return each point's neighbourhood id (NaN outside all).

    A point on a shared edge goes to the first neighbourhood in id order.
    """
    import geopandas as gpd

    joined = gpd.sjoin(points, shapes[[on, "geometry"]], how="left", predicate="intersects")
    joined = joined.sort_values(on, kind="stable")
    return joined[~joined.index.duplicated(keep="first")][on].reindex(points.index)


def _weights(weight: Any, table: pd.DataFrame, on: str) -> pd.Series:
    """Return weights (>= 0) aligned with ``table``; 1 when ``weight`` is None."""
    import pandas as pd

    if weight is None:
        return pd.Series(1.0, index=table.index)
    if isinstance(weight, str):
        if weight not in table.columns:
            raise MissingColumnError(
                f"There is no column {weight!r} to weight by.",
                found="columns: " + ", ".join(map(str, table.columns)),
                fix="Name a demographics column, or give a Series indexed by neighbourhood id.",
            )
        values = pd.to_numeric(table[weight], errors="coerce")
    else:
        series = pd.Series(weight)
        series.index = series.index.astype(str)
        values = pd.to_numeric(table[on].map(series), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        raise EquityError(
            "Weights must be numbers >= 0 for every neighbourhood.",
            found="missing or negative for " + ", ".join(table.loc[bad, on].astype(str)),
            fix="Give a weight to each neighbourhood (for low income, e.g. "
            "1 / demographics.set_index(on)['median_income_gbp']).",
        )
    return values.astype(float)


# --------------------------------------------------------------------------- coverage


def coverage(
    data_or_points: Any,
    neighbourhoods: Any,
    demographics: pd.DataFrame,
    *,
    on: str = "neighbourhood_id",
    population: str = "population",
    variable: str | list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Count sensors per neighbourhood and per 10 000 residents.

    Parameters
    ----------
    data_or_points
        A :class:`~toolkit.sensordata.SensorData` (positions from its ``sensors``
        table), a GeoDataFrame of points (``sensor_id`` column or index) or a table with
        ``latitude``/``longitude`` (WGS84 degrees).
    neighbourhoods
        Boundaries: GeoDataFrame, GeoJSON path or GeoJSON dict, with the column ``on``.
    demographics
        One row per neighbourhood with ``on`` and ``population`` (residents).
    on, population
        The join column and the population column.
    variable
        Count only sensors that measure this variable (or one of several): a name
        matches itself and its variants, so ``"pm25"`` also counts PurpleAir's
        ``pm25_cf1``/``pm25_atm``. ``None`` (default) counts every sensor with a
        position, including weather sensors beside a particle sensor.

    Returns
    -------
    pandas.DataFrame
        One row per neighbourhood, sorted by ``on``: ``on``, ``name`` (when given),
        ``population``, ``sensors``, ``sensors_per_10k`` (NaN where nobody lives), then
        the other demographics columns. ``.attrs`` holds ``on``, ``population``,
        ``variable``, ``sensors_total``, ``outside`` (ids of sensors outside every
        neighbourhood: kept, reported, not counted in any row), ``without_position``
        and ``assumptions``.

    Raises
    ------
    NeighbourhoodMismatchError
        When an id is in the boundaries and not in the demographics, or the reverse
        (the message names them).
    MissingColumnError
        When the join or population column is missing.

    Notes
    -----
    A sensor exactly on a shared boundary counts in the first neighbourhood by id.
    """
    import numpy as np

    shapes = _prepare(neighbourhoods, demographics, on, population)
    points, unplaced = _points(data_or_points, shapes.crs, variable)
    where = _locate(points, shapes, on)
    counts = where.value_counts().reindex(shapes[on], fill_value=0).to_numpy()
    table = shapes.drop(columns="geometry")
    table = table.rename(columns={population: "population"})
    first = [on] + (["name"] if "name" in table.columns else []) + ["population"]
    table.insert(len(first), "sensors", counts.astype(int))
    pop = table["population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(pop > 0, counts * _PER / np.where(pop > 0, pop, 1), np.nan)
    table.insert(len(first) + 1, "sensors_per_10k", per)
    table = table[
        first
        + ["sensors", "sensors_per_10k"]
        + [c for c in table.columns if c not in [*first, "sensors", "sensors_per_10k"]]
    ]
    table = table.reset_index(drop=True)
    outside = tuple(points.loc[where.isna(), "sensor_id"])
    table.attrs = {
        "on": on,
        "population": population,
        "variable": variable,
        "sensors_total": len(points),
        "outside": outside,
        "without_position": unplaced,
        "assumptions": (
            "sensors counted by the neighbourhood their position falls in; "
            f"{len(outside)} sensor(s) outside every neighbourhood kept in attrs['outside']"
        ),
    }
    return table


def unmeasured(coverage_table: pd.DataFrame) -> pd.DataFrame:
    """List the neighbourhoods without a sensor, most residents first.

    Parameters
    ----------
    coverage_table
        The result of :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        The rows of ``coverage_table`` with ``sensors == 0``, sorted by population
        (descending).
    """
    _need(coverage_table, ("sensors", "population"))
    rows = coverage_table[coverage_table["sensors"] == 0]
    return rows.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)


def _need(table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise MissingColumnError(
            "This needs the table made by toolkit.equity.coverage().",
            found="missing columns: " + ", ".join(missing),
            fix="table = toolkit.equity.coverage(data, neighbourhoods, demographics)",
        )


def against(coverage_table: pd.DataFrame, attribute: str = "median_income") -> pd.DataFrame:
    """Set coverage against income or any other neighbourhood attribute.

    Parameters
    ----------
    coverage_table
        The result of :func:`coverage` (it carries the demographics columns).
    attribute
        A column of the table; a unique prefix is enough (``"median_income"`` finds
        ``median_income_gbp``).

    Returns
    -------
    pandas.DataFrame
        ``on``, ``name``, the attribute, ``population``, ``sensors``,
        ``sensors_per_10k``, sorted by the attribute (ascending). ``.attrs["spearman"]``
        is Spearman's rank correlation between the attribute and ``sensors_per_10k``
        (unweighted, each neighbourhood counts once; ties get average ranks; positive:
        more sensors per resident where the attribute is higher); ``.attrs["n"]`` the
        number of neighbourhoods used.
    """
    _need(coverage_table, ("sensors", "population", "sensors_per_10k"))
    column = _resolve(coverage_table, attribute)
    on = coverage_table.attrs.get("on", coverage_table.columns[0])
    keep = [on] + (["name"] if "name" in coverage_table.columns else [])
    keep += [column, "population", "sensors", "sensors_per_10k"]
    table = coverage_table[list(dict.fromkeys(keep))]
    table = table.sort_values(column, kind="stable").reset_index(drop=True)
    both = table[[column, "sensors_per_10k"]].astype(float).dropna()
    ranks = both.rank(method="average")  # Spearman: Pearson's r of the ranks
    rho = ranks[column].corr(ranks["sensors_per_10k"]) if len(both) > 1 else None
    table.attrs = {
        "attribute": column,
        "spearman": float(rho) if rho is not None else float("nan"),
        "n": len(both),
    }
    return table


def _resolve(table: pd.DataFrame, attribute: str) -> str:
    if attribute in table.columns:
        return attribute
    hits = [c for c in table.columns if str(c).startswith(attribute)]
    if len(hits) == 1:
        return hits[0]
    raise MissingColumnError(
        f"No single column matches {attribute!r}.",
        found="columns: " + ", ".join(map(str, table.columns)),
        fix="Name one of these columns with attribute='...'.",
    )


# --------------------------------------------------------------------------- inequality


def lorenz(coverage_table: pd.DataFrame) -> pd.DataFrame:
    """Compute the Lorenz curve of sensors among residents.

    Neighbourhoods are ordered by sensors per resident (fewest first; ties keep the
    table's order); the curve joins (0, 0) to the points (cumulative share of
    residents, cumulative share of sensors). On the diagonal every resident has the
    same share of sensors; the further below it, the more unequal.

    Parameters
    ----------
    coverage_table
        The result of :func:`coverage`. Neighbourhoods without residents are left out.

    Returns
    -------
    pandas.DataFrame
        One row per neighbourhood plus a first row (0, 0): ``on`` (missing on the
        first row), ``residents_share`` and ``sensors_share`` (both cumulative, 0-1).

    Raises
    ------
    ValueError
        When there are no sensors or no residents.
    """
    import pandas as pd

    _need(coverage_table, ("sensors", "population"))
    on = coverage_table.attrs.get("on", coverage_table.columns[0])
    table = coverage_table[coverage_table["population"] > 0]
    total_sensors = table["sensors"].sum()
    total_people = table["population"].sum()
    if total_sensors == 0 or total_people == 0:
        raise EquityError(
            "A Lorenz curve needs at least one sensor and one resident.",
            found=f"{total_sensors} sensors, {total_people:g} residents in the neighbourhoods",
            fix="Check the sensor positions and the population column.",
        )
    rate = table["sensors"] / table["population"]
    order = table.assign(_rate=rate).sort_values("_rate", kind="stable")
    curve = pd.DataFrame(
        {
            on: [None, *order[on].tolist()],
            "residents_share": [0.0, *(order["population"].cumsum() / total_people)],
            "sensors_share": [0.0, *(order["sensors"].cumsum() / total_sensors)],
        }
    )
    return curve


def gini(coverage_table: pd.DataFrame) -> float:
    r"""Compute the Gini coefficient of sensors per resident, weighted by population.

    0 when every resident has the same number of sensors per head, towards 1 when one
    small neighbourhood has them all. With neighbourhoods ordered by sensors per
    resident and :math:`X_k`, :math:`Y_k` the cumulative shares of residents and
    sensors (:func:`lorenz`, :math:`X_0 = Y_0 = 0`), Brown's formula [1]_

    .. math:: G = 1 - \sum_{k=1}^{n} (X_k - X_{k-1})(Y_k + Y_{k-1})

    is one minus twice the area under the Lorenz curve; it equals the
    population-weighted mean absolute difference of the rates :math:`r_i` (sensors per
    resident, population shares :math:`p_i`) over twice their mean
    :math:`\mu = \sum p_i r_i`:
    :math:`G = \sum_i \sum_j p_i p_j |r_i - r_j| / (2\mu)`.

    Parameters
    ----------
    coverage_table
        The result of :func:`coverage`.

    Returns
    -------
    float
        The Gini coefficient (0-1).

    References
    ----------
    .. [1] Brown, M. C. (1994). Using Gini-style indices to evaluate the spatial
       patterns of health practitioners: theoretical considerations and an application
       based on Alberta data. Social Science & Medicine, 38(9), 1243-1256.
    """
    curve = lorenz(coverage_table)
    x = curve["residents_share"].to_numpy()
    y = curve["sensors_share"].to_numpy()
    return float(1.0 - ((x[1:] - x[:-1]) * (y[1:] + y[:-1])).sum())


def exposure(
    concentrations: Any,
    neighbourhoods: Any,
    demographics: pd.DataFrame,
    *,
    on: str = "neighbourhood_id",
    population: str = "population",
    value: str = "value",
) -> pd.DataFrame:
    r"""Population-weighted exposure: the concentration the average resident lives in.

    .. math:: E = \sum_i P_i C_i / \sum_i P_i

    with :math:`P_i` residents and :math:`C_i` the concentration of neighbourhood
    :math:`i` (for example a four-week mean PM2.5 in µg/m³; the result has its unit).

    Parameters
    ----------
    concentrations
        One value per neighbourhood: a Series indexed by ``on``, or a table with
        columns ``on`` and ``value``.
    neighbourhoods, demographics, on, population
        As in :func:`coverage` (the boundaries check the ids).
    value
        The concentration column when ``concentrations`` is a table.

    Returns
    -------
    pandas.DataFrame
        One row per neighbourhood: ``on``, ``name``, ``population``, ``concentration``,
        ``population_share``, ``contribution`` (share x concentration; they add up to
        the weighted mean). ``.attrs["population_weighted_mean"]`` is :math:`E`,
        ``.attrs["without_concentration"]`` the ids left out for lack of a value.
    """
    import pandas as pd

    shapes = _prepare(neighbourhoods, demographics, on, population)
    if isinstance(concentrations, pd.DataFrame):
        for column in (on, value):
            if column not in concentrations.columns:
                raise MissingColumnError(
                    f"The concentrations have no column {column!r}.",
                    found="columns: " + ", ".join(map(str, concentrations.columns)),
                    fix="Give a Series indexed by neighbourhood id, or name the columns "
                    "with on='...' and value='...'.",
                )
        series = concentrations.set_index(concentrations[on].astype(str))[value]
    else:
        series = pd.Series(concentrations)
        series.index = series.index.astype(str)
    table = shapes.drop(columns="geometry").rename(columns={population: "population"})
    keep = [on] + (["name"] if "name" in table.columns else []) + ["population"]
    table = table[keep].copy()
    table["concentration"] = pd.to_numeric(table[on].map(series), errors="coerce")
    missing = tuple(table.loc[table["concentration"].isna(), on])
    table = table.dropna(subset=["concentration"]).reset_index(drop=True)
    people = table["population"].sum()
    if people == 0:
        raise EquityError(
            "No residents live where a concentration is given.",
            found="without a concentration: " + (", ".join(missing) or "none"),
            fix="Give concentrations indexed by the neighbourhood ids.",
        )
    table["population_share"] = table["population"] / people
    table["contribution"] = table["population_share"] * table["concentration"]
    table.attrs = {
        "population_weighted_mean": float(table["contribution"].sum()),
        "without_concentration": missing,
    }
    return table


# --------------------------------------------------------------------------- walking


def _buffers(points: gpd.GeoDataFrame, distance_m: float) -> Any:
    return points.geometry.buffer(distance_m, quad_segs=_QUAD_SEGS).to_numpy()


def _node_table(graph: nx.Graph, shapes: gpd.GeoDataFrame, on: str) -> gpd.GeoDataFrame:
    """Return street nodes with their neighbourhood and their share of its residents."""
    import geopandas as gpd
    import pandas as pd

    ids = list(graph.nodes)
    if not ids:
        raise EquityError("The street network has no nodes.", fix="Check the graph.")
    xs = [graph.nodes[n].get("x") for n in ids]
    ys = [graph.nodes[n].get("y") for n in ids]
    if any(v is None for v in xs + ys):
        raise EquityError(
            "Street nodes need 'x' and 'y' coordinates (as osmnx gives them).",
            fix="Build the graph with toolkit.places.network_from_xml(path).",
        )
    nodes = gpd.GeoDataFrame(
        {"node": pd.Series(ids, dtype=object)},
        geometry=gpd.points_from_xy(xs, ys),
        crs=graph.graph.get("crs", "EPSG:4326"),
    ).to_crs(shapes.crs)
    nodes[on] = _locate(nodes, shapes, on)
    per_node = shapes.set_index(on)["population"] / nodes[on].value_counts()
    nodes["residents"] = nodes[on].map(per_node).fillna(0.0)
    return nodes


def _snap(points: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame) -> list[Any]:
    """Return the street node nearest (straight line) to each point."""
    import geopandas as gpd

    if points.empty:
        return []
    near = gpd.sjoin_nearest(points[["geometry"]], nodes[["node", "geometry"]], how="left")
    near = near[~near.index.duplicated(keep="first")]
    return near["node"].tolist()


def _reach(graph: nx.Graph, sources: list[Any], distance_m: float) -> set[Any]:
    """Return nodes within ``distance_m`` along the streets (edge 'length', metres)."""
    import networkx as nx

    if not sources:
        return set()
    walk = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    return set(
        nx.multi_source_dijkstra_path_length(walk, set(sources), cutoff=distance_m, weight="length")
    )


def share_within_walk(
    neighbourhoods: Any,
    demographics: pd.DataFrame,
    sensors: Any,
    *,
    distance_m: float = 500,
    residents: Literal["area", "streets"] = "area",
    graph: nx.Graph | None = None,
    on: str = "neighbourhood_id",
    population: str = "population",
    variable: str | list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Compute the share of residents who live within a walk of a sensor.

    Parameters
    ----------
    neighbourhoods, demographics, on, population, variable
        As in :func:`coverage`.
    sensors
        As ``data_or_points`` in :func:`coverage`. Sensors outside every neighbourhood
        count too: their reach crosses the boundary.
    distance_m
        The walk, in metres (default 500 m, about a six-minute walk at 5 km/h: a
        common "walkable" distance in accessibility studies; the toolkit's choice).
    residents
        How residents are placed (see the module notes): ``"area"`` spreads them
        uniformly over each neighbourhood and measures straight-line distance;
        ``"streets"`` shares them among the street nodes inside each neighbourhood and
        measures distance along the streets (needs ``graph``).
    graph
        The street network (networkx graph, nodes with ``x``/``y`` in the graph's
        ``crs``, edges with ``length`` in metres), for ``residents="streets"``.

    Returns
    -------
    pandas.DataFrame
        One row per neighbourhood: ``on``, ``name``, ``population``,
        ``residents_within`` and ``share_within`` (0-1). ``.attrs["share"]`` is the
        city's share (residents within / all residents); ``.attrs`` also records
        ``distance_m``, ``residents`` and ``assumptions``; in ``"streets"`` mode,
        ``unplaced_residents`` counts residents of neighbourhoods without a street node
        (counted as not within a walk).
    """
    import numpy as np
    import shapely

    shapes = _prepare(neighbourhoods, demographics, on, population)
    points, _ = _points(sensors, shapes.crs, variable)
    table = shapes.drop(columns="geometry").rename(columns={population: "population"})
    keep = [on] + (["name"] if "name" in table.columns else []) + ["population"]
    table = table[keep].copy()
    attrs: dict[str, Any] = {"distance_m": distance_m, "residents": residents}
    if residents == "area":
        polys = shapes.geometry.to_numpy()
        reach = shapely.union_all(_buffers(points, distance_m)) if len(points) else None
        if reach is None:
            fraction = np.zeros(len(polys))
        else:
            fraction = shapely.area(shapely.intersection(polys, reach)) / shapely.area(polys)
        table["residents_within"] = table["population"].to_numpy() * fraction
        attrs["assumptions"] = (
            "residents spread uniformly over each neighbourhood's area; straight-line "
            f"distance <= {distance_m:g} m in {shapes.crs.name}"
        )
    elif residents == "streets":
        if graph is None:
            raise EquityError(
                'residents="streets" needs the street network.',
                fix="graph = toolkit.places.network_from_xml(path); "
                'share_within_walk(..., residents="streets", graph=graph)',
            )
        nodes = _node_table(graph, shapes, on)
        reached = _reach(graph, _snap(points, nodes), distance_m)
        within = nodes[nodes["node"].isin(reached)].groupby(on)["residents"].sum()
        table["residents_within"] = table[on].map(within).fillna(0.0).to_numpy()
        placed = set(nodes[on].dropna())
        attrs["unplaced_residents"] = float(table.loc[~table[on].isin(placed), "population"].sum())
        attrs["assumptions"] = (
            "residents shared equally among the street nodes of each neighbourhood; "
            f"network distance <= {distance_m:g} m from the node nearest each sensor"
        )
    else:
        raise ValueError(f'residents must be "area" or "streets", not {residents!r}.')
    pop = table["population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share_within"] = np.where(pop > 0, table["residents_within"] / pop, np.nan)
    total = table["population"].sum()
    attrs["share"] = float(table["residents_within"].sum() / total) if total else float("nan")
    table = table.reset_index(drop=True)
    table.attrs = attrs
    return table


# --------------------------------------------------------------------------- siting


def suggest_sites(
    neighbourhoods: Any,
    demographics: pd.DataFrame,
    sensors: Any,
    candidates: Any = None,
    *,
    k: int = 3,
    distance_m: float = 500,
    weight: Any = None,
    residents: Literal["area", "streets"] = "area",
    graph: nx.Graph | None = None,
    on: str = "neighbourhood_id",
    population: str = "population",
    variable: str | list[str] | tuple[str, ...] | None = None,
) -> gpd.GeoDataFrame:
    """Where the next ``k`` sensors would reach the most residents not yet measured.

    Greedy placement (the classic heuristic for maximal covering location problems;
    Church & ReVelle 1974, *Papers of the Regional Science Association* 32, 101-118):
    at each step take the candidate that covers the most (weighted) residents not
    yet within ``distance_m`` of a sensor, then count them as covered. Residents are
    placed as in :func:`share_within_walk`. Ties go to the first candidate. The
    search stops early when no candidate covers anyone new.

    Parameters
    ----------
    neighbourhoods, demographics, sensors, on, population, variable, residents, graph
        As in :func:`share_within_walk`.
    candidates
        Possible sites: ``None`` (default) takes the neighbourhoods' centroids with
        ``residents="area"`` and every street node with ``residents="streets"``; or a
        GeoDataFrame/GeoSeries of points (with a CRS); or ``"streets"`` for the street
        nodes of ``graph``.
    k
        How many sites to suggest.
    distance_m
        The walk, in metres (default 500).
    weight
        Make some residents count more: a demographics column (e.g. mean PM2.5
        exposure) or a Series of weights indexed by neighbourhood id (for low income,
        ``1 / income``). ``None`` counts every resident once.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per suggested site, in order: ``order`` (1...), ``on`` (the
        neighbourhood the site is in; None outside), ``residents_newly_covered``,
        ``score`` (weighted residents newly covered), ``weight`` (of the site's
        neighbourhood), ``reason`` (a sentence) and the point (in the neighbourhoods'
        CRS). ``.attrs`` records ``k``, ``distance_m``, ``residents``, ``weight`` and
        ``assumptions``.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}.")
    shapes = _prepare(neighbourhoods, demographics, on, population)
    weights = _weights(weight, shapes, on)
    points, _ = _points(sensors, shapes.crs, variable)
    nodes = None
    if residents == "streets":
        if graph is None:
            raise EquityError(
                'residents="streets" needs the street network.',
                fix="graph = toolkit.places.network_from_xml(path)",
            )
        nodes = _node_table(graph, shapes, on)
    elif residents != "area":
        raise ValueError(f'residents must be "area" or "streets", not {residents!r}.')
    if candidates is None:
        candidates = "streets" if residents == "streets" else "centroids"
    if isinstance(candidates, str):
        if candidates == "centroids":
            sites = gpd.GeoSeries(shapes.geometry.centroid.to_numpy(), crs=shapes.crs)
        elif candidates == "streets":
            if graph is None:
                raise EquityError('candidates="streets" needs graph=...')
            nodes = nodes if nodes is not None else _node_table(graph, shapes, on)
            sites = gpd.GeoSeries(nodes.geometry.to_numpy(), crs=shapes.crs)
        else:
            raise ValueError(
                f'candidates must be "centroids", "streets" or points, not {candidates!r}.'
            )
    else:
        sites = gpd.GeoSeries(
            gpd.GeoSeries(candidates).geometry.to_numpy(), crs=getattr(candidates, "crs", None)
        )
        if sites.crs is None:
            raise EquityError(
                "The candidate sites have no coordinate reference system (CRS).",
                fix="Set it: candidates.set_crs('EPSG:4326') for longitude/latitude.",
            )
        sites = sites.to_crs(shapes.crs).reset_index(drop=True)
    density_w = (shapes["population"] * weights).to_numpy()
    people = shapes["population"].to_numpy()

    if residents == "area":
        polys = shapes.geometry.to_numpy()
        areas = shapely.area(polys)
        covered = (
            shapely.intersection(polys, shapely.union_all(_buffers(points, distance_m)))
            if len(points)
            else np.array([shapely.Polygon()] * len(polys))
        )
        rings = sites.buffer(distance_m, quad_segs=_QUAD_SEGS).to_numpy()
        pieces = shapely.intersection(rings[:, None], polys[None, :])  # sites x areas

        def gains() -> tuple[Any, Any]:
            # area(piece) - area(piece & covered); GEOS cannot overlay some empties
            grid = np.broadcast_to(covered[None, :], pieces.shape)
            both = ~shapely.is_empty(pieces) & ~shapely.is_empty(grid)
            overlap = np.zeros(pieces.shape)
            overlap[both] = shapely.area(shapely.intersection(pieces[both], grid[both]))
            new = (shapely.area(pieces) - overlap) / areas
            return new @ density_w, new @ people

        def take(i: int) -> None:
            nonlocal covered
            covered = shapely.union(covered, pieces[i])
    else:
        assert nodes is not None
        node_index = {n: i for i, n in enumerate(nodes["node"])}
        node_w = (
            nodes[on].map(dict(zip(shapes[on], weights, strict=True))).fillna(0)
            * nodes["residents"]
        )
        node_w = node_w.to_numpy()
        node_p = nodes["residents"].to_numpy()
        is_covered = np.zeros(len(nodes), dtype=bool)
        for n in _reach(graph, _snap(points, nodes), distance_m):
            is_covered[node_index[n]] = True
        site_points = gpd.GeoDataFrame(geometry=sites.to_numpy(), crs=shapes.crs)
        starts = _snap(site_points, nodes)
        reach = np.zeros((len(sites), len(nodes)), dtype=bool)
        for i, start in enumerate(starts):
            reach[i, [node_index[n] for n in _reach(graph, [start], distance_m)]] = True

        def gains() -> tuple[Any, Any]:
            new = reach & ~is_covered[None, :]
            return new @ node_w, new @ node_p

        def take(i: int) -> None:
            is_covered[:] |= reach[i]

    rows = []
    for order in range(1, k + 1):
        score, newly = gains()
        best = int(np.argmax(score))
        if not score[best] > 1e-9:
            break
        take(best)
        rows.append((order, best, float(newly[best]), float(score[best])))
    chosen = gpd.GeoDataFrame(
        {"order": [r[0] for r in rows]},
        geometry=[sites.iloc[r[1]] for r in rows],
        crs=shapes.crs,
    )
    chosen[on] = _locate(chosen, shapes, on).to_numpy() if rows else []
    chosen["residents_newly_covered"] = [r[2] for r in rows]
    chosen["score"] = [r[3] for r in rows]
    chosen["weight"] = chosen[on].map(dict(zip(shapes[on], weights, strict=True)))
    chosen["reason"] = [
        f"site {o}: {n:,.0f} residents not yet within {distance_m:g} m of a sensor"
        + (f" (weighted score {s:.4g})" if weight is not None else "")
        + (f", in {nb}" if isinstance(nb, str) else ", outside every neighbourhood")
        for o, n, s, nb in zip(
            chosen["order"],
            chosen["residents_newly_covered"],
            chosen["score"],
            chosen[on],
            strict=True,
        )
    ]
    chosen = chosen[
        ["order", on, "residents_newly_covered", "score", "weight", "reason", "geometry"]
    ]
    # back from the metric projection to the neighbourhoods' own CRS (GeoJSON: WGS84)
    chosen = chosen.to_crs(getattr(neighbourhoods, "crs", None) or "EPSG:4326")
    chosen.attrs = {
        "k": k,
        "found": len(rows),
        "distance_m": distance_m,
        "residents": residents,
        "weight": weight
        if isinstance(weight, str) or weight is None
        else "given per neighbourhood",
        "assumptions": (
            "greedy: each site covers the most weighted residents not yet covered; "
            + (
                "residents spread uniformly by area, straight-line distance"
                if residents == "area"
                else "residents on street nodes, network distance"
            )
        ),
    }
    return chosen
