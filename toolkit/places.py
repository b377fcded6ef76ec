"""Places: street networks, sensors on them, and what lies within a walk of each sensor.

A street network is an osmnx graph: a NetworkX ``MultiDiGraph`` whose nodes carry ``x``
and ``y`` (longitude and latitude in degrees when the graph's ``crs`` is WGS 84, metres
when it is projected) and whose edges carry ``length`` in metres. This module

* reads one **offline** from an OpenStreetMap XML file (:func:`network_from_xml`), or
  downloads one **online** through osmnx (:func:`network_from_place`,
  :func:`network_from_bbox`);
* reads neighbourhood outlines (:func:`neighbourhoods_from_geojson`);
* places sensors (:func:`sensor_points`) and snaps them to the nearest street corner
  (:func:`snap_to_network`);
* computes what is within walking distance of each sensor **along the streets**
  (:func:`catchments`), and which sensor is nearest to every street corner
  (:func:`nearest_sensor`), by the network or as the crow flies.

Distances
    All distances are in metres. To measure them the graph is projected with
    ``osmnx.projection.project_graph``, which chooses the UTM zone of the graph's
    centre (a transverse Mercator projection: distortion below 0.1 % within a zone, so
    well under a metre over a neighbourhood). A graph that is already projected is
    used as it is. Results meant for maps come back in WGS 84 (EPSG:4326).

Offline and online
    Only the ``*_from_xml`` reader works offline. The online readers use osmnx, which
    asks the Overpass API (and Nominatim for place names); its answers are cached in
    ``<toolkit cache folder>/osmnx`` (see :func:`osmnx_cache_folder`), an absolute folder
    shared by every notebook, instead of osmnx's default ``./cache`` next to whichever
    notebook happens to run. Follow the Overpass and Nominatim usage policies: in a
    workshop, ship an extract and read it with :func:`network_from_xml`.

OpenStreetMap data is © OpenStreetMap contributors, under the Open Database Licence
(ODbL): say so under every map and table made from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import MissingColumnError, SourceNotFoundError, ToolkitError

if TYPE_CHECKING:
    import os

    import geopandas as gpd
    import networkx as nx
    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "DEFAULT_BUFFER_M",
    "DEFAULT_DISTANCE_M",
    "NETWORK_TYPES",
    "CRSError",
    "EmptyNetworkError",
    "OutsideNetworkError",
    "catchments",
    "configure_osmnx",
    "nearest_sensor",
    "neighbourhoods_from_geojson",
    "network_from_bbox",
    "network_from_place",
    "network_from_xml",
    "osmnx_cache_folder",
    "sensor_points",
    "snap_to_network",
]

#: Default walking distance of a catchment [m]: about 6-7 minutes at 1.3 m/s, a
#: commonly used "short walk" (e.g. the 400-800 m walk-access thresholds of transit
#: planning). It is a choice, not a standard: say which one you used.
DEFAULT_DISTANCE_M = 500.0
#: Half-width of the band drawn around the streets reached in a catchment [m].
DEFAULT_BUFFER_M = 25.0
#: Network types understood by the readers (as in osmnx).
NETWORK_TYPES = ("walk", "drive", "all")
WGS84 = "EPSG:4326"

# Highway values a pedestrian cannot use, paraphrasing osmnx's own "walk" filter
# (osmnx/_overpass.py, _get_network_filter): OSM tag highway=*.
_NOT_WALKABLE = frozenset(
    [
        "abandoned",
        "bus_guideway",
        "construction",
        "cycleway",
        "motorway",
        "motorway_link",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
    ]
)
# Highway values a car cannot use (osmnx "drive" filter, same source).
_NOT_DRIVABLE = frozenset(
    [
        "abandoned",
        "bridleway",
        "bus_guideway",
        "construction",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "service",
        "services",
        "steps",
        "track",
    ]
)


class CRSError(ToolkitError, ValueError):
    """Coordinates have no coordinate reference system, or two that do not fit."""


class EmptyNetworkError(ToolkitError, ValueError):
    """A street network has no streets (no edges) left."""


class OutsideNetworkError(ToolkitError, ValueError):
    """No sensor lies within the extent of the street network."""


# ---------------------------------------------------------------------------- networks


def osmnx_cache_folder(folder: str | os.PathLike[str] | None = None) -> Path:
    """Return the absolute folder where osmnx keeps its downloaded answers.

    Parameters
    ----------
    folder
        The toolkit's cache folder for this call; ``None`` uses
        :func:`toolkit.fetch.cache_folder` (``toolkit.fetch.settings.cache_folder``,
        the ``URBAN_TOOLKIT_CACHE`` environment variable, or the user's cache folder).

    Returns
    -------
    pathlib.Path
        ``<cache folder>/osmnx``, absolute.
    """
    from .fetch import cache_folder

    return cache_folder(folder) / "osmnx"


def configure_osmnx(*, cache_folder: str | os.PathLike[str] | None = None) -> Path:
    """Point osmnx's cache at the toolkit's absolute cache folder, and quieten it.

    Sets ``osmnx.settings.use_cache = True``, ``osmnx.settings.cache_folder`` to
    :func:`osmnx_cache_folder` and ``osmnx.settings.log_console = False``. osmnx's default
    ``./cache`` is relative to the current folder, so each notebook folder would keep
    its own copy of every download.

    Returns
    -------
    pathlib.Path
        The folder osmnx now caches into.
    """
    import osmnx as ox

    folder = osmnx_cache_folder(cache_folder)
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(folder)
    ox.settings.log_console = False
    return folder


def _check_network_type(network_type: str) -> None:
    if network_type not in NETWORK_TYPES:
        raise ValueError(
            ToolkitError(
                "Unknown network type.",
                found=repr(network_type),
                fix=f"use one of {', '.join(NETWORK_TYPES)}.",
            ).message
        )


def _require_edges(graph: nx.MultiDiGraph, where: str) -> nx.MultiDiGraph:
    if graph.number_of_edges() == 0:
        raise EmptyNetworkError(
            "The street network is empty: it has no streets.",
            file=where,
            found=f"{graph.number_of_nodes()} nodes, 0 edges",
            fix="check that the file or area holds ways tagged highway=* (streets), and "
            "that network_type= fits them (try network_type='all').",
        )
    return graph


def network_from_xml(
    path: str | os.PathLike[str], *, network_type: str = "walk"
) -> nx.MultiDiGraph:
    """Read a street network offline from an OpenStreetMap XML file.

    Parameters
    ----------
    path
        An OSM XML file (``.osm``, ``.osm.bz2``, ``.osm.gz``), for example
        ``toolkit.datasets.path("streets")``. PBF files are not read by osmnx. Do not
        give it a file that osmnx wrote itself (use ``osmnx.load_graphml`` for those).
    network_type
        ``"walk"`` (default): streets in both directions whatever their one-way tags,
        without the highway types pedestrians cannot use (motorways, cycleways,
        construction...), following osmnx's own walk filter. ``"drive"``: one-way
        streets kept one-way, without footways, paths, steps, service roads...
        ``"all"``: every way with a ``highway`` tag, one-way respected.

    Returns
    -------
    networkx.MultiDiGraph
        An osmnx graph in WGS 84 (``graph.graph["crs"]``), simplified, reduced to its
        largest weakly connected part; ``graph.graph["network_type"]`` records the type.

    Raises
    ------
    SourceNotFoundError
        The file does not exist.
    EmptyNetworkError
        No street is left (the file has no ``highway`` ways of this type).

    Notes
    -----
    Uses ``osmnx.graph.graph_from_xml`` (needs no internet and no cache) unsimplified,
    drops the excluded ``highway`` values, keeps the largest weakly connected part, then
    simplifies with ``osmnx.simplification.simplify_graph``. The ``highway`` filter is
    simpler than osmnx's online one (which also looks at ``access``, ``foot``, ``service``).
    """
    import osmnx as ox

    _check_network_type(network_type)
    file = Path(path).expanduser()
    if not file.is_file():
        raise SourceNotFoundError(
            "The street network file does not exist.",
            file=str(file),
            fix="check the path; the teaching city's streets are at "
            "toolkit.datasets.path('streets').",
        )
    try:
        graph = ox.graph.graph_from_xml(
            file, bidirectional=network_type == "walk", simplify=False, retain_all=True
        )
    except ValueError as error:  # osmnx: "Graph contains no edges" and the like
        raise EmptyNetworkError(
            "The street network file holds no usable streets.",
            file=str(file),
            found=str(error),
            fix="check that the file is OSM XML with ways tagged highway=*.",
        ) from None
    _require_edges(graph, str(file))
    excluded = {"walk": _NOT_WALKABLE, "drive": _NOT_DRIVABLE, "all": frozenset()}[network_type]
    graph.remove_edges_from(
        [
            (u, v, k)
            for u, v, k, highway in graph.edges(keys=True, data="highway")
            if highway in excluded
        ]
    )
    graph.remove_nodes_from([n for n, degree in list(graph.degree()) if degree == 0])
    _require_edges(graph, str(file))
    graph = ox.truncate.largest_component(graph, strongly=False)
    graph = ox.simplification.simplify_graph(graph)
    graph.graph["network_type"] = network_type
    return graph


def _online(call: Any, what: str, network_type: str, **kwargs: Any) -> nx.MultiDiGraph:
    """Run an osmnx download with the toolkit's cache, turning failures into advice."""
    import osmnx as ox
    import requests

    from .fetch._errors import BUNDLED_DATA_HINT, OfflineError

    _check_network_type(network_type)
    folder = configure_osmnx()
    try:
        graph = call(network_type=network_type, **kwargs)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError):
        raise OfflineError(
            f"Cannot download the street network of {what}: OpenStreetMap's servers "
            "cannot be reached.",
            found="no connection (offline, or the Overpass/Nominatim server is down)",
            fix="try again when online; or read a saved extract offline with "
            f"toolkit.places.network_from_xml(path). {BUNDLED_DATA_HINT}",
        ) from None
    except (ox._errors.InsufficientResponseError, ValueError) as error:
        raise EmptyNetworkError(
            f"OpenStreetMap returned no streets for {what}.",
            found=str(error),
            fix="check the place name or the box (west, south, east, north in degrees), "
            "or try network_type='all'.",
        ) from None
    graph.graph["network_type"] = network_type
    graph.graph["cache_folder"] = str(folder)
    return _require_edges(graph, what)


