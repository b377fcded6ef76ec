"""Quality checks: rules that flag doubtful readings and say why, never delete them.

Each rule adds a boolean column ``flag_<rule>`` beside the values (True = the rule
doubts the reading) and records a step in the history with its parameters, its source
and how many readings it flagged. No rule removes or changes a value; averaging can
leave flagged readings out (``exclude_flagged=True``), and that choice is recorded too.

Rules (each ``flag_<rule>(data, **options) -> SensorData``):

========== ===========================================================================
range      outside the variable's plausible range (variables table)
sentinel   an error code such as -999, 65535, or the SDS011's saturation value 999.9
negative   a concentration below zero (tolerance configurable)
stuck      one value repeated for >= 10 readings and >= 3 hours
spikes     far from the median of its neighbours (Hampel filter)
duplicates several readings of one series at one time (repeats vs conflicts)
gaps       the first reading after a gap (see :func:`gaps` for the list of gaps)
clock      out of order, after a backwards jump, in the future, before 2001
ab         PurpleAir channels A/B disagree in the hour, or are incomplete (EPA)
humidity   PM reading at >= 95 % relative humidity (fog, mist)
========== ===========================================================================

Typical use::

    from toolkit import quality
    checked = quality.check(data)      # every rule, in a documented order
    quality.explain(checked)           # what was flagged, in plain words
    quality.health(checked, timezone="UTC")  # per sensor and day: complete? trusted?
"""

from __future__ import annotations

from ._ab import AB_CITATION, ab_hours, flag_ab
from ._check import DEFAULT_RULES, MEANINGS, RULES, Explanation, check, explain, summary
from ._health import HEALTH_COLUMNS, health
from ._humidity import HUMIDITY_THRESHOLD, flag_humidity
from ._series import SPIKE_GROUPS, flag_duplicates, flag_spikes, flag_stuck
from ._time import EARLIEST, GAP_FACTOR, flag_clock, flag_gaps, gaps
from ._values import (
    NEGATIVE_GROUPS,
    SENTINEL_CODES,
    VARIABLE_SENTINELS,
    flag_negative,
    flag_range,
    flag_sentinel,
)

__all__ = [
    "AB_CITATION",
    "DEFAULT_RULES",
    "EARLIEST",
    "GAP_FACTOR",
    "HEALTH_COLUMNS",
    "HUMIDITY_THRESHOLD",
    "MEANINGS",
    "NEGATIVE_GROUPS",
    "RULES",
    "SENTINEL_CODES",
    "SPIKE_GROUPS",
    "VARIABLE_SENTINELS",
    "Explanation",
    "ab_hours",
    "check",
    "explain",
    "flag_ab",
    "flag_clock",
    "flag_duplicates",
    "flag_gaps",
    "flag_humidity",
    "flag_negative",
    "flag_range",
    "flag_sentinel",
    "flag_spikes",
    "flag_stuck",
    "gaps",
    "health",
    "summary",
]
