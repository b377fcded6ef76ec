"""Benchmark of toolkit.charts on 5 million readings: spec size and time per chart.

Usage::

    .venv/bin/python benchmarks/charts.py                      # 5,000,000 readings
    .venv/bin/python benchmarks/charts.py --readings 500000    # a quicker run

Each chart is built from a synthetic ``SensorData`` of ``--readings`` readings, made here
in memory (no files):

* ``pm25``: 100 sensors reporting PM2.5 every 147 s (Sensor.Community's cadence), a
  daily cycle, a two-week episode, noise, a few gaps and spikes, flagged with
  ``toolkit.quality.check``. Used by every chart but ``corrections``.
* ``purpleair``: 20 PurpleAir-like sensors every 120 s: ``pm25_cf1`` and ``pm25_atm``
  on channels A and B, and ``humidity`` (five readings per timestamp). Used by
  ``corrections``.
* ``scatter`` compares the 100 sensors with an hourly reference monitor (a small extra
  series); ``sensor_map`` draws them over the teaching city's neighbourhoods and streets.

For each chart the table gives the time to build it (the toolkit's averaging, indices,
quality and corrections included), the size of its Vega-Lite spec with the data
embedded (``len(json.dumps(chart.to_dict()))``, UTF-8 bytes), the rows embedded, and the
time vl-convert takes to render it to SVG offline. Printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

ZONE = "Europe/London"
START = "2024-01-01T00:00:00Z"


def pm25_readings(readings: int, *, sensors: int = 100, cadence_s: int = 147, seed: int = 1):
    """A SensorData of ``readings`` PM2.5 readings from ``sensors`` sensors."""
    import numpy as np
    import pandas as pd

    from toolkit.sensordata import SensorData, normalise_readings

    rng = np.random.default_rng(seed)
    per_sensor = readings // sensors
    start = pd.Timestamp(START).value
    step = np.arange(per_sensor, dtype=np.int64) * cadence_s * 1_000_000_000
    jitter = rng.integers(0, 4_000_000_000, size=(sensors, per_sensor))
    times = (start + step[None, :] + jitter).ravel()
    hours = (times - start) / 3.6e12
    daily = 6 * (1 + np.sin(2 * np.pi * (hours % 24 - 8) / 24))
    episode = 40 * np.exp(-(((hours / 24 - 30) / 5) ** 2))
    level = np.repeat(rng.uniform(4, 14, sensors), per_sensor)
    values = level + daily + episode + rng.gamma(2.0, 2.0, times.size)
    values[rng.random(times.size) < 0.0005] = 999.9  # the SDS011's saturation code
    gap = (np.arange(times.size) % per_sensor > per_sensor * 0.40) & (
        np.arange(times.size) % per_sensor < per_sensor * 0.42
    )
    values[gap & (np.repeat(np.arange(sensors), per_sensor) % 7 == 0)] = np.nan
    ids = [f"bench:{i:03d}" for i in range(sensors)]
    table = pd.DataFrame(
        {
            "sensor_id": pd.Categorical.from_codes(np.repeat(np.arange(sensors), per_sensor), ids),
            "time": pd.to_datetime(times, utc=True),
            "variable": pd.Categorical.from_codes(np.zeros(times.size, dtype=np.int8), ["pm25"]),
            "value": np.round(values, 1),
            "unit": pd.Categorical.from_codes(np.zeros(times.size, dtype=np.int8), ["µg/m³"]),
        }
    )
    return SensorData(normalise_readings(table), _sensors(ids, "Sensor.Community", rng))


def purpleair_readings(readings: int, *, sensors: int = 20, cadence_s: int = 120, seed: int = 2):
    """A SensorData of ``readings`` PurpleAir-like readings (A/B channels and humidity)."""
    import numpy as np
    import pandas as pd

    from toolkit.sensordata import SensorData, normalise_readings

    rng = np.random.default_rng(seed)
    kinds = [("pm25_cf1", "A"), ("pm25_cf1", "B"), ("pm25_atm", "A"), ("pm25_atm", "B")]
    per_sensor = readings // (sensors * (len(kinds) + 1))
    start = pd.Timestamp(START).value
    stamps = start + np.arange(per_sensor, dtype=np.int64) * cadence_s * 1_000_000_000
    hours = (stamps - start) / 3.6e12
    true = 8 + 5 * (1 + np.sin(2 * np.pi * (hours % 24 - 8) / 24))
    humidity = np.clip(70 + 20 * np.sin(2 * np.pi * (hours % 24 + 6) / 24), 5, 99)
    parts = []
    ids = [f"purple:{i:03d}" for i in range(sensors)]
    for sensor in ids:  # a loop over sensors (20), not readings
        gain = rng.uniform(1.3, 2.0)
        for variable, channel in kinds:
            factor = 1.0 if variable == "pm25_cf1" else 0.8
            noise = rng.normal(0, 1.0, per_sensor)
            parts.append((sensor, variable, channel, np.maximum(true * gain * factor + noise, 0)))
        parts.append((sensor, "humidity", None, humidity + rng.normal(0, 2, per_sensor)))
    n = per_sensor * len(parts)
    table = pd.DataFrame(
        {
            "sensor_id": np.repeat([p[0] for p in parts], per_sensor),
            "time": pd.to_datetime(np.tile(stamps, len(parts)), utc=True),
            "variable": np.repeat([p[1] for p in parts], per_sensor),
            "value": np.round(np.concatenate([p[3] for p in parts]), 2),
            "unit": np.repeat(["%" if p[1] == "humidity" else "µg/m³" for p in parts], per_sensor),
            "channel": pd.Categorical(np.repeat([p[2] for p in parts], per_sensor)),
        }
    )
    assert len(table) == n
    return SensorData(normalise_readings(table), _sensors(ids, "PurpleAir", rng))


def reference_readings(days: int, *, seed: int = 3):
    """An hourly reference monitor over ``days`` days."""
    import numpy as np
    import pandas as pd

    from toolkit.sensordata import SensorData, normalise_readings

    rng = np.random.default_rng(seed)
    times = pd.date_range(START, periods=days * 24, freq="1h")
    hours = np.arange(len(times))
    values = (
        10 + 6 * (1 + np.sin(2 * np.pi * (hours % 24 - 8) / 24)) + rng.gamma(2, 1.5, len(times))
    )
    table = pd.DataFrame(
        {
            "sensor_id": "reference:1",
            "time": times,
            "variable": "pm25",
            "value": values.round(1),
            "unit": "µg/m³",
        }
    )
    return SensorData(normalise_readings(table), _sensors(["reference:1"], "OpenAQ", rng))


def _sensors(ids, source, rng):
    import pandas as pd

    from toolkit.sensordata import normalise_sensors

    n = len(ids)
    return normalise_sensors(
        pd.DataFrame(
            {
                "sensor_id": ids,
                "name": ids,
                "source": source,
                "latitude": rng.uniform(50.282, 50.319, n).round(5),
                "longitude": rng.uniform(-0.148, -0.068, n).round(5),
                "timezone": ZONE,
            }
        )
    )


def measure(name, build):
    """Build a chart, then measure its spec and render it to SVG."""
    from toolkit import charts

    start = time.perf_counter()
    chart = build()
    built = time.perf_counter() - start
    spec = chart.to_dict()
    size = len(json.dumps(spec).encode("utf-8"))
    rows = sum(len(v) for v in spec.get("datasets", {}).values())
    start = time.perf_counter()
    charts.to_svg(chart)
    rendered = time.perf_counter() - start
    return {
        "chart": name,
        "build_s": built,
        "spec_bytes": size,
        "rows": rows,
        "svg_s": rendered,
        "choices": chart.usermeta.get("choices", {}),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=5_000_000)
    args = parser.parse_args(argv)

    from toolkit import charts, datasets, quality

    n = args.readings
    print(f"making {n:,} PM2.5 readings ...", file=sys.stderr)
    pm = pm25_readings(n).with_timezone(ZONE)
    start = time.perf_counter()
    checked = quality.check(pm)
    check_s = time.perf_counter() - start
    print(f"quality.check: {check_s:.1f} s", file=sys.stderr)
    print(f"making {n:,} PurpleAir readings ...", file=sys.stderr)
    purple = purpleair_readings(n)
    span_days = int((pm.period[1] - pm.period[0]).days) + 2
    reference = reference_readings(span_days)
    neighbourhoods = datasets.path("neighbourhoods")
    streets = datasets.path("streets")
    plan = [
        ("timeseries", lambda: charts.timeseries(checked)),
        ("timeseries, show_raw", lambda: charts.timeseries(checked, show_raw=True)),
        (
            "timeseries, 8 sensors",
            lambda: charts.timeseries(
                checked, sensors=checked.sensor_ids[:8], guideline="who_2021_pm25_24h"
            ),
        ),
        ("calendar", lambda: charts.calendar(checked, guideline="who_2021_pm25_24h")),
        ("profile", lambda: charts.profile(checked)),
        ("index_bands", lambda: charts.index_bands(checked)),
        ("distribution", lambda: charts.distribution(checked)),
        ("scatter", lambda: charts.scatter(checked, reference)),
        ("health", lambda: charts.health(checked)),
        ("exceedances", lambda: charts.exceedances(checked, guideline="who_2021_pm25_24h")),
        ("corrections", lambda: charts.corrections(purple)),
        (
            "sensor_map",
            lambda: charts.sensor_map(checked, neighbourhoods=neighbourhoods, streets=streets),
        ),
    ]
    results = []
    for name, build in plan:
        print(f"{name} ...", file=sys.stderr)
        results.append(measure(name, build))
    print(
        f"\n{n:,} readings per chart ({os.cpu_count()}-core {platform.machine()}, Python "
        f"{platform.python_version()}); quality.check beforehand: {check_s:.1f} s.\n"
    )
    print("| chart | build (s) | spec size | rows embedded | SVG render (s) | what it chose |")
    print("|---|---:|---:|---:|---:|---|")
    for r in results:
        choices = ", ".join(f"{k}={v}" for k, v in r["choices"].items())
        print(
            f"| `{r['chart']}` | {r['build_s']:.1f} | {r['spec_bytes'] / 1024:,.0f} KiB | "
            f"{r['rows']:,} | {r['svg_s']:.1f} | {choices} |"
        )
    too_big = [r["chart"] for r in results if r["spec_bytes"] >= 1_000_000]
    if too_big:
        print(f"\nSpecs of 1 MB or more: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
