"""Benchmarks of the performance budgets in DESIGN.md section 9, run on demand.

Usage::

    make benchmark                       # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --readings 1000000   # a quicker run

What is measured
----------------
load
    A Sensor.Community archive CSV with ``--readings`` readings (SDS011 layout: two values
    per row, 100 sensors, 147 s cadence) is written to ``benchmarks/.data/``. The time of
    ``toolkit.load(path)`` is compared with a raw
    ``pandas.read_csv(path, sep=";", engine="pyarrow")`` of the same file: the two run
    alternately ``--repeat`` times, and the ratio reported is the median of the paired
    ratios (with their range), which a passing load on a shared machine does not skew.
    Budget: ``load`` at most 1.5 times the raw read.
import
    ``import toolkit`` in a fresh interpreter, median of 7 runs. Budget: under 0.5 s.

The results are printed as a Markdown table (for the README) and written to
``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / ".data"


def write_archive(path: Path, readings: int, *, seed: int = 1) -> None:
    """Write a Sensor.Community-format SDS011 archive file with ``readings`` values."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rows = readings // 2
    sensors = 100
    rng = np.random.default_rng(seed)
    per_sensor = rows // sensors
    start = np.datetime64("2024-01-01T00:00:00", "s")
    offsets = (np.arange(per_sensor) * 147 + rng.integers(0, 5, per_sensor)).astype("int64")
    times = np.tile(start + offsets.astype("timedelta64[s]"), sensors)
    ids = np.repeat(np.arange(10_000, 10_000 + sensors), per_sensor)
    n = len(ids)
    pm10 = np.round(rng.gamma(2.0, 8.0, n), 2)
    pm25 = np.round(pm10 * rng.uniform(0.3, 0.9, n), 2)
    empty = pa.nulls(n, pa.string())
    table = pa.table(
        {
            "sensor_id": ids,
            "sensor_type": pa.array(["SDS011"] * n),
            "location": ids + 5_000,
            "lat": np.round(48.0 + (ids - 10_000) / 1000, 3),
            "lon": np.round(11.0 + (ids - 10_000) / 1000, 3),
            "timestamp": pa.array(np.datetime_as_string(times, unit="s")),
            "P1": pm10,
            "durP1": empty,
            "ratioP1": empty,
            "P2": pm25,
            "durP2": empty,
            "ratioP2": empty,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write((";".join(table.column_names) + "\n").encode())
        pacsv.write_csv(
            table,
            handle,
            write_options=pacsv.WriteOptions(
                delimiter=";", quoting_style="none", include_header=False
            ),
        )


def best_of(function, repeat: int) -> float:
    """Return the shortest wall time of ``repeat`` calls [s]."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_load(readings: int, repeat: int) -> dict:
    import pandas as pd

    import toolkit

    path = DATA / f"2024-01-01_sds011_sensor_bench_{readings}.csv"
    if not path.exists():
        print(f"writing {path.name} ...", file=sys.stderr)
        write_archive(path, readings)
    # Alternate the two, so that both see the same state of a shared machine, and
    # compare each pair: the median of the paired ratios is robust to passing load.
    raws, ours, data = [], [], None

    def time_raw() -> None:
        start = time.perf_counter()
        pd.read_csv(path, sep=";", engine="pyarrow")
        raws.append(time.perf_counter() - start)

    def time_ours() -> None:
        nonlocal data
        start = time.perf_counter()
        data = toolkit.load(path)
        ours.append(time.perf_counter() - start)

    for i in range(repeat):  # which one goes first alternates too
        for step in (time_raw, time_ours) if i % 2 == 0 else (time_ours, time_raw):
            step()
    assert len(data) == (readings // 2 // 100) * 100 * 2, len(data)
    assert data.ledger.balanced
    ratios = [o / r for o, r in zip(ours, raws, strict=True)]
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "readings": len(data),
        "raw_read_csv_s": round(min(raws), 3),
        "toolkit_load_s": round(min(ours), 3),
        "ratio_median_of_pairs": round(statistics.median(ratios), 2),
        "ratio_of_best_times": round(min(ours) / min(raws), 2),
        "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
        "readings_per_s": round(len(data) / min(ours)),
        "repeat": repeat,
    }


def synthetic_readings(readings: int, *, seed: int = 2):
    """A tidy readings table: 50 sensors x PM10 and PM2.5 at a jittery 147 s cadence."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    series = 100
    per = readings // series
    start = pd.Timestamp("2024-01-01", tz="UTC").value
    steps = (147 + rng.integers(-3, 4, (series, per))).astype("int64") * 1_000_000_000
    times = start + np.cumsum(steps, axis=1).ravel()
    sensor = np.repeat(np.arange(series) // 2, per)
    variable = np.repeat(np.arange(series) % 2, per)
    return pd.DataFrame(
        {
            "sensor_id": pd.Categorical.from_codes(sensor, [f"s{i}" for i in range(50)]),
            "time": pd.Series(times.view("M8[ns]"), dtype="datetime64[ns, UTC]"),
            "variable": pd.Categorical.from_codes(variable, ["pm10", "pm25"]),
            "value": rng.gamma(2.0, 8.0, series * per),
            "unit": pd.Categorical.from_codes(np.zeros(series * per, dtype=int), ["µg/m³"]),
        }
    )


def bench_average(readings: int, repeat: int) -> dict:
    import pandas as pd

    from toolkit.sensordata import SensorData
    from toolkit.timeseries import average

    table = synthetic_readings(readings)
    sensors = pd.DataFrame({"sensor_id": [f"s{i}" for i in range(50)], "timezone": "Europe/Berlin"})
    data = SensorData(table, sensors)

    def plain() -> None:
        table.groupby(["sensor_id", "variable", table["time"].dt.floor("h")], observed=True)[
            "value"
        ].mean()

    results = {}
    for label, zone in (("utc", "UTC"), ("local", "local")):
        raws, ours = [], []
        for i in range(repeat):
            for step in (plain, None) if i % 2 == 0 else (None, plain):
                start = time.perf_counter()
                if step is plain:
                    plain()
                    raws.append(time.perf_counter() - start)
                else:
                    average(data, "1h", timezone=zone)
                    ours.append(time.perf_counter() - start)
        ratios = [o / r for o, r in zip(ours, raws, strict=True)]
        results[label] = {
            "plain_groupby_mean_s": round(min(raws), 3),
            "average_s": round(min(ours), 3),
            "ratio_median_of_pairs": round(statistics.median(ratios), 2),
            "ratio_of_best_times": round(min(ours) / min(raws), 2),
        }
    results["readings"] = len(table)
    return results


def bench_import(runs: int = 7) -> dict:
    code = "import time; t = time.perf_counter(); import toolkit; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    first_use = (
        "import time; t = time.perf_counter(); import toolkit; toolkit.variables.table(); "
        "print(time.perf_counter() - t)"
    )
    with_pandas = [
        float(
            subprocess.run(
                [sys.executable, "-c", first_use], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return {
        "import_s": round(statistics.median(times), 4),
        "import_and_first_use_s": round(statistics.median(with_pandas), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--average-readings", type=int, default=10_000_000)
    args = parser.parse_args()
    results = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load": bench_load(args.readings, args.repeat),
        "average": bench_average(args.average_readings, max(3, args.repeat // 3)),
        "import": bench_import(),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    load, imp = results["load"], results["import"]
    print("| measure | result | budget |")
    print("|---|---|---|")
    print(
        f"| `toolkit.load` of {load['readings']:,} readings ({load['file_mb']} MB) | "
        f"{load['toolkit_load_s']} s ({load['readings_per_s']:,} readings/s) | |"
    )
    print(
        f'| raw `pandas.read_csv(engine="pyarrow")` of the same file | '
        f"{load['raw_read_csv_s']} s | |"
    )
    low, high = load["ratio_range"]
    print(
        f"| ratio load / raw read, median of {load['repeat']} alternating pairs "
        f"(range {low}–{high}) | {load['ratio_median_of_pairs']}× | ≤ 1.5× |"
    )
    print(f"| ratio of the best times | {load['ratio_of_best_times']}× | ≤ 1.5× |")
    avg = results["average"]
    for label, text in (("utc", "UTC hours"), ("local", "local hours, Europe/Berlin")):
        row = avg[label]
        print(
            f"| `average(data, '1h')` of {avg['readings']:,} readings, {text} | "
            f"{row['average_s']} s against a plain group-by mean's "
            f"{row['plain_groupby_mean_s']} s: {row['ratio_median_of_pairs']}× "
            f"(best times {row['ratio_of_best_times']}×) | ≤ 1.5× |"
        )
    print(f"| `import toolkit` (median of 7) | {imp['import_s']} s | < 0.5 s |")
    print(
        f"| `import toolkit`, then a first call that loads pandas | "
        f"{imp['import_and_first_use_s']} s | |"
    )


if __name__ == "__main__":
    main()
