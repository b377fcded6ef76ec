"""Lesson 3, exercise 2: the same days judged by the UK DAQI and the WHO guideline.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``one``,
``CORRECTION``, ``indices`` and ``corrections``).
"""

daily_values = corrections.correct(one, CORRECTION, period="day")
uk = indices.aqi(daily_values, standard="uk_daqi_2013", pollutants={"pm25_corrected": "pm25"})
uk_days = uk.readings[uk.readings["pollutant"] == "overall"]
print("UK DAQI, days per band:")
print(uk_days["category"].value_counts().to_string())
who = indices.exceedances(daily_values, guideline="who_2021_pm25_24h", variable="pm25_corrected")
row = who.iloc[0]
print(f"WHO 2021: {row['periods_above']} of {row['periods_valid']} days above 15 µg/m³")
