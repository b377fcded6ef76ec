"""Air-quality indices and exceedances: the dashboard's number, with every choice shown.

:func:`aqi`
    Turns concentrations into an index: the US EPA AQI (2024, or before 2024), the
    European Air Quality Index, the UK DAQI, India's NAQI, or a scale of your own
    (:func:`toolkit.standards.custom`). Each pollutant gets a sub-index; the overall
    index is the worst sub-index where the standard says so.
:func:`sub_index`
    The lookup alone, for numbers you type in (checking a dashboard by hand).
:func:`exceedances`
    Counts the hours or days above a guideline or limit value (WHO 2021, EU directives,
    or your own threshold), with how many periods had enough data to count.

How the US EPA AQI is made (EPA-454/B-24-002, 2024)
--------------------------------------------------
1. **Average as the standard says.** PM2.5 and PM10: the 24-hour mean of a local day
   (midnight to midnight); O3 and CO: running 8-hour means; NO2 and SO2: hourly means
   (SO2 also 24-hour means above AQI 200); O3 also hourly means where they are more
   precautionary. Averages come from :mod:`toolkit.timeseries` with its data-capture
   rule (75 %), and are recorded in the history. Or ask for ``nowcast=True`` to use the
   hourly NowCast for PM, as AirNow's "current" AQI does.
2. **Convert and truncate.** Gases are stored in µg/m³ (CO in mg/m³); EPA's tables are in
   ppm or ppb, so values are converted at 25 °C and 1013.25 hPa (the US convention,
   :func:`toolkit.units.conversion`). Then the concentration is *truncated* (not
   rounded): O3 to 0.001 ppm, PM2.5 to 0.1 µg/m³, PM10 to 1 µg/m³, CO to 0.1 ppm, SO2
   and NO2 to 1 ppb. So 35.45 µg/m³ counts as 35.4 (AQI 100), not 35.5 (AQI 101).
3. **Interpolate within the band** ``I = (I_hi − I_lo) / (C_hi − C_lo) × (C − C_lo) +
   I_lo`` and **round** the index to the nearest integer (halves up).
4. **Above the top breakpoint** (PM2.5 above 325.4 µg/m³) the AQI is "Beyond the AQI":
   by default the top band's line is extended (``beyond="extrapolate"``; 40 CFR 58
   Appendix G, section 12, as quoted by MazamaScience/AirMonitor: "you may use the last
   two breakpoints"), and ``beyond_table`` says so; ``beyond="cap"`` gives 500,
   ``"missing"`` gives no number. EPA advises following the Hazardous recommendations,
   so the colour is Hazardous maroon.
5. **Tables that stop.** 8-hour ozone defines no AQI above 0.200 ppm (the 1-hour value
   is used); 1-hour SO2 none above 304 ppb (held at 200; the 24-hour value decides
   higher values); the 1-hour ozone table starts at 0.125 ppm. Such rows have no value
   and a ``note``.
6. **Overall**: the worst sub-index of each local day (or hour, for hourly indices and
   the NowCast), with the ``dominant`` pollutant.

The European AQI and the UK DAQI give the band's number (1-6, 1-10) without
interpolation; India's NAQI interpolates like the US AQI and needs at least three
pollutants, one of them PM, for the overall index. Details and sources are in
``toolkit/standards/*.csv`` and :func:`toolkit.standards.get`.

References
----------
.. [1] US EPA, Technical Assistance Document for the Reporting of Daily Air Quality -
   the Air Quality Index (AQI), EPA-454/B-24-002, May 2024.
.. [2] Reconsideration of the National Ambient Air Quality Standards for Particulate
   Matter, 89 FR 16202, 6 March 2024 (effective 6 May 2024): the revised AQI.
.. [3] AirNow, "The AQI Equation (2024)": truncation of concentrations and rounding of
   the index.
.. [4] Directive 2008/50/EC, Annex VII: the maximum daily 8-hour mean and its
   data-capture rule.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import variables as _variables
from ._errors import DataFormatError, MissingColumnError
from .history import History, Step

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy as np
    import pandas as pd

    from .sensordata import SensorData
    from .standards import Guideline, Standard, Table

__all__ = ["BEYOND_RULES", "INDEX_COLUMNS", "aqi", "exceedances", "sub_index"]

#: What to do with concentrations above a table's top breakpoint (see :func:`aqi`).
BEYOND_RULES = ("extrapolate", "cap", "missing")
#: Columns an index result has besides the averaged-readings columns.
INDEX_COLUMNS = (
    "pollutant",
    "averaging",
    "concentration",
    "concentration_unit",
    "category",
    "colour",
    "beyond_table",
    "note",
    "dominant",
    "standard",
)
# Averaging period of a table -> the ``period`` label of toolkit.timeseries results.
_PERIOD_LABEL = {
    "15min": "15min",
    "1h": "1h",
    "8h": "8h rolling",
    "24h": "day",
    "24h running": "24h rolling",
    "year": "year",
    "nowcast": "nowcast",
    "8h max daily": "8h max daily",
}
# Periods that can be made from hourly averages (the others need the readings).
_FROM_HOURLY = ("8h", "24h running", "nowcast", "8h max daily")
_HOUR_NS = 3_600_000_000_000
_DAY_MAX_CITATION = (
    "Directive 2008/50/EC Annex VII: the maximum daily 8-hour mean is taken over running "
    "8-hour means assigned to the day on which they end; 75 % of them are needed."
)


# -- the lookup ---------------------------------------------------------------------
def _apply_precision(values: np.ndarray, precision: int | None, rule: str) -> np.ndarray:
    """Truncate or round (halves up) to ``precision`` decimals.

    A value a hair below a step through floating-point error (35.39999999) keeps it.
    """
    import numpy as np

    if precision is None or rule == "none":
        return values
    scale = 10.0**precision
    scaled = np.round(values * scale, 6)
    scaled = np.trunc(scaled) if rule == "truncate" else np.floor(scaled + 0.5)
    return scaled / scale


def _lookup(conc: np.ndarray, table: Table, standard: Standard, beyond: str) -> dict[str, Any]:
    """Look concentrations (in table units) up in a table.

    Returns
    -------
    dict
        ``index`` (float array), ``beyond`` (bool array), and ``category``, ``colour``
        and ``note`` as categoricals (codes and a few labels, cheap for millions of rows).
    """
    import numpy as np

    bands = table.bands
    lows = np.array([b.low for b in bands])
    highs = np.array([b.high for b in bands])
    i_lo = np.array([b.index_low for b in bands])
    i_hi = np.array([b.index_high for b in bands])
    levels = np.array([float(b.number) for b in bands])
    n_closed = int(np.sum(~np.isnan(highs)))  # an open band can only be the last
    top = n_closed - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (i_hi - i_lo) / (highs - lows)
    interpolated = standard.kind == "interpolated"
    # Category and colour of each band, and (last) of "beyond the table".
    names = [b.category for b in bands] + [standard.beyond_category or bands[top].category]
    colours = [b.colour for b in bands] + [standard.beyond_colour or bands[top].colour]
    beyond_band = len(bands)

    n = len(conc)
    index = np.full(n, np.nan)
    band = np.full(n, -1, dtype=np.int64)
    flag = np.zeros(n, dtype=bool)
    notes = [""]
    note = np.zeros(n, dtype=np.int64)

    def add_note(mask: np.ndarray, text: str) -> None:
        notes.append(text)
        note[mask] = len(notes) - 1

    present = ~np.isnan(conc)
    pos = np.searchsorted(highs[:n_closed], np.where(present, conc, -np.inf), side="left")
    below = present & (conc < lows[0])
    inside = present & ~below & (pos < n_closed)
    above = present & ~below & (pos >= n_closed)

    p = pos[inside]
    if interpolated:
        # A value between two bands (possible only without truncation) takes the upper
        # band's lowest index.
        index[inside] = np.maximum(i_lo[p] + slope[p] * (conc[inside] - lows[p]), i_lo[p])
    else:
        index[inside] = levels[p]
    band[inside] = p

    unit = table.unit
    if above.any():
        if n_closed < len(bands):  # an open-ended top band
            open_band = n_closed
            band[above] = open_band
            if interpolated:
                line = i_lo[top] + slope[top] * (conc[above] - lows[top])
                index[above] = _beyond(np.maximum(line, i_lo[open_band]), i_hi[open_band], beyond)
                flag[above] = True
                add_note(
                    above,
                    f"{bands[open_band].category} has no published upper breakpoint: the "
                    f"index continues the previous band's line ({beyond})",
                )
            else:
                index[above] = levels[open_band]
        elif table.above_top == "extrapolate":
            line = i_lo[top] + slope[top] * (conc[above] - lows[top])
            index[above] = _beyond(line, i_hi[top], beyond) if interpolated else levels[top]
            band[above] = beyond_band
            flag[above] = True
            add_note(
                above,
                f"above the top breakpoint ({highs[top]:g} {unit}): "
                f"{standard.beyond_category or 'beyond the table'} ({beyond})",
            )
        elif table.above_top == "cap":
            index[above] = i_hi[top]
            band[above] = top
            add_note(
                above,
                f"above {highs[top]:g} {unit} this table defines no higher index: held at "
                f"{i_hi[top]:g}",
            )
        else:  # "undefined"
            add_note(
                above,
                f"above {highs[top]:g} {unit} this table defines no index (another table "
                "of the standard applies)",
            )
    if below.any():
        add_note(
            below,
            "negative concentration: no index"
            if lows[0] == 0
            else f"below this table's lowest breakpoint ({lows[0]:g} {unit}): no index",
        )
    if standard.index_rounding == "nearest_integer":
        index = np.floor(np.round(index, 9) + 0.5)
    return {
        "index": index,
        "beyond": flag,
        "category": _categorical(band, names),
        "colour": _categorical(band, colours),
        "note": _categorical(note, notes),
    }


def _categorical(codes: np.ndarray, labels: Sequence[str]) -> pd.Categorical:
    """Make a categorical from codes into ``labels`` (which may repeat); -1 is missing."""
    import numpy as np
    import pandas as pd

    unique = list(dict.fromkeys(labels))
    remap = np.array([unique.index(label) for label in labels] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(
        remap[codes], categories=pd.Index(unique, dtype="str"), validate=False
    )


def _constant(value: str | None, n: int) -> pd.Categorical:
    """Make a categorical holding one value ``n`` times (``None``: missing)."""
    import numpy as np
    import pandas as pd

    if value is None:
        return pd.Categorical.from_codes(
            np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype="str"), validate=False
        )
    return pd.Categorical.from_codes(
        np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype="str"), validate=False
    )


def _beyond(line: np.ndarray, top_index: float, beyond: str) -> np.ndarray:
    import numpy as np

    if beyond == "cap":
        return np.minimum(line, top_index)
    if beyond == "missing":
        return np.full(len(line), np.nan)
    return line


def _table_factor(pollutant: str, from_unit: str, table: Table, standard: Standard) -> float:
    """Factor turning values in ``from_unit`` into the table's unit (ppm at 25 °C...)."""
    from .units import conversion

    temperature = standard.reference_temperature_c
    into = conversion(pollutant, from_unit, reference_temperature_c=temperature)
    out = conversion(pollutant, table.unit, reference_temperature_c=temperature)
    if into.offset or out.offset:  # pragma: no cover - no concentration unit has one
        msg = f"{from_unit} -> {table.unit} is not a plain factor."
        raise ValueError(msg)
    return into.factor / out.factor


