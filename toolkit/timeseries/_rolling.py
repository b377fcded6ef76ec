"""Rolling means: 8-hour, 24-hour (any whole number of hours) means of hourly values.

How a rolling 8-hour mean is made:

1. **Hours first.** Raw readings are averaged into hours with
   :func:`toolkit.timeseries.average` (recorded in the history); hourly averages are used
   as they are.
2. **One window per hour.** For every hour from a series' first to its last hourly
   value, the window is that hour and the ``hours - 1`` real hours after it. Windows are
   time-based: an hour with no value, or an invalid one, counts as missing; it is not
   skipped to reach further back or forward. Across a DST change a window is still
   ``hours`` real hours long.
3. **Valid with enough hours.** A window is valid when at least ``min_coverage`` of its
   hours hold a valid hourly value: 6 of 8 hours ("8 hours values: 75 % of values (i.e.
   six hours)", Directive 2008/50/EC Annex VII [1]_), 18 of 24 hours.
4. **Each variable by its rule** (the variables table): arithmetic mean, energy mean for
   decibels, vector mean for wind direction, minimum or maximum. Counts (rule ``sum``)
   are refused: a "mean" of counts over a window with missing hours is neither the total
   nor the rate people expect; use ``average(data, "8h")`` for totals per period.

Labels
------
The toolkit labels every period by its **start**: the 8-hour mean labelled 09:00 covers
09:00-17:00. US EPA does the same for 8-hour ozone: each 8-hour average is stored in its
start hour, and the daily maximum is taken over the 17 averages starting 07:00-23:00
(40 CFR Part 50, Appendix U [2]_). The EU labels by the **end**: each 8-hour average is
"assigned to the day on which it ends", the first of a day running from 17:00 the day
before to 01:00 (Directive 2008/50/EC, Annex VII [1]_). To read a result the EU way, use
the ``end`` column (``time + hours``), or ``readings["time"] + pd.Timedelta(hours=8)``.

References
----------
.. [1] Directive 2008/50/EC on ambient air quality and cleaner air for Europe, Annex VII
   (ozone): data aggregation criteria and the maximum daily 8-hour mean.
.. [2] US EPA, 40 CFR Part 50, Appendix U: interpretation of the 8-hour ozone NAAQS.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import variables as _variables
from .._errors import DataFormatError
from ..history import Step
from ._hourly import hourly_values, refuse_empty, usable_hours

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["rolling_mean"]

_HOUR_NS = 3_600_000_000_000
_CITATION = (
    "Directive 2008/50/EC Annex VII: 8-hour values need 75 % of the hours (six hours); "
    "EU labels 8-hour means by their end, US EPA (40 CFR 50 Appendix U) by their start."
)


def rolling_mean(
    data: SensorData,
    *,
    hours: int = 8,
    min_coverage: float = 0.75,
    timezone: str = "local",
    variables: str | list[str] | None = None,
) -> SensorData:
    """Compute rolling means over ``hours`` hours of hourly values, one window per hour.

    Parameters
    ----------
    data
        Raw readings (averaged into hours first, with ``average(data, "1h")``) or hourly
        averages (readings with ``period == "1h"``).
    hours
        Window length in whole hours: 8 (default, as for ozone and CO) or 24, or any
        whole number from 1.
    min_coverage
        Share (0-1) of the window's hours that must hold a valid hourly value: with the
        default 0.75, 6 of 8 hours or 18 of 24 hours [1]_.
    timezone
        Only used to average raw readings into hours: ``"local"`` (each sensor's own
        zone; needed only for zones half an hour off UTC), ``"UTC"`` or an IANA name.
    variables
        The variable or variables to use; every variable of the data when ``None``.

    Returns
    -------
    SensorData
        One reading per sensor, variable (and channel) and hour from the series' first
        to its last hourly value: ``time`` (UTC start of the window), ``value`` (NaN
        when not valid), ``unit``, ``period`` (``"8h rolling"``), ``end`` (``time +
        hours``; the EU label), ``n_readings`` (valid hours in the window),
        ``n_expected`` (``hours``), ``coverage`` (0-1) and ``valid``. Hourly values that
        carry a quality flag count as missing.

    Raises
    ------
    ValueError
        For ``hours`` that is not a whole number from 1, or ``min_coverage`` outside
        0-1.
    DataFormatError
        For empty data, averages over periods other than an hour, raw readings further
        apart than an hour, or counts (variables whose rule is ``sum``).
    UnknownVariableError
        For a name that is not a canonical variable.
    TimestampError
        When raw readings are to be averaged in local time and a sensor's zone is
        unknown.

    See Also
    --------
    toolkit.timeseries.average : fixed (not rolling) 8-hour blocks, days and longer.

    Notes
    -----
    Wind directions are averaged as unit vectors (``atan2`` of the mean sine and cosine
    of the hourly directions), unweighted by wind speed; a window whose directions cancel
    out has no mean direction (NaN). Minima and maxima (``la_min``, ``la_max``) give the
    lowest or highest hourly value of the window.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-06-01", periods=8, freq="1h", tz="UTC")
    >>> hourly = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "o3",
    ...     "value": [60.0, 70, 80, 90, 100, 110, 120, 130], "unit": "µg/m³",
    ...     "period": "1h", "valid": True})
    >>> data = SensorData(hourly, pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]}))
    >>> rolled = rolling_mean(data, hours=8).readings
    >>> rolled[["value", "n_readings", "valid"]].head(4).values.tolist()
    [[95.0, 8, True], [100.0, 7, True], [105.0, 6, True], [nan, 5, False]]

    The window starting at 03:00 holds only 5 of its 8 hours (the data end at 07:00).
    """
    import numpy as np

    if isinstance(hours, bool) or not isinstance(hours, int | np.integer) or hours < 1:
        msg = f"hours must be a whole number of hours from 1 (8 or 24), not {hours!r}."
        raise ValueError(msg)
    if not 0 < min_coverage <= 1:
        msg = f"min_coverage must be a share above 0 and at most 1 (0.75), not {min_coverage}."
        raise ValueError(msg)
    hours = int(hours)
    what = f"{hours}-hour rolling means"
    chosen = choose_variables(data, variables, what)
    counts = [v for v in chosen.variables if _variables.get(v).aggregation == "sum"]
    if counts:
        others = [v for v in chosen.variables if v not in counts]
        raise DataFormatError(
            "Rolling means of counts are not made: over a window with missing hours, "
            "neither their total nor their mean means what people expect.",
            found=f"counts {counts}",
            fix=f"Leave them out with variables={others!r}; for totals per 8 hours or per "
            "day use toolkit.timeseries.average(data, '8h') or average(data, 'day').",
        )
    hourly = hourly_values(chosen, timezone=timezone, what=what)
    grid = HourGrid(hourly.readings, usable=usable_hours(hourly), pad_after=hours - 1)
    rule = grid.rule_of_hour()
    value, n_used = _window_aggregate(grid, rule, hours)
    need = required_hours(hours, min_coverage)
    valid = n_used >= need
    table = grid.table(
        value,
        period=f"{hours}h rolling",
        length_h=hours,
        n_used=n_used,
        n_expected=hours,
        valid=valid,
    )
    step = Step(
        name="rolling_mean",
        description=(
            f"Made {len(table)} {hours}-hour rolling means, one per hour, labelled by the "
            f"start of the window, from {grid.used} valid hourly values; "
            f"{int(valid.sum())} valid with at least {need} of {hours} hours."
        ),
        parameters={
            "hours": hours,
            "min_coverage": min_coverage,
            "min_valid_hours": need,
            "timezone": timezone,
            "variables": sorted(hourly.variables),
            "label": "start of the window (EU: add hours for the end label)",
            "rules": {v: _variables.get(v).aggregation for v in sorted(hourly.variables)},
        },
        citation=_CITATION,
        touched=grid.used,
    )
    return hourly.replace(readings=table, step=step)


def _window_aggregate(
    grid: HourGrid, rule: np.ndarray, hours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate each grid hour's forward window of ``hours`` hours by its rule."""
    import numpy as np

    raw = grid.values
    present = ~np.isnan(raw)
    energy = rule == "energy_mean"
    vector = rule == "vector_mean"
    # What each hour adds to its windows: the value, its power for decibels, its sine
    # (and cosine) for directions; nothing where there is no valid value.
    at_hour = raw[grid.position]
    with np.errstate(invalid="ignore", over="ignore"):
        power = np.power(10.0, np.where(energy, at_hour, 0.0) / 10.0)
    radians = np.deg2rad(np.where(vector, at_hour, 0.0))
    added = np.zeros(len(raw))
    added[grid.position] = np.where(energy, power, np.where(vector, np.sin(radians), at_hour))
    added[~present] = 0.0
    cosine = np.zeros(len(raw))
    cosine[grid.position] = np.where(vector, np.cos(radians), 0.0)
    cosine[~present] = 0.0
    n = len(grid.position)
    total = np.zeros(n)
    total_cos = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    any_vector = bool(vector.any())
    any_extreme = bool(np.isin(rule, ["min", "max"]).any())
    for k in range(hours):  # a loop over the hours of a window, not over readings
        at = grid.position + k
        total += added[at]
        count += present[at]
        if any_vector:
            total_cos += cosine[at]
        if any_extreme:
            low = np.fmin(low, raw[at])
            high = np.fmax(high, raw[at])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        value = np.where(energy, 10 * np.log10(mean), mean)
        direction = np.rad2deg(np.arctan2(total, total_cos)) % 360
        direction = np.where(np.isclose(direction, 360.0), 0.0, direction)
        cancel = np.hypot(total, total_cos) < 1e-9 * np.maximum(count, 1)
        value = np.where(vector, np.where(cancel, np.nan, direction), value)
    value = np.where(rule == "min", low, np.where(rule == "max", high, value))
    value = np.where(count > 0, value, np.nan)
    return value, count


