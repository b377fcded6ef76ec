"""A sensor against a co-located reference monitor, judged by a published yardstick.

The only way to know how good a low-cost sensor is, is to put it beside a reference
monitor (a regulatory instrument) for some weeks and compare. This module does that
comparison the way US EPA recommends for PM2.5 sensors [1]_:

1. **Pair** the two on time: hourly or daily averages (made by
   :func:`toolkit.timeseries.average`) with the same period start, both valid. How many
   pairs there are, and why the other periods were dropped, is reported.
2. **Fit a line** by ordinary least squares with the **sensor on the y axis and the
   reference on the x axis** (EPA's convention): sensor = intercept + slope · reference.
   A perfect sensor has slope 1 and intercept 0; R² says how much of the sensor's
   variation the reference explains.
3. **Errors**: RMSE = √(mean((sensor − reference)²)) [µg/m³], normalised RMSE =
   RMSE / mean(reference) × 100 [%], and the mean bias = mean(sensor − reference).
4. **Compare with the targets** in ``toolkit/data/performance_targets.csv`` and say in
   plain words which are met.

EPA's targets for PM2.5 sensors (base testing, **24-hour averages**) [1]_: slope 1.0 ±
0.35, intercept between −5 and 5 µg/m³, R² ≥ 0.70, and RMSE ≤ 7 µg/m³ **or** NRMSE ≤
30 % (either meets the error target). They were checked against USEPA/sensortoolkit
(``param/_targets.py``, the same bounds) and a transcription of the report's Table ES-2.
The report's precision targets (between identical sensors) are not evaluated here.

A sensor that misses the targets can still be calibrated locally: :func:`fit_calibration`
fits reference = a + b · sensor on the co-located pairs, and :func:`apply_calibration`
applies it to other sensors of the same kind, with both steps in the history.

References
----------
.. [1] Duvall, R. M., Clements, A. L., Hagler, G., et al. (2021) Performance Testing
   Protocols, Metrics, and Target Values for Fine Particulate Matter Air Sensors: Use in
   Ambient, Outdoor, Fixed Site, Non-Regulatory Supplemental and Informational
   Monitoring Applications. US EPA, Office of Research and Development,
   EPA/600/R-20/280 (February 2021), Table ES-2. (EPA/600/R-20/279 is the companion
   report for ozone.)
"""

from __future__ import annotations

import csv
import fnmatch
import functools
import html
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from ._errors import MissingColumnError, ToolkitError
from .history import Step

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "EVALUATION_PERIODS",
    "Calibration",
    "Evaluation",
    "EvaluationError",
    "apply_calibration",
    "evaluate",
    "fit_calibration",
    "pair",
    "targets",
]

#: Periods pairs can be made of.
EVALUATION_PERIODS = ("1h", "day")
#: How the line is fitted, written into results.
REGRESSION = "ordinary least squares, sensor (y) on reference (x)"


class EvaluationError(ToolkitError, ValueError):
    """Too few pairs, or pairs that cannot define a line."""


