"""Noise indicators: Leq, Lday, Levening, Lnight, Lden, percentile levels, WHO comparison.

Decibels are logarithmic, so they are **never averaged arithmetically**: two equal
periods at 60 and 70 dB(A) give ``10·lg((10^6 + 10^7)/2) = 67.4`` dB(A), not 65. Every
function here combines levels by their energy, as ISO 1996-1 defines the equivalent
continuous sound level [3]_::

    Leq = 10·lg( mean( 10^(L_i/10) ) )      (equal-length intervals)

How the numbers are made
------------------------
1. **Hourly Leq first.** The readings (LAeq of the sensor's reporting interval, for
   example 30 s or 1 min) are averaged into local hours with
   :func:`toolkit.timeseries.average`, whose rule for decibels is the energy mean. An
   hour is valid with at least ``min_coverage`` (75 %) of its expected readings.
2. **Periods from valid hours.** ``average`` knows no day/evening/night periods, so the
   valid hourly values of each period are combined here with the same energy mean.
   A period is valid when at least ``min_coverage`` of its hours are valid: 9 of the 12
   day hours, 3 of the 4 evening hours, 6 of the 8 night hours. Directive 2002/49/EC
   sets no such rule for short measurements; 75 % is the toolkit's choice, the data
   capture the EU air-quality Directive 2008/50/EC (Annex VII) asks of hours and
   8-hour values.
3. **Lden** of a day needs all three of its periods valid. A day without a valid night
   (or evening, or day period) gets no Lden.

The day-evening-night level
---------------------------
Directive 2002/49/EC, Annex I [1]_. The Annex text (the periods and their defaults,
shortening the evening, incident sound) was checked on eumonitor.eu's copy of Annex I;
the formula, an image there, was checked against independent transcriptions that cite
the Directive (Wikipedia "Day-evening-night noise level"; impulsion-acoustique.fr)::

    Lden = 10·lg{ (1/24)·[ 12·10^(Lday/10) + 4·10^((Levening+5)/10)
                           + 8·10^((Lnight+10)/10) ] }

* the day is 12 hours, the evening 4 and the night 8; Member States may shorten the
  evening by one or two hours and lengthen the day and/or night accordingly, and choose
  when the day starts. The defaults are **07:00-19:00, 19:00-23:00 and 23:00-07:00
  local time**. Here the periods are set with ``day_start``, ``evening_start`` and
  ``night_start`` (whole local hours) and the weights 12/4/8 follow the hours of each
  period;
* Lday, Levening and Lnight are A-weighted **long-term** averages (ISO 1996-2) over all
  the day, evening or night periods of a year; a "daily Lden" is a building block, and
  ``lden(..., per="all")`` gives the long-term values of the whole record;
* the Directive considers the *incident* sound, without the reflection from the façade
  of the dwelling (as a rule a 3 dB correction for measurements at a façade). No
  correction is applied here: say where the sensor is.

**A night belongs to the day on which it begins**: the night from 23:00 on 3 June to
07:00 on 4 June is the night of 3 June, and the Lden of 3 June covers 07:00 on 3 June
to 07:00 on 4 June. On the nights clocks change the night lasts 7 or 9 hours; its Leq
is the energy mean of the hours it has, and the weights stay 12/4/8.

Percentile levels L10, L50, L90
-------------------------------
L_N is the level exceeded during N % of the time (ISO 1996-1 "N percent
exceedance level"). Here it is computed **from the readings' own LAeq values** (one per
reporting interval, e.g. 1 min or 2.5 min), not from a sound level meter sampling the
fast (125 ms) time-weighted level. Averaging inside each interval smooths short peaks
and quiet moments, so L10 comes out lower and L90 higher than a sound level meter
would give over the same period; compare such values only with values made the same
way. No interpolation is used (the empirical distribution, Hyndman & Fan type 1): each
L_N is one of the readings, never a value made by mixing decibels.

WHO Environmental Noise Guidelines (2018)
-----------------------------------------
The WHO Regional Office for Europe's guideline values [2]_ are in
``toolkit/data/who_noise_guidelines_2018.csv``, each row with its source and what was
checked: road traffic Lden 53 / Lnight 45 dB, railway 54 / 44, aircraft 45 / 40, wind
turbines Lden 45 (no night value). They concern **long-term average exposure**
outdoors at the most exposed façade: a few days of a community sensor can hint at, not
establish, an exceedance, and a sensor measures all sources together, not one.

References
----------
.. [1] Directive 2002/49/EC of the European Parliament and of the Council of 25 June
   2002 relating to the assessment and management of environmental noise, Annex I
   (noise indicators), OJ L 189, 18.7.2002, p. 12-25.
.. [2] WHO Regional Office for Europe (2018). Environmental Noise Guidelines for the
   European Region. Copenhagen (launched 10 October 2018).
.. [3] ISO 1996-1:2016, Acoustics: description, measurement and assessment of
   environmental noise, Part 1 (equivalent continuous sound level; N percent
   exceedance level).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import variables as _variables
from ._errors import DataFormatError
from ._periods import parse_period, period_bounds, sensor_timezones
from .history import Step

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "DEFAULT_MIN_COVERAGE",
    "EVENING_PENALTY_DB",
    "LDEN_CITATION",
    "LEQ_METHOD",
    "NIGHT_PENALTY_DB",
    "NOISE_SOURCES",
    "WHO_DOCUMENT",
    "compare_who",
    "lden",
    "leq",
    "percentile_levels",
    "who_guidelines",
]

#: Share of expected readings (hours) and of expected hours (periods) needed.
DEFAULT_MIN_COVERAGE = 0.75
#: Added to Levening and Lnight in Lden (Directive 2002/49/EC, Annex I).
EVENING_PENALTY_DB = 5.0
NIGHT_PENALTY_DB = 10.0
#: The method name every Leq result carries.
LEQ_METHOD = "Leq: energy mean of LAeq values (ISO 1996-1)"
LDEN_CITATION = (
    "Directive 2002/49/EC, Annex I (Lden; day 07-19, evening 19-23, night 23-07 local "
    "time by default; +5 dB evening, +10 dB night); hours combined by energy mean "
    "(ISO 1996-1)."
)
WHO_DOCUMENT = "WHO Environmental Noise Guidelines for the European Region (2018)"
#: Noise sources with WHO 2018 guideline values.
NOISE_SOURCES = ("road", "rail", "aircraft", "wind")
_VARIABLES = ("lday", "levening", "lnight", "lden")
_PARTS = ("day", "evening", "night")
_HOUR_NS = 3_600_000_000_000
_PER = ("den", "1h", "day")


@dataclass(frozen=True)
class _Den:
    """Day, evening and night periods: start hours (local) and lengths in hours."""

    day_start: int
    evening_start: int
    night_start: int

    @property
    def hours(self) -> tuple[int, int, int]:
        evening = (self.evening_start - self.day_start) % 24
        night = (self.night_start - self.day_start) % 24
        return evening, night - evening, 24 - night

    @property
    def offsets(self) -> tuple[int, int]:
        """Hours after the day start at which the evening and the night begin."""
        h_day, h_evening, _ = self.hours
        return h_day, h_day + h_evening

    def label(self, part: int) -> str:
        starts = (self.day_start, self.evening_start, self.night_start)
        return f"{_PARTS[part]} {starts[part]:02d}-{starts[(part + 1) % 3]:02d}"

    def method(self) -> str:
        h_d, h_e, h_n = self.hours
        return (
            f"Lden, Directive 2002/49/EC Annex I: day {self.day_start:02d}-"
            f"{self.evening_start:02d}, evening {self.evening_start:02d}-"
            f"{self.night_start:02d}, night {self.night_start:02d}-{self.day_start:02d} "
            f"local time; weights {h_d}/{h_e}/{h_n} h; +5 dB evening, +10 dB night"
        )


def _den(day_start: int, evening_start: int, night_start: int) -> _Den:
    """Check the period boundaries: whole local hours, each period at least an hour."""
    starts = (day_start, evening_start, night_start)
    if any(isinstance(h, bool) or not isinstance(h, int) or not 0 <= h <= 23 for h in starts):
        msg = (
            "day_start, evening_start and night_start must be whole local hours from 0 to "
            f"23 (Directive 2002/49/EC default: 7, 19, 23), not {starts}."
        )
        raise ValueError(msg)
    den = _Den(day_start, evening_start, night_start)
    if min(den.hours) < 1 or sum(den.hours) != 24:
        msg = (
            "The day, evening and night must follow each other round the clock, each at "
            f"least an hour long; day_start={day_start}, evening_start={evening_start}, "
            f"night_start={night_start} give {den.hours} hours."
        )
        raise ValueError(msg)
    return den


# -- public functions -------------------------------------------------------------------
def leq(
    data: SensorData,
    period: str = "1h",
    *,
    timezone: str = "local",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    variable: str = "laeq",
) -> SensorData:
    """Equivalent continuous sound level (Leq) over hours, days or longer periods.

    A thin, explicit wrapper of :func:`toolkit.timeseries.average` for one noise
    variable: its rule for decibels is the energy mean, ``10·lg(mean(10^(L/10)))``.

    Parameters
    ----------
    data
        Readings as loaded, with LAeq values [dB(A)] of the sensor's reporting interval.
    period
        ``"1h"`` (default), ``"10min"``, ``"8h"``, ``"day"``, ``"week"``, ``"month"``,
        ``"year"`` (local periods; see :func:`toolkit.timeseries.average`).
    timezone
        ``"local"`` (each sensor's own zone), ``"UTC"`` or an IANA zone name.
    min_coverage
        Share (0-1) of the expected readings (or hours) a period needs to be valid.
    variable
        The noise variable; it must be an energy-averaged level (``"laeq"``).

    Returns
    -------
    SensorData
        Averaged readings (``period``, ``end``, ``n_readings``, ``n_expected``,
        ``coverage``, ``valid``) and a ``method`` column naming the definition; the
        ``average`` and ``leq`` steps are in the history.

    Raises
    ------
    DataFormatError
        When the data hold no such noise variable, or the variable is not an
        energy-averaged level.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-06-03", periods=60, freq="1min", tz="UTC")
    >>> readings = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "laeq",
    ...     "value": [60.0, 70.0] * 30, "unit": "dB(A)"})
    >>> sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]})
    >>> hourly = leq(SensorData(readings, sensors))
    >>> round(float(hourly.readings["value"].iloc[0]), 1)  # not 65: decibels add as energy
    67.4
    """
    from .sensordata import normalise_readings
    from .timeseries import average

    noise = _noise_data(data, variable, "Leq")
    averaged = average(noise, period, timezone=timezone, min_coverage=min_coverage)
    readings = averaged.readings.assign(method=LEQ_METHOD)
    step = Step(
        name="leq",
        description=(
            f"Equivalent continuous sound level (Leq) of {variable} over {period} periods "
            f"by the energy mean; {int(readings['valid'].sum())} of {len(readings)} "
            "periods valid."
        ),
        parameters={
            "period": period,
            "timezone": timezone,
            "min_coverage": min_coverage,
            "variable": variable,
            "rule": "energy mean 10·lg(mean(10^(L/10)))",
        },
        citation="ISO 1996-1 (equivalent continuous sound level)",
        touched=len(readings),
    )
    return averaged.replace(readings=normalise_readings(readings), step=step)


def lden(
    data: SensorData,
    *,
    per: str = "day",
    timezone: str = "local",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    day_start: int = 7,
    evening_start: int = 19,
    night_start: int = 23,
    variable: str = "laeq",
) -> SensorData:
    """Lday, Levening, Lnight and Lden by the EU definition, with data capture.

    Parameters
    ----------
    data
        Readings as loaded (LAeq of the reporting interval), or hourly values from
        :func:`leq` / :func:`toolkit.timeseries.average` (``period == "1h"``).
    per
        ``"day"`` (default): the four levels of each day (07:00 to 07:00 the next
        morning by default; the night belongs to the day on which it begins).
        ``"all"``: the long-term levels of the whole record, as the Directive means
        them: each of Lday, Levening, Lnight is the energy mean of its valid daily
        values, and Lden is made from those three.
    timezone
        ``"local"`` (default; each sensor's zone, needed: the periods are local time),
        or an IANA zone name for all sensors.
    min_coverage
        Share (0-1) needed at each level: of an hour's expected readings, of a period's
        hours (9 of 12, 3 of 4, 6 of 8 by default), and with ``per="all"`` of the
        days of the record that have a valid value of that period.
    day_start, evening_start, night_start
        Local hours the periods begin (Directive default 7, 19, 23). The weights of the
        Lden formula are the lengths of the periods (12, 4, 8 by default).
    variable
        The noise variable (``"laeq"``).

    Returns
    -------
    SensorData
        Readings with the variables ``lday``, ``levening``, ``lnight``, ``lden``
        [dB(A)], per sensor and day (or for the whole record): ``time`` and ``end``
        (UTC start and end of the period; for ``lden`` the whole 24 hours), ``value``
        (NaN when not valid), ``period`` (e.g. ``"night 23-07"``), ``n_readings``
        (valid hours, or valid days with ``per="all"``), ``n_expected`` (hours in the
        period: 7 or 9 for a night when clocks change; or days), ``coverage``,
        ``valid``, ``date`` (local date of the day the periods belong to; ``first..last``
        with ``per="all"``) and ``method`` (the definition and periods used).

    Raises
    ------
    ValueError
        For an unknown ``per``, ``min_coverage`` outside (0, 1], or periods that do not
        fit round the clock.
    DataFormatError
        When the data hold no such noise variable.
    TimestampError
        When a sensor's time zone is unknown (local periods need it).

    Examples
    --------
    A constant day: 60 dB(A) by day, 55 in the evening, 50 at night. By hand:
    ``10·lg((12·10^6.0 + 4·10^6.0 + 8·10^6.0)/24) = 60.0``.

    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-06-03T07:00", periods=24, freq="1h", tz="UTC")
    >>> levels = [60.0] * 12 + [55.0] * 4 + [50.0] * 8
    >>> hourly = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "laeq",
    ...     "value": levels, "unit": "dB(A)", "period": "1h", "valid": True})
    >>> sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]})
    >>> table = lden(SensorData(hourly, sensors)).readings
    >>> table[["variable", "value", "n_readings", "valid"]].values.tolist()
    [['lday', 60.0, 12, True], ['levening', 55.0, 4, True], ['lnight', 50.0, 8, True], ['lden', 60.0, 24, True]]
    """  # noqa: E501
    from .sensordata import normalise_readings
    from .timeseries._hourly import hourly_values

    if per not in ("day", "all"):
        msg = f"per must be 'day' (one Lden per day) or 'all' (the whole record), not {per!r}."
        raise ValueError(msg)
    _check_coverage(min_coverage)
    den = _den(day_start, evening_start, night_start)
    noise = _noise_data(data, variable, "Lden")
    hourly = hourly_values(noise, timezone=timezone, what="Lden", min_coverage=min_coverage)
    zones = sensor_timezones(hourly, timezone)
    daily = _daily_levels(hourly, zones, den, min_coverage)
    table = daily if per == "day" else _long_term(daily, den, min_coverage)
    table = table.assign(method=den.method())
    h_d, h_e, h_n = den.hours
    n_days = int((table["variable"] == "lden").sum())
    n_valid = int(((table["variable"] == "lden") & table["valid"]).sum())
    step = Step(
        name="lden",
        description=(
            f"Day-evening-night levels {'per day' if per == 'day' else 'of the whole record'}"
            f": {n_valid} of {n_days} Lden value(s) valid; a period needs "
            f"{min_coverage:.0%} of its hours, an Lden all three periods."
        ),
        parameters={
            "per": per,
            "timezone": timezone,
            "zones": dict(sorted(zones.items())),
            "min_coverage": min_coverage,
            "day_start": day_start,
            "evening_start": evening_start,
            "night_start": night_start,
            "weights_h": {"day": h_d, "evening": h_e, "night": h_n},
            "penalties_db": {"evening": EVENING_PENALTY_DB, "night": NIGHT_PENALTY_DB},
            "night_belongs_to": "the day on which it begins",
            "variable": variable,
        },
        citation=LDEN_CITATION,
        touched=_usable_count(hourly),
    )
    return hourly.replace(readings=normalise_readings(table), step=step)


def percentile_levels(
    data: SensorData,
    *,
    per: str = "den",
    percentiles: tuple[float, ...] = (10, 50, 90),
    timezone: str = "local",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    exclude_flagged: bool = True,
    day_start: int = 7,
    evening_start: int = 19,
    night_start: int = 23,
    variable: str = "laeq",
) -> pd.DataFrame:
    """Levels exceeded N % of the time (L10, L50, L90) from the readings of each period.

    Parameters
    ----------
    data
        Readings as loaded: LAeq values of the reporting interval (not averages).
    per
        ``"den"`` (default): each day, evening and night period of each day (as in
        :func:`lden`; the night belongs to the day on which it begins); ``"1h"``: each
        local hour; ``"day"``: each local calendar day (midnight to midnight).
    percentiles
        The N of each L_N (0 < N < 100): the level exceeded in N % of the
        readings. Default L10, L50, L90.
    timezone
        ``"local"`` (each sensor's zone), ``"UTC"`` or an IANA zone name.
    min_coverage
        Share (0-1) of the readings expected in the period (from the sensor's cadence,
        :func:`toolkit.cadence.cadence`) needed for valid levels.
    exclude_flagged
        Leave out readings a quality rule flagged (default); they count as missing.
    day_start, evening_start, night_start
        The periods for ``per="den"`` (Directive 2002/49/EC default 7, 19, 23).
    variable
        The noise variable (``"laeq"``).

    Returns
    -------
    pandas.DataFrame
        One row per sensor, period and day: ``sensor_id``, ``variable``, [``channel``],
        ``period`` (``"day 07-19"``..., ``"1h"`` or ``"calendar day"``), ``date``
        (local), ``start`` and ``end`` (UTC), one column per level (``l10``, ``l50``,
        ``l90``; NaN when not valid), ``n_readings``, ``n_expected``, ``coverage``,
        ``valid`` and ``method``. ``attrs`` hold the method, parameters and history.

    Raises
    ------
    ValueError
        For an unknown ``per`` or percentiles outside (0, 100).
    DataFormatError
        When the data hold no such noise variable, or hold averages instead of readings.

    Notes
    -----
    L_N is the smallest reading that no more than N % of the readings exceed
    (the inverse of the empirical distribution, no interpolation): of the readings
    (60, 70), L50 is 60 dB(A): it is exceeded half of the time. These levels are made
    from the short-interval LAeq values a sensor reports (e.g. 1-min values), which
    differ from the fast-response levels a sound level meter samples (see the module
    docstring): L10 is lower and L90 higher.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-06-03T08:00", periods=60, freq="1min", tz="UTC")
    >>> readings = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "laeq",
    ...     "value": [float(40 + i % 10) for i in range(60)], "unit": "dB(A)"})
    >>> sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]})
    >>> table = percentile_levels(SensorData(readings, sensors), per="1h")
    >>> table[["l10", "l50", "l90", "n_readings", "valid"]].values.tolist()
    [[48.0, 44.0, 40.0, 60, True]]
    """
    import numpy as np
    import pandas as pd

    from .cadence import cadence, group_codes

    if per not in _PER:
        msg = f"per must be one of {', '.join(map(repr, _PER))}, not {per!r}."
        raise ValueError(msg)
    levels = tuple(float(p) for p in percentiles)
    if not levels or any(not 0 < p < 100 for p in levels):
        msg = f"percentiles must lie between 0 and 100 (10, 50, 90), not {percentiles!r}."
        raise ValueError(msg)
    _check_coverage(min_coverage)
    den = _den(day_start, evening_start, night_start)
    noise = _noise_data(data, variable, "percentile levels")
    if "period" in noise.readings.columns:
        raise DataFormatError(
            "Percentile levels are made from the readings as loaded, not from averages.",
            found=f"averaged readings (period {sorted(set(map(str, noise.readings['period'])))})",
            fix="Pass the data before toolkit.timeseries.average or leq().",
        )
    zones = sensor_timezones(noise, timezone)
    readings = noise.readings
    usable = readings["value"].notna().to_numpy()
    if exclude_flagged:
        usable = usable & ~noise.flagged.to_numpy()
    codes, keys = group_codes(readings)
    start, end, label, date, labels = _reading_periods(readings, zones, den, per)
    # Expected readings from each series' cadence.
    rate = cadence(noise)
    rate_key = rate["sensor_id"].astype(str) + "\x00" + rate["variable"].astype(str)
    key_key = keys["sensor_id"].astype(str) + "\x00" + keys["variable"].astype(str)
    if "channel" in rate.columns:
        rate_key = rate_key + "\x00" + rate["channel"].astype(object).fillna("").astype(str)
        key_key = key_key + "\x00" + keys["channel"].fillna("").astype(str)
    series_cadence = key_key.map(dict(zip(rate_key, rate["cadence_s"], strict=True)))
    frame = pd.DataFrame(
        {
            "series": codes.to_numpy(),
            "start": start,
            "end": end,
            "label": label,
            "date": date,
            "value": readings["value"].to_numpy(dtype=float),
            "usable": usable,
        }
    )
    groups = (
        frame.groupby(["series", "start"], sort=True)
        .agg(
            end=("end", "first"),
            label=("label", "first"),
            date=("date", "first"),
            n=("usable", "sum"),
        )
        .reset_index()
    )
    used = frame.loc[frame["usable"]].sort_values(["series", "start", "value"], kind="stable")
    group_of = pd.MultiIndex.from_frame(used[["series", "start"]])
    position = pd.MultiIndex.from_frame(groups[["series", "start"]]).get_indexer(group_of)
    first = np.searchsorted(position, np.arange(len(groups)), side="left")
    n = groups["n"].to_numpy(dtype=np.int64)
    expected = ((groups["end"] - groups["start"]) / 1e9).to_numpy(dtype=float) / (
        series_cadence.to_numpy(dtype=float)[groups["series"].to_numpy()]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.nan_to_num(np.minimum(n / expected, 1.0), nan=0.0)
    valid = (coverage >= min_coverage - 1e-12) & (n > 0)
    values = used["value"].to_numpy()
    out = pd.DataFrame(
        {
            "sensor_id": keys["sensor_id"].to_numpy()[groups["series"]].astype(str),
            "variable": keys["variable"].to_numpy()[groups["series"]].astype(str),
        }
    )
    if keys["channel"].notna().any():
        out["channel"] = keys["channel"].to_numpy()[groups["series"]]
    out["period"] = np.array(labels, dtype=object)[groups["label"].to_numpy()]
    out["date"] = pd.to_datetime(groups["date"].to_numpy()).strftime("%Y-%m-%d").to_numpy()
    out["start"] = pd.to_datetime(groups["start"].to_numpy(), utc=True)
    out["end"] = pd.to_datetime(groups["end"].to_numpy(), utc=True)
    names = []
    for p in levels:
        # Smallest reading exceeded by at most p % of the readings: the (1 - p/100)
        # point of the empirical distribution (Hyndman & Fan type 1, no interpolation).
        rank = np.clip(np.ceil((1 - p / 100) * n - 1e-9).astype(np.int64), 1, None)
        pick = np.where(n > 0, first + rank - 1, 0)
        level = values[pick] if len(values) else np.full(len(n), np.nan)
        name = f"l{p:g}"
        out[name] = np.where(valid, level, np.nan)
        names.append(name)
    out["n_readings"] = n
    out["n_expected"] = expected
    out["coverage"] = coverage
    out["valid"] = valid
    method = (
        f"L{'/'.join(f'{p:g}' for p in levels)}: levels exceeded in N % of the reporting-"
        "interval LAeq readings (empirical distribution, no interpolation; not a sound "
        "level meter's fast-response LN)"
    )
    out["method"] = method
    out = out.sort_values(["sensor_id", "variable", "start"]).reset_index(drop=True)
    step = Step(
        name="percentile_levels",
        description=f"{', '.join(names)} of {int(usable.sum())} readings in {len(out)} periods.",
        parameters={
            "per": per,
            "percentiles": list(levels),
            "timezone": timezone,
            "zones": dict(sorted(zones.items())),
            "min_coverage": min_coverage,
            "exclude_flagged": exclude_flagged,
            "periods": den.method() if per == "den" else per,
            "variable": variable,
        },
        citation="ISO 1996-1 (N percent exceedance level), from reporting-interval LAeq",
        touched=int(usable.sum()),
    )
    out.attrs = {
        "method": method,
        "per": per,
        "percentiles": list(levels),
        "min_coverage": min_coverage,
        "zones": dict(sorted(zones.items())),
        "history": noise.history.then(step),
    }
    return out


@functools.cache
def _who_table() -> tuple[dict[str, str], ...]:
    import csv
    from importlib import resources

    source = resources.files("toolkit").joinpath("data", "who_noise_guidelines_2018.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def who_guidelines() -> pd.DataFrame:
    """Return the WHO 2018 guideline values for environmental noise, with their sources.

    Returns
    -------
    pandas.DataFrame
        One row per noise source and indicator: ``noise_source`` (road, rail,
        aircraft, wind), ``indicator`` (``lden``, ``lnight``), ``value_db`` (NaN where
        the guidelines give none), ``unit``, ``averaging``, ``document``,
        ``effective_date`` and ``source_checked`` (what the value was checked against).

    Examples
    --------
    >>> table = who_guidelines()
    >>> table.loc[table["noise_source"] == "road", ["indicator", "value_db"]].values.tolist()
    [['lden', 53.0], ['lnight', 45.0]]
    """
    import pandas as pd

    table = pd.DataFrame(list(_who_table()))
    table["value_db"] = pd.to_numeric(table["value_db"].replace("", None), errors="coerce")
    return table.astype({"value_db": "float64"})


def compare_who(
    data: SensorData,
    *,
    source: str = "road",
    timezone: str = "local",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    variable: str = "laeq",
) -> pd.DataFrame:
    """Compare long-term Lden and Lnight with the WHO 2018 guideline values.

    Parameters
    ----------
    data
        Readings as loaded (LAeq), or hourly values.
    source
        The noise source whose guideline applies: ``"road"`` (53 / 45 dB), ``"rail"``
        (54 / 44), ``"aircraft"`` (45 / 40) or ``"wind"`` (45 / none). A sensor hears
        all sources together; choose the one that dominates where it stands.
    timezone, min_coverage, variable
        As for :func:`lden` (which is used with ``per="all"`` and the default periods).

    Returns
    -------
    pandas.DataFrame
        One row per sensor and indicator: ``sensor_id``, ``indicator`` (``lden``,
        ``lnight``), ``level_db`` (long-term value of the record; NaN when not valid),
        ``guideline_db`` (NaN where WHO gives none), ``above`` (True/False, or
        missing when either is missing), ``n_days`` (days with a valid value),
        ``days`` (the record, local dates), ``valid``, ``noise_source``, ``method``
        and ``guideline`` (document). ``attrs`` hold the method, the guideline
        document and the history.

    Raises
    ------
    ValueError
        For an unknown ``source``.

    Notes
    -----
    The WHO values concern long-term (yearly) average exposure outdoors at the most
    exposed façade. A record of days or weeks gives an indication only; say so when
    sharing the result.
    """
    import numpy as np
    import pandas as pd

    if source not in NOISE_SOURCES:
        msg = f"source must be one of {', '.join(map(repr, NOISE_SOURCES))}, not {source!r}."
        raise ValueError(msg)
    levels = lden(data, per="all", timezone=timezone, min_coverage=min_coverage, variable=variable)
    guide = who_guidelines()
    guide = guide[guide["noise_source"] == source].set_index("indicator")["value_db"]
    rows = levels.readings[levels.readings["variable"].isin(["lden", "lnight"])]
    order = rows["variable"].astype(str).map({"lden": 0, "lnight": 1})
    rows = rows.assign(_order=order).sort_values(["sensor_id", "_order"], kind="stable")
    level = rows["value"].to_numpy(dtype=float)
    guideline = rows["variable"].astype(str).map(guide).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        above = pd.array(level > guideline, dtype="boolean")
    above[np.isnan(level) | np.isnan(guideline)] = pd.NA
    method = str(rows["method"].iloc[0]) if len(rows) else ""
    out = pd.DataFrame(
        {
            "sensor_id": rows["sensor_id"].astype(str).to_numpy(),
            "indicator": rows["variable"].astype(str).to_numpy(),
            "level_db": level,
            "guideline_db": guideline,
            "above": above,
            "n_days": rows["n_readings"].to_numpy(),
            "days": rows["date"].to_numpy(),
            "valid": rows["valid"].to_numpy(dtype=bool),
            "noise_source": source,
            "method": method,
            "guideline": f"{WHO_DOCUMENT}, {source}",
        }
    )
    step = Step(
        name="compare_who",
        description=(
            f"Compared long-term Lden and Lnight of {out['sensor_id'].nunique()} sensor(s) "
            f"with the WHO 2018 guideline values for {source} noise."
        ),
        parameters={"source": source, "guideline_db": guide.dropna().to_dict()},
        citation=WHO_DOCUMENT,
        touched=len(out),
    )
    out.attrs = {
        "method": method,
        "guideline": f"{WHO_DOCUMENT}, {source}",
        "note": "WHO values concern long-term (yearly) average exposure; a short record "
        "gives an indication only.",
        "history": levels.history.then(step),
    }
    return out


# -- helpers ----------------------------------------------------------------------------
def _check_coverage(min_coverage: float) -> None:
    if not 0 < min_coverage <= 1:
        msg = f"min_coverage must be a share above 0 and at most 1 (0.75), not {min_coverage}."
        raise ValueError(msg)


def _noise_data(data: SensorData, variable: str, what: str) -> SensorData:
    """Return the data of one energy-averaged noise variable, with friendly errors."""
    from .timeseries._hourly import refuse_empty

    info = _variables.get(variable)  # an unknown name raises with close matches
    if info.aggregation != "energy_mean":
        raise DataFormatError(
            f"{what} needs equivalent continuous levels (LAeq); {variable!r} is not one.",
            found=f"{variable}: {info.description}",
            fix="Use variable='laeq'.",
        )
    refuse_empty(data, what)
    present = data.variables
    if variable not in present:
        noise = [v for v in present if _variables.get(v).group == "noise"]
        raise DataFormatError(
            f"There is no noise variable {variable!r} in this data, so no {what} can be made.",
            found=f"variables {present}" + (f" (noise: {noise})" if noise else ""),
            fix="Load a sound sensor's export (its LAeq values become 'laeq'), or name "
            "the variable that holds LAeq with variable=...",
        )
    return data if present == [variable] else data.select(variables=[variable])


def _usable_count(hourly: SensorData) -> int:
    """Return how many hourly values are valid and unflagged."""
    from .timeseries._hourly import usable_hours

    return int(usable_hours(hourly).sum())


def _localize(wall: pd.DatetimeIndex, zone: str) -> np.ndarray:
    """Wall-clock instants -> UTC [ns]; a missing instant moves forward, a double is the first."""
    import numpy as np

    if zone in ("UTC", "Etc/UTC"):
        return wall.tz_localize("UTC").asi8
    ambiguous = np.ones(len(wall), dtype=bool)
    local = wall.tz_localize(zone, ambiguous=ambiguous, nonexistent="shift_forward")
    return local.tz_convert("UTC").asi8


def _den_parts(
    times: pd.Series, zone: str, den: _Den
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Assign UTC times to the day, evening or night period of their day, in local time.

    Returns
    -------
    date, part, start, end
        Local date [ns, naive] of the day each time belongs to (the night belongs to
        the day on which it begins), the period (0 day, 1 evening, 2 night), and the
        period's UTC start and end [ns].
    """
    import numpy as np
    import pandas as pd

    local = pd.DatetimeIndex(times).tz_convert(zone).tz_localize(None)
    shifted = local - pd.Timedelta(hours=den.day_start)
    date = shifted.normalize()
    hour = shifted.hour.to_numpy()
    evening, night = den.offsets
    part = np.where(hour < evening, 0, np.where(hour < night, 1, 2))
    starts_h = np.array([0, evening, night, 24])
    codes, unique_dates = pd.factorize(date)
    walls = [unique_dates + pd.Timedelta(hours=den.day_start + int(h)) for h in starts_h]
    bounds = np.stack([_localize(pd.DatetimeIndex(w), zone) for w in walls])  # (4, n_dates)
    start = bounds[part, codes]
    end = bounds[part + 1, codes]
    return date.asi8, part, start, end


