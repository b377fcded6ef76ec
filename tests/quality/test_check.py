"""check(), summary(), explain(): running the rules together and saying what they found."""

import pandas as pd
import pytest

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit import quality

T0 = pd.Timestamp("2024-01-01T00:00Z")


def _messy():
    """Hand-made data with one problem per rule (2-min cadence)."""
    pm_values = [5.0, 6.0, 5.0, 5.5, 6.0, -999.0, 5.0, 6.0, 5.0, 6.0]
    pm = series(pm_values)  # -999: sentinel, range, negative
    repeat = series([6.0], times=[T0 + pd.Timedelta("18min")])  # identical duplicate of the last
    temperature = series([20.0, 21.0, 70.0], variable="temperature")  # 70 °C: range
    return make(pm, repeat, temperature)


def test_check_runs_the_default_rules_in_the_documented_order():
    data = _messy()
    before = snapshot(data)
    out = quality.check(data, clock={"now": "2025-01-01"})
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    assert [s.name for s in out.history] == [
        "flag_duplicates",
        "flag_clock",
        "flag_sentinel",
        "flag_range",
        "flag_negative",
        "flag_stuck",
        "flag_spikes",
        "flag_gaps",
        "flag_ab",
        "flag_humidity",
    ]
    assert out.flag_columns == [f"flag_{r}" for r in quality.DEFAULT_RULES[:9]] + [
        "flag_ab_incomplete",
        "flag_humidity",
    ]
    counts = {s.name: s.touched for s in out.history}
    assert counts["flag_duplicates"] == 1
    assert counts["flag_sentinel"] == 1
    assert counts["flag_range"] == 2
    assert counts["flag_negative"] == 1
    assert counts["flag_clock"] == 0
    # every step lists its parameters, defaults included
    params = {s.name: s.parameters for s in out.history}
    assert params["flag_stuck"] == {"min_repeats": 10, "min_duration": "3h", "skip_zeros": True}
    assert params["flag_clock"]["now"] == "2025-01-01T00:00:00+00:00"
    assert params["flag_ab"]["variable"] == "pm25_cf1"


def test_check_chosen_rules_and_options():
    out = quality.check(
        _messy(), rules=["range", "sentinel"], range={"limits": {"pm25": (-1e4, 1e4)}}
    )
    assert out.flag_columns == ["flag_range", "flag_sentinel"]
    assert out.history[0].touched == 1  # only the 70 °C temperature now


def test_check_picks_the_ab_variable_present():
    a = series([5.0] * 30, variable="pm25_atm", channel="A")
    b = series([5.0] * 30, variable="pm25_atm", channel="B")
    out = quality.check(make(a, b), rules=["ab"])
    assert out.history[-1].parameters["variable"] == "pm25_atm"


def test_check_errors_are_friendly():
    with pytest.raises(ValueError, match=r"Unknown quality rule\(s\) \['rnage'\]"):
        quality.check(_messy(), rules=["rnage"])
    with pytest.raises(ValueError, match=r"Options were given for rule\(s\) \['spikes'\]"):
        quality.check(_messy(), rules=["range"], spikes={"window": 5})


def test_summary_counts_sensors_examples_and_any_rule():
    out = quality.check(_messy(), rules=["duplicates", "sentinel", "range"])
    table = quality.summary(out)
    assert list(table.columns) == [
        "rule",
        "meaning",
        "flagged",
        "share",
        "sensors",
        "examples",
        "details",
    ]
    assert table["rule"].tolist() == ["duplicates", "sentinel", "range", "any rule"]
    assert table["flagged"].tolist() == [1, 1, 2, 3]  # the -999 is in sentinel and range
    assert table["share"].tolist() == pytest.approx([1 / 14, 1 / 14, 2 / 14, 3 / 14])
    assert table["sensors"].tolist() == [1, 1, 1, 1]
    range_row = table.set_index("rule").loc["range"]
    assert "s1 pm25 2024-01-01 00:10:00 UTC: -999 µg/m³" in range_row["examples"]
    assert "temperature 2024-01-01 00:04:00 UTC: 70 °C" in range_row["examples"]
    duplicates = table.set_index("rule").loc["duplicates"]
    assert "1 identical repeat(s)" in duplicates["details"]
    assert "0 conflicting value(s)" in duplicates["details"]
    assert "plausible" in range_row["meaning"]


def test_explain_prints_plain_sentences_and_html():
    out = quality.check(_messy(), rules=["range"])
    text = str(quality.explain(out))
    assert "Quality of 14 readings:" in text
    assert "- range: 2 reading(s) (14.3%) of 1 sensor(s)" in text
    assert "no reading was removed or changed" in text
    assert "Nothing flagged by" not in text  # only range was run, and it found something
    quiet = str(quality.explain(quality.check(_messy(), rules=["stuck", "range"])))
    assert "Nothing flagged by: stuck." in quiet
    html = quality.explain(out)._repr_html_()
    assert "<table" in html
    assert "14.3 %" in html
    assert "no rules have been run" in str(quality.explain(_messy()))


def test_history_prints_as_a_methods_table():
    out = quality.check(_messy(), rules=["range", "spikes"])
    frame = out.history.to_frame()
    assert frame["name"].tolist() == ["flag_range", "flag_spikes"]
    assert frame["touched"].tolist() == [2, out.readings["flag_spikes"].sum()]
    assert "window=7" in frame.loc[1, "parameters"]
