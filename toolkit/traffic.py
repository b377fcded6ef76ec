"""Traffic counts (Telraam): by mode and direction, modal split, peak hours, v85.

Everything here is **aware of uptime**, the share of each interval in which a Telraam
camera was actually counting:

* Telraam has already **scaled the counts up** for the part of the interval the camera
  was not counting (a count of 40 at uptime 0.25 means 10 road users seen). The counts
  are used as given.
* An hour with **uptime 0** (at night a Telraam V1 camera does not count: it needs
  daylight) is **missing**, not an hour without traffic, even though the report gives
  zeros.
* An hour with an uptime **below** ``min_uptime`` (default 0.5) is also missing:
  scaling up a few minutes of counting is unreliable. Telraam labels such hours "poor
  quality" (active less than 30 minutes of the hour, 50 %) [1]_, and telraamStats
  keeps hours with ``uptime >= 0.5`` (``enrich_uptime()``, ``uptime_quality``) [2]_. An
  uptime of exactly 0.5 is kept.

How the numbers are made
------------------------
1. **Hourly values.** Each count (and v85) of an interval whose uptime is below
   ``min_uptime`` (or that has no uptime) gets a quality flag ``flag_low_uptime``;
   the readings are then made hourly with :func:`toolkit.timeseries.average`, which
   sums counts and leaves flagged readings out, so those hours are not valid (value
   NaN). The flag is set on a working copy: the data passed in are not changed. Each
   hourly row says why with ``status``: ``counted``, ``camera off (uptime 0)``, ``low
   uptime`` or ``no value or flagged`` (e.g. no v85 in an hour without cars, or a
   reading another quality rule flagged).
2. **Daily totals** are sums of the valid hours of a local day, given only for days
   complete enough: with the default rule a day needs at least ``min_coverage`` (75 %)
   as many valid hours as the **fullest day of the same sensor in the same month**.
   A 24-hour rule (18 of 24 hours, as :func:`toolkit.timeseries.average` uses for
   days) would reject every day of a camera that does not count in the dark; comparing
   with the fullest day of the month follows the daylight through the seasons and still
   catches a camera that stopped in the afternoon. Give ``min_valid_hours`` for a fixed
   number instead. A daily total covers only the hours counted: a winter day of a
   Telraam V1 covers fewer hours than a summer day. Every row says how many hours were
   valid, had a low uptime, or were missing.
3. **Modes** are Telraam's: ``car`` (cars and light vans), ``heavy`` (buses, lorries,
   larger vans), ``bike`` and ``pedestrian``; each ``both`` directions and ``left`` /
   ``right`` as Telraam defines them for the segment (see ``direction`` in
   ``data.sensors``). Cars and heavy vehicles are counted apart, never twice.
4. **Local time.** Hours, days, weekdays and weekends (Saturday and Sunday; public
   holidays are not treated apart) are those of each sensor's own zone, DST-safe.

v85
---
``speed_v85`` is, per hour, the speed 85 % of the cars stayed below. The v85 of a day
or a month is **not** the median of hourly v85 values: it needs every car's speed (or
Telraam's speed histograms). :func:`v85_summary` therefore describes the *distribution
of hourly v85 values*: unweighted (each valid hour counts once: "in a typical hour") or
weighted by the hour's car count (each car's hour counts: "for a typical car"; busy
hours, often slower, weigh more). Percentiles take no interpolation (Hyndman & Fan
type 1): each is one of the hourly values.

References
----------
.. [1] Telraam FAQ (French): "Telraam vous indique que certaines données sont de
   pauvre qualité, comment l'interpréter ?", https://faq-fr.helpspace-docs.io/article/162
   (an hour is "poor quality" when the unit was active less than 30 minutes, 50 %; the
   data are corrected for the device's downtime).
.. [2] telraamStats (R package, agistaterre, CC BY 4.0), ``R/data_enrich.R``,
   ``enrich_uptime()``: ``uptime_quality = uptime >= 0.5``.
"""

from __future__ import annotations

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
    "DAY_TYPES",
    "DEFAULT_MIN_UPTIME",
    "MODES",
    "UPTIME_CITATION",
    "UPTIME_FLAG",
    "counts",
    "hourly_traffic",
    "modal_split",
    "peak_hours",
    "profiles",
    "v85_summary",
]

#: Hours with a lower uptime (share 0-1) are missing (telraamStats, Telraam FAQ).
DEFAULT_MIN_UPTIME = 0.5
#: Telraam's modes, in the order tables list them.
MODES = ("car", "heavy", "bike", "pedestrian")
#: Weekdays (Monday-Friday) and the weekend (Saturday, Sunday), local time.
DAY_TYPES = ("weekday", "weekend")
#: The quality flag given to counts of intervals with too low an uptime.
UPTIME_FLAG = "flag_low_uptime"
UPTIME_CITATION = (
    "Telraam FAQ: an hour is poor quality when the unit counted less than 30 minutes "
    "(50 %); telraamStats R/data_enrich.R enrich_uptime(): uptime_quality = uptime >= 0.5."
)
_DIRECTIONS = {"": "both", "_left": "left", "_right": "right"}
_HOUR_NS = 3_600_000_000_000
#: Intervals at least this far apart (s) are daily reports, which cannot make hours.
_DAILY_S = 23 * 3600
_STATUS = ("counted", "camera off (uptime 0)", "low uptime", "no value or flagged")


