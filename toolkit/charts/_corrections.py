"""Corrections side by side: what each published correction does to the mean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..captions import caption as _caption
from ..captions import period_words, variable_label
from ._common import (
    OKABE_ITO,
    NothingToDrawError,
    finish,
    refuse_all_missing,
    refuse_empty,
    rounded,
    steps_of,
    with_unit,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import altair as alt

    from ..corrections import Correction
    from ..sensordata import SensorData

__all__ = ["corrections"]

_RAW, _CORRECTED = "raw input", "corrected"


def corrections(
    data: SensorData,
    *,
    corrections: Sequence[str | Correction] = ("epa_2021", "epa_smoke"),
    period: str | None = None,
    timezone: str = "local",
) -> alt.LayerChart:
    """Draw each correction's mean before and after, from :func:`toolkit.corrections.compare`.

    Parameters
    ----------
    data
        Readings or hourly/daily averages of the sensors to correct (PurpleAir
        ``pm25_cf1``/``pm25_atm`` with ``humidity`` for the EPA corrections).
    corrections
        Keys of :data:`toolkit.corrections.CORRECTIONS` (default: EPA's US-wide 2021
        correction and its extension for smoke).
    period, timezone
        As for :func:`toolkit.corrections.compare` (``"1h"`` for readings by default).

    Returns
    -------
    altair.LayerChart
        One row per correction: a hollow circle at the mean of the raw input and a filled
        one at the mean of the corrected values, over the same sensor-periods, joined by
        a line, with how many got a corrected value written beside it.

    Raises
    ------
    NothingToDrawError
        For empty data, or when no correction gave any value (the notes say why).
    UnknownCorrectionError
        For an unknown correction.
    """
    import altair as alt
    import numpy as np
    import pandas as pd

    from ..corrections import compare
    from ..corrections import get as get_correction

    what = "corrections chart"
    refuse_empty(data, what)
    refuse_all_missing(data.readings["value"], what, "reading")
    chosen = [get_correction(c) for c in corrections]
    table = compare(data, chosen, period=period, timezone=timezone)
    done = table["corrected"].fillna(0).astype(int) > 0
    if not done.any():
        notes = "; ".join(n for n in table["note"] if n) or "no input value could be corrected"
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no correction gave a value.",
            found=notes,
            fix="Corrections need their input (e.g. PurpleAir pm25_cf1) and humidity, from "
            "sensors of the maker they were made for; see toolkit.corrections.table().",
        )
    units = {c.name: _unit(c.output) for c in chosen}
    rows = table[done].reset_index(drop=True)
    long = pd.DataFrame(
        {
            "correction": np.tile(rows["correction"].to_numpy(), 2),
            "value": rounded(np.concatenate([rows["raw_mean"], rows["mean"]])),
            "kind": np.repeat([_RAW, _CORRECTED], len(rows)),
            "input": np.tile([variable_label(str(v)) for v in rows["input"]], 2),
        }
    )
    period_name = table.attrs.get("period")
    values_words = f"{period_words(period_name)[0]} values" if period_name else "values"
    texts = pd.DataFrame(
        {
            "correction": rows["correction"],
            "value": rounded(np.maximum(rows["raw_mean"], rows["mean"])),
            "text": [
                f"{int(c):,} of {int(v):,} {values_words} corrected"
                for c, v in zip(rows["corrected"], rows["values"], strict=True)
            ],
        }
    )
    unit = next(iter(units.values()))
    outputs = sorted({c.output for c in chosen})
    label = variable_label(outputs[0].removesuffix("_corrected")) if len(outputs) == 1 else "value"
    x_title = with_unit(f"Mean {label} over the corrected periods", unit)
    y = alt.Y(
        "correction:N",
        title=None,
        sort=list(rows["correction"]),
        axis=alt.Axis(labelLimit=420),
    )
    x = alt.X("value:Q", title=x_title, scale=alt.Scale(zero=True))
    kinds = [_RAW, _CORRECTED]
    joins = alt.Chart(long).mark_line(color="#777777").encode(x=x, y=y, detail="correction:N")
    dots = (
        alt.Chart(long)
        .mark_point(size=110, filled=True, stroke="#000000", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[OKABE_ITO[1], OKABE_ITO[0]]),
                title="Mean of",
            ),
            shape=alt.Shape(
                "kind:N", scale=alt.Scale(domain=kinds, range=["circle", "square"]), title="Mean of"
            ),
            tooltip=[
                alt.Tooltip("correction:N", title="Correction"),
                alt.Tooltip("kind:N", title="Mean of"),
                alt.Tooltip("input:N", title="Input"),
                alt.Tooltip("value:Q", title=f"Mean ({unit})"),
            ],
        )
    )
    labels = (
        alt.Chart(texts)
        .mark_text(align="left", dx=12, fontSize=10, color="#000000")
        .encode(x=alt.X("value:Q", title=x_title), y=y, text="text:N")
    )
    chart = alt.layer(joins, dots, labels).properties(width=520, height=60 * len(rows) + 20)
    skipped = table[~done]
    subtitle = [
        (
            "Orange circle: mean of the raw input; blue square: mean after the correction, over "
            "the same sensor-periods."
        )
    ]
    if len(skipped):
        subtitle.append(
            "Not drawn: "
            + "; ".join(
                f"{n} ({note or 'no value'})"
                for n, note in zip(skipped["correction"], skipped["note"], strict=True)
            )
            + "."
        )
    citations = table.attrs.get("citations", {})
    description = (
        f"Dot chart comparing {len(rows)} published corrections of {label} ({unit}): "
        f"{' '.join(subtitle)} Made by toolkit.corrections.compare on {values_words} "
        "(EPA's A/B cleaning and humidity rules; raw values kept). Sources: "
        + "; ".join(f"{k}: {v}" for k, v in citations.items())
    )
    return finish(
        chart,
        title=f"Corrections of {label}, side by side",
        subtitle=subtitle,
        description=description,
        caption=_caption(table),
        rules=[*steps_of(data.history), *(f"{k}: {v}" for k, v in citations.items())],
        choices={"period": period_name},
    )


def _unit(variable: str) -> str:
    from .. import variables as _variables

    return _variables.get(variable).unit
