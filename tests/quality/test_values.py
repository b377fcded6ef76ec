"""Rules on single values: range, sentinel, negative."""

import math

import pytest

from tests.quality.helpers import (
    assert_only_flags_added,
    assert_unchanged,
    make,
    series,
    snapshot,
)
from toolkit._errors import UnknownVariableError
from toolkit.quality import flag_negative, flag_range, flag_sentinel


def test_range_uses_the_variables_table_limits_inclusive():
    # variables.csv: pm25 0..1000 µg/m³, temperature -60..60 °C
    data = make(
        series([-0.1, 0.0, 1000.0, 1000.1, math.nan], variable="pm25"),
        series([-60.5, 60.0, 61.0], variable="temperature"),
    )
    before = snapshot(data)
    out = flag_range(data)
    pm25 = [True, False, False, True, False]
    temperature = [True, False, True]
    assert out.readings["flag_range"].tolist() == [*pm25, *temperature]
    assert_unchanged(data, before)
    assert_only_flags_added(data, out)
    step = out.history[-1]
    assert step.name == "flag_range"
    assert step.touched == 4
    assert step.parameters["limits"] == {"pm25": [0.0, 1000.0], "temperature": [-60.0, 60.0]}
    assert step.parameters["overrides"] == {}
    assert "variables.csv" in step.citation
    assert "pm25 2, temperature 2" in step.description


def test_range_overrides_per_variable_with_open_sides():
    data = make(series([-0.1, 400.0, 600.0], variable="pm25"))
    out = flag_range(data, limits={"pm25": (None, 500)})
    assert out.readings["flag_range"].tolist() == [False, False, True]
    assert out.history[-1].parameters["limits"] == {"pm25": [None, 500]}


def test_range_rejects_a_misspelt_variable():
    with pytest.raises(UnknownVariableError, match="'pm2_5' is not a canonical variable"):
        flag_range(make(series([1.0])), limits={"pm2_5": (0, 1)})


def test_rerunning_a_rule_replaces_its_column_and_keeps_both_steps():
    data = make(series([5.0, 600.0]))
    twice = flag_range(flag_range(data), limits={"pm25": (0, 500)})
    assert twice.flag_columns == ["flag_range"]
    assert twice.readings["flag_range"].tolist() == [False, True]
    assert [s.touched for s in twice.history] == [0, 1]


def test_sentinel_codes_general_and_per_variable():
    data = make(
        series([-999.0, -9999.0, 65535.0, 999.9, 12.0], variable="pm25"),
        series([999.9, -127.0, 85.0, 21.5], variable="temperature"),
    )
    before = snapshot(data)
    out = flag_sentinel(data)
    # 999.9 is the SDS011 saturation code for PM only; -127/85 are DS18B20 codes.
    pm25 = [True, True, True, True, False]
    temperature = [False, True, True, False]
    assert out.readings["flag_sentinel"].tolist() == [*pm25, *temperature]
    assert_unchanged(data, before)
    step = out.history[-1]
    assert step.touched == 6
    assert step.parameters["codes"] == [-9999.0, -999.0, 65535.0, 32767.0, -32768.0]
    assert step.parameters["per_variable"]["pm25"] == [999.9]
    assert "SDS011" in step.citation


def test_sentinel_codes_are_configurable():
    data = make(series([-1.0, -999.0, 3.0]))
    out = flag_sentinel(data, codes=[-1.0], per_variable={})
    assert out.readings["flag_sentinel"].tolist() == [True, False, False]
    assert out.history[-1].parameters == {"codes": [-1.0], "per_variable": {}}


def test_negative_checks_pm_and_gases_with_tolerance():
    data = make(
        series([-0.01, 0.0], variable="pm25"),
        series([-1.5, -2.5], variable="no2"),
        series([-5.0], variable="temperature"),
    )
    before = snapshot(data)
    out = flag_negative(data, tolerance={"no2": 2.0})
    assert out.readings["flag_negative"].tolist() == [True, False, False, True, False]
    assert_unchanged(data, before)
    step = out.history[-1]
    assert step.parameters["variables_checked"] == ["no2", "pm25"]
    assert step.parameters["tolerance"] == {"no2": 2.0}
    assert step.touched == 2


def test_negative_single_tolerance():
    out = flag_negative(make(series([-0.5, -1.0, -1.01], variable="no2")), tolerance=1.0)
    assert out.readings["flag_negative"].tolist() == [False, False, True]
