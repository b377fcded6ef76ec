"""Shared chart rules: palettes, limits, local wall-clock time, periods."""

import pandas as pd

from toolkit import charts
from toolkit.charts._common import period_start_ms, wall_clock_ms
from toolkit.charts._lines import choose_period

from .helpers import pm_data


def ms(text):
    """Milliseconds since 1970 of a naive wall-clock time, written by hand."""
    return pd.Timestamp(text).value // 1_000_000


def test_categorical_palette_is_okabe_ito_without_pure_red_or_green():
    # Okabe & Ito (2008), Color Universal Design: the eight colours.
    assert set(charts.OKABE_ITO) == {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert charts.OKABE_ITO[0] == "#0072B2"  # blue first, pale yellow last
    assert charts.OKABE_ITO[-1] == "#F0E442"
    assert charts.SEQUENTIAL in ("viridis", "cividis")
    assert len(charts.DASHES) == len(charts.OKABE_ITO) == charts.MAX_SERIES


def test_row_limit_stays_below_altairs():
    assert charts.MAX_ROWS < 5000  # altair raises MaxRowsError above 5,000 rows


def test_wall_clock_follows_each_sensors_zone_across_dst():
    times = pd.Series(
        pd.to_datetime(
            ["2024-07-01T12:00Z", "2024-10-27T00:30Z", "2024-10-27T01:30Z", "2024-07-01T12:00Z"]
        )
    )
    ids = pd.Series(["london", "london", "london", "utc"], dtype="category")
    zones = {"london": "Europe/London", "utc": "UTC"}
    out = wall_clock_ms(times, ids, zones)
    # BST is UTC+1 until 27 October 2024 01:00 UTC: 00:30 UTC is 01:30 BST, and 01:30
    # UTC is 01:30 GMT, the repeated hour.
    assert out.tolist() == [
        ms("2024-07-01T13:00"),
        ms("2024-10-27T01:30"),
        ms("2024-10-27T01:30"),
        ms("2024-07-01T12:00"),
    ]


def test_period_starts_on_the_wall_clock():
    wall = ms("2024-10-30T15:45")  # a Wednesday
    starts = {
        p: period_start_ms(pd.Series([wall]).to_numpy(), p)[0]
        for p in ("1h", "10min", "day", "week", "month", "year")
    }
    assert starts == {
        "1h": ms("2024-10-30T15:00"),
        "10min": ms("2024-10-30T15:40"),
        "day": ms("2024-10-30"),
        "week": ms("2024-10-28"),  # Monday
        "month": ms("2024-10-01"),
        "year": ms("2024-01-01"),
    }


def test_choose_period_steps_up_the_ladder_until_the_points_fit():
    data = pm_data(2, 10, freq="1h")  # 10 days, 2 sensors
    # Hourly: 2 lines x (239 hours of span + 2) = 482 points; daily: 2 x (9 + 2) = 22.
    assert choose_period(data, "1h", lines=2, budget=500) == "1h"
    assert choose_period(data, "1h", lines=2, budget=100) == "day"
    assert choose_period(data, "1h", lines=2, budget=10) == "week"
    assert choose_period(data, "10min", lines=2, budget=500) == "1h"
