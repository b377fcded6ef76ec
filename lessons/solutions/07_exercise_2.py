"""Lesson 7, exercise 2: one sensor's dashboard.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# The sensor with the largest share of flagged readings, and its own headline
sensor = share.idxmax()
print(f"Most flagged: {sensor} ({share.max():.0%} of its readings)")
rows = {}
for correction in (CORRECTION, None):
    for keep in (False, True):
        label = f"correction {correction}, flagged readings {'kept' if keep else 'left out'}"
        rows[label] = headline(
            daily_pm25([sensor], correction=correction, exclude_flagged=not keep)
        )
display(pd.DataFrame(rows).T)
