"""Lesson 6, exercise 1: coverage against other things.

Runs in the lesson's namespace, after the cells above the exercise.
"""

# Spearman's rank correlation of each share of people with sensors per 10,000 residents
shares = [column for column in city.demographics.columns if column.endswith("_pct")]
links = pd.Series({column: equity.against(cov, column).attrs["spearman"] for column in shares})
strongest = links.abs().idxmax()
print(f"Strongest link: {strongest} ({links[strongest]:+.2f})")
# The trap: density is residents per km², and sensors per resident divide by residents,
# so the two are linked by arithmetic even if sensors were placed at random.
print(f"density_per_km2: {equity.against(cov, 'density').attrs['spearman']:+.2f}")
links.sort_values().round(2)
