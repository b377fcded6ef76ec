"""Small hand-made SensorData and spec helpers for the chart tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.sensordata import SensorData, concat_readings, normalise_sensors

UNITS = {
    "pm25": "µg/m³",
    "pm10": "µg/m³",
    "pm25_cf1": "µg/m³",
    "pm25_atm": "µg/m³",
    "humidity": "%",
    "temperature": "°C",
    "laeq": "dB(A)",
}


def series(
    values,
    *,
    sensor="s1",
    variable="pm25",
    start="2024-03-04T00:00Z",
    freq="10min",
    channel=None,
) -> pd.DataFrame:
    """One series of readings at regular times from ``start`` (UTC)."""
    values = np.asarray(values, dtype=float)
    frame = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.date_range(start, periods=len(values), freq=freq),
            "variable": variable,
            "value": values,
            "unit": UNITS[variable],
        }
    )
    if channel is not None:
        frame["channel"] = channel
    return frame


def make(*frames, zone="UTC", source="Sensor.Community") -> SensorData:
    """A SensorData of these readings; one sensors row per id, with positions."""
    readings = concat_readings(list(frames))
    ids = [str(s) for s in readings["sensor_id"].cat.categories]
    sensors = pd.DataFrame(
        {
            "sensor_id": ids,
            "name": ids,
            "source": source,
            "latitude": np.linspace(50.29, 50.31, len(ids)),
            "longitude": np.linspace(-0.14, -0.08, len(ids)),
            "timezone": zone,
        }
    )
    return SensorData(readings, normalise_sensors(sensors))


def daily_cycle(days=3, *, level=10.0, freq="10min", seed=0) -> np.ndarray:
    """PM-like values: a level, a daily cycle peaking at 08:00 UTC, a little noise."""
    steps_per_day = int(pd.Timedelta("1D") / pd.Timedelta(freq))
    n = days * steps_per_day
    hours = np.arange(n) * pd.Timedelta(freq).total_seconds() / 3600
    rng = np.random.default_rng(seed)
    return level + 5 * np.cos(2 * np.pi * (hours % 24 - 8) / 24) + rng.uniform(0, 1, n)


def pm_data(sensors=2, days=3, *, zone="UTC", freq="10min") -> SensorData:
    """``sensors`` PM2.5 sensors reporting every 10 minutes for ``days`` days."""
    frames = [
        series(
            daily_cycle(days, level=8.0 + 4 * i, freq=freq, seed=i), sensor=f"s{i + 1}", freq=freq
        )
        for i in range(sensors)
    ]
    return make(*frames, zone=zone)


def averages(
    values,
    *,
    sensor="s1",
    variable="pm25",
    period="day",
    start="2024-07-01T00:00Z",
    step="1D",
    valid=None,
) -> pd.DataFrame:
    """Averages as toolkit.timeseries.average makes them (by hand), one per step."""
    values = np.asarray(values, dtype=float)
    valid = ~np.isnan(values) if valid is None else np.asarray(valid, dtype=bool)
    times = pd.date_range(start, periods=len(values), freq=step)
    return pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": times,
            "variable": variable,
            "value": np.where(valid, values, np.nan),
            "unit": UNITS[variable],
            "period": period,
            "end": times + pd.Timedelta(step),
            "n_readings": np.where(valid, 24, 10),
            "n_expected": 24.0,
            "coverage": np.where(valid, 1.0, 10 / 24),
            "valid": valid,
        }
    )


# -- the spec ---------------------------------------------------------------------------
def views(spec: dict):
    """Every view of a spec (layers, concatenations, facets), depth first."""
    yield spec
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []):
            yield from views(part)
    if "spec" in spec:
        yield from views(spec["spec"])


def encodings(spec: dict, channel: str) -> list[dict]:
    """The encodings of one channel in every view."""
    return [u["encoding"][channel] for u in views(spec) if channel in u.get("encoding", {})]


def marks(spec: dict) -> list[str]:
    out = []
    for unit in views(spec):
        mark = unit.get("mark")
        if mark is not None:
            out.append(mark if isinstance(mark, str) else mark["type"])
    return out


def _data_name(spec: dict, target: dict, inherited: str | None = None) -> str | None:
    """The name of the dataset a view draws: its own, or the nearest parent's."""
    name = spec.get("data", {}).get("name", inherited)
    if spec is target:
        return name
    children = [c for k in ("layer", "vconcat", "hconcat", "concat") for c in spec.get(k, [])]
    if "spec" in spec:
        children.append(spec["spec"])
    for child in children:
        found = _data_name(child, target, name)
        if found is not None:
            return found
    return None


def dataset(spec: dict, view: dict | None = None) -> list[dict]:
    """The rows of a view's (or the spec's only) inline dataset."""
    datasets = spec["datasets"]
    if view is None:
        assert len(datasets) == 1, list(datasets)
        return next(iter(datasets.values()))
    return datasets[_data_name(spec, view)]


def axis_titles(spec: dict) -> dict[str, set[str]]:
    """Titles of the x and y axes of every view."""
    titles: dict[str, set[str]] = {"x": set(), "y": set()}
    for channel in titles:
        for encoding in encodings(spec, channel):
            title = encoding.get("title") or encoding.get("axis", {}).get("title")
            if title:
                titles[channel].add(title)
    return titles
