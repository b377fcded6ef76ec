"""Generate Sensor.Community archive layouts and wide CSVs for the scale benchmarks.

Usage::

    .venv/bin/python benchmarks/_archive.py --stations 20 --days 365 --out /tmp/sc-20
    .venv/bin/python benchmarks/_archive.py --stations 150 --days 365 --no-weather --out /tmp/sc-150
    .venv/bin/python benchmarks/_archive.py --wide-rows 950000 --out /tmp/wide.csv

Archive layout
--------------
As on ``archive.sensor.community``: one folder per day, one file per sensor per day,
``YYYY-MM-DD/YYYY-MM-DD_<type>_sensor_<id>.csv``, ``;``-separated, nothing quoted, with
the archive's header (``sensor_id;sensor_type;location;lat;lon;timestamp;`` then
``P1;durP1;ratioP1;P2;durP2;ratioP2`` for the SDS011, ``temperature;humidity`` for the
DHT22, ``pressure;altitude;pressure_sealevel;temperature;humidity`` for the BME280,
pressure in Pa). Timestamps are UTC without an offset, ``2024-01-01T00:02:27``.

Each station has a particle sensor (SDS011) and, unless ``weather=False``, a weather
sensor (a BME280 at three stations of four, a DHT22 at the fourth), both at the same
location id and coordinates (around Stuttgart, so the sensors' zone is Europe/Berlin).
Each sensor sends at its own cadence of 145-150 s with a jitter of +-2 s per step (about
580 rows a day); on 8 % of its days it has an outage of 0.5-6 hours, 2 % of its days are
missing (no file), and a few cells say ``nan`` or are empty, and a few rows are the
archive's empty repeats of the previous timestamp. Values are made up (a daily cycle on
a seasonal level with noise), rounded to two decimals.

Readings: stations x days x about 580 rows x (2 for the SDS011 + 3 for a BME280 or 2 for
a DHT22), less the outages and missing days: 20 stations for a year are about 19.7
million readings in about 14,300 files; 150 particle sensors for a year about 62 million
in about 53,600 files (written in about 30 s and 60 s).

Wide CSV
--------
openair's benchmark shape: one ``,``-separated file with ``date`` (``2020-01-01
00:00:00``, UTC) and 10 columns ``ws, wd, nox, no2, o3, pm10, so2, co, pm25, no`` at a
one-minute cadence (co in mg/m³, the others in µg/m³, m/s and degrees), about 0.3 % of
cells empty. Readings = rows x 10.

Everything is generated with vectorised numpy and pyarrow string kernels, one day (or
one chunk of rows) at a time, and the text is written from the joined buffers: a year of
20 stations takes well under a minute. A folder that already holds a case with the same
parameters (by the ``<folder>.json`` beside it, written last) is reused.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = [
    "ARCHIVE_HEADERS",
    "WIDE_COLUMNS",
    "WIDE_VARIABLES",
    "write_archive_case",
    "write_wide_csv",
]

#: The archive's header per sensor type (after ``sensor_id;...;timestamp``).
ARCHIVE_HEADERS: dict[str, tuple[str, ...]] = {
    "SDS011": ("P1", "durP1", "ratioP1", "P2", "durP2", "ratioP2"),
    "DHT22": ("temperature", "humidity"),
    "BME280": ("pressure", "altitude", "pressure_sealevel", "temperature", "humidity"),
}
_COMMON = ("sensor_id", "sensor_type", "location", "lat", "lon", "timestamp")
#: Which columns of each type carry values (the others are written empty, as the
#: archive does for ``durP1``, ``altitude``...).
_VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "SDS011": ("P1", "P2"),
    "DHT22": ("temperature", "humidity"),
    "BME280": ("pressure", "temperature", "humidity"),
}
#: The wide CSV's columns after ``date``, and what each is for ``read_csv_mapped``.
WIDE_COLUMNS = ("ws", "wd", "nox", "no2", "o3", "pm10", "so2", "co", "pm25", "no")
WIDE_VARIABLES: dict[str, tuple[str, str]] = {
    "ws": ("wind_speed", "m/s"),
    "wd": ("wind_direction", "°"),
    "nox": ("nox", "µg/m³"),
    "no2": ("no2", "µg/m³"),
    "o3": ("o3", "µg/m³"),
    "pm10": ("pm10", "µg/m³"),
    "so2": ("so2", "µg/m³"),
    "co": ("co", "mg/m³"),
    "pm25": ("pm25", "µg/m³"),
    "no": ("no", "µg/m³"),
}

_DAY_S = 86_400
_MAX_ROWS = 610  # rows a sensor can send in a day at 143 s
_P_OUTAGE = 0.08
_P_MISSING_DAY = 0.02
_P_NAN = 2e-4
_P_EMPTY = 2e-4
_P_BLANK_ROW = 1e-4
_FORMAT_VERSION = 1


def _stations(stations: int, weather: bool, rng: Any) -> list[dict[str, Any]]:
    """Per sensor: id, type, location, coordinates and cadence [s]."""
    sensors = []
    for station in range(stations):
        lat = f"{48.70 + rng.uniform(0, 0.16):.3f}"
        lon = f"{9.08 + rng.uniform(0, 0.20):.3f}"
        location = 10_000 + station
        kinds = ["SDS011"]
        if weather:
            kinds.append("DHT22" if station % 4 == 3 else "BME280")
        for k, kind in enumerate(kinds):
            sensors.append(
                {
                    "id": 20_000 + 2 * station + k,
                    "type": kind,
                    "location": location,
                    "lat": lat,
                    "lon": lon,
                    "cadence": int(rng.integers(145, 151)),
                    "level": float(rng.uniform(0.7, 1.4)),
                }
            )
    return sensors


def _day_rows(sensors: list[dict[str, Any]], rng: Any) -> tuple[Any, Any, Any]:
    """Times of day [s] of each row, and the row's sensor index, for one day."""
    import numpy as np

    n = len(sensors)
    cadence = np.array([s["cadence"] for s in sensors])[:, None]
    steps = cadence + rng.integers(-2, 3, (n, _MAX_ROWS))
    first = rng.integers(0, cadence[:, 0])[:, None]
    times = first + np.cumsum(steps, axis=1) - steps[:, :1]
    keep = times < _DAY_S
    outage = rng.random(n) < _P_OUTAGE
    start = rng.uniform(0, _DAY_S, n)[:, None]
    length = rng.uniform(1_800, 6 * 3_600, n)[:, None]
    keep &= ~(outage[:, None] & (times >= start) & (times < start + length))
    present = rng.random(n) >= _P_MISSING_DAY
    keep &= present[:, None]
    sensor_index, column = np.nonzero(keep)  # row-major: by sensor, then in time
    return times[sensor_index, column], sensor_index, present