def choose_variables(data: SensorData, variables: str | list[str] | None, what: str) -> SensorData:
    """Keep the asked-for variables (recorded as a ``select`` step); check they exist."""
    refuse_empty(data, what)
    if variables is None:
        return data
    wanted = [variables] if isinstance(variables, str) else list(variables)
    for name in wanted:
        _variables.get(name)  # an unknown name raises with close matches
    absent = [v for v in wanted if v not in data.variables]
    if absent:
        raise DataFormatError(
            f"Variables asked for {what} are not in this data.",
            found=f"absent {absent}; present {data.variables}",
            fix=f"Use some of {data.variables}.",
        )
    if set(wanted) == set(data.variables):
        return data
    return data.select(variables=wanted)


class HourGrid:
    """Hourly values of each series laid out on a regular hourly grid (a private helper).

    Each series takes one block of a flat array: ``pad_before`` empty hours, then every
    hour from its first to its last hourly value, then ``pad_after`` empty hours, so
    that looking ``k`` hours back or forward never reaches another series. Missing and
    invalid hours hold NaN.

    Attributes
    ----------
    keys
        One row per series: ``sensor_id``, ``variable``, ``channel``, ``unit``.
    series, time
        Per grid hour (the real hours, not the padding): series number and UTC start
        [ns since the epoch].
    position
        Per grid hour: its place in the flat arrays.
    values
        The flat array of hourly values (NaN where none).
    used
        How many valid hourly values were placed.
    """

    def __init__(
        self, hourly: pd.DataFrame, *, usable: np.ndarray, pad_before: int = 0, pad_after: int = 0
    ) -> None:
        import numpy as np
        import pandas as pd

        from ..cadence import group_codes

        codes, keys = group_codes(hourly)
        code = codes.to_numpy()
        stamps = pd.DatetimeIndex(hourly["time"]).as_unit("ns").asi8
        n_series = len(keys)
        by_series = pd.Series(stamps).groupby(code)
        first = by_series.min().reindex(range(n_series)).to_numpy()
        last = by_series.max().reindex(range(n_series)).to_numpy()
        first_row = pd.Series(np.arange(len(code))).groupby(code).first()
        keys["unit"] = hourly["unit"].to_numpy()[first_row.reindex(range(n_series)).to_numpy()]
        length = (last - first) // _HOUR_NS + 1
        block = pad_before + length + pad_after
        offset = np.concatenate([[0], np.cumsum(block)[:-1]])
        index = (stamps - first[code]) // _HOUR_NS
        place = offset[code] + pad_before + index
        taken = np.zeros(int(block.sum()), dtype=bool)
        taken[place] = True
        repeated = len(place) - int(taken.sum())
        if repeated:
            raise DataFormatError(
                "Some sensor has more than one hourly value for the same variable and hour.",
                found=f"{repeated} repeated hours",
                fix="Make hourly values once, with toolkit.timeseries.average(data, '1h').",
            )
        values = np.full(int(block.sum()), np.nan)
        values[place[usable]] = hourly["value"].to_numpy(dtype=float)[usable]
        self.keys = keys
        self.series = np.repeat(np.arange(n_series), length)
        within = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
        self.time = first[self.series] + within * _HOUR_NS
        self.position = offset[self.series] + pad_before + within
        self.values = values
        self.used = int(usable.sum())

    def rule_of_hour(self) -> np.ndarray:
        """Return the aggregation rule of each grid hour (from its variable)."""
        import numpy as np

        rules = np.array([_variables.get(str(v)).aggregation for v in self.keys["variable"]])
        return rules[self.series]

    def table(
        self,
        value: np.ndarray,
        *,
        period: str,
        length_h: int,
        n_used: np.ndarray,
        n_expected: float,
        valid: np.ndarray,
        **extra: Any,
    ) -> pd.DataFrame:
        """Return an averaged readings table (``AVERAGED_COLUMNS``) of the grid hours."""
        import numpy as np
        import pandas as pd

        from ..sensordata import normalise_readings

        def expand(per_series: pd.Series) -> pd.Categorical:
            # Per series -> per grid hour, through category codes (no strings repeated).
            codes, names = pd.factorize(per_series.to_numpy())  # missing -> -1
            categories = pd.Index([str(n) for n in names], dtype="str")
            return pd.Categorical.from_codes(codes[self.series], categories)

        keys = self.keys
        columns: dict[str, Any] = {
            "sensor_id": expand(keys["sensor_id"]),
            "time": pd.Series(self.time.view("M8[ns]"), dtype="datetime64[ns, UTC]"),
            "variable": expand(keys["variable"]),
            "value": np.where(valid, value, np.nan),
            "unit": expand(keys["unit"]),
        }
        if keys["channel"].notna().any():
            columns["channel"] = expand(keys["channel"])
        columns.update(
            {
                "period": period,
                "end": pd.Series(
                    (self.time + length_h * _HOUR_NS).view("M8[ns]"),
                    dtype="datetime64[ns, UTC]",
                ),
                "n_readings": n_used.astype(np.int64),
                "n_expected": float(n_expected),
                "coverage": np.minimum(n_used / n_expected, 1.0),
                "valid": valid.astype(bool),
            }
        )
        columns.update(extra)
        return normalise_readings(pd.DataFrame(columns))


def required_hours(hours: int, min_coverage: float) -> int:
    """Return the valid hours a window needs: ``ceil(min_coverage * hours)``, at least 1."""
    return max(1, math.ceil(min_coverage * hours - 1e-9))
