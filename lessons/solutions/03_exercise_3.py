"""Lesson 3, exercise 3: how far each choice moves the count of Good days.

Runs in the lesson's notebook, after the cells above the exercise (it uses
``recipes``).
"""

for choice in ["value", "breakpoints", "days"]:
    means = recipes.groupby(choice)["Good days"].mean()
    print(
        f"{choice:12} {means.round(1).to_dict()}  -> moves the count by "
        f"{means.max() - means.min():.1f} days on average"
    )
