"""Lesson 3, exercise 1: the US AQI of a 20.0 µg/m³ day, by hand and with the toolkit.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``indices``).
"""

by_hand_2024 = (100 - 51) / (35.4 - 9.1) * (20.0 - 9.1) + 51  # 71.3
by_hand_2018 = (100 - 51) / (35.4 - 12.1) * (20.0 - 12.1) + 51  # 67.6
print(f"By hand: {by_hand_2024:.1f} -> {round(by_hand_2024)} (2024)")
print(f"By hand: {by_hand_2018:.1f} -> {round(by_hand_2018)} (before 2024)")
for standard in ["us_epa_2024", "us_epa_2018"]:
    result = indices.sub_index([20.0], standard=standard)
    print(standard, int(result["index"].iloc[0]), result["category"].iloc[0])
