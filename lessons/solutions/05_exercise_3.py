"""Lesson 5, exercise 3: sensors that share a corner.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# Street corners with more than one sensor
shared = snapped.groupby("node").filter(lambda group: len(group) > 1)
for node, group in shared.groupby("node"):
    print(f"corner {node}:", ", ".join(group["sensor_id"]))
