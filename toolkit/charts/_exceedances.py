"""Exceedances: per sensor, the periods above a guideline, below it, and not countable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..captions import caption as _caption
from ..captions import comparison_words, guideline_words, variable_label
from ._common import (
    GREY,
    OKABE_ITO,
    NothingToDrawError,
    capital,
    finish,
    refuse_all_missing,
    refuse_empty,
    steps_of,
)

if TYPE_CHECKING:
    import altair as alt

    from ..sensordata import SensorData
    from ..standards import Guideline, Standard

__all__ = ["SEGMENT_COLOURS", "exceedances"]

_ABOVE, _BELOW, _MISSING = "above", "at or below", "not enough data"
#: Segment -> colour: vermillion above, blue at or below, grey not countable.
SEGMENT_COLOURS = {_ABOVE: OKABE_ITO[5], _BELOW: OKABE_ITO[0], _MISSING: GREY}


def exceedances(
    data: SensorData,
    *,
    guideline: str | float | Guideline | Standard,
    variable: str | None = None,
    averaging: str | None = None,
    timezone: str = "local",
) -> alt.LayerChart:
    """Draw, per sensor and year, how many periods were above a guideline.

    Parameters
    ----------
    data
        Readings or averages; counted by :func:`toolkit.indices.exceedances` (averaged
        as the guideline says, a period counted with 75 % data capture).
    guideline
        A guideline name (``"who_2021_pm25_24h"``, ``"eu_2008_pm10_24h"``), a scale made
        with :func:`toolkit.standards.custom`, or a number (then ``variable`` and
        ``averaging`` are needed).
    variable, averaging, timezone
        As for :func:`toolkit.indices.exceedances`.

    Returns
    -------
    altair.LayerChart
        A bar per sensor (and year, and threshold): periods above (vermillion), at or
        below (blue) and without enough data (grey), each bar labelled "4 of 28 days";
        a line at the exceedances allowed per year, where the guideline sets some.

    Raises
    ------
    NothingToDrawError
        For empty data.
    DataFormatError, UnknownStandardError
        As :func:`toolkit.indices.exceedances` raises them.
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    from .. import indices

    what = "exceedance chart"
    refuse_empty(data, what)
    refuse_all_missing(data.readings["value"], what, "reading")
    table = indices.exceedances(
        data, guideline=guideline, variable=variable, averaging=averaging, timezone=timezone
    )
    if table.empty:
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no period could be counted.",
            found="an empty exceedance table",
            fix="Check the data's variables and period (data.summary()).",
        )
    row = table.iloc[0]
    measure, noun, plural = comparison_words(str(row["averaging"]))
    unit = str(row["unit"])
    label = table["sensor_id"].astype(str)
    if "channel" in table.columns:
        label = (
            label + " " + table["channel"].astype(str).where(table["channel"].notna(), "")
        ).str.strip()
    if table["year"].nunique() > 1:
        label = label + " " + table["year"].astype(str)
    thresholds = table["threshold"].nunique()
    if thresholds > 1:
        label = label + " > " + table["threshold"].map(lambda t: f"{t:g}") + f" {unit}"
    above = table["periods_above"].astype(int).to_numpy()
    valid = table["periods_valid"].astype(int).to_numpy()
    span = table["periods_in_span"].astype(int).to_numpy()
    segments = pd.DataFrame(
        {
            "bar": np.tile(label.to_numpy(), 3),
            "segment": np.repeat([_ABOVE, _BELOW, _MISSING], len(table)),
            "order": np.repeat([0, 1, 2], len(table)),
            "count": np.concatenate([above, valid - above, np.maximum(span - valid, 0)]),
        }
    )
    segments = segments[segments["count"] > 0]
    texts = pd.DataFrame(
        {
            "bar": label.to_numpy(),
            "total": span,
            "text": [f"{a:,} of {v:,} {plural}" for a, v in zip(above, valid, strict=True)],
        }
    )
    kinds = list(SEGMENT_COLOURS)
    x_scale = alt.Scale(domain=[0, float(span.max()) * 1.3], nice=False)
    y = alt.Y("bar:N", title="Sensor", sort=list(label))
    x_title = f"{plural.capitalize()} (count)"
    bars = (
        alt.Chart(segments)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            y=y,
            x=alt.X("sum(count):Q", title=x_title, stack="zero", scale=x_scale),
            color=alt.Color(
                "segment:N",
                scale=alt.Scale(domain=kinds, range=list(SEGMENT_COLOURS.values())),
                title=f"{measure.capitalize()} of {variable_label(str(row['variable']))}",
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("bar:N", title="Sensor"),
                alt.Tooltip("segment:N", title="Periods"),
                alt.Tooltip("count:Q", title=plural.capitalize()),
            ],
        )
    )
    labels = (
        alt.Chart(texts)
        .mark_text(align="left", dx=4, fontSize=11, color="#000000")
        .encode(y=y, x=alt.X("total:Q", title=x_title, scale=x_scale), text="text:N")
    )
    layers = [bars, labels]
    allowed = row.get("allowed")
    if table["threshold"].nunique() == 1:
        words = guideline_words(str(row["guideline_name"]), float(row["threshold"]), unit)
    else:
        words = f"the thresholds of {row['guideline_name']}"
    subtitle = [
        (
            f"Vermillion: above; blue: at or below; grey: not enough data to count. Text: "
            f"{plural} above, of those with enough data."
        )
    ]
    if allowed is not None and not (isinstance(allowed, float) and np.isnan(allowed)):
        rule = pd.DataFrame(
            {"allowed": [float(allowed)], "text": [f"{allowed:g} allowed per year"]}
        )
        layers.append(
            alt.Chart(rule)
            .mark_rule(color="#000000", strokeDash=[6, 4])
            .encode(x=alt.X("allowed:Q", title=x_title, scale=x_scale))
        )
        layers.append(
            alt.Chart(rule)
            .mark_text(align="left", baseline="top", dx=3, y=2, fontSize=10)
            .encode(x=alt.X("allowed:Q", title=x_title, scale=x_scale), text="text:N")
        )
        subtitle.append(f"Dashed line: {allowed:g} {plural} above allowed per calendar year.")
    chart = alt.layer(*layers).properties(width=520, height=max(60, 22 * len(texts)))
    parameters = table.attrs.get("parameters", {})
    share = float(parameters.get("min_coverage", 0.75)) * 100
    description = (
        f"Bar chart of {measure} {variable_label(str(row['variable']))} ({unit}) per sensor: "
        f"how many {plural} were above {words}. {' '.join(subtitle)} Counted by "
        f"toolkit.indices.exceedances: a {noun} counts with at least {share:.0f} % data "
        f"capture, and is above when its value is greater than the threshold."
    )
    history = table.attrs.get("history", data.history)
    return finish(
        chart,
        title=f"{capital(plural)} above {words}",
        subtitle=subtitle,
        description=description,
        caption=_caption(table),
        rules=steps_of(history),
        choices={"bars": len(texts)},
    )
