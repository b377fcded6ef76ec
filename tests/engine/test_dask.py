"""The Dask engine gives the pandas path's results, on a local cluster of two workers.

Issue 14, point 3 and acceptance 1 (distributed engine): with ``use_dask`` active,
``timeseries.average`` and the value rules of ``quality.check`` of a LazySensorData run
on the workers of a ``distributed.LocalCluster`` (two worker processes, one thread
each, bound to 127.0.0.1, no dashboard) and give the pandas path's values (to 1e-9),
validity, counts (n_readings, n_expected, coverage), flags and history steps, on
generated Sensor.Community archive files (quirks, outages, a DST change) and on the real
Sensor.Community files of tests/data/real. The cluster is started once for the module.
"""

from __future__ import annotations

import dataclasses
import glob
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import quality, timeseries
from toolkit._errors import TimestampError, ToolkitError
from toolkit.engine import LazySensorData, use_dask
from toolkit.engine._dask import active, average_dask, parse_where
from toolkit.engine._quality import ENGINE_RULES
from toolkit.sensordata import SensorData

from .archive import write_archive
from .test_quality import assert_same_flags

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real" / "sensor_community"
KEYS = ["sensor_id", "variable", "channel", "time"]
FLOATS = ("value", "n_expected", "coverage")
SC = "sensorcommunity:"  # the prefix of Sensor.Community sensor ids


# -- the cluster and the data -------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    """A local cluster of two worker processes on 127.0.0.1, for the whole module."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    with cluster, Client(cluster) as made:
        yield made


@pytest.fixture
def engine(client):
    with use_dask(client) as running:
        yield running


def _workers(client) -> set[str]:
    return set(client.scheduler_info()["workers"])


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Four sensors over the spring DST change (Stuttgart, Berlin, London), with quirks."""
    folder = tmp_path_factory.mktemp("archive")
    sensors = [
        (101, "SDS011", 48.78, 9.18),
        (102, "BME280", 48.78, 9.18),
        (103, "DHT22", 52.52, 13.40),
        (104, "SDS011", 51.51, -0.12),
    ]
    files = write_archive(
        folder / "in", sensors, start=date(2024, 3, 29), days=4, quirks=True, seed=14
    )
    data = toolkit.load(files, engine="pandas", progress=False)
    lazy = toolkit.load(files, engine="duckdb", progress=False, dataset=folder / "ds")
    assert isinstance(lazy, LazySensorData)
    assert len(lazy) == len(data) > 10_000
    return data, lazy


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Every real Sensor.Community file of the test corpus, as one dataset."""
    files = sorted(REAL.glob("*.csv"))
    folder = tmp_path_factory.mktemp("real")
    data = toolkit.load(files, engine="pandas", progress=False)
    lazy = toolkit.load(files, engine="duckdb", progress=False, dataset=folder / "ds")
    assert len(lazy) == len(data)
    return data, lazy


# -- comparing ----------------------------------------------------------------------------
def _sorted(readings: pd.DataFrame) -> pd.DataFrame:
    table = readings.copy()
    for column in ("sensor_id", "variable", "unit"):
        table[column] = table[column].astype(str)
    if "channel" not in table.columns:
        table["channel"] = None
    table["channel"] = table["channel"].astype(object).where(table["channel"].notna(), "")
    return table.sort_values(KEYS, kind="stable").reset_index(drop=True)


def assert_same_average(want: SensorData, got: SensorData) -> None:
    """Same rows, values to 1e-9, the same validity, counts and history step."""
    assert isinstance(got, SensorData)
    assert list(got.readings.columns) == list(want.readings.columns)
    a, b = _sorted(want.readings), _sorted(got.readings)
    assert len(a) == len(b) > 0
    for column in a.columns:
        if column in FLOATS:
            x, y = a[column].to_numpy(dtype=float), b[column].to_numpy(dtype=float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), column
            ok = ~np.isnan(x)
            np.testing.assert_allclose(y[ok], x[ok], rtol=1e-9, atol=1e-9, err_msg=column)
        else:
            assert (a[column].to_numpy() == b[column].to_numpy()).all(), column
    assert str(got.readings["time"].dtype) == "datetime64[ns, UTC]"
    assert got.readings["n_readings"].dtype == np.int64
    step, mine = want.history[-1], got.history[-1]
    assert (mine.name, mine.description, mine.citation, mine.touched) == (
        step.name,
        step.description,
        step.citation,
        step.touched,
    )
    expected, found = dict(step.parameters), dict(mine.parameters)
    assert found.pop("engine") == "dask"
    cadence_a, cadence_b = expected.pop("cadence_s"), found.pop("cadence_s")
    assert set(cadence_a) == set(cadence_b)
    for key, value in cadence_a.items():
        assert (math.isnan(value) and math.isnan(cadence_b[key])) or value == cadence_b[key]
    assert found == expected
    assert got.sensors.equals(want.sensors)


