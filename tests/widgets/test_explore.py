"""The widgets, headless: set a control's value in code and check the chart and caption."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("altair")

from toolkit.widgets import (
    AnswerView,
    Explorer,
    explore,
    guide,
    weekday_vs_weekend,
)

from .helpers import (
    assert_unchanged,
    hours_signal,
    make,
    neighbours,
    purpleair,
    readings,
    snapshot,
    ten_minutes,
    weekly,
)


def _rows(chart):
    """Every row of data embedded in a chart's spec."""
    return [row for rows in chart.to_dict()["datasets"].values() for row in rows]


def _values(dropdown):
    return [value for _, value in dropdown.options]


def test_explore_shows_a_chart_and_its_caption():
    data = weekly(20.0, 10.0)
    before = snapshot(data)
    explorer = explore(data)
    assert isinstance(explorer, Explorer)
    assert explorer.controls["variable"].value == "pm25"
    assert explorer.controls["period"].value == "1h"
    assert explorer.controls["standard"].value == ""  # "none"
    rows = _rows(explorer.chart)
    assert len(rows) == 2 * 14 * 24  # two sensors, hourly, two weeks
    assert explorer.caption.value.startswith("<p>Hourly mean PM2.5 at 2 sensors")
    assert explorer.message.value == ""
    # Without a kernel the output keeps a text record of what it shows (the alt text).
    assert explorer.output.outputs[0]["data"]["text/plain"].startswith("Line chart of hourly")
    assert_unchanged(data, before)


def test_changing_the_period_redraws_chart_and_caption():
    explorer = explore(weekly(20.0, 10.0))
    explorer.controls["period"].value = "day"
    assert explorer.state.settings.period == "day"
    rows = _rows(explorer.chart)
    assert len(rows) == 2 * 14
    s1 = [r["value"] for r in rows if r["series"] == "s1"]
    assert s1 == [20.0] * 5 + [10.0] * 2 + [20.0] * 5 + [10.0] * 2
    assert explorer.caption.value.startswith("<p>Daily mean PM2.5 at 2 sensors")


def test_choosing_sensors_draws_only_them():
    explorer = explore(weekly(20.0, 10.0))
    assert _values(explorer.controls["sensors"]) == ["s1", "s2"]
    explorer.controls["sensors"].value = ("s2",)
    assert {r["series"] for r in _rows(explorer.chart)} == {"s2"}
    assert "at sensor s2" in explorer.caption.value


def test_a_guideline_adds_its_line_and_words():
    explorer = explore(weekly(20.0, 10.0), period="day")
    assert "who_2021_pm25_24h" in _values(explorer.controls["standard"])
    explorer.controls["standard"].value = "who_2021_pm25_24h"
    assert 15.0 in [r.get("value") for r in _rows(explorer.chart) if "label" in r]
    assert "15 µg/m³ for the 24-hour mean" in explorer.caption.value
    explorer.controls["standard"].value = ""
    assert explorer.state.settings.standard is None
    assert not [r for r in _rows(explorer.chart) if "label" in r]


def test_an_index_standard_draws_index_bands_and_locks_the_period():
    explorer = explore(weekly(20.0, 10.0))
    explorer.controls["standard"].value = "us_epa_2024"
    assert explorer.controls["period"].disabled
    assert "By the US EPA AQI (2024" in explorer.caption.value
    assert "averages the readings as its standard says" in explorer.message.value
    explorer.controls["standard"].value = ""
    assert not explorer.controls["period"].disabled


def test_a_new_variable_offers_only_standards_and_corrections_that_fit():
    explorer = explore(purpleair(), standard="who_2021_pm25_24h", period="day")
    explorer.controls["variable"].value = "temperature"
    assert _values(explorer.controls["standard"]) == [""]
    assert explorer.controls["standard"].value == ""
    assert "does not judge temperature" in explorer.message.value
    assert explorer.caption.value.startswith("<p>Daily mean temperature")
    explorer.controls["variable"].value = "pm25_cf1"
    assert "epa_2021" in _values(explorer.controls["correction"])


