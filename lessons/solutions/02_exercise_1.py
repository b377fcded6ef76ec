"""Lesson 2, exercise 1: humidity readings flagged as stuck.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``city``,
``models`` and ``CITY_TIMEZONE``).
"""

humidity = quality.flag_stuck(city.data.select(variables="humidity"))
stuck_rows = humidity.readings[humidity.readings["flag_stuck"]]
per_sensor = stuck_rows.groupby("sensor_id", observed=True)["value"].agg(["size", "median"])
per_sensor["model"] = models.reindex(per_sensor.index)
print(per_sensor)
print("Local hours of the stuck readings:")
print(stuck_rows["time"].dt.tz_convert(CITY_TIMEZONE).dt.hour.value_counts().sort_index())
# In Quayford: DHT22 sensors sitting at 99.9 % on foggy nights. The air really was
# saturated: the flag is right to ask, but this is not a frozen sensor.
