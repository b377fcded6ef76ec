"""Captions: one or two plain sentences a resident can read aloud, with the rules used.

:func:`caption` describes what the toolkit's results say, in words, and which rule made
each number: how many periods had enough data, which guideline or index was used, and
when there is **too little data** to say anything. For example::

    Daily mean PM2.5 at 6 sensors was above the WHO global air quality guidelines (2021)
    AQG level (15 µg/m³) on 41 of 88 sensor-days with enough data. A day counts when at
    least 75 % of its hours have a valid value.

It knows these results:

========================================== ==========================================
result                                     made by
========================================== ==========================================
readings as loaded (``SensorData``)        ``toolkit.load`` and the readers
averages (``SensorData`` with ``period``)  :func:`toolkit.timeseries.average`
an index (``SensorData`` of ``aqi``)       :func:`toolkit.indices.aqi`
an exceedance table                        :func:`toolkit.indices.exceedances`
a profile table                            :func:`toolkit.timeseries.profile`
a health table                             :func:`toolkit.quality.health`
a table of corrections                     :func:`toolkit.corrections.compare`
a chart                                    :mod:`toolkit.charts` (its own caption)
========================================== ==========================================

Thresholds of the wording (the toolkit's own choices, not from a published rule):

* :data:`FEW_PERIODS_SHARE` (0.75): when fewer than this share of the periods in the
  span could be counted, an exceedance caption says so ("Only 10 of the 28 days...").
* :data:`MIN_PROFILE_VALUES` (3): a profile cell (an hour of the day, a day of the
  week) resting on fewer valid hourly values is too little to show a typical value.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._errors import ToolkitError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "FEW_PERIODS_SHARE",
    "MIN_PROFILE_VALUES",
    "CaptionError",
    "caption",
    "comparison_words",
    "format_number",
    "guideline_words",
    "measure_label",
    "period_words",
    "variable_label",
]

#: Below this share of countable periods, an exceedance caption warns that it is low.
FEW_PERIODS_SHARE = 0.75
#: Fewest valid hourly values a profile cell needs to show a typical value.
MIN_PROFILE_VALUES = 3

# Short names people read (the canonical names are for code).
_LABELS = {
    "pm1": "PM1",
    "pm25": "PM2.5",
    "pm4": "PM4",
    "pm10": "PM10",
    "pm1_cf1": "PM1 (CF=1, raw)",
    "pm25_cf1": "PM2.5 (CF=1, raw)",
    "pm10_cf1": "PM10 (CF=1, raw)",
    "pm1_atm": "PM1 (ATM, raw)",
    "pm25_atm": "PM2.5 (ATM, raw)",
    "pm10_atm": "PM10 (ATM, raw)",
    "pm25_alt": "PM2.5 (ALT)",
    "pm25_corrected": "corrected PM2.5",
    "pm25_calibrated": "calibrated PM2.5",
    "no2": "NO2",
    "no": "NO",
    "nox": "NOx",
    "o3": "ozone",
    "so2": "SO2",
    "co": "CO",
    "co2": "CO2",
    "nh3": "NH3",
    "bc": "black carbon",
    "humidity": "relative humidity",
    "pressure": "air pressure",
    "laeq": "noise level (LAeq)",
    "la_min": "lowest noise level (LAmin)",
    "la_max": "highest noise level (LAmax)",
    "count_car": "cars",
    "count_heavy": "heavy vehicles",
    "count_bike": "bikes",
    "count_pedestrian": "pedestrians",
    "speed_v85": "speed v85",
    "aqi": "air quality index",
}
# Aggregation rule (variables table) -> the word for the statistic.
_STATISTIC = {
    "mean": "mean",
    "energy_mean": "energy-mean",
    "sum": "total",
    "vector_mean": "vector-mean",
    "min": "minimum",
    "max": "maximum",
}
# Period -> (adjective, noun, plural noun).
_PERIODS = {
    "1h": ("hourly", "hour", "hours"),
    "day": ("daily", "day", "days"),
    "week": ("weekly", "week", "weeks"),
    "month": ("monthly", "month", "months"),
    "year": ("yearly", "year", "years"),
    "nowcast": ("hourly NowCast", "hour", "hours"),
}
# Averaging of a guideline (toolkit.standards) -> (what is compared, noun, plural).
_AVERAGING = {
    "24h": ("daily mean", "day", "days"),
    "1h": ("hourly mean", "hour", "hours"),
    "8h max daily": ("maximum daily 8-hour mean", "day", "days"),
    "year": ("annual mean", "year", "years"),
    "8h": ("running 8-hour mean", "8-hour window", "8-hour windows"),
    "24h running": ("running 24-hour mean", "24-hour window", "24-hour windows"),
    "15min": ("15-minute mean", "15-minute period", "15-minute periods"),
}
_CONTEXT = ("variable", "pollutant", "place", "thresholds")


class CaptionError(ToolkitError, TypeError):
    """:func:`caption` was given something it cannot describe."""


# -- words ------------------------------------------------------------------------------
def variable_label(variable: str) -> str:
    """Return the short name people read for a canonical variable.

    Examples
    --------
    >>> variable_label("pm25"), variable_label("wind_speed")
    ('PM2.5', 'wind speed')
    """
    return _LABELS.get(str(variable), str(variable).replace("_", " "))


def period_words(period: str) -> tuple[str, str, str]:
    """Return (adjective, noun, plural) for an averaging period.

    Examples
    --------
    >>> period_words("1h"), period_words("10min")[0], period_words("8h rolling")[1]
    (('hourly', 'hour', 'hours'), '10-minute', '8-hour window')
    """
    name = str(period)
    if name in _PERIODS:
        return _PERIODS[name]
    rolling = name.endswith(" rolling")
    length = name.removesuffix(" rolling")
    if length.endswith("min"):
        size = f"{length[:-3]}-minute"
    elif length.endswith("h"):
        size = f"{length[:-1]}-hour"
    else:
        size = length
    if rolling:
        return f"rolling {size}", f"{size} window", f"{size} windows"
    return size, f"{size} period", f"{size} periods"


def measure_label(variable: str, period: str | None = None) -> str:
    """Return what a value is, e.g. ``"hourly mean PM2.5"`` or ``"daily total bikes"``.

    Parameters
    ----------
    variable
        Canonical variable name; its aggregation rule gives the statistic.
    period
        Averaging period; raw readings when ``None`` (``"PM2.5"``).

    Examples
    --------
    >>> measure_label("pm25", "1h"), measure_label("laeq", "day"), measure_label("pm25")
    ('hourly mean PM2.5', 'daily energy-mean noise level (LAeq)', 'PM2.5')
    """
    label = variable_label(variable)
    if period is None:
        return label
    from . import variables as _variables

    try:
        rule = _variables.get(str(variable)).aggregation
    except KeyError:  # a name outside the table: say "mean", the common case
        rule = "mean"
    return f"{period_words(period)[0]} {_STATISTIC[rule]} {label}"


def _sentence(text: str) -> str:
    """Capitalise the first letter (not the rest: "PM2.5" stays as it is)."""
    return text[:1].upper() + text[1:]


def format_number(value: float) -> str:
    """Write a value as people read it: no decimals from 100, one from 1, else 2 digits."""
    if value is None or math.isnan(value):
        return "unknown"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1 or size == 0:
        return f"{value:.1f}"
    return f"{value:.2g}"


def comparison_words(averaging: str) -> tuple[str, str, str]:
    """Return (what is compared, noun, plural) for a guideline's averaging period.

    Examples
    --------
    >>> comparison_words("24h")
    ('daily mean', 'day', 'days')
    """
    return _AVERAGING.get(str(averaging), (f"{averaging} mean", "period", "periods"))


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _date(stamp: pd.Timestamp, *, with_time: bool = False) -> str:
    text = f"{stamp.day} {stamp:%B %Y}"
    return f"{text} at {stamp:%H:%M}" if with_time else text


def _join(items: Iterable[str]) -> str:
    """Join words as a sentence does: "a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _where(sensors: list[str], place: str | None) -> str:
    """Say where: "at sensor s1" or "at 6 sensors", with the place if given."""
    text = f"at sensor {sensors[0]}" if len(sensors) == 1 else f"at {len(sensors)} sensors"
    return f"{text} {place}" if place else text


