"""PurpleAir A/B channel agreement: EPA's hourly rule.

A PurpleAir sensor holds two identical Plantower counters, channels A and B. When they
disagree, at least one of them is wrong (a spider, dust, a failing laser), and neither
can be trusted. US EPA's rule for the AirNow Fire and Smoke Map, published with the US
correction (Barkjohn, Gantt and Clements 2021, AMT 14:4617), works on hourly averages:

1. Average each channel over each clock hour.
2. The hour is incomplete when either channel has fewer than 90 % of the readings its
   cadence promises.
3. The channels disagree when **both** |A - B| > 5 µg/m³ **and** 2|A - B| / (A + B) > 70 %
   (both comparisons strict: exactly 5 µg/m³ or exactly 70 % passes).

The toolkit flags the hour's readings instead of dropping the hour, under two names so
that a report can say which part of the rule applied: ``flag_ab`` (disagreement) and
``flag_ab_incomplete`` (completeness).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import MissingColumnError
from ._common import add_flags, local_periods

if TYPE_CHECKING:
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["AB_CITATION", "ab_hours", "ab_variables", "flag_ab"]

AB_CITATION = (
    "Barkjohn, Gantt & Clements (2021) Development and application of a United States-wide "
    "correction for PM2.5 data collected with the PurpleAir sensor, AMT 14:4617, "
    "doi:10.5194/amt-14-4617-2021 (hourly A/B and 90 % completeness rules of the AirNow "
    "Fire and Smoke Map)"
)


def ab_variables(data: SensorData) -> list[str]:
    """List the variables that have readings in both channel A and channel B."""
    readings = data.readings
    if "channel" not in readings.columns or readings.empty:
        return []
    pairs = readings.loc[readings["channel"].isin(["A", "B"]), ["variable", "channel"]]
    both = pairs.groupby("variable", observed=True)["channel"].nunique()
    return [str(v) for v in both.index[both == 2]]


def _ab_readings(data: SensorData, variable: str) -> pd.DataFrame:
    """Select the readings of ``variable`` in channels A and B of sensors that have both."""
    readings = data.readings
    if variable not in ab_variables(data):
        others = ab_variables(data)
        if others:
            raise MissingColumnError(
                f"No readings of {variable!r} in both channels A and B, so the A/B rule "
                "cannot compare them.",
                found=f"channels A and B for {', '.join(others)}",
                fix=f"Choose one of those: variable={others[0]!r}.",
            )
        return readings.iloc[:0]
    rows = readings[(readings["variable"] == variable) & readings["channel"].isin(["A", "B"])]
    channels = rows.groupby("sensor_id", observed=True)["channel"].nunique()
    paired = channels.index[channels == 2]
    return rows[rows["sensor_id"].isin(paired)]


def ab_hours(
    data: SensorData, *, variable: str = "pm25_cf1", timezone: str = "UTC"
) -> pd.DataFrame:
    """Hourly means and completeness of channels A and B: the numbers behind :func:`flag_ab`.

    Parameters
    ----------
    data
        PurpleAir readings with a ``channel`` column.
    variable
        The variable whose channels are compared (default ``pm25_cf1``, as in EPA's
        rule; ``pm25_atm`` where a file holds only ATM values).
    timezone
        Whose clock hours: ``"UTC"`` (default; the same hours as local time wherever the
        offset is whole hours), ``"local"`` (each sensor's zone) or an IANA name.

    Returns
    -------
    pandas.DataFrame
        One row per sensor and hour in which either channel has readings:
        ``sensor_id``, ``start`` and ``end`` (UTC), ``mean_a`` and ``mean_b`` (µg/m³),
        ``n_a`` and ``n_b`` (readings), ``expected_a`` and ``expected_b`` (hour length /
        the channel's cadence), ``completeness_a`` and ``completeness_b`` (n / expected,
        not capped), ``abs_diff`` = |A - B| and ``rel_diff`` = 2|A - B| / (A + B)
        (infinite when A + B <= 0 and they differ).

    Raises
    ------
    MissingColumnError
        When ``variable`` has no A/B pair but other variables do.
    """
    import numpy as np
    import pandas as pd

    from ..cadence import cadence

    columns = [
        "sensor_id",
        "start",
        "end",
        "mean_a",
        "mean_b",
        "n_a",
        "n_b",
        "expected_a",
        "expected_b",
        "completeness_a",
        "completeness_b",
        "abs_diff",
        "rel_diff",
    ]
    rows = _ab_readings(data, variable)
    if rows.empty:
        return pd.DataFrame({c: [] for c in columns})
    start, end = local_periods(data, rows, timezone, "1h")
    frame = pd.DataFrame(
        {
            "sensor_id": rows["sensor_id"].astype(str).to_numpy(),
            "start": start,
            "end": end,
            "channel": rows["channel"].astype(str).to_numpy(),
            "value": rows["value"].to_numpy(),
        }
    )
    hourly = frame.groupby(["sensor_id", "start", "end", "channel"])["value"].agg(["mean", "count"])
    table = hourly.unstack("channel")
    out = pd.DataFrame(
        {
            "mean_a": table[("mean", "A")],
            "mean_b": table[("mean", "B")],
            "n_a": table[("count", "A")].fillna(0).astype(int),
            "n_b": table[("count", "B")].fillna(0).astype(int),
        }
    ).reset_index()
    out["start"] = out["start"].dt.tz_convert("UTC")
    out["end"] = out["end"].dt.tz_convert("UTC")
    steps = cadence(rows)
    steps["key"] = steps["sensor_id"].astype(str) + "|" + steps["channel"].astype(str)
    seconds = dict(zip(steps["key"], steps["cadence_s"], strict=True))
    hour_s = (out["end"] - out["start"]).dt.total_seconds()
    for ch in ("a", "b"):
        keys = out["sensor_id"] + "|" + ch.upper()
        out[f"expected_{ch}"] = hour_s / keys.map(seconds).astype(float)
        out[f"completeness_{ch}"] = out[f"n_{ch}"] / out[f"expected_{ch}"]
    diff = (out["mean_a"] - out["mean_b"]).abs()
    total = out["mean_a"] + out["mean_b"]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(total > 0, 2 * diff / total, np.where(diff > 0, np.inf, 0.0))
    out["abs_diff"] = diff
    out["rel_diff"] = np.where(diff.isna(), np.nan, relative)
    return out[columns]


def flag_ab(
    data: SensorData,
    *,
    variable: str = "pm25_cf1",
    abs_threshold: float = 5.0,
    rel_threshold: float = 0.70,
    min_completeness: float | None = 0.90,
    timezone: str = "UTC",
) -> SensorData:
    """Flag hours in which PurpleAir channels A and B disagree, or are incomplete (EPA).

    See the module docstring for the rule. Every reading of ``variable`` of the sensor in
    a flagged hour is flagged: channel A, channel B, and a combined value without a
    channel (PurpleAir's own A/B average) where the file has one. Sensors with only one
    channel are not judged.

    Parameters
    ----------
    data
        PurpleAir readings with a ``channel`` column; not changed.
    variable
        The variable whose channels are compared (default ``pm25_cf1``, as EPA).
    abs_threshold
        The channels disagree only if |A - B| > this [µg/m³] (EPA: 5).
    rel_threshold
        ... and 2|A - B| / (A + B) > this (a fraction; EPA: 0.70, i.e. 70 %).
    min_completeness
        An hour is incomplete when either channel has fewer than this share of its
        expected readings (EPA: 0.90). ``None`` skips the completeness part (no
        ``flag_ab_incomplete`` column).
    timezone
        Whose clock hours (see :func:`ab_hours`).

    Returns
    -------
    SensorData
        With the boolean columns ``flag_ab`` (disagreement) and ``flag_ab_incomplete``
        (completeness), and the step, with hours and readings of each part, in the
        history.

    Raises
    ------
    MissingColumnError
        When ``variable`` has no A/B pair but other variables do (it names them).
    """
    import numpy as np
    import pandas as pd

    hours = ab_hours(data, variable=variable, timezone=timezone)
    readings = data.readings
    disagree_hours = (hours["abs_diff"] > abs_threshold) & (hours["rel_diff"] > rel_threshold)
    incomplete_hours = pd.Series(False, index=hours.index)
    if min_completeness is not None:
        eps = 1e-9  # 27 of 30 expected is exactly 90 %, whatever the rounding
        for ch in ("a", "b"):
            incomplete_hours |= hours[f"n_{ch}"] < min_completeness * hours[f"expected_{ch}"] - eps
    disagree = np.zeros(len(readings), dtype=bool)
    incomplete = np.zeros(len(readings), dtype=bool)
    if len(hours):
        rows = np.flatnonzero(
            (readings["variable"] == variable).to_numpy()
            & readings["sensor_id"].isin(hours["sensor_id"].unique()).to_numpy()
        )
        chosen = readings.iloc[rows]
        start, _ = local_periods(data, chosen, timezone, "1h")
        keys = pd.MultiIndex.from_arrays([chosen["sensor_id"].astype(str).to_numpy(), start])
        for target, which in ((disagree, disagree_hours), (incomplete, incomplete_hours)):
            bad = pd.MultiIndex.from_arrays(
                [hours.loc[which, "sensor_id"], hours.loc[which, "start"]]
            )
            target[rows] = keys.isin(bad)
    flags = {"ab": disagree}
    if min_completeness is not None:
        flags["ab_incomplete"] = incomplete
    description = (
        f"Compared hourly means of {variable} channels A and B in {len(hours)} sensor-hour(s): "
        f"{int(disagree_hours.sum())} hour(s) disagree (|A-B| > {abs_threshold} µg/m³ and "
        f"2|A-B|/(A+B) > {rel_threshold:.0%}), flagging {int(disagree.sum())} reading(s)"
    )
    if min_completeness is not None:
        description += (
            f"; {int(incomplete_hours.sum())} hour(s) incomplete (a channel below "
            f"{min_completeness:.0%} of its expected readings), flagging "
            f"{int(incomplete.sum())} reading(s)"
        )
    if hours.empty:
        description = f"No readings of {variable} in both channels A and B: nothing to compare"
    return add_flags(
        data,
        flags,
        rule="ab",
        description=description + ".",
        parameters={
            "variable": variable,
            "abs_threshold": abs_threshold,
            "rel_threshold": rel_threshold,
            "min_completeness": min_completeness,
            "timezone": timezone,
            "hours_compared": len(hours),
            "hours_disagreeing": int(disagree_hours.sum()),
            "hours_incomplete": int(incomplete_hours.sum()),
        },
        citation=AB_CITATION,
    )
