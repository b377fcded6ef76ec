"""Lesson 6, exercise 3: weights for the lowest incomes.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# Residents of lower-income neighbourhoods count more: weight = 1 / income
weight = 1 / city.demographics.set_index("neighbourhood_id")[income]
for_low_income = equity.suggest_sites(
    hoods, city.demographics, points, k=NEXT_SENSORS, distance_m=WALK_M, weight=weight
)
# One column per weighting, one row per new sensor (in the order they were placed)
pd.DataFrame(
    {
        "residents": named(for_people).set_index("order")["name"],
        "exposure": named(for_exposure).set_index("order")["name"],
        "low income": named(for_low_income).set_index("order")["name"],
    }
)