def _local(stamps: pd.Series, sensor_ids: pd.Series, sensors: pd.DataFrame) -> pd.Series:
    """UTC times on their sensor's wall clock (UTC where a sensor's zone is unknown)."""
    import pandas as pd

    zones = {}
    if "timezone" in sensors.columns:
        zones = {
            str(s): z
            for s, z in zip(sensors["sensor_id"], sensors["timezone"], strict=True)
            if isinstance(z, str) and z
        }
    ids = sensor_ids.astype(str).to_numpy()
    out = pd.Series(pd.NaT, index=stamps.index, dtype="datetime64[ns]")
    for zone in sorted({zones.get(s, "UTC") for s in set(ids)}):  # a loop over zones
        rows = [zones.get(s, "UTC") == zone for s in ids]
        out[rows] = stamps[rows].dt.tz_convert(zone).dt.tz_localize(None).astype("M8[ns]")
    return out


def _span(local: pd.Series) -> str:
    """Say when: "on 4 March 2024" or "from 4 March 2024 to 6 March 2024"."""
    first, last = local.min(), local.max()
    if first.normalize() == last.normalize():
        return f"on {_date(first)}"
    return f"from {_date(first)} to {_date(last)}"


def _min_coverage(history: Iterable[Any], step_names: tuple[str, ...]) -> float:
    """Return the ``min_coverage`` of the last such step (0.75 if none says)."""
    for step in reversed(tuple(history)):
        if step.name in step_names and "min_coverage" in step.parameters:
            return float(step.parameters["min_coverage"])
    return 0.75


