"""Lesson 4, exercise 2: when heavy vehicles peak, and what the counter cannot see.

Runs in the lesson's notebook, after the cells above the exercise (it uses
``street_traffic``).
"""

peaks = traffic.peak_hours(street_traffic, variables=["count_heavy"])
print(peaks[["day_type", "hours", "mean_count", "n_hours"]].round(1))
hours = traffic.counts(street_traffic)
heavy = hours[hours["variable"] == "count_heavy"]
print(heavy.groupby("status")["hour"].agg(["size", "min", "max"]))
# Night hours are "camera off (uptime 0)": the counter cannot say how many lorries
# pass at night, while the noise sensor hears them.
