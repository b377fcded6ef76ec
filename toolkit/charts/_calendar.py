"""Calendar heatmap: one cell per local day, coloured by its daily mean, any span of years."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..captions import caption as _caption
from ..captions import measure_label, variable_label
from ._common import (
    DAY_MS,
    GREY,
    MAX_ROWS,
    SEQUENTIAL,
    averaging_words,
    capital,
    choose_variable,
    clock_words,
    count_series,
    finish,
    flag_words,
    is_averaged,
    min_coverage_of,
    refuse_all_missing,
    refuse_no_valid,
    rounded,
    steps_of,
    unit_of,
    wall_clock_ms,
    with_unit,
    with_variable,
    zones_of,
)
from ._lines import _guideline

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from ..sensordata import SensorData
    from ..standards import Guideline

__all__ = ["calendar"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# 1 January 2001 was a Monday: weeks of every year are drawn on 2001's calendar, so that
# the rows of all years line up under the same month labels.
_REFERENCE_YEAR_MS = 978_307_200_000


def calendar(
    data: SensorData,
    *,
    variable: str | None = None,
    guideline: float | str | Guideline | None = None,
    timezone: str = "local",
) -> alt.FacetChart | alt.LayerChart:
    """Draw daily means as a calendar: a row of weeks (Monday to Sunday) for each year.

    Parameters
    ----------
    data
        Readings as loaded (averaged into local days with
        :func:`toolkit.timeseries.average`: hours first, a day valid with 75 % of its
        hours) or daily averages made by it.
    variable
        The variable to draw; the guideline's, or the only one, when ``None``.
    guideline
        A number, a guideline name (``"who_2021_pm25_24h"``) or ``None``: days above it
        are outlined, and the caption counts them with
        :func:`toolkit.indices.exceedances`.
    timezone
        ``"local"`` (each sensor's own days), ``"UTC"`` or an IANA name.

    Returns
    -------
    altair.FacetChart or altair.LayerChart
        Colour (viridis) is the daily mean; with several sensors, the median of their
        daily means. Grey cells are days with readings but not enough data. Spans
        longer than :data:`~toolkit.charts.MAX_ROWS` days show monthly means (year x
        month) instead, and say so.

    Raises
    ------
    NothingToDrawError
        For empty data, a variable that is absent, all values missing, or no day with
        enough data.
    """
    import altair as alt
    import pandas as pd

    from .._errors import DataFormatError
    from ..timeseries import average

    what = "calendar"
    line = _guideline(guideline, variable) if guideline is not None else None
    if variable is None and line is not None and line["variable"]:
        variable = line["variable"]
    variable = choose_variable(data, variable, what)
    if line is not None:
        line = _guideline(guideline, variable)
    chosen = with_variable(data, variable)
    refuse_all_missing(chosen.readings["value"], what, variable_label(variable))
    zones = zones_of(chosen, timezone)
    if is_averaged(chosen):
        periods = sorted({str(p) for p in chosen.readings["period"].unique()})
        if periods not in (["day"], ["month"]):
            raise DataFormatError(
                "A calendar needs daily values.",
                found=f"averages over {', '.join(periods)}",
                fix="Pass the readings as loaded, or toolkit.timeseries.average(data, 'day').",
            )
        daily, period = chosen, periods[0]
    else:
        first, last = chosen.period
        period = "day" if (last - first).days + 2 <= MAX_ROWS else "month"
        daily = average(chosen, period, timezone=timezone)
    readings = daily.readings
    min_coverage = min_coverage_of(daily.history)
    refuse_no_valid(readings, what, "daily" if period == "day" else "monthly", min_coverage)
    unit = unit_of(variable)
    measure = measure_label(variable, period)
    n_sensors = count_series(readings)
    frame = _cells(readings, zones)
    threshold = line["value"] if line is not None else None
    frame["above"] = frame["value"] > threshold if threshold is not None else False
    clock = clock_words(zones.values())
    of_what = f"median of {n_sensors} sensors' {measure}" if n_sensors > 1 else measure
    colour = alt.Color(
        "value:Q",
        scale=alt.Scale(scheme=SEQUENTIAL),
        title=with_unit(capital(of_what if n_sensors == 1 else measure), unit),
    )
    tooltip = [
        alt.Tooltip("date:T", title="Day", format="%a %d %b %Y", formatType="utc"),
        alt.Tooltip("value:Q", title=f"{capital(of_what)} ({unit})"),
        alt.Tooltip("sensors:Q", title="Sensors with enough data"),
    ]
    subtitle = [
        (
            f"Colour: {of_what} ({unit}); grey: readings, but not enough data "
            f"(less than {min_coverage * 100:.0f} % of the hours)."
        )
    ]
    if period == "day":
        chart = _week_rows(frame, colour, tooltip, threshold is not None)
        layout = "a row of weeks (Monday to Sunday) for each year"
    else:
        chart = _month_grid(frame, colour, tooltip, threshold is not None)
        layout = "years by months"
        subtitle.insert(0, "Too many days to show one cell each: monthly means are shown.")
    text = _caption(daily, variable=variable)
    if line is not None:
        subtitle.append(
            f"Outlined: {'months' if period == 'month' else 'days'} above {line['text']}."
        )
        text = _exceedance_caption(daily, guideline, variable, period) or (
            text + f" Outlined cells are above {line['text']}."
        )
    days = pd.to_datetime(frame["date"], unit="ms")
    description = (
        f"Calendar heatmap of {of_what} ({unit}), {layout}, local days on the {clock} "
        f"clock, from {days.min():%d %B %Y} to {days.max():%d %B %Y}. "
        f"{' '.join(subtitle)} {averaging_words(daily.history)} {flag_words(chosen)}"
    )
    return finish(
        chart,
        title=f"{capital(of_what)}, calendar",
        subtitle=subtitle,
        description=description,
        caption=text,
        rules=steps_of(daily.history),
        choices={"period": period, "sensors": int(n_sensors), "cells": len(frame)},
    )


def _cells(readings: pd.DataFrame, zones: dict[str, str]) -> pd.DataFrame:
    """One row per local date: the median of the sensors' valid values, or none."""
    import numpy as np
    import pandas as pd

    valid = readings["valid"].astype(bool).to_numpy() & readings["value"].notna().to_numpy()
    date = wall_clock_ms(readings["time"], readings["sensor_id"], zones)
    date = date - date % DAY_MS  # midnight of the local date (a day starts at 00:00)
    frame = pd.DataFrame({"date": date, "value": np.where(valid, readings["value"], np.nan)})
    groups = frame.groupby("date", sort=True)["value"]
    cells = pd.DataFrame({"value": groups.median(), "sensors": groups.count()}).reset_index()
    cells["value"] = rounded(cells["value"])
    stamps = pd.to_datetime(cells["date"], unit="ms")
    weekday = stamps.dt.day_of_week.to_numpy()
    jan1 = stamps.dt.to_period("Y").dt.start_time
    first_monday = jan1 - pd.to_timedelta(jan1.dt.day_of_week, unit="D")
    week = ((stamps - first_monday).dt.days // 7).to_numpy()
    cells["year"] = stamps.dt.year.to_numpy()
    cells["month"] = stamps.dt.month.to_numpy()
    cells["weekday"] = np.array(_WEEKDAYS)[weekday]
    cells["week"] = _REFERENCE_YEAR_MS + week * 7 * DAY_MS
    cells["week_end"] = cells["week"] + 7 * DAY_MS
    return cells


def _week_rows(frame: pd.DataFrame, colour: Any, tooltip: list[Any], outline: bool) -> Any:
    import altair as alt

    base = alt.Chart().encode(
        x=alt.X(
            "week:T",
            scale=alt.Scale(type="utc"),
            axis=alt.Axis(
                title="Month (weeks from Monday)",
                format="%b",
                tickCount={"interval": "month", "step": 1},
            ),
        ),
        x2="week_end:T",
        y=alt.Y("weekday:O", sort=list(_WEEKDAYS), title="Day of the week"),
        tooltip=tooltip,
    )
    layers = [
        base.mark_rect(color=GREY, stroke="white", strokeWidth=0.5),
        base.mark_rect(stroke="white", strokeWidth=0.5)
        .encode(color=colour)
        .transform_filter("isValid(datum.value)"),
    ]
    if outline:
        layers.append(
            base.mark_rect(fill=None, stroke="#000000", strokeWidth=1.5).transform_filter(
                "datum.above"
            )
        )
    years = frame["year"].nunique()
    weeks = (frame["week"].max() - frame["week"].min()) // (7 * DAY_MS) + 1
    width = int(min(700, max(200, 14 * weeks)))
    layered = alt.layer(*layers, data=frame).properties(width=width, height=120)
    if years == 1:
        return layered
    return layered.facet(row=alt.Row("year:O", title=None, header=alt.Header(labelAngle=0)))


def _month_grid(frame: pd.DataFrame, colour: Any, tooltip: list[Any], outline: bool) -> Any:
    import altair as alt

    frame = frame.assign(month_name=[_MONTHS[m - 1] for m in frame["month"]])
    base = alt.Chart(frame).encode(
        x=alt.X("month_name:O", sort=list(_MONTHS), title="Month"),
        y=alt.Y("year:O", title="Year"),
        tooltip=tooltip,
    )
    layers = [
        base.mark_rect(color=GREY),
        base.mark_rect().encode(color=colour).transform_filter("isValid(datum.value)"),
    ]
    if outline:
        layers.append(
            base.mark_rect(fill=None, stroke="#000000", strokeWidth=1.5).transform_filter(
                "datum.above"
            )
        )
    return alt.layer(*layers).properties(width=480)


def _exceedance_caption(
    daily: SensorData, guideline: Any, variable: str, period: str
) -> str | None:
    """Return the caption of :func:`toolkit.indices.exceedances` for daily means, or None."""
    from .. import standards
    from ..indices import exceedances

    if period != "day":
        return None
    if isinstance(guideline, int | float) and not isinstance(guideline, bool):
        table = exceedances(daily, guideline=float(guideline), variable=variable, averaging="24h")
    else:
        found = standards.get(guideline)
        if getattr(found, "averaging", None) != "24h":
            return None
        table = exceedances(daily, guideline=found, variable=variable)
    return _caption(table)
