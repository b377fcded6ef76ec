"""Lesson 4, exercise 3: nights whose level was above the WHO road-traffic guideline.

Runs in the lesson's notebook, after the cells above the exercise (it uses
``street_noise``).
"""

guidelines = noise.who_guidelines()
road_night = guidelines[
    (guidelines["noise_source"] == "road") & (guidelines["indicator"] == "lnight")
]
limit = float(road_night["value_db"].iloc[0])
levels = noise.lden(street_noise).readings
nights = levels[(levels["variable"] == "lnight") & levels["valid"]]
print(f"{int((nights['value'] > limit).sum())} of {len(nights)} nights above {limit:g} dB")
print(f"Quietest night: {nights['value'].min():.1f} dB; loudest: {nights['value'].max():.1f} dB")
