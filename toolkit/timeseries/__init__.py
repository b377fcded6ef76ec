"""Time series: averaging with data-capture rules, rolling means, NowCast, profiles.

* :func:`average` -- readings into hours, 8-hour blocks, local days, weeks, months or
  years, each value with its data capture ("coverage") and whether it is valid.
"""

from ._average import AVERAGED_COLUMNS, DEFAULT_MIN_COVERAGE, average

__all__ = ["AVERAGED_COLUMNS", "DEFAULT_MIN_COVERAGE", "average"]
