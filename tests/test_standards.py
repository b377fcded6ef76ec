"""toolkit.standards: the tables as published, their provenance, and user-defined scales."""

import csv
import math
from importlib import resources

import pytest

from toolkit import standards
from toolkit._errors import UnknownVariableError
from toolkit.standards import Guideline, Standard, UnknownStandardError

INDICES = ("us_epa_2024", "us_epa_2018", "eaqi_2024", "eaqi_2017", "uk_daqi_2013", "in_naqi_2014")


def _rows(name):
    with resources.files("toolkit.standards").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _bands(name, variable, averaging):
    table = next(t for t in standards.get(name).tables_for(variable) if t.averaging == averaging)
    return [(b.low, b.high, b.index_low, b.index_high) for b in table.bands]


# --- the tables, as the documents give them --------------------------------------------
def test_2024_pm25_table_is_the_one_epa_published():
    # EPA-454/B-24-002 Table 6 / 89 FR 16202 (effective 6 May 2024), typed from the
    # document: 0.0-9.0, 9.1-35.4, 35.5-55.4, 55.5-125.4, 125.5-225.4, 225.5-325.4.
    assert _bands("us_epa_2024", "pm25", "24h") == [
        (0.0, 9.0, 0, 50),
        (9.1, 35.4, 51, 100),
        (35.5, 55.4, 101, 150),
        (55.5, 125.4, 151, 200),
        (125.5, 225.4, 201, 300),
        (225.5, 325.4, 301, 500),
    ]
    assert standards.get("us_epa_2024").effective_from == "2024-05-06"


def test_pre_2024_pm25_table_keeps_the_old_breakpoints():
    # EPA-454/B-18-007 Table 5: Good up to 12.0, Hazardous split at 350.4.
    assert _bands("us_epa_2018", "pm25", "24h") == [
        (0.0, 12.0, 0, 50),
        (12.1, 35.4, 51, 100),
        (35.5, 55.4, 101, 150),
        (55.5, 150.4, 151, 200),
        (150.5, 250.4, 201, 300),
        (250.5, 350.4, 301, 400),
        (350.5, 500.4, 401, 500),
    ]
    assert standards.get("us_epa_2018").effective_to == "2024-05-05"


def test_2024_ozone_tables():
    assert _bands("us_epa_2024", "o3", "8h") == [
        (0.0, 0.054, 0, 50),
        (0.055, 0.070, 51, 100),
        (0.071, 0.085, 101, 150),
        (0.086, 0.105, 151, 200),
        (0.106, 0.200, 201, 300),
    ]
    assert _bands("us_epa_2024", "o3", "1h") == [
        (0.125, 0.164, 101, 150),
        (0.165, 0.204, 151, 200),
        (0.205, 0.404, 201, 300),
        (0.405, 0.604, 301, 500),
    ]


def test_epa_units_and_truncation_rules():
    std = standards.get("us_epa_2024")
    rules = {(t.variable, t.averaging): (t.unit, t.precision, t.precision_rule) for t in std.tables}
    assert rules == {
        ("pm25", "24h"): ("µg/m³", 1, "truncate"),
        ("pm10", "24h"): ("µg/m³", 0, "truncate"),
        ("o3", "8h"): ("ppm", 3, "truncate"),
        ("o3", "1h"): ("ppm", 3, "truncate"),
        ("co", "8h"): ("ppm", 1, "truncate"),
        ("so2", "1h"): ("ppb", 0, "truncate"),
        ("so2", "24h"): ("ppb", 0, "truncate"),
        ("no2", "1h"): ("ppb", 0, "truncate"),
    }
    assert std.reference_temperature_c == 25.0


@pytest.mark.parametrize("name", ["us_epa_2024", "us_epa_2018"])
def test_epa_bands_follow_each_other_at_the_truncation_step(name):
    for table in standards.get(name).tables:
        step = 10.0**-table.precision
        for before, after in zip(table.bands, table.bands[1:], strict=False):
            assert after.low - before.high == pytest.approx(step), (table.variable, after)
            assert after.index_low == before.index_high + 1