def _daily_levels(
    hourly: SensorData, zones: dict[str, str], den: _Den, min_coverage: float
) -> pd.DataFrame:
    """Lday, Levening, Lnight and Lden per sensor and day from valid hourly values."""
    import numpy as np
    import pandas as pd

    from .cadence import group_codes
    from .timeseries._hourly import usable_hours

    readings = hourly.readings
    codes, keys = group_codes(readings)
    date, part, _, _ = _all_parts(readings["time"], readings["sensor_id"], zones, den)
    usable = usable_hours(hourly)
    value = readings["value"].to_numpy(dtype=float)
    with np.errstate(over="ignore"):
        energy = np.where(usable, np.power(10.0, np.where(usable, value, 0.0) / 10.0), 0.0)
    frame = pd.DataFrame(
        {"series": codes.to_numpy(), "date": date, "part": part, "n": usable, "energy": energy}
    )
    days = frame.groupby(["series", "date"], sort=True).size().index
    full = pd.MultiIndex.from_arrays(
        [
            np.repeat(days.get_level_values("series"), 3),
            np.repeat(days.get_level_values("date"), 3),
            np.tile(np.arange(3), len(days)),
        ],
        names=["series", "date", "part"],
    )
    grouped = frame.groupby(["series", "date", "part"]).agg(
        n=("n", "sum"), energy=("energy", "sum")
    )
    grouped = grouped.reindex(full, fill_value=0).reset_index()
    # Each day's period bounds (UTC) and their real length in hours.
    zone_of_series = np.array([zones[str(s)] for s in keys["sensor_id"]], dtype=object)
    grouped["zone"] = zone_of_series[grouped["series"].to_numpy()]
    start = np.zeros(len(grouped), dtype=np.int64)
    end = np.zeros(len(grouped), dtype=np.int64)
    for zone in sorted(set(grouped["zone"])):
        rows = (grouped["zone"] == zone).to_numpy()
        walls = pd.DatetimeIndex(grouped.loc[rows, "date"].to_numpy().astype("M8[ns]"))
        offsets = np.array([0, *den.offsets, 24])
        p = grouped.loc[rows, "part"].to_numpy()
        start[rows] = _localize(walls + pd.to_timedelta(den.day_start + offsets[p], unit="h"), zone)
        end[rows] = _localize(
            walls + pd.to_timedelta(den.day_start + offsets[p + 1], unit="h"), zone
        )
    expected = (end - start) / _HOUR_NS
    n_used = grouped["n"].to_numpy(dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = 10 * np.log10(grouped["energy"].to_numpy() / n_used)
    coverage = np.minimum(n_used / expected, 1.0)
    valid = (coverage >= min_coverage - 1e-12) & (n_used > 0)
    periods = pd.DataFrame(
        {
            "series": grouped["series"].to_numpy(),
            "date": grouped["date"].to_numpy(),
            "part": grouped["part"].to_numpy(),
            "time": start,
            "end": end,
            "value": np.where(valid, level, np.nan),
            "n_readings": n_used,
            "n_expected": expected,
            "coverage": coverage,
            "valid": valid,
        }
    )
    # Lden: the three periods of the same day side by side.
    wide = periods.pivot(index=["series", "date"], columns="part")
    h = np.array(den.hours, dtype=float)
    penalty = np.array([0.0, EVENING_PENALTY_DB, NIGHT_PENALTY_DB])
    parts_valid = wide["valid"].to_numpy(dtype=bool)
    day_valid = parts_valid.all(axis=1)
    levels = wide["value"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        weighted = (h * np.power(10.0, (levels + penalty) / 10.0)).sum(axis=1) / h.sum()
        lden_value = 10 * np.log10(weighted)
    n_hours = wide["n_readings"].to_numpy().sum(axis=1)
    n_expected = wide["n_expected"].to_numpy().sum(axis=1)
    daily = pd.DataFrame(
        {
            "series": wide.index.get_level_values("series"),
            "date": wide.index.get_level_values("date"),
            "part": 3,
            "time": wide["time"][0].to_numpy(),
            "end": wide["end"][2].to_numpy(),
            "value": np.where(day_valid, lden_value, np.nan),
            "n_readings": n_hours,
            "n_expected": n_expected,
            "coverage": np.minimum(n_hours / n_expected, 1.0),
            "valid": day_valid,
        }
    )
    table = pd.concat([periods, daily], ignore_index=True).sort_values(
        ["series", "date", "part"], kind="stable"
    )
    return _as_readings(table, keys, den)


def _zone_of_rows(sensor: pd.Series, zones: dict[str, str]) -> np.ndarray:
    """Zone of each row, looked up once per sensor (category), not once per reading."""
    import numpy as np
    import pandas as pd

    if not isinstance(sensor.dtype, pd.CategoricalDtype):
        sensor = sensor.astype("category")
    per_category = [zones.get(str(c), "") for c in sensor.cat.categories]
    return np.array([*per_category, ""], dtype=object)[sensor.cat.codes.to_numpy()]


def _all_parts(
    times: pd.Series, sensor: pd.Series, zones: dict[str, str], den: _Den
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_den_parts` for readings of sensors in several zones (a loop over zones)."""
    import numpy as np

    n = len(times)
    out = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    zone_of_row = _zone_of_rows(sensor, zones)
    for zone in sorted(set(zones.values())):
        rows = zone_of_row == zone
        if not rows.any():
            continue
        for array, part in zip(out, _den_parts(times[rows], zone, den), strict=True):
            array[rows] = part
    return out[0], out[1], out[2], out[3]


def _as_readings(table: pd.DataFrame, keys: pd.DataFrame, den: _Den) -> pd.DataFrame:
    """Per-series period table -> readings table of lday/levening/lnight/lden."""
    import numpy as np
    import pandas as pd

    series = table["series"].to_numpy()
    part = table["part"].to_numpy()
    labels = np.array([den.label(0), den.label(1), den.label(2), f"24 h from {den.day_start:02d}"])
    out = pd.DataFrame(
        {
            "sensor_id": keys["sensor_id"].to_numpy()[series].astype(str),
            "time": pd.to_datetime(table["time"].to_numpy(), utc=True),
            "variable": np.array(_VARIABLES)[part],
            "value": table["value"].to_numpy(dtype=float),
            "unit": "dB(A)",
        }
    )
    if keys["channel"].notna().any():
        out["channel"] = keys["channel"].to_numpy()[series]
    out["period"] = labels[part]
    out["end"] = pd.to_datetime(table["end"].to_numpy(), utc=True)
    out["n_readings"] = table["n_readings"].to_numpy(dtype=np.int64)
    out["n_expected"] = table["n_expected"].to_numpy(dtype=float)
    out["coverage"] = table["coverage"].to_numpy(dtype=float)
    out["valid"] = table["valid"].to_numpy(dtype=bool)
    dates = table["date"]
    out["date"] = (
        pd.to_datetime(dates.to_numpy()).strftime("%Y-%m-%d")
        if np.issubdtype(dates.dtype, np.integer)
        else dates.to_numpy()
    )
    return out


def _long_term(daily: pd.DataFrame, den: _Den, min_coverage: float) -> pd.DataFrame:
    """Long-term Lday, Levening, Lnight (energy means of valid days) and their Lden."""
    import numpy as np
    import pandas as pd

    keys = ["sensor_id", "channel"] if "channel" in daily.columns else ["sensor_id"]
    parts = daily[daily["variable"] != "lden"].copy()
    value = parts["value"].to_numpy(dtype=float)
    ok = parts["valid"].to_numpy(dtype=bool)
    parts["energy"] = np.where(ok, np.power(10.0, np.where(ok, value, 0.0) / 10.0), 0.0)
    parts["ok"] = ok
    g = parts.groupby([*keys, "variable"], sort=False, dropna=False)
    long = g.agg(
        time=("time", "min"),
        end=("end", "max"),
        n_readings=("ok", "sum"),
        n_expected=("date", "nunique"),
        energy=("energy", "sum"),
        first=("date", "min"),
        last=("date", "max"),
    ).reset_index()
    n = long["n_readings"].to_numpy(dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = 10 * np.log10(long["energy"].to_numpy() / n)
    long["coverage"] = n / long["n_expected"].to_numpy(dtype=float)
    long["valid"] = (long["coverage"] >= min_coverage - 1e-12) & (n > 0)
    long["value"] = np.where(long["valid"], level, np.nan)
    long["part"] = long["variable"].map({v: i for i, v in enumerate(_VARIABLES)})
    wide = long.pivot(index=keys, columns="part")
    h = np.array(den.hours, dtype=float)
    penalty = np.array([0.0, EVENING_PENALTY_DB, NIGHT_PENALTY_DB])
    levels = wide["value"].to_numpy(dtype=float)
    all_valid = wide["valid"].to_numpy(dtype=bool).all(axis=1)
    with np.errstate(invalid="ignore"):
        lden_value = 10 * np.log10((h * np.power(10.0, (levels + penalty) / 10.0)).sum(1) / 24)
    lden_rows = wide.index.to_frame(index=False)
    lden_rows["variable"] = "lden"
    lden_rows["part"] = 3
    lden_rows["time"] = wide["time"].min(axis=1).to_numpy()
    lden_rows["end"] = wide["end"].max(axis=1).to_numpy()
    lden_rows["n_readings"] = wide["n_readings"].min(axis=1).to_numpy()
    lden_rows["n_expected"] = wide["n_expected"].max(axis=1).to_numpy()
    lden_rows["coverage"] = wide["coverage"].min(axis=1).to_numpy()
    lden_rows["valid"] = all_valid
    lden_rows["value"] = np.where(all_valid, lden_value, np.nan)
    lden_rows["first"] = wide["first"].min(axis=1).to_numpy()
    lden_rows["last"] = wide["last"].max(axis=1).to_numpy()
    table = pd.concat([long, lden_rows], ignore_index=True).sort_values([*keys, "part"])
    out = pd.DataFrame(
        {
            "sensor_id": table["sensor_id"].astype(str).to_numpy(),
            "time": pd.to_datetime(table["time"].to_numpy(), utc=True),
            "variable": table["variable"].to_numpy(),
            "value": table["value"].to_numpy(dtype=float),
            "unit": "dB(A)",
        }
    )
    if "channel" in keys:
        out["channel"] = table["channel"].to_numpy()
    labels = [den.label(0), den.label(1), den.label(2), f"24 h from {den.day_start:02d}"]
    out["period"] = [f"all {labels[int(p)]}" for p in table["part"]]
    out["end"] = pd.to_datetime(table["end"].to_numpy(), utc=True)
    out["n_readings"] = table["n_readings"].to_numpy(dtype=np.int64)
    out["n_expected"] = table["n_expected"].to_numpy(dtype=float)
    out["coverage"] = table["coverage"].to_numpy(dtype=float)
    out["valid"] = table["valid"].to_numpy(dtype=bool)
    out["date"] = (table["first"].astype(str) + ".." + table["last"].astype(str)).to_numpy()
    return out


def _reading_periods(
    readings: pd.DataFrame, zones: dict[str, str], den: _Den, per: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """UTC start and end [ns], label code, local date [ns] of each reading's period; labels."""
    import numpy as np
    import pandas as pd

    n = len(readings)
    if per == "den":
        date, part, start, end = _all_parts(readings["time"], readings["sensor_id"], zones, den)
        return start, end, part, date, [den.label(0), den.label(1), den.label(2)]
    spec = parse_period(per)
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    date = np.zeros(n, dtype=np.int64)
    zone_of_row = _zone_of_rows(readings["sensor_id"], zones)
    for zone in sorted(set(zones.values())):  # a loop over zones, not readings
        rows = zone_of_row == zone
        if not rows.any():
            continue
        s, e = period_bounds(readings.loc[rows, "time"], zone, spec)
        start[rows] = pd.DatetimeIndex(s).asi8
        end[rows] = pd.DatetimeIndex(e).asi8
        date[rows] = pd.DatetimeIndex(s).tz_convert(zone).tz_localize(None).normalize().asi8
    label = "1h" if per == "1h" else "calendar day"
    return start, end, np.zeros(n, dtype=np.int64), date, [label]
