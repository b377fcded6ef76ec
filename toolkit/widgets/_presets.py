"""Guided questions: each answered with a table, a chart and a caption in plain words.

=================================== =====================================================
question                            function
=================================== =====================================================
Is the air worse on weekdays?       :func:`weekday_vs_weekend`
Which sensor disagrees with its     :func:`disagreeing_sensors`
neighbours?
How many unhealthy days were        :func:`unhealthy_days`
there, by each standard?
=================================== =====================================================

Each returns an :class:`Answer` with ``.chart``, ``.caption``, ``.table``, ``.verdict``
(a short answer tests and reports can use) and ``.widget()``. They are made of the
toolkit's own steps (averaging, profiles, evaluation, indices, exceedances), so the
numbers agree with everything else the toolkit shows, and every threshold used is a
keyword option with its default stated below.

Thresholds chosen here (not published rules; change them with the keyword options)
----------------------------------------------------------------------------------------
* Weekdays and weekends "about the same" when the means differ by at most 10 %
  (``tolerance=0.10``; for decibels 10 % of the sound energy, about 0.4 dB). Too little
  data when either has fewer than 2 local days with valid hours (``min_days=2``).
* A sensor is compared in the hours when at least 2 other sensors have a valid value
  (``min_others=2``) and is ranked only with at least 24 such hours (``min_hours=24``).
* An index day counts as unhealthy from the category in :data:`UNHEALTHY_FROM`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import DataFormatError, MissingColumnError
from ..history import Step

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = [
    "QUESTIONS",
    "UNHEALTHY_FROM",
    "Answer",
    "ask",
    "disagreeing_sensors",
    "unhealthy_days",
    "weekday_vs_weekend",
]

#: The first category of each index whose days count as unhealthy. For the US AQI EPA's
#: own name says so ("Unhealthy for Sensitive Groups", AQI above 100; AirNow, AQI
#: Basics: above 100 the air is "unhealthy: at first for certain sensitive groups").
#: For the others, the first category in which the publisher's health advice turns to
#: sensitive people (heart or lung disease, asthma) while others may carry on: EEA's
#: European AQI "Moderate", Defra's DAQI "Moderate" (4-6), CPCB's NAQI "Moderately
#: Polluted" (101-200). These three readings of the health messages are from memory,
#: NOT verified against the documents; pass ``unhealthy_from=`` to choose otherwise.
UNHEALTHY_FROM = {
    "us_epa_2024": "Unhealthy for Sensitive Groups",
    "us_epa_2018": "Unhealthy for Sensitive Groups",
    "eaqi_2024": "Moderate",
    "eaqi_2017": "Moderate",
    "uk_daqi_2013": "Moderate",
    "in_naqi_2014": "Moderately Polluted",
}
#: Variable groups for which higher means worse (the others say "higher").
_WORSE_WHEN_HIGHER = ("particulate matter", "gases", "noise")
#: Variable groups whose differences read well as a share (zero means none).
_RATIO_GROUPS = ("particulate matter", "gases", "particle number", "traffic")
_WEEKEND = 5  # pandas day_of_week: Monday 0 ... Saturday 5, Sunday 6
_PREFERRED = ("pm25", "pm10", "no2", "o3", "pm25_atm", "pm25_cf1", "laeq")


@dataclass(frozen=True)
class Answer:
    """The answer to one guided question.

    Attributes
    ----------
    question
        The question, as asked.
    verdict
        A short answer (``"worse on weekdays"``, ``"too little data"``...).
    caption
        One to three sentences a resident can read aloud, stating the rules used.
    table
        The numbers behind the answer.
    chart
        An Altair chart made by :mod:`toolkit.charts` (``None`` when there is nothing
        to draw).
    variable
        The variable asked about.
    details
        Further tables, the variables the question can be asked of (``"variables"``)
        and the rules used (see each question's function).
    redo
        Asks the same question again with some options changed, e.g.
        ``answer.redo(variable="pm10")`` (what the widget's variable chooser does).
    """

    question: str
    verdict: str
    caption: str
    table: pd.DataFrame
    chart: Any
    variable: str
    details: dict[str, Any] = field(default_factory=dict)
    redo: Callable[..., Answer] | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.question}\n{self.caption}"

    def widget(self) -> Any:
        """Return an ipywidgets view: the question, a variable chooser, chart and caption.

        Changing the variable asks the question again for it. Needs ``ipywidgets``.
        """
        from ._explore import answer_view

        return answer_view(self)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        from IPython.display import HTML, display

        display(HTML(f"<h4>{_escape(self.question)}</h4>"))
        if self.chart is not None:
            display(self.chart)
        display(HTML(f"<p>{_escape(self.caption)}</p>"))


# -- shared helpers -----------------------------------------------------------------------
def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _choose_variable(
    data: SensorData,
    variable: str | None,
    *,
    rules: Sequence[str] | None = None,
    judged: bool = False,
) -> str:
    """Return the variable asked about: the one given, else a pollutant people know."""
    from .. import variables as _variables

    present = data.variables
    fitting = _fitting(data, rules, judged=judged)
    if variable is None:
        for name in _PREFERRED:
            if name in fitting:
                return name
        if not fitting:
            raise MissingColumnError(
                "No variable in this data can answer this question.",
                found=f"variables {', '.join(present) or 'none'}",
                fix="Load readings of a pollutant such as PM2.5 (pm25).",
            )
        return fitting[0]
    _variables.get(variable)  # an unknown name is a friendly UnknownVariableError
    if variable not in present:
        raise MissingColumnError(
            f"The variable {variable!r} is not in this data.",
            found=f"variables {', '.join(present) or 'none'}",
            fix=f"Ask about one of those, e.g. variable={(fitting or present or ['pm25'])[0]!r}.",
        )
    if variable not in fitting:
        rule = _variables.get(variable).aggregation
        why = "no standard judges it" if judged else f"it averages by {rule}"
        raise DataFormatError(
            f"This question cannot be asked of {variable} ({why}).",
            found=f"variables that fit: {', '.join(fitting) or 'none'}",
            fix=f"Ask about one of those, e.g. variable={(fitting or ['pm25'])[0]!r}.",
        )
    return variable


def _fitting(data: SensorData, rules: Sequence[str] | None, *, judged: bool = False) -> list[str]:
    """Variables of ``data`` averaged by one of ``rules`` (and, if ``judged``, with standards)."""
    from .. import variables as _variables
    from ._state import pollutant_of

    return [
        v
        for v in data.variables
        if (rules is None or _variables.get(v).aggregation in rules)
        and (not judged or pollutant_of(v) is not None)
    ]


def _part(data: SensorData, variable: str, sensors: str | Sequence[str] | None) -> SensorData:
    """Return the readings of one variable (and some sensors); the selection is recorded."""
    return data.select(variables=variable, sensors=sensors)


def _hourly(part: SensorData, *, timezone: str, min_coverage: float) -> SensorData:
    """Hourly averages: made by ``average`` from readings, or given averages as they are."""
    from ..corrections import as_averages
    from ..timeseries import average

    if "period" in part.readings.columns:
        return as_averages(part, "1h", timezone=timezone, allowed=("1h",))[0]
    return average(part, "1h", timezone=timezone, min_coverage=min_coverage)


def _usable(readings: pd.DataFrame) -> np.ndarray:
    """Rows of averaged readings with a valid value."""
    return readings["valid"].to_numpy(dtype=bool) & readings["value"].notna().to_numpy()


def _local_days(
    sensor_ids: pd.Series, times: pd.Series, zones: Mapping[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local calendar day of each time: day number, weekday (0 = Monday), hours in the day.

    Local days follow each sensor's zone and are DST-safe (23 or 25 hours).
    """
    import numpy as np
    import pandas as pd

    from .._periods import parse_period, period_bounds

    zone_of = sensor_ids.astype(str).map(dict(zones)).to_numpy()
    day = np.zeros(len(times), dtype=np.int64)
    weekday = np.zeros(len(times), dtype=np.int64)
    hours = np.zeros(len(times), dtype=float)
    stamps = times.reset_index(drop=True)
    for zone in sorted({str(z) for z in zone_of}):  # a loop over zones, not readings
        rows = zone_of == zone
        local = stamps[rows].dt.tz_convert(zone)
        wall = local.dt.tz_localize(None).dt.normalize()
        day[rows] = wall.to_numpy(dtype="datetime64[D]").astype(np.int64)
        weekday[rows] = local.dt.day_of_week.to_numpy()
        start, end = period_bounds(stamps[rows], zone, parse_period("day"))
        hours[rows] = ((end - start) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    return day, weekday, hours


_SHORT = {
    "us_epa_2024": "US EPA AQI 2024",
    "us_epa_2018": "US EPA AQI before 2024",
    "eaqi_2024": "European AQI 2024",
    "eaqi_2017": "European AQI 2017",
    "uk_daqi_2013": "UK DAQI",
    "in_naqi_2014": "India NAQI",
}


def _name(variable: str) -> str:
    """Return the variable's name in plain words (:func:`toolkit.captions.variable_label`)."""
    from ..captions import variable_label

    return variable_label(variable)


def _short(found: Any) -> str:
    """Return a short name of a standard or guideline, for captions."""
    if found.name in _SHORT:
        return _SHORT[found.name]
    if found.name.startswith("who_"):
        level = "guideline" if found.level == "AQG level" else found.level
        return f"WHO {found.version} {level}"
    if found.name.startswith("eu_"):
        return f"EU {found.level} ({found.version})"
    return str(found.label)


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _group(variable: str) -> str:
    from .. import variables as _variables

    return _variables.get(variable).group


def _unit(variable: str) -> str:
    from .. import variables as _variables

    return _variables.get(variable).unit


def _number(value: float, unit: str) -> str:
    """Return a value with its unit, rounded for reading aloud."""
    return f"{value:.1f} {unit}"


# -- Is the air worse on weekdays? --------------------------------------------------------
WEEKDAYS_QUESTION = "Is the air worse on weekdays?"


def weekday_vs_weekend(
    data: SensorData,
    *,
    variable: str | None = None,
    sensors: str | Sequence[str] | None = None,
    timezone: str = "local",
    min_coverage: float = 0.75,
    tolerance: float = 0.10,
    min_days: int = 2,
) -> Answer:
    """Compare the hourly values of weekdays (Monday-Friday) and weekends, in local time.

    The hourly values of all chosen sensors are pooled (a sensor with more valid hours
    weighs more) and profiled hour by hour with :func:`toolkit.timeseries.profile`,
    once for weekdays and once for weekends. The overall means are the means of all
    valid hourly values of each (energy means for decibels; mean counts per hour for
    counts), computed from the profiles' means weighted by their hours.

    Parameters
    ----------
    data
        Readings as loaded, or hourly averages made by
        :func:`toolkit.timeseries.average`. Not changed.
    variable
        The variable to compare; by default the first of PM2.5, PM10, NO2, O3 (raw
        PurpleAir PM2.5, LAeq after them) in the data. Variables averaged by vector mean,
        minimum or maximum cannot be compared this way.
    sensors
        Sensor id or ids; all sensors with the variable when ``None``.
    timezone
        Whose weekdays and hours: ``"local"`` (each sensor's zone) or an IANA name.
    min_coverage
        Data capture an hour needs when readings are averaged (0.75).
    tolerance
        Differences up to this share of the larger mean are "about the same" (0.10; a
        rule of thumb, not a published threshold). For decibels the share is of the
        sound energy.
    min_days
        Local days with valid hours that weekdays and weekends each need (2).

    Returns
    -------
    Answer
        ``verdict``: "worse on weekdays", "worse at weekends" (pollutants and noise;
        "higher ..." for other variables), "about the same" or "too little data".
        ``table``: the hourly profile, one row per ``days`` ("weekdays", "weekends") and
        local ``hour``, with the profile's statistics. ``details``: ``means``
        (weekdays, weekends), ``days`` (local days with data), ``difference`` (weekdays
        minus weekends, in the unit), ``relative`` (the difference as a share of the
        weekend mean; of the energy for decibels), ``sensors`` and ``rules``.

    Raises
    ------
    MissingColumnError, DataFormatError
        For a variable not in the data, or one that cannot be compared this way.
    TimestampError
        When local time is asked for sensors without a time zone.
    """
    import numpy as np
    import pandas as pd

    from .. import variables as _variables
    from .._periods import sensor_timezones
    from ..timeseries import profile

    if not 0 <= tolerance < 1:
        msg = f"tolerance must be a share from 0 to 1 (0.10 is 10 %), not {tolerance}."
        raise ValueError(msg)
    name = _choose_variable(data, variable, rules=("mean", "energy_mean", "sum"))
    hourly = _hourly(_part(data, name, sensors), timezone=timezone, min_coverage=min_coverage)
    readings = hourly.readings
    ok = _usable(readings)
    zones = sensor_timezones(hourly, timezone)
    day, weekday, _ = _local_days(readings["sensor_id"], readings["time"], zones)
    weekend = weekday >= _WEEKEND
    energy = _variables.get(name).aggregation == "energy_mean"
    tables, means, days = [], {}, {}
    for label, rows in (("weekdays", ok & ~weekend), ("weekends", ok & weekend)):
        days[label] = len(np.unique(day[rows]))
        if not rows.any():
            means[label] = float("nan")
            continue
        kept = readings.loc[rows].reset_index(drop=True)
        step = Step(
            name="select",
            description=f"Kept the valid hourly values of {label} "
            f"({'Saturday and Sunday' if label == 'weekends' else 'Monday to Friday'}, "
            "local time).",
            parameters={"days": label, "timezone": timezone},
            touched=int(len(readings) - len(kept)),
        )
        table = profile(
            hourly.replace(readings=kept, step=step),
            by="hour",
            timezone=timezone,
            variables=name,
            pool_sensors=True,
        )
        table.insert(0, "days", label)
        tables.append(table)
        means[label] = _pooled_mean(table, energy)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    weekday_mean, weekend_mean = means["weekdays"], means["weekends"]
    unit = _unit(name)
    difference = weekday_mean - weekend_mean
    # Compared on the scale that averages: sound energy for decibels, else the values.
    if energy:
        weekdays, weekends = (10 ** (m / 10) for m in (weekday_mean, weekend_mean))
    else:
        weekdays, weekends = weekday_mean, weekend_mean
    relative = (weekdays - weekends) / abs(weekends) if weekends else float("nan")
    worse = _group(name) in _WORSE_WHEN_HIGHER
    if min(days.values()) < min_days:
        verdict = "too little data"
    elif abs(weekdays - weekends) <= tolerance * max(abs(weekdays), abs(weekends)):
        verdict = "about the same"
    else:
        side = "on weekdays" if weekdays > weekends else "at weekends"
        verdict = f"{'worse' if worse else 'higher'} {side}"
    n_sensors = readings.loc[ok, "sensor_id"].nunique()
    caption = _weekday_caption(
        name, unit, means, days, verdict, (weekdays, weekends), energy, n_sensors, min_days
    ) + (
        f" Local time; hours with at least {_percent(min_coverage)} data capture; "
        f"differences up to {_percent(tolerance)} count as about the same."
        if verdict != "too little data"
        else ""
    )
    details = {
        "means": means,
        "days": days,
        "difference": difference,
        "relative": relative,
        "sensors": n_sensors,
        "variables": _fitting(data, ("mean", "energy_mean", "sum")),
        "rules": {
            "weekdays": "Monday to Friday, local time",
            "weekends": "Saturday and Sunday, local time",
            "timezone": timezone,
            "min_coverage": min_coverage,
            "tolerance": tolerance,
            "min_days": min_days,
            "history": hourly.history,
        },
    }
    chart = weekday_chart(hourly, name, timezone) if ok.any() else None
    return Answer(
        question=WEEKDAYS_QUESTION,
        verdict=verdict,
        caption=caption,
        table=table,
        chart=chart,
        variable=name,
        details=details,
        redo=lambda **changes: weekday_vs_weekend(
            data,
            **{
                "variable": name,
                "sensors": sensors,
                "timezone": timezone,
                "min_coverage": min_coverage,
                "tolerance": tolerance,
                "min_days": min_days,
                **changes,
            },
        ),
    )


def _pooled_mean(table: pd.DataFrame, energy: bool) -> float:
    """Mean of all hourly values from hour-profile rows: their means weighted by hours."""
    import numpy as np

    n = table["n_hours"].to_numpy(dtype=float)
    mean = table["mean"].to_numpy(dtype=float)
    if energy:
        return float(10 * np.log10(np.sum(n * 10 ** (mean / 10)) / np.sum(n)))
    return float(np.sum(n * mean) / np.sum(n))


def _weekday_caption(
    name: str,
    unit: str,
    means: dict[str, float],
    days: dict[str, int],
    verdict: str,
    linear: tuple[float, float],
    energy: bool,
    n_sensors: int,
    min_days: int,
) -> str:
    """Say the weekday answer in words; ``linear`` holds the two means (energies for dB)."""
    at = f"at {n_sensors} sensor{'s' if n_sensors != 1 else ''}"
    if verdict == "too little data":
        return (
            f"Too little data to say: {_name(name)} {at} has valid hours on "
            f"{days['weekdays']} weekday(s) and {days['weekends']} weekend day(s); each "
            f"needs at least {min_days}."
        )
    text = (
        f"Hourly {_name(name)} {at} averaged {_number(means['weekdays'], unit)} on weekdays "
        f"({days['weekdays']} days) and {_number(means['weekends'], unit)} at weekends "
        f"({days['weekends']} days)"
    )
    if verdict == "about the same":
        return text + ": about the same."
    on_weekdays = linear[0] > linear[1]
    high, low = max(linear), min(linear)
    gap = abs(means["weekdays"] - means["weekends"])
    if energy:
        how_much = f"{gap:.1f} dB"
    elif _group(name) in _RATIO_GROUPS and low > 0:
        how_much = _percent((high - low) / low)
    else:  # temperatures and the like: a share of them means nothing
        how_much = _number(gap, unit)
    side = "on weekdays" if on_weekdays else "at weekends"
    return f"{text}: {how_much} higher {side}, so it was {verdict}."


# -- Which sensor disagrees with its neighbours? ----------------------------------------
NEIGHBOURS_QUESTION = "Which sensor disagrees with its neighbours?"
#: The sensor id given to "the median of the other sensors" in comparisons.
OTHERS = "median of the others"


def disagreeing_sensors(
    data: SensorData,
    *,
    variable: str | None = None,
    sensors: str | Sequence[str] | None = None,
    timezone: str = "local",
    min_coverage: float = 0.75,
    min_others: int = 2,
    min_hours: int = 24,
) -> Answer:
    """Rank sensors by how far their hourly values stray from the median of the others.

    For every hour, each sensor's valid hourly value is compared with the median of the
    valid values of all *other* sensors in that hour (a median, so that one faulty
    sensor does not pull the comparison of the others). The comparison is
    :func:`toolkit.evaluation.evaluate` with the median as the "reference": line
    (ordinary least squares), R², root-mean-square difference (RMSE) and mean
    difference (bias, sensor minus the others). Sensors are ranked by RMSE, largest
    first. PurpleAir channels A and B are averaged per hour first.

    A sensor can disagree because it is faulty or badly calibrated, or because it
    stands somewhere different (a busy road, a courtyard, indoors): the answer says
    which sensor to look at, not why.

    Parameters
    ----------
    data
        Readings as loaded, or hourly averages. Not changed.
    variable
        The variable to compare (default: PM2.5 or the first pollutant present).
    sensors
        The sensors to compare with each other (at least 3); all when ``None``.
    timezone
        Where hours begin when readings are averaged (``"local"`` or an IANA name).
    min_coverage
        Data capture an hour needs (0.75).
    min_others
        Hours count only when at least this many other sensors have a valid value (2).
    min_hours
        Hours of comparison a sensor needs to be ranked (24).

    Returns
    -------
    Answer
        ``verdict``: the id of the sensor that disagrees most, or "too little data".
        ``table``: one row per sensor, ranked: ``rank`` (missing when not ranked),
        ``sensor_id``, ``hours``, ``bias``, ``rmse``, ``r2``, ``slope``, ``intercept``,
        ``mean_sensor``, ``mean_others``, ``unit``, ``note``. ``details``:
        ``comparison`` (hourly values of the most disagreeing sensor and the median of
        the others), ``rules``.

    Raises
    ------
    DataFormatError
        With fewer than 3 sensors of the variable.
    MissingColumnError
        For a variable not in the data.
    ValueError
        For ``min_others`` below 1 or ``min_hours`` below 3.
    """
    import pandas as pd

    if min_others < 1 or min_hours < 3:
        msg = (
            f"min_others must be at least 1 and min_hours at least 3 (a line needs three "
            f"pairs), not {min_others} and {min_hours}."
        )
        raise ValueError(msg)
    name = _choose_variable(data, variable, rules=("mean", "energy_mean", "sum"))
    hourly = _hourly(_part(data, name, sensors), timezone=timezone, min_coverage=min_coverage)
    wide = _wide(hourly)
    ids = [str(c) for c in wide.columns]
    if len(ids) < 3:
        raise DataFormatError(
            f"Comparing a sensor with its neighbours needs at least 3 sensors of {name}.",
            found=f"{len(ids)} sensor(s) with valid hourly values: {', '.join(ids) or 'none'}",
            fix="Include more sensors (sensors=None takes all), or compare two sensors "
            "with toolkit.evaluation.evaluate.",
        )
    values = wide.to_numpy(dtype=float)
    others = _median_of_others(values, min_others)
    unit = _unit(name)
    rows = []
    comparisons = {}
    for j, sensor in enumerate(ids):  # a loop over sensors, not readings
        row, pairs = _against_others(
            sensor, wide.index, values[:, j], others[:, j], name, unit, min_hours
        )
        rows.append(row)
        comparisons[sensor] = pairs
    table = pd.DataFrame(rows)
    ranked = table["rmse"].notna()
    n_ranked = int(ranked.sum())
    table = (
        table.assign(_unranked=~ranked)
        .sort_values(["_unranked", "rmse", "sensor_id"], ascending=[True, False, True])
        .drop(columns="_unranked")
        .reset_index(drop=True)
    )
    table.insert(
        0,
        "rank",
        pd.array([i + 1 if i < n_ranked else pd.NA for i in range(len(table))], dtype="Int64"),
    )
    first = str(table.loc[0, "sensor_id"]) if n_ranked else None
    verdict = first if first is not None else "too little data"
    caption = _neighbours_caption(table, name, unit, len(ids), n_ranked, min_hours)
    comparison = comparisons[first] if first is not None else None
    details = {
        "comparison": comparison,
        "variables": _fitting(data, ("mean", "energy_mean", "sum")),
        "rules": {
            "compared_with": f"median of the other sensors' valid hourly values, when at "
            f"least {min_others} have one",
            "ranked_by": "RMSE against the median of the others, largest first",
            "min_hours": min_hours,
            "min_coverage": min_coverage,
            "timezone": timezone,
            "history": hourly.history,
        },
    }
    chart = neighbours_chart(comparison, first, name) if first is not None else None
    return Answer(
        question=NEIGHBOURS_QUESTION,
        verdict=verdict,
        caption=caption,
        table=table,
        chart=chart,
        variable=name,
        details=details,
        redo=lambda **changes: disagreeing_sensors(
            data,
            **{
                "variable": name,
                "sensors": sensors,
                "timezone": timezone,
                "min_coverage": min_coverage,
                "min_others": min_others,
                "min_hours": min_hours,
                **changes,
            },
        ),
    )


def _wide(hourly: SensorData) -> pd.DataFrame:
    """Return valid hourly values as a table: a row per hour (UTC start), a column per sensor.

    Channels of one sensor (PurpleAir A and B) are averaged.
    """
    readings = hourly.readings
    usable = readings.loc[_usable(readings), ["sensor_id", "time", "value"]]
    usable = usable.assign(sensor_id=usable["sensor_id"].astype(str))
    return usable.pivot_table(
        index="time", columns="sensor_id", values="value", aggfunc="mean", observed=True
    ).sort_index()


def _median_of_others(values: np.ndarray, min_others: int) -> np.ndarray:
    """For each hour and sensor, the median of the other sensors' values (NaN if too few)."""
    import numpy as np

    out = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    for j in range(values.shape[1]):  # a loop over sensors (columns), not readings
        rest = np.delete(values, j, axis=1)
        enough = np.delete(present, j, axis=1).sum(axis=1) >= min_others
        if enough.any():
            out[enough, j] = np.nanmedian(rest[enough], axis=1)
    return out


def _against_others(
    sensor: str,
    hours: pd.Index,
    mine: np.ndarray,
    others: np.ndarray,
    variable: str,
    unit: str,
    min_hours: int,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Evaluate one sensor against the median of the others (toolkit.evaluation)."""
    import numpy as np
    import pandas as pd

    from ..evaluation import EvaluationError, evaluate

    both = ~np.isnan(mine) & ~np.isnan(others)
    times = pd.DatetimeIndex(hours)[both]
    pairs = pd.DataFrame({"time": times, "sensor": mine[both], "others": others[both]})
    row: dict[str, Any] = {
        "sensor_id": sensor,
        "hours": int(both.sum()),
        "bias": np.nan,
        "rmse": np.nan,
        "r2": np.nan,
        "slope": np.nan,
        "intercept": np.nan,
        "mean_sensor": np.nan,
        "mean_others": np.nan,
        "unit": unit,
        "note": "",
    }
    if both.sum() < min_hours:
        row["note"] = f"too few hours to compare ({int(both.sum())} of {min_hours} needed)"
        return row, pairs
    try:
        result = evaluate(
            _hourly_data(sensor, times, mine[both], variable, unit),
            _hourly_data(OTHERS, times, others[both], variable, unit),
            variable=variable,
            reference_variable=variable,
            period="1h",
            timezone="UTC",
        )
    except EvaluationError:  # the only one left: the others' values do not vary
        row["note"] = "the other sensors' values do not vary, so there is no line to compare"
        return row, pairs
    row.update(
        {
            "bias": result.bias,
            "rmse": result.rmse,
            "r2": result.r2,
            "slope": result.slope,
            "intercept": result.intercept,
            "mean_sensor": result.mean_sensor,
            "mean_others": result.mean_reference,
        }
    )
    return row, pairs


def _hourly_data(
    sensor: str, times: pd.DatetimeIndex, values: np.ndarray, variable: str, unit: str
) -> SensorData:
    """Return a one-sensor SensorData of valid hourly values, in the averaged form."""
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData, normalise_readings

    n = len(times)
    readings = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": times,
            "variable": variable,
            "value": values,
            "unit": unit,
            "period": "1h",
            "end": times + pd.Timedelta(hours=1),
            "n_readings": np.ones(n, dtype=np.int64),
            "n_expected": np.ones(n),
            "coverage": np.ones(n),
            "valid": np.ones(n, dtype=bool),
        }
    )
    sensors = pd.DataFrame({"sensor_id": [sensor], "timezone": ["UTC"]})
    return SensorData(normalise_readings(readings), sensors)


def _neighbours_caption(
    table: pd.DataFrame, name: str, unit: str, n_sensors: int, n_ranked: int, min_hours: int
) -> str:
    if n_ranked == 0:
        return (
            f"Too little data to say: no sensor of {n_sensors} has {min_hours} hours of "
            f"{_name(name)} in which enough other sensors had a value too."
        )
    top = table.iloc[0]
    direction = "higher" if top["bias"] > 0 else "lower"
    text = (
        f"Of {n_sensors} sensors with hourly {_name(name)}, {top['sensor_id']} disagreed most with "
        f"the median of the others: over {int(top['hours'])} hours it read on average "
        f"{_number(abs(top['bias']), unit)} {direction} (root-mean-square difference "
        f"{_number(top['rmse'], unit)})."
    )
    if n_ranked > 1:
        second = table.iloc[1]
        text += f" Next was {second['sensor_id']} ({_number(second['rmse'], unit)}). "
    else:
        text += " "
    return text + (
        "A sensor can disagree because it is faulty, because it is a different kind of "
        "instrument (a reference monitor among low-cost sensors), or because it stands "
        "somewhere different (a busy road, indoors)."
    )


# -- How many unhealthy days were there, by each standard? -------------------------------
UNHEALTHY_QUESTION = "How many unhealthy days were there, by each standard?"


def unhealthy_days(
    data: SensorData,
    *,
    variable: str | None = None,
    standards: Sequence[str] | None = None,
    sensors: str | Sequence[str] | None = None,
    timezone: str = "local",
    min_coverage: float = 0.75,
    unhealthy_from: Mapping[str, str] | None = None,
) -> Answer:
    """Count, per sensor, the local days each standard calls unhealthy, side by side.

    * **Indices** (:func:`toolkit.indices.aqi`, this pollutant's sub-index): a day
      counts as unhealthy when its index reaches the category in
      :data:`UNHEALTHY_FROM` (or ``unhealthy_from``). Daily indices (US AQI, DAQI,
      NAQI) use the index of the local day; hourly ones (European AQI) the worst valid
      hour of the local day, on days with at least ``min_coverage`` of their hours
      valid.
    * **Guidelines and limit values** for daily values
      (:func:`toolkit.indices.exceedances`): a day counts when its value is above the
      guideline's.

    Days are counted per sensor, as limit values are assessed per measuring point; the
    answer gives the typical sensor (the median over sensors) and the sensor with the
    most.

    Parameters
    ----------
    data
        Readings as loaded (each standard averages them as it says). Not changed.
    variable
        The pollutant (default: PM2.5, else PM10, NO2, O3). Indices need a variable
        named like an index pollutant; guidelines compare any variable of their
        pollutant (e.g. corrected PM2.5) as it is.
    standards
        Names from ``toolkit.standards.list()``: indices and guidelines with a daily
        averaging (24-hour or maximum daily 8-hour). Default: every index with a table
        for the pollutant, WHO 2021's guideline (AQG level) and the EU limit values for
        daily means.
    sensors
        Sensor id or ids; all sensors with the variable when ``None``.
    timezone
        Where local days begin: ``"local"`` or an IANA name.
    min_coverage
        Data capture a day (or an hour) needs to be counted (0.75).
    unhealthy_from
        Category from which an index day counts, per standard name (overrides
        :data:`UNHEALTHY_FROM`).

    Returns
    -------
    Answer
        ``verdict``: e.g. ``"3 to 14 days"`` (the typical sensor's count by the most
        lenient and by the strictest standard), or "too little data". ``table``: one
        row per standard: ``standard`` (name), ``label``, ``short`` (its short name),
        ``rule`` (which days count), ``sensors`` (with a day with enough data),
        ``days_with_data`` (most of any sensor), ``typical_days`` (median over sensors),
        ``most_days`` and ``sensor_most``. ``details["by_sensor"]``: one row per
        standard and sensor (``days_with_data``, ``unhealthy_days``).

    Raises
    ------
    DataFormatError
        For a standard that cannot count days of this variable.
    UnknownStandardError
        For an unknown name.
    """
    import numpy as np
    import pandas as pd

    from .. import standards as _standards

    name = _choose_variable(data, variable, rules=("mean",), judged=True)
    part = _part(data, name, sensors)
    chosen = list(standards) if standards is not None else _default_standards(name)
    if not chosen:
        raise DataFormatError(
            f"No standard counts unhealthy days of {name}.",
            found=f"variable {name}",
            fix="Ask about a pollutant with guidelines, e.g. variable='pm25'.",
        )
    rules = {**UNHEALTHY_FROM, **(unhealthy_from or {})}
    frames = []
    labels: dict[str, tuple[str, str, str]] = {}
    for standard in chosen:  # a loop over a few standards
        found = _standards.get(standard)
        if isinstance(found, _standards.Guideline):
            frame, label, rule = _guideline_days(part, found, name, timezone, min_coverage)
        else:
            frame, label, rule = _index_days(part, found, name, timezone, min_coverage, rules)
        frame.insert(0, "standard", found.name)
        frames.append(frame)
        labels[found.name] = (label, _short(found), rule)
    by_sensor = pd.concat(frames, ignore_index=True)
    by_sensor["sensor_id"] = by_sensor["sensor_id"].astype(str)
    summary = []
    for standard, (label, short, rule) in labels.items():
        rows = by_sensor[(by_sensor["standard"] == standard) & (by_sensor["days_with_data"] > 0)]
        most = rows.sort_values(["unhealthy_days", "sensor_id"], ascending=[False, True])
        summary.append(
            {
                "standard": standard,
                "label": label,
                "short": short,
                "rule": rule,
                "sensors": len(rows),
                "days_with_data": int(rows["days_with_data"].max()) if len(rows) else 0,
                "typical_days": float(rows["unhealthy_days"].median()) if len(rows) else np.nan,
                "most_days": int(most["unhealthy_days"].iloc[0]) if len(rows) else 0,
                "sensor_most": str(most["sensor_id"].iloc[0]) if len(rows) else "",
            }
        )
    table = pd.DataFrame(summary)
    counted = table[table["sensors"] > 0]
    if counted.empty:
        verdict = "too little data"
    else:
        low, high = counted["typical_days"].min(), counted["typical_days"].max()
        verdict = f"{low:g} to {high:g} days" if low != high else f"{low:g} days"
    caption = _unhealthy_caption(table, name, min_coverage)
    chart = unhealthy_chart(table, name, caption)
    return Answer(
        question=UNHEALTHY_QUESTION,
        verdict=verdict,
        caption=caption,
        table=table,
        chart=chart,
        variable=name,
        details={
            "by_sensor": by_sensor,
            "variables": _fitting(data, ("mean",), judged=True),
            "rules": {
                "unhealthy_from": {s: rules[s] for s in labels if s in rules},
                "min_coverage": min_coverage,
                "timezone": timezone,
            },
        },
        redo=lambda **changes: unhealthy_days(
            data,
            **{
                "variable": name,
                "standards": None if "variable" in changes else standards,
                "sensors": sensors,
                "timezone": timezone,
                "min_coverage": min_coverage,
                "unhealthy_from": unhealthy_from,
                **changes,
            },
        ),
    )


def _default_standards(variable: str) -> list[str]:
    """Every published index with a table for the pollutant, WHO's AQG level, EU daily limits.

    User-defined scales are left out of the default: which of their categories counts as
    unhealthy is the user's to say, so they are compared when named in ``standards=``.
    """
    from .. import standards as _standards
    from ._state import standards_for

    out = []
    for _, standard in standards_for(variable):
        if standard.startswith(("who_2021_", "eu_")) and not standard.endswith(
            ("_24h", "_8h_max_daily")
        ):
            continue  # interim targets, annual and hourly values do not count days
        if isinstance(_standards.get(standard), _standards.Standard) and (
            standard not in UNHEALTHY_FROM
        ):
            continue  # a user-defined scale: its "unhealthy" category is not known
        out.append(standard)
    return out


def _guideline_days(
    part: SensorData, guideline: Any, variable: str, timezone: str, min_coverage: float
) -> tuple[pd.DataFrame, str, str]:
    """Days above a daily guideline, per sensor (toolkit.indices.exceedances)."""
    from .. import indices

    if guideline.averaging not in ("24h", "8h max daily"):
        raise DataFormatError(
            f"{guideline.label} is not set for daily values, so it does not count days.",
            found=f"averaging {guideline.averaging}",
            fix="Choose a 24-hour or maximum daily 8-hour guideline, e.g. 'who_2021_pm25_24h'.",
        )
    table = indices.exceedances(
        part,
        guideline=guideline.name,
        variable=variable,
        min_coverage=min_coverage,
        timezone=timezone,
    )
    counts = (
        table.groupby("sensor_id", observed=True)[["periods_valid", "periods_above"]]
        .sum()
        .reset_index()
        .rename(columns={"periods_valid": "days_with_data", "periods_above": "unhealthy_days"})
    )
    what = "daily mean" if guideline.averaging == "24h" else "highest daily 8-hour mean"
    rule = f"{what} above {guideline.value:g} {guideline.unit}"
    label = f"{guideline.title} ({guideline.version}), {guideline.level}"
    return counts, label, rule


def _index_days(
    part: SensorData,
    standard: Any,
    variable: str,
    timezone: str,
    min_coverage: float,
    rules: Mapping[str, str],
) -> tuple[pd.DataFrame, str, str]:
    """Days at or above an index's unhealthy category, per sensor (toolkit.indices.aqi)."""
    import numpy as np
    import pandas as pd

    from .. import indices
    from .._periods import sensor_timezones

    tables = [t for t in standard.tables if t.variable == variable]
    if not tables:
        raise DataFormatError(
            f"{standard.label} has no table for {variable}.",
            found=f"tables for {', '.join(standard.variables)}",
            fix="Leave it out of standards=[...], or ask about one of those pollutants.",
        )
    category = rules.get(standard.name)
    bands = [b for t in tables for b in t.bands if b.category == category]
    if not bands:
        known = list(dict.fromkeys(b.category for t in tables for b in t.bands))
        raise DataFormatError(
            f"Which {standard.label} category counts as unhealthy is not set.",
            found=f"categories {', '.join(known)}",
            fix=f"Say it with unhealthy_from={{{standard.name!r}: {known[-1]!r}}} (one of those).",
        )
    threshold = min(b.index_low for b in bands)
    result = indices.aqi(
        part,
        standard=standard.name,
        timezone=timezone,
        min_coverage=min_coverage,
        overall=False,
    ).readings
    result = result[result["pollutant"].astype(str) == variable]
    ok = _usable(result)
    zones = sensor_timezones(part, timezone)
    day, _, hours = _local_days(result["sensor_id"], result["time"], zones)
    daily = result["period"].astype(str).isin(["day", "8h max daily"]).to_numpy()
    frame = pd.DataFrame(
        {
            "sensor_id": result["sensor_id"].astype(str).to_numpy(),
            "day": day,
            "valid": ok,
            "worst": np.where(ok, result["value"].to_numpy(dtype=float), -np.inf),
            "needed": np.where(daily, 1.0, min_coverage * hours),
        }
    )
    per_day = frame.groupby(["sensor_id", "day"], sort=True).agg(
        valid=("valid", "sum"), worst=("worst", "max"), needed=("needed", "max")
    )
    counted = (per_day["valid"] >= per_day["needed"]) & (per_day["valid"] > 0)
    per_day = per_day.assign(counted=counted, unhealthy=counted & (per_day["worst"] >= threshold))
    counts = (
        per_day.groupby("sensor_id")[["counted", "unhealthy"]]
        .sum()
        .astype(int)
        .reset_index()
        .rename(columns={"counted": "days_with_data", "unhealthy": "unhealthy_days"})
    )
    worst_of = "" if daily.all() else " in the worst hour of the day"
    rule = f"{category} or worse{worst_of}"
    return counts, standard.label, rule


def _unhealthy_caption(table: pd.DataFrame, name: str, min_coverage: float) -> str:
    counted = table[table["sensors"] > 0]
    if counted.empty:
        return f"Too little data to say: no sensor has a day of {_name(name)} with enough data."
    n_sensors = int(counted["sensors"].max())
    days = int(counted["days_with_data"].max())
    parts = [
        f"{row.short}: {row.typical_days:g} day{'' if row.typical_days == 1 else 's'} ({row.rule})"
        for row in counted.itertuples()
    ]
    who = "the sensor had" if n_sensors == 1 else f"the typical sensor (median of {n_sensors}) had"
    text = (
        f"How many days of {_name(name)} were unhealthy depends on the standard. Of up to "
        f"{days} local days with enough data (at least {_percent(min_coverage)} data "
        f"capture), {who}: " + "; ".join(parts) + "."
    )
    missing = table[table["sensors"] == 0]
    if not missing.empty:
        text += f" No day could be counted by {', '.join(missing['short'])}."
    return text


# -- charts: the only places that know the chart functions ------------------------------
def weekday_chart(hourly: SensorData, variable: str, timezone: str) -> Any:
    """Draw the weekly cycle, Monday to Sunday (:func:`toolkit.charts.profile`)."""
    from .. import charts

    return charts.profile(hourly, variable=variable, by="weekday", timezone=timezone)


def neighbours_chart(pairs: pd.DataFrame, sensor: str, variable: str) -> Any:
    """Draw one sensor against the median of the others (:func:`toolkit.charts.scatter`)."""
    from .. import charts

    unit = _unit(variable)
    times = _utc_index(pairs["time"])
    return charts.scatter(
        _hourly_data(sensor, times, pairs["sensor"].to_numpy(), variable, unit),
        _hourly_data(OTHERS, times, pairs["others"].to_numpy(), variable, unit),
        variable=variable,
        reference_variable=variable,
        period="1h",
    )


def _utc_index(times: pd.Series) -> pd.DatetimeIndex:
    """Return the times of a column as a UTC DatetimeIndex."""
    import pandas as pd

    return pd.DatetimeIndex(times).tz_convert("UTC")


def unhealthy_chart(table: pd.DataFrame, variable: str, caption: str) -> Any:
    """Bars of unhealthy days by standard: the typical sensor, and a tick for the most.

    :mod:`toolkit.charts` draws one guideline or index at a time; this bar chart puts
    the counts of :func:`unhealthy_days` side by side, with the same conventions (title,
    description, axis titles with units, the caption in ``usermeta``).
    """
    import altair as alt
    import pandas as pd

    from ..charts import OKABE_ITO

    counted = table[table["sensors"] > 0]
    if counted.empty:
        return None
    several = int(counted["sensors"].max()) > 1
    frame = pd.DataFrame(
        {
            "standard": counted["short"].to_numpy(),
            "rule": counted["rule"].to_numpy(),
            "typical": counted["typical_days"].to_numpy(dtype=float),
            "most": counted["most_days"].to_numpy(dtype=float),
            "sensor": counted["sensor_most"].to_numpy(),
            "days": counted["days_with_data"].to_numpy(dtype=float),
        }
    )
    days = int(frame["days"].max())
    y = alt.Y("standard:N", sort=list(frame["standard"]), title="Standard")
    x_title = f"Unhealthy days (days; of up to {days} with enough data)"
    tooltip = [
        alt.Tooltip("standard:N", title="Standard"),
        alt.Tooltip("rule:N", title="A day counts when"),
        alt.Tooltip("typical:Q", title="Typical sensor (days)" if several else "Days"),
        alt.Tooltip("most:Q", title="Most at one sensor (days)"),
        alt.Tooltip("sensor:N", title="Sensor with the most"),
    ]
    base = alt.Chart(frame)
    bars = base.mark_bar(color=OKABE_ITO[0]).encode(
        y=y, x=alt.X("typical:Q", title=x_title), tooltip=tooltip
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        y=y, x="typical:Q", text=alt.Text("typical:Q", format="g")
    )
    layers = [bars, labels]
    subtitle = ["Bar: days each standard calls unhealthy at the sensor."]
    if several:
        ticks = base.mark_tick(color="#000000", thickness=2).encode(
            y=y, x="most:Q", tooltip=tooltip
        )
        layers.insert(1, ticks)
        subtitle = [
            (
                f"Bar: the typical sensor (median of {int(counted['sensors'].max())}); "
                "black tick: the sensor with the most."
            )
        ]
    name = _name(variable)
    how = "the median over sensors, with a tick at the most" if several else "at one sensor"
    counts = "; ".join(f"{r.standard}: {r.typical:g} ({r.rule})" for r in frame.itertuples())
    description = (
        f"Bar chart of the number of days of {name} that {len(frame)} standards call "
        f"unhealthy, {how}. {counts}."
    )
    return alt.layer(*layers).properties(
        title=alt.Title(f"Unhealthy days of {name}, by standard", subtitle=subtitle),
        description=description,
        width=480,
        height=max(120, 28 * len(frame)),
        usermeta={"caption": caption, "rules": list(frame["rule"]), "choices": {}},
    )


# -- choosing a question ----------------------------------------------------------------
#: The guided questions: key -> (question, function).
QUESTIONS: dict[str, tuple[str, Callable[..., Answer]]] = {
    "weekdays": (WEEKDAYS_QUESTION, weekday_vs_weekend),
    "neighbours": (NEIGHBOURS_QUESTION, disagreeing_sensors),
    "unhealthy": (UNHEALTHY_QUESTION, unhealthy_days),
}


def ask(data: SensorData, question: str, **options: Any) -> Answer:
    """Answer one guided question by its key or its text.

    Parameters
    ----------
    data
        Readings as loaded.
    question
        ``"weekdays"``, ``"neighbours"``, ``"unhealthy"`` (keys of :data:`QUESTIONS`),
        or the question's text.
    **options
        Passed to the question's function.

    Returns
    -------
    Answer

    Raises
    ------
    ValueError
        For an unknown question (the message lists them).
    """
    for key, (text, function) in QUESTIONS.items():
        if question in (key, text):
            return function(data, **options)
    listed = "; ".join(f"{k!r}: {t}" for k, (t, _) in QUESTIONS.items())
    msg = f"Unknown question {question!r}; ask one of {listed}."
    raise ValueError(msg)
