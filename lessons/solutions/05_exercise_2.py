"""Lesson 5, exercise 2: the furthest street corner.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# The corner with the longest walk to a sensor
furthest = by_street.nlargest(1, "distance_m").iloc[0]
node = streets.nodes[furthest["node"]]
corner = gpd.points_from_xy([node["x"]], [node["y"]])[0]
inside = hoods.loc[hoods.contains(corner), "name"]
where = inside.iloc[0] if len(inside) else "outside every neighbourhood"
metres = furthest["distance_m"]
print(f"{metres:.0f} m, about {metres / WALK_SPEED_M_PER_MIN:.0f} minutes' walk, in {where}.")
