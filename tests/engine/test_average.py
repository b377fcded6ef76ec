"""The DuckDB engine's ``timeseries.average`` equals the pandas path.

Acceptance 1 of issue 14 (engine part): on the teaching city and on every file of
tests/data/real, the engine's hourly, daily (local zones where known) and 8-hour values
are the pandas path's to 1e-9, with the same validity, the same counts (n_readings,
n_expected, coverage) and the same history step. A few hand-computed cases check the
engine on its own (a 25-hour local day, the energy and vector means).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import timeseries
from toolkit._errors import TimestampError
from toolkit.engine import LazySensorData
from toolkit.sensordata import SensorData

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
REAL_FILES = sorted(
    p for p in REAL.rglob("*") if p.is_file() and p.name not in ("README.md", "SOURCES.csv")
)
KEYS = ["sensor_id", "variable", "channel", "time"]
FLOATS = ("value", "n_expected", "coverage")


# -- helpers ----------------------------------------------------------------------------
def write_dataset(data: SensorData, folder: Path) -> LazySensorData:
    """Write a SensorData's readings as a hive-partitioned dataset (source, UTC month).

    Rows keep their order within each partition file (the reading order).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    readings = data.readings
    source = dict(
        zip(data.sensors["sensor_id"].astype(str), data.sensors["source"].astype(str), strict=True)
    )
    ids = readings["sensor_id"].astype(str)
    channel = (
        readings["channel"].astype(object).where(readings["channel"].notna(), None)
        if "channel" in readings.columns
        else pd.Series([None] * len(readings), dtype=object)
    )
    table = pd.DataFrame(
        {
            "sensor_id": ids,
            "time": readings["time"].astype("datetime64[us, UTC]"),
            "variable": readings["variable"].astype(str),
            "value": readings["value"].astype(float),
            "unit": readings["unit"].astype(str),
            "channel": channel.to_numpy(),
        }
    )
    for column in data.flag_columns:
        table[column] = readings[column].astype(bool).to_numpy()
    fields = [
        ("sensor_id", pa.string()),
        ("time", pa.timestamp("us", tz="UTC")),
        ("variable", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("channel", pa.string()),
        *[(c, pa.bool_()) for c in data.flag_columns],
    ]
    parts = pd.DataFrame(
        {"source": ids.map(source).fillna("unknown"), "month": table["time"].dt.strftime("%Y-%m")}
    )
    for (src, month), rows in parts.groupby(["source", "month"], sort=True).groups.items():
        target = folder / "readings" / f"source={src}" / f"month={month}"
        target.mkdir(parents=True, exist_ok=True)
        chunk = table.loc[np.sort(np.asarray(rows))]
        pq.write_table(
            pa.Table.from_pandas(chunk, schema=pa.schema(fields), preserve_index=False),
            target / "part-0.parquet",
        )
    return LazySensorData(
        str(folder / "readings" / "**" / "*.parquet"), data.sensors, data.ledger, data.history
    )


def _sorted(readings: pd.DataFrame) -> pd.DataFrame:
    table = readings.copy()
    for column in ("sensor_id", "variable", "unit"):
        table[column] = table[column].astype(str)
    if "channel" not in table.columns:
        table["channel"] = None
    table["channel"] = table["channel"].astype(object).where(table["channel"].notna(), "")
    return table.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _same_cadences(want: dict, got: dict) -> None:
    assert set(want) == set(got)
    for key, value in want.items():
        assert (math.isnan(value) and math.isnan(got[key])) or value == got[key], key


def assert_same_average(want: SensorData, got: SensorData) -> None:
    """Same rows, values to 1e-9, validity, counts and history step."""
    assert isinstance(got, SensorData)
    assert list(got.readings.columns) == list(want.readings.columns)
    a, b = _sorted(want.readings), _sorted(got.readings)
    assert len(a) == len(b)
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
    expected = dict(step.parameters)
    found = dict(mine.parameters)
    assert found.pop("engine") == "duckdb"
    _same_cadences(expected.pop("cadence_s"), found.pop("cadence_s"))
    assert found == expected
    assert got.sensors.equals(want.sensors)


def compare(data: SensorData, lazy: LazySensorData, period: str, **options) -> None:
    try:
        want = timeseries.average(data, period, **options)
    except TimestampError:
        with pytest.raises(TimestampError):
            timeseries.average(lazy, period, **options)
        return
    got = timeseries.average(lazy, period, **options)
    assert_same_average(want, got)
    assert got.history[:-1] == lazy.history  # the load (and select) steps, then average


# -- the teaching city ------------------------------------------------------------------
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from toolkit import datasets

    data = datasets.load_city().data
    return data, write_dataset(data, tmp_path_factory.mktemp("city"))


@pytest.mark.parametrize("period", ["1h", "day", "8h", "week"])
def test_city_average_equals_the_pandas_path(city, period):
    data, lazy = city
    compare(data, lazy, period)


def test_city_in_utc_with_a_lower_coverage_and_flags_kept(city):
    data, lazy = city
    compare(data, lazy, "day", timezone="UTC", min_coverage=0.5, exclude_flagged=False)


WEEK = {"start": "2024-10-21", "end": "2024-10-28"}  # the week clocks go back (27th)


def test_city_with_given_cadences(city):
    data, lazy = city
    data, lazy = data.select(**WEEK), lazy.select(**WEEK)
    sensor = data.sensor_ids[3]
    compare(data, lazy, "1h", cadence={sensor: 60.0})
    compare(data, lazy, "1h", cadence=120.0)


def test_city_in_a_zone_half_an_hour_off_utc(city):
    data, lazy = city
    data, lazy = data.select(**WEEK), lazy.select(**WEEK)
    data, lazy = data.with_timezone("Asia/Kolkata"), lazy.with_timezone("Asia/Kolkata")
    compare(data, lazy, "1h")
    compare(data, lazy, "day")


def test_city_selection(city):
    data, lazy = city
    chosen = {"variables": ["pm25", "laeq", "humidity"], "start": "2024-10-20"}
    compare(data.select(**chosen), lazy.select(**chosen), "day")


def test_checked_city_leaves_flagged_readings_out_as_the_pandas_path(city, tmp_path):
    from toolkit import quality

    data, _ = city
    rules = ["range", "stuck", "gaps"]
    checked = quality.check(data.select(**WEEK), rules=rules)
    assert checked.flagged.any()
    lazy = write_dataset(checked, tmp_path)
    compare(checked, lazy, "1h")
    compare(checked, lazy, "day")


# -- every real test file ---------------------------------------------------------------
@pytest.mark.parametrize("path", REAL_FILES, ids=[str(p.relative_to(REAL)) for p in REAL_FILES])
def test_real_file_average_equals_the_pandas_path(path, tmp_path):
    data = toolkit.load(path, engine="pandas", progress=False)
    lazy = toolkit.load(path, engine="duckdb", progress=False, dataset=tmp_path / "ds")
    assert len(lazy) == len(data)
    if len(data) == 0:
        pytest.skip("no readings in this file")
    for period in ("1h", "day", "8h"):
        compare(data, lazy, period)
    compare(data, lazy, "day", timezone="UTC")


# -- hand-computed cases ----------------------------------------------------------------
def _lazy(tmp_path: Path, rows: list[tuple], zone: str = "Europe/Berlin") -> LazySensorData:
    readings = pd.DataFrame(rows, columns=["sensor_id", "time", "variable", "value", "unit"])
    readings["time"] = pd.to_datetime(readings["time"], utc=True)
    sensors = pd.DataFrame(
        {"sensor_id": sorted(set(readings["sensor_id"])), "source": "test", "timezone": zone}
    )
    from toolkit.sensordata import normalise_readings, normalise_sensors

    data = SensorData(normalise_readings(readings), normalise_sensors(sensors))
    return write_dataset(data, tmp_path)


def test_the_local_day_when_clocks_go_back_has_25_hours(tmp_path):
    # Europe/Berlin, 27 October 2024: the local day runs 22:00 UTC (26th) to 23:00 UTC
    # (27th), 25 hours. One reading every 10 minutes through all of it: 150 readings.
    times = pd.date_range("2024-10-26 22:00", "2024-10-27 22:50", freq="10min", tz="UTC")
    rows = [("s", t, "pm25", 10.0 if i % 2 else 20.0, "µg/m³") for i, t in enumerate(times)]
    lazy = _lazy(tmp_path, rows)
    day = timeseries.average(lazy, "day").readings
    assert len(day) == 1
    assert day["time"][0] == pd.Timestamp("2024-10-26 22:00", tz="UTC")
    assert day["end"][0] == pd.Timestamp("2024-10-27 23:00", tz="UTC")
    assert day["n_expected"][0] == 25.0
    assert day["n_readings"][0] == 25
    assert day["coverage"][0] == 1.0
    assert day["valid"][0]
    assert day["value"][0] == pytest.approx(15.0, abs=1e-12)
    hourly = timeseries.average(lazy, "1h").readings
    assert len(hourly) == 25
    assert hourly["n_readings"].eq(6).all()
    assert hourly["n_expected"].eq(6.0).all()


def test_energy_and_vector_means_and_coverage_from_the_cadence(tmp_path):
    # Ten minutes apart: 6 readings expected an hour. Hour 1: 4 readings (coverage 4/6,
    # not valid); hour 2: 5 readings (5/6 valid). Levels 60 and 70 dB(A): energy mean
    # 10·log10((10^6 + 10^7) / 2) = 67.4036 dB. Directions 350° and 10°: mean 0°.
    rows = []
    base = pd.Timestamp("2024-03-01 10:00", tz="UTC")
    for i in range(4):
        rows.append(("s", base + pd.Timedelta(minutes=10 * i), "laeq", 60.0, "dB(A)"))
    for i, level in enumerate([60.0, 70.0, 60.0, 70.0]):
        rows.append(("s", base + pd.Timedelta(minutes=60 + 10 * i), "laeq", level, "dB(A)"))
    rows.append(("s", base + pd.Timedelta(minutes=100), "laeq", 65.0, "dB(A)"))
    for i, angle in enumerate([350.0, 10.0, 350.0, 10.0, 350.0, 10.0]):
        rows.append(("w", base + pd.Timedelta(minutes=10 * i), "wind_direction", angle, "°"))
    lazy = _lazy(tmp_path, rows, zone="UTC")
    hourly = timeseries.average(lazy, "1h").readings.set_index(["sensor_id", "time"])
    first = hourly.loc[("s", base)]
    assert (first["n_readings"], first["valid"]) == (4, False)
    assert math.isnan(first["value"])
    assert first["coverage"] == pytest.approx(4 / 6, rel=1e-12)
    second = hourly.loc[("s", base + pd.Timedelta("1h"))]
    assert (second["n_readings"], second["valid"]) == (5, True)
    power = (2 * 10**6 + 2 * 10**7 + 10**6.5) / 5
    assert second["value"] == pytest.approx(10 * math.log10(power), abs=1e-9)
    wind = hourly.loc[("w", base)]
    assert wind["value"] == 0.0
    assert wind["valid"]


def test_a_large_result_comes_back_lazy(tmp_path):
    times = pd.date_range("2024-01-01", periods=600, freq="1min", tz="UTC")
    rows = [("s", t, "pm25", float(i % 7), "µg/m³") for i, t in enumerate(times)]
    lazy = _lazy(tmp_path / "in", rows, zone="UTC")
    from toolkit.engine._average import average_lazy

    result = average_lazy(lazy, "1h", max_rows=5)
    assert isinstance(result, LazySensorData)
    assert len(result) == 10
    table = result.to_pandas().readings
    assert table["n_readings"].eq(60).all()
    assert table["valid"].all()
    assert result.history[-1].name == "average"


def test_averages_cannot_be_averaged_again(tmp_path):
    times = pd.date_range("2024-01-01", periods=600, freq="1min", tz="UTC")
    lazy = _lazy(tmp_path / "in", [("s", t, "pm25", 1.0, "µg/m³") for t in times], zone="UTC")
    from toolkit._errors import MissingColumnError
    from toolkit.engine._average import average_lazy

    again = average_lazy(lazy, "1h", max_rows=1)
    with pytest.raises(MissingColumnError, match="averages already"):
        timeseries.average(again, "day")
    with pytest.raises(ValueError, match="min_coverage"):
        timeseries.average(lazy, "1h", min_coverage=1.5)
