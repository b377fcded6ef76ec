"""Where the bundled teaching data lives, and the names to ask for it by.

The data sits in the repository's top-level ``datasets/`` folder, beside ``toolkit/``
(not inside the package, so that installing the toolkit does not carry 20 MB of data).
:func:`root` finds it from this file's place in a source checkout; set the environment
variable ``URBAN_TOOLKIT_DATASETS`` to a copy of the folder to use it from an installed
package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import SourceNotFoundError, ToolkitError
from ._city import NEIGHBOURHOODS
from ._sensors import STATIONS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHECKSUMS",
    "ENVIRONMENT_VARIABLE",
    "GENERATED_FOLDERS",
    "PERIOD_DAYS",
    "PERIOD_START",
    "UnknownDatasetError",
    "catalogue",
    "data_file",
    "describe",
    "find",
    "root",
]

#: First hour of the data (UTC) and its length in days (28: 7 Oct - 3 Nov 2024).
PERIOD_START = "2024-10-07T00:00:00Z"
PERIOD_DAYS = 28
_TAG = "2024-10-07_2024-11-03"
#: The checksums file written by the generator, in the data folder.
CHECKSUMS = "checksums.json"
#: Sub-folders the generator owns (it removes files there that it did not write).
GENERATED_FOLDERS = ("city", "sensors", "ground_truth")
#: Environment variable naming the data folder, for installs without the repository.
ENVIRONMENT_VARIABLE = "URBAN_TOOLKIT_DATASETS"


class UnknownDatasetError(ToolkitError, KeyError):
    """A name that is not one of the bundled data sets."""


def data_file(code: str) -> str:
    """Relative path of a station's data file (``"S07"``, ``"S07_env"``, ``"P02"``...)."""
    base, _, part = code.partition("_")
    station = next(s for s in STATIONS if s.code == base)
    if station.platform == "sensor_community":
        if station.model == "DNMS":
            kind, number = "laerm", station.number
        elif part == "env":
            kind, number = station.model.split("+")[1].lower(), station.number + 100
        else:
            kind, number = "sds011", station.number
        return f"sensors/sensor_community/{kind}_sensor_{number}_{_TAG}.csv.gz"
    if station.platform == "purpleair":
        return f"sensors/purpleair/purpleair_{station.number}_{_TAG}.csv.gz"
    if station.platform == "openaq":
        return f"sensors/openaq/openaq_location_{station.number}_{_TAG}.csv.gz"
    return f"sensors/telraam/telraam_segment_{station.number}_{_TAG}.json.gz"