def assert_ran_on_workers(engine, client, files: int) -> None:
    """The last computation ran its partitions on the cluster's worker processes."""
    run = engine.last_run
    assert run["files"] == files
    assert run["tasks"] >= 2  # the readings were shuffled into several partitions
    assert run["workers"]  # get_worker() answered inside the tasks: not this process
    assert set(run["workers"]) <= _workers(client)


def _files(lazy: LazySensorData) -> int:
    return len(glob.glob(lazy.readings_glob, recursive=True))


# -- average --------------------------------------------------------------------------------
@pytest.mark.parametrize("period", ["1h", "day", "8h"])
def test_average_on_two_workers_equals_the_pandas_path(archive, client, engine, period):
    data, lazy = archive
    got = timeseries.average(lazy, period)
    assert_same_average(timeseries.average(data, period), got)
    assert_ran_on_workers(engine, client, _files(lazy))
    assert got.history[:-1] == lazy.history


def test_the_local_day_of_the_clock_change_has_23_hours(archive, engine):
    _, lazy = archive
    daily = timeseries.average(lazy.select(sensors=f"{SC}101"), "day").readings
    # Stuttgart: 31 March 2024 runs from 23:00 UTC the day before to 22:00 UTC.
    day = daily[daily["time"] == pd.Timestamp("2024-03-30 23:00", tz="UTC")]
    assert len(day) == 2  # pm10 and pm25
    assert (day["n_expected"] == 23.0).all()
    assert (day["end"] == pd.Timestamp("2024-03-31 22:00", tz="UTC")).all()


def test_average_options_equal_the_pandas_path(archive, engine):
    data, lazy = archive
    options = {"timezone": "UTC", "min_coverage": 0.5, "cadence": {f"{SC}101": 150.0}}
    assert_same_average(
        timeseries.average(data, "day", **options), timeseries.average(lazy, "day", **options)
    )
    assert_same_average(
        timeseries.average(data, "10min", cadence=145.0),
        timeseries.average(lazy, "10min", cadence=145.0),
    )


def test_a_selection_is_read_with_its_filter(archive, engine):
    data, lazy = archive
    chosen = {"sensors": [f"{SC}101", f"{SC}103"], "start": "2024-03-30 06:00", "end": "2024-04-01"}
    part, lazy_part = data.select(**chosen), lazy.select(**chosen)
    again = {"variables": ["pm25", "temperature"]}
    assert_same_average(
        timeseries.average(part.select(**again), "1h"),
        timeseries.average(lazy_part.select(**again), "1h"),
    )


def test_a_large_result_is_written_by_the_workers_and_comes_back_lazy(archive, engine):
    data, lazy = archive
    got = average_dask(lazy, "1h", max_rows=10)
    assert isinstance(got, LazySensorData)
    parts = glob.glob(got.readings_glob, recursive=True)
    assert len(parts) >= 2  # one file per partition, written where the dataset is
    assert all(Path(lazy.folder) in Path(p).parents for p in parts)
    loaded = got.to_pandas()
    want = timeseries.average(data, "1h")
    assert len(loaded) == len(want.readings)
    assert_same_average(want, loaded)


def test_unknown_zones_give_the_pandas_paths_error_or_utc_hours(archive, engine):
    data, lazy = archive
    sensors = data.sensors.copy()
    sensors["timezone"] = (
        sensors["timezone"].astype(object).where(sensors["sensor_id"] != f"{SC}104", None)
    )
    data = data.replace(sensors=sensors)
    lazy = dataclasses.replace(lazy, sensors=sensors)
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown") as caught:
        timeseries.average(data, "day")
    with pytest.raises(TimestampError) as mine:
        timeseries.average(lazy, "day")
    assert str(mine.value) == str(caught.value)
    hourly = timeseries.average(lazy, "1h")
    assert hourly.history[-1].parameters["utc_for_unknown_zones"] == [f"{SC}104"]
    assert_same_average(timeseries.average(data, "1h"), hourly)