def _method(min_uptime: float) -> str:
    return (
        f"Telraam counts (scaled up by Telraam for uptime); hours with an uptime below "
        f"{min_uptime:g} (camera off included) treated as missing"
    )


# -- hourly values ----------------------------------------------------------------------
def hourly_traffic(
    data: SensorData,
    *,
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
    min_coverage: float = 0.75,
) -> SensorData:
    """Hourly counts, v85 and uptime, with low-uptime hours treated as missing.

    Parameters
    ----------
    data
        Telraam readings as loaded (:func:`toolkit.readers.read_telraam`): counts,
        ``uptime`` [%] and, if given, ``speed_v85`` [km/h], per hour or quarter hour.
    min_uptime
        Share of the interval (0-1) the camera must have counted; hours below it are
        missing. Default 0.5 (Telraam's "poor quality" limit; telraamStats).
    timezone
        ``"local"`` (each sensor's zone; Telraam reports give it), ``"UTC"`` or an IANA
        zone name: which clock the hours follow.
    min_coverage
        For quarter-hour data: the share of an hour's quarters needed (3 of 4). Hourly
        data have one interval per hour.

    Returns
    -------
    SensorData
        Hourly averages (:func:`toolkit.timeseries.average`: counts summed, v85 and
        uptime averaged; ``value`` NaN where not valid) with two more columns:
        ``status`` (``counted``, ``camera off (uptime 0)``, ``low uptime``, ``no
        value or flagged``) and ``method``. Hours with uptime 0 are always missing,
        whatever ``min_uptime``. The history holds the uptime flag, the averaging and
        this step.

    Raises
    ------
    ValueError
        For ``min_uptime`` outside 0-1 (a percentage such as 50 is refused).
    DataFormatError
        When the data hold no traffic counts, no uptime, averages, or intervals longer
        than an hour (daily reports).
    TimestampError
        When a sensor's time zone is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.to_datetime(["2022-06-01T02:00Z", "2022-06-01T03:00Z",
    ...                         "2022-06-01T04:00Z"] * 2)
    >>> readings = pd.DataFrame({"sensor_id": "telraam:1", "time": times,
    ...     "variable": ["uptime"] * 3 + ["count_car"] * 3,
    ...     "value": [0.0, 25.0, 80.0, 0.0, 40.0, 250.0],
    ...     "unit": ["%"] * 3 + ["count"] * 3})
    >>> sensors = pd.DataFrame({"sensor_id": ["telraam:1"], "timezone": ["UTC"]})
    >>> cars = hourly_traffic(SensorData(readings, sensors)).readings
    >>> cars = cars[cars["variable"] == "count_car"]
    >>> cars[["value", "valid", "status"]].values.tolist()
    [[nan, False, 'camera off (uptime 0)'], [nan, False, 'low uptime'], [250.0, True, 'counted']]
    """
    import numpy as np
    import pandas as pd

    from .sensordata import normalise_readings
    from .timeseries import average

    _check_min_uptime(min_uptime)
    count_vars = _check_traffic(data)
    sensor_timezones(data, timezone)  # a friendly error before any work
    readings = data.readings
    is_uptime = (readings["variable"] == "uptime").to_numpy()
    uptime = _uptime_of_rows(readings, is_uptime)
    threshold = min_uptime * 100 - 1e-9  # uptime is stored in %
    with np.errstate(invalid="ignore"):
        # Uptime 0 is always missing, whatever min_uptime; so is an interval without one.
        low = ~is_uptime & ~((uptime >= threshold) & (uptime > 0))
    flags = low if UPTIME_FLAG not in readings.columns else low | readings[UPTIME_FLAG].to_numpy()
    flag_step = Step(
        name="flag_low_uptime",
        description=(
            f"Flagged {int(low.sum())} counts and speeds of intervals with an uptime below "
            f"{min_uptime:g} (or 0, or none): not measured, not zero traffic."
        ),
        parameters={"min_uptime": min_uptime, "flag": UPTIME_FLAG},
        citation=UPTIME_CITATION,
        touched=int(low.sum()),
    )
    flagged = data.replace(readings=readings.assign(**{UPTIME_FLAG: flags}), step=flag_step)
    interval = _interval_s(readings)
    hourly = average(flagged, "1h", timezone=timezone, min_coverage=min_coverage, cadence=interval)
    table = hourly.readings
    hour_uptime = _uptime_of_rows(table, (table["variable"] == "uptime").to_numpy())
    valid = table["valid"].to_numpy(dtype=bool) & table["value"].notna().to_numpy()
    with np.errstate(invalid="ignore"):
        off = ~(hour_uptime > 0)
        weak = hour_uptime < threshold
    code = np.where(valid, 0, np.where(off, 1, np.where(weak, 2, 3)))
    # The uptime rows themselves are valid measurements; their status tells the hour.
    is_uptime_row = (table["variable"] == "uptime").to_numpy()
    code = np.where(is_uptime_row, np.where(off, 1, np.where(weak, 2, np.where(valid, 0, 3))), code)
    is_count = table["variable"].isin(count_vars).to_numpy()
    status = pd.Categorical.from_codes(code, categories=list(_STATUS))
    method = _method(min_uptime)
    out = table.assign(status=status, method=method)
    n_off = int(((code == 1) & is_count).sum())
    n_weak = int(((code == 2) & is_count).sum())
    step = Step(
        name="hourly_traffic",
        description=(
            f"Hourly traffic values: {n_off} hourly counts with the camera off (uptime 0) "
            f"and {n_weak} with an uptime below {min_uptime:g} are missing, not zero."
        ),
        parameters={
            "min_uptime": min_uptime,
            "timezone": timezone,
            "min_coverage": min_coverage,
            "interval_s": interval,
            "counts": count_vars,
        },
        citation=UPTIME_CITATION,
        touched=n_off + n_weak,
    )
    return hourly.replace(readings=normalise_readings(out), step=step)


