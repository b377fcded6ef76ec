"""Sensor map: sensors over neighbourhoods and streets, drawn offline (no map tiles).

Web maps fetch their background "tiles" from a server; this map needs none. It draws
the outlines it is given (neighbourhoods as GeoJSON or a GeoDataFrame, streets as
GeoJSON, a GeoDataFrame, an osmnx graph or an OpenStreetMap XML file) in a Mercator
projection, with the sensors on top. Street lines are simplified until the chart stays
small (:data:`MAX_STREET_POINTS` coordinates), and the caption counts the sensors in
each neighbourhood, naming those with none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import MissingColumnError
from ._common import (
    MAX_SERIES,
    OKABE_ITO,
    SHAPES,
    NothingToDrawError,
    finish,
)

if TYPE_CHECKING:
    import altair as alt

    from ..sensordata import SensorData

__all__ = ["MAX_STREET_POINTS", "sensor_map"]

#: Street coordinates a map embeds at most (they are simplified down to it).
MAX_STREET_POINTS = 20_000
_DIGITS = 5  # decimal degrees kept: about 1 m
_NAME_COLUMNS = ("name", "neighbourhood", "neighbourhood_id", "id")


def sensor_map(
    data: SensorData,
    *,
    neighbourhoods: Any = None,
    streets: Any = None,
    fill: str | Any = None,
    fill_title: str | None = None,
) -> alt.LayerChart:
    """Draw where the sensors are, over neighbourhoods and streets, without map tiles.

    Parameters
    ----------
    data
        Any ``SensorData``: its ``sensors`` table gives positions (``latitude``,
        ``longitude``, WGS 84) and ``source``.
    neighbourhoods
        Areas to draw and count sensors in: a GeoDataFrame, a GeoJSON file path or a
        GeoJSON dict (FeatureCollection), or ``None``. A ``name`` (or
        ``neighbourhood_id``) property labels each.
    streets
        Lines to draw: a GeoDataFrame, a GeoJSON path or dict, an osmnx graph, or an
        OpenStreetMap XML file (``.osm``, ``.osm.gz``, ``.osm.bz2``; read with osmnx),
        or ``None``.
    fill
        Colour the neighbourhoods by a number (a choropleth, viridis scale): the name
        of a property of the neighbourhoods, or a mapping / Series from each
        neighbourhood's label (its ``name`` or ``neighbourhood_id``) to a value, for
        example ``coverage.set_index("name")["sensors_per_10k"]`` from
        :func:`toolkit.equity.coverage`. Grey when ``None``.
    fill_title
        Legend title for ``fill``, with its unit (for example "sensors per 10,000
        residents"); the property name when ``None``.

    Returns
    -------
    altair.LayerChart
        Sensors as points, coloured and shaped by source (Okabe–Ito colours); the caption
        says how many sensors each neighbourhood has and names those with none.

    Raises
    ------
    NothingToDrawError
        When no sensor has a position.
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    what = "sensor map"
    sensors = data.sensors
    has_position = sensors["latitude"].notna() & sensors["longitude"].notna()
    if sensors.empty or not has_position.any():
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no sensor has a position.",
            found=f"{len(sensors)} sensors, {int(has_position.sum())} with latitude and longitude",
            fix="Add positions to data.sensors (latitude, longitude in degrees, WGS 84).",
        )
    placed = sensors[has_position]
    source = placed["source"].fillna("unknown").astype(str) if "source" in placed else "unknown"
    points = pd.DataFrame(
        {
            "sensor": placed["sensor_id"].astype(str).to_numpy(),
            "name": placed["name"].fillna("").astype(str).to_numpy() if "name" in placed else "",
            "source": np.asarray(source),
            "longitude": np.round(placed["longitude"].to_numpy(dtype=float), _DIGITS),
            "latitude": np.round(placed["latitude"].to_numpy(dtype=float), _DIGITS),
        }
    )
    sources = sorted(points["source"].unique())
    if len(sources) > MAX_SERIES:  # rare: many sources share the last colour
        keep = set(sources[: MAX_SERIES - 1])
        points["source"] = points["source"].where(points["source"].isin(keep), "other")
        sources = [*sorted(keep), "other"]
    projection = "mercator"
    layers: list[Any] = []
    subtitle = []
    areas = _features(neighbourhoods) if neighbourhoods is not None else None
    counts_words = ""
    if areas:
        name_key = _name_key(areas)
        if fill is None:
            shapes = alt.Chart(alt.Data(values=areas)).mark_geoshape(
                fill="#F2F2F2", stroke="#888888", strokeWidth=1
            )
        else:
            title = fill_title or (fill if isinstance(fill, str) else "value")
            shapes = (
                alt.Chart(alt.Data(values=_with_fill(areas, fill, name_key)))
                .mark_geoshape(stroke="#888888", strokeWidth=1)
                .encode(
                    color=alt.Color(
                        "properties._fill:Q", title=title, scale=alt.Scale(scheme="viridis")
                    ),
                    tooltip=[alt.Tooltip("properties._fill:Q", title=title)],
                )
            )
            subtitle.append(f"Neighbourhoods coloured by {title} (darker: lower).")
        layers.append(shapes.project(type=projection))
        labels = _labels(areas, name_key)
        counts_words = _count_words(areas, name_key, points)
        if labels is not None:
            layers.append(
                alt.Chart(labels)
                .mark_text(fontSize=10, color="#555555", fontStyle="italic")
                .encode(longitude="longitude:Q", latitude="latitude:Q", text="label:N")
                .project(type=projection)
            )
        subtitle.append(
            f"{'Grey areas' if fill is None else 'Areas'}: {len(areas)} neighbourhoods."
        )
    lines = _street_lines(streets) if streets is not None else None
    if lines:
        layers.append(
            alt.Chart(alt.Data(values=lines))
            .mark_geoshape(filled=False, stroke="#AAAAAA", strokeWidth=0.6)
            .project(type=projection)
        )
        subtitle.append("Thin grey lines: streets.")
    shape_scale = alt.Scale(domain=sources, range=list(SHAPES[: len(sources)]))
    colour_scale = alt.Scale(domain=sources, range=list(OKABE_ITO[: len(sources)]))
    layers.append(
        alt.Chart(points)
        .mark_point(filled=True, size=70, stroke="#000000", strokeWidth=0.6, opacity=0.9)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            color=alt.Color("source:N", scale=colour_scale, title="Source"),
            shape=alt.Shape("source:N", scale=shape_scale, title="Source"),
            tooltip=[
                alt.Tooltip("sensor:N", title="Sensor"),
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("latitude:Q", title="Latitude (°N)"),
                alt.Tooltip("longitude:Q", title="Longitude (°E)"),
            ],
        )
        .project(type=projection)
    )
    subtitle.insert(0, f"Points: {len(points)} sensors, colour and shape by source.")
    chart = alt.layer(*layers).properties(width=560, height=480)
    missing = len(sensors) - len(points)
    caption = f"{len(points)} sensors from {len(sources)} source{'s' if len(sources) != 1 else ''}"
    caption += f" ({', '.join(sources)})" + (
        f"; {missing} more {'has' if missing == 1 else 'have'} no position." if missing else "."
    )
    if counts_words:
        caption += f" {counts_words}"
    description = (
        f"Map of {len(points)} sensor positions (latitude and longitude in degrees, WGS 84, "
        f"Mercator projection, no background tiles). {' '.join(subtitle)} "
        f"Sources: {', '.join(sources)}."
    )
    return finish(
        chart,
        title=f"Where the {len(points)} sensors are",
        subtitle=subtitle,
        description=description,
        caption=caption,
        rules=[],
        choices={"street_points": _coordinates(lines) if lines else 0},
    )


