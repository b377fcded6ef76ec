"""Distribution: how values spread, as a histogram and per-sensor percentiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..captions import format_number, measure_label, variable_label
from ._common import (
    MAX_ROWS,
    OKABE_ITO,
    capital,
    choose_variable,
    count_series,
    finish,
    flag_words,
    is_averaged,
    refuse_all_missing,
    rounded,
    series_label,
    steps_of,
    unit_of,
    with_unit,
    with_variable,
)

if TYPE_CHECKING:
    import altair as alt

    from ..sensordata import SensorData

__all__ = ["BINS", "MAX_SENSOR_ROWS", "TOP_SHARE", "distribution"]

#: Histogram bars.
BINS = 40
#: The histogram's range ends at this quantile; the rest are counted in the subtitle.
TOP_SHARE = 0.999
#: Sensors listed one per row below the histogram, at most.
MAX_SENSOR_ROWS = 30
_KEPT, _FLAGGED = "kept", "flagged by a quality rule"


def distribution(data: SensorData, *, variable: str | None = None) -> alt.VConcatChart:
    """Draw how values spread: a histogram, and each sensor's percentiles below it.

    Parameters
    ----------
    data
        Readings as loaded (every reading counts; those flagged by a quality rule are
        stacked in their own colour), or averages (their valid values).
    variable
        The variable to draw; the only one when ``None``.

    Returns
    -------
    altair.VConcatChart
        A histogram of :data:`BINS` bars from the lowest value to the 99.9th percentile
        (the values above it are counted in the subtitle, so that one spike does not
        squash the chart), and, for up to :data:`MAX_SENSOR_ROWS` sensors, a box per
        sensor: 25th to 75th percentile, a tick at the median, a line from the 5th to
        the 95th percentile.

    Raises
    ------
    NothingToDrawError
        For empty data, a variable that is absent, or all values missing.
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    what = "distribution"
    variable = choose_variable(data, variable, what)
    chosen = with_variable(data, variable)
    readings = chosen.readings
    label = variable_label(variable)
    refuse_all_missing(readings["value"], what, label)
    averaged = is_averaged(chosen)
    present = readings["value"].notna().to_numpy()
    if averaged:
        present = present & readings["valid"].astype(bool).to_numpy()
        period = str(readings["period"].iloc[0])
        measure = measure_label(variable, period)
        count_words = f"{period} values"
    else:
        measure = label
        count_words = "readings"
    values = readings["value"].to_numpy(dtype=float)[present]
    if not len(values):
        refuse_all_missing(pd.Series([np.nan]), what, label)
    flagged = chosen.flagged.to_numpy()[present]
    unit = unit_of(variable)
    low = float(values.min())
    high = float(np.quantile(values, TOP_SHARE)) if len(values) > 1000 else float(values.max())
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, BINS + 1)
    inside = values <= high
    n_above = int((~inside).sum())
    bins = np.clip(np.searchsorted(edges, values[inside], side="right") - 1, 0, BINS - 1)
    kept_counts = np.bincount(bins[~flagged[inside]], minlength=BINS)
    flagged_counts = np.bincount(bins[flagged[inside]], minlength=BINS)
    kinds = [_KEPT] + ([_FLAGGED] if flagged.any() else [])
    histogram = pd.DataFrame(
        {
            "start": np.tile(rounded(edges[:-1], 4), len(kinds)),
            "end": np.tile(rounded(edges[1:], 4), len(kinds)),
            "count": np.concatenate([kept_counts, flagged_counts][: len(kinds)]),
            "reading": np.repeat(kinds, BINS),
        }
    )
    histogram = histogram[histogram["count"] > 0]
    x_title = with_unit(capital(measure), unit)
    colour = alt.Color(
        "reading:N",
        scale=alt.Scale(domain=kinds, range=[OKABE_ITO[0], OKABE_ITO[5]][: len(kinds)]),
        title="Reading" if not averaged else "Value",
        legend=None if len(kinds) == 1 else alt.Legend(),
    )
    bars = (
        alt.Chart(histogram)
        .mark_bar(stroke="white", strokeWidth=0.3)
        .encode(
            x=alt.X("start:Q", title=x_title, scale=alt.Scale(domain=[low, high], nice=False)),
            x2="end:Q",
            y=alt.Y("sum(count):Q", title=f"{capital(count_words)} (count)", stack="zero"),
            color=colour,
            order=alt.Order("reading:N", sort="descending"),
            tooltip=[
                alt.Tooltip("start:Q", title=f"From ({unit})"),
                alt.Tooltip("end:Q", title=f"To ({unit})"),
                alt.Tooltip("reading:N", title="Reading"),
                alt.Tooltip("count:Q", title="Count"),
            ],
        )
        .properties(width=560, height=220)
    )
    subtitle = [f"{len(values):,} {count_words} in {BINS} bars."]
    if flagged.any():
        subtitle.append(f"Vermillion: {int(flagged.sum()):,} flagged by quality rules.")
    if n_above:
        subtitle.append(
            f"{n_above:,} values above {format_number(high)} {unit} (the top "
            f"{(1 - TOP_SHARE) * 100:.1f} %) are not drawn; the highest is "
            f"{format_number(float(values.max()))} {unit}."
        )
    rows = readings[present]
    sensors = count_series(rows)
    charts = [bars]
    if sensors <= MAX_SENSOR_ROWS:
        table = _percentiles(rows)
        table = table[(table["p95"] >= low) | (table["p5"] <= high)]
        y = alt.Y("series:N", sort=alt.EncodingSortField("p50", order="descending"), title="Sensor")
        scale = alt.Scale(domain=[low, high], nice=False, clamp=True)
        base = alt.Chart(table).encode(
            y=y,
            tooltip=[
                alt.Tooltip("series:N", title="Sensor"),
                *[
                    alt.Tooltip(f"{p}:Q", title=f"{name} ({unit})")
                    for p, name in (
                        ("p5", "5th percentile"),
                        ("p25", "25th percentile"),
                        ("p50", "Median"),
                        ("p75", "75th percentile"),
                        ("p95", "95th percentile"),
                    )
                ],
                alt.Tooltip("n:Q", title=capital(count_words)),
            ],
        )
        whisker = base.mark_rule(color="#333333").encode(
            x=alt.X("p5:Q", scale=scale, title=x_title), x2="p95:Q"
        )
        box = base.mark_bar(color=OKABE_ITO[4], size=12).encode(
            x=alt.X("p25:Q", scale=scale, title=x_title), x2="p75:Q"
        )
        median = base.mark_tick(color="#000000", thickness=2, size=14).encode(
            x=alt.X("p50:Q", scale=scale, title=x_title)
        )
        charts.append(
            alt.layer(whisker, box, median).properties(width=560, height=18 * len(table) + 20)
        )
        subtitle.append(
            "Below: per sensor, box from the 25th to the 75th percentile, tick at the "
            "median, line from the 5th to the 95th percentile."
        )
    else:
        subtitle.append(
            f"{sensors} sensors are too many to list; choose some with data.select(sensors=[...])."
        )
    median_all = float(np.median(values))
    p25, p75 = np.quantile(values, [0.25, 0.75])
    caption = (
        f"Half of the {len(values):,} {count_words} of {label} lay between "
        f"{format_number(p25)} and {format_number(p75)} {unit} (median "
        f"{format_number(median_all)} {unit}); the highest was "
        f"{format_number(float(values.max()))} {unit}."
    )
    if flagged.any():
        n_flagged = int(flagged.sum())
        one = n_flagged == 1
        caption += (
            f" {n_flagged:,} of them {'was' if one else 'were'} flagged by quality rules and "
            f"{'is' if one else 'are'} counted in {'its' if one else 'their'} own colour."
        )
    description = (
        f"Histogram of {measure} ({unit}) from {sensors} sensor(s): how many {count_words} "
        f"fall in each of {BINS} equal bars from {format_number(low)} to "
        f"{format_number(high)} {unit}. "
        f"{' '.join(subtitle[1:])} Percentiles by linear interpolation (numpy's default). "
        f"{flag_words(chosen)}"
    )
    chart = alt.vconcat(*charts).resolve_scale(x="shared") if len(charts) > 1 else charts[0]
    if len(charts) == 1:
        chart = alt.vconcat(bars)
    return finish(
        chart,
        title=f"Distribution of {measure}",
        subtitle=subtitle,
        description=description,
        caption=caption,
        rules=steps_of(chosen.history),
        choices={
            "bins": BINS,
            "top_share": TOP_SHARE,
            "listed_sensors": sensors <= MAX_SENSOR_ROWS,
        },
    )


def _percentiles(rows: object) -> object:
    """5th, 25th, 50th, 75th and 95th percentiles of each series (linear interpolation)."""
    import pandas as pd

    frame = pd.DataFrame(
        {"series": series_label(rows).to_numpy(), "value": rows["value"].to_numpy()}
    )
    groups = frame.groupby("series")["value"]
    table = groups.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    table.columns = ["p5", "p25", "p50", "p75", "p95"]
    table["n"] = groups.size()
    table = table.reset_index()
    for column in ("p5", "p25", "p50", "p75", "p95"):
        table[column] = rounded(table[column])
    return table.head(MAX_ROWS)