# -- counts per hour and per day ----------------------------------------------------------
def counts(
    data: SensorData,
    *,
    per: str = "1h",
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
    min_coverage: float = 0.75,
    min_valid_hours: int | None = None,
) -> pd.DataFrame:
    """Count traffic by mode and direction per local hour or per local day.

    Parameters
    ----------
    data
        Telraam readings as loaded.
    per
        ``"1h"`` (default): every hour in the report, missing ones with NaN and their
        ``status`` (hours with no record at all are not listed; the daily table counts
        them as missing). ``"day"``: local-day totals of the valid hours, for days complete
        enough (see ``min_coverage`` and ``min_valid_hours``).
    min_uptime
        Hours with a lower uptime (share 0-1) are missing (default 0.5).
    timezone
        ``"local"`` (each sensor's zone), ``"UTC"`` or an IANA zone name.
    min_coverage
        A day is complete when its valid hours are at least this share (0.75) of the
        valid hours of the sensor's fullest day of the same local month.
    min_valid_hours
        Instead, a fixed number of valid hours a day needs (for example 12).

    Returns
    -------
    pandas.DataFrame
        Long table, one row per sensor, count variable and hour or day: ``sensor_id``,
        ``mode`` (car, heavy, bike, pedestrian), ``direction`` (both, left, right),
        ``variable``, ``time`` (UTC start), ``date`` (local), and

        * per hour: ``local_time`` (ISO 8601 with the offset), ``hour``, ``weekday``
          (0 = Monday), ``count`` (NaN when missing), ``uptime`` [%], ``status``,
          ``valid``;
        * per day: ``end`` (UTC), ``count`` (sum of the valid hours; NaN for an
          incomplete day), ``n_hours`` (hours in the local day: 23, 24 or 25),
          ``n_valid``, ``n_low_uptime``, ``n_missing`` (camera off, no record or no
          value), ``reference_hours`` (valid hours of the fullest day of the month, or
          ``min_valid_hours``), ``valid``;

        and ``method``. ``attrs`` hold the method, the day rule, the parameters and
        the history.

    Raises
    ------
    ValueError
        For an unknown ``per`` or out-of-range options.
    DataFormatError
        When the data hold no traffic counts or no uptime.
    TimestampError
        When a sensor's time zone is unknown.
    """
    import numpy as np

    if per not in ("1h", "day"):
        msg = f"per must be '1h' or 'day', not {per!r}."
        raise ValueError(msg)
    if not 0 < min_coverage <= 1:
        msg = f"min_coverage must be a share above 0 and at most 1 (0.75), not {min_coverage}."
        raise ValueError(msg)
    if min_valid_hours is not None and not (
        isinstance(min_valid_hours, int) and 1 <= min_valid_hours <= 25
    ):
        msg = (
            "min_valid_hours must be a whole number of hours from 1 to 25, not "
            f"{min_valid_hours!r}."
        )
        raise ValueError(msg)
    hourly = hourly_traffic(data, min_uptime=min_uptime, timezone=timezone)
    zones = sensor_timezones(hourly, timezone)
    table = _hourly_rows(hourly, zones, _count_variables(hourly))
    method = _method(min_uptime)
    if per == "1h":
        columns = [
            "sensor_id", "mode", "direction", "variable", "time", "local_time", "date",
            "hour", "weekday", "count", "uptime", "status", "valid",
        ]  # fmt: skip
        out = table[columns].assign(method=method)
        rule = "every hour in the data; missing hours have no count"
        when = "time"
    else:
        out, rule = _daily(table, zones, min_coverage, min_valid_hours)
        out = out.assign(method=method)
        when = "date"
    out = _in_order(out, ["sensor_id", when]).reset_index(drop=True)
    step = Step(
        name="counts",
        description=f"Counts by mode and direction per {'hour' if per == '1h' else 'day'}.",
        parameters={
            "per": per,
            "min_uptime": min_uptime,
            "timezone": timezone,
            "min_coverage": min_coverage,
            "min_valid_hours": min_valid_hours,
            "day_rule": rule,
        },
        citation=UPTIME_CITATION,
        touched=int(np.asarray(out["valid"]).sum()),
    )
    out.attrs = {
        "method": method,
        "day_rule": rule,
        "min_uptime": min_uptime,
        "zones": dict(sorted(zones.items())),
        "history": hourly.history.then(step),
    }
    return out


