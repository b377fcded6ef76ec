"""Averaging readings over periods, with honest data-capture rules.

How a number like "the daily mean was 17 µg/m³" is made:

1. **Hours first.** Readings are averaged per sensor, variable (and channel) into the
   hours of the local clock. An hour is *valid* when the readings present and not
   flagged by a quality rule are at least ``min_coverage`` (75 %) of the readings
   expected. The expected number comes from the sensor's own cadence (a sensor that
   reports every 147 s should give 24.5 readings an hour), detected from the data or
   given, so jittery timestamps do not make hours look incomplete.
2. **Then longer periods from hours.** An 8-hour, daily, weekly, monthly or yearly value
   is the aggregate of its valid hours, and it is valid when at least ``min_coverage``
   of its hours are valid: 6 of 8 hours, 18 of a 24-hour day. A local day lasts 23 or
   25 hours when clocks change, and its expected hours say so. Building days from hours
   keeps a sensor that sent more readings in some hours from weighting those hours more.
3. **Each variable by its own rule** (the variables table): arithmetic mean for
   concentrations and temperature; energy mean for decibels,
   ``10·log10(mean(10^(L/10)))``; sum for counts; vector mean for wind direction,
   ``atan2(mean(sin θ), mean(cos θ))``; minimum or maximum where that is the rule.

Periods shorter than an hour (``"10min"``) are averaged straight from readings. Every
period is labelled by its start (UTC in the table; local time is where it is read).

References
----------
.. [1] Directive 2008/50/EC, Annex VII: one-hour values need 75 % of the data (45
   minutes), eight-hour values 75 % of the hours (six hours).
.. [2] US EPA, 40 CFR Part 50, Appendix N: a 24-hour PM2.5 value from hourly data needs
   75 % of the hours (18 hours).
.. [3] ISO 1996-1:2016, equivalent continuous sound level (energy averaging of levels).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from .. import variables as _variables
from .._errors import MissingColumnError
from .._periods import parse_period, period_bounds, sensor_timezones
from ..history import Step

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["AVERAGED_COLUMNS", "DEFAULT_MIN_COVERAGE", "average"]

#: Share of expected readings (or hours) a period needs to be valid.
DEFAULT_MIN_COVERAGE = 0.75
#: Columns an averaged readings table has besides the standard ones.
AVERAGED_COLUMNS = ("period", "end", "n_readings", "n_expected", "coverage", "valid")
_HOUR_NS = 3_600_000_000_000
#: At most this many steps between readings are used for a series' median cadence.
_CADENCE_SAMPLE = 20_000
_CITATION = (
    "Data capture 75 %: Directive 2008/50/EC Annex VII (hours, 8-hour values); "
    "US EPA 40 CFR 50 Appendix N (18 of 24 hours for a day)."
)


def average(
    data: SensorData,
    period: str = "1h",
    *,
    timezone: str = "local",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    exclude_flagged: bool = True,
    cadence: float | dict[str, float] | None = None,
) -> SensorData:
    """Average readings over periods, keeping each period's data capture beside its value.

    Parameters
    ----------
    data
        Readings as loaded (and, if wished, checked by :mod:`toolkit.quality`). A
        :class:`toolkit.engine.LazySensorData` is averaged inside DuckDB
        (:func:`toolkit.engine._average.average_lazy`), with the same results.
    period
        ``"1h"`` (default), a shorter length such as ``"10min"``, ``"8h"``, or
        ``"day"``, ``"week"`` (from Monday), ``"month"``, ``"year"``.
    timezone
        ``"local"`` (default): each sensor's own zone from ``data.sensors`` (set it with
        :meth:`SensorData.with_timezone`); ``"UTC"``; or any IANA zone name.
    min_coverage
        Share (0-1) of the expected readings, or of the hours, needed for a valid value.
    exclude_flagged
        Leave out readings flagged by a quality rule (default). They count as missing.
    cadence
        Seconds between readings, for all series or per sensor id; detected from the data
        when ``None`` (see :func:`toolkit.cadence.cadence`).

    Returns
    -------
    SensorData
        One reading per sensor, variable (and channel) and period with data:
        ``time`` (UTC start of the period), ``value`` (NaN when not valid), ``unit``, and
        ``period``, ``end`` (UTC), ``n_readings`` (readings, or valid hours, used),
        ``n_expected``, ``coverage`` (0-1, at most 1) and ``valid``. Periods with no
        reading at all are not listed. The history records the step and its rules.

    Raises
    ------
    ValueError
        For an unknown period or a ``min_coverage`` outside 0-1.
    TimestampError
        When local time is asked for sensors whose time zone is unknown.

    Notes
    -----
    Counts are summed over the valid hours only: a day valid with 20 of 24 hours
    undercounts the missing four, and its coverage says so.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-01-01", periods=60, freq="1min", tz="UTC")
    >>> readings = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "pm25",
    ...                          "value": 10.0, "unit": "µg/m³"})
    >>> sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]})
    >>> hourly = average(SensorData(readings, sensors), "1h")
    >>> hourly.readings[["value", "n_readings", "coverage", "valid"]].values.tolist()
    [[10.0, 60, 1.0, True]]
    """
    if getattr(data, "engine", None) == "duckdb":  # a LazySensorData: readings on disk
        from ..engine._dask import active

        if active() is not None:  # toolkit.engine.use_dask(...): on a Dask cluster
            from ..engine._dask import average_dask

            return average_dask(
                data,
                period,
                timezone=timezone,
                min_coverage=min_coverage,
                exclude_flagged=exclude_flagged,
                cadence=cadence,
            )
        from ..engine._average import average_lazy

        return average_lazy(
            data,
            period,
            timezone=timezone,
            min_coverage=min_coverage,
            exclude_flagged=exclude_flagged,
            cadence=cadence,
        )
    import pandas as pd

    from ..sensordata import normalise_readings

    spec = parse_period(period)
    if not 0 <= min_coverage <= 1:
        msg = f"min_coverage must be a share between 0 and 1 (0.75 is 75 %), not {min_coverage}."
        raise ValueError(msg)
    missing = [c for c in AVERAGED_COLUMNS if c in data.readings.columns]
    if missing:
        raise MissingColumnError(
            "These readings are averages already.",
            found=f"columns {missing}",
            fix="Average the readings as loaded (before averaging), or use the averaged "
            "values directly.",
        )
    zones, in_utc = _zones(data, timezone, spec)
    readings = data.readings
    usable = readings["value"].notna()
    n_flagged = 0
    if exclude_flagged and data.flag_columns:
        flagged = data.flagged
        n_flagged = int((flagged & usable).sum())
        usable &= ~flagged
    hourly, cadences = _from_readings(
        readings,
        usable.to_numpy(),
        zones,
        parse_period("1h") if spec.fixed is None or spec.fixed > pd.Timedelta("1h") else spec,
        min_coverage,
        cadence,
    )
    table = hourly if spec.follows_each_reading else _from_hours(hourly, zones, spec, min_coverage)
    parameters: dict[str, Any] = {
        "period": spec.name,
        "timezone": timezone,
        "min_coverage": min_coverage,
        "exclude_flagged": exclude_flagged,
        "cadence_s": cadences,
        "rules": {v: _variables.get(v).aggregation for v in sorted(table["variable"].unique())},
    }
    if in_utc:
        parameters["utc_for_unknown_zones"] = in_utc
    step = Step(
        name="average",
        description=(
            f"Averaged {int(usable.sum())} readings into {len(table)} {spec.name} values "
            f"({int(table['valid'].sum())} valid with at least {min_coverage:.0%} data "
            f"capture); {n_flagged} flagged readings left out."
            + (
                f" The time zone of {len(in_utc)} sensor(s) is unknown "
                f"({', '.join(in_utc[:5])}{' ...' if len(in_utc) > 5 else ''}): their "
                f"{spec.name} periods run in UTC, which are the same instants as local "
                "ones wherever the zone is a whole number of hours from UTC."
                if in_utc
                else ""
            )
        ),
        parameters=parameters,
        citation=_CITATION,
        touched=int(usable.sum()),
    )
    return data.replace(readings=normalise_readings(table), step=step)


def _zones(data: SensorData, timezone: str, spec: Any) -> tuple[dict[str, str], list[str]]:
    """Each sensor's zone for ``spec``, and the sensors whose unknown zone became UTC.

    Periods of an hour or less start at the same instants in local time and in UTC
    wherever a zone is a whole number of hours from UTC (most of the world), so a sensor
    whose zone is unknown (a madavi.de file has no coordinates) is averaged by the hour in
    UTC, and the history says so. Days, weeks and longer periods, and 8-hour blocks, need
    the sensor's zone: their error says how to give it.
    """
    import pandas as pd

    from .._errors import TimestampError

    try:
        return sensor_timezones(data, timezone), []
    except TimestampError:
        short = spec.fixed is not None and spec.fixed <= pd.Timedelta("1h")
        if timezone not in (None, "local") or not short:
            raise
    known = dict(zip(data.sensors["sensor_id"].astype(str), data.sensors["timezone"], strict=True))
    used = sorted({str(s) for s in data.readings["sensor_id"].unique()})
    unknown = [s for s in used if not isinstance(known.get(s), str) or not known[s]]
    return {s: "UTC" if s in unknown else known[s] for s in used}, unknown


# -- from readings to periods of up to an hour ------------------------------------------
def _offsets(
    stamps: np.ndarray, zone_of_row: np.ndarray, zones: list[str], length: int
) -> np.ndarray | None:
    """UTC offset [ns] of each reading's local clock, looked up once per UTC hour.

    Returns ``None`` when no offset matters: when every offset met is a whole number of
    periods (a zone one or two hours from UTC, averaged by the hour), local and UTC
    period boundaries are the same instants.
    """
    import numpy as np
    import pandas as pd

    offsets: np.ndarray | None = None
    for z, zone in enumerate(zones):
        if zone in ("UTC", "Etc/UTC"):
            continue
        rows = zone_of_row == z if len(zones) > 1 else slice(None)
        hours = stamps[rows] // _HOUR_NS
        low, high = int(hours.min(initial=0)), int(hours.max(initial=0))
        dense = high - low < 10_000_000  # a table of every hour in the range
        codes, present = (None, np.arange(low, high + 1)) if dense else pd.factorize(hours)
        utc = pd.DatetimeIndex(present * _HOUR_NS, tz="UTC")
        table = utc.tz_convert(zone).tz_localize(None).asi8 - utc.tz_localize(None).asi8
        if not np.any(table % length):
            continue  # boundaries fall on the same instants as in UTC
        if offsets is None:
            offsets = np.zeros(len(stamps), dtype=np.int64)
        offsets[rows] = table[hours - low] if dense else table[codes]
    return offsets


def _series_cadence(
    code: np.ndarray,
    step_time: np.ndarray,
    n_series: int,
    sensor_of_series: list[str],
    given: float | dict[str, float] | None,
) -> np.ndarray:
    """Cadence [s] per series: given, or the median step between consecutive readings.

    ``code`` must be sorted (each series together, in time order) and ``step_time`` its
    steps in ns. For a long series the median is taken over at most
    :data:`_CADENCE_SAMPLE` steps spread evenly over it.
    """
    import numpy as np

    out = np.full(n_series, np.nan)
    if isinstance(given, int | float):
        out[:] = float(given)
        return out
    bounds = np.r_[0, np.flatnonzero(np.diff(code)) + 1, len(code)]
    for start, stop in itertools.pairwise(bounds):
        steps = step_time[start : stop - 1]  # steps inside the series only
        stride = max(1, len(steps) // _CADENCE_SAMPLE)
        sample = steps[::stride]
        sample = sample[sample > 0]
        if len(sample):
            out[code[start]] = float(np.median(sample)) / 1e9
    if isinstance(given, dict):
        for s, sensor in enumerate(sensor_of_series):
            if sensor in given:
                out[s] = float(given[sensor])
    return out


def _from_readings(
    readings: pd.DataFrame,
    usable: np.ndarray,
    zones: dict[str, str],
    spec: Any,
    min_coverage: float,
    given_cadence: float | dict[str, float] | None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Average readings into periods of up to an hour (local clock of each reading)."""
    import numpy as np
    import pandas as pd

    from ..cadence import group_codes

    codes, keys = group_codes(readings)
    code = codes.to_numpy()
    stamps = pd.DatetimeIndex(readings["time"]).as_unit("ns").asi8
    n = len(code)
    # Series in order and each series in time order (as readers give them)?
    step_code, step_time = np.diff(code), np.diff(stamps)
    ordered = bool(np.all(step_code >= 0) and np.all((step_code != 0) | (step_time >= 0)))
    if not ordered:
        order = np.lexsort((stamps, code))
        code, stamps, usable = code[order], stamps[order], usable[order]
        values = readings["value"].to_numpy()[order]
        step_time = np.diff(stamps)
    else:
        values = readings["value"].to_numpy()
    sensor_of_series = [str(s) for s in keys["sensor_id"]]
    zone_list = sorted(set(zones.values()))
    series_zone = np.array([zone_list.index(zones[s]) for s in sensor_of_series], dtype=np.int64)
    length = int(spec.fixed.value)
    offsets = _offsets(stamps, series_zone[code], zone_list, length)
    start = (
        stamps // length * length
        if offsets is None
        else (stamps + offsets) // length * length - offsets
    )

    # Group boundaries: a new group where the series or the period start changes.
    change = np.ones(n, dtype=bool)
    if n:
        change[1:] = (code[1:] != code[:-1]) | (start[1:] != start[:-1])
    first = np.flatnonzero(change)
    group_series = code[first]
    group_start = start[first]
    cadence_s = _series_cadence(code, step_time, len(keys), sensor_of_series, given_cadence)
    rules = [_variables.get(str(v)).aggregation for v in keys["variable"]]
    value, n_used = _aggregate_runs(values, usable, first, group_series, rules)
    expected = (length / 1e9) / cadence_s[group_series]
    coverage = np.minimum(np.where(expected > 0, n_used / expected, 0.0), 1.0)
    coverage = np.nan_to_num(coverage, nan=0.0)
    valid = coverage >= min_coverage - 1e-12
    if not len(first):
        valid = np.zeros(0, dtype=bool)
    table = _table(
        keys,
        readings,
        group_series,
        group_start,
        group_start + length,
        np.where(valid, value, np.nan),
        spec.name,
        n_used,
        expected,
        coverage,
        valid,
    )
    cadences = {
        f"{s} {v}" + (f" {c}" if isinstance(c, str) and c else ""): round(float(x), 1)
        for s, v, c, x in zip(
            keys["sensor_id"], keys["variable"], keys["channel"], cadence_s, strict=True
        )
    }
    return table, cadences