def _features(obj: Any) -> list[dict[str, Any]]:
    """GeoJSON features (WGS 84) from a GeoDataFrame, a GeoJSON dict or a file path."""
    import json

    if isinstance(obj, str | Path):
        obj = json.loads(Path(obj).read_text(encoding="utf-8"))
    if hasattr(obj, "to_crs") and hasattr(obj, "geometry"):  # a GeoDataFrame
        frame = obj.to_crs(4326) if obj.crs is not None else obj
        obj = json.loads(frame.to_json(drop_id=True))
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features", [])
    elif isinstance(obj, dict) and obj.get("type") == "Feature":
        features = [obj]
    else:
        raise NothingToDrawError(
            "Cannot read these shapes for the map.",
            found=type(obj).__name__,
            fix="Give a GeoDataFrame, a GeoJSON file path or a GeoJSON FeatureCollection.",
        )
    return [_rounded_feature(f) for f in features]


def _rounded_feature(feature: dict[str, Any]) -> dict[str, Any]:
    """Round a feature's coordinates to about a metre (smaller charts)."""
    import shapely
    from shapely.geometry import mapping, shape

    geometry = shapely.set_precision(shape(feature["geometry"]), 10.0**-_DIGITS)
    return {
        "type": "Feature",
        "properties": dict(feature.get("properties") or {}),
        "geometry": mapping(geometry),
    }