# -- the entry point --------------------------------------------------------------------
def caption(obj: Any, **context: Any) -> str:
    """Describe a result in one or two plain sentences, with the rules that made it.

    Parameters
    ----------
    obj
        A result of the toolkit (see the module docstring): readings, averages, an
        index, an exceedance, profile, health or corrections table, or a chart.
    **context
        ``variable``: which variable to describe, when the data has several.
        ``pollutant``: which sub-index of an index result (the overall index by default).
        ``place``: words naming where, e.g. ``"in Quayford"``.
        ``thresholds``: for a health table made with other thresholds than
        :func:`toolkit.quality.health`'s defaults, a dict of them.

    Returns
    -------
    str
        One or two sentences (a table of corrections: one per correction). When there
        is too little data to say anything, the caption says so and why.

    Raises
    ------
    CaptionError
        For an object the toolkit does not know how to describe, or an unknown context
        keyword.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> readings = pd.DataFrame({"sensor_id": "s1", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.to_datetime(["2024-10-07T10:00Z", "2024-10-08T10:00Z"]),
    ...     "value": [4.0, 12.5]})
    >>> caption(SensorData(readings, pd.DataFrame({"sensor_id": ["s1"]})))
    '2 PM2.5 readings at sensor s1 from 7 October 2024 to 8 October 2024; none flagged by a quality rule. They range from 4.0 to 12.5 µg/m³.'
    """  # noqa: E501
    import pandas as pd

    from .sensordata import SensorData

    unknown = sorted(set(context) - set(_CONTEXT))
    if unknown:
        raise CaptionError(
            f"caption() does not know the keyword {', '.join(map(repr, unknown))}.",
            found=f"keywords {sorted(context)}",
            fix=f"Use some of {', '.join(_CONTEXT)}.",
        )
    if isinstance(obj, SensorData):
        readings = obj.readings
        if "pollutant" in readings.columns and "standard" in readings.columns:
            return _caption_index(obj, **context)
        if "period" in readings.columns:
            return _caption_averages(obj, **context)
        return _caption_readings(obj, **context)
    if isinstance(obj, pd.DataFrame):
        columns = set(obj.columns)
        if {"periods_above", "periods_valid", "threshold"} <= columns:
            return _caption_exceedances(obj, **context)
        if {"n_hours", "ci95_low"} <= columns and ("hour" in columns or "weekday" in columns):
            return _caption_profile(obj, **context)
        if {"status", "completeness", "day"} <= columns:
            return _caption_health(obj, **context)
        if {"correction", "raw_mean", "corrected"} <= columns:
            return _caption_corrections(obj, **context)
    meta = getattr(obj, "usermeta", None)
    if isinstance(meta, dict) and "caption" in meta:
        return str(meta["caption"])
    raise CaptionError(
        f"caption() does not know how to describe a {type(obj).__name__}.",
        found=f"{type(obj).__module__}.{type(obj).__name__}",
        fix="Give it a SensorData (readings, averages or an index), a table from "
        "toolkit.indices.exceedances, toolkit.timeseries.profile, toolkit.quality.health "
        "or toolkit.corrections.compare, or a chart from toolkit.charts.",
    )