def _aggregate_runs(
    values: np.ndarray,
    usable: np.ndarray,
    first: np.ndarray,
    group_series: np.ndarray,
    rule_of_series: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate consecutive runs starting at ``first`` by the rule of each run's series."""
    import numpy as np

    rule_code = (
        np.array([sorted(set(rule_of_series)).index(r) for r in rule_of_series], dtype=np.int64)
        if rule_of_series
        else np.zeros(0, dtype=np.int64)
    )
    rule_names = sorted(set(rule_of_series))
    rule = rule_code[group_series] if len(first) else np.zeros(0, dtype=np.int64)
    x = np.where(usable, values, 0.0)
    n_used = np.add.reduceat(usable.astype(np.int64), first) if len(first) else np.zeros(0, int)
    out = np.full(len(first), np.nan)
    if not len(first):
        return out, n_used
    with np.errstate(invalid="ignore", divide="ignore"):
        for index, name in enumerate(rule_names):
            which = rule == index
            if name == "mean":
                result = np.add.reduceat(x, first) / n_used
            elif name == "sum":
                result = np.where(n_used > 0, np.add.reduceat(x, first), np.nan)
            elif name == "energy_mean":
                power = np.where(usable, np.power(10.0, values / 10.0), 0.0)
                result = 10 * np.log10(np.add.reduceat(power, first) / n_used)
            elif name == "vector_mean":
                radians = np.deg2rad(values)
                sin = np.add.reduceat(np.where(usable, np.sin(radians), 0.0), first)
                cos = np.add.reduceat(np.where(usable, np.cos(radians), 0.0), first)
                result = np.rad2deg(np.arctan2(sin, cos)) % 360
                # Directions that cancel out (north and south) have no mean direction.
                result = np.where(np.hypot(sin, cos) < 1e-9 * np.maximum(n_used, 1), np.nan, result)
                result = np.where(np.isclose(result, 360.0), 0.0, result)
            else:  # min or max
                fill = np.inf if name == "min" else -np.inf
                ufunc = np.minimum if name == "min" else np.maximum
                result = ufunc.reduceat(np.where(usable, values, fill), first)
            out[which] = result[which]
    out[n_used == 0] = np.nan
    return out, n_used


def _table(
    keys: pd.DataFrame,
    readings: pd.DataFrame,
    series: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
    period: str,
    n_used: np.ndarray,
    expected: np.ndarray,
    coverage: np.ndarray,
    valid: np.ndarray,
) -> pd.DataFrame:
    """Assemble an averaged readings table from per-group arrays."""
    import numpy as np
    import pandas as pd

    def per_series(values: pd.Series) -> pd.Categorical:
        codes, uniques = pd.factorize(values.astype(object))
        return pd.Categorical.from_codes(codes[series], [str(u) for u in uniques], validate=False)

    # Readings are always in the canonical unit of their variable.
    units = pd.Series([_variables.get(str(v)).unit for v in keys["variable"]], dtype=object)
    data: dict[str, Any] = {
        "sensor_id": per_series(keys["sensor_id"]),
        "time": pd.Series(
            np.asarray(start, dtype=np.int64).view("M8[ns]"), dtype="datetime64[ns, UTC]"
        ),
        "variable": per_series(keys["variable"]),
        "value": np.asarray(value, dtype=float),
        "unit": per_series(units),
    }
    if keys["channel"].notna().any():
        data["channel"] = per_series(keys["channel"].fillna(""))
        data["channel"] = (
            data["channel"].remove_categories([""])
            if "" in data["channel"].categories
            else data["channel"]
        )
    data.update(
        {
            "period": period,
            "end": pd.Series(
                np.asarray(end, dtype=np.int64).view("M8[ns]"), dtype="datetime64[ns, UTC]"
            ),
            "n_readings": np.asarray(n_used, dtype=np.int64),
            "n_expected": np.asarray(expected, dtype=float),
            "coverage": np.asarray(coverage, dtype=float),
            "valid": np.asarray(valid, dtype=bool),
        }
    )
    return pd.DataFrame(data)


# -- from hours to longer periods -------------------------------------------------------
def _from_hours(
    hourly: pd.DataFrame, zones: dict[str, str], spec: Any, min_coverage: float
) -> pd.DataFrame:
    """Aggregate valid hourly values into 8-hour, daily or longer local periods."""
    import numpy as np
    import pandas as pd

    from ..cadence import group_codes

    if hourly.empty:
        return _table(
            pd.DataFrame({"sensor_id": [], "variable": [], "channel": []}),
            hourly,
            np.zeros(0, int),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            spec.name,
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, bool),
        )
    starts = pd.Series(pd.NaT, index=hourly.index, dtype="datetime64[ns, UTC]")
    ends = starts.copy()
    sensor = hourly["sensor_id"].astype(str)
    for zone in sorted(set(zones.values())):
        rows = sensor.map(zones).eq(zone).to_numpy()
        s, e = period_bounds(hourly.loc[rows, "time"], zone, spec)
        starts[rows] = s.to_numpy()
        ends[rows] = e.to_numpy()
    codes, keys = group_codes(hourly)
    frame = pd.DataFrame(
        {
            "series": codes.to_numpy(),
            "start": pd.DatetimeIndex(starts).asi8,
            "end": pd.DatetimeIndex(ends).asi8,
            "value": hourly["value"].to_numpy(),
            "valid": hourly["valid"].to_numpy(),
        }
    ).sort_values(["series", "start"], kind="stable")
    change = np.ones(len(frame), dtype=bool)
    change[1:] = (frame["series"].to_numpy()[1:] != frame["series"].to_numpy()[:-1]) | (
        frame["start"].to_numpy()[1:] != frame["start"].to_numpy()[:-1]
    )
    first = np.flatnonzero(change)
    series = frame["series"].to_numpy()[first]
    rules = [_variables.get(str(v)).aggregation for v in keys["variable"]]
    value, n_hours = _aggregate_runs(
        frame["value"].to_numpy(), frame["valid"].to_numpy(), first, series, rules
    )
    start = frame["start"].to_numpy()[first]
    end = frame["end"].to_numpy()[first]
    expected = (end - start) / _HOUR_NS
    coverage = np.minimum(n_hours / expected, 1.0)
    valid = coverage >= min_coverage - 1e-12
    return _table(
        keys,
        hourly,
        series,
        start,
        end,
        np.where(valid, value, np.nan),
        spec.name,
        n_hours,
        expected,
        coverage,
        valid,
    )