def _standard(standard: str | Standard) -> Standard:
    """Resolve a standard name; refuse guidelines (they are thresholds, not indices)."""
    from . import standards as _standards

    found = _standards.get(standard)
    if isinstance(found, _standards.Guideline):
        raise DataFormatError(
            f"{found.name!r} is a guideline (one threshold), not an index.",
            found=found.label,
            fix=f"Count the periods above it with toolkit.indices.exceedances(data, "
            f"guideline={found.name!r}); for an index use e.g. standard='us_epa_2024'.",
        )
    return found


def _check_beyond(beyond: str) -> None:
    if beyond not in BEYOND_RULES:
        msg = f"beyond must be one of {', '.join(BEYOND_RULES)}, not {beyond!r}."
        raise ValueError(msg)


def sub_index(
    concentration: Any,
    *,
    standard: str | Standard = "us_epa_2024",
    pollutant: str = "pm25",
    averaging: str | None = None,
    unit: str | None = None,
    beyond: str = "extrapolate",
) -> pd.DataFrame:
    """Look concentrations up in one table of a standard: the index, by hand.

    Parameters
    ----------
    concentration
        A number or numbers, already averaged as the table expects (a 24-hour mean for
        US PM2.5...).
    standard
        Name (see :func:`toolkit.standards.list`) or ``Standard``.
    pollutant
        Canonical variable of the table (``pm25``, ``o3``...).
    averaging
        The table's averaging period (``"8h"`` or ``"1h"`` for US ozone); needed only
        when the pollutant has more than one table.
    unit
        Unit of ``concentration``; the table's own unit by default (ppm for US ozone).
        Other units are converted at the standard's reference temperature.
    beyond
        Above the top breakpoint: ``"extrapolate"`` (default), ``"cap"`` or
        ``"missing"``.

    Returns
    -------
    pandas.DataFrame
        One row per concentration: ``concentration`` and ``unit`` as given,
        ``concentration_used`` (converted, truncated or rounded as the standard says,
        in ``table_unit``), ``index``, ``category``, ``colour``, ``beyond_table``,
        ``note``. ``attrs["standard"]`` names the standard and its version.

    Examples
    --------
    >>> table = sub_index([9.0, 9.1, 35.4, 35.45, 35.5], standard="us_epa_2024")
    >>> table["index"].tolist()
    [50.0, 51.0, 100.0, 100.0, 101.0]
    >>> sub_index(12.0, standard="us_epa_2018")["index"].tolist()
    [50.0]
    """
    import numpy as np
    import pandas as pd

    _check_beyond(beyond)
    std = _standard(standard)
    table = _choose_table(std, pollutant, averaging)
    given = np.atleast_1d(np.asarray(concentration, dtype=float))
    unit = unit or table.unit
    factor = _table_factor(pollutant, unit, table, std)
    used = _apply_precision(given * factor, table.precision, table.precision_rule)
    found = _lookup(used, table, std, beyond)
    out = pd.DataFrame(
        {
            "concentration": given,
            "unit": unit,
            "concentration_used": used,
            "table_unit": table.unit,
            "index": found["index"],
            "category": np.asarray(found["category"], dtype=object),
            "colour": np.asarray(found["colour"], dtype=object),
            "beyond_table": found["beyond"],
            "note": np.asarray(found["note"], dtype=object),
        }
    )
    out.attrs["standard"] = std.label
    return out


