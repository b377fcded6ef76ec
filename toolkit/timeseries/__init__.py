"""Time series: averaging with data-capture rules, rolling means, NowCast, profiles.

* :func:`average` -- readings into hours, 8-hour blocks, local days, weeks, months or
  years, each value with its data capture ("coverage") and whether it is valid.
* :func:`rolling_mean` -- 8- or 24-hour rolling means of hourly values.
* :func:`nowcast` -- US EPA's NowCast for PM2.5 and PM10.
* :func:`profile` -- daily and weekly cycles in local time, with uncertainty.
"""

from ._average import AVERAGED_COLUMNS, DEFAULT_MIN_COVERAGE, average
from ._nowcast import NOWCAST_HOURS, nowcast, nowcast_variables
from ._profiles import PROFILE_BY, WEEKDAYS, profile
from ._rolling import rolling_mean

__all__ = [
    "AVERAGED_COLUMNS",
    "DEFAULT_MIN_COVERAGE",
    "NOWCAST_HOURS",
    "PROFILE_BY",
    "WEEKDAYS",
    "average",
    "nowcast",
    "nowcast_variables",
    "profile",
    "rolling_mean",
]
