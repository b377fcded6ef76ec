"""Lesson 8, exercise 3: read it like a stranger.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# Only pandas: no toolkit needed to read the package
table = pd.read_parquet(package.parent / "readings.parquet")
pm = table[table["variable"] == "pm25"]
print("unit:", pm["unit"].unique())
pm.groupby("sensor_id")["value"].mean().round(1)
