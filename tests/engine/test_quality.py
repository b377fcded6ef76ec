"""The DuckDB engine's value rules of ``quality.check`` equal the pandas rules.

Acceptance 1 of issue 14 (engine part): on the teaching city and on every file of
tests/data/real, duplicates, sentinel, range, negative, stuck and gaps flag the same
readings as the pandas path, with the same history steps (descriptions, parameters,
counts). The rules that stay on the pandas path are skipped with the default rule list,
and the history says so; asked for by name they raise a toolkit error.
"""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit import quality
from toolkit._errors import ToolkitError
from toolkit.engine import LazySensorData
from toolkit.engine._quality import ENGINE_RULES, PANDAS_ONLY
from toolkit.sensordata import SensorData, normalise_readings, normalise_sensors

from .test_average import REAL, REAL_FILES, write_dataset


def _table(data: SensorData) -> pd.DataFrame:
    """Readings as plain comparable columns, sorted by every column (a multiset)."""
    table = data.readings.copy()
    for column in ("sensor_id", "variable", "unit"):
        table[column] = table[column].astype(str)
    if "channel" not in table.columns:
        table["channel"] = None
    table["channel"] = table["channel"].astype(object).where(table["channel"].notna(), "")
    table["value"] = table["value"].fillna(-1e300)  # NaN sorts and compares as a number
    order = ["sensor_id", "variable", "channel", "time", "value"]
    order += [c for c in table.columns if c not in order]
    return table.sort_values(order, kind="stable").reset_index(drop=True)


def assert_same_flags(want: SensorData, got: LazySensorData, rules: list[str]) -> None:
    """Same readings with the same flags, and the same steps for ``rules``."""
    assert isinstance(got, LazySensorData)
    loaded = got.to_pandas(max_readings=None)
    flags = [f"flag_{r}" for r in rules]
    assert [c for c in loaded.readings.columns if c.startswith("flag_")] == [
        c for c in want.readings.columns if c.startswith("flag_")
    ]
    columns = ["sensor_id", "time", "variable", "value", "unit", "channel", *flags]
    a = _table(want)
    b = _table(loaded)
    assert len(a) == len(b)
    for column in columns:
        assert (a[column].to_numpy() == b[column].to_numpy()).all(), column
    steps = {s.name: s for s in want.history}
    mine = {s.name: s for s in got.history}
    for rule in rules:
        expected, found = steps[f"flag_{rule}"], mine[f"flag_{rule}"]
        assert found == expected, rule


def compare(data: SensorData, lazy: LazySensorData, rules=ENGINE_RULES, **options) -> None:
    rules = list(rules)
    want = quality.check(data, rules=rules, **options)
    got = quality.check(lazy, rules=rules, **options)
    assert_same_flags(want, got, rules)
    assert got.history[: len(lazy.history)] == lazy.history


# -- the teaching city ------------------------------------------------------------------
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from toolkit import datasets

    data = datasets.load_city().data
    return data, write_dataset(data, tmp_path_factory.mktemp("city"))


def test_city_default_rules_run_the_value_rules_and_record_the_others(city):
    data, lazy = city
    got = quality.check(lazy)
    want = quality.check(data, rules=list(ENGINE_RULES))
    assert_same_flags(want, got, list(ENGINE_RULES))
    assert want.readings["flag_stuck"].any()  # the planted stuck sensor
    assert want.readings["flag_gaps"].any()  # and the long gap
    skipped = got.history[-1]
    assert skipped.name == "check_skipped"
    assert skipped.parameters["skipped"] == ["clock", "spikes", "ab", "humidity"]
    for rule in PANDAS_ONLY:
        assert rule in skipped.description
    assert [s.name for s in got.history][-7:-1] == [f"flag_{r}" for r in ENGINE_RULES]


WEEK = {"start": "2024-10-21", "end": "2024-10-28"}  # the week clocks go back (27th)


def test_city_with_options(city):
    data, lazy = city
    compare(
        data.select(**WEEK),
        lazy.select(**WEEK),
        rules=["stuck", "range", "negative", "gaps"],
        stuck={"min_repeats": 4, "min_duration": "30min", "skip_zeros": False},
        range={"limits": {"pm25": (0, 60), "temperature": (None, 15)}},
        negative={"tolerance": {"no2": 1.0}},
        gaps={"factor": 1.5},
    )


def test_city_selection_then_average_leaves_the_flags_out(city):
    from toolkit import timeseries

    from .test_average import assert_same_average

    data, lazy = city
    want = quality.check(data.select(**WEEK), rules=["stuck", "gaps"])
    got = quality.check(lazy.select(**WEEK), rules=["stuck", "gaps"])
    assert_same_flags(want, got, ["stuck", "gaps"])
    assert_same_average(timeseries.average(want, "day"), timeseries.average(got, "day"))


# -- every real test file ---------------------------------------------------------------
@pytest.mark.parametrize("path", REAL_FILES, ids=[str(p.relative_to(REAL)) for p in REAL_FILES])
def test_real_file_value_rules_equal_the_pandas_path(path, tmp_path):
    data = toolkit.load(path, engine="pandas", progress=False)
    lazy = toolkit.load(path, engine="duckdb", progress=False, dataset=tmp_path / "ds")
    if len(data) == 0:
        pytest.skip("no readings in this file")
    compare(data, lazy)