def modal_split(
    data: SensorData,
    *,
    per: str = "all",
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
    min_coverage: float = 0.75,
    min_valid_hours: int | None = None,
) -> pd.DataFrame:
    """Share of each mode (both directions) in the traffic counted on complete days.

    Parameters
    ----------
    data
        Telraam readings as loaded.
    per
        ``"all"`` (default): one split per sensor over all complete days;
        ``"day"``: one split per sensor and complete day.
    min_uptime, timezone, min_coverage, min_valid_hours
        As for :func:`counts` (the days used are the complete days of ``counts(...,
        per="day")`` on which every mode is complete).

    Returns
    -------
    pandas.DataFrame
        ``sensor_id``, [``date``], ``mode``, ``count`` (sum over the days used),
        ``share`` (0-1; the modes of a sensor (and day) add up to 1), ``n_days`` and
        ``method``. ``attrs`` hold the method and the history.

    Raises
    ------
    DataFormatError
        When the data hold no both-direction counts of any mode.
    """
    import pandas as pd

    if per not in ("all", "day"):
        msg = f"per must be 'all' or 'day', not {per!r}."
        raise ValueError(msg)
    daily = counts(
        data,
        per="day",
        min_uptime=min_uptime,
        timezone=timezone,
        min_coverage=min_coverage,
        min_valid_hours=min_valid_hours,
    )
    both = daily[daily["direction"] == "both"]
    if both.empty:
        raise DataFormatError(
            "A modal split needs counts of each mode in both directions.",
            found=f"variables {sorted(set(daily['variable']))}",
            fix="Load Telraam's full report (car, heavy, bike, pedestrian).",
        )
    modes = [m for m in MODES if m in set(both["mode"])]
    # Days on which every mode is complete.
    complete = both.groupby(["sensor_id", "date"])["valid"].agg(["all", "size"])
    complete = complete[complete["all"] & (complete["size"] == len(modes))].index
    used = both.set_index(["sensor_id", "date"]).loc[lambda t: t.index.isin(complete)]
    used = used.reset_index()
    keys = ["sensor_id"] if per == "all" else ["sensor_id", "date"]
    out = (
        used.groupby([*keys, "mode"], sort=False)
        .agg(count=("count", "sum"), n_days=("date", "nunique"))
        .reset_index()
    )
    total = out.groupby(keys)["count"].transform("sum")
    out["share"] = (out["count"] / total).where(total > 0)
    out["mode"] = pd.Categorical(out["mode"], categories=list(MODES), ordered=True)
    out = out.sort_values([*keys, "mode"]).reset_index(drop=True)
    out["mode"] = out["mode"].astype(str)
    out = out[[*keys, "mode", "count", "share", "n_days"]].assign(
        method=f"{_method(min_uptime)}; modal split of complete days"
    )
    step = Step(
        name="modal_split",
        description=f"Modal split of {len(complete)} complete sensor-day(s).",
        parameters={"per": per, "modes": modes, **daily.attrs["history"][-1].parameters},
        citation=UPTIME_CITATION,
        touched=len(used),
    )
    out.attrs = {
        "method": out["method"].iloc[0] if len(out) else _method(min_uptime),
        "day_rule": daily.attrs["day_rule"],
        "history": daily.attrs["history"].then(step),
    }
    return out


def profiles(
    data: SensorData,
    *,
    variables: str | list[str] | None = None,
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
) -> pd.DataFrame:
    """Weekday and weekend profiles: the mean count (or v85) at each local hour.

    Parameters
    ----------
    data
        Telraam readings as loaded.
    variables
        Count variables (and/or ``speed_v85``); all counts and v85 present when ``None``.
    min_uptime, timezone
        As for :func:`hourly_traffic`.

    Returns
    -------
    pandas.DataFrame
        One row per sensor, variable, day type (``weekday``: Monday-Friday,
        ``weekend``: Saturday-Sunday, local) and local hour with valid values:
        ``sensor_id``, ``variable``, ``mode``, ``direction``, ``unit``, ``day_type``,
        ``hour`` (0-23, the hour starting then), ``mean``, ``median`` (of the valid
        hourly values; a count per hour), ``n_hours`` and ``method``.

    Raises
    ------
    DataFormatError
        When the data hold no traffic counts, no uptime, or not the variables asked for.
    """
    hourly = hourly_traffic(data, min_uptime=min_uptime, timezone=timezone)
    zones = sensor_timezones(hourly, timezone)
    chosen = _choose(hourly, variables, with_speed=True)
    rows = _hourly_rows(hourly, zones, chosen)
    rows = rows[rows["valid"]]
    rows = rows.assign(day_type=(rows["weekday"] >= 5).map({False: "weekday", True: "weekend"}))
    keys = ["sensor_id", "variable", "mode", "direction", "unit", "day_type", "hour"]
    out = (
        rows.groupby(keys, sort=True, dropna=False)["count"]
        .agg(mean="mean", median="median", n_hours="size")
        .reset_index()
    )
    out = out.assign(method=f"{_method(min_uptime)}; mean of valid hours, local time")
    out = _in_order(out, ["sensor_id"]).reset_index(drop=True)
    out.attrs = {
        "method": out["method"].iloc[0] if len(out) else _method(min_uptime),
        "day_types": {"weekday": "Monday-Friday", "weekend": "Saturday-Sunday"},
        "zones": dict(sorted(zones.items())),
        "history": hourly.history.then(
            Step(
                name="traffic_profiles",
                description="Weekday and weekend profiles of valid hourly values.",
                parameters={"variables": chosen, "min_uptime": min_uptime, "timezone": timezone},
                citation=UPTIME_CITATION,
                touched=len(rows),
            )
        ),
    }
    return out


