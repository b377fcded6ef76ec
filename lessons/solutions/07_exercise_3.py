"""Lesson 7, exercise 3: a register entry for another dashboard.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# The PurpleAir-only, raw dashboard
raw_only = dashboard(ids=raw_ids, correction=None)
print(raw_only)
register_entry(
    dashboard=f"public PurpleAir map: not good on {raw_only['days not good']} days",
    who_runs_it="the sensor maker's website; the sensors belong to their hosts",
    what_it_measures=f"raw {raw_name} from {len(raw_ids)} PurpleAir sensors",
    method=f"no correction; {STANDARD} bands on daily means (our guess: ask them)",
    what_it_does_not_show="that raw values read high in humid air; sensors that are off",
    who_is_not_measured="everyone far from a PurpleAir host",
    whom_to_ask="(fill in: the maker's support address, the hosts' community group)",
)
