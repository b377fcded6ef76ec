"""Time series: averaged values over time, raw readings behind them, guideline lines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..captions import caption as _caption
from ..captions import measure_label, period_words, variable_label
from ._common import (
    MAX_ROWS,
    MAX_SERIES,
    ChartSizeError,
    averaging_words,
    capital,
    choose_variable,
    clock_words,
    count_series,
    datetime_tooltip,
    finish,
    flag_words,
    is_averaged,
    min_coverage_of,
    period_start_ms,
    refuse_all_missing,
    refuse_no_valid,
    rounded,
    series_encodings,
    series_label,
    span_days,
    steps_of,
    unit_of,
    utc_axis,
    wall_clock_ms,
    with_unit,
    with_variable,
    zones_of,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import altair as alt
    import pandas as pd

    from ..sensordata import SensorData
    from ..standards import Guideline

__all__ = ["LADDER", "timeseries"]

#: Periods a time series may step up to when the one asked for gives too many points.
LADDER = ("1min", "5min", "10min", "15min", "30min", "1h", "day", "week", "month", "year")
_FLAGGED = "#D55E00"  # vermillion (Okabe–Ito)
_RAW = "#777777"


def timeseries(
    data: SensorData,
    *,
    variable: str | None = None,
    period: str = "1h",
    guideline: float | str | Guideline | None = None,
    sensors: str | Sequence[str] | None = None,
    timezone: str = "local",
    show_raw: bool = False,
) -> alt.LayerChart:
    """Draw averaged values over time, one line per sensor, with optional guideline line.

    Parameters
    ----------
    data
        Readings as loaded (averaged here with :func:`toolkit.timeseries.average`, which
        leaves out flagged readings and counts a period only with 75 % data capture), or
        averages made by it (drawn as they are).
    variable
        The variable to draw; the guideline's, or the only one, when ``None``.
    period
        Averaging period (``"10min"``, ``"1h"``, ``"day"``, ``"week"``, ``"month"``).
        When the data would give more than :data:`~toolkit.charts.MAX_ROWS` points,
        the next longer period of :data:`LADDER` is used, and the chart says so.
    guideline
        A horizontal line: a number (in the variable's unit), a guideline name
        (``"who_2021_pm25_24h"``, see ``toolkit.standards.list("guideline")``) or
        ``None``. The line's label says which averaging period the guideline is for:
        an hourly value above a 24-hour guideline is not an exceedance.
    sensors
        Sensor id or ids to draw; all when ``None``. More than
        :data:`~toolkit.charts.MAX_SERIES` series are drawn as their median with a band
        for the middle half (25th to 75th percentile).
    timezone
        ``"local"`` (each sensor's own zone: the axis shows local wall-clock time),
        ``"UTC"``, or an IANA name.
    show_raw
        Draw the readings behind the averages: as dots (flagged readings as crosses)
        when few enough, otherwise as a grey band from the lowest to the highest
        reading of each period.

    Returns
    -------
    altair.LayerChart
        With title, description (alt text), axis titles with units; the caption and
        rules are in ``chart.usermeta``.

    Raises
    ------
    NothingToDrawError
        For empty data, a variable that is absent, all values missing, or no period
        with enough data.
    ChartSizeError
        For averages given as they are that hold more than a chart can show.
    UnknownStandardError
        For an unknown guideline name.
    """
    import altair as alt
    import pandas as pd

    from .._periods import parse_period
    from ..timeseries import average

    what = "time series"
    line = _guideline(guideline, variable) if guideline is not None else None
    if variable is None and line is not None and line["variable"]:
        variable = line["variable"]
    variable = choose_variable(data, variable, what)
    if line is not None:
        line = _guideline(guideline, variable)
    chosen = with_variable(data, variable)
    if sensors is not None:
        chosen = chosen.select(sensors=sensors)
    label = variable_label(variable)
    refuse_all_missing(chosen.readings["value"], what, label)
    zones = zones_of(chosen, timezone)
    n_series = count_series(chosen.readings)
    has_channels = "channel" in chosen.readings.columns and chosen.readings["channel"].notna().any()
    kind = "series" if has_channels else "sensors"
    pooled = n_series > MAX_SERIES
    asked = parse_period(period).name
    if is_averaged(chosen):
        averaged = chosen
        used = str(chosen.readings["period"].iloc[0])
    else:
        budget = MAX_ROWS // 2 if show_raw else MAX_ROWS
        used = choose_period(chosen, asked, lines=1 if pooled else n_series, budget=budget)
        averaged = average(chosen, used, timezone=timezone)
    readings = averaged.readings
    min_coverage = min_coverage_of(averaged.history)
    refuse_no_valid(readings, what, period_words(used)[0], min_coverage)
    frame = _lines(readings, zones, pooled)
    if len(frame) > MAX_ROWS:
        raise ChartSizeError(
            "These averages hold more points than a chart can show.",
            found=f"{len(frame):,} points of {used} values (at most {MAX_ROWS:,})",
            fix="Pass the readings as loaded (the chart then averages them to a period it "
            "can show), or average to a longer period: toolkit.timeseries.average(data, "
            "'day').",
        )
    unit = unit_of(variable)
    measure = measure_label(variable, used)
    clock = clock_words(zones[s] for s in {str(x) for x in readings["sensor_id"].unique()})
    date_only = used in ("day", "week", "month", "year")
    x = utc_axis(
        "time",
        f"{'Date' if date_only else 'Time'} ({clock})",
        date_only=date_only,
        days=span_days(frame["time"]),
    )
    y_title = with_unit(capital(measure), unit)
    base = alt.Chart(frame)
    layers = []
    subtitle = []
    if pooled:
        band = base.mark_area(opacity=0.45, color="#56B4E9").encode(
            x=x,
            y=alt.Y("p25:Q", title=y_title),
            y2="p75:Q",
            tooltip=[
                datetime_tooltip("time", "Start"),
                alt.Tooltip("p25:Q", title="25th percentile"),
                alt.Tooltip("p75:Q", title="75th percentile"),
                alt.Tooltip("sensors:Q", title="Sensors with a value"),
            ],
        )
        middle = base.mark_line(color="#0072B2", invalid="break-paths-show-domains").encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            tooltip=[
                datetime_tooltip("time", "Start"),
                alt.Tooltip("value:Q", title=f"Median ({unit})"),
            ],
        )
        layers += [band, middle]
        subtitle.append(
            f"Line: median of {n_series} {kind}; band: their middle half (25th to 75th percentile)."
        )
    else:
        domain = sorted(frame["series"].dropna().unique())
        lines = base.mark_line(
            invalid="break-paths-show-domains", point=len(frame) <= 60 * len(domain)
        ).encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            **series_encodings(domain, "Sensor"),
            tooltip=[
                alt.Tooltip("series:N", title="Sensor"),
                datetime_tooltip("time", "Start"),
                alt.Tooltip("value:Q", title=f"{capital(measure)} ({unit})"),
                alt.Tooltip("coverage:Q", title="Data capture", format=".0%"),
            ],
        )
        layers.append(lines)
    if show_raw and not is_averaged(chosen):
        raw_layer, raw_words = _raw_layer(chosen, zones, used, pooled, len(frame), x, y_title)
        layers.insert(0, raw_layer)
        subtitle.append(raw_words)
    if line is not None:
        layers += _guideline_layers(line, unit)
        subtitle.append(f"Dashed line: {line['text']}.")
    choices: dict[str, Any] = {"period": used, "pooled": pooled}
    if used != asked and not is_averaged(chosen):
        subtitle.insert(
            0,
            f"{capital(period_words(asked)[0])} values would be too many points to show: "
            f"{period_words(used)[0]} values are shown.",
        )
        choices["period_asked"] = asked
    where = f"{n_series} {kind}" if n_series > 1 else f"sensor {frame['series'].iloc[0]}"
    times = pd.to_datetime(frame["time"].dropna(), unit="ms")
    description = (
        f"Line chart of {measure} ({unit}) for {where}, on the {clock} clock, from "
        f"{times.min():%d %B %Y} to {times.max():%d %B %Y}. {' '.join(subtitle)} "
        f"{averaging_words(averaged.history)} {flag_words(chosen)}"
    ).replace("  ", " ")
    text = _caption(averaged, variable=variable)
    if line is not None:
        text += f" The dashed line marks {line['text']}."
    chart = alt.layer(*layers).properties(width=640, height=280)
    return finish(
        chart,
        title=f"{capital(measure)}, {where}",
        subtitle=subtitle,
        description=description,
        caption=text,
        rules=steps_of(averaged.history),
        choices=choices,
    )


def choose_period(data: SensorData, asked: str, *, lines: int, budget: int) -> str:
    """Return the first period, from ``asked`` up the :data:`LADDER`, that fits the budget.

    The number of points is estimated as ``lines`` times the periods in the data's span.
    """
    from .._periods import parse_period

    first, last = data.period or (None, None)
    span_h = (last - first).total_seconds() / 3600 if first is not None else 0.0
    wanted = parse_period(asked)
    candidates = [wanted] + [
        p for p in map(parse_period, LADDER) if p.nominal_hours > wanted.nominal_hours
    ]
    for candidate in candidates:
        points = lines * (math.floor(span_h / candidate.nominal_hours) + 2)
        if points <= budget:
            return candidate.name
    return "year"


def _lines(readings: pd.DataFrame, zones: dict[str, str], pooled: bool) -> pd.DataFrame:
    """Return the points to draw: per series (with breaks at gaps) or pooled percentiles."""
    import numpy as np
    import pandas as pd

    valid = readings["valid"].astype(bool).to_numpy() & readings["value"].notna().to_numpy()
    start = wall_clock_ms(readings["time"], readings["sensor_id"], zones)
    # Without an "end" column (averages made by hand), no gaps are marked.
    length = (
        (readings["end"] - readings["time"]).dt.total_seconds().to_numpy() * 1000
        if "end" in readings.columns
        else np.full(len(readings), 1e15)
    )
    frame = pd.DataFrame(
        {
            "series": series_label(readings).to_numpy(),
            "time": start,
            "value": rounded(np.where(valid, readings["value"].to_numpy(dtype=float), np.nan)),
            "coverage": rounded(readings["coverage"], 2)
            if "coverage" in readings.columns
            else np.where(valid, 1.0, 0.0),
            "end": start + length.astype(np.int64),
        }
    )
    if pooled:
        ok = frame[~np.isnan(frame["value"])]
        groups = ok.groupby("time", sort=True)["value"]
        table = pd.DataFrame(
            {
                "value": groups.median(),
                "p25": groups.quantile(0.25),
                "p75": groups.quantile(0.75),
                "sensors": groups.size(),
            }
        ).reset_index()
        for column in ("value", "p25", "p75"):
            table[column] = rounded(table[column])
        return _break_gaps(table.assign(series="all", end=table["time"]), pooled=True)
    return _break_gaps(frame, pooled=False)


def _break_gaps(frame: pd.DataFrame, *, pooled: bool) -> pd.DataFrame:
    """Add an empty point after each period that the next one does not follow at once."""
    import numpy as np
    import pandas as pd

    frame = frame.sort_values(["series", "time"], kind="stable").reset_index(drop=True)
    same = frame["series"].to_numpy()[1:] == frame["series"].to_numpy()[:-1]
    times = frame["time"].to_numpy()
    if pooled:  # the step between periods: the most common one
        steps = np.diff(times)
        step = int(pd.Series(steps[steps > 0]).mode().iloc[0]) if (steps > 0).any() else 0
        ends = times[:-1] + step
        gap = same & (times[1:] > ends + step // 2) if step else np.zeros(len(same), bool)
    else:
        ends = frame["end"].to_numpy()[:-1]
        gap = same & (times[1:] > ends)
    where = np.flatnonzero(gap)
    if len(where):
        breaks = pd.DataFrame({"series": frame["series"].to_numpy()[where], "time": ends[where]})
        frame = pd.concat([frame, breaks], ignore_index=True)
        frame = frame.sort_values(["series", "time"], kind="stable").reset_index(drop=True)
    return frame.drop(columns=["end"])


def _raw_layer(
    data: SensorData,
    zones: dict[str, str],
    period: str,
    pooled: bool,
    n_lines: int,
    x: Any,
    y_title: str,
) -> tuple[Any, str]:
    """Draw readings as dots (few) or as a band of their range in each period (many)."""
    import altair as alt
    import numpy as np
    import pandas as pd

    readings = data.readings
    present = readings["value"].notna().to_numpy()
    if int(present.sum()) + n_lines <= MAX_ROWS:
        rows = readings[present]
        flagged = data.flagged.to_numpy()[present]
        frame = pd.DataFrame(
            {
                "series": series_label(rows).to_numpy(),
                "time": wall_clock_ms(rows["time"], rows["sensor_id"], zones),
                "value": rounded(rows["value"]),
                "reading": np.where(flagged, "flagged by a quality rule", "kept"),
            }
        )
        kinds = ["kept", "flagged by a quality rule"]
        layer = (
            alt.Chart(frame)
            .mark_point(size=14, filled=True, opacity=0.6)
            .encode(
                x=x,
                y=alt.Y("value:Q", title=y_title),
                shape=alt.Shape(
                    "reading:N", scale=alt.Scale(domain=kinds, range=["circle", "cross"])
                ),
                color=alt.Color(
                    "reading:N",
                    scale=alt.Scale(domain=kinds, range=[_RAW, _FLAGGED]),
                    title="Reading",
                ),
                tooltip=[
                    alt.Tooltip("series:N", title="Sensor"),
                    datetime_tooltip("time", "Time"),
                    alt.Tooltip("value:Q", title="Reading"),
                    alt.Tooltip("reading:N", title="Quality"),
                ],
            )
        )
        return layer, "Grey dots: readings; vermillion crosses: readings flagged by a rule."
    rows = readings[present]
    start = period_start_ms(wall_clock_ms(rows["time"], rows["sensor_id"], zones), period)
    keys: dict[str, Any] = {"time": start}
    if not pooled:
        keys["series"] = series_label(rows).to_numpy()
    grouped = pd.DataFrame({**keys, "value": rows["value"].to_numpy()}).groupby(list(keys))
    band = grouped["value"].agg(["min", "max"]).reset_index()
    band["min"], band["max"] = rounded(band["min"]), rounded(band["max"])
    layer = (
        alt.Chart(band)
        .mark_area(opacity=0.25, color=_RAW, line=False)
        .encode(
            x=x,
            y=alt.Y("min:Q", title=y_title),
            y2="max:Q",
            detail="series:N" if not pooled else alt.Undefined,
            tooltip=[
                datetime_tooltip("time", "Start"),
                alt.Tooltip("min:Q", title="Lowest reading"),
                alt.Tooltip("max:Q", title="Highest reading"),
            ],
        )
    )
    return layer, "Grey band: lowest to highest reading in each period (flagged ones too)."


def _guideline(guideline: Any, variable: str | None) -> dict[str, Any]:
    """Value, variable and words of a guideline line (a number or a guideline name)."""
    from .. import standards
    from ..units import conversion

    if isinstance(guideline, int | float) and not isinstance(guideline, bool):
        unit = unit_of(variable) if variable else ""
        return {
            "value": float(guideline),
            "variable": None,
            "text": f"a threshold of {float(guideline):g} {unit}".strip(),
            "label": f"{float(guideline):g} {unit}".strip(),
        }
    found = standards.get(guideline)
    if not isinstance(found, standards.Guideline):
        from .._errors import DataFormatError

        raise DataFormatError(
            f"{found.name!r} is an index, not a guideline: it has bands, not one line.",
            found=found.label,
            fix="Draw it with toolkit.charts.index_bands(data, standard=...), or give a "
            "guideline name such as 'who_2021_pm25_24h'.",
        )
    target = variable or found.variable
    factor = conversion(found.variable, found.unit).factor  # guideline unit -> canonical
    value = found.value * factor
    about = (
        ""
        if target == found.variable
        else f"; it is set for {variable_label(found.variable)}, drawn here for "
        f"{variable_label(target)}"
    )
    short = f"{found.title} ({found.version}) {found.level}"
    averaging = found.statistic
    return {
        "value": value,
        "variable": found.variable,
        "text": f"the {short}, {value:g} {unit_of(found.variable)} for the {averaging}{about}",
        "label": f"{short}: {value:g} {unit_of(found.variable)} ({averaging})",
    }


def _guideline_layers(line: dict[str, Any], unit: str) -> list[Any]:
    """Draw a dashed horizontal rule with its label."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"value": [line["value"]], "label": [line["label"]]})
    rule = (
        alt.Chart(frame)
        .mark_rule(color="#000000", strokeDash=[6, 4], strokeWidth=1.5)
        .encode(y="value:Q", tooltip=[alt.Tooltip("label:N", title="Guideline")])
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-3, fontSize=11, color="#000000")
        .encode(y="value:Q", x=alt.value(0), text="label:N")
    )
    return [rule, text]
