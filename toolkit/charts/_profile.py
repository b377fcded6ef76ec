"""Profiles: the typical day (by local hour) or week (by weekday), with an uncertainty band."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..captions import caption as _caption
from ..captions import variable_label
from ._common import (
    MAX_SERIES,
    averaging_words,
    capital,
    choose_variable,
    clock_words,
    count_series,
    finish,
    flag_words,
    is_averaged,
    refuse_all_missing,
    rounded,
    series_encodings,
    steps_of,
    unit_of,
    with_unit,
    with_variable,
)

if TYPE_CHECKING:
    import altair as alt

    from ..sensordata import SensorData

__all__ = ["profile"]

_BY = ("hour", "weekday")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def profile(
    data: SensorData,
    *,
    variable: str | None = None,
    by: str = "hour",
    timezone: str = "local",
) -> alt.LayerChart:
    """Draw the typical day or week: the mean at each local hour or weekday, with its 95 % band.

    Parameters
    ----------
    data
        Readings as loaded or hourly averages; the profile is made by
        :func:`toolkit.timeseries.profile` from valid hourly values (75 % data capture)
        on each sensor's local clock.
    variable
        The variable to draw; the only one when ``None``.
    by
        ``"hour"`` (0-23, the daily cycle) or ``"weekday"`` (Monday to Sunday).
    timezone
        ``"local"`` (each sensor's own zone), ``"UTC"`` or an IANA name.

    Returns
    -------
    altair.LayerChart
        One line per sensor (colour and dash), or the pooled hourly values of all
        sensors when there are more than :data:`~toolkit.charts.MAX_SERIES`; the band is
        the 95 % confidence interval of the mean (normal approximation, hours taken as
        independent, so it is too narrow when they are not).

    Raises
    ------
    ValueError
        For another ``by``.
    NothingToDrawError
        For empty data, a variable that is absent, or all values missing.
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    from ..timeseries import average
    from ..timeseries import profile as make_profile

    if by not in _BY:
        msg = f"by must be 'hour' or 'weekday', not {by!r}."
        raise ValueError(msg)
    what = "profile"
    variable = choose_variable(data, variable, what)
    chosen = with_variable(data, variable)
    refuse_all_missing(chosen.readings["value"], what, variable_label(variable))
    pooled = count_series(chosen.readings) > MAX_SERIES
    hourly = chosen if is_averaged(chosen) else average(chosen, "1h", timezone=timezone)
    table = make_profile(hourly, by=by, timezone=timezone, pool_sensors=pooled)
    if table.empty:
        from ._common import NothingToDrawError

        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no hour had enough data.",
            found=f"{len(chosen.readings):,} readings, no valid hourly value",
            fix="Check the readings with toolkit.charts.timeseries(data, show_raw=True).",
        )
    unit = unit_of(variable)
    label = variable_label(variable)
    channel = table["channel"].fillna("") if "channel" in table.columns else ""
    frame = pd.DataFrame(
        {
            "series": (table["sensor_id"] + " " + channel).str.strip(),
            "x": table["hour"] if by == "hour" else table["weekday_name"].astype(str),
            "value": rounded(table["value"]),
            "low": rounded(table["ci95_low"]),
            "high": rounded(table["ci95_high"]),
            "hours": table["n_hours"].astype(int),
        }
    )
    zones = table.attrs.get("zones", {})
    clock = clock_words(zones.values())
    if by == "hour":
        x = alt.X(
            "x:Q",
            title=f"Hour of the day ({clock}; 0 = midnight to 1 am)",
            scale=alt.Scale(domain=[0, 23]),
            axis=alt.Axis(values=list(range(0, 24, 3))),
        )
    else:
        x = alt.X("x:O", sort=list(_WEEKDAYS), title=f"Day of the week ({clock})")
    statistic = "mean"
    y_title = with_unit(f"Mean of hourly {label}", unit)
    domain = sorted(frame["series"].unique())
    encodings = series_encodings(domain, "Sensor" if not pooled else "Sensors")
    tooltip = [
        alt.Tooltip("series:N", title="Sensor"),
        alt.Tooltip("x:N", title="Hour" if by == "hour" else "Day"),
        alt.Tooltip("value:Q", title=f"Mean ({unit})"),
        alt.Tooltip("low:Q", title="95 % interval, low"),
        alt.Tooltip("high:Q", title="95 % interval, high"),
        alt.Tooltip("hours:Q", title="Hourly values"),
    ]
    base = alt.Chart(frame)
    band = base.mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=encodings["color"]
    )
    lines = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title=y_title), tooltip=tooltip, **encodings
    )
    chart = alt.layer(band, lines).properties(width=560, height=280)
    if bool(np.isnan(frame["low"]).all()):
        chart = alt.layer(lines).properties(width=560, height=280)
    kind = "daily" if by == "hour" else "weekly"
    who = (
        f"all {count_series(chosen.readings)} sensors pooled"
        if pooled
        else (f"{len(domain)} sensors" if len(domain) > 1 else f"sensor {domain[0]}")
    )
    subtitle = [
        (
            f"Line: {statistic} of the valid hourly values at each "
            f"{'hour' if by == 'hour' else 'day'}; band: 95 % confidence interval of the mean "
            "(too narrow when hours are not independent)."
        )
    ]
    history = hourly.history
    description = (
        f"Line chart of the {kind} profile of {label} ({unit}) for {who}, on the {clock} "
        f"clock. {subtitle[0]} Made by toolkit.timeseries.profile from hourly values: "
        f"{averaging_words(history)} {flag_words(chosen)}"
    )
    return finish(
        chart,
        title=f"{capital(kind)} profile of {label}, {who}",
        subtitle=subtitle,
        description=description,
        caption=_caption(table, variable=variable),
        rules=[*steps_of(history), f"profile: {table.attrs.get('confidence', '')}"],
        choices={"by": by, "pooled": pooled},
    )
