"""Lesson 7, exercise 1: the UK index.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# The UK Daily Air Quality Index, applied like the others
table.loc["standard: UK DAQI"] = dashboard(standard="uk_daqi_2013")
best = indices.sub_index(0.0, standard="uk_daqi_2013")["category"].iloc[0]
print(f"The UK index calls its best band {best!r}.")
display(table)
