"""Scatter: a sensor against a reference monitor (or another sensor), with fit and 1:1 lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..captions import format_number, period_words, variable_label
from ._common import (
    LABEL_LIMIT,
    MAX_ROWS,
    MAX_SERIES,
    OKABE_ITO,
    SEQUENTIAL,
    SHAPES,
    NothingToDrawError,
    averaging_words,
    capital,
    choose_variable,
    finish,
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
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["GRID", "scatter"]

#: Bins per axis when there are too many pairs to draw one point each.
GRID = 40
_PERIODS = ("1h", "day")


def scatter(
    data: SensorData,
    reference: SensorData | None = None,
    *,
    variable: str | None = None,
    reference_variable: str | None = None,
    period: str = "1h",
    timezone: str = "local",
) -> alt.LayerChart:
    """Draw a sensor's averages against a reference's, with the fitted line and the 1:1 line.

    Parameters
    ----------
    data
        The sensor(s): readings or hourly/daily averages. Every sensor with
        ``variable`` is paired with the reference.
    reference
        The reference monitor's readings or averages (one sensor with
        ``reference_variable``). When ``None``, ``data`` must hold exactly two series of
        ``variable``: two sensors (the second in the readings goes on the x axis)
        or one PurpleAir with channels A and B (B on the x axis).
    variable
        The sensor's variable; the only one when ``None``.
    reference_variable
        The reference's variable; ``variable`` by default.
    period
        ``"1h"`` (default) or ``"day"``: pairs of averages made by
        :func:`toolkit.timeseries.average` and paired by
        :func:`toolkit.evaluation.pair` (both valid, same period start).
    timezone
        Whose hours and days (``"local"``, ``"UTC"`` or an IANA name).

    Returns
    -------
    altair.LayerChart
        Points (one per pair, coloured per sensor), or, above
        :data:`~toolkit.charts.MAX_ROWS` pairs, a :data:`GRID` x :data:`GRID` heatmap of
        how many pairs fall in each cell; the least-squares line (sensor on the y axis,
        reference on the x axis, as US EPA's sensor evaluations do) and the dashed 1:1
        line.

    Raises
    ------
    NothingToDrawError
        For empty data, no pairs, or not exactly two series when ``reference`` is None.
    """
    import altair as alt
    import pandas as pd

    from ..corrections import as_averages
    from ..evaluation import EvaluationError, _line, pair

    what = "scatter chart"
    variable = choose_variable(data, variable, what)
    chosen = with_variable(data, variable)
    refuse_all_missing(chosen.readings["value"], what, variable_label(variable))
    averaged, used = as_averages(chosen, period, timezone=timezone, allowed=_PERIODS)
    series = _series_of(averaged.readings)
    if reference is None:
        if len(series) != 2:
            raise NothingToDrawError(
                f"A {what} without a reference needs exactly two series to compare.",
                found=f"{len(series)} series of {variable}: "
                + ", ".join(" ".join(s for s in key if s) for key in series[:6]),
                fix="Give the reference: scatter(data, reference), or choose two sensors "
                "with data.select(sensors=[...]).",
            )
        reference_variable = reference_variable or variable
        x_key = series[1]
        x_data = _one_series(averaged, x_key)
        y_keys = [series[0]]
    else:
        reference_variable = reference_variable or (
            variable if variable in reference.variables else None
        )
        reference_variable = choose_variable(reference, reference_variable, what)
        ref_chosen = with_variable(reference, reference_variable)
        ref_averaged, _ = as_averages(ref_chosen, used, timezone=timezone, allowed=_PERIODS)
        ref_series = _series_of(ref_averaged.readings)
        if len(ref_series) != 1:
            raise NothingToDrawError(
                f"The reference should be one monitor; it has {len(ref_series)} series of "
                f"{reference_variable}.",
                found=", ".join(" ".join(s for s in key if s) for key in ref_series[:6]),
                fix="Choose one: reference.select(sensors=['...']).",
            )
        x_key = ref_series[0]
        x_data = _one_series(ref_averaged, x_key)
        y_keys = series
    x_name = " ".join(s for s in x_key if s)
    frames = []
    dropped = 0
    for sensor, channel in y_keys:  # one pairing per sensor (and channel), not per reading
        pairs = pair(
            averaged,
            x_data,
            variable=variable,
            reference_variable=reference_variable,
            sensor=sensor,
            reference_sensor=x_key[0],
            channel=channel or None,
            period=used,
            timezone=timezone,
        )
        dropped += sum(pairs.attrs.get("dropped", {}).values())
        frames.append(
            pd.DataFrame(
                {
                    "series": " ".join(s for s in (sensor, channel) if s),
                    "x": pairs["reference"].to_numpy(),
                    "y": pairs["sensor"].to_numpy(),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    adjective = period_words(used)[0]
    if frame.empty:
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no {adjective} values of the two "
            "series had enough data at the same time.",
            found=f"{dropped:,} {period_words(used)[2]} without a valid pair",
            fix="Check that the two overlap in time, and their data capture "
            "(toolkit.charts.health).",
        )
    unit = unit_of(variable)
    y_names = sorted(frame["series"].unique())
    y_name = y_names[0] if len(y_names) == 1 else f"{len(y_names)} sensors"
    try:
        fit: dict[str, float] | None = _line(frame["x"], frame["y"])
    except EvaluationError:
        fit = None
    low = float(min(0.0, frame["x"].min(), frame["y"].min()))
    high = float(max(frame["x"].max(), frame["y"].max()))
    high = high if high > low else low + 1.0
    scale = alt.Scale(domain=[low, high], nice=False)
    x_title = with_unit(
        f"{capital(adjective)} mean {variable_label(reference_variable)}, {x_name}", unit
    )
    y_title = with_unit(f"{capital(adjective)} mean {variable_label(variable)}, {y_name}", unit)
    layers: list[Any] = []
    binned = len(frame) > MAX_ROWS
    if binned:
        layers.append(_heatmap(frame, low, high, scale, x_title, y_title))
        shown = (
            f"a {GRID} x {GRID} grid coloured by how many of the {len(frame):,} pairs "
            "fall in each cell"
        )
    else:
        points = alt.Chart(frame.assign(x=rounded(frame["x"]), y=rounded(frame["y"])))
        tooltip = [
            alt.Tooltip("series:N", title="Sensor"),
            alt.Tooltip("x:Q", title=f"{x_name} ({unit})"),
            alt.Tooltip("y:Q", title=f"Sensor ({unit})"),
        ]
        if len(y_names) <= MAX_SERIES:
            encodings = series_encodings(y_names, "Sensor")
            shapes = alt.Shape(
                "series:N",
                scale=alt.Scale(domain=y_names, range=list(SHAPES[: len(y_names)])),
                title="Sensor",
            )
            mark = points.mark_point(filled=True, size=22, opacity=0.6).encode(
                color=encodings["color"], shape=shapes
            )
        else:
            mark = points.mark_point(filled=True, size=16, opacity=0.4, color=OKABE_ITO[0])
        layers.append(
            mark.encode(
                x=alt.X("x:Q", scale=scale, title=x_title),
                y=alt.Y("y:Q", scale=scale, title=y_title),
                tooltip=tooltip,
            )
        )
        shown = f"one point per pair ({len(frame):,} pairs)"
    lines = [{"x": low, "y": low, "line": "1:1 line (sensor = reference)"}]
    lines.append({"x": high, "y": high, "line": "1:1 line (sensor = reference)"})
    fit_words = "too few pairs, or no spread, to fit a line"
    if fit is not None:
        fit_words = (
            f"y = {fit['slope']:.2f} x {'+' if fit['intercept'] >= 0 else '-'} "
            f"{abs(fit['intercept']):.2f} {unit}, R² = {fit['r2']:.2f}"
        )
        name = f"least-squares fit: {fit_words}"
        lines.append({"x": low, "y": fit["intercept"] + fit["slope"] * low, "line": name})
        lines.append({"x": high, "y": fit["intercept"] + fit["slope"] * high, "line": name})
    line_frame = pd.DataFrame(lines)
    kinds = list(dict.fromkeys(line_frame["line"]))
    layers.append(
        alt.Chart(line_frame)
        .mark_line(clip=True)
        .encode(
            x=alt.X("x:Q", scale=scale, title=x_title),
            y=alt.Y("y:Q", scale=scale, title=y_title),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=kinds, range=["#777777", "#000000"][: len(kinds)]),
                title="Lines",
                legend=alt.Legend(labelLimit=LABEL_LIMIT),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=kinds, range=[[6, 4], [1, 0]][: len(kinds)]),
                title="Lines",
                legend=alt.Legend(labelLimit=LABEL_LIMIT),
            ),
        )
    )
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent", strokeDash="independent", shape="independent")
        .properties(width=380, height=380)
    )
    subtitle = [
        f"{capital(shown)}; black line: {fit_words}; dashed: the 1:1 line.",
    ]
    how = (
        f"Pairs by toolkit.evaluation.pair: {adjective} averages of both with enough data at "
        f"the same period start ({dropped:,} periods without a valid pair). Line by "
        f"ordinary least squares, sensor (y) on reference (x), as in US EPA's sensor "
        f"performance protocols (EPA/600/R-20/280)."
    )
    description = (
        f"Scatter chart of {adjective} mean {variable_label(variable)} ({unit}) at {y_name} "
        f"(y axis) against {variable_label(reference_variable)} at {x_name} (x axis). "
        f"{subtitle[0]} {how} {averaging_words(averaged.history)}"
    )
    if fit is None:
        caption = (
            f"There are too few {adjective} pairs ({len(frame):,}) of {y_name} and {x_name} "
            "to fit a line; at least 3 with some spread are needed."
        )
    else:
        caption = (
            f"{capital(adjective)} {variable_label(variable)} at {y_name} against "
            f"{x_name}: slope {fit['slope']:.2f}, intercept {format_number(fit['intercept'])} "
            f"{unit} and R² {fit['r2']:.2f} over {len(frame):,} pairs (least squares, the "
            f"sensor on the y axis). A perfect match would lie on the dashed 1:1 line."
        )
    return finish(
        chart,
        title=f"{capital(variable_label(variable))} at {y_name} against {x_name}",
        subtitle=subtitle,
        description=description,
        caption=caption,
        rules=steps_of(averaged.history),
        choices={"period": used, "binned": binned, "pairs": len(frame)},
    )


def _series_of(readings: pd.DataFrame) -> list[tuple[str, str]]:
    """(sensor, channel) of each series, in order of first appearance ("" for none)."""
    channel = (
        readings["channel"].astype(str).where(readings["channel"].notna(), "")
        if "channel" in readings.columns
        else None
    )
    sensor = readings["sensor_id"].astype(str)
    keys = sensor if channel is None else sensor + "\x00" + channel
    out = []
    for key in keys.drop_duplicates():  # a loop over series, not readings
        name, _, chan = key.partition("\x00")
        out.append((name, chan))
    return out


def _one_series(averaged: SensorData, key: tuple[str, str]) -> SensorData:
    """One series of averages, without its channel column (so it can be a reference)."""
    from ..history import Step

    readings = averaged.readings
    mask = readings["sensor_id"].astype(str) == key[0]
    if "channel" in readings.columns:
        mask &= readings["channel"].astype(str).where(readings["channel"].notna(), "") == key[1]
        readings = readings.drop(columns=["channel"])
    kept = readings[mask].reset_index(drop=True)
    step = Step(
        name="select",
        description=f"Kept the series {' '.join(s for s in key if s)} as the comparison.",
        parameters={"sensor": key[0], "channel": key[1] or None},
        touched=int((~mask).sum()),
    )
    return averaged.replace(readings=kept, step=step)


def _heatmap(
    frame: pd.DataFrame, low: float, high: float, scale: Any, x_title: str, y_title: str
) -> Any:
    """Count pairs in a GRID x GRID grid (for too many pairs to draw one by one)."""
    import altair as alt
    import numpy as np
    import pandas as pd

    edges = np.linspace(low, high, GRID + 1)
    xi = np.clip(np.searchsorted(edges, frame["x"].to_numpy(), side="right") - 1, 0, GRID - 1)
    yi = np.clip(np.searchsorted(edges, frame["y"].to_numpy(), side="right") - 1, 0, GRID - 1)
    counts = np.bincount(xi * GRID + yi, minlength=GRID * GRID)
    cell = np.flatnonzero(counts)
    grid = pd.DataFrame(
        {
            "x": rounded(edges[cell // GRID]),
            "x2": rounded(edges[cell // GRID + 1]),
            "y": rounded(edges[cell % GRID]),
            "y2": rounded(edges[cell % GRID + 1]),
            "pairs": counts[cell],
        }
    )
    return (
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X("x:Q", scale=scale, title=x_title),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=scale, title=y_title),
            y2="y2:Q",
            color=alt.Color(
                "pairs:Q",
                scale=alt.Scale(scheme=SEQUENTIAL, type="log"),
                title="Pairs (count, log scale)",
            ),
            tooltip=[alt.Tooltip("pairs:Q", title="Pairs")],
        )
    )