def peak_hours(
    data: SensorData,
    *,
    variables: str | list[str] | None = None,
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
    min_hours: int = 1,
) -> pd.DataFrame:
    """Find the local hour(s) with the highest mean count, on weekdays and at weekends.

    Parameters
    ----------
    data
        Telraam readings as loaded.
    variables
        Count variables; every both-direction count (car, heavy, bike, pedestrian)
        present when ``None``.
    min_uptime, timezone
        As for :func:`hourly_traffic`.
    min_hours
        Hours of the profile with fewer valid values than this are not considered.

    Returns
    -------
    pandas.DataFrame
        One row per sensor, variable, day type and peak hour (several rows when hours
        tie): ``sensor_id``, ``variable``, ``mode``, ``direction``, ``day_type``,
        ``hour``, ``hours`` (e.g. ``"08:00-09:00"``, local), ``mean_count``,
        ``n_hours`` and ``method``.
    """
    import numpy as np

    if variables is None:
        hourly_vars = None
    else:
        hourly_vars = [variables] if isinstance(variables, str) else list(variables)
        speed = [v for v in hourly_vars if _variables.get(v).aggregation != "sum"]
        if speed:
            raise DataFormatError(
                "Peak hours are the hours with the most traffic: they need counts.",
                found=f"not counts: {speed}",
                fix="Use count variables, for example variables='count_car'.",
            )
    table = profiles(data, variables=hourly_vars, min_uptime=min_uptime, timezone=timezone)
    if variables is None:
        table = table[(table["direction"] == "both") & (table["variable"] != "speed_v85")]
    table = table[table["n_hours"] >= min_hours]
    keys = ["sensor_id", "variable", "day_type"]
    best = table.groupby(keys)["mean"].transform("max")
    peaks = table[np.isclose(table["mean"], best)].copy()
    peaks["hours"] = [f"{h:02d}:00-{(h + 1) % 24:02d}:00" for h in peaks["hour"]]
    out = peaks.rename(columns={"mean": "mean_count"})[
        [*keys[:2], "mode", "direction", "day_type", "hour", "hours", "mean_count", "n_hours"]
    ]
    out = out.assign(method=f"{_method(min_uptime)}; hour(s) with the highest mean count")
    out = out.reset_index(drop=True)
    out.attrs = {**table.attrs, "min_hours": min_hours}
    return out


