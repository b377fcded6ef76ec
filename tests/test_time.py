"""Tests of toolkit._time.parse_times: zones, offsets, DST changes and bad timestamps.

Every expected UTC time is worked out by hand in a comment from the zone's rules:
Europe/Berlin is UTC+1 (CET) in winter and UTC+2 (CEST) from the last Sunday of March
02:00 to the last Sunday of October 03:00; America/Santiago is UTC-4 in winter and UTC-3
in summer, changing at 24:00 local time (April 6/7 and September 7/8 in 2024).
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit._errors import TimestampError
from toolkit._time import parse_times

BERLIN = "Europe/Berlin"
SANTIAGO = "America/Santiago"


def utc(values, **options) -> list[str]:
    parsed = parse_times(pd.Series(values, dtype=object), **options)
    return ["NaT" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M") for t in parsed.times]


# -- zones and offsets --------------------------------------------------------------------
def test_local_times_in_a_zone():
    # Berlin: 1 March is CET (UTC+1), 1 July is CEST (UTC+2).
    assert utc(["2024-03-01 14:00", "2024-07-01 14:00"], timezone=BERLIN) == [
        "2024-03-01 13:00",
        "2024-07-01 12:00",
    ]


def test_documented_zone_and_user_zone():
    parsed = parse_times(
        pd.Series(["2024-01-01 00:00"]),
        documented_timezone="UTC",
        documented_reason="the archive is UTC",
    )
    assert parsed.timezone == "UTC"
    assert parsed.reason == "the archive is UTC"
    parsed = parse_times(
        pd.Series(["2024-01-01 00:00"]), timezone=BERLIN, documented_timezone="UTC"
    )
    assert parsed.timezone == BERLIN
    assert "given by the user" in parsed.reason


def test_values_with_z_and_offsets():
    assert utc(["2024-03-01T14:00:00Z", "2024-03-01T14:00:00+01:00", "2024-03-01 14:00 +0530"]) == [
        "2024-03-01 14:00",
        "2024-03-01 13:00",
        "2024-03-01 08:30",
    ]


def test_offsets_that_change_across_a_dst_change_are_each_applied():
    # Denver on 10 March 2024: 01:30-07:00 = 08:30 UTC, 03:30-06:00 = 09:30 UTC.
    parsed = parse_times(pd.Series(["2024-03-10T01:30:00-07:00", "2024-03-10T03:30:00-06:00"]))
    assert [t.strftime("%H:%M") for t in parsed.times] == ["08:30", "09:30"]
    assert parsed.offsets == ["-06:00", "-07:00"]
    assert "each value was converted with its own offset" in parsed.reason


def test_offsets_and_no_offsets_in_one_column():
    with pytest.raises(
        TimestampError,
        match=r"(?s)mixes timestamps with a UTC offset and "
        r"timestamps without one.*File: f\.csv.*with an offset: "
        r"'2024-03-10T01:30-07:00'; without: '2024-03-10 03:30'.*"
        r"What to do: Export all times the same way",
    ):
        parse_times(
            pd.Series(["2024-03-10T01:30-07:00", "2024-03-10 03:30"]),
            timezone="America/Denver",
            file="f.csv",
        )


def test_a_date_is_not_an_offset():
    # "2024-03-10" ends in "-10", which once was read as a UTC offset of -10 h.
    with pytest.raises(TimestampError, match="no time zone"):
        parse_times(pd.Series(["2024-03-10", "2024-03-11"]))
    # Midnight in Berlin (CET) is 23:00 UTC the day before.
    assert utc(["2024-03-10", "2024-03-11"], timezone=BERLIN) == [
        "2024-03-09 23:00",
        "2024-03-10 23:00",
    ]


def test_no_zone_asks_for_one():
    with pytest.raises(
        TimestampError,
        match=r"(?s)column 'when' have no time zone.*"
        r"File: log\.csv.*Found: '2024-01-01 00:00' \(no offset.*"
        r"What to do: Say which zone.*timezone='Europe/Berlin'",
    ):
        parse_times(pd.Series(["2024-01-01 00:00"]), file="log.csv", column="when")


def test_unknown_zone_name():
    with pytest.raises(
        TimestampError,
        match=r"(?s)'Berlin' is not a time zone name.*"
        r"Found: timezone='Berlin'.*'Europe/Berlin'",
    ):
        parse_times(pd.Series(["2024-01-01 00:00"]), timezone="Berlin")


def test_unix_seconds_and_milliseconds():
    # 1709301600 s after 1970-01-01 UTC is 2024-03-01 14:00 UTC.
    seconds = parse_times(pd.Series([1709301600, None]))
    millis = parse_times(pd.Series([1709301600000.0]))
    assert seconds.times[0] == millis.times[0] == pd.Timestamp("2024-03-01 14:00", tz="UTC")
    assert seconds.missing.tolist() == [False, True]
    assert "UTC by definition" in seconds.reason


# -- unreadable values --------------------------------------------------------------------
def test_all_unreadable():
    with pytest.raises(
        TimestampError,
        match=r"(?s)Could not read the timestamps in column "
        r"'t'.*Found: 'yesterday', 'noon' \(2 value\(s\), none readable\).*"
        r"time_format=",
    ):
        parse_times(pd.Series(["yesterday", "noon"]), timezone="UTC", column="t")


def test_some_unreadable_and_missing_are_masked():
    parsed = parse_times(
        pd.Series(["2024-01-01 00:00", "yesterday", "", None, "NA"]), timezone="UTC"
    )
    assert parsed.unreadable.tolist() == [False, True, False, False, False]
    assert parsed.missing.tolist() == [False, False, True, True, True]
    assert parsed.times.isna().tolist() == [False, True, True, True, True]


def test_time_format():
    assert utc(["01.03.2024 2 PM"], timezone="UTC", time_format="%d.%m.%Y %I %p") == [
        "2024-03-01 14:00"
    ]


def test_day_month_order_from_the_values():
    # 13/03 can only be 13 March, so 10/03 in the same column is 10 March (not 3 October).
    assert utc(["10/03/2024 14:00", "13/03/2024 14:00"], timezone="UTC") == [
        "2024-03-10 14:00",
        "2024-03-13 14:00",
    ]
    # 03/13 can only be March 13, so 03/10 is March 10.
    assert utc(["03/10/2024 14:00", "03/13/2024 14:00"], timezone="UTC") == [
        "2024-03-10 14:00",
        "2024-03-13 14:00",
    ]
    # Dots are day first.
    assert utc(["10.03.2024 14:00"], timezone="UTC") == ["2024-03-10 14:00"]


def test_day_month_order_that_cannot_be_told():
    with pytest.raises(
        TimestampError,
        match=r"(?s)could be day/month or month/day.*"
        r"Found: '10/03/2024 14:00', '11/03/2024 14:00'.*"
        r"time_format='%d/%m/%Y %H:%M'",
    ):
        parse_times(pd.Series(["10/03/2024 14:00", "11/03/2024 14:00"]), timezone="UTC")
    with pytest.raises(
        TimestampError,
        match=r"(?s)day first in some rows and the month "
        r"first in others.*'13/03/2024 14:00' and '03/13/2024 14:00'",
    ):
        parse_times(pd.Series(["13/03/2024 14:00", "03/13/2024 14:00"]), timezone="UTC")


# -- daylight-saving changes ----------------------------------------------------------------
def test_nonexistent_local_time_berlin():
    with pytest.raises(
        TimestampError,
        match=r"(?s)do not exist in Europe/Berlin: they fall "
        r"in the hour skipped.*File: spring\.csv.*Found: "
        r"'2024-03-31 02:30:00' \(1 value\(s\)\).*timezone='UTC'",
    ):
        parse_times(
            pd.Series(["2024-03-31 01:30", "2024-03-31 02:30", "2024-03-31 03:30"]),
            timezone=BERLIN,
            file="spring.csv",
        )


def test_repeated_hour_in_recording_order_is_placed():
    # 02:30 first is CEST (UTC+2) = 00:30 UTC; 02:30 again is CET (UTC+1) = 01:30 UTC.
    assert utc(
        ["2024-10-27 01:30", "2024-10-27 02:30", "2024-10-27 02:30", "2024-10-27 03:30"],
        timezone=BERLIN,
    ) == ["2024-10-26 23:30", "2024-10-27 00:30", "2024-10-27 01:30", "2024-10-27 02:30"]


def test_repeated_hour_with_rows_running_backwards():
    # Newest first: 03:30 CET, 02:30 CET, 02:30 CEST, 01:30 CEST.
    assert utc(
        ["2024-10-27 03:30", "2024-10-27 02:30", "2024-10-27 02:30", "2024-10-27 01:30"],
        timezone=BERLIN,
    ) == ["2024-10-27 02:30", "2024-10-27 01:30", "2024-10-27 00:30", "2024-10-26 23:30"]


def test_repeated_hour_with_an_empty_or_unreadable_value_among_them():
    assert utc(["2024-10-27 02:30", "", "broken", "2024-10-27 02:30"], timezone=BERLIN) == [
        "2024-10-27 00:30",
        "NaT",
        "NaT",
        "2024-10-27 01:30",
    ]


def test_repeated_hour_that_the_order_cannot_place():
    # Only one 02:30: summer or winter time cannot be told.
    with pytest.raises(
        TimestampError,
        match=r"(?s)happen twice in Europe/Berlin.*"
        r"row order does not say which is which.*File: autumn\.csv.*"
        r"Found: '2024-10-27 02:30:00' \(1 value\(s\)\).*recording order",
    ):
        parse_times(
            pd.Series(["2024-10-27 01:30", "2024-10-27 02:30", "2024-10-27 03:30"]),
            timezone=BERLIN,
            file="autumn.csv",
        )
    # Shuffled rows: no order to go by.
    with pytest.raises(TimestampError, match=r"happen twice"):
        parse_times(
            pd.Series(
                ["2024-10-27 02:30", "2024-10-27 01:30", "2024-10-27 02:30", "2024-10-27 03:30"]
            ),
            timezone=BERLIN,
        )


def test_santiago_summer_and_winter():
    # January is summer (UTC-3), July winter (UTC-4).
    assert utc(["2024-01-15 12:00", "2024-07-15 12:00"], timezone=SANTIAGO) == [
        "2024-01-15 15:00",
        "2024-07-15 16:00",
    ]


def test_santiago_clocks_back_repeat_23h():
    # At 24:00 on 6 April clocks go back to 23:00: 23:30 happens at -03 (= 02:30 UTC on
    # the 7th) and again at -04 (= 03:30 UTC).
    assert utc(
        ["2024-04-06 22:30", "2024-04-06 23:30", "2024-04-06 23:30", "2024-04-07 00:30"],
        timezone=SANTIAGO,
    ) == ["2024-04-07 01:30", "2024-04-07 02:30", "2024-04-07 03:30", "2024-04-07 04:30"]


def test_santiago_clocks_forward_skip_midnight():
    # At 24:00 on 7 September clocks go forward to 01:00: 00:30 on the 8th does not exist.
    with pytest.raises(
        TimestampError,
        match=r"(?s)do not exist in America/Santiago.*"
        r"'2024-09-08 00:30:00'",
    ):
        parse_times(pd.Series(["2024-09-07 23:30", "2024-09-08 00:30"]), timezone=SANTIAGO)
    assert utc(["2024-09-07 23:30", "2024-09-08 01:30"], timezone=SANTIAGO) == [
        "2024-09-08 03:30",
        "2024-09-08 04:30",
    ]


def test_a_broken_value_that_pandas_reads_with_an_offset_is_unreadable_not_an_error():
    # "02:3z" is no time the offset pattern accepts, but pandas reads it as 02:03 UTC;
    # among times without offsets that made pandas raise "Mixed timezones".
    for values in (
        ["2024-10-27 00:30", "2024-10-27 02:3z"],
        ["2024-10-27 00:30", "20x4-01-01", "2024-10-27 02:3z", "13/01/2024 10:00"],
    ):
        parsed = parse_times(pd.Series(values, dtype=object), timezone="UTC")
        assert parsed.unreadable.tolist() == [("02:3z" in v or "x" in v) for v in values]
        assert str(parsed.times.iloc[0]) == "2024-10-27 00:30:00+00:00"