def _values(kind: str, seconds: Any, level: Any, day: int, rng: Any) -> dict[str, Any]:
    """Made-up values for one type's rows [file units], rounded to two decimals."""
    import numpy as np

    n = len(seconds)
    phase = 2 * np.pi * seconds / _DAY_S
    season = np.cos(2 * np.pi * (day - 15) / 365)
    if kind == "SDS011":
        base = 12 * level * (1 + 0.5 * season) * (1 + 0.35 * np.sin(phase - 1.9))
        pm10 = base * rng.lognormal(0, 0.3, n)
        pm25 = pm10 * rng.uniform(0.35, 0.85, n)
        return {"P1": np.round(pm10, 2), "P2": np.round(pm25, 2)}
    temperature = 10 - 8 * season + 5 * np.sin(phase - 2.4) + rng.normal(0, 0.3, n)
    humidity = np.clip(70 - 2 * (temperature - 10) + rng.normal(0, 4, n), 12, 99.9)
    out = {"temperature": np.round(temperature, 2), "humidity": np.round(humidity, 2)}
    if kind == "BME280":
        out["pressure"] = np.round(101_325 + 900 * np.sin(day / 5.3) + rng.normal(0, 6, n), 2)
    return out


def _write_day(
    folder: Path, date: str, kind: str, sensors: list[dict[str, Any]], day: int, rng: Any
) -> tuple[int, int, int]:
    """Write one day's files of one sensor type; return (files, rows, values)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    seconds, index, present = _day_rows(sensors, rng)
    # The archive's empty repeats of a timestamp (a row with no values after a row).
    blank = rng.random(len(seconds)) < _P_BLANK_ROW
    if blank.any():
        order = np.concatenate([np.arange(len(seconds)), np.flatnonzero(blank)])
        order.sort(kind="stable")
        is_blank = np.zeros(len(order), dtype=bool)
        is_blank[1:] = order[1:] == order[:-1]
        seconds, index = seconds[order], index[order]
    else:
        is_blank = np.zeros(len(seconds), dtype=bool)
    level = np.array([s["level"] for s in sensors])[index]
    values = _values(kind, seconds, level, day, rng)
    start = np.datetime64(date, "s")
    stamps = pa.array(start + seconds.astype("timedelta64[s]"))
    columns: dict[str, Any] = {
        "sensor_id": pc.take(pa.array([str(s["id"]) for s in sensors]), pa.array(index)),
        "sensor_type": pa.scalar(kind),
        "location": pc.take(pa.array([str(s["location"]) for s in sensors]), pa.array(index)),
        "lat": pc.take(pa.array([s["lat"] for s in sensors]), pa.array(index)),
        "lon": pc.take(pa.array([s["lon"] for s in sensors]), pa.array(index)),
        "timestamp": pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%S"),
    }
    n_values = 0
    for name in ARCHIVE_HEADERS[kind]:
        if name not in values:
            columns[name] = pa.scalar("")
            continue
        text = pc.cast(pa.array(values[name]), pa.string())
        nan = rng.random(len(seconds)) < _P_NAN
        empty = (rng.random(len(seconds)) < _P_EMPTY) | is_blank
        text = pc.if_else(pa.array(nan & ~empty), pa.scalar("nan"), text)
        text = pc.if_else(pa.array(empty), pa.scalar(""), text)
        columns[name] = text
        n_values += int((~nan & ~empty).sum())
    line = pc.binary_join_element_wise(*columns.values(), ";")
    line = pc.binary_join_element_wise(line, pa.scalar(""), "\n")  # each line ends in \n
    if isinstance(line, pa.ChunkedArray):
        line = line.combine_chunks()
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset :]
    data = memoryview(line.buffers()[2])
    header = (";".join(_COMMON + ARCHIVE_HEADERS[kind]) + "\n").encode()
    bounds = np.searchsorted(index, np.arange(len(sensors) + 1))
    day_folder = folder / date
    day_folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for k, sensor in enumerate(sensors):
        a, b = bounds[k], bounds[k + 1]
        if not present[k] or a == b:
            continue
        name = f"{date}_{kind.lower()}_sensor_{sensor['id']}.csv"
        with (day_folder / name).open("wb") as handle:
            handle.write(header)
            handle.write(data[offsets[a] : offsets[b]])
        files += 1
    return files, len(seconds), n_values


def write_archive_case(
    folder: str | Path,
    *,
    stations: int,
    days: int,
    weather: bool = True,
    seed: int = 1,
    start: str = "2024-01-01",
    quiet: bool = False,
) -> dict[str, Any]:
    """Write (or reuse) an archive layout; return its description.

    Parameters
    ----------
    folder
        Where the day folders go; reused when ``<folder>.json`` beside it has the same
        parameters.
    stations, days
        How many stations, and how many days from ``start`` (UTC dates).
    weather
        Give each station a weather sensor beside its particle sensor.
    seed
        Seed of the random generator: the same parameters give the same files.
    start
        The first day, ``YYYY-MM-DD``.
    quiet
        Do not print progress to stderr.

    Returns
    -------
    dict
        The parameters, ``files``, ``rows`` (including the empty repeats), ``readings``
        (values present: not empty, not ``nan``), ``bytes``, ``seconds`` (to write) and
        ``reused``.
    """
    import numpy as np

    folder = Path(folder)
    params = {
        "kind": "archive",
        "stations": stations,
        "days": days,
        "weather": weather,
        "seed": seed,
        "start": start,
        "version": _FORMAT_VERSION,
    }
    manifest = folder.with_name(folder.name + ".json")  # beside it: the folder holds data only
    if manifest.exists():
        old = json.loads(manifest.read_text())
        if old.get("params") == params:
            return {**old, "reused": True}
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    sensors = _stations(stations, weather, rng)
    kinds = sorted({s["type"] for s in sensors})
    files = rows = readings = 0
    first = np.datetime64(start, "D")
    for day in range(days):
        date = str(first + np.timedelta64(day, "D"))
        for kind in kinds:
            of_kind = [s for s in sensors if s["type"] == kind]
            f, r, v = _write_day(folder, date, kind, of_kind, day, rng)
            files, rows, readings = files + f, rows + r, readings + v
        if not quiet and (day + 1) % 30 == 0:
            print(f"  {day + 1}/{days} days, {files:,} files", file=sys.stderr)
    size = sum(p.stat().st_size for p in folder.glob("*/*.csv"))
    info = {
        "params": params,
        "files": files,
        "rows": rows,
        "readings": readings,
        "bytes": size,
        "seconds": round(time.perf_counter() - began, 1),
        "sensors": {kind: sum(s["type"] == kind for s in sensors) for kind in kinds},
    }
    manifest.write_text(json.dumps(info, indent=2) + "\n")
    return {**info, "reused": False}


def write_wide_csv(
    path: str | Path,
    *,
    rows: int,
    seed: int = 1,
    start: str = "2020-01-01",
    chunk: int = 500_000,
) -> dict[str, Any]:
    """Write (or reuse) one wide CSV of openair's benchmark shape; return its description.

    Parameters
    ----------
    path
        The ``.csv`` to write; reused when ``<path>.json`` has the same parameters.
    rows
        Rows at a one-minute cadence from ``start`` (UTC); readings = rows x 10.
    seed
        Seed of the random generator.
    start
        The first time, ``YYYY-MM-DD``.
    chunk
        Rows generated and written at a time.

    Returns
    -------
    dict
        The parameters, ``rows``, ``readings`` (cells with a value), ``bytes``, ``seconds``
        and ``reused``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    path = Path(path)
    params = {"kind": "wide", "rows": rows, "seed": seed, "start": start}
    params["version"] = _FORMAT_VERSION
    manifest = path.with_suffix(".json")
    if manifest.exists() and path.exists():
        old = json.loads(manifest.read_text())
        if old.get("params") == params:
            return {**old, "reused": True}
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    origin = np.datetime64(start, "s")
    readings = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write((",".join(("date", *WIDE_COLUMNS)) + "\n").encode())
        for begin in range(0, rows, chunk):
            n = min(chunk, rows - begin)
            minutes = np.arange(begin, begin + n)
            phase = 2 * np.pi * (minutes % 1440) / 1440
            traffic = 1 + 0.6 * np.sin(phase - 1.9) ** 2
            columns = {
                "ws": rng.gamma(2.0, 2.0, n),
                "wd": rng.uniform(0, 360, n),
                "nox": 60 * traffic * rng.lognormal(0, 0.5, n),
                "o3": np.clip(40 - 15 * np.cos(phase) + rng.normal(0, 8, n), 0, None),
                "pm10": 20 * traffic * rng.lognormal(0, 0.4, n),
                "so2": rng.gamma(2.0, 2.0, n),
                "co": 0.3 * traffic * rng.lognormal(0, 0.4, n),
            }
            columns["no2"] = columns["nox"] * rng.uniform(0.3, 0.6, n)
            columns["no"] = (columns["nox"] - columns["no2"]) / 1.53
            columns["pm25"] = columns["pm10"] * rng.uniform(0.4, 0.8, n)
            texts = [pc.strftime(pa.array(origin + minutes * 60), format="%Y-%m-%d %H:%M:%S")]
            for name in WIDE_COLUMNS:
                text = pc.cast(pa.array(np.round(columns[name], 2)), pa.string())
                empty = rng.random(n) < 0.003
                readings += int(n - empty.sum())
                texts.append(pc.if_else(pa.array(empty), pa.scalar(""), text))
            line = pc.binary_join_element_wise(*texts, ",")
            line = pc.binary_join_element_wise(line, pa.scalar(""), "\n")
            if isinstance(line, pa.ChunkedArray):
                line = line.combine_chunks()
            offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset :]
            handle.write(memoryview(line.buffers()[2])[offsets[0] : offsets[n]])
    info = {
        "params": params,
        "rows": rows,
        "readings": readings,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - began, 1),
    }
    manifest.write_text(json.dumps(info, indent=2) + "\n")
    return {**info, "reused": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder (or .csv for --wide-rows)")
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--no-weather", action="store_true", help="particle sensors only")
    parser.add_argument("--wide-rows", type=int, help="write one wide CSV of this many rows")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.wide_rows:
        info = write_wide_csv(args.out, rows=args.wide_rows, seed=args.seed)
    else:
        info = write_archive_case(
            args.out,
            stations=args.stations,
            days=args.days,
            weather=not args.no_weather,
            seed=args.seed,
        )
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