def _one_variable(data: SensorData, variable: str | None) -> tuple[pd.DataFrame, str]:
    """Return the readings of one variable: the one asked for, or the only one."""
    readings = data.readings
    present = data.variables
    if variable is None:
        if len(present) != 1:
            raise CaptionError(
                "These averages hold several variables; which one should be described?",
                found=f"variables {', '.join(present)}",
                fix=f"Name it: caption(data, variable={present[0]!r}).",
            )
        variable = present[0]
    if variable not in present:
        raise CaptionError(
            f"There are no {variable} values to describe.",
            found=f"variables {', '.join(present) or 'none'}",
            fix="Name one of those with variable=...",
        )
    return readings[readings["variable"] == variable], variable


# -- readings and averages --------------------------------------------------------------
def _caption_readings(
    data: SensorData, *, variable: str | None = None, place: str | None = None, **_: Any
) -> str:
    readings = data.readings
    if readings.empty:
        return "There are no readings: nothing was loaded, or everything was left out."
    if variable is not None:
        readings = readings[readings["variable"] == variable]
    variables = sorted({str(v) for v in readings["variable"].unique()})
    what = (
        variable_label(variables[0])
        if len(variables) == 1
        else f"readings of {len(variables)} variables ({', '.join(variables)}),"
    )
    sensors = sorted({str(s) for s in readings["sensor_id"].unique()})
    present = readings["value"].notna()
    if not present.any():
        return _sentence(
            f"{_count(len(readings), what + ' reading')} {_where(sensors, place)}: every "
            "value is missing, so there is too little data to say anything."
        )
    local = _local(readings["time"], readings["sensor_id"], data.sensors)
    if len(variables) == 1:
        head = f"{len(readings):,} {what} {'reading' if len(readings) == 1 else 'readings'}"
    else:
        head = f"{len(readings):,} {what}"
    text = f"{head} {_where(sensors, place)} {_span(local)}"
    flag_columns = [c for c in readings.columns if str(c).startswith("flag_")]
    flagged = int(readings[flag_columns].any(axis=1).sum()) if flag_columns else 0
    text += (
        f"; {flagged:,} flagged by quality rules."
        if flagged
        else "; none flagged by a quality rule."
    )
    if len(variables) == 1:
        from . import variables as _variables

        unit = _variables.get(variables[0]).unit
        values = readings["value"][present]
        low, high = format_number(values.min()), format_number(values.max())
        text += f" They range from {low} to {high} {unit}."
    return _sentence(text)


def _caption_averages(
    data: SensorData, *, variable: str | None = None, place: str | None = None, **_: Any
) -> str:
    readings, variable = _one_variable(data, variable)
    period = str(readings["period"].iloc[0])
    _, noun, plural = period_words(period)
    sensors = sorted({str(s) for s in readings["sensor_id"].unique()})
    if len(sensors) > 1:
        noun, plural = f"sensor-{noun}", f"sensor-{plural}"
    what = measure_label(variable, period)
    min_coverage = _min_coverage(data.history, ("average", "rolling_mean"))
    of_what = (
        "of the expected readings"
        if period in ("1h",) or period.endswith("min")
        else "of the hours with a valid value"
    )
    rule = f"at least {_percent(min_coverage)} {of_what}"
    valid = readings["valid"].astype(bool) & readings["value"].notna()
    total = len(readings)
    local = _local(readings["time"], readings["sensor_id"], data.sensors)
    span = _span(local)
    if not valid.any():
        return (
            f"There is too little data for {what} {_where(sensors, place)}: none of the "
            f"{_count(total, noun, plural)} {span} had enough data ({rule})."
        )
    unit = str(readings["unit"].iloc[0])
    values = readings["value"][valid]
    first = _sentence(
        f"{what} {_where(sensors, place)} {span}: {int(valid.sum()):,} of "
        f"{_count(total, noun, plural)} had enough data ({rule})."
    )
    if variable == "wind_direction":
        return first
    return (
        f"{first} Those values range from {format_number(values.min())} to "
        f"{format_number(values.max())} {unit}."
    )