def test_a_correction_draws_the_corrected_values():
    explorer = explore(purpleair(), variable="pm25_cf1")
    explorer.controls["correction"].value = "epa_2021"
    assert explorer.state.shown_variable == "pm25_corrected"
    assert "corrected PM2.5" in explorer.caption.value
    _, base = hours_signal(48)
    expected = 0.524 * base[0] - 0.0862 * 50 + 5.75  # EPA 2021 at RH 50 %, first hour
    first = next(r for r in _rows(explorer.chart) if r["series"] == "purpleair:1")
    assert first["value"] == pytest.approx(expected, abs=1e-3)
    explorer.controls["period"].value = "week"  # corrections are for hours and days
    assert explorer.controls["correction"].value == ""
    assert _values(explorer.controls["correction"]) == [""]
    assert "Corrections were fitted on hourly or daily means" in explorer.message.value


def test_too_little_data_is_a_message_not_a_failure():
    # Three readings an hour where six are expected: 50 % data capture.
    times = pd.date_range("2024-10-07", periods=12 * 6, freq="10min", tz="UTC")
    times = times[times.minute < 30]
    explorer = explore(make(readings("s1", times, np.full(len(times), 8.0)), timezone="UTC"))
    assert explorer.chart is None
    assert "nothing to draw" in explorer.message.value
    assert explorer.output.outputs == ()
    explorer.controls["min_coverage"].value = 0.5
    assert explorer.chart is not None
    assert [r["value"] for r in _rows(explorer.chart)] == [8.0] * 12
    assert "at least 50 %" in explorer.caption.value


def test_views_switch_the_kind_of_chart():
    explorer = explore(weekly(20.0, 10.0))
    explorer.controls["view"].value = "weekly cycle"
    assert "profile" in explorer.chart.to_dict()["title"]["text"].lower()
    assert "lowest on" in explorer.caption.value
    explorer.controls["view"].value = "calendar"
    assert "calendar" in explorer.chart.to_dict()["title"]["text"].lower()


def test_the_distribution_view_shows_the_averages():
    explorer = explore(weekly(20.0, 10.0), period="day")
    explorer.controls["view"].value = "distribution"
    assert explorer.chart is not None, explorer.message.value


def test_sensors_without_a_zone_are_shown_in_utc_with_a_note():
    times, base = hours_signal(30)
    explorer = explore(make(readings("s1", times, base), timezone=None))
    assert explorer.state.settings.timezone == "UTC"
    assert "have no time zone" in explorer.message.value
    assert explorer.chart is not None


# --- guided answers ------------------------------------------------------------------------
def test_an_answer_widget_asks_again_for_another_variable():
    times = ten_minutes("2024-06-03", 14)
    weekend = times.day_of_week >= 5
    data = make(
        readings("s1", times, np.where(weekend, 10.0, 20.0)),
        readings("s1", times, np.where(weekend, 30.0, 20.0), "temperature"),
    )
    view = weekday_vs_weekend(data).widget()
    assert isinstance(view, AnswerView)
    assert _values(view.variable) == ["pm25", "temperature"]
    assert "so it was worse on weekdays" in view.caption.value
    weekdays = [r["value"] for r in _rows(view.answer.chart) if r["x"] == "Monday"]
    assert weekdays == [20.0]
    view.variable.value = "temperature"
    assert view.answer.variable == "temperature"
    assert "so it was higher at weekends" in view.caption.value
    assert view.table.outputs[0]["data"]["text/plain"].lstrip().startswith("days")


def test_the_guide_answers_each_question_or_says_why_not():
    g = guide(neighbours())
    assert g.question.value == "weekdays"
    g.question.value = "neighbours"
    assert g.answer is not None
    assert g.answer.answer.verdict == "s4"
    assert g.answer.answer.chart is not None
    g.question.value = "unhealthy"
    assert (
        g.answer.answer.chart.to_dict()["title"]["text"] == "Unhealthy days of PM2.5, by standard"
    )
    two = guide(neighbours().select(sensors=["s1", "s2"]))
    two.question.value = "neighbours"
    assert two.answer is None
    assert "needs at least 3 sensors of pm25" in two.message.value
