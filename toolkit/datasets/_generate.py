"""Generate the teaching city: every file of ``datasets/`` from one seed.

:func:`generate` builds the city (outlines, streets, people), its weather and traffic,
the true pollution everywhere, what each instrument reports, and writes it all in the
platforms' real formats, plus the ground truth. The same seed gives the same bytes
(given the same zlib and numpy); ``datasets/checksums.json`` records the SHA-256 of every
file and of its uncompressed content, and the versions that made them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import _city, _network, _sensors, _signals, _weather, _writers
from ._catalog import (
    CHECKSUMS,
    GENERATED_FOLDERS,
    PERIOD_DAYS,
    PERIOD_START,
    data_file,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["generate"]

_NEIGHBOURHOOD_GRID_M = 50.0  # spacing of the points averaged into neighbourhood truth
_LICENCE = "CC0-1.0"
_SYNTHETIC = "SYNTHETIC teaching data: an invented city, not real measurements"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Output:
    """Collects the files to write, compressing ``.gz`` ones, and their checksums."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, dict[str, object]] = {}

    def add(self, relative: str, content: bytes) -> None:
        data = _writers.gzip_bytes(content) if relative.endswith(".gz") else content
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files[relative] = {
            "bytes": len(data),
            "sha256": _sha(data),
            "content_sha256": _sha(content),
        }


def _hours() -> pd.DatetimeIndex:
    import pandas as pd

    return pd.date_range(PERIOD_START, periods=24 * PERIOD_DAYS, freq="h", tz="UTC")