def network_from_place(query: str, *, network_type: str = "walk") -> nx.MultiDiGraph:
    """Download the street network of a named place through osmnx (needs internet).

    Parameters
    ----------
    query
        A place name that Nominatim resolves to an area, e.g. ``"Kreuzberg, Berlin"``.
    network_type
        ``"walk"``, ``"drive"`` or ``"all"`` (osmnx's filters).

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph (WGS 84). Answers are cached in :func:`osmnx_cache_folder`.

    Raises
    ------
    toolkit.fetch.OfflineError
        (a ``ConnectionError``) when the servers cannot be reached.
    EmptyNetworkError
        When the place has no streets of this type.
    """
    import osmnx as ox

    return _online(ox.graph.graph_from_place, repr(query), network_type, query=query)


def network_from_bbox(
    west: float, south: float, east: float, north: float, *, network_type: str = "walk"
) -> nx.MultiDiGraph:
    """Download the street network inside a box through osmnx (needs internet).

    Parameters
    ----------
    west, south, east, north
        The box's edges in degrees (longitude, latitude, WGS 84), osmnx 2's order.
    network_type
        ``"walk"``, ``"drive"`` or ``"all"``.

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph (WGS 84), cached as in :func:`network_from_place`.

    Raises
    ------
    CRSError
        When the box is not in degrees or its edges are swapped.
    toolkit.fetch.OfflineError, EmptyNetworkError
        As for :func:`network_from_place`.
    """
    import osmnx as ox

    box = (west, south, east, north)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise CRSError(
            "The box is not a box of longitudes and latitudes in degrees.",
            found=f"west={west}, south={south}, east={east}, north={north}",
            fix="give west < east (longitudes, -180..180) and south < north "
            "(latitudes, -90..90), in this order.",
        )
    return _online(ox.graph.graph_from_bbox, f"the box {box}", network_type, bbox=box)


