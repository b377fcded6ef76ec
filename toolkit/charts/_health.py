"""Health heatmap: each sensor's days, good, to check, poor or without data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..captions import caption as _caption
from ._common import (
    DAY_MS,
    MAX_ROWS,
    clock_words,
    finish,
    flag_words,
    refuse_all_missing,
    refuse_empty,
    span_days,
    steps_of,
    utc_axis,
    zones_of,
)

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["STATUS_COLOURS", "STATUS_MARKS", "health"]

#: Status -> colour: Okabe–Ito blue, orange and vermillion, and a light grey.
STATUS_COLOURS = {"good": "#0072B2", "check": "#E69F00", "poor": "#D55E00", "no data": "#DDDDDD"}
#: Status -> the text drawn in its cells (a second cue besides colour).
STATUS_MARKS = {"good": "", "check": "?", "poor": "x", "no data": ""}
_ORDER = tuple(STATUS_COLOURS)
_MAX_TEXT_CELLS = 1500  # cells small enough to carry their mark readably


def health(data: SensorData, *, timezone: str = "local") -> alt.LayerChart:
    """Draw a sensor x day heatmap of :func:`toolkit.quality.health` statuses.

    Parameters
    ----------
    data
        Readings, checked by :mod:`toolkit.quality` or not (then only completeness
        counts).
    timezone
        Whose days: ``"local"`` (each sensor's own), ``"UTC"`` or an IANA name.

    Returns
    -------
    altair.LayerChart
        One cell per sensor and local day, coloured by status (blue good, orange
        check, vermillion poor, grey no data) and marked "?" (check) or "x" (poor) as
        well. With more than :data:`~toolkit.charts.MAX_ROWS` cells, one cell per
        sensor and week (or month) shows the worst status of its days, and the chart
        says so.

    Raises
    ------
    NothingToDrawError
        For empty data or all values missing.
    """
    import altair as alt

    from ..quality import health as make_health

    what = "health chart"
    refuse_empty(data, what)
    refuse_all_missing(data.readings["value"], what, "reading")
    zones = zones_of(data, timezone)
    table = make_health(data, timezone=timezone)
    frame = table_frame(table)
    unit = "day"
    if len(frame) > MAX_ROWS:
        daily = frame
        frame, unit = _coarser(daily, "week")
        if len(frame) > MAX_ROWS:
            frame, unit = _coarser(daily, "month")
    frame["mark"] = frame["status"].map(STATUS_MARKS)
    colour = alt.Color(
        "status:N",
        scale=alt.Scale(domain=list(_ORDER), range=list(STATUS_COLOURS.values())),
        title="Status" if unit == "day" else f"Worst day of the {unit}",
    )
    clock = clock_words(zones.values())
    x = utc_axis(
        "day",
        f"{'Day' if unit == 'day' else unit.capitalize()} ({clock})",
        date_only=True,
        days=span_days(frame["day"]) if unit == "day" else 99.0,
    )
    y = alt.Y("sensor:N", title="Sensor", sort="ascending")
    tooltip = [
        alt.Tooltip("sensor:N", title="Sensor"),
        alt.Tooltip("day:T", title=unit.capitalize(), format="%d %b %Y", formatType="utc"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("completeness:Q", title="Completeness", format=".0%"),
        alt.Tooltip("flagged:Q", title="Flagged", format=".0%"),
        alt.Tooltip("rules:N", title="Rules that flagged most"),
    ]
    base = alt.Chart(frame)
    layers = [
        base.mark_rect(stroke="white", strokeWidth=0.5).encode(
            x=x, x2="end:T", y=y, color=colour, tooltip=tooltip
        )
    ]
    if len(frame) <= _MAX_TEXT_CELLS:
        layers.append(
            base.transform_calculate(middle="(datum.day + datum.end) / 2")
            .mark_text(fontSize=10, color="#000000")
            .encode(x=alt.X("middle:T", scale=alt.Scale(type="utc")), y=y, text="mark:N")
        )
    n_sensors = frame["sensor"].nunique()
    chart = alt.layer(*layers).properties(width=640, height=max(60, 16 * n_sensors))
    subtitle = [
        (
            "Blue: good; orange with '?': check; vermillion with 'x': poor; grey: no data "
            "(statuses of toolkit.quality.health)."
        )
    ]
    if unit != "day":
        subtitle.insert(
            0, f"Too many sensor-days to show one by one: the worst day of each {unit}."
        )
    description = (
        f"Heatmap of {n_sensors} sensors (rows) by {unit} (columns, {clock} days). "
        f"{' '.join(subtitle)} Completeness is readings over those expected from each "
        f"sensor's cadence; a good day has at least 75 % of them and at most 5 % flagged, "
        f"a poor day under 50 % or more than 25 % flagged (toolkit.quality.health; 75 % "
        f"as in Directive 2008/50/EC Annex VII). {flag_words(data)}"
    )
    return finish(
        chart,
        title=f"Sensor health by {unit}, {n_sensors} sensor{'s' if n_sensors != 1 else ''}",
        subtitle=subtitle,
        description=description,
        caption=_caption(table),
        rules=steps_of(data.history),
        choices={"cell": unit},
    )


def table_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return the health table in the chart's columns (one row per sensor and day)."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {
            "sensor": table["sensor_id"].astype(str),
            "day": pd.DatetimeIndex(table["day"]).as_unit("ms").asi8,
            "status": table["status"].astype(str),
            "completeness": np.round(table["completeness"].astype(float), 2),
            "flagged": np.round(table["share_flagged"].astype(float), 2),
            "rules": table["top_rules"].astype(str),
        }
    )
    frame["end"] = frame["day"] + DAY_MS
    return frame


def _coarser(frame: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, str]:
    """One row per sensor and week (from Monday) or month: the worst status of its days."""
    import numpy as np
    import pandas as pd

    days = pd.to_datetime(frame["day"], unit="ms")
    if unit == "week":
        start = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
        end = start + pd.Timedelta(days=7)
    else:
        start = days.dt.to_period("M").dt.start_time
        end = start + pd.DateOffset(months=1)
    rank = {"good": 0, "check": 1, "poor": 2, "no data": 3}
    order = np.array(_ORDER)
    work = frame.assign(
        start=pd.DatetimeIndex(start).as_unit("ms").asi8,
        stop=pd.DatetimeIndex(end).as_unit("ms").asi8,
        rank=frame["status"].map(rank).to_numpy(),
    )
    # "no data" counts as worst only when every day of the period has none.
    work["rank"] = np.where(work["rank"] == 3, -1, work["rank"])
    groups = work.groupby(["sensor", "start"], sort=True)
    out = groups.agg(
        stop=("stop", "first"),
        rank=("rank", "max"),
        completeness=("completeness", "mean"),
        flagged=("flagged", "mean"),
    ).reset_index()
    out["status"] = np.where(out["rank"] < 0, "no data", order[np.maximum(out["rank"], 0)])
    return (
        pd.DataFrame(
            {
                "sensor": out["sensor"],
                "day": out["start"],
                "status": out["status"],
                "completeness": np.round(out["completeness"], 2),
                "flagged": np.round(out["flagged"], 2),
                "rules": "",
                "end": out["stop"],
            }
        ),
        unit,
    )
