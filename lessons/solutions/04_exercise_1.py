"""Lesson 4, exercise 1: the weekday with the highest PM2.5, by mean and by median.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``hourly``
and ``reference``).
"""

chosen = hourly.select(sensors=reference) if reference else hourly
week = timeseries.profile(chosen, by="weekday", pool_sensors=True).set_index("weekday_name")
print(week[["mean", "median", "n_hours"]].round(1))
print("Highest mean:  ", week["mean"].idxmax())
print("Highest median:", week["median"].idxmax())
# Each weekday occurs only four times: one day of the episode lifts its mean.