def _with_fill(features: list[dict[str, Any]], fill: Any, key: str | None) -> list[dict]:
    """Copy the features with a ``_fill`` property: a named property, or a value by label."""
    names = sorted({k for f in features for k in f.get("properties", {})})
    if isinstance(fill, str):
        if not all(fill in f.get("properties", {}) for f in features):
            raise MissingColumnError(
                f"The neighbourhoods have no property {fill!r} to colour them by.",
                found=f"properties {', '.join(names)}",
                fix="Name one of them, or give a mapping from each neighbourhood's name to a "
                "value, e.g. fill=coverage.set_index('name')['sensors_per_10k'].",
            )
        values = [f["properties"][fill] for f in features]
    else:
        lookup = dict(fill.items()) if hasattr(fill, "items") else dict(fill)
        labels = [str(f.get("properties", {}).get(key, "")) for f in features]
        missing = [label for label in labels if label not in {str(k) for k in lookup}]
        if key is None or missing:
            raise MissingColumnError(
                "Some neighbourhoods have no value to colour them by.",
                found=f"no value for {', '.join(missing[:5]) or 'any (they have no name)'}",
                fix="Give a value for every neighbourhood, keyed by its name or neighbourhood_id.",
            )
        by_label = {str(k): v for k, v in lookup.items()}
        values = [by_label[label] for label in labels]
    return [
        {**f, "properties": {**f.get("properties", {}), "_fill": float(v)}}
        for f, v in zip(features, values, strict=True)
    ]


def _name_key(features: list[dict[str, Any]]) -> str | None:
    properties = features[0].get("properties", {}) if features else {}
    return next((k for k in _NAME_COLUMNS if k in properties), None)


def _labels(features: list[dict[str, Any]], key: str | None) -> Any:
    """One label per area, at a point inside it."""
    import pandas as pd
    from shapely.geometry import shape

    if key is None:
        return None
    inside = [shape(f["geometry"]).representative_point() for f in features]
    return pd.DataFrame(
        {
            "label": [str(f["properties"].get(key, "")) for f in features],
            "longitude": [round(p.x, _DIGITS) for p in inside],
            "latitude": [round(p.y, _DIGITS) for p in inside],
        }
    )


def _count_words(features: list[dict[str, Any]], key: str | None, points: Any) -> str:
    """Count the sensors in each area, and name the areas that have none."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    x = points["longitude"].to_numpy(dtype=float)
    y = points["latitude"].to_numpy(dtype=float)
    counts = []
    for feature in features:  # a loop over areas, not readings
        area = shape(feature["geometry"])
        counts.append(int(np.sum(shapely.contains_xy(area, x, y))))
    names = [
        str(f["properties"].get(key, i + 1)) if key else str(i + 1) for i, f in enumerate(features)
    ]
    empty = [n for n, c in zip(names, counts, strict=True) if c == 0]
    outside = len(points) - sum(counts)
    text = f"Sensors per neighbourhood: from {min(counts)} to {max(counts)}; " if counts else ""
    if empty:
        text += f"{len(empty)} of {len(features)} have none ({', '.join(empty)})"
    else:
        text += f"every one of the {len(features)} has at least one"
    if outside > 0:
        text += f"; {outside} sensors lie outside them"
    return text + "."


def _street_lines(obj: Any) -> list[dict[str, Any]]:
    """Street lines as GeoJSON features: merged, simplified to a size a chart can hold."""
    import shapely
    from shapely.geometry import mapping, shape

    geometries: list[Any]
    if _is_graph(obj) or (isinstance(obj, str | Path) and ".osm" in Path(obj).name):
        geometries = _osm_lines(obj)
    else:
        geometries = [shape(f["geometry"]) for f in _features(obj)]
    lines = [g for g in geometries if g.geom_type in ("LineString", "MultiLineString")]
    if not lines:
        return []
    merged = shapely.line_merge(shapely.union_all(lines))
    tolerance = 10.0**-_DIGITS
    simple = merged
    while shapely.get_num_coordinates(simple) > MAX_STREET_POINTS and tolerance < 0.01:
        tolerance *= 2
        simple = shapely.simplify(merged, tolerance, preserve_topology=False)
    simple = shapely.set_precision(simple, 10.0**-_DIGITS)
    parts = shapely.get_parts(simple)
    return [{"type": "Feature", "properties": {}, "geometry": mapping(p)} for p in parts]


def _is_graph(obj: Any) -> bool:
    return hasattr(obj, "edges") and hasattr(obj, "nodes") and hasattr(obj, "graph")


def _osm_lines(obj: Any) -> list[Any]:
    """Street geometries of an osmnx graph, or of an OSM XML file read with osmnx."""
    import osmnx

    graph = obj if _is_graph(obj) else osmnx.graph_from_xml(Path(obj))
    edges = osmnx.graph_to_gdfs(graph, nodes=False)
    return list(edges.to_crs(4326).geometry) if edges.crs is not None else list(edges.geometry)


def _coordinates(features: list[dict[str, Any]]) -> int:
    import shapely
    from shapely.geometry import shape

    return int(sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in features))