def test_epa_category_names_and_colours():
    bands = standards.get("us_epa_2024").tables_for("pm25")[0].bands
    assert [(b.category, b.colour) for b in bands] == [
        ("Good", "#00E400"),
        ("Moderate", "#FFFF00"),
        ("Unhealthy for Sensitive Groups", "#FF7E00"),
        ("Unhealthy", "#FF0000"),
        ("Very Unhealthy", "#8F3F97"),
        ("Hazardous", "#7E0023"),
    ]
    assert standards.get("us_epa_2024").beyond_category == "Beyond the AQI"


def test_european_index_bands():
    revised = standards.get("eaqi_2024")
    assert revised.kind == "banded"
    edges = {t.variable: [b.high for b in t.bands[:-1]] for t in revised.tables}
    assert edges == {
        "pm25": [5, 15, 50, 90, 140],
        "pm10": [15, 45, 120, 195, 270],
        "no2": [10, 25, 60, 100, 150],
        "o3": [60, 100, 120, 160, 180],
        "so2": [20, 40, 125, 190, 275],
    }
    assert [b.category for b in revised.tables[0].bands] == [
        "Good",
        "Fair",
        "Moderate",
        "Poor",
        "Very poor",
        "Extremely poor",
    ]
    classic = {(t.variable, t.averaging) for t in standards.get("eaqi_2017").tables}
    assert ("pm25", "24h running") in classic
    assert ("no2", "1h") in classic


def test_daqi_and_naqi():
    daqi = standards.get("uk_daqi_2013")
    pm25 = daqi.tables_for("pm25")[0]
    assert [b.high for b in pm25.bands[:-1]] == [11, 23, 35, 41, 47, 53, 58, 64, 70]
    assert [b.category for b in pm25.bands].count("Low") == 3
    assert pm25.bands[-1].category == "Very High"
    assert daqi.tables_for("so2")[0].averaging == "15min"
    naqi = standards.get("in_naqi_2014")
    assert naqi.overall_rule == "worst_min3_pm"
    assert [b.category for b in naqi.tables_for("pm25")[0].bands] == [
        "Good",
        "Satisfactory",
        "Moderately Polluted",
        "Poor",
        "Very Poor",
        "Severe",
    ]
    assert math.isnan(naqi.tables_for("pm25")[0].bands[-1].high)  # Severe is open-ended


# --- provenance ----------------------------------------------------------------------
def test_every_breakpoint_row_has_source_date_averaging_and_unit():
    rows = _rows("breakpoints.csv")
    assert {r["standard"] for r in rows} == set(INDICES)
    for row in rows:
        for column in ("source", "effective_from", "averaging", "unit"):
            assert row[column].strip(), (column, row)
        assert row["averaging"] in standards.AVERAGING_PERIODS
        assert row["above_top"] in standards.ABOVE_TOP_RULES


def test_every_index_says_what_was_verified():
    for row in _rows("indices.csv"):
        for column in ("source", "verified", "effective_from"):
            assert row[column], (column, row["name"])
    # colours taken from secondary sources are marked as such
    assert "unverified" in standards.get("uk_daqi_2013").verified
    assert "unverified" in standards.get("in_naqi_2014").verified


def test_every_guideline_row_has_source_date_averaging_and_unit():
    for row in _rows("guidelines.csv"):
        for column in ("source", "verified", "effective_from", "averaging", "unit", "value"):
            assert row[column].strip(), (column, row["name"])


@pytest.mark.parametrize(
    ("name", "value", "unit", "allowed"),
    [
        ("who_2021_pm25_24h", 15, "µg/m³", None),
        ("who_2021_pm25_year", 5, "µg/m³", None),
        ("who_2021_pm25_24h_it4", 25, "µg/m³", None),
        ("who_2021_so2_24h", 40, "µg/m³", None),
        ("who_2021_co_24h", 4, "mg/m³", None),
        ("eu_2008_pm10_24h", 50, "µg/m³", 35),
        ("eu_2008_no2_1h", 200, "µg/m³", 18),
        ("eu_2008_so2_1h", 350, "µg/m³", 24),
        ("eu_2024_pm10_24h", 45, "µg/m³", 18),
        ("eu_2024_pm25_24h", 25, "µg/m³", 18),
        ("eu_2024_pm25_year", 10, "µg/m³", None),
        ("eu_2024_no2_1h", 200, "µg/m³", 3),
    ],
)
def test_guideline_values(name, value, unit, allowed):
    guideline = standards.get(name)
    assert isinstance(guideline, Guideline)
    assert (guideline.value, guideline.unit, guideline.allowed_exceedances) == (
        value,
        unit,
        allowed,
    )


