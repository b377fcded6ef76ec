"""The US EPA NowCast for particulate matter: a "current" PM value for the AQI, every hour.

The daily AQI for PM2.5 and PM10 needs a 24-hour mean, known only when the day is over.
The NowCast estimates it each hour from the last 12 hourly means, weighting recent hours
more when the air is changing fast [1]_ [2]_ [3]_:

1. Take the last 12 hourly means c1 (the current hour), c2 (an hour earlier) ... c12.
2. The NowCast is reported only when at least 2 of the 3 most recent hours (c1, c2, c3)
   are valid.
3. Over the valid hours, the weight factor is ``w* = c_min / c_max`` (1 minus the range
   scaled by the maximum), and ``w = max(w*, 0.5)``: 0.5 approximates a 3-hour mean,
   1 a plain 12-hour mean.
4. ``NowCast = Σ w^(i-1)·c_i / Σ w^(i-1)``, summing over the valid hours only; a missing
   hour keeps its place (c5 is always weighted ``w^4``).
5. The result is truncated, not rounded, as the AQI asks for its input: PM2.5 to
   0.1 µg/m³, PM10 to 1 µg/m³ [4]_.

EPA's worked example [3]_: the hours 50 80 75 90 82 53 64 74 21 10 16 13 µg/m³ (oldest
first, so c1 = 13) span 90 - 10 = 80; ``1 - 80/90 = 0.11`` is below 0.5, so ``w = 0.5``
and the NowCast is 17.4 µg/m³.

Choices the published method leaves open, made here:

* ``c_max = 0`` (every valid hour is 0 µg/m³): ``w*`` is 0/0; the hours do not change,
  so ``w = 1`` and the NowCast is 0.
* Negative hourly means (possible after a correction or with a sensor's offset) are used
  as they are; ``w`` is kept between 0.5 and 1, and is 1 when ``c_max <= 0``. A negative
  result is truncated towards zero.
* The ozone NowCast is a different method and is not covered.

References
----------
.. [1] US EPA, "The NowCast" fact sheet (AirNow), and formats-and-formulas.md 2.1 of this
   project (checked against sensortoolkit ``_nowcast_pm25.py``).
.. [2] AirNow, "How is the NowCast algorithm used to report current air quality?":
   at least 2 of the 3 most recent hours are needed.
.. [3] AirNow training slides, "Computing the NowCast" (worked example above).
.. [4] US EPA, Technical Assistance Document for the Reporting of Daily Air Quality - the
   Air Quality Index (AQI), EPA-454/B-24-002, May 2024 (truncation of concentrations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import variables as _variables
from .._errors import DataFormatError
from ..history import Step
from ._hourly import hourly_values, refuse_empty, usable_hours
from ._rolling import HourGrid, choose_variables

if TYPE_CHECKING:
    import numpy as np

    from ..sensordata import SensorData

__all__ = ["NOWCAST_HOURS", "nowcast", "nowcast_variables"]

#: Hours the NowCast looks back over, the current one included.
NOWCAST_HOURS = 12
_MIN_WEIGHT = 0.5
_CITATION = (
    "US EPA NowCast for PM (AirNow 'The NowCast' fact sheet; 'Computing the NowCast' "
    "training slides): 12 hours, at least 2 of the 3 most recent valid, w = max(cmin/cmax, "
    "0.5); truncation per EPA-454/B-24-002 (2024)."
)


def _family(name: str) -> str | None:
    """Return ``"pm25"`` or ``"pm10"`` for a PM2.5 or PM10 variable, else ``None``."""
    for family in ("pm25", "pm10"):
        if name == family or name.startswith(f"{family}_"):
            return family
    return None


def nowcast_variables() -> list[str]:
    """Return the canonical variables the NowCast applies to (PM2.5 and PM10 families).

    Returns
    -------
    list of str
        ``pm25``, ``pm10`` and their raw or corrected variants (``pm25_cf1``,
        ``pm25_atm``, ``pm25_alt``, ``pm10_cf1``...): every name that is ``pm25`` or
        ``pm10`` or starts with ``pm25_`` or ``pm10_``.
    """
    return [name for name in _variables.names() if _family(name)]


def nowcast(
    data: SensorData,
    *,
    variables: str | list[str] | None = None,
    timezone: str = "local",
) -> SensorData:
    """Compute the US EPA NowCast of PM2.5 and PM10, one value per hour.

    Parameters
    ----------
    data
        Raw readings (averaged into hours first, with ``average(data, "1h")``, which is
        recorded) or hourly averages (readings with ``period == "1h"``).
    variables
        PM2.5 or PM10 variables to use (see :func:`nowcast_variables`); every such
        variable in the data when ``None``.
    timezone
        Only used to average raw readings into hours: ``"local"`` (each sensor's own
        zone; it matters only for zones half an hour off UTC), ``"UTC"`` or an IANA name.

    Returns
    -------
    SensorData
        One reading per sensor, variable (and channel) and hour from the series' first
        to its last hourly value: ``time`` (UTC start of the current hour c1), ``value``
        (the NowCast, truncated; NaN when not valid), ``unit``, ``period``
        (``"nowcast"``), ``end`` (end of the current hour), ``n_readings`` (valid hours
        of the 12 used), ``n_expected`` (12), ``coverage`` (``n_readings / 12``),
        ``valid`` (at least 2 of c1, c2, c3 valid; not decided by ``coverage``) and
        ``nowcast_weight`` (``w``, NaN when not valid). Hourly values with a quality flag
        count as missing.

    Raises
    ------
    DataFormatError
        For empty data, other variables than PM2.5 and PM10 (the message lists those
        allowed), averages over other periods than an hour, or raw readings further
        apart than an hour.
    UnknownVariableError
        For a name that is not a canonical variable.
    TimestampError
        When raw readings are to be averaged in local time and a sensor's zone is
        unknown.

    Examples
    --------
    EPA's worked example, oldest hour first:

    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-06-01", periods=12, freq="1h", tz="UTC")
    >>> values = [50.0, 80, 75, 90, 82, 53, 64, 74, 21, 10, 16, 13]
    >>> hourly = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "pm25",
    ...     "value": values, "unit": "µg/m³", "period": "1h", "valid": True})
    >>> data = SensorData(hourly, pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]}))
    >>> now = nowcast(data).readings.iloc[-1]
    >>> float(now["value"]), float(now["nowcast_weight"]), int(now["n_readings"])
    (17.4, 0.5, 12)
    """
    import numpy as np

    what = "the NowCast"
    refuse_empty(data, what)
    allowed = nowcast_variables()
    if variables is not None:
        wanted = [variables] if isinstance(variables, str) else list(variables)
        for name in wanted:
            _variables.get(name)  # an unknown name raises with close matches
        refused = [v for v in wanted if not _family(v)]
        if refused:
            raise DataFormatError(
                "The NowCast is defined for PM2.5 and PM10 only.",
                found=f"asked for {refused}",
                fix=f"Use some of {allowed}.",
            )
    else:
        wanted = [v for v in data.variables if _family(v)]
        if not wanted:
            raise DataFormatError(
                "The NowCast is defined for PM2.5 and PM10, and this data has neither.",
                found=f"variables {data.variables}",
                fix=f"Load data with one of {allowed}.",
            )
    chosen = choose_variables(data, wanted, what)
    hourly = hourly_values(chosen, timezone=timezone, what=what)
    grid = HourGrid(hourly.readings, usable=usable_hours(hourly), pad_before=NOWCAST_HOURS - 1)
    value, weight, n_used, valid = _nowcast_values(grid)
    factor = np.array([10.0 if _family(str(v)) == "pm25" else 1.0 for v in grid.keys["variable"]])[
        grid.series
    ]
    value = truncate(value, factor)
    table = grid.table(
        value,
        period="nowcast",
        length_h=1,
        n_used=n_used,
        n_expected=NOWCAST_HOURS,
        valid=valid,
        nowcast_weight=np.where(valid, weight, np.nan),
    )
    step = Step(
        name="nowcast",
        description=(
            f"Computed the EPA NowCast for {len(table)} hours from {grid.used} valid hourly "
            f"values; {int(valid.sum())} hours with at least 2 of the 3 most recent hours "
            "valid. Each value is labelled by the start of its current hour."
        ),
        parameters={
            "variables": sorted(hourly.variables),
            "timezone": timezone,
            "hours": NOWCAST_HOURS,
            "min_recent_valid": "2 of the 3 most recent hours",
            "min_weight": _MIN_WEIGHT,
            "truncation": {"PM2.5": "0.1 µg/m³", "PM10": "1 µg/m³"},
            "all_zero_hours": "w = 1, NowCast 0",
        },
        citation=_CITATION,
        touched=grid.used,
    )
    return hourly.replace(readings=table, step=step)


def _nowcast_values(grid: HourGrid) -> tuple[np.ndarray, ...]:
    """Return NowCast, weight, valid hours used and validity per grid hour (untruncated)."""
    import numpy as np

    n = len(grid.position)
    count = np.zeros(n, dtype=np.int64)
    recent = np.zeros(n, dtype=np.int64)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    for lag in range(NOWCAST_HOURS):  # c1 ... c12: a loop over 12 lags, not readings
        c = grid.values[grid.position - lag]
        present = ~np.isnan(c)
        count += present
        if lag < 3:
            recent += present
        low = np.fmin(low, c)
        high = np.fmax(high, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(high > 0, low / high, 1.0)
    weight = np.clip(np.nan_to_num(ratio, nan=1.0), _MIN_WEIGHT, 1.0)
    top = np.zeros(n)
    bottom = np.zeros(n)
    for lag in range(NOWCAST_HOURS):  # c_i weighs w^(i-1), i - 1 = lag; missing hours: 0
        c = grid.values[grid.position - lag]
        present = ~np.isnan(c)
        power = np.where(present, weight**lag, 0.0)
        top += power * np.where(present, c, 0.0)
        bottom += power
    valid = recent >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(valid, top / bottom, np.nan)
    return value, weight, count, valid


def truncate(value: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """Truncate towards zero to ``1 / factor`` (10: one decimal; 1: whole numbers).

    A value a hair below a step through floating-point error (17.399999999999) keeps
    that step: values are first rounded to 6 decimals of the step.

    Examples
    --------
    >>> import numpy as np
    >>> truncate(np.array([12.39, 17.4139, 54.9]), np.array([10.0, 10.0, 1.0])).tolist()
    [12.3, 17.4, 54.0]
    """
    import numpy as np

    return np.trunc(np.round(np.asarray(value, dtype=float) * factor, 6)) / factor