# ---------------------------------------------------------------------- neighbourhoods


def neighbourhoods_from_geojson(
    path_or_gdf: str | os.PathLike[str] | gpd.GeoDataFrame,
    *,
    id_column: str | None = None,
    name_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read neighbourhood outlines into a GeoDataFrame in WGS 84 (EPSG:4326).

    Parameters
    ----------
    path_or_gdf
        A GeoJSON file (or anything ``geopandas.read_file`` reads), or a GeoDataFrame.
    id_column
        Column that identifies each neighbourhood (the key to join demographics on).
        ``None``: ``neighbourhood_id`` if there is one, else the row number (1, 2...).
    name_column
        Column with readable names. ``None``: ``name`` if there is one, else the id.

    Returns
    -------
    geopandas.GeoDataFrame
        A new table with ``neighbourhood_id`` (str) and ``name`` first, the other
        columns, and the outlines in EPSG:4326; ``attrs["source_crs"]`` says what the
        input was in.

    Raises
    ------
    CRSError
        A GeoDataFrame without a CRS (the coordinates could be degrees or metres).
    MissingColumnError
        ``id_column`` or ``name_column`` is not in the table.
    ValueError
        Ids are missing or repeated, or a geometry is not a polygon.

    Notes
    -----
    GeoJSON (RFC 7946) is always in longitude/latitude degrees, WGS 84. Shapefiles and
    GeoPackages may be *projected* (coordinates in metres, e.g. a national grid): they
    are reprojected here, so every table the toolkit joins shares one CRS. Areas must be
    measured in a projected CRS, never in degrees.
    """
    import geopandas as gpd
    import pandas as pd

    if isinstance(path_or_gdf, gpd.GeoDataFrame):
        gdf, where = path_or_gdf.copy(), None
    else:
        file = Path(path_or_gdf).expanduser()
        if not file.exists():
            raise SourceNotFoundError(
                "The neighbourhoods file does not exist.",
                file=str(file),
                fix="check the path; the teaching city's are at "
                "toolkit.datasets.path('neighbourhoods').",
            )
        gdf, where = gpd.read_file(file), str(file)
    if gdf.crs is None:
        raise CRSError(
            "The neighbourhoods have no coordinate reference system (CRS), so it is "
            "unknown whether their coordinates are degrees or metres.",
            file=where,
            found=f"coordinates like {_sample_xy(gdf)}",
            fix="say what they are: gdf = gdf.set_crs('EPSG:4326') for longitude/latitude "
            "degrees, or the projected CRS they were made in (e.g. gdf.set_crs('EPSG:27700') "
            "for the British National Grid).",
        )
    wrong = ~gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if wrong.any():
        raise ValueError(
            ToolkitError(
                "Neighbourhood outlines must be polygons.",
                file=where,
                found=f"{int(wrong.sum())} other geometries: "
                f"{sorted(set(gdf.geom_type[wrong].astype(str)))}",
                fix="keep only the polygons: gdf[gdf.geom_type.isin(['Polygon', 'MultiPolygon'])].",
            ).message
        )
    source_crs = gdf.crs.to_string()
    gdf = gdf.to_crs(WGS84)
    column = _column(gdf, id_column, "neighbourhood_id", "id_column", where)
    if column is None:
        column = pd.Series(range(1, len(gdf) + 1), index=gdf.index)
    ids = column.astype("str").where(column.notna(), "")
    if (ids == "").any() or ids.duplicated().any():
        raise ValueError(
            ToolkitError(
                "Neighbourhood ids must be present and unique (they are join keys).",
                file=where,
                found=f"repeated or empty: {sorted(set(ids[ids.duplicated() | (ids == '')]))}",
                fix="choose another id_column=, or fix the ids in the file.",
            ).message
        )
    names = _column(gdf, name_column, "name", "name_column", where)
    out = gdf.drop(columns=[c for c in ("neighbourhood_id", "name") if c in gdf.columns])
    out.insert(0, "name", ids.to_numpy() if names is None else names.astype("str").to_numpy())
    out.insert(0, "neighbourhood_id", ids.to_numpy())
    out = out.reset_index(drop=True)
    out.attrs["source_crs"] = source_crs
    return out


def _column(
    gdf: gpd.GeoDataFrame, column: str | None, default: str, option: str, where: str | None
) -> pd.Series | None:
    if column is None:
        return gdf[default] if default in gdf.columns else None
    if column not in gdf.columns:
        raise MissingColumnError(
            f"The neighbourhoods have no column {column!r} ({option}).",
            file=where,
            found=f"columns: {', '.join(map(str, gdf.columns))}",
            fix=f"give {option}= one of these columns.",
        )
    return gdf[column]


def _sample_xy(gdf: gpd.GeoDataFrame) -> str:
    if gdf.empty:
        return "(no rows)"
    x0, y0, x1, y1 = gdf.total_bounds
    return f"x {x0:g}..{x1:g}, y {y0:g}..{y1:g}"


# ----------------------------------------------------------------------------- sensors


def sensor_points(data: SensorData) -> gpd.GeoDataFrame:
    """Place each sensor of a SensorData on the map.

    Parameters
    ----------
    data
        Sensor data; its ``sensors`` table gives ``latitude`` and ``longitude``
        [degrees, WGS 84].

    Returns
    -------
    geopandas.GeoDataFrame
        ``sensor_id`` (str), ``name`` and point ``geometry`` in EPSG:4326, one row per
        sensor **with** coordinates. Sensors without coordinates are not dropped
        silently: their ids are in ``attrs["without_coordinates"]`` and a sentence
        about them in ``attrs["note"]`` (empty when all have coordinates). Later steps
        (:func:`snap_to_network`) list them again.

    Raises
    ------
    MissingColumnError
        The sensors table has no ``sensor_id``, ``latitude`` or ``longitude``.
    """
    import geopandas as gpd
    import pandas as pd

    sensors = data.sensors
    missing = [c for c in ("sensor_id", "latitude", "longitude") if c not in sensors.columns]
    if missing:
        raise MissingColumnError(
            "The sensors table lacks columns needed to place sensors on a map.",
            found=f"missing {', '.join(missing)}",
            fix="read the data with a toolkit reader, or add latitude/longitude [degrees] "
            "to data.sensors.",
        )
    lat = pd.to_numeric(sensors["latitude"], errors="coerce")
    lon = pd.to_numeric(sensors["longitude"], errors="coerce")
    placed = lat.between(-90, 90) & lon.between(-180, 180)
    names = sensors["name"] if "name" in sensors.columns else sensors["sensor_id"]
    points = gpd.GeoDataFrame(
        {
            "sensor_id": sensors.loc[placed, "sensor_id"].astype("str").to_numpy(),
            "name": names[placed].astype("str").to_numpy(),
        },
        geometry=gpd.points_from_xy(lon[placed], lat[placed]),
        crs=WGS84,
    )
    unplaced = sensors.loc[~placed, "sensor_id"].astype("str").tolist()
    points.attrs["without_coordinates"] = unplaced
    points.attrs["note"] = (
        f"{len(unplaced)} sensor(s) have no coordinates and are not on the map: "
        f"{', '.join(unplaced)}."
        if unplaced
        else ""
    )
    return points


def _as_points(points: gpd.GeoDataFrame | SensorData) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not isinstance(points, gpd.GeoDataFrame):
        return sensor_points(points)
    if "sensor_id" not in points.columns:
        raise MissingColumnError(
            "The sensor points have no 'sensor_id' column (the join key).",
            found=f"columns: {', '.join(map(str, points.columns))}",
            fix="use toolkit.places.sensor_points(data), or name the id column "
            "points.rename(columns={'id': 'sensor_id'}).",
        )
    if points.crs is None:
        raise CRSError(
            "The sensor points have no coordinate reference system (CRS).",
            found=f"coordinates like {_sample_xy(points)}",
            fix="points = points.set_crs('EPSG:4326') if they are longitude/latitude "
            "degrees (or the projected CRS they are in).",
        )
    return points


# ----------------------------------------------------------------- network geometry


def _projected(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return the graph in metres: as it is if projected, else in its UTM zone (osmnx)."""
    import osmnx as ox
    from pyproj import CRS

    crs = graph.graph.get("crs")
    if crs is None:
        raise CRSError(
            "The street network has no coordinate reference system (graph.graph['crs']).",
            fix="networks read by toolkit.places have one; for a hand-made graph set "
            "graph.graph['crs'] = 'EPSG:4326' (x = longitude, y = latitude) or the "
            "projected CRS of its x/y in metres.",
        )
    _require_edges(graph, "the street network")
    if CRS.from_user_input(crs).is_projected:
        return graph
    return ox.projection.project_graph(graph)


def _node_table(graph: nx.MultiDiGraph) -> tuple[list[Any], Any]:
    import numpy as np

    nodes = list(graph.nodes)
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes], dtype="float64")
    return nodes, xy