def test_eu_2024_limits_apply_from_2030():
    assert standards.get("eu_2024_pm10_24h").effective_from == "2030-01-01"
    assert standards.get("eu_2008_pm10_24h").effective_to == "2029-12-31"


# --- list and get --------------------------------------------------------------------
def test_list_shows_indices_and_guidelines():
    table = standards.list()
    assert set(INDICES) <= set(table["name"])
    assert {"index", "guideline"} <= set(table["kind"])
    assert table["name"].is_unique
    only = standards.list("guideline")
    assert set(only["kind"]) == {"guideline"}
    assert "who_2021_pm25_24h" in set(only["name"])
    with pytest.raises(ValueError, match="kind must be one of"):
        standards.list("indexes")


def test_labels_carry_name_and_version():
    assert standards.get("us_epa_2024").label == "US EPA AQI (2024, EPA-454/B-24-002)"
    assert "2018" in standards.get("us_epa_2018").label
    assert standards.get("who_2021_pm25_24h").label.startswith(
        "WHO global air quality guidelines (2021) AQG level"
    )


def test_get_returns_objects_unchanged():
    std = standards.get("eaqi_2024")
    assert standards.get(std) is std


def test_unknown_name_suggests_close_ones():
    with pytest.raises(UnknownStandardError, match="'us_epa_2025' is not a standard") as err:
        standards.get("us_epa_2025")
    message = str(err.value)
    assert "us_epa_2024" in message
    assert "toolkit.standards.list()" in message
    assert isinstance(err.value, KeyError)


def test_to_frame_lists_every_band():
    frame = standards.get("us_epa_2024").to_frame()
    assert len(frame) == sum(len(t.bands) for t in standards.get("us_epa_2024").tables)
    assert {"standard", "variable", "averaging", "unit", "category", "colour"} <= set(frame)


# --- user-defined scales -------------------------------------------------------------
def test_custom_scale_is_registered_by_name():
    ours = standards.custom("test school limit", "pm25", bands=[25], source="our PTA")
    assert isinstance(ours, Standard)
    assert standards.get("test school limit") is ours
    assert ours.label == "test school limit (user-defined)"
    assert ours.user_defined
    bands = ours.tables[0].bands
    assert [b.category for b in bands] == ["at or below 25 µg/m³", "above 25 µg/m³"]
    assert [b.colour for b in bands] == ["#00E400", "#7E0023"]
    assert "test school limit" in set(standards.list("user-defined")["name"])


def test_custom_scale_with_labels_colours_and_units():
    ours = standards.custom(
        "test no2 scale",
        "no2",
        bands=[20, 40],
        unit="ppb",
        averaging="1h",
        labels=["low", "medium", "high"],
        colours=["#000001", "#000002", "#000003"],
        allowed_exceedances=3,
    )
    table = ours.tables[0]
    assert (table.unit, table.averaging) == ("ppb", "1h")
    assert [b.category for b in table.bands] == ["low", "medium", "high"]
    assert ours.allowed_exceedances == 3
    assert ours.overall_period == "1h"
    default = standards.custom("test three", "pm25", bands=[10, 20])
    assert [b.colour for b in default.tables[0].bands] == ["#00E400", "#FF0000", "#7E0023"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bands": [25, 10]}, "bands must increase"),
        ({"bands": []}, "one or more finite numbers"),
        ({"bands": [10], "labels": ["only one"]}, "give 2 labels and 2 colours"),
        ({"bands": [10], "averaging": "2h"}, "averaging='2h' is not one"),
        ({"bands": [10], "name": "us_epa_2024"}, "is a built-in standard"),
    ],
)
def test_custom_scale_errors(kwargs, message):
    arguments = {"name": "test bad", "variable": "pm25", **kwargs}
    with pytest.raises(ValueError, match=message):
        standards.custom(**arguments)


def test_custom_scale_needs_a_canonical_variable():
    with pytest.raises(UnknownVariableError, match="is not a canonical variable"):
        standards.custom("test bad variable", "pm2.5", bands=[10])
