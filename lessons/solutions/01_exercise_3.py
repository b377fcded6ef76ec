"""Lesson 1, exercise 3: the same logger file read as if its clock was on UTC.

Runs in the lesson's notebook, after the cells above the exercise (it uses
``logger_file`` and ``mapping``).
"""

as_utc = toolkit.readers.read_csv_mapped(
    logger_file, time="Date/Time", values=mapping, sensor_id="balcony", file_timezone="UTC"
)
# No clock change in UTC: 01:00 and 01:30 now happen twice, and nothing is thrown away.
# to_wide() keeps both values with a "duplicate" number (lesson 2 flags such rows).
print(as_utc.ledger)
as_utc.to_wide()