def v85_summary(
    data: SensorData,
    *,
    by: str = "all",
    weighted: bool = False,
    limit_kmh: float | None = None,
    min_uptime: float = DEFAULT_MIN_UPTIME,
    timezone: str = "local",
) -> pd.DataFrame:
    """Median and distribution of hourly v85 values, unweighted or weighted by cars.

    Parameters
    ----------
    data
        Telraam readings as loaded (``speed_v85`` [km/h]; ``count_car`` when weighted).
    by
        ``"all"`` (default): one summary per sensor; ``"day_type"``: weekdays and
        weekend apart.
    weighted
        ``False`` (default): every valid hour counts once (the v85 "in a typical
        hour"). ``True``: each hour counts as often as it had cars (the hour a typical
        car drove in); hours without a valid car count are left out.
    limit_kmh
        A speed limit: the share of hours (or of cars, when weighted) in hours whose
        v85 was above it is given as ``share_above_limit``.
    min_uptime, timezone
        As for :func:`hourly_traffic`.

    Returns
    -------
    pandas.DataFrame
        ``sensor_id``, [``day_type``], ``n_hours``, ``cars`` (sum of the weights when
        weighted, else NaN), ``median``, ``p10``, ``p25``, ``p75``, ``p90``, ``mean``
        (weighted when ``weighted``), ``min``, ``max`` [km/h], [``share_above_limit``],
        ``weighted`` and ``method``. Not the v85 of all cars of the period (see the
        module docstring).

    Raises
    ------
    DataFormatError
        When the data hold no ``speed_v85`` (or no ``count_car`` when weighted).
    """
    import numpy as np

    if by not in ("all", "day_type"):
        msg = f"by must be 'all' or 'day_type', not {by!r}."
        raise ValueError(msg)
    if "speed_v85" not in data.variables:
        raise DataFormatError(
            "There is no v85 (speed_v85) in this data.",
            found=f"variables {data.variables}",
            fix="Load a Telraam report with its 'v85' field.",
        )
    if weighted and "count_car" not in data.variables:
        raise DataFormatError(
            "Weighting v85 by cars needs the car counts (count_car).",
            found=f"variables {data.variables}",
            fix="Load the full Telraam report, or use weighted=False.",
        )
    hourly = hourly_traffic(data, min_uptime=min_uptime, timezone=timezone)
    zones = sensor_timezones(hourly, timezone)
    wanted = ["speed_v85", "count_car"] if weighted else ["speed_v85"]
    rows = _hourly_rows(hourly, zones, wanted)
    speed = rows[(rows["variable"] == "speed_v85") & rows["valid"]]
    speed = speed.assign(day_type=np.where(speed["weekday"] >= 5, "weekend", "weekday"))
    if weighted:
        cars = rows[(rows["variable"] == "count_car") & rows["valid"]]
        speed = speed.merge(
            cars[["sensor_id", "time", "count"]].rename(columns={"count": "weight"}),
            on=["sensor_id", "time"],
            how="inner",
        )
        speed = speed[speed["weight"] > 0]
    else:
        speed = speed.assign(weight=1.0)
    keys = ["sensor_id"] if by == "all" else ["sensor_id", "day_type"]
    speed = speed.sort_values([*keys, "count"], kind="stable").reset_index(drop=True)
    groups = speed.groupby(keys, sort=True)
    out = groups.agg(
        n_hours=("count", "size"), cars=("weight", "sum"), min=("count", "min"),
        max=("count", "max"),
    ).reset_index()  # fmt: skip
    value = speed["count"].to_numpy(dtype=float)
    weight = speed["weight"].to_numpy(dtype=float)
    code = groups.ngroup().to_numpy()
    for name, share in (("median", 0.5), ("p10", 0.1), ("p25", 0.25), ("p75", 0.75), ("p90", 0.9)):
        out[name] = _weighted_quantile(value, weight, code, len(out), share)
    weighted_sum = np.bincount(code, weights=value * weight, minlength=len(out))
    out["mean"] = weighted_sum / out["cars"].to_numpy()
    if limit_kmh is not None:
        above = np.bincount(code, weights=weight * (value > limit_kmh), minlength=len(out))
        out["share_above_limit"] = above / out["cars"].to_numpy()
    if not weighted:
        out["cars"] = np.nan
    out["weighted"] = weighted
    how = "weighted by the hour's car count" if weighted else "each valid hour once"
    out["method"] = (
        f"{_method(min_uptime)}; distribution of hourly v85 values, {how}, no "
        "interpolation (not the v85 of all cars)"
    )
    order = [
        *keys, "n_hours", "cars", "median", "p10", "p25", "p75", "p90", "mean", "min", "max",
    ]  # fmt: skip
    if limit_kmh is not None:
        order.append("share_above_limit")
    out = out[[*order, "weighted", "method"]]
    out.attrs = {
        "method": out["method"].iloc[0] if len(out) else _method(min_uptime),
        "limit_kmh": limit_kmh,
        "history": hourly.history.then(
            Step(
                name="v85_summary",
                description=f"Summarised {len(speed)} valid hourly v85 values ({how}).",
                parameters={
                    "by": by,
                    "weighted": weighted,
                    "limit_kmh": limit_kmh,
                    "min_uptime": min_uptime,
                    "timezone": timezone,
                },
                citation=UPTIME_CITATION,
                touched=len(speed),
            )
        ),
    }
    return out


# -- helpers ----------------------------------------------------------------------------
def _check_min_uptime(min_uptime: float) -> None:
    if not 0 <= min_uptime <= 1:
        hint = f" (for {min_uptime:g} % use {min_uptime / 100:g})" if 1 < min_uptime <= 100 else ""
        msg = (
            f"min_uptime is the share of the hour the camera counted, from 0 to 1 "
            f"(Telraam's advice: 0.5), not {min_uptime!r}{hint}."
        )
        raise ValueError(msg)


def _count_variables(data: SensorData) -> list[str]:
    return [
        v
        for v in data.variables
        if _variables.get(v).group == "traffic" and _variables.get(v).aggregation == "sum"
    ]


def _check_traffic(data: SensorData) -> list[str]:
    """Return the count variables; raise friendly errors for data that cannot be used."""
    from .timeseries._hourly import refuse_empty

    refuse_empty(data, "traffic counts")
    if "period" in data.readings.columns:
        raise DataFormatError(
            "Traffic counts are made from the readings as loaded (each interval with "
            "its uptime), not from averages.",
            found=f"averaged readings (period {sorted(set(map(str, data.readings['period'])))})",
            fix="Pass the data as loaded from the Telraam report.",
        )
    count_vars = _count_variables(data)
    if not count_vars:
        raise DataFormatError(
            "There are no traffic counts in this data.",
            found=f"variables {data.variables}",
            fix="Load a Telraam traffic report: toolkit.load('report.json').",
        )
    if "uptime" not in data.variables:
        raise DataFormatError(
            "The traffic counts come without uptime, so hours when the camera was not "
            "counting cannot be told from hours without traffic.",
            found=f"variables {data.variables}",
            fix="Load the full Telraam report (its 'uptime' field is read as 'uptime').",
        )
    return count_vars