def _choose_table(std: Standard, pollutant: str, averaging: str | None) -> Table:
    tables = std.tables_for(pollutant)
    if not tables:
        raise DataFormatError(
            f"{std.label} has no table for {pollutant!r}.",
            found=f"tables for {', '.join(std.variables)}",
            fix=f"Use pollutant= one of {', '.join(std.variables)}.",
        )
    if averaging is None:
        if len(tables) > 1:
            choices = ", ".join(repr(t.averaging) for t in tables)
            raise DataFormatError(
                f"{std.label} has more than one table for {pollutant}.",
                found=f"averaging periods {choices}",
                fix=f"Say which with averaging= one of {choices}.",
            )
        return tables[0]
    for table in tables:
        if table.averaging == averaging:
            return table
    choices = ", ".join(repr(t.averaging) for t in tables)
    raise DataFormatError(
        f"{std.label} has no {averaging!r} table for {pollutant}.",
        found=f"averaging periods {choices}",
        fix=f"Use averaging= one of {choices}.",
    )


# -- averaging as a standard says ---------------------------------------------------
def _subset(data: SensorData, mask: Any) -> SensorData:
    """Return the same data with fewer readings, for internal use (not a recorded step)."""
    import pandas as pd

    from .sensordata import SensorData

    if bool(mask.all()):
        return data
    readings = data.readings.loc[mask].reset_index(drop=True)
    for column in ("sensor_id", "variable", "unit", "channel"):
        if column in readings.columns and isinstance(readings[column].dtype, pd.CategoricalDtype):
            readings[column] = readings[column].cat.remove_unused_categories()
    return SensorData(readings, data.sensors, data.ledger, data.history)


class _Averager:
    """Averages of some variables over a standard's periods, from raw or averaged data.

    Raw readings are averaged with :mod:`toolkit.timeseries` (hours once, then rolling
    means, NowCast or days); averaged readings are used where their period matches. The
    steps taken are collected in :attr:`steps` for the result's history.
    """

    def __init__(self, data: SensorData, *, timezone: str, min_coverage: float, what: str):
        self.data = data
        self.timezone = timezone
        self.min_coverage = min_coverage
        self.what = what
        self.raw = "period" not in data.readings.columns
        self.steps: list[Step] = []
        self._hourly: SensorData | None = None

    def _record(self, before: SensorData, after: SensorData) -> None:
        self.steps.extend(after.history[len(before.history) :])

    def _variables(self, data: SensorData, names: Sequence[str]) -> SensorData:
        return _subset(data, data.readings["variable"].isin(list(names)))

    def _hourly_of(self, names: Sequence[str]) -> SensorData:
        from .timeseries import average

        if self.raw:
            if self._hourly is None:
                self._hourly = average(
                    self.data, "1h", timezone=self.timezone, min_coverage=self.min_coverage
                )
                self._record(self.data, self._hourly)
            return self._variables(self._hourly, names)
        readings = self.data.readings
        mask = (readings["period"].astype(str) == "1h") & readings["variable"].isin(list(names))
        if not mask.any():
            self._refuse("1h", names)
        return _subset(self.data, mask)

    def _refuse(self, code: str, names: Sequence[str]) -> None:
        from .standards import AVERAGING_PERIODS

        periods = sorted({str(p) for p in self.data.readings["period"].unique()})
        suggestion = {"24h": "day", "year": "year", "15min": "15min"}.get(code, "1h")
        raise DataFormatError(
            f"{self.what} needs {AVERAGING_PERIODS[code]} of {', '.join(names)}, but these "
            "readings are averages over other periods.",
            found=f"period {', '.join(repr(p) for p in periods)}",
            fix="Pass the readings as loaded (they are then averaged as the standard says), "
            f"or averages made with toolkit.timeseries.average(data, {suggestion!r}).",
        )

    def _has(self, code: str, names: Sequence[str]) -> bool:
        readings = self.data.readings
        return bool(
            (
                (readings["period"].astype(str) == _PERIOD_LABEL[code])
                & readings["variable"].isin(list(names))
            ).any()
        )

    def get(self, code: str, names: Sequence[str]) -> pd.DataFrame:
        """Averaged readings of ``names`` over the period ``code`` (a table's averaging)."""
        from .timeseries import average, nowcast, rolling_mean

        if code == "8h max daily" and (self.raw or not self._has(code, names)):
            return self._daily_max(self.get("8h", names))
        if not self.raw:
            readings = self.data.readings
            mask = (readings["period"].astype(str) == _PERIOD_LABEL[code]) & readings[
                "variable"
            ].isin(list(names))
            if mask.any():
                return self._complete(_subset(self.data, mask).readings)
            if code not in _FROM_HOURLY:
                self._refuse(code, names)
        if code == "1h":
            return self._hourly_of(names).readings
        if code in ("8h", "24h running", "nowcast"):
            hourly = self._hourly_of(names)
            if code == "nowcast":
                result = nowcast(hourly, timezone=self.timezone)
            else:
                hours = 8 if code == "8h" else 24
                result = rolling_mean(
                    hourly, hours=hours, min_coverage=self.min_coverage, timezone=self.timezone
                )
            self._record(hourly, result)
            return result.readings
        period = {"24h": "day", "year": "year", "15min": "15min"}[code]
        part = self._variables(self.data, names)
        result = average(part, period, timezone=self.timezone, min_coverage=self.min_coverage)
        self._record(part, result)
        return result.readings

    def _complete(self, readings: pd.DataFrame) -> pd.DataFrame:
        """Fill averaging columns that hand-made averages may lack (``end``, counts)."""
        import numpy as np
        import pandas as pd

        from ._periods import sensor_timezones

        if "valid" not in readings.columns:
            raise DataFormatError(
                "These averages do not say which periods are valid.",
                found=f"columns {list(readings.columns)}",
                fix="Make averages with toolkit.timeseries.average (it adds 'valid'), or pass "
                "the readings as loaded.",
            )
        if all(c in readings.columns for c in ("end", "n_readings", "n_expected", "coverage")):
            return readings
        out = readings.copy()
        if "end" not in out.columns:
            lengths = {"15min": "15min", "1h": "1h", "nowcast": "1h", "8h rolling": "8h"}
            lengths["24h rolling"] = "24h"
            period = out["period"].astype(str)
            codes, uniques = pd.factorize(period)
            length = np.array([pd.Timedelta(lengths.get(str(u), "0h")).value for u in uniques])
            end = out["time"] + pd.to_timedelta(length[codes], unit="ns")
            for name, labels in (("day", ["day", "8h max daily"]), ("year", ["year"])):
                rows = period.isin(labels).to_numpy()
                if rows.any():
                    zones = sensor_timezones(self.data, self.timezone)
                    _, stop = _local_bounds(
                        out.loc[rows, "sensor_id"], out.loc[rows, "time"], zones, name
                    )
                    end[rows] = pd.to_datetime(stop, utc=True)
            out["end"] = end
        if "n_readings" not in out.columns:
            out["n_readings"] = np.zeros(len(out), dtype=np.int64)
        for column in ("n_expected", "coverage"):
            if column not in out.columns:
                out[column] = np.nan
        return out

    def _daily_max(self, rolled: pd.DataFrame) -> pd.DataFrame:
        """Return the highest valid running 8-hour mean of each local day (EU convention)."""
        import numpy as np
        import pandas as pd

        from ._periods import sensor_timezones
        from .sensordata import normalise_readings

        zones = sensor_timezones(self.data, self.timezone)
        # A window belongs to the day in which it ends: the day of its last hour.
        last_hour = rolled["end"] - pd.Timedelta(hours=1)
        start, end = _local_bounds(rolled["sensor_id"], last_hour, zones, "day")
        usable = rolled["valid"].to_numpy(bool) & rolled["value"].notna().to_numpy()
        keys = ["sensor_id", "variable", *(["channel"] if "channel" in rolled.columns else [])]
        frame = rolled[keys].copy()
        frame["start"] = start
        frame["end"] = end
        frame["value"] = np.where(usable, rolled["value"].to_numpy(float), np.nan)
        frame["used"] = usable
        frame["unit"] = rolled["unit"]
        grouped = frame.groupby([*keys, "start"], observed=True, dropna=False, sort=True)
        table = grouped.agg(
            value=("value", "max"),
            n_readings=("used", "sum"),
            end=("end", "first"),
            unit=("unit", "first"),
        ).reset_index()
        expected = (table["end"] - table["start"]) / _HOUR_NS
        coverage = np.minimum(table["n_readings"] / expected, 1.0)
        valid = coverage >= self.min_coverage - 1e-12
        out = pd.DataFrame(
            {
                **{k: table[k] for k in keys},
                "time": pd.to_datetime(table["start"], utc=True).astype("datetime64[ns, UTC]"),
                "value": np.where(valid, table["value"], np.nan),
                "unit": table["unit"],
                "period": "8h max daily",
                "end": pd.to_datetime(table["end"], utc=True).astype("datetime64[ns, UTC]"),
                "n_readings": table["n_readings"].astype(np.int64),
                "n_expected": expected.astype(float),
                "coverage": coverage.astype(float),
                "valid": valid.to_numpy(bool),
            }
        )
        self.steps.append(
            Step(
                name="daily_max_8h",
                description=(
                    f"Took the highest valid running 8-hour mean of each local day "
                    f"({int(valid.sum())} of {len(out)} days valid with at least "
                    f"{self.min_coverage:.0%} of their 8-hour means)."
                ),
                parameters={
                    "timezone": self.timezone,
                    "min_coverage": self.min_coverage,
                    "window_day": "the day in which the 8-hour window ends",
                },
                citation=_DAY_MAX_CITATION,
                touched=int(usable.sum()),
            )
        )
        return normalise_readings(out)