# -- an index ---------------------------------------------------------------------------
def _caption_index(
    data: SensorData, *, pollutant: str | None = None, place: str | None = None, **_: Any
) -> str:
    readings = data.readings
    if readings.empty:
        return "There is no index to describe: no values were given."
    pollutants = [str(p) for p in readings["pollutant"].unique()]
    if pollutant is None:
        if "overall" in pollutants:
            pollutant = "overall"
        elif len(pollutants) == 1:
            pollutant = pollutants[0]
        else:
            raise CaptionError(
                "This index result holds several pollutants and no overall index.",
                found=f"pollutants {', '.join(pollutants)}",
                fix=f"Name one: caption(result, pollutant={pollutants[0]!r}).",
            )
    rows = readings[readings["pollutant"] == pollutant]
    label = str(readings["standard"].iloc[0])
    period = str(rows["period"].iloc[0]) if len(rows) else "day"
    adjective, noun, plural = period_words(period)
    which = "index" if pollutant == "overall" else f"{variable_label(pollutant)} sub-index"
    sensors = sorted({str(s) for s in rows["sensor_id"].unique()})
    many = len(sensors) > 1
    nouns = f"sensor-{plural}" if many else plural
    counted = rows["value"].notna()
    min_coverage = _min_coverage(data.history, ("aqi", "average", "rolling_mean"))
    if not counted.any():
        return (
            f"There is too little data for the {label} {_where(sensors, place)}: no "
            f"{noun} had enough data for an index (at least {_percent(min_coverage)} of "
            "its hours)."
        )
    good = rows[counted]
    table = good.groupby(good["category"].astype(str), observed=True)["value"].agg(["size", "min"])
    table = table.sort_values("min")
    n = int(counted.sum())
    if len(table) == 1:
        counts = f"{table.index[0]} on all {n:,} {nouns} with enough data"
    else:
        parts = [f"{category} on {int(k):,}" for category, k in table["size"].items()]
        counts = f"{_join(parts)} of {n:,} {nouns} with enough data"
    first = (
        f"By the {label}, the {adjective} {which} {_where(sensors, place)} was {counts} "
        f"(at least {_percent(min_coverage)} of the hours)."
    )
    top = good.loc[good["value"].idxmax()]
    when = _local(
        good.loc[[top.name], "time"], good.loc[[top.name], "sensor_id"], data.sensors
    ).iloc[0]
    at = f" at {top['sensor_id']}" if many else ""
    second = (
        f"The highest was {format_number(float(top['value']))} ({top['category']}){at} on "
        f"{_date(when, with_time=period != 'day')}."
    )
    return f"{first} {second}"


# -- exceedances ------------------------------------------------------------------------
def guideline_words(name: str, threshold: float, unit: str) -> str:
    """Name a guideline and its value as a sentence does.

    Examples
    --------
    >>> guideline_words("who_2021_pm25_24h", 15.0, "µg/m³")
    'the WHO global air quality guidelines (2021) AQG level (15 µg/m³)'
    >>> guideline_words("my own", 20.0, "µg/m³")
    'a threshold of 20 µg/m³'
    """
    from . import standards

    try:
        found = standards.get(name)
    except KeyError:  # a number given as the guideline
        return f"a threshold of {threshold:g} {unit}"
    if isinstance(found, standards.Guideline):
        return f"the {found.title} ({found.version}) {found.level} ({threshold:g} {unit})"
    return f"{threshold:g} {unit} ({found.label})"