def _neighbourhood_truth(
    geometry: _city.CityGeometry,
    network: _network.Network,
    density: dict[str, float],
    drivers: _signals.Drivers,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Area-mean true PM2.5 and PM10 of each neighbourhood, per hour."""
    import numpy as np

    step = _NEIGHBOURHOOD_GRID_M
    x, y = np.meshgrid(
        np.arange(step / 2, _city.WIDTH_M, step), np.arange(step / 2, _city.HEIGHT_M, step)
    )
    ids = geometry.neighbourhood_of(x.ravel(), y.ravel())
    out = {}
    for n in _city.NEIGHBOURHOODS:
        inside = ids == n.id
        xy = np.c_[x.ravel()[inside], y.ravel()[inside]]
        exposure = _signals.exposure(xy, network, np.full(len(xy), density[n.id]))
        pm25, pm10 = _signals.true_pm(exposure, drivers)
        out[n.id] = (pm25.mean(axis=0), pm10.mean(axis=0))
    return out


def _check_story(truth: dict[str, tuple[np.ndarray, np.ndarray]], stations: pd.DataFrame) -> None:
    """Check the city tells its story: the most exposed place is the least measured."""
    means = {k: float(v[0].mean()) for k, v in truth.items()}
    worst = max(means, key=means.__getitem__)
    pm = stations[stations["measures"].str.contains("pm25") & (stations["platform"] != "openaq")]
    counts = pm.groupby("neighbourhood_id").size()
    per_person = {n.id: counts.get(n.id, 0) / n.population for n in _city.NEIGHBOURHOODS}
    least = min(per_person, key=per_person.__getitem__)
    if worst != "N02" or least != "N02":
        msg = (
            "The generated city lost its story: Harbourside (N02) must have the highest "
            f"true PM2.5 (found {worst}) and the fewest PM sensors per resident (found "
            f"{least}). Adjust the design in toolkit/datasets, not the seed."
        )
        raise ValueError(msg)


def _station_rows(
    places: dict[str, tuple[float, float]], geometry: _city.CityGeometry
) -> list[dict[str, object]]:
    import numpy as np

    names = {n.id: n.name for n in _city.NEIGHBOURHOODS}
    rows = []
    for s in _sensors.STATIONS:
        x, y = places[s.code]
        lon, lat = (float(v[0]) for v in _city.to_lonlat(np.array([x]), np.array([y])))
        digits = 3 if s.platform == "sensor_community" else 5
        instruments: list[tuple[str, str, str, str]] = []
        if s.platform == "sensor_community" and "+" in s.model:
            pm_model, env_model = s.model.split("+")
            env_measures = (
                "temperature;humidity;pressure" if env_model == "BME280" else "temperature;humidity"
            )
            instruments = [
                (s.sensor_ids[0], pm_model, "pm10;pm25", data_file(s.code)),
                (s.sensor_ids[1], env_model, env_measures, data_file(f"{s.code}_env")),
            ]
        else:
            measures = {
                "purpleair": "pm25_cf1;pm25_atm;temperature;humidity;pressure",
                "openaq": "pm25;pm10;no2",
                "telraam": "counts of cars, heavy vehicles, bikes, pedestrians; v85; uptime",
                "sensor_community": "laeq;la_min;la_max;la01;la95",
            }[s.platform]
            instruments = [(s.sensor_ids[0], s.model, measures, data_file(s.code))]
        for sensor_id, model, measures, file in instruments:
            rows.append(
                {
                    "station_code": s.code,
                    "sensor_id": sensor_id,
                    "platform": s.platform,
                    "model": model,
                    "measures": measures,
                    "latitude": round(lat, digits),
                    "longitude": round(lon, digits),
                    "neighbourhood_id": s.neighbourhood,
                    "neighbourhood_name": names[s.neighbourhood],
                    "host": s.host,
                    "site": s.site,
                    "file": file,
                }
            )
    for row in rows:  # rounding must not move a station across a boundary (checked)
        px = np.array([row["longitude"]])
        py = np.array([row["latitude"]])
        found = _neighbourhood_of_lonlat(geometry, px, py)
        if found != row["neighbourhood_id"]:
            msg = f"Station {row['station_code']}: rounded position falls in {found}."
            raise ValueError(msg)
    return rows


def _neighbourhood_of_lonlat(geometry: _city.CityGeometry, lon: np.ndarray, lat: np.ndarray) -> str:
    x, y = _city.to_xy(lon, lat)
    return str(geometry.neighbourhood_of(x, y)[0])


def _neighbourhoods_geojson(geometry: _city.CityGeometry) -> dict[str, object]:
    features = []
    for n in _city.NEIGHBOURHOODS:
        ring = geometry.rings[n.id]
        lon, lat = _city.to_lonlat(ring[:, 0], ring[:, 1])
        coords = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
        features.append(
            {
                "type": "Feature",
                "properties": {"neighbourhood_id": n.id, "name": n.name, "synthetic": True},
                "geometry": {"type": "Polygon", "coordinates": [coords]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"{_city.CITY_NAME} neighbourhoods ({_SYNTHETIC}; {_LICENCE})",
        "features": features,
    }


def _stations_geojson(rows: list[dict[str, object]]) -> dict[str, object]:
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in row.items() if k not in ("latitude", "longitude")},
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        }
        for row in rows
    ]
    return {
        "type": "FeatureCollection",
        "name": f"{_city.CITY_NAME} stations ({_SYNTHETIC}; {_LICENCE})",
        "features": features,
    }


@dataclass(frozen=True)
class _World:
    """What every instrument needs: the seed, the hours, the weather and the drivers."""

    seed: int
    hours: pd.DatetimeIndex
    seconds: np.ndarray  # Unix seconds of each hour's start
    weather: pd.DataFrame
    drivers: _signals.Drivers
    places: dict[str, tuple[float, float]]

    @property
    def start(self) -> int:
        return int(self.seconds[0])

    @property
    def end(self) -> int:
        return self.start + PERIOD_DAYS * 86400

    def lonlat(self, code: str) -> tuple[float, float]:
        import numpy as np

        x, y = self.places[code]
        lon, lat = _city.to_lonlat(np.array([x]), np.array([y]))
        return float(lon[0]), float(lat[0])


def generate(folder: str | Path, *, seed: int) -> dict[str, dict[str, object]]:
    """Write every file of the teaching city into ``folder``.

    Parameters
    ----------
    folder
        Where to write (created if needed). Files of an earlier run in its ``city/``,
        ``sensors/`` and ``ground_truth/`` sub-folders that this run does not write are
        removed, so the folder holds exactly one city.
    seed
        The random seed; the same seed gives the same files.

    Returns
    -------
    dict
        Relative path -> ``bytes``, ``sha256`` (of the file) and ``content_sha256`` (of
        the uncompressed content), also written to ``checksums.json``.
    """
    import pandas as pd

    root = Path(folder)
    out = _Output(root)
    geometry = _city.build_geometry(seed)
    network = _network.build_network(seed)
    demographics = _city.demographics_table(geometry)
    dense = demographics.set_index("neighbourhood_id")["density_per_km2"]
    density = (dense / dense.max()).to_dict()
    hours = _hours()
    weather = _weather.hourly_weather(seed, hours)
    world = _World(
        seed=seed,
        hours=hours,
        seconds=hours.as_unit("s").asi8,
        weather=weather,
        drivers=_signals.drivers(seed, weather),
        places=_sensors.positions(geometry),
    )
    station_rows = _station_rows(world.places, geometry)
    truth = _neighbourhood_truth(geometry, network, density, world.drivers)
    _check_story(truth, pd.DataFrame(station_rows))

    out.add(
        "city/neighbourhoods.geojson", _writers.geojson_bytes(_neighbourhoods_geojson(geometry))
    )
    out.add("city/demographics.csv.gz", _writers.csv_bytes(demographics))
    out.add("city/streets.osm.gz", _network.osm_xml(network))
    out.add("city/stations.csv.gz", _writers.csv_bytes(pd.DataFrame(station_rows)))
    out.add("city/stations.geojson", _writers.geojson_bytes(_stations_geojson(station_rows)))
    site_truth = _site_truth(world, network, density)
    for station in _sensors.STATIONS:
        _write_station(
            out, world, station, site_truth.get(_SITE_OF.get(station.code, station.code))
        )
    out.add(
        "sensors/purpleair/purpleair_sensors.csv.gz",
        _writers.purpleair_sensors_csv(
            [_purpleair_meta(world, s) for s in _sensors.STATIONS if s.platform == "purpleair"]
        ),
    )
    _write_ground_truth(out, world, truth, site_truth)
    _remove_stale(root, set(out.files))
    _write_checksums(root, seed, out.files)
    return out.files


#: Instruments that share a site (and so the same true air): collocated with R01.
_SITE_OF = {"S03": "R01", "P04": "R01"}


def _site_truth(
    world: _World, network: _network.Network, density: dict[str, float]
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Compute true hourly PM2.5, PM10 and NO2 at each measuring site [µg/m³]."""
    import numpy as np

    sites = sorted({_SITE_OF.get(s.code, s.code) for s in _sensors.STATIONS})
    hood = {s.code: s.neighbourhood for s in _sensors.STATIONS}
    xy = np.array([world.places[c] for c in sites])
    exposure = _signals.exposure(xy, network, np.array([density[hood[c]] for c in sites]))
    pm25, pm10 = _signals.true_pm(exposure, world.drivers)
    no2 = _signals.true_no2(exposure, world.drivers)
    out = {}
    for k, code in enumerate(sites):
        rng = _city.rng_for(world.seed, f"site:{code}")
        local = np.exp(_weather.ar1(rng, len(world.hours), 0.06, 0.9))  # what the field misses
        out[code] = (pm25[k] * local, pm10[k] * local, no2[k])
    return out


def _write_station(
    out: _Output,
    world: _World,
    s: _sensors.Station,
    truth: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> None:
    """Write one station's export(s) in its platform's format."""
    import numpy as np
    import pandas as pd

    lon, lat = world.lonlat(s.code)
    y = world.places[s.code][1]
    where = {"location": s.location_id, "lat": lat, "lon": lon}
    if s.platform == "sensor_community" and s.model == "DNMS":
        flows = _sensors.true_flows(9999000001, world.drivers)  # it stands by T01
        wind = world.weather["wind_speed_ms"].to_numpy()
        frame = _sensors.noise_readings(world.seed, world.start, world.end, flows, wind)
        table = _writers.sensor_community_csv(
            frame, sensor_id=s.number, sensor_type="Laerm", **where
        )
        out.add(data_file(s.code), table)
    elif s.platform == "sensor_community":
        pm25, pm10, _ = truth  # type: ignore[misc]
        pm, env = _sensors.sds011_station(
            world.seed, s, world.start, world.end, pm25, pm10, world.weather, y
        )
        companion = s.model.split("+")[1]
        out.add(
            data_file(s.code),
            _writers.sensor_community_csv(pm, sensor_id=s.number, sensor_type="SDS011", **where),
        )
        out.add(
            data_file(f"{s.code}_env"),
            _writers.sensor_community_csv(
                env, sensor_id=s.number + 100, sensor_type=companion, **where
            ),
        )
    elif s.platform == "purpleair":
        frame = _sensors.purpleair_sensor(
            world.seed,
            s,
            world.start,
            world.end,
            truth[0],
            world.weather,
            y,  # type: ignore[index]
        )
        out.add(
            data_file(s.code),
            _writers.purpleair_history_csv(frame, sensor_index=s.number, seed_order=world.seed),
        )
    elif s.platform == "openaq":
        frame = _sensors.reference_monitor(world.seed, world.hours, *truth)  # type: ignore[misc]
        out.add(
            data_file(s.code),
            _writers.openaq_explorer_csv(
                frame,
                location_id=s.number,
                name=f"{_city.CITY_NAME} Old Town (synthetic)",
                lat=round(lat, 6),
                lon=round(lon, 6),
                timezone=_city.TIMEZONE,
                owner=f"{_city.CITY_NAME} City Council (synthetic)",
                provider="toolkit.datasets (synthetic teaching data)",
            ),
        )
    elif s.platform == "telraam":
        n = len(world.hours)
        tenths = np.repeat(world.seconds, 6) + np.tile(np.arange(5, 60, 10) * 60, n)
        moments = pd.DatetimeIndex(pd.to_datetime(tenths, unit="s", utc=True))
        sun = _weather.sun_elevation(moments).reshape(n, 6)  # every 10 minutes
        records = _sensors.telraam_report(world.seed, s.number, world.hours, world.drivers, sun)
        out.add(data_file(s.code), _writers.telraam_json(records))


def _purpleair_meta(world: _World, s: _sensors.Station) -> dict[str, object]:
    """One row of the PurpleAir sensor metadata (the API's sensor-list field names)."""
    lon, lat = world.lonlat(s.code)
    return {
        "sensor_index": s.number,
        "name": f"{s.code} {s.site} ({_city.CITY_NAME}, synthetic)",
        "latitude": round(lat, 5),
        "longitude": round(lon, 5),
        "location_type": 0,
        "model": "PA-II",
        "hardware": "2.0+BME280+PMSX003-B+PMSX003-A",
        "firmware_version": "7.04",
        "date_created": 1_684_000_000 + 86400 * 7 * int(s.code[1:]),
        "timezone": _city.TIMEZONE,
    }


def _write_ground_truth(
    out: _Output,
    world: _World,
    truth: dict[str, tuple[np.ndarray, np.ndarray]],
    site_truth: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> None:
    """Write the instructors' files: true values, weather, flows, planted problems."""
    import numpy as np
    import pandas as pd

    stamp = _writers.iso_utc(world.seconds, suffix="Z")
    hoods = [
        pd.DataFrame(
            {
                "time": stamp,
                "neighbourhood_id": n.id,
                "name": n.name,
                "pm25": np.round(truth[n.id][0], 2),
                "pm10": np.round(truth[n.id][1], 2),
            }
        )
        for n in _city.NEIGHBOURHOODS
    ]
    out.add(
        "ground_truth/true_pm_neighbourhoods_hourly.csv.gz",
        _writers.csv_bytes(pd.concat(hoods, ignore_index=True)),
    )
    sensors = []
    for s in _sensors.STATIONS:
        site = _SITE_OF.get(s.code, s.code)
        if site not in site_truth or s.platform == "telraam" or s.model == "DNMS":
            continue
        pm25, pm10, no2 = site_truth[site]
        sensors.append(
            pd.DataFrame(
                {
                    "time": stamp,
                    "station_code": s.code,
                    "sensor_id": s.sensor_ids[0],
                    "pm25": np.round(pm25, 2),
                    "pm10": np.round(pm10, 2),
                    "no2": np.round(no2, 2) if s.platform == "openaq" else np.nan,
                }
            )
        )
    out.add(
        "ground_truth/true_pm_sensors_hourly.csv.gz",
        _writers.csv_bytes(pd.concat(sensors, ignore_index=True)),
    )
    d = world.drivers
    weather = world.weather.assign(
        time=stamp,
        traffic_index=np.round(d.traffic, 4),
        port_index=np.round(d.port, 4),
        heating_index=np.round(d.heating, 4),
        regional_pm25=np.round(d.regional, 2),
        sea_salt=np.round(d.sea_salt, 2),
        local_hour=d.local_hour,
        day_kind=d.day_kind,
        half_term=d.half_term,
    )
    out.add("ground_truth/weather_hourly.csv.gz", _writers.csv_bytes(weather))
    traffic = [
        pd.DataFrame(
            {"time": stamp, "segment_id": segment, "road": spec[0]}
            | {
                f"{mode}_per_hour": np.round(v, 2)
                for mode, v in _sensors.true_flows(segment, d).items()
            }
        )
        for segment, spec in _signals.SEGMENTS.items()
    ]
    out.add("ground_truth/traffic_hourly.csv.gz", _writers.csv_bytes(pd.concat(traffic)))
    problems = pd.DataFrame(_sensors.PROBLEMS)
    problems.insert(0, "problem_id", range(1, len(problems) + 1))
    out.add("ground_truth/planted_problems.csv.gz", _writers.csv_bytes(problems))


def _remove_stale(root: Path, written: set[str]) -> None:
    for name in GENERATED_FOLDERS:
        folder = root / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and relative not in written:
                path.unlink()


def _write_checksums(root: Path, seed: int, files: dict[str, dict[str, object]]) -> None:
    import zlib

    import numpy as np
    import pandas as pd

    manifest = {
        "city": _city.CITY_NAME,
        "note": _SYNTHETIC,
        "licence": _LICENCE,
        "seed": seed,
        "made_with": {
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "zlib": zlib.ZLIB_RUNTIME_VERSION,
        },
        "files": {k: files[k] for k in sorted(files)},
    }
    (root / CHECKSUMS).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