def _uptime_of_rows(readings: pd.DataFrame, is_uptime: np.ndarray) -> np.ndarray:
    """Uptime [%] of each row's sensor and time (NaN where the interval has none)."""
    import numpy as np
    import pandas as pd

    uptime = readings.loc[is_uptime, ["sensor_id", "time", "value"]]
    uptime = uptime.drop_duplicates(["sensor_id", "time"], keep="last")
    index = pd.MultiIndex.from_arrays(
        [uptime["sensor_id"].astype(str).to_numpy(), uptime["time"].to_numpy()]
    )
    where = index.get_indexer(
        pd.MultiIndex.from_arrays(
            [readings["sensor_id"].astype(str).to_numpy(), readings["time"].to_numpy()]
        )
    )
    values = np.r_[uptime["value"].to_numpy(dtype=float), np.nan]
    return values[where]  # -1 (not found) picks the NaN at the end


def _interval_s(readings: pd.DataFrame) -> dict[str, float]:
    """Seconds per interval for each sensor: 3600 (hourly) or the shortest step if shorter.

    Telraam reports per hour, per quarter hour (S2) or per day. The shortest step
    between intervals, not the median, tells them apart, because reports may leave out
    whole nights (steps of several hours between hourly intervals). A sensor whose
    intervals are all a day or more apart has a daily report; a sensor with a single
    interval is taken as hourly.
    """
    import pandas as pd

    stamps = pd.DataFrame(
        {"sensor_id": readings["sensor_id"].astype(str), "t": readings["time"]}
    ).drop_duplicates()
    stamps = stamps.sort_values(["sensor_id", "t"])
    step = stamps.groupby("sensor_id")["t"].diff().dt.total_seconds()
    shortest = step[step > 0].groupby(stamps["sensor_id"]).min()
    step_s = {s: float(shortest.get(s, 3600.0)) for s in stamps["sensor_id"].unique()}
    slow = {s: v for s, v in step_s.items() if v >= _DAILY_S}
    interval = {s: min(v, 3600.0) for s, v in step_s.items()}
    if slow:
        shown = ", ".join(f"{s}: intervals {v / 3600:g} h apart" for s, v in list(slow.items())[:5])
        raise DataFormatError(
            "Hourly traffic values need hourly (or quarter-hour) Telraam reports.",
            found=shown,
            fix='Download the report with format \'per-hour\' (API body {"format": "per-hour"}).',
        )
    return interval


def _choose(
    hourly: SensorData, variables: str | list[str] | None, *, with_speed: bool
) -> list[str]:
    counted = _count_variables(hourly)
    extra = ["speed_v85"] if with_speed and "speed_v85" in hourly.variables else []
    if variables is None:
        return [*counted, *extra]
    wanted = [variables] if isinstance(variables, str) else list(variables)
    for name in wanted:
        _variables.get(name)  # an unknown name raises with close matches
    absent = [v for v in wanted if v not in hourly.variables or v == "uptime"]
    if absent:
        raise DataFormatError(
            "Variables asked for are not traffic counts or speeds of this data.",
            found=f"absent {absent}; present {[*counted, *extra]}",
            fix=f"Use some of {[*counted, *extra]}.",
        )
    return wanted