def _caption_exceedances(table: pd.DataFrame, *, place: str | None = None, **_: Any) -> str:
    if table.empty:
        return "There is nothing to count: the exceedance table is empty."
    parameters = table.attrs.get("parameters", {})
    min_coverage = float(parameters.get("min_coverage", 0.75))
    first_row = table.iloc[0]
    averaging = str(first_row["averaging"])
    measure, noun, plural = comparison_words(averaging)
    variable = str(first_row["variable"])
    unit = str(first_row["unit"])
    sensor_keys = ["sensor_id", "channel"] if "channel" in table.columns else ["sensor_id"]
    sensors = sorted(
        {" ".join(str(v) for v in row if isinstance(v, str)) for row in table[sensor_keys].values}
    )
    many = len(sensors) > 1
    nouns = f"sensor-{plural}" if many else plural
    what = f"{measure} {variable_label(variable)}"
    of_its = "8-hour means" if averaging == "8h max daily" else "hours"
    if averaging in ("1h", "15min"):
        rule_words = f"at least {_percent(min_coverage)} of its expected readings are there"
    else:
        rule_words = f"at least {_percent(min_coverage)} of its {of_its} have a valid value"
    edges = sorted(float(t) for t in table["threshold"].unique())
    per_threshold = table[table["threshold"] == edges[0]]
    valid = int(per_threshold["periods_valid"].sum())
    span = int(per_threshold["periods_in_span"].sum())
    name = str(first_row["guideline_name"])
    where = _where(sensors, place)
    if len(edges) == 1:
        against = guideline_words(name, edges[0], unit)
        above = f"above {against} on {int(per_threshold['periods_above'].sum()):,}"
    else:  # a scale with several edges: count each
        against = f"the thresholds of {name}"
        above = "above " + _join(
            f"{t:g} {unit} on {int(table.loc[table['threshold'] == t, 'periods_above'].sum()):,}"
            for t in edges
        )
    if valid == 0:
        return (
            f"There is too little data to say whether the {what} {where} was above "
            f"{against}: no {noun} had enough data (a {noun} counts when {rule_words})."
        )
    first = _sentence(f"{what} {where} was {above} of {valid:,} {nouns} with enough data.")
    if valid < FEW_PERIODS_SHARE * span:
        second = (
            f"Only {valid:,} of the {span:,} {nouns} in the period had enough data, so the "
            f"count may be low (a {noun} counts when {rule_words})."
        )
    else:
        second = f"A {noun} counts when {rule_words}."
    allowed = first_row.get("allowed")
    if allowed is not None and not (isinstance(allowed, float) and math.isnan(allowed)):
        over = table["over_allowed"].astype("boolean").fillna(False).astype(bool)
        n_over = int(over[table["threshold"] == edges[0]].sum())
        rows = len(per_threshold)
        if rows == 1:
            went = "that number was exceeded" if n_over else "that number was not exceeded"
        else:
            went = f"{n_over} of {rows} {'sensor-years' if many else 'years'} had more"
        second = (
            second[:-1] + f"; {allowed:g} such {plural} are allowed per calendar year, and {went}."
        )
    return f"{first} {second}"


# -- profiles ---------------------------------------------------------------------------
def _caption_profile(
    table: pd.DataFrame, *, variable: str | None = None, place: str | None = None, **_: Any
) -> str:
    attrs = table.attrs
    by = str(attrs.get("by", "hour" if "hour" in table.columns else "weekday"))
    if variable is None:
        present = sorted({str(v) for v in table["variable"].unique()}) if len(table) else []
        if len(present) > 1:
            raise CaptionError(
                "This profile holds several variables; which one should be described?",
                found=f"variables {', '.join(present)}",
                fix=f"Name it: caption(table, variable={present[0]!r}).",
            )
        variable = present[0] if present else None
    label = variable_label(variable) if variable else "the values"
    kind = {"hour": "daily", "weekday": "weekly", "hour_weekday": "weekly"}[by]
    cell_words = {
        "hour": "hour of the day",
        "weekday": "day of the week",
        "hour_weekday": "hour of the week",
    }[by]
    rows = table if variable is None else table[table["variable"] == variable]
    enough = rows[rows["n_hours"] >= MIN_PROFILE_VALUES]
    if enough.empty:
        return (
            f"There is too little data for a {kind} profile of {label}: no {cell_words} "
            f"has {MIN_PROFILE_VALUES} or more valid hourly values (at least "
            f"{_percent(float(attrs.get('min_coverage') or 0.75))} of the expected "
            "readings each)."
        )
    statistic = str(attrs.get("statistic", "mean"))
    unit = str(rows["unit"].iloc[0])
    sensors = sorted({str(s) for s in rows["sensor_id"].unique()})
    many = len(sensors) > 1

    def cell(row: pd.Series) -> str:
        if by == "hour":
            text = f"at {int(row['hour']):02d}:00"
        elif by == "weekday":
            text = f"on {row['weekday_name']}s"
        else:
            text = f"on {row['weekday_name']}s at {int(row['hour']):02d}:00"
        at = f" at {row['sensor_id']}" if many else ""
        return f"{text}{at} ({format_number(float(row['value']))} {unit})"

    high = enough.loc[enough["value"].idxmax()]
    low = enough.loc[enough["value"].idxmin()]
    zones = sorted(set((attrs.get("zones") or {}).values()))
    clock = f"the {zones[0]} clock" if len(zones) == 1 else "each sensor's local clock"
    average = "On average" if statistic == "mean" else "Typically (median)"
    first = f"{average}, on {clock}, {label} was highest {cell(high)} and lowest {cell(low)}."
    hours = int(rows["n_hours"].sum())
    who = "pooled from " if attrs.get("pooled") else "from "
    n_sensors = (
        f"{len(attrs.get('zones') or sensors)} sensors"
        if attrs.get("pooled") or many
        else f"sensor {sensors[0]}"
    )
    second = (
        f"It rests on {hours:,} valid hourly values {who}{n_sensors} (at least "
        f"{_percent(float(attrs.get('min_coverage') or 0.75))} of the expected readings "
        "each)"
    )
    thin = int((rows["n_hours"] < MIN_PROFILE_VALUES).sum())
    cells = len(rows)
    if thin:
        second += (
            f"; {thin} of {cells} cells have fewer than {MIN_PROFILE_VALUES} values, too "
            "little to show a typical value"
        )
    return f"{first} {second}."