# -- check ----------------------------------------------------------------------------------
def test_check_on_two_workers_equals_the_pandas_rules(archive, client, engine):
    data, lazy = archive
    got = quality.check(lazy)
    want = quality.check(data, rules=list(ENGINE_RULES))
    assert want.readings["flag_duplicates"].any()  # the generator's repeated timestamps
    assert want.readings["flag_gaps"].any()  # and its outages
    assert_same_flags(want, got, list(ENGINE_RULES))
    assert_ran_on_workers(engine, client, _files(lazy))
    skipped = got.history[-1]
    assert skipped.name == "check_skipped"
    assert skipped.parameters == {
        "skipped": ["clock", "spikes", "ab", "humidity"],
        "engine": "dask",
    }
    assert got.history[: len(lazy.history)] == lazy.history
    # The checked dataset keeps the hive layout, and averaging it leaves the flags out.
    written = [Path(p) for p in glob.glob(got.readings_glob, recursive=True)]
    assert written
    assert all(p.parent.parent.name.startswith("source=") for p in written)
    assert {p.parent.name for p in written} == {"month=2024-03", "month=2024-04"}
    assert_same_average(timeseries.average(want, "1h"), timeseries.average(got, "1h"))


def test_check_with_options_equals_the_pandas_rules(archive, engine):
    data, lazy = archive
    rules = ["stuck", "range", "negative", "gaps", "sentinel"]
    options = {
        "stuck": {"min_repeats": 3, "min_duration": "5min", "skip_zeros": False},
        "range": {"limits": {"pm10": (0, 30), "temperature": (None, 15)}},
        "negative": {"tolerance": 1.0},
        "gaps": {"factor": 1.5},
        "sentinel": {"codes": [-999.0, 12.5]},
    }
    want = quality.check(data, rules=rules, **options)
    got = quality.check(lazy, rules=rules, **options)
    assert want.readings["flag_range"].sum() > 100
    assert_same_flags(want, got, rules)


def test_pandas_only_rules_asked_for_by_name_raise_a_toolkit_error(archive, engine):
    _, lazy = archive
    with pytest.raises(ToolkitError, match="pandas path only"):
        quality.check(lazy, rules=["range", "clock"])


# -- the real files -------------------------------------------------------------------------
def test_real_files_average_and_check_equal_the_pandas_path(real, client, engine):
    data, lazy = real
    assert len(data.sensor_ids) > 10
    for period in ("1h", "day"):
        assert_same_average(timeseries.average(data, period), timeseries.average(lazy, period))
    assert_ran_on_workers(engine, client, _files(lazy))
    got = quality.check(lazy, rules=list(ENGINE_RULES))
    want = quality.check(data, rules=list(ENGINE_RULES))
    assert_same_flags(want, got, list(ENGINE_RULES))
    assert_same_average(timeseries.average(want, "day"), timeseries.average(got, "day"))


# -- the switch -----------------------------------------------------------------------------
def test_use_dask_is_active_only_inside_its_block(archive, client):
    _, lazy = archive
    assert active() is None
    with use_dask(client) as running:
        assert active() is running
        inside = timeseries.average(lazy.select(sensors=f"{SC}103"), "day")
    assert active() is None
    outside = timeseries.average(lazy.select(sensors=f"{SC}103"), "day")
    assert inside.history[-1].parameters["engine"] == "dask"
    assert outside.history[-1].parameters["engine"] == "duckdb"
    assert client.status == "running"  # a client given to use_dask is not closed with it
    with pytest.raises(ValueError, match="shuffle_method"):
        use_dask(client, shuffle_method="fast")


def test_filters_of_selections_are_read_and_others_refused():
    where = (
        "((sensor_id IN ('a', 'it''s'))) AND (variable IN ('pm25')) AND "
        "(time >= TIMESTAMPTZ '2024-01-01T00:00:00+00:00') AND "
        "(time < TIMESTAMPTZ '2024-02-01T00:00:00+00:00')"
    )
    assert parse_where(where) == [
        ("sensor_id", "in", ["a", "it's"]),
        ("variable", "in", ["pm25"]),
        ("time", ">=", "2024-01-01T00:00:00+00:00"),
        ("time", "<", "2024-02-01T00:00:00+00:00"),
    ]
    assert parse_where("") == []
    for other in ("value > 3", "sensor_id IN ('a') OR variable IN ('b')", "time >= now()"):
        with pytest.raises(ToolkitError, match="cannot read this filter"):
            parse_where(other)


