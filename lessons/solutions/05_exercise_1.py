"""Lesson 5, exercise 1: slower walkers.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# Residents within the same number of minutes at 60 m per minute
slow = equity.share_within_walk(
    hoods,
    city.demographics,
    points,
    distance_m=WALK_MINUTES * 60,
    residents="streets",
    graph=streets,
)
print(f"At 60 m/min: {slow.attrs['share']:.0%} of residents (was {within.attrs['share']:.0%}).")
loss = within.set_index("name")["share_within"] - slow.set_index("name")["share_within"]
print(f"Largest loss: {loss.idxmax()}, {loss.max():.0%} of its residents.")
loss.sort_values(ascending=False).round(2)