def _local_bounds(
    sensor_ids: pd.Series, times: pd.Series, zones: Mapping[str, str], period: str
) -> tuple[np.ndarray, np.ndarray]:
    """UTC start and end [ns] of the local period (day, year) each time falls in."""
    import numpy as np
    import pandas as pd

    from ._periods import parse_period, period_bounds

    spec = parse_period(period)
    zone_of = sensor_ids.astype(str).map(dict(zones)).to_numpy()
    stamps = pd.Series(pd.DatetimeIndex(times).as_unit("ns"))
    start = np.zeros(len(stamps), dtype=np.int64)
    end = np.zeros(len(stamps), dtype=np.int64)
    for zone in sorted({str(z) for z in zone_of}):
        rows = zone_of == zone
        s, e = period_bounds(stamps[rows].reset_index(drop=True), zone, spec)
        start[rows] = pd.DatetimeIndex(s).as_unit("ns").asi8
        end[rows] = pd.DatetimeIndex(e).as_unit("ns").asi8
    return start, end


# -- the index ----------------------------------------------------------------------
def aqi(
    data: SensorData,
    *,
    standard: str | Standard = "us_epa_2024",
    pollutants: Mapping[str, str] | None = None,
    nowcast: bool = False,
    timezone: str = "local",
    min_coverage: float = 0.75,
    beyond: str = "extrapolate",
    overall: bool = True,
) -> SensorData:
    """Compute an air-quality index: each pollutant's sub-index and the overall index.

    Parameters
    ----------
    data
        Readings as loaded (then averaged as the standard says, with
        :mod:`toolkit.timeseries`; the steps are recorded), or averages already made
        with it: ``period`` ``"day"`` for 24-hour tables, ``"8h rolling"`` or ``"1h"``
        for 8-hour tables, ``"1h"``, ``"24h rolling"``, ``"15min"`` or ``"nowcast"``
        as the tables need. Tables whose period is not among the given averages are
        skipped (``tables_skipped`` in the history: hand in 8-hour ozone means and the
        1-hour ozone table is skipped); a pollutant with no table left raises a clear
        error.
    standard
        ``"us_epa_2024"`` (default), ``"us_epa_2018"`` (pre-2024 PM2.5 breakpoints),
        ``"eaqi_2024"``, ``"eaqi_2017"``, ``"uk_daqi_2013"``, ``"in_naqi_2014"``, the
        name of a scale made with :func:`toolkit.standards.custom`, or a ``Standard``.
    pollutants
        Which data variables feed which table, e.g. ``{"pm25_corrected": "pm25"}`` for
        corrected PurpleAir PM2.5. By default only variables named like a table
        (``pm25``, ``pm10``, ``o3``, ``no2``, ``so2``, ``co``, ``nh3``) are used: an index
        of raw sensor values should be a choice you make and see.
    nowcast
        US EPA indices only: use the hourly NowCast of PM2.5 and PM10
        (:func:`toolkit.timeseries.nowcast`) instead of 24-hour means, as AirNow's
        current AQI does; the overall index is then made per hour.
    timezone
        Where local days begin: ``"local"`` (each sensor's zone), ``"UTC"`` or an IANA
        name.
    min_coverage
        Data capture a period needs to be valid (0.75: 18 of 24 hours, 6 of 8).
    beyond
        Above a table's top breakpoint (US "Beyond the AQI", India's open Severe band):
        ``"extrapolate"`` the top band's line (default), ``"cap"`` at the top index
        (500), or ``"missing"``.
    overall
        Add the overall index (``pollutant == "overall"``): the worst sub-index of each
        local day (hour, for hourly indices and the NowCast).

    Returns
    -------
    SensorData
        Readings with ``variable == "aqi"``, ``unit == "index"``, ``value`` the index
        (US AQI 0-500; European AQI level 1-6; DAQI 1-10; NaN where the period is not
        valid or the table gives no index), the averaging columns of the values used
        (``period``, ``end``, ``n_readings``, ``n_expected``, ``coverage``, ``valid``),
        and ``pollutant`` (the data variable), ``averaging`` (the table's period),
        ``concentration`` (the value looked up, converted and truncated, in
        ``concentration_unit``: ppm for US ozone), ``category``, ``colour``,
        ``beyond_table``, ``note``, ``dominant`` (the pollutant that sets an overall
        value) and ``standard`` (name and version, e.g. "US EPA AQI (2024,
        EPA-454/B-24-002)"). The history records the averaging and an ``aqi`` step with
        every parameter. Averages flagged by a quality rule count as not valid.

    Raises
    ------
    DataFormatError
        For data without any of the standard's pollutants (the message shows how to
        map others), averages over the wrong periods, ``nowcast`` with a non-US
        standard, or a guideline given as ``standard``.
    UnknownStandardError
        For an unknown standard name.
    TimestampError
        When local days are asked for sensors without a time zone.

    See Also
    --------
    sub_index : the lookup for numbers typed in.
    toolkit.standards.get : the tables, their sources and what was verified.

    Notes
    -----
    * A sub-index row's ``valid`` says whether its average had enough data; its
      ``value`` is also NaN where the table defines no index there (see ``note``).
    * The daily overall index takes every sub-index of the local day: hourly values by
      their hour, running 8-hour means by the hour they start (as 40 CFR 50 Appendix U
      labels them; all 24 windows, not only those starting 07:00-23:00). Its
      ``n_readings`` counts the pollutants with an index, ``n_expected`` those with any
      value.
    * US SO2: 1-hour values above 304 ppb are held at 200, as a third-party reading of
      the TAD's SO2 section has it [unverified]; 24-hour SO2 gives the higher values.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> days = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.to_datetime(["2024-07-01", "2024-07-02"], utc=True),
    ...     "value": [12.0, 35.45], "period": "day", "valid": True})
    >>> data = SensorData(days, pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]}))
    >>> result = aqi(data, overall=False).readings
    >>> result[["value", "concentration", "category"]].values.tolist()
    [[56.0, 12.0, 'Moderate'], [100.0, 35.4, 'Moderate']]
    """
    import numpy as np
    import pandas as pd

    from ._periods import sensor_timezones
    from .ledger import Ledger
    from .sensordata import SensorData, normalise_readings

    _check_beyond(beyond)
    if not 0 < min_coverage <= 1:
        msg = f"min_coverage must be a share above 0 and at most 1 (0.75), not {min_coverage}."
        raise ValueError(msg)
    std = _standard(standard)
    if nowcast and not std.name.startswith("us_epa"):
        raise DataFormatError(
            "The NowCast belongs to the US EPA AQI.",
            found=f"standard {std.label}",
            fix="Use nowcast=False, or standard='us_epa_2024'.",
        )
    mapping = _pollutant_mapping(data, std, pollutants)
    scoped = _subset(data, data.readings["variable"].isin(list(mapping)))
    averager = _Averager(scoped, timezone=timezone, min_coverage=min_coverage, what=std.label)
    # Which averaging each data variable needs, grouped so each period is made once.
    jobs: dict[str, list[tuple[str, Table]]] = {}
    for data_var, pollutant in mapping.items():
        for table in std.tables_for(pollutant):
            code = table.averaging
            if nowcast and pollutant in ("pm25", "pm10") and code == "24h":
                code = "nowcast"
            jobs.setdefault(code, []).append((data_var, table))
    parts = []
    used: set[str] = set()
    skipped: dict[str, str] = {}
    refusals: dict[str, DataFormatError] = {}
    for code, items in jobs.items():
        names = sorted({v for v, _ in items})
        try:
            averaged = averager.get(code, names)
        except DataFormatError as error:
            # Averages given for some periods only: the tables of other periods are
            # skipped (and said so), unless a variable is left with no table at all.
            if averager.raw:
                raise
            for data_var, table in items:
                skipped[f"{data_var} {table.averaging}"] = "no averages of that period given"
                refusals.setdefault(data_var, error)
            continue
        for data_var, table in items:
            rows = averaged[averaged["variable"].astype(str) == data_var]
            if rows.empty:
                continue
            used.add(data_var)
            parts.append(_index_rows(rows, data_var, table, code, std, beyond))
    for data_var, error in refusals.items():
        if data_var not in used:
            raise error
    if not parts:
        raise DataFormatError(
            f"No values to compute {std.label} from.",
            found=f"variables {sorted(mapping)}; none has averages of the periods needed",
            fix="Check the readings (data.summary()) and the averaging periods.",
        )
    sub = _stack(parts)
    hourly_overall = nowcast or std.overall_period == "1h"
    frames = [sub]
    if overall:
        zones = sensor_timezones(scoped, timezone)
        frames.append(_overall(sub, std, zones, hourly=hourly_overall))
    table = _stack(frames).drop(columns="_table_pollutant")
    order = np.lexsort(
        (
            pd.DatetimeIndex(table["time"]).as_unit("ns").asi8,
            table["sensor_id"].cat.codes.to_numpy(),
        )
    )
    table = table.take(order).reset_index(drop=True)
    n_valid = int(sub["value"].notna().sum())
    step = Step(
        name="aqi",
        description=(
            f"Computed {std.label} sub-indices of {', '.join(sorted(mapping))} "
            f"({len(sub)} values, {n_valid} with an index)"
            + (
                f" and the overall index of each {'hour' if hourly_overall else 'local day'} "
                f"({_overall_words(std)})."
                if overall
                else "."
            )
        ),
        parameters={
            "standard": std.name,
            "label": std.label,
            "pollutants": dict(mapping),
            "tables": {
                f"{t.variable} {t.averaging}": (
                    f"{t.unit}; {t.precision_rule}"
                    + (f" to {t.precision} decimals" if t.precision is not None else "")
                    + f"; above the top: {t.above_top}"
                )
                for items in jobs.values()
                for _, t in items
            },
            "tables_skipped": skipped,
            "nowcast": nowcast,
            "timezone": timezone,
            "min_coverage": min_coverage,
            "beyond": beyond,
            "overall": overall,
            "overall_rule": std.overall_rule,
            "index_rounding": std.index_rounding,
            "reference_temperature_c": (
                std.reference_temperature_c
                if any(t.unit in ("ppm", "ppb") for items in jobs.values() for _, t in items)
                else "not used (tables in µg/m³ or mg/m³)"
            ),
            "effective_from": std.effective_from,
        },
        citation=std.source,
        touched=len(sub),
    )
    history = History((*data.history, *averager.steps, step))
    ledger = Ledger(record.copy() for record in data.ledger)
    return SensorData(normalise_readings(table), data.sensors, ledger, history)


