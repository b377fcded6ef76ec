"""Lesson 1, exercise 2: the highest PM2.5 reading of one sensor, in UTC and local time.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``pm``,
``sensor`` and ``CITY_TIMEZONE``).
"""

rows = pm.readings[pm.readings["sensor_id"] == sensor]
top = rows.loc[rows["value"].idxmax()]
print(f"Highest reading: {top['value']} {top['unit']}")
print("UTC:       ", top["time"])
print("Local time:", top["time"].tz_convert(CITY_TIMEZONE))
