"""Lesson 2, exercise 3: median PM in fog against the other readings, per sensor.

Runs in the lesson's notebook, after the cells above the exercise (it uses
``particles``).
"""

medians = particles.groupby(["sensor_id", "flag_humidity"], observed=True)["value"].median()
side_by_side = medians.unstack().rename(columns={False: "other readings", True: "in fog"})
side_by_side["times higher in fog"] = side_by_side["in fog"] / side_by_side["other readings"]
side_by_side.sort_values("times higher in fog", ascending=False).round(1)