def snap_to_network(points: gpd.GeoDataFrame | SensorData, graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Snap every sensor to its nearest street-network node.

    Parameters
    ----------
    points
        Sensor points (from :func:`sensor_points`, any CRS), or a SensorData.
    graph
        An osmnx street network with ``graph.graph["crs"]``.

    Returns
    -------
    pandas.DataFrame
        One row per sensor: ``sensor_id``, ``node`` (nearest node id), ``snap_m``
        (straight-line distance from the sensor to that node [m]), ``outside`` (True when
        the sensor lies outside the bounding box of the network's nodes: its snap is
        suspect). Sensors without coordinates (``points.attrs["without_coordinates"]``)
        are listed last with no node and ``snap_m`` NaN.

    Raises
    ------
    CRSError
        The points or the graph have no CRS.
    OutsideNetworkError
        Every sensor lies outside the network's extent (wrong area, or swapped
        latitude/longitude).
    EmptyNetworkError
        The graph has no edges.

    Notes
    -----
    The graph is projected to UTM by ``osmnx.projection.project_graph`` and the points
    to the same CRS; the nearest node is found with shapely's ``STRtree.query_nearest``
    on those projected coordinates (Euclidean distance in metres). This is what
    ``osmnx.distance.nearest_nodes`` does on a projected graph, without its optional
    scipy dependency.
    """
    import numpy as np
    import pandas as pd

    points = _as_points(points)
    projected = _projected(graph)
    nodes, xy = _node_table(projected)
    pts = points.to_crs(projected.graph["crs"])
    node_index, snap = _nearest(xy, pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    outside = ~((px >= x0) & (px <= x1) & (py >= y0) & (py <= y1))
    if len(points) and outside.all():
        raise OutsideNetworkError(
            "No sensor lies within the street network's extent.",
            found=f"{len(points)} sensors; the nearest is {snap.min():,.0f} m from a node",
            fix="use the network of the sensors' area; check that latitude and longitude "
            "are not swapped, and that the points' CRS is right.",
        )
    snapped = pd.DataFrame(
        {
            "sensor_id": points["sensor_id"].astype("str").to_numpy(),
            "node": pd.Series([nodes[i] for i in node_index], dtype="object"),
            "snap_m": snap,
            "outside": outside,
        }
    )
    unplaced = points.attrs.get("without_coordinates", [])
    if unplaced:
        extra = pd.DataFrame(
            {"sensor_id": unplaced, "node": None, "snap_m": np.nan, "outside": pd.NA}
        )
        snapped = pd.concat([snapped.astype({"outside": "boolean"}), extra], ignore_index=True)
    return snapped


def _nearest(xy: Any, x: Any, y: Any) -> tuple[Any, Any]:
    """Index of the nearest row of ``xy`` to each (x, y), and the distance."""
    import numpy as np
    import shapely

    if len(x) == 0:
        return np.array([], dtype="int64"), np.array([], dtype="float64")
    tree = shapely.STRtree(shapely.points(xy))
    (which, index), distance = tree.query_nearest(
        shapely.points(x, y), return_distance=True, all_matches=False
    )
    order = np.argsort(which, kind="stable")
    return index[order], distance[order]


def _edge_line(graph: nx.MultiDiGraph, u: Any, v: Any, geometry: Any) -> Any:
    """Return the edge geometry, or a straight line between its nodes when it has none."""
    import shapely

    if geometry is not None:
        return geometry
    return shapely.LineString(
        [(graph.nodes[u]["x"], graph.nodes[u]["y"]), (graph.nodes[v]["x"], graph.nodes[v]["y"])]
    )


def catchments(
    graph: nx.MultiDiGraph,
    points: gpd.GeoDataFrame | SensorData,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """Find, for each sensor, the streets within walking distance along the network.

    Parameters
    ----------
    graph
        An osmnx street network (edge ``length`` in metres).
    points
        Sensor points or a SensorData (see :func:`snap_to_network`).
    distance_m
        Walking distance along the streets [m], default 500 m (about 6-7 minutes at
        1.3 m/s; a choice to state, not a standard).
    buffer_m
        Half-width of the band drawn around the reached streets [m], default 25 m.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per placed sensor: ``sensor_id``, ``node`` (its snapped node),
        ``snap_m``, ``distance_m`` (the limit used), ``nodes`` (frozenset of the node ids
        within ``distance_m``), ``n_nodes`` and the catchment polygon (EPSG:4326).

    Notes
    -----
    Distances are shortest paths (Dijkstra, ``networkx.single_source_dijkstra_path_length``
    with ``weight="length"`` and ``cutoff=distance_m``) measured **to** the sensor's
    nearest node, following edges in their direction (walk networks from
    :func:`network_from_xml` have both directions). The snap distance is not counted.
    The polygon is the union of the reached edges (both ends within ``distance_m``),
    drawn along their geometry and buffered by ``buffer_m``; unlike a convex hull it
    does not jump across rivers, rail lines or parks the streets go around. Streets
    only partly reached are left out, so the polygon is slightly conservative.
    """
    import geopandas as gpd
    import networkx as nx
    import shapely

    points = _as_points(points)
    snapped = snap_to_network(points, graph).dropna(subset=["snap_m"])
    projected = _projected(graph)
    reverse = projected.reverse(copy=False)
    rows, polygons = [], []
    for sensor_id, node, snap in snapped[["sensor_id", "node", "snap_m"]].itertuples(index=False):
        reached = nx.single_source_dijkstra_path_length(
            reverse, node, cutoff=distance_m, weight="length"
        )
        lines = [
            _edge_line(projected, u, v, geometry)
            for u, v, geometry in projected.subgraph(reached).edges(data="geometry")
        ]
        lines.append(shapely.Point(projected.nodes[node]["x"], projected.nodes[node]["y"]))
        polygons.append(shapely.union_all(lines).buffer(buffer_m))
        rows.append(
            {
                "sensor_id": sensor_id,
                "node": node,
                "snap_m": snap,
                "distance_m": float(distance_m),
                "nodes": frozenset(reached),
                "n_nodes": len(reached),
            }
        )
    columns = ["sensor_id", "node", "snap_m", "distance_m", "nodes", "n_nodes"]
    table = gpd.GeoDataFrame(
        rows or {c: [] for c in columns},
        columns=columns,
        geometry=polygons,
        crs=projected.graph["crs"],
    ).to_crs(WGS84)
    table.attrs["without_coordinates"] = list(points.attrs.get("without_coordinates", []))
    return table


def nearest_sensor(
    graph: nx.MultiDiGraph,
    points: gpd.GeoDataFrame | SensorData,
    *,
    method: str = "network",
) -> pd.DataFrame:
    """Find the nearest sensor to every node of the street network.

    Parameters
    ----------
    graph
        An osmnx street network.
    points
        Sensor points or a SensorData.
    method
        ``"network"`` (default): shortest path along the streets (multi-source Dijkstra,
        ``networkx.multi_source_dijkstra`` with ``weight="length"``) from the node to the
        nearest sensor's snapped node; the snap distance is not counted. ``"voronoi"``:
        straight-line distance to the sensor itself, which is the Voronoi (Thiessen)
        cell the node falls in; it ignores rivers and missing links.

    Returns
    -------
    pandas.DataFrame
        One row per node: ``node``, ``sensor_id`` (missing where no sensor can be reached),
        ``distance_m`` [m] (NaN where unreachable), ``method``.

    Notes
    -----
    When several sensors snap to one node, the node is credited to the first of them
    in ``sensor_id`` order. Ties between sensors go to whichever the algorithm meets
    first.
    """
    import networkx as nx
    import numpy as np
    import pandas as pd

    if method not in ("network", "voronoi"):
        raise ValueError(
            ToolkitError(
                "Unknown method of finding the nearest sensor.",
                found=repr(method),
                fix="use method='network' (along streets) or method='voronoi' (straight line).",
            ).message
        )
    points = _as_points(points)
    snapped = snap_to_network(points, graph).dropna(subset=["snap_m"])
    projected = _projected(graph)
    nodes, xy = _node_table(projected)
    if method == "voronoi":
        pts = points.to_crs(projected.graph["crs"])
        index, distance = _nearest(
            np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()]),
            xy[:, 0],
            xy[:, 1],
        )
        ids = points["sensor_id"].astype("str").to_numpy()[index]
        return pd.DataFrame(
            {"node": nodes, "sensor_id": ids, "distance_m": distance, "method": method}
        )
    owner = snapped.sort_values("sensor_id").drop_duplicates("node").set_index("node")["sensor_id"]
    distances, paths = nx.multi_source_dijkstra(
        projected.reverse(copy=False), set(owner.index), weight="length"
    )
    return pd.DataFrame(
        {
            "node": nodes,
            "sensor_id": [owner[paths[n][0]] if n in paths else None for n in nodes],
            "distance_m": [float(distances.get(n, np.nan)) for n in nodes],
            "method": method,
        }
    )
