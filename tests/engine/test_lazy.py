"""LazySensorData: the methods that matter behave as SensorData's, without mutation."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from tests.engine.archive import write_archive
from toolkit._errors import MissingColumnError, TimestampError
from toolkit.engine import LazySensorData, connect

COLUMNS = ["sensor_id", "time", "variable", "value", "unit"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same generated files through both paths."""
    folder = tmp_path_factory.mktemp("lazy")
    sensors = [(11, "SDS011", 48.137, 11.575), (12, "BME280", 48.137, 11.575)]
    sensors += [(13, "DHT22", 52.52, 13.405)]
    write_archive(folder / "in", sensors, days=3, seed=4)
    pandas_data = toolkit.load(folder / "in", engine="pandas", progress=False)
    lazy = toolkit.load(folder / "in", engine="duckdb", progress=False, dataset=folder / "ds")
    return pandas_data, lazy


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[COLUMNS].astype({"sensor_id": str, "variable": str, "unit": str})
    return out.sort_values(COLUMNS).reset_index(drop=True)


def test_looking_agrees_with_sensordata(pair):
    pandas_data, lazy = pair
    assert len(lazy) == len(pandas_data) > 0
    assert lazy.period == pandas_data.period
    assert sorted(lazy.variables) == sorted(pandas_data.variables)
    assert lazy.sensor_ids == pandas_data.sensor_ids
    assert lazy.flag_columns == []
    assert "LazySensorData" in repr(lazy)
    html = lazy._repr_html_()
    assert "Ledger" in html
    assert "pm25" in html


def test_select_equals_sensordata_select_and_records_the_same_step(pair):
    pandas_data, lazy = pair
    options = {
        "sensors": ["sensorcommunity:11", "sensorcommunity:12"],
        "variables": ["pm25", "pressure"],
        "start": "2024-01-01T06:00",
        "end": "2024-01-02T12:00:00+01:00",
    }
    want = pandas_data.select(**options)
    got = lazy.select(**options)
    pd.testing.assert_frame_equal(_sorted(got.to_pandas().readings), _sorted(want.readings))
    assert got.history[-1] == want.history[-1]
    assert got.sensor_ids == want.sensor_ids
    # Nothing changed in the original.
    assert lazy.where == ""
    assert len(lazy) == len(pandas_data)
    assert len(lazy.history) == 1


def test_select_twice_combines_filters(pair):
    pandas_data, lazy = pair
    want = pandas_data.select(variables="pm25").select(start="2024-01-02")
    got = lazy.select(variables="pm25").select(start="2024-01-02")
    assert len(got) == len(want) > 0
    assert [s.name for s in got.history] == ["load", "select", "select"]


def test_with_timezone_returns_a_new_object(pair):
    pandas_data, lazy = pair
    want = pandas_data.with_timezone("America/Santiago", sensors="sensorcommunity:13")
    got = lazy.with_timezone("America/Santiago", sensors="sensorcommunity:13")
    assert got is not lazy
    assert got.history[-1] == want.history[-1]
    pd.testing.assert_frame_equal(
        got.sensors.sort_values("sensor_id").reset_index(drop=True),
        want.sensors.sort_values("sensor_id").reset_index(drop=True),
    )
    assert "America/Santiago" not in set(lazy.sensors["timezone"])


def test_errors_are_the_toolkits(pair):
    _, lazy = pair
    with pytest.raises(MissingColumnError, match="No sensor with id"):
        lazy.select(sensors="sensorcommunity:999")
    with pytest.raises(TimestampError, match="not a time zone"):
        lazy.with_timezone("Mars/Olympus")
    with pytest.raises(MemoryError, match="max_readings"):
        lazy.to_pandas(max_readings=10)


def test_relation_applies_the_filters_on_any_connection(pair):
    pandas_data, lazy = pair
    chosen = lazy.select(variables="temperature")
    con = connect(memory_limit="256MB", threads=1)
    rows = con.execute(
        f"SELECT count(*), count(DISTINCT variable) FROM ({chosen.sql()})"
    ).fetchall()
    assert rows == [(len(pandas_data.select(variables="temperature")), 1)]
    assert chosen.relation(con).columns[:5] == COLUMNS
    assert chosen.readings_glob.endswith("*.parquet")


def test_open_reads_the_dataset_back(pair):
    _, lazy = pair
    again = LazySensorData.open(lazy.folder)
    assert len(again) == len(lazy)
    assert [r.path for r in again.ledger] == [r.path for r in lazy.ledger]
    assert again.history == lazy.history
    pd.testing.assert_frame_equal(again.sensors, lazy.sensors)


def test_connect_sets_the_memory_limit_and_utc(monkeypatch):
    from toolkit.engine._connect import default_memory_limit, parse_size

    monkeypatch.setenv("URBAN_TOOLKIT_MEMORY", "700MB")
    assert default_memory_limit() == 700_000_000
    monkeypatch.delenv("URBAN_TOOLKIT_MEMORY")
    assert 64 << 20 <= default_memory_limit() <= 1 << 30
    assert parse_size("2 GiB") == 2 << 30
    with pytest.raises(ValueError, match="not a memory size"):
        parse_size("lots")
    con = connect(memory_limit="300MB")
    settings = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('TimeZone')"
    ).fetchall()
    assert settings[0][1] == "UTC"
    assert settings[0][0].startswith("286")  # 300 MB = 286 MiB