# -- the targets table ------------------------------------------------------------------
@functools.cache
def _target_rows() -> tuple[dict[str, str], ...]:
    source = resources.files("toolkit").joinpath("data", "performance_targets.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def targets(variable: str | None = None) -> pd.DataFrame:
    """Return the published performance targets, for one variable or all.

    Parameters
    ----------
    variable
        A canonical variable name (``"pm25_corrected"``); targets apply by the
        ``applies_to`` pattern (``pm25*``). ``None`` gives the whole table.

    Returns
    -------
    pandas.DataFrame
        Columns ``standard, pollutant, applies_to, averaging_period, metric, group,
        lower, upper, unit, target, source, table, effective_date, verified``; ``lower``
        and ``upper`` are inclusive bounds. Within a ``group`` one metric met is enough
        (EPA's error target: RMSE or NRMSE).
    """
    import pandas as pd

    rows = [
        r for r in _target_rows() if variable is None or fnmatch.fnmatch(variable, r["applies_to"])
    ]
    frame = pd.DataFrame(rows, columns=list(_target_rows()[0]))
    return frame.astype({"lower": float, "upper": float})


# -- pairing ----------------------------------------------------------------------------
def pair(
    data: SensorData,
    reference: SensorData,
    *,
    variable: str,
    reference_variable: str = "pm25",
    sensor: str | None = None,
    reference_sensor: str | None = None,
    channel: str | None = None,
    period: str = "day",
    timezone: str = "local",
) -> pd.DataFrame:
    """Pair a sensor's averages with a reference monitor's, period by period.

    Parameters
    ----------
    data
        The sensor's readings, or averages made by :func:`toolkit.timeseries.average`
        (for corrected values: ``toolkit.corrections.correct(..., period="day")``).
    reference
        The reference monitor's readings or averages (may be the same object as
        ``data``).
    variable
        The sensor's variable, e.g. ``"pm25_corrected"`` or ``"pm25_atm"``.
    reference_variable
        The reference's variable (default ``"pm25"``).
    sensor, reference_sensor
        Sensor ids; needed only when more than one sensor has the variable.
    channel
        ``"A"`` or ``"B"`` for one PurpleAir channel, when the variable has channels.
    period
        ``"day"`` (default; EPA's targets are for 24-hour averages) or ``"1h"``.
    timezone
        Whose days, when readings are averaged here (see
        :func:`toolkit.timeseries.average`); both series are averaged the same way.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``time`` (UTC start of the period), ``end``, ``sensor`` and
        ``reference`` values. ``attrs`` holds ``sensor``, ``reference`` (ids),
        ``period``, ``periods`` (periods seen in either series) and ``dropped`` (periods
        not paired, by reason).

    Raises
    ------
    MissingColumnError
        When a variable or sensor is not in the data, or a choice is needed.
    ValueError
        For a period other than an hour or a day, or averages of another period.
    """
    import pandas as pd

    from .corrections import as_averages

    sensor_avg, period_name = as_averages(
        data, period, timezone=timezone, allowed=EVALUATION_PERIODS
    )
    reference_avg, _ = as_averages(
        reference, period_name, timezone=timezone, allowed=EVALUATION_PERIODS
    )
    left, sensor_id = _series(sensor_avg, variable, sensor, channel, role="sensor")
    right, reference_id = _series(
        reference_avg, reference_variable, reference_sensor, None, role="reference"
    )
    merged = left.merge(right, on="time", how="outer", suffixes=("_s", "_r"), indicator=True)
    in_both = merged["_merge"] == "both"
    sensor_ok = merged["valid_s"].astype("boolean").fillna(False).astype(bool)
    reference_ok = merged["valid_r"].astype("boolean").fillna(False).astype(bool)
    dropped = {
        "no reference value for the period": int((merged["_merge"] == "left_only").sum()),
        "no sensor value for the period": int((merged["_merge"] == "right_only").sum()),
        "sensor value not valid": int((in_both & ~sensor_ok & reference_ok).sum()),
        "reference value not valid": int((in_both & sensor_ok & ~reference_ok).sum()),
        "neither value valid": int((in_both & ~sensor_ok & ~reference_ok).sum()),
    }
    good = merged[in_both & sensor_ok & reference_ok]
    pairs = pd.DataFrame(
        {
            "time": good["time"].to_numpy(),
            "end": good["end_s"].to_numpy(),
            "sensor": good["value_s"].to_numpy(dtype=float),
            "reference": good["value_r"].to_numpy(dtype=float),
        }
    )
    pairs["time"] = pd.to_datetime(pairs["time"], utc=True)
    pairs["end"] = pd.to_datetime(pairs["end"], utc=True)
    pairs = pairs.sort_values("time", kind="stable").reset_index(drop=True)
    pairs.attrs.update(
        {
            "sensor": sensor_id,
            "reference": reference_id,
            "variable": variable,
            "reference_variable": reference_variable,
            "period": period_name,
            "periods": len(merged),
            "dropped": dropped,
            "sensor_history": [s.name for s in sensor_avg.history],
        }
    )
    return pairs


def _series(
    data: SensorData, variable: str, sensor: str | None, channel: str | None, *, role: str
) -> tuple[pd.DataFrame, str]:
    """One averaged series (time, end, value, valid) of one sensor and variable."""
    import pandas as pd

    readings = data.readings
    rows = readings[readings["variable"] == variable]
    if rows.empty:
        raise MissingColumnError(
            f"No {variable} values in the {role} data.",
            found=f"variables {', '.join(data.variables) or 'none'}",
            fix=f"Name the {role}'s variable with "
            + ("variable=" if role == "sensor" else "reference_variable=")
            + "'...' (one of those).",
        )
    ids = sorted({str(s) for s in rows["sensor_id"].unique()})
    option = "sensor" if role == "sensor" else "reference_sensor"
    if sensor is None:
        if len(ids) > 1:
            raise MissingColumnError(
                f"Several sensors have {variable} values in the {role} data; which one?",
                found=f"sensors {', '.join(ids[:10])}",
                fix=f"Choose one with {option}={ids[0]!r}.",
            )
        sensor = ids[0]
    if sensor not in ids:
        raise MissingColumnError(
            f"Sensor {sensor!r} has no {variable} values in the {role} data.",
            found=f"sensors with {variable}: {', '.join(ids[:10])}",
            fix=f"Use one of those with {option}=...",
        )
    rows = rows[rows["sensor_id"] == sensor]
    if "channel" in rows.columns:
        channels = sorted({str(c) for c in rows["channel"].dropna().unique()})
        if channel is not None:
            rows = rows[rows["channel"] == channel]
        elif len(channels) > 1 or (channels and rows["channel"].isna().any()):
            raise MissingColumnError(
                f"{variable} of {sensor} comes in channels ({', '.join(channels)}); "
                "compare one series at a time.",
                found=f"channels {', '.join(channels)}"
                + (" and values without a channel" if rows["channel"].isna().any() else ""),
                fix="Correct the sensor first (toolkit.corrections.correct averages A and B "
                "by EPA's rule), or choose channel='A'.",
            )
    frame = pd.DataFrame(
        {
            "time": rows["time"].to_numpy(),
            "end": rows["end"].to_numpy(),
            "value": rows["value"].to_numpy(dtype=float),
            "valid": rows["valid"].to_numpy(dtype=bool) & rows["value"].notna().to_numpy(),
        }
    )
    return frame, sensor


# -- statistics -------------------------------------------------------------------------
def _line(x: Any, y: Any) -> dict[str, float]:
    """Fit y = intercept + slope · x by ordinary least squares; R² = r²."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < 3:
        raise EvaluationError(
            "Too few pairs to fit a line and judge it.",
            found=f"{n} pair(s)",
            fix="Use a longer co-location, or hourly pairs with period='1h'.",
        )
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    if sxx == 0:
        raise EvaluationError(
            "The x values do not vary, so no line can be fitted.",
            found=f"{n} pairs, all with x = {x[0]:g}",
            fix="Use a period in which concentrations change.",
        )
    slope = sxy / sxx
    return {
        "n": n,
        "slope": slope,
        "intercept": float(y.mean() - slope * x.mean()),
        "r2": sxy**2 / (sxx * syy) if syy > 0 else float("nan"),
    }


# -- evaluation -------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """How a sensor compares with a reference monitor (see :func:`evaluate`).

    Attributes
    ----------
    sensor, reference
        Sensor ids.
    variable, reference_variable
        What was compared.
    period
        ``"day"`` or ``"1h"``.
    n
        Number of pairs.
    dropped
        Periods not paired, by reason.
    r2, slope, intercept
        Ordinary least squares, sensor (y) on reference (x); intercept in the unit.
    rmse
        √(mean((sensor − reference)²)), in the variable's unit.
    nrmse
        RMSE / mean(reference) × 100 [%].
    bias
        mean(sensor − reference), in the unit.
    mean_sensor, mean_reference
        Means over the pairs.
    unit
        The variable's unit.
    targets
        One row per target: ``metric, value, target, lower, upper, unit, group, met``,
        ``attrs["standard"]``; empty when no targets apply.
    standard
        The targets' name and version, or ``""``.
    verdict
        The result in plain words.
    pairs
        The pairs themselves (see :func:`pair`).
    """

    sensor: str
    reference: str
    variable: str
    reference_variable: str
    period: str
    n: int
    dropped: dict[str, int]
    r2: float
    slope: float
    intercept: float
    rmse: float
    nrmse: float
    bias: float
    mean_sensor: float
    mean_reference: float
    unit: str
    targets: pd.DataFrame = field(repr=False)
    standard: str
    verdict: str
    pairs: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return the result as one row (for tables of many sensors).

        Returns
        -------
        pandas.DataFrame
            ``sensor, reference, variable, reference_variable, period, n, r2, slope,
            intercept, rmse, nrmse, bias, mean_sensor, mean_reference, unit,
            targets_met, standard, regression, verdict``; ``attrs`` holds ``standard``
            and ``regression``.
        """
        import pandas as pd

        met = self._groups()
        row = {
            k: getattr(self, k)
            for k in (
                "sensor",
                "reference",
                "variable",
                "reference_variable",
                "period",
                "n",
                "r2",
                "slope",
                "intercept",
                "rmse",
                "nrmse",
                "bias",
                "mean_sensor",
                "mean_reference",
                "unit",
            )
        }
        row["targets_met"] = f"{sum(met.values())} of {len(met)}" if met else ""
        row["standard"] = self.standard
        row["regression"] = REGRESSION
        row["verdict"] = self.verdict
        frame = pd.DataFrame([row])
        frame.attrs.update({"standard": self.standard, "regression": REGRESSION})
        return frame

    def _groups(self) -> dict[str, bool]:
        if self.targets.empty:
            return {}
        return {str(g): bool(m.any()) for g, m in self.targets.groupby("group", sort=False)["met"]}

    def __str__(self) -> str:
        dropped = ", ".join(f"{n} {why}" for why, n in self.dropped.items() if n) or "none"
        return (
            f"{self.sensor} ({self.variable}) against {self.reference} "
            f"({self.reference_variable}), {self.n} {self.period} pairs (not paired: "
            f"{dropped}).\n"
            f"Line ({REGRESSION}): sensor = {self.intercept:.2f} + {self.slope:.3f} × "
            f"reference, R² = {self.r2:.3f}.\n"
            f"RMSE {self.rmse:.2f} {self.unit}, NRMSE {self.nrmse:.0f} %, mean bias "
            f"{self.bias:+.2f} {self.unit}.\n{self.verdict}"
        )

    def _repr_html_(self) -> str:
        lines = "".join(f"<p>{html.escape(line)}</p>" for line in str(self).splitlines())
        table = (
            self.targets.to_html(index=False, escape=True, na_rep="")
            if not self.targets.empty
            else ""
        )
        return f"<div>{lines}{table}</div>"


def evaluate(
    data: SensorData,
    reference: SensorData,
    *,
    variable: str,
    reference_variable: str = "pm25",
    sensor: str | None = None,
    reference_sensor: str | None = None,
    channel: str | None = None,
    period: str = "day",
    timezone: str = "local",
) -> Evaluation:
    """Compare a sensor with a co-located reference monitor, and judge it by EPA's targets.

    Parameters
    ----------
    data, reference, variable, reference_variable, sensor, reference_sensor, channel,
    period, timezone
        As for :func:`pair`.

    Returns
    -------
    Evaluation
        R², slope and intercept (ordinary least squares, sensor on the y axis against the
        reference on the x axis), RMSE, NRMSE (RMSE / mean of the reference), mean bias
        and n, each target met or not, and a verdict in plain words. Print it, or use
        ``.to_frame()``.

    Raises
    ------
    EvaluationError
        With fewer than 3 pairs, or a reference that does not vary.

    Notes
    -----
    EPA's targets are defined for 24-hour averages; with hourly pairs the comparison is
    reported but marked as indicative. R², slope and RMSE depend on the range of
    concentrations met during the co-location, so a short, clean-air co-location says
    little about smoky days.
    """
    import numpy as np

    pairs = pair(
        data,
        reference,
        variable=variable,
        reference_variable=reference_variable,
        sensor=sensor,
        reference_sensor=reference_sensor,
        channel=channel,
        period=period,
        timezone=timezone,
    )
    x = pairs["reference"].to_numpy()
    y = pairs["sensor"].to_numpy()
    line = _line(x, y)
    error = y - x
    rmse = float(np.sqrt(np.mean(error**2)))
    mean_reference = float(np.mean(x))
    nrmse = 100 * rmse / mean_reference if mean_reference > 0 else float("nan")
    metrics = {
        "slope": line["slope"],
        "intercept": line["intercept"],
        "r2": line["r2"],
        "rmse": rmse,
        "nrmse": nrmse,
    }
    table = _judge(metrics, variable)
    from . import variables

    unit = variables.get(variable).unit
    period_name = pairs.attrs["period"]
    standard = str(table.attrs.get("standard", ""))
    return Evaluation(
        sensor=pairs.attrs["sensor"],
        reference=pairs.attrs["reference"],
        variable=variable,
        reference_variable=reference_variable,
        period=period_name,
        n=line["n"],
        dropped=pairs.attrs["dropped"],
        r2=line["r2"],
        slope=line["slope"],
        intercept=line["intercept"],
        rmse=rmse,
        nrmse=nrmse,
        bias=float(np.mean(error)),
        mean_sensor=float(np.mean(y)),
        mean_reference=mean_reference,
        unit=unit,
        targets=table,
        standard=standard,
        verdict=_verdict(table, standard, period_name, unit),
        pairs=pairs,
    )


def _judge(metrics: dict[str, float], variable: str) -> pd.DataFrame:
    """One row per applicable target: the value, the bounds, met or not."""
    import numpy as np

    table = targets(variable)
    table = table[table["metric"].isin(metrics)].reset_index(drop=True)
    values = table["metric"].map(metrics).astype(float)
    met = (values >= table["lower"] - 1e-12) & (values <= table["upper"] + 1e-12)
    out = table[["metric", "target", "lower", "upper", "unit", "group"]].assign(
        value=values.to_numpy(), met=np.asarray(met, dtype=bool)
    )
    out = out[["metric", "value", "target", "lower", "upper", "unit", "group", "met"]]
    standards = sorted(set(table["standard"]))
    out.attrs["standard"] = "; ".join(standards)
    out.attrs["source"] = "; ".join(sorted(set(table["source"])))
    out.attrs["averaging_period"] = "; ".join(sorted(set(table["averaging_period"])))
    return out


def _verdict(table: pd.DataFrame, standard: str, period: str, unit: str) -> str:
    """Say in plain words which targets are met."""
    if table.empty:
        return "No published performance targets for this variable in the toolkit's table."

    def show(row: Any) -> str:
        value = f"{row.value:.2f}" if row.metric in ("slope", "r2") else f"{row.value:.1f}"
        what = {"r2": "R²", "rmse": "RMSE", "nrmse": "NRMSE"}.get(row.metric, row.metric)
        suffix = " %" if row.metric == "nrmse" else (f" {unit}" if row.unit else "")
        return f"{what} {value}{suffix} (target {row.target})"

    met, missed = [], []
    for group, rows in table.groupby("group", sort=False):
        shown = [show(r) for r in rows.itertuples()]
        if rows["met"].any():
            met.append(" or ".join(s for s, ok in zip(shown, rows["met"], strict=True) if ok))
            continue
        text = " and ".join(shown)
        if len(shown) > 1:
            text += " (either would meet the target)"
        if group == "slope":
            slope = float(rows["value"].iloc[0])
            direction = "high" if slope > 1 else "low"
            text += (
                f": the sensor reads about {abs(slope - 1) * 100:.0f} % {direction} "
                "per unit of the reference"
            )
        missed.append(text)
    total = len(met) + len(missed)
    if not missed:
        text = f"Meets all {total} of the {standard}: " + "; ".join(met) + "."
    elif not met:
        text = f"Meets none of the {total} {standard}: misses " + "; ".join(missed)
        text += "."
    else:
        text = (
            f"Meets {len(met)} of {total} of the {standard}: "
            + "; ".join(met)
            + ". Misses "
            + "; ".join(missed)
            + "."
        )
    if period != "day":
        text += (
            " These targets are defined for 24-hour averages; these are "
            f"{period} pairs, so the comparison is indicative only."
        )
    return text


# -- local calibration ------------------------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    """A local linear calibration: reference = intercept + slope · sensor.

    Made by :func:`fit_calibration`; applied by :func:`apply_calibration`.

    Attributes
    ----------
    name
        A name for it (default: which sensor against which reference).
    variable
        The sensor variable it converts (``"pm25_corrected"``, ``"pm25_atm"``...).
    output
        The variable its results go to (``"pm25_calibrated"``).
    intercept, slope
        Coefficients: calibrated = intercept + slope · sensor value.
    r2, rmse
        Fit quality on the pairs it was fitted on (RMSE of calibrated − reference).
    n
        Number of pairs.
    sensor, reference, reference_variable, period, start, end
        The data it was fitted on: sensor and reference ids, period of the pairs, and
        the first and last period start (UTC, ISO 8601).
    fitted_on_history
        The steps the sensor's data had been through (``average``, ``correct``...).
    """

    name: str
    variable: str
    output: str
    intercept: float
    slope: float
    r2: float
    rmse: float
    n: int
    sensor: str
    reference: str
    reference_variable: str
    period: str
    start: str
    end: str
    fitted_on_history: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        """Name, equation and fitting data, written into each calibrated value's method."""
        return (
            f"{self.name}: reference = {self.intercept:.3f} + {self.slope:.4f} × sensor "
            f"(local OLS on {self.n} {self.period} pairs, {self.start[:10]} to "
            f"{self.end[:10]})"
        )

    @property
    def step(self) -> Step:
        """The history step of the fit, with its coefficients and data."""
        return Step(
            name="fit_calibration",
            description=(
                f"Fitted {self.name}: reference = {self.intercept:.3f} + {self.slope:.4f} × "
                "sensor (ordinary least squares, reference (y) on sensor (x)), "
                f"R² = {self.r2:.3f}, RMSE after calibration {self.rmse:.2f}, on {self.n} "
                f"{self.period} pairs of {self.sensor} ({self.variable}) and {self.reference} "
                f"({self.reference_variable}) from {self.start} to {self.end}."
            ),
            parameters={
                "intercept": self.intercept,
                "slope": self.slope,
                "r2": self.r2,
                "rmse": self.rmse,
                "n": self.n,
                "sensor": self.sensor,
                "variable": self.variable,
                "reference": self.reference,
                "reference_variable": self.reference_variable,
                "period": self.period,
                "start": self.start,
                "end": self.end,
                "fitted_on_history": list(self.fitted_on_history),
            },
            citation="",
            touched=0,
        )


def fit_calibration(
    data: SensorData,
    reference: SensorData,
    *,
    variable: str,
    reference_variable: str = "pm25",
    sensor: str | None = None,
    reference_sensor: str | None = None,
    channel: str | None = None,
    period: str = "day",
    timezone: str = "local",
    name: str | None = None,
    output: str | None = None,
) -> Calibration:
    """Fit a local linear calibration, reference = a + b · sensor, on co-located pairs.

    The line is fitted by ordinary least squares with the **reference on the y axis**
    (the value to predict) and the sensor on the x axis: the other way round from
    :func:`evaluate`, which describes the sensor's error.

    Parameters
    ----------
    data, reference, variable, reference_variable, sensor, reference_sensor, channel,
    period, timezone
        As for :func:`pair`.
    name
        A name for the calibration; default ``"local calibration of <sensor> against
        <reference>"``.
    output
        Where calibrated values go; default ``"pm25_calibrated"`` for PM2.5 variables.

    Returns
    -------
    Calibration
        Its coefficients, fit quality and the data it was fitted on; :func:`apply_calibration`
        records all of it in the history of the data it is applied to.

    Raises
    ------
    EvaluationError
        With fewer than 3 pairs, or a sensor whose values do not vary.
    """
    import numpy as np

    from . import variables

    pairs = pair(
        data,
        reference,
        variable=variable,
        reference_variable=reference_variable,
        sensor=sensor,
        reference_sensor=reference_sensor,
        channel=channel,
        period=period,
        timezone=timezone,
    )
    target = output or _default_output(variable)
    variables.get(target)
    x = pairs["sensor"].to_numpy()
    y = pairs["reference"].to_numpy()
    line = _line(x, y)
    fitted = line["intercept"] + line["slope"] * x
    sensor_id, reference_id = pairs.attrs["sensor"], pairs.attrs["reference"]
    return Calibration(
        name=name or f"local calibration of {sensor_id} against {reference_id}",
        variable=variable,
        output=target,
        intercept=line["intercept"],
        slope=line["slope"],
        r2=line["r2"],
        rmse=float(np.sqrt(np.mean((fitted - y) ** 2))),
        n=line["n"],
        sensor=sensor_id,
        reference=reference_id,
        reference_variable=reference_variable,
        period=pairs.attrs["period"],
        start=pairs["time"].iloc[0].isoformat(),
        end=pairs["time"].iloc[-1].isoformat(),
        fitted_on_history=tuple(pairs.attrs["sensor_history"]),
    )


def _default_output(variable: str) -> str:
    if variable.startswith("pm25"):
        return "pm25_calibrated"
    raise MissingColumnError(
        f"There is no default variable for calibrated {variable} values.",
        found=f"variable {variable!r}",
        fix="Name a canonical variable for the results with output='...' "
        "(see toolkit.variables.table()).",
    )


def apply_calibration(
    data: SensorData,
    calibration: Calibration,
    *,
    sensors: str | Sequence[str] | None = None,
) -> SensorData:
    """Apply a local calibration to sensors' values; raw values are kept.

    Parameters
    ----------
    data
        Readings or averages holding ``calibration.variable``; not changed.
    calibration
        Made by :func:`fit_calibration`.
    sensors
        Sensor id or ids to calibrate; default every sensor with the variable.

    Returns
    -------
    SensorData
        With one ``calibration.output`` row per calibrated value (``method`` names the
        calibration, its coefficients and the data it was fitted on), and two history
        steps: the fit and its application. A calibration fitted on daily means and
        applied to hourly or raw values assumes the sensor behaves the same at those time
        scales; the step says which values it was applied to.

    Raises
    ------
    MissingColumnError
        When the data lacks the variable or a sensor, or already has calibrated values.
    """
    from . import variables
    from .corrections import METHOD_COLUMN, _append, _period_of

    readings = data.readings
    present = set(data.variables)
    if calibration.variable not in present:
        raise MissingColumnError(
            f"The calibration converts {calibration.variable} values, and there are none.",
            found=f"variables {', '.join(sorted(present)) or 'none'}",
            fix="Apply it to data of the same kind as it was fitted on (same variable, "
            "same corrections before it).",
        )
    if calibration.output in present:
        raise MissingColumnError(
            f"The data already has {calibration.output} values; adding more would mix "
            "calibrations in one variable.",
            found=f"{calibration.output} rows",
            fix="Apply each calibration to data without calibrated values.",
        )
    ids = sorted(
        {str(s) for s in readings.loc[readings["variable"] == calibration.variable, "sensor_id"]}
    )
    wanted = ids if sensors is None else ([sensors] if isinstance(sensors, str) else list(sensors))
    unknown = sorted(set(wanted) - set(ids))
    if unknown:
        raise MissingColumnError(
            f"No {calibration.variable} values for sensor(s) {', '.join(unknown)}.",
            found=f"sensors with {calibration.variable}: {', '.join(ids[:10])}",
            fix="Choose among those with sensors=[...].",
        )
    rows = readings[
        (readings["variable"] == calibration.variable) & readings["sensor_id"].isin(wanted)
    ]
    new = rows.copy()
    new["variable"] = calibration.output
    new["value"] = calibration.intercept + calibration.slope * rows["value"].to_numpy(dtype=float)
    new["unit"] = variables.get(calibration.output).unit
    if METHOD_COLUMN in new.columns:
        new = new.drop(columns=METHOD_COLUMN)
    kind = _period_of(data) or "raw readings"
    applied = Step(
        name="apply_calibration",
        description=(
            f"Applied {calibration.name} to {len(new)} {kind} values of "
            f"{calibration.variable} from {len(wanted)} sensor(s), into {calibration.output} "
            f"(raw values kept); it was fitted on {calibration.period} pairs."
        ),
        parameters={
            "calibration": calibration.method,
            "intercept": calibration.intercept,
            "slope": calibration.slope,
            "variable": calibration.variable,
            "output": calibration.output,
            "sensors": wanted,
            "applied_to": kind,
        },
        citation="",
        touched=len(new),
    )
    fitted = data.replace(step=calibration.step)
    return fitted.replace(readings=_append(readings, new, calibration.method), step=applied)
