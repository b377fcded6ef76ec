"""An air-quality index over time, on its categories in their official colours, labelled.

Official index colours (the US AQI's green, yellow, orange, red...) are not safe for
colour-blind readers, but people know them from dashboards and news. They are kept as
published and never carry meaning alone: every band is named in text on the chart and
in the legend, and the points sit on the band they belong to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..captions import caption as _caption
from ._common import (
    DASHES,
    DAY_MS,
    LABEL_LIMIT,
    MAX_ROWS,
    MAX_SERIES,
    SHAPES,
    NothingToDrawError,
    clock_words,
    datetime_tooltip,
    finish,
    refuse_all_missing,
    refuse_empty,
    span_days,
    steps_of,
    utc_axis,
    wall_clock_ms,
    zones_of,
)

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from ..sensordata import SensorData
    from ..standards import Standard

__all__ = ["index_bands"]


def index_bands(
    data: SensorData,
    *,
    standard: str | Standard = "us_epa_2024",
    timezone: str = "local",
) -> alt.LayerChart:
    """Draw an air-quality index over time on its official, labelled category bands.

    Parameters
    ----------
    data
        Readings as loaded or averages: the index is made by
        :func:`toolkit.indices.aqi` (averaging as the standard says, 75 % data
        capture), or a result of it drawn as it is.
    standard
        ``"us_epa_2024"`` (default), ``"us_epa_2018"``, ``"eaqi_2024"``,
        ``"uk_daqi_2013"``, ``"in_naqi_2014"``, a scale made with
        :func:`toolkit.standards.custom`, or a ``Standard``.
    timezone
        Where local days begin: ``"local"``, ``"UTC"`` or an IANA name.

    Returns
    -------
    altair.LayerChart
        The overall index (the worst sub-index of each day, or hour) per sensor: points
        in the colour of their category, on background bands in the official colours,
        each band named in text on the chart and in the legend. With more than
        :data:`~toolkit.charts.MAX_SERIES` sensors (or too many points), the highest
        index of each period across sensors, with a grey line down to the lowest.

    Raises
    ------
    NothingToDrawError
        For empty data, or no period with enough data for an index.
    DataFormatError
        For data without any of the standard's pollutants, or a guideline given as the
        standard.
    """
    import altair as alt
    import pandas as pd

    from .. import indices
    from .. import standards as _standards

    what = "index chart"
    refuse_empty(data, what)
    refuse_all_missing(data.readings["value"], what, "reading")
    readings = data.readings
    if "pollutant" in readings.columns and "standard" in readings.columns:
        result = data  # an index made by toolkit.indices.aqi: its own standard
        steps = [s for s in data.history if s.name == "aqi" and "standard" in s.parameters]
        if steps:
            standard = steps[-1].parameters["standard"]
    else:
        result = indices.aqi(data, standard=standard, timezone=timezone)
    std = _standards.get(standard)
    rows = result.readings
    pollutants = {str(p) for p in rows["pollutant"].unique()}
    pollutant = "overall" if "overall" in pollutants else sorted(pollutants)[0]
    rows = rows[(rows["pollutant"] == pollutant) & rows["value"].notna()]
    if rows.empty:
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no period had enough data for "
            f"the {std.label}.",
            found=f"{len(result.readings):,} index rows, none with a value",
            fix="Look at the data capture with toolkit.charts.health(data); a day needs "
            "75 % of its hours.",
        )
    zones = zones_of(result, timezone)
    bands = _bands(std)
    label_of = {(b["category"], b["colour"]): b["label"] for b in bands}
    frame = pd.DataFrame(
        {
            "series": rows["sensor_id"].astype(str).to_numpy(),
            "time": wall_clock_ms(rows["time"], rows["sensor_id"], zones),
            "value": rows["value"].to_numpy(dtype=float),
            "band": _band_labels(rows, label_of),
            "category": rows["category"].astype(str).to_numpy(),
        }
    )
    period = str(rows["period"].iloc[0])
    n_sensors = frame["series"].nunique()
    pooled = n_sensors > MAX_SERIES or len(frame) > MAX_ROWS
    per = "day" if period == "day" else "hour"
    if pooled:
        frame, per = _pooled(frame)
    top = float(frame["value"].max())
    shown = [b for b in bands if b["low"] <= top or b is bands[0]]
    beyond = [b for b in shown if b["beyond"]]
    if beyond:
        beyond[0]["high"] = max(beyond[0]["low"] + 1, top * 1.05)
    shown = [b for b in shown if not b["beyond"] or b["label"] in set(frame["band"])]
    y_high = max(shown[-1]["high"], top)
    band_frame = pd.DataFrame(
        {
            "band": [b["label"] for b in shown],
            "low": [b["low"] for b in shown],
            "high": [min(b["high"], y_high) for b in shown],
        }
    )
    band_frame["middle"] = (band_frame["low"] + band_frame["high"]) / 2
    domain = [
        b["label"] for b in bands if b["label"] in set(band_frame["band"]) | set(frame["band"])
    ]
    colours = {b["label"]: b["colour"] for b in bands}
    colour = alt.Color(
        "band:N",
        scale=alt.Scale(domain=domain, range=[colours[d] for d in domain]),
        title=f"{std.title} category",
        legend=alt.Legend(
            symbolStrokeColor="#000000",
            symbolStrokeWidth=0.5,
            labelLimit=LABEL_LIMIT,
            titleLimit=LABEL_LIMIT,
        ),
    )
    y_title = f"{std.label} (index, no unit)"
    y_scale = alt.Scale(domain=[bands[0]["low"], y_high], nice=False)
    y = alt.Y("value:Q", title=y_title, scale=y_scale)
    clock = clock_words(zones.values())
    x = utc_axis(
        "time",
        f"{'Date' if per == 'day' else 'Time'} ({clock})",
        date_only=per == "day",
        days=span_days(frame["time"]),
    )
    background = (
        alt.Chart(band_frame)
        .mark_rect(opacity=0.35)
        .encode(
            x=alt.value(0),
            x2=alt.value("width"),
            y=alt.Y("low:Q", scale=y_scale, title=y_title),
            y2="high:Q",
            color=colour,
        )
    )
    labels = (
        alt.Chart(band_frame)
        .mark_text(align="left", baseline="middle", dx=4, fontSize=10, color="#222222")
        .encode(x=alt.value(0), y=alt.Y("middle:Q", scale=y_scale), text="band:N")
    )
    tooltip = [
        alt.Tooltip("series:N", title="Sensor"),
        datetime_tooltip("time", "Day" if per == "day" else "Hour"),
        alt.Tooltip("value:Q", title="Index"),
        alt.Tooltip("category:N", title="Category"),
    ]
    layers: list[Any] = [background, labels]
    base = alt.Chart(frame)
    if pooled:
        layers.append(
            base.mark_rule(color="#666666").encode(
                x=x, y=alt.Y("low:Q", scale=y_scale), y2="value:Q"
            )
        )
        layers.append(
            base.mark_point(filled=True, size=50, stroke="#000000", strokeWidth=0.7).encode(
                x=x, y=y, color=colour, tooltip=tooltip
            )
        )
        shown_what = (
            f"the highest index of the {n_sensors} sensors each {per}, with a grey line down "
            "to the lowest"
        )
    else:
        series = sorted(frame["series"].unique())
        dash = alt.StrokeDash(
            "series:N",
            scale=alt.Scale(domain=series, range=[list(d) for d in DASHES[: len(series)]]),
            title="Sensor",
            legend=None if len(series) == 1 else alt.Legend(),
        )
        shape = alt.Shape(
            "series:N",
            scale=alt.Scale(domain=series, range=list(SHAPES[: len(series)])),
            title="Sensor",
            legend=None if len(series) == 1 else alt.Legend(),
        )
        layers.append(
            base.mark_line(color="#333333", strokeWidth=1).encode(x=x, y=y, strokeDash=dash)
        )
        layers.append(
            base.mark_point(filled=True, size=55, stroke="#000000", strokeWidth=0.7).encode(
                x=x, y=y, color=colour, shape=shape, tooltip=tooltip
            )
        )
        shown_what = (
            f"the index of sensor {series[0]}"
            if len(series) == 1
            else f"the index of {len(series)} sensors (line dashes and point shapes)"
        )
    chart = alt.layer(*layers).properties(width=640, height=300)
    which = (
        "overall index (the worst sub-index)"
        if pollutant == "overall"
        else (f"{pollutant} sub-index")
    )
    subtitle = [
        (
            f"Points: {shown_what}; bands: the categories in their official colours, named on "
            "the left and in the legend."
        )
    ]
    aqi_steps = [s for s in result.history if s.name == "aqi"]
    how = (
        f"Index made by toolkit.indices.aqi: {aqi_steps[-1].description} "
        f"Source: {aqi_steps[-1].citation}"
        if aqi_steps
        else "Index values as given."
    )
    description = (
        f"Chart of the {'daily' if per == 'day' else 'hourly'} {which} of the {std.label} "
        f"over time, on the {clock} clock. {subtitle[0]} Categories shown: "
        f"{', '.join(band_frame['band'])}. {how}"
    )
    return finish(
        chart,
        title=f"{std.label}, {which}",
        subtitle=subtitle,
        description=description,
        caption=_caption(result),
        rules=steps_of(result.history),
        choices={"pooled": pooled, "per": per, "standard": std.name},
    )


def _bands(std: Standard) -> list[dict[str, Any]]:
    """Return the index scale's bands (first table), neighbours of one category merged."""
    import math

    table = std.tables[0]
    bands: list[dict[str, Any]] = []
    banded = std.kind != "interpolated"
    for band in table.bands:
        low = band.index_low - 0.5 if banded else band.index_low
        high = band.index_high + 0.5 if banded else band.index_high
        if bands and bands[-1]["category"] == band.category and bands[-1]["colour"] == band.colour:
            bands[-1]["high"] = high
            bands[-1]["index_high"] = band.index_high
            continue
        bands.append(
            {
                "category": band.category,
                "colour": band.colour,
                "low": low,
                "high": high,
                "index_low": band.index_low,
                "index_high": band.index_high,
                "beyond": False,
            }
        )
    for i, band in enumerate(bands):  # interpolated bands meet: 0-51, 51-101 ...
        if not banded and i + 1 < len(bands):
            band["high"] = bands[i + 1]["low"]
        if banded:
            numbers = (band["index_low"], band["index_high"])
            band["label"] = (
                f"{numbers[0]:g} {band['category']}"
                if numbers[0] == numbers[1]
                else f"{numbers[0]:g}-{numbers[1]:g} {band['category']}"
            )
        else:
            band["label"] = f"{band['category']} ({band['index_low']:g}-{band['index_high']:g})"
    if std.beyond_category:
        top = bands[-1]["high"]
        bands.append(
            {
                "category": std.beyond_category,
                "colour": std.beyond_colour or bands[-1]["colour"],
                "low": top,
                "high": top if math.isfinite(top) else 0.0,
                "beyond": True,
                "label": f"{std.beyond_category} (above {bands[-1]['index_high']:g})",
            }
        )
    return bands


def _band_labels(rows: pd.DataFrame, label_of: dict[tuple[str, str], str]) -> Any:
    """Return each row's band label, from its category and colour (once per pair)."""
    import pandas as pd

    key = rows["category"].astype(str) + "\x00" + rows["colour"].astype(str)
    labels = {k: label_of.get(tuple(k.split("\x00")), k.split("\x00")[0]) for k in key.unique()}
    return pd.Series(key).map(labels).to_numpy()


def _pooled(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Per period: the highest index across sensors (its row) and the lowest."""
    import pandas as pd

    per = "day"
    key = frame["time"]
    if frame["time"].nunique() > MAX_ROWS:  # hourly values over a long span: by day
        key = frame["time"] - frame["time"] % DAY_MS
    frame = frame.assign(key=key.to_numpy())
    highest = frame.loc[frame.groupby("key")["value"].idxmax()].copy()
    lowest = frame.groupby("key")["value"].min()
    highest["low"] = highest["key"].map(lowest).to_numpy()
    highest["time"] = highest["key"]
    if frame["time"].nunique() <= MAX_ROWS and (frame["time"] % DAY_MS).any():
        per = "hour"
    return pd.DataFrame(highest.drop(columns=["key"])).reset_index(drop=True), per