def _overall_words(std: Standard) -> str:
    if std.overall_rule == "worst_min3_pm":
        return "worst sub-index, with at least three pollutants, one of them PM2.5 or PM10"
    return "worst sub-index"


def _pollutant_mapping(
    data: SensorData, std: Standard, pollutants: Mapping[str, str] | None
) -> dict[str, str]:
    """Return data variable -> table pollutant, checked."""
    if data.readings.empty:
        raise DataFormatError(
            "There are no readings to compute an index from.",
            found="0 readings",
            fix="Check what was loaded (data.summary()) and any selection made before.",
        )
    present = data.variables
    if pollutants is None:
        mapping = {v: v for v in present if v in std.variables}
        if not mapping:
            similar = [v for v in present if any(v.startswith(f"{p}_") for p in std.variables)]
            example = (
                f"pollutants={{{similar[0]!r}: {similar[0].split('_')[0]!r}}}"
                if similar
                else "pollutants={'pm25_corrected': 'pm25'}"
            )
            raise DataFormatError(
                f"None of the pollutants of {std.label} is in this data.",
                found=f"variables {present}; the standard has tables for {list(std.variables)}",
                fix=f"Say which variable feeds which table, e.g. {example} (raw sensor "
                "values give a raw index: say so when you show it).",
            )
        return mapping
    mapping = {}
    for data_var, pollutant in pollutants.items():
        _variables.get(data_var)  # an unknown name raises with close matches
        if pollutant not in std.variables:
            raise DataFormatError(
                f"{std.label} has no table for {pollutant!r}.",
                found=f"tables for {list(std.variables)}",
                fix="Map each variable to one of those, e.g. {'pm25_corrected': 'pm25'}.",
            )
        if data_var not in present:
            raise MissingColumnError(
                f"The variable {data_var!r} is not in this data.",
                found=f"variables {present}",
                fix=f"Use some of {present} in pollutants=.",
            )
        if _variables.get(data_var).unit != _variables.get(pollutant).unit:
            raise DataFormatError(
                f"{data_var!r} cannot feed the {pollutant} table: their units differ.",
                found=f"{_variables.get(data_var).unit} and {_variables.get(pollutant).unit}",
                fix="Map a variable that measures the same pollutant.",
            )
        mapping[data_var] = pollutant
    return mapping