def catalogue() -> dict[str, tuple[str, str]]:
    """Name -> (relative path, description) of everything :func:`toolkit.datasets.path` knows."""
    entries: dict[str, tuple[str, str]] = {
        "readme": ("README.md", "What the data is, the data dictionary, how it was made"),
        "licence": ("LICENSE", "CC0 1.0 Universal: the data is in the public domain"),
        "checksums": (CHECKSUMS, "SHA-256 of every generated file, the seed and versions"),
        "neighbourhoods": (
            "city/neighbourhoods.geojson",
            "Ten neighbourhood outlines (GeoJSON, WGS84)",
        ),
        "demographics": (
            "city/demographics.csv.gz",
            "Population, income, renters, ages, cars per neighbourhood",
        ),
        "streets": (
            "city/streets.osm.gz",
            "Street network, OSM XML (osmnx.graph_from_xml reads it)",
        ),
        "stations": (
            "city/stations.csv.gz",
            "Every instrument: id, platform, position, neighbourhood, host, file",
        ),
        "stations_geojson": ("city/stations.geojson", "The stations table as GeoJSON points"),
        "sensors": ("sensors", "All sensor exports, in the platforms' own formats"),
        "sensor_community": (
            "sensors/sensor_community",
            "Sensor.Community archive CSVs: SDS011, BME280, DHT22, DNMS",
        ),
        "purpleair": (
            "sensors/purpleair",
            "PurpleAir API history CSVs (channels A/B) and sensor metadata",
        ),
        "purpleair_sensors": (
            "sensors/purpleair/purpleair_sensors.csv.gz",
            "PurpleAir sensor metadata (positions)",
        ),
        "openaq": ("sensors/openaq", "The reference monitor, OpenAQ Explorer CSV (hourly)"),
        "telraam": ("sensors/telraam", "Two Telraam traffic counters, hourly report JSON"),
        "ground_truth": (
            "ground_truth",
            "INSTRUCTORS: the truth behind the data and the planted problems",
        ),
        "true_pm_neighbourhoods": (
            "ground_truth/true_pm_neighbourhoods_hourly.csv.gz",
            "INSTRUCTORS: true hourly PM2.5/PM10 per neighbourhood",
        ),
        "true_pm_sensors": (
            "ground_truth/true_pm_sensors_hourly.csv.gz",
            "INSTRUCTORS: true hourly PM at each PM sensor",
        ),
        "weather": (
            "ground_truth/weather_hourly.csv.gz",
            "INSTRUCTORS: hourly weather and pollution drivers",
        ),
        "traffic": (
            "ground_truth/traffic_hourly.csv.gz",
            "INSTRUCTORS: true hourly flows on the Telraam segments",
        ),
        "planted_problems": (
            "ground_truth/planted_problems.csv.gz",
            "INSTRUCTORS: what was planted, where and when",
        ),
    }
    hoods = {n.id: n.name for n in NEIGHBOURHOODS}
    for s in STATIONS:
        what = f"{s.code}: {s.model} ({s.platform}) in {hoods[s.neighbourhood]}, {s.site}"
        entries[s.code] = (data_file(s.code), what)
        if "+" in s.model:
            companion = s.model.split("+")[1]
            entries[f"{s.code}_env"] = (data_file(f"{s.code}_env"), f"{s.code}: its {companion}")
    return entries


def root() -> Path:
    """Return the folder of the bundled data.

    Raises
    ------
    SourceNotFoundError
        When the folder cannot be found (the toolkit was installed without the
        repository, and ``URBAN_TOOLKIT_DATASETS`` is not set).
    """
    given = os.environ.get(ENVIRONMENT_VARIABLE)
    folder = Path(given) if given else Path(__file__).resolve().parents[2] / "datasets"
    if (folder / CHECKSUMS).is_file():
        return folder
    raise SourceNotFoundError(
        "The teaching data folder 'datasets/' was not found.",
        found=f"no {CHECKSUMS} in {folder}" + (f" (from {ENVIRONMENT_VARIABLE})" if given else ""),
        fix="The data lives in the toolkit's repository, beside the 'toolkit' folder: work "
        "in a clone of the repository (as on Binder), or set the environment variable "
        f"{ENVIRONMENT_VARIABLE} to a copy of its 'datasets' folder, or make the data "
        "yourself with: python -m toolkit.datasets --out DIR",
    )


def find(name: str) -> Path:
    """Path of a named data set or of a file inside the data folder (see :func:`catalogue`)."""
    import difflib

    folder = root()
    entries = catalogue()
    if name in entries:
        return folder / entries[name][0]
    candidate = folder / name
    if name and ".." not in Path(name).parts and candidate.exists():
        return candidate
    close = difflib.get_close_matches(name, entries, n=3)
    raise UnknownDatasetError(
        f"There is no bundled data set called {name!r}.",
        found="names: " + ", ".join(entries),
        fix=(f"Did you mean {', '.join(map(repr, close))}? " if close else "")
        + "toolkit.datasets.list() shows every name with a description.",
    )


def describe() -> pd.DataFrame:
    """List the names: ``name``, ``path``, ``kind``, ``files``, ``size_bytes``, ``description``."""
    import pandas as pd

    folder = root()
    rows = []
    for name, (relative, description) in catalogue().items():
        target = folder / relative
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
        present = [p for p in files if p.is_file()]
        rows.append(
            {
                "name": name,
                "path": relative,
                "kind": "folder" if target.is_dir() else "file",
                "files": len(present),
                "size_bytes": sum(p.stat().st_size for p in present),
                "description": description,
            }
        )
    return pd.DataFrame(rows)