def _in_order(table: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Sort by ``first``, then mode (car, heavy, bike, pedestrian), then direction."""
    mode_rank = table["mode"].map({m: i for i, m in enumerate(MODES)}).fillna(len(MODES))
    direction_rank = table["direction"].map({"both": 0, "left": 1, "right": 2})
    ranked = table.assign(_mode=mode_rank, _direction=direction_rank)
    ranked = ranked.sort_values([*first, "_mode", "_direction", "variable"], kind="stable")
    return ranked.drop(columns=["_mode", "_direction"])


def _mode_direction(variable: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``count_car_left`` -> (``car``, ``left``); ``speed_v85`` -> (``car``, ``both``)."""
    name = variable.astype(str)
    base = name.str.removeprefix("count_")
    direction = base.str.extract(r"(_left|_right)$", expand=False).fillna("")
    mode = base.str.replace(r"(_left|_right)$", "", regex=True)
    mode = mode.where(~name.str.startswith("speed_"), "car")
    return mode, direction.map(_DIRECTIONS)


def _hourly_rows(hourly: SensorData, zones: dict[str, str], variables: list[str]) -> pd.DataFrame:
    """Hourly rows of some variables with local date, hour, weekday, uptime and labels."""
    import numpy as np
    import pandas as pd

    readings = hourly.readings
    uptime = _uptime_of_rows(readings, (readings["variable"] == "uptime").to_numpy())
    mask = readings["variable"].isin(variables).to_numpy()
    rows = readings.loc[mask]
    n = len(rows)
    date = np.zeros(n, dtype="datetime64[ns]")
    hour = np.zeros(n, dtype=np.int64)
    weekday = np.zeros(n, dtype=np.int64)
    local_time = np.empty(n, dtype=object)
    sensor = rows["sensor_id"].astype(str)
    for zone in sorted(set(zones.values())):  # a loop over zones, not readings
        mine = (sensor.map(zones) == zone).to_numpy()
        if not mine.any():
            continue
        local = pd.DatetimeIndex(rows.loc[mine, "time"]).tz_convert(zone)
        date[mine] = local.tz_localize(None).normalize().to_numpy()
        hour[mine] = local.hour.to_numpy()
        weekday[mine] = local.day_of_week.to_numpy()
        local_time[mine] = local.strftime("%Y-%m-%dT%H:%M%z").to_numpy()
    mode, direction = _mode_direction(rows["variable"])
    valid = rows["valid"].to_numpy(dtype=bool) & rows["value"].notna().to_numpy()
    return pd.DataFrame(
        {
            "sensor_id": sensor.to_numpy(),
            "mode": mode.to_numpy(),
            "direction": direction.to_numpy(),
            "variable": rows["variable"].astype(str).to_numpy(),
            "unit": rows["unit"].astype(str).to_numpy(),
            "time": rows["time"].to_numpy(),
            "local_time": local_time,
            "date": pd.DatetimeIndex(date).strftime("%Y-%m-%d").to_numpy(),
            "hour": hour,
            "weekday": weekday,
            "count": np.where(valid, rows["value"].to_numpy(dtype=float), np.nan),
            "uptime": uptime[mask],
            "status": rows["status"].astype(str).to_numpy(),
            "valid": valid,
        }
    ).assign(time=lambda t: pd.to_datetime(t["time"], utc=True))


def _daily(
    table: pd.DataFrame, zones: dict[str, str], min_coverage: float, min_valid_hours: int | None
) -> tuple[pd.DataFrame, str]:
    """Local-day totals of valid hours, with the day rule applied."""
    import numpy as np
    import pandas as pd

    keys = ["sensor_id", "mode", "direction", "variable", "date"]
    grouped = (
        table.assign(low=table["status"] == "low uptime")
        .groupby(keys, sort=True)
        .agg(count=("count", "sum"), n_valid=("valid", "sum"), n_low_uptime=("low", "sum"),
             time=("time", "min"))
        .reset_index()
    )  # fmt: skip
    # The local day each row is in: its UTC start and end (23, 24 or 25 hours).
    start = np.zeros(len(grouped), dtype=np.int64)
    end = np.zeros(len(grouped), dtype=np.int64)
    day = parse_period("day")
    zone_of_row = grouped["sensor_id"].map(zones)
    for zone in sorted(set(zones.values())):  # a loop over zones, not readings
        mine = (zone_of_row == zone).to_numpy()
        if not mine.any():
            continue
        s, e = period_bounds(grouped.loc[mine, "time"], zone, day)
        start[mine] = pd.DatetimeIndex(s).asi8
        end[mine] = pd.DatetimeIndex(e).asi8
    n_hours = (end - start) // _HOUR_NS
    grouped["time"] = pd.to_datetime(start, utc=True)
    grouped["end"] = pd.to_datetime(end, utc=True)
    grouped["n_hours"] = n_hours
    grouped["n_missing"] = n_hours - grouped["n_valid"] - grouped["n_low_uptime"]
    if min_valid_hours is None:
        month = grouped["date"].str[:7]
        reference = grouped.groupby(["sensor_id", "variable", month])["n_valid"].transform("max")
        need = np.ceil(min_coverage * reference.to_numpy() - 1e-9)
        rule = (
            f"a day is complete with at least {min_coverage:.0%} as many valid hours as the "
            "sensor's fullest day of the same local month"
        )
    else:
        reference = pd.Series(min_valid_hours, index=grouped.index)
        need = np.full(len(grouped), float(min_valid_hours))
        rule = f"a day is complete with at least {min_valid_hours} valid hours"
    n_valid = grouped["n_valid"].to_numpy()
    valid = (n_valid >= need) & (n_valid > 0)
    grouped["reference_hours"] = reference.to_numpy()
    grouped["valid"] = valid
    grouped["count"] = np.where(valid, grouped["count"].to_numpy(dtype=float), np.nan)
    columns = [
        "sensor_id", "mode", "direction", "variable", "time", "end", "date", "count",
        "n_hours", "n_valid", "n_low_uptime", "n_missing", "reference_hours", "valid",
    ]  # fmt: skip
    return grouped[columns], rule


def _weighted_quantile(
    value: np.ndarray, weight: np.ndarray, code: np.ndarray, n_groups: int, share: float
) -> np.ndarray:
    """Per group, the smallest value whose cumulative weight reaches ``share`` of the total.

    ``value`` must be sorted within each group and the groups contiguous (Hyndman &
    Fan type 1 generalised to weights; with equal weights the usual inverse of the
    empirical distribution).
    """
    import numpy as np

    out = np.full(n_groups, np.nan)
    if not len(value):
        return out
    total = np.bincount(code, weights=weight, minlength=n_groups)
    cumulative = np.cumsum(weight)
    first = np.searchsorted(code, np.arange(n_groups), side="left")
    before = np.r_[0.0, cumulative][first]  # cumulative weight before each group
    within = cumulative - before[code]
    reached = within >= share * total[code] - 1e-9
    # The first row of each group that reaches the share.
    candidates = np.where(reached, np.arange(len(value)), len(value))
    pick = np.minimum.reduceat(candidates, first)
    out[:] = value[np.minimum(pick, len(value) - 1)]
    return out