def _index_rows(
    rows: pd.DataFrame,
    data_var: str,
    table: Table,
    code: str,
    std: Standard,
    beyond: str,
) -> pd.DataFrame:
    """Return sub-index readings for the averaged ``rows`` of one variable and table."""
    import numpy as np
    import pandas as pd

    from .sensordata import FLAG_PREFIX

    rows = rows.reset_index(drop=True)
    n = len(rows)
    value = rows["value"].to_numpy(float)
    valid = rows["valid"].to_numpy(bool)
    usable = valid & ~np.isnan(value)
    flags = [c for c in rows.columns if str(c).startswith(FLAG_PREFIX)]
    flagged = rows[flags].any(axis=1).to_numpy() & usable if flags else np.zeros(n, bool)
    usable &= ~flagged
    factor = _table_factor(table.variable, _variables.get(data_var).unit, table, std)
    conc = _apply_precision(
        np.where(usable, value, np.nan) * factor, table.precision, table.precision_rule
    )
    found = _lookup(conc, table, std, beyond)
    note = found["note"]
    if flagged.any():
        note = note.add_categories(["flagged by a quality rule"])
        note[flagged] = "flagged by a quality rule"
    out: dict[str, Any] = {
        "sensor_id": rows["sensor_id"].astype("category"),
        "time": rows["time"],
        "variable": _constant("aqi", n),
        "value": found["index"],
        "unit": _constant("index", n),
    }
    if "channel" in rows.columns:
        out["channel"] = rows["channel"].astype("category")
    out.update(
        {
            "period": rows["period"].astype("category"),
            "end": rows["end"],
            "n_readings": rows["n_readings"].to_numpy(np.int64),
            "n_expected": rows["n_expected"].to_numpy(float),
            "coverage": rows["coverage"].to_numpy(float),
            "valid": usable,
            "pollutant": _constant(data_var, n),
            "averaging": _constant("nowcast" if code == "nowcast" else table.averaging, n),
            "concentration": conc,
            "concentration_unit": _constant(table.unit, n),
            "category": found["category"],
            "colour": found["colour"],
            "beyond_table": found["beyond"],
            "note": note,
            "dominant": _constant(data_var, n),
            "standard": _constant(std.label, n),
            "_table_pollutant": _constant(table.variable, n),
        }
    )
    return pd.DataFrame(out)


