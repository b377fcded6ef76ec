"""Lesson 6, exercise 2: if the new sensors were put up.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# The suggested sites as new sensor points, beside the existing ones
new = for_people.to_crs(points.crs)[["geometry"]]
new["sensor_id"] = [f"new-{i}" for i in range(1, len(new) + 1)]
more = gpd.GeoDataFrame(pd.concat([points, new], ignore_index=True), crs=points.crs)
cov_more = equity.coverage(more, hoods, city.demographics)
print(f"Gini now {gini:.2f}; with {len(new)} new sensors {equity.gini(cov_more):.2f}")
cov_more[["name", "sensors", "sensors_per_10k"]].round(2)
