"""Lesson 1, exercise 1: the files that lost the most values when they were read.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``ledger``).
"""

worst = ledger.sort_values("readings_dropped", ascending=False).head(3)
print(worst[["file", "values_read", "readings_dropped", "drop_reasons"]].to_string())
# In Quayford: weather sensors (BME280) whose firmware leaves two columns empty
# (altitude, sea-level pressure). Empty fields are not lost measurements.
