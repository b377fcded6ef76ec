"""Lesson 0, exercise 1: how many readings and instruments, and when.

Runs in the lesson's notebook, after the cells above the exercise (it uses ``city``).
"""

print("Readings:", len(city.data))
print("Instruments:", len(city.data.sensors))
start, end = city.data.period
print("First reading:", start)
print("Last reading: ", end)
