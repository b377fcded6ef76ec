"""Lesson 2, exercise 2: sensor health once the readings in fog are flagged.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``humid``
and ``VARIABLE``).
"""

health_in_fog = quality.health(humid.select(variables=VARIABLE))
not_good = health_in_fog[health_in_fog["status"] != "good"]
per_day = not_good.groupby("day").size().sort_values(ascending=False)
print("Sensors not 'good', on the worst days:")
print(per_day.head(6).to_string())
# In Quayford: the foggy days of the late-October episode. The days people most need
# to know about are the days the cheap sensors can be trusted least.