# -- health -----------------------------------------------------------------------------
def _caption_health(
    table: pd.DataFrame,
    *,
    place: str | None = None,
    thresholds: dict[str, float] | None = None,
    **_: Any,
) -> str:
    import inspect

    from .quality import health

    if table.empty:
        return "There is no data to judge the sensors' health: the table is empty."
    limits = {
        name: p.default
        for name, p in inspect.signature(health).parameters.items()
        if isinstance(p.default, float)
    }
    limits.update(thresholds or {})
    sensors = sorted({str(s) for s in table["sensor_id"].unique()})
    many = len(sensors) > 1
    days = "sensor-days" if many else "days"
    counts = table["status"].value_counts()
    words = {"good": "good", "check": "to check", "poor": "poor", "no data": "without data"}
    parts = [f"{int(counts[s]):,} {w}" for s, w in words.items() if counts.get(s, 0)]
    total = len(table)
    if len(parts) == 1:
        only = next(s for s in words if counts.get(s, 0))
        summary = f"all {total:,} {days} {_where(sensors, place)} were {words[only]}"
        first = _sentence(summary) + "."
    else:
        first = f"Of {total:,} {days} {_where(sensors, place)}: {_join(parts)}."
    second = (
        f"A good day has at least {_percent(limits['good_completeness'])} of its expected "
        f"readings and at most {_percent(limits['check_flagged'])} flagged by quality "
        f"rules; a poor day has under {_percent(limits['poor_completeness'])} or more "
        f"than {_percent(limits['poor_flagged'])} flagged."
    )
    return f"{first} {second}"


# -- corrections ------------------------------------------------------------------------
def _caption_corrections(table: pd.DataFrame, **_: Any) -> str:
    from . import variables as _variables

    if table.empty:
        return "There are no corrections to compare."
    corrected = table["corrected"].fillna(0).astype(int)
    if not corrected.any():
        reasons = [str(n) for n in table["note"] if str(n)]
        why = f" ({'; '.join(reasons)})" if reasons else ""
        return f"There is too little data to compare corrections: no value was corrected{why}."
    period = table.attrs.get("period")
    values_words = f"{period_words(period)[0]} values" if period else "values"
    sentences = []
    for row, done in zip(table.itertuples(index=False), corrected, strict=True):  # corrections
        if not done:
            note = str(row.note).rstrip(".") or "no value could be corrected"
            note = note[:1].lower() + note[1:]
            sentences.append(f"{row.correction} gave no value: {note}.")
            continue
        unit = _variables.get(str(row.input)).unit
        text = (
            f"{row.correction} changed the mean of {int(row.corrected):,} {values_words} of "
            f"{variable_label(str(row.input))} from {format_number(row.raw_mean)} to "
            f"{format_number(row.mean)} {unit}"
        )
        if row.missing:
            text += f"; {int(row.missing):,} of {int(row.values):,} got no value"
        sentences.append(text + ".")
    return " ".join(sentences)
