"""Generate Sensor.Community daily archive files for tests (the real layout, small).

Each sensor writes one file per day, ``YYYY-MM-DD_<type>_sensor_<id>.csv``, with the
archive's header and ``;``-separated rows every ``cadence_s`` seconds (jittered), UTC
timestamps ``YYYY-MM-DDTHH:MM:SS``. Outages (hours without rows) and missing days are
drawn at random; values are plausible numbers with two decimals. With ``quirks=True``
some cells are empty, ``nan``, ``unavailable`` or text, and a few rows are empty or
repeat a timestamp, as seen in real files.
"""

from __future__ import annotations

import gzip
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

HEADERS = {
    "SDS011": "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2",
    "BME280": (
        "sensor_id;sensor_type;location;lat;lon;timestamp;pressure;altitude;"
        "pressure_sealevel;temperature;humidity"
    ),
    "DHT22": "sensor_id;sensor_type;location;lat;lon;timestamp;temperature;humidity",
}


def _values(kind: str, rng: np.random.Generator, n: int) -> list[list[str]]:
    """Value fields (after timestamp) for n rows of a sensor type, as text."""
    if kind == "SDS011":
        p1 = rng.gamma(2.0, 8.0, n)
        p2 = p1 * rng.uniform(0.3, 0.8, n)
        return [[f"{a:.2f}", "", "", f"{b:.2f}", "", ""] for a, b in zip(p1, p2, strict=True)]
    if kind == "BME280":
        pressure = rng.normal(101000.0, 800.0, n)
        temperature = rng.normal(12.0, 6.0, n)
        humidity = np.clip(rng.normal(70.0, 15.0, n), 5, 100)
        return [
            [f"{p:.2f}", "", "", f"{t:.2f}", f"{h:.2f}"]
            for p, t, h in zip(pressure, temperature, humidity, strict=True)
        ]
    temperature = rng.normal(12.0, 6.0, n)
    humidity = np.clip(rng.normal(70.0, 15.0, n), 5, 100)
    return [[f"{t:.1f}", f"{h:.1f}"] for t, h in zip(temperature, humidity, strict=True)]


def write_archive(
    folder: Path,
    sensors: list[tuple[int, str, float, float]],
    *,
    start: date = date(2024, 1, 1),
    days: int = 3,
    cadence_s: float = 145.0,
    jitter_s: float = 5.0,
    outage_probability: float = 0.02,
    missing_day_probability: float = 0.03,
    quirks: bool = False,
    gz: bool = False,
    seed: int = 0,
) -> list[Path]:
    """Write daily archive files for ``sensors`` = [(id, type, lat, lon)]; return them."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, (sensor_id, kind, lat, lon) in enumerate(sensors):
        location = 1000 + number
        for d in range(days):
            day = start + timedelta(days=d)
            if rng.random() < missing_day_probability:
                continue
            steps = cadence_s + rng.uniform(-jitter_s, jitter_s, int(86400 / cadence_s) + 10)
            seconds = np.cumsum(steps) - steps[0] + rng.uniform(0, cadence_s)
            seconds = seconds[seconds < 86400]
            if rng.random() < outage_probability * 10:  # an outage of a few hours
                begin = rng.uniform(0, 80000)
                seconds = seconds[(seconds < begin) | (seconds > begin + rng.uniform(600, 14400))]
            if len(seconds) == 0:
                continue
            midnight = datetime(day.year, day.month, day.day)
            stamps = [
                (midnight + timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%S")
                for s in seconds
            ]
            values = _values(kind, rng, len(stamps))
            if quirks:
                _damage(values, stamps, rng)
            lines = [HEADERS[kind]]
            lines += [
                f"{sensor_id};{kind};{location};{lat:.3f};{lon:.3f};{t};{';'.join(v)}"
                for t, v in zip(stamps, values, strict=True)
            ]
            name = f"{day:%Y-%m-%d}_{kind.lower()}_sensor_{sensor_id}.csv"
            text = ("\n".join(lines) + "\n").encode()
            path = folder / (name + ".gz" if gz else name)
            path.write_bytes(gzip.compress(text) if gz else text)
            written.append(path)
    return written


def _damage(values: list[list[str]], stamps: list[str], rng: np.random.Generator) -> None:
    """Put the quirks of real files into some rows (in place)."""
    n = len(values)
    width = len(values[0])
    filled = [j for j in range(width) if values[0][j] != ""]
    for _ in range(max(1, n // 50)):
        i, j = int(rng.integers(n)), filled[int(rng.integers(len(filled)))]
        values[i][j] = str(rng.choice(["", "nan", "unavailable", "NaN", "error", "%.1f"]))
    for _ in range(max(1, n // 200)):  # an empty row
        i = int(rng.integers(n))
        values[i] = [""] * width
    if n > 3:  # an empty row repeating the timestamp of a row with values
        i = int(rng.integers(1, n))
        stamps.insert(i, stamps[i - 1])
        values.insert(i, [""] * width)
        i = int(rng.integers(1, n))  # a row repeating a timestamp, with values
        stamps.insert(i, stamps[i - 1])
        values.insert(i, list(values[i - 1]))