# -- hand-made cases --------------------------------------------------------------------
def _data(rows: list[tuple]) -> SensorData:
    readings = pd.DataFrame(rows, columns=["sensor_id", "time", "variable", "value", "unit"])
    readings["time"] = pd.to_datetime(readings["time"], utc=True)
    sensors = pd.DataFrame(
        {"sensor_id": sorted(set(readings["sensor_id"])), "source": "test", "timezone": "UTC"}
    )
    return SensorData(normalise_readings(readings), normalise_sensors(sensors))


def test_duplicates_repeats_and_conflicts(tmp_path):
    # Two identical readings at 00:00 (the second is flagged), two conflicting ones at
    # 00:02 (both flagged), two missing values at 00:04 (identical: the second).
    t = pd.Timestamp("2024-01-01", tz="UTC")
    minute = pd.Timedelta("1min")
    rows = [
        ("s", t, "pm25", 5.0, "µg/m³"),
        ("s", t, "pm25", 5.0, "µg/m³"),
        ("s", t + 2 * minute, "pm25", 6.0, "µg/m³"),
        ("s", t + 2 * minute, "pm25", 9.0, "µg/m³"),
        ("s", t + 4 * minute, "pm25", float("nan"), "µg/m³"),
        ("s", t + 4 * minute, "pm25", float("nan"), "µg/m³"),
        ("s", t + 6 * minute, "pm25", 7.0, "µg/m³"),
    ]
    data = _data(rows)
    lazy = write_dataset(data, tmp_path)
    got = quality.check(lazy, rules=["duplicates"])
    table = got.to_pandas().readings
    assert table["flag_duplicates"].tolist() == [False, True, True, True, False, True, False]
    assert "2 identical repeat(s)" in got.history[-1].description
    assert "2 conflicting value(s)" in got.history[-1].description
    compare(data, lazy, rules=["duplicates"])


def test_sentinels_ranges_negatives_stuck_and_gaps_by_hand(tmp_path):
    # One reading a minute; a stuck run of 12 equal values over 11 minutes (flagged with
    # min_repeats=10, min_duration='10min'); -999 and 999.9 (codes), -3 (negative and out
    # of range), 2500 (out of range), then a 30-minute gap: the reading after it flagged.
    t = pd.Timestamp("2024-01-01", tz="UTC")
    values = [1.0, 2.0] + [4.0] * 12 + [-999.0, 999.9, -3.0, 2500.0, 3.0, 2.0]
    times = [t + pd.Timedelta(minutes=i) for i in range(len(values))]
    times.append(times[-1] + pd.Timedelta("30min"))
    values.append(5.0)
    data = _data([("s", tm, "pm25", v, "µg/m³") for tm, v in zip(times, values, strict=True)])
    lazy = write_dataset(data, tmp_path)
    options = {"stuck": {"min_repeats": 10, "min_duration": "10min"}}
    got = quality.check(lazy, rules=list(ENGINE_RULES), **options).to_pandas().readings
    assert got["flag_stuck"].tolist() == [False] * 2 + [True] * 12 + [False] * 7
    assert got["flag_sentinel"].tolist() == [False] * 14 + [True, True] + [False] * 5
    assert got.loc[got["flag_negative"], "value"].tolist() == [-999.0, -3.0]
    assert got.loc[got["flag_range"], "value"].tolist() == [-999.0, -3.0, 2500.0]
    assert got.loc[got["flag_gaps"], "value"].tolist() == [5.0]
    compare(data, lazy, **options)


def test_pandas_only_rules_asked_for_by_name_raise_a_toolkit_error(city):
    _, lazy = city
    with pytest.raises(ToolkitError, match="pandas path only") as caught:
        quality.check(lazy, rules=["range", "spikes"])
    assert "to_pandas()" in str(caught.value)
    with pytest.raises(ValueError, match="Unknown quality rule"):
        quality.check(lazy, rules=["nonsense"])


def test_checking_again_replaces_the_flag_columns(tmp_path):
    t = pd.Timestamp("2024-01-01", tz="UTC")
    rows = [("s", t + pd.Timedelta(minutes=i), "pm25", float(i), "µg/m³") for i in range(5)]
    lazy = write_dataset(_data(rows), tmp_path / "in")
    once = quality.check(lazy, rules=["range"], range={"limits": {"pm25": (0, 2)}})
    twice = quality.check(once, rules=["range", "negative"])
    table = twice.to_pandas().readings
    assert [c for c in table.columns if c.startswith("flag_")] == ["flag_range", "flag_negative"]
    assert not table["flag_range"].any()
    assert [s.name for s in twice.history] == ["flag_range", "flag_range", "flag_negative"]


def test_an_empty_selection_is_checked_and_averaged(tmp_path):
    from toolkit import timeseries

    t = pd.Timestamp("2024-01-01", tz="UTC")
    rows = [("s", t + pd.Timedelta(minutes=i), "pm25", float(i), "µg/m³") for i in range(5)]
    lazy = write_dataset(_data(rows), tmp_path / "in").select(start="2025-01-01")
    assert len(lazy) == 0
    checked = quality.check(lazy, rules=["range", "stuck"])
    assert len(checked) == 0
    assert checked.flag_columns == ["flag_range", "flag_stuck"]
    assert len(timeseries.average(lazy, "day", timezone="UTC")) == 0