def _stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack tables, joining the categories of categorical columns (cheap, no strings)."""
    import pandas as pd
    from pandas.api.types import union_categoricals

    frames = [f for f in frames if len(f)]
    columns: dict[str, Any] = {}
    for column in frames[0].columns:
        parts = [f[column] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[column] = union_categoricals(parts, ignore_order=True)
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def _overall(
    sub: pd.DataFrame, std: Standard, zones: Mapping[str, str], *, hourly: bool
) -> pd.DataFrame:
    """Return the worst sub-index of each sensor (and channel) per local day or hour."""
    import numpy as np
    import pandas as pd

    has_channel = "channel" in sub.columns
    if hourly:
        end = pd.DatetimeIndex(sub["end"]).as_unit("ns").asi8
        start = end - _HOUR_NS
    else:
        start, end = _local_bounds(sub["sensor_id"], sub["time"], zones, "day")
    # Group on integer codes: sensor, channel, period start.
    key = pd.DataFrame(
        {
            "s": sub["sensor_id"].cat.codes.to_numpy(np.int64),
            "c": sub["channel"].cat.codes.to_numpy(np.int64) if has_channel else 0,
            "start": start,
        }
    )
    group = ["s", "c", "start"]
    value = sub["value"].to_numpy(float)
    pollutant = sub["pollutant"].cat.codes.to_numpy(np.int64)
    frame = key.assign(end=end, pollutant=pollutant, value=value)
    groups = frame.groupby(group, sort=True).agg(
        end=("end", "max"), n_expected=("pollutant", "nunique")
    )
    indexed = np.flatnonzero(~np.isnan(value))
    order = indexed[np.argsort(-value[indexed], kind="stable")]
    best = key.iloc[order].drop_duplicates(group)
    best_row = pd.Series(best.index.to_numpy(), index=pd.MultiIndex.from_frame(best))
    pm = sub["_table_pollutant"].isin(["pm25", "pm10"]).to_numpy()
    counted = frame.iloc[indexed]
    n_valid = counted.groupby(group)["pollutant"].nunique()
    has_pm = pd.Series(pm[indexed], index=counted.index).groupby([counted[c] for c in group]).any()
    row = best_row.reindex(groups.index).to_numpy()  # NaN where no sub-index
    n_valid = n_valid.reindex(groups.index).fillna(0).to_numpy(np.int64)
    has_pm = has_pm.reindex(groups.index).eq(True).to_numpy()
    ok = ~np.isnan(row)
    picked = np.where(ok, row, 0).astype(np.int64)
    notes = [""]
    note = np.zeros(len(groups), dtype=np.int64)
    if std.overall_rule == "worst_min3_pm":
        rule = (n_valid >= 3) & has_pm
        notes.append(
            "no overall index: CPCB 2014 needs at least three pollutants, one of them PM2.5 or PM10"
        )
        note[ok & ~rule] = 1
        ok &= rule
    keys = groups.index.to_frame(index=False)
    n = len(groups)
    n_expected = groups["n_expected"].to_numpy(float)

    def pick(column: str) -> pd.Categorical:
        values = sub[column].iloc[picked].reset_index(drop=True).array
        codes = np.where(ok, values.codes, -1)
        return pd.Categorical.from_codes(codes, categories=values.categories, validate=False)

    out: dict[str, Any] = {
        "sensor_id": pd.Categorical.from_codes(
            keys["s"].to_numpy(), categories=sub["sensor_id"].cat.categories, validate=False
        ),
        "time": pd.to_datetime(keys["start"].to_numpy(np.int64), utc=True),
        "variable": _constant("aqi", n),
        "value": np.where(ok, value[picked], np.nan),
        "unit": _constant("index", n),
    }
    if has_channel:
        out["channel"] = pd.Categorical.from_codes(
            keys["c"].to_numpy(), categories=sub["channel"].cat.categories, validate=False
        )
    out.update(
        {
            "period": _constant("1h" if hourly else "day", n),
            "end": pd.to_datetime(groups["end"].to_numpy(np.int64), utc=True),
            "n_readings": n_valid,
            "n_expected": n_expected,
            "coverage": n_valid / n_expected,
            "valid": ok,
            "pollutant": _constant("overall", n),
            "averaging": _constant(f"worst sub-index of the {'hour' if hourly else 'day'}", n),
            "concentration": np.full(n, np.nan),
            "concentration_unit": _constant(None, n),
            "category": pick("category"),
            "colour": pick("colour"),
            "beyond_table": ok & sub["beyond_table"].to_numpy(bool)[picked],
            "note": _categorical(note, notes),
            "dominant": pick("pollutant"),
            "standard": _constant(std.label, n),
            "_table_pollutant": _constant(None, n),
        }
    )
    return pd.DataFrame(out)


# -- exceedances --------------------------------------------------------------------
def exceedances(
    data: SensorData,
    *,
    guideline: str | float | Guideline | Standard,
    variable: str | None = None,
    averaging: str | None = None,
    min_coverage: float = 0.75,
    timezone: str = "local",
) -> pd.DataFrame:
    """Count the hours or days above a guideline, with how many could be counted.

    Parameters
    ----------
    data
        Readings as loaded (averaged as the guideline says, with
        :mod:`toolkit.timeseries`), or averages of the right period (``"day"`` for
        24-hour guidelines, ``"1h"``, ``"year"``...).
    guideline
        A guideline name (``"who_2021_pm25_24h"``: WHO 2021 AQG 15 µg/m³;
        ``"eu_2008_pm10_24h"``: EU 50 µg/m³ on at most 35 days; see
        ``toolkit.standards.list("guideline")``), a scale made with
        :func:`toolkit.standards.custom` (every band edge is counted), or a number (a
        threshold in the variable's canonical unit; then ``variable`` and
        ``averaging`` are needed).
    variable
        The data variable to compare; the guideline's own by default. Give another to
        compare, e.g., corrected PurpleAir PM2.5 (``"pm25_corrected"``).
    averaging
        For a numeric threshold: ``"1h"``, ``"24h"`` (local days), ``"8h max daily"``,
        ``"year"``, ``"8h"``, ``"24h running"`` or ``"15min"``.
    min_coverage
        Data capture a period needs to be counted (0.75: 18 of 24 hours a day).
    timezone
        Where local days and years begin: ``"local"``, ``"UTC"`` or an IANA name.

    Returns
    -------
    pandas.DataFrame
        One row per sensor, variable (and channel), calendar year and threshold:
        ``guideline`` (name, version, level and value), ``guideline_name``,
        ``threshold`` and ``unit`` (canonical), ``averaging``, ``periods_in_span`` (from
        the first to the last period with data), ``periods_with_data``,
        ``periods_valid`` (enough data: coverage at least ``min_coverage``),
        ``periods_above`` (valid periods above the threshold: ``value > threshold``),
        ``share_above`` (of the valid periods), ``data_capture`` (valid periods over
        the span), ``allowed`` (exceedances the guideline allows per calendar year; NaN
        where it sets none), ``over_allowed`` (NA where nothing is allowed), ``first``
        and ``last`` (UTC starts of the first and last periods). ``attrs`` holds
        ``"guideline"`` (the label), ``"parameters"`` and ``"history"`` (the data's
        history, the averaging steps and an ``exceedances`` step).

    Raises
    ------
    DataFormatError
        For a variable that is not in the data, an index standard (use :func:`aqi`), a
        guideline the toolkit cannot compute (WHO ozone peak season), or averages over
        the wrong period.
    UnknownStandardError
        For an unknown guideline name.

    Notes
    -----
    A partial year is counted as it is: 10 days above in the first half of a year may
    still be within 35 allowed, or not; ``data_capture`` says how much of the span was
    counted. The EU ozone target counts days averaged over three years; the toolkit
    counts each calendar year.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> days = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC"),
    ...     "value": [10.0, 15.0, 15.1, 40.0], "period": "day", "valid": True})
    >>> data = SensorData(days, pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]}))
    >>> row = exceedances(data, guideline="who_2021_pm25_24h").iloc[0]
    >>> int(row["periods_valid"]), int(row["periods_above"]), float(row["share_above"])
    (4, 2, 0.5)
    """
    import pandas as pd

    from ._periods import sensor_timezones

    if not 0 < min_coverage <= 1:
        msg = f"min_coverage must be a share above 0 and at most 1 (0.75), not {min_coverage}."
        raise ValueError(msg)
    thresholds, source, name, code, allowed, target = _thresholds(guideline, variable, averaging)
    data_var = variable or target
    _variables.get(data_var)
    if data_var not in data.variables:
        raise DataFormatError(
            f"The variable {data_var!r} is not in this data.",
            found=f"variables {data.variables}",
            fix="Pass variable= one of those (for example variable='pm25_corrected').",
        )
    if code not in _PERIOD_LABEL:
        raise DataFormatError(
            f"The toolkit cannot compute the {code!r} statistic of this guideline.",
            found=f"guideline {name}",
            fix="Choose a guideline with averaging 1h, 24h, 8h max daily or year "
            "(toolkit.standards.list('guideline')).",
        )
    scoped = _subset(data, data.readings["variable"] == data_var)
    averager = _Averager(
        scoped, timezone=timezone, min_coverage=min_coverage, what=f"Counting exceedances of {name}"
    )
    periods = averager.get(code, [data_var])
    periods = periods[periods["variable"].astype(str) == data_var]
    zones = sensor_timezones(scoped, timezone)
    frames = [_count(periods, code, zones, value, label, allowed) for value, label in thresholds]
    table = pd.concat(frames, ignore_index=True)
    table.insert(table.columns.get_loc("threshold"), "guideline_name", name)
    parameters = {
        "guideline": name,
        "thresholds": [v for v, _ in thresholds],
        "unit": _variables.get(data_var).unit,
        "variable": data_var,
        "averaging": code,
        "comparison": "value > threshold",
        "allowed_per_year": allowed,
        "min_coverage": min_coverage,
        "timezone": timezone,
    }
    step = Step(
        name="exceedances",
        description=(
            f"Counted the {code} periods of {data_var} above {thresholds[0][1]}"
            + (f" and {len(thresholds) - 1} more thresholds" if len(thresholds) > 1 else "")
            + f": {int(table['periods_above'].sum())} above, of "
            f"{int(table['periods_valid'].sum())} valid periods."
        ),
        parameters=parameters,
        citation=source,
        touched=int(table["periods_valid"].sum()) // max(len(thresholds), 1),
    )
    table.attrs["guideline"] = thresholds[0][1] if len(thresholds) == 1 else name
    table.attrs["parameters"] = parameters
    table.attrs["history"] = History((*data.history, *averager.steps, step))
    return table


def _thresholds(
    guideline: str | float | Guideline | Standard,
    variable: str | None,
    averaging: str | None,
) -> tuple[list[tuple[float, str]], str, str, str, float | None, str]:
    """(threshold, label) pairs in canonical units, source, name, averaging, allowed, variable."""
    from . import standards as _standards
    from .units import conversion

    if isinstance(guideline, int | float) and not isinstance(guideline, bool):
        if variable is None or averaging is None:
            raise DataFormatError(
                "A numeric threshold needs to know what it applies to.",
                found=f"guideline={guideline!r}",
                fix="Also give variable= and averaging=, e.g. exceedances(data, "
                "guideline=25, variable='pm25', averaging='24h').",
            )
        unit = _variables.get(variable).unit
        value = float(guideline)
        label = f"user threshold: {variable} {averaging} {value:g} {unit}"
        return [(value, label)], "user-defined threshold", label, averaging, None, variable
    found = _standards.get(guideline)
    if isinstance(found, _standards.Guideline):
        factor = conversion(found.variable, found.unit, reference_temperature_c=20.0).factor
        return (
            [(found.value * factor, found.label)],
            found.source,
            found.name,
            found.averaging,
            found.allowed_exceedances,
            found.variable,
        )
    if not found.user_defined:
        raise DataFormatError(
            f"{found.label} is an index, not a threshold.",
            found=f"standard {found.name!r}",
            fix="Compute the index with toolkit.indices.aqi(data, standard=...) and count its "
            "categories, or count exceedances of a guideline "
            "(toolkit.standards.list('guideline')) or of your own scale "
            "(toolkit.standards.custom).",
        )
    table = found.tables[0]
    factor = conversion(
        table.variable, table.unit, reference_temperature_c=found.reference_temperature_c
    ).factor
    pairs = [
        (
            band.high * factor,
            (
                f"{found.label}: {table.variable} {table.averaging} above {band.high:g} "
                f"{table.unit} ({nxt.category})"
            ),
        )
        for band, nxt in zip(table.bands[:-1], table.bands[1:], strict=True)
    ]
    return (
        pairs,
        found.source,
        found.name,
        table.averaging,
        found.allowed_exceedances,
        table.variable,
    )


def _count(
    periods: pd.DataFrame,
    code: str,
    zones: Mapping[str, str],
    threshold: float,
    label: str,
    allowed: float | None,
) -> pd.DataFrame:
    """Per sensor, variable, channel and local calendar year: counts for one threshold."""
    import numpy as np
    import pandas as pd

    keys = ["sensor_id", "variable", *(["channel"] if "channel" in periods.columns else [])]
    value = periods["value"].to_numpy(float)
    valid = periods["valid"].to_numpy(bool) & ~np.isnan(value)
    flags = [c for c in periods.columns if str(c).startswith("flag_")]
    if flags:
        valid &= ~periods[flags].any(axis=1).to_numpy()
    year_start, _ = _local_bounds(periods["sensor_id"], periods["time"], zones, "year")
    year = _local_year(periods["sensor_id"], year_start, zones)
    # Number the periods so that the span from the first to the last can be counted:
    # local calendar days (23, 24 or 25 hours) count as one each.
    if code == "year":
        ordinal = year
    elif code in ("24h", "8h max daily"):
        day_start, _ = _local_bounds(periods["sensor_id"], periods["time"], zones, "day")
        ordinal = _local_day_number(periods["sensor_id"], day_start, zones)
    else:
        step = 15 * 60 * 10**9 if code == "15min" else _HOUR_NS
        ordinal = pd.DatetimeIndex(periods["time"]).as_unit("ns").asi8 // step
    frame = pd.DataFrame({k: periods[k].astype("category") for k in keys})
    frame["year"] = year
    frame["ordinal"] = ordinal
    frame["valid"] = valid
    frame["above"] = valid & (value > threshold)
    frame["time"] = pd.DatetimeIndex(periods["time"]).as_unit("ns").asi8
    table = (
        frame.groupby([*keys, "year"], dropna=False, sort=True, observed=True)
        .agg(
            first_ordinal=("ordinal", "min"),
            last_ordinal=("ordinal", "max"),
            periods_with_data=("valid", "size"),
            periods_valid=("valid", "sum"),
            periods_above=("above", "sum"),
            first=("time", "min"),
            last=("time", "max"),
        )
        .reset_index()
    )
    span = (table["last_ordinal"] - table["first_ordinal"] + 1).astype(np.int64)
    valid_n = table["periods_valid"].astype(np.int64)
    above_n = table["periods_above"].astype(np.int64)
    allowed_value = math.nan if allowed is None else float(allowed)
    out = pd.DataFrame({k: table[k] for k in keys})
    out["year"] = table["year"].astype(np.int64)
    out["guideline"] = label
    out["threshold"] = threshold
    out["unit"] = periods["unit"].astype(str).iloc[0] if len(periods) else ""
    out["averaging"] = code
    out["periods_in_span"] = span
    out["periods_with_data"] = table["periods_with_data"].astype(np.int64)
    out["periods_valid"] = valid_n
    out["periods_above"] = above_n
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_above"] = np.where(valid_n > 0, above_n / valid_n.replace(0, 1), np.nan)
        out["data_capture"] = valid_n / span
    out["allowed"] = allowed_value
    out["over_allowed"] = (
        pd.array([pd.NA] * len(out), dtype="boolean")
        if allowed is None
        else pd.array(above_n > allowed_value, dtype="boolean")
    )
    out["first"] = pd.to_datetime(table["first"], utc=True)
    out["last"] = pd.to_datetime(table["last"], utc=True)
    return out


def _local_year(sensor_ids: pd.Series, year_start: np.ndarray, zones: Mapping[str, str]) -> Any:
    """Calendar year (local) of each period, from the UTC start of its local year."""
    import numpy as np
    import pandas as pd

    zone_of = sensor_ids.astype(str).map(dict(zones)).to_numpy()
    years = np.zeros(len(year_start), dtype=np.int64)
    stamps = pd.DatetimeIndex(pd.to_datetime(year_start, utc=True))
    for zone in sorted({str(z) for z in zone_of}):
        rows = zone_of == zone
        years[rows] = stamps[rows].tz_convert(zone).year.to_numpy()
    return years


def _local_day_number(
    sensor_ids: pd.Series, day_start: np.ndarray, zones: Mapping[str, str]
) -> np.ndarray:
    """Days since 1970-01-01 of each local day (so that days can be counted)."""
    import numpy as np
    import pandas as pd

    zone_of = sensor_ids.astype(str).map(dict(zones)).to_numpy()
    out = np.zeros(len(day_start), dtype=np.int64)
    stamps = pd.DatetimeIndex(pd.to_datetime(day_start, utc=True))
    for zone in sorted({str(z) for z in zone_of}):
        rows = zone_of == zone
        wall = stamps[rows].tz_convert(zone).tz_localize(None).normalize()
        out[rows] = wall.as_unit("ns").asi8 // (24 * _HOUR_NS)
    return out