def test_import_toolkit_imports_no_dask():
    code = (
        "import sys, toolkit, toolkit.engine, toolkit.engine._dask; "
        "from toolkit import quality, timeseries; "
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_hand_made_duplicates_codes_and_runs_over_two_sensors(tmp_path, engine):
    # Sensor a: an identical pair at 00:00 (the second flagged), a conflicting pair at
    # 00:02 (both flagged), a missing pair at 00:04 (identical: the second flagged).
    # Sensor b, one reading a minute: 12 equal values (a stuck run with min_repeats=10,
    # min_duration="10min"), then the codes -999 and 999.9 and a conflicting pair.
    from toolkit.sensordata import normalise_readings, normalise_sensors

    from .test_average import write_dataset

    t = pd.Timestamp("2024-01-01", tz="UTC")
    minute = pd.Timedelta("1min")
    nan = float("nan")
    a = [(0, 5.0), (0, 5.0), (2, 6.0), (2, 9.0), (4, nan), (4, nan), (6, 7.0)]
    b = [(i, 1.0 + i) for i in range(2)] + [(i, 4.0) for i in range(2, 14)]
    b += [(14, -999.0), (15, 999.9), (16, 3.0), (16, 3.5), (17, 2.0)]
    rows = [("a", t + m * minute, "pm25", v, "µg/m³") for m, v in a]
    rows += [("b", t + m * minute, "pm10", v, "µg/m³") for m, v in b]
    readings = pd.DataFrame(rows, columns=["sensor_id", "time", "variable", "value", "unit"])
    sensors = pd.DataFrame({"sensor_id": ["a", "b"], "source": "test", "timezone": "UTC"})
    data = SensorData(normalise_readings(readings), normalise_sensors(sensors))
    lazy = write_dataset(data, tmp_path)
    options = {"stuck": {"min_repeats": 10, "min_duration": "10min"}}
    got = quality.check(lazy, rules=list(ENGINE_RULES), **options)
    import pyarrow.parquet as pq

    # The checked files, read as written: each series keeps its reading order.
    files = sorted(glob.glob(got.readings_glob, recursive=True))
    table = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    mine = table[table["sensor_id"] == "a"]
    assert mine["flag_duplicates"].tolist() == [False, True, True, True, False, True, False]
    other = table[table["sensor_id"] == "b"]
    assert other["flag_stuck"].tolist() == [False] * 2 + [True] * 12 + [False] * 5
    assert other.loc[other["flag_sentinel"], "value"].tolist() == [-999.0, 999.9]
    assert other.loc[other["flag_duplicates"], "value"].tolist() == [3.0, 3.5]
    steps = {s.name: s for s in got.history}
    assert "2 identical repeat(s)" in steps["flag_duplicates"].description
    assert "4 conflicting value(s)" in steps["flag_duplicates"].description
    assert "codes found: [-999.0, 999.9]" in steps["flag_sentinel"].description
    assert_same_flags(
        quality.check(data, rules=list(ENGINE_RULES), **options), got, list(ENGINE_RULES)
    )


def test_a_scheduler_address_is_how_a_real_cluster_is_reached(archive, client):
    data, lazy = archive
    address = client.scheduler.address  # what a real cluster's scheduler gives
    assert address.startswith("tcp://127.0.0.1:")
    with use_dask(address) as running:
        assert running.owned
        assert running.client is not client
        got = timeseries.average(lazy.select(sensors=f"{SC}102"), "day")
        assert set(running.last_run["workers"]) <= _workers(client)
    assert running.client.status == "closed"  # the client it made is closed with it
    assert client.status == "running"  # the cluster is not
    assert_same_average(timeseries.average(data.select(sensors=f"{SC}102"), "day"), got)
    with pytest.raises(ToolkitError, match="client given to use_dask is closed"):
        running._client()


def test_checking_again_replaces_the_flag_columns(archive, engine):
    data, lazy = archive
    strict = {"range": {"limits": {"pm10": (0, 5)}}}
    once = quality.check(lazy, rules=["range"], **strict)
    twice = quality.check(once, rules=["range", "negative"])
    want = quality.check(
        quality.check(data, rules=["range"], **strict), rules=["range", "negative"]
    )
    assert quality.check(data, rules=["range"], **strict).readings["flag_range"].any()
    assert_same_flags(want, twice, ["range", "negative"])
    assert [s.name for s in twice.history][-3:] == ["flag_range", "flag_range", "flag_negative"]
