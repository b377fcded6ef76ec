"""The bundled teaching data: Quayford, a SYNTHETIC city, and the code that made it.

Quayford is invented (CC0, free to reuse): ten neighbourhoods with a demographics table,
a street network that osmnx reads offline, and four weeks (7 October - 3 November 2024)
of 28 instruments exporting in the real formats of Sensor.Community, PurpleAir, OpenAQ
and Telraam. It is built to teach: daily and weekly traffic cycles, weather (humid
nights, fog, wind), a pollution episode, a deployment that favours the affluent
districts while the most exposed one has the fewest sensors, and planted problems
(a stuck sensor, a long gap, a drifting sensor, A/B disagreement, humidity artefacts, a
clock offset). The truth behind it is kept for instructors in ``datasets/ground_truth/``.

Typical use::

    from toolkit import datasets
    datasets.list()                          # what there is
    city = datasets.load_city()              # everything, ready to use
    city.data                                # all sensors, one SensorData
    data = toolkit.load(datasets.path("P04"))  # one sensor's file

Regenerate the files (the same seed gives the same bytes)::

    python -m toolkit.datasets               # into the repository's datasets/
    python -m toolkit.datasets --out DIR --seed 7
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._catalog import (
    ENVIRONMENT_VARIABLE,
    PERIOD_DAYS,
    PERIOD_START,
    UnknownDatasetError,
    describe,
    find,
    root,
)
from ._city import CITY_NAME, TIMEZONE

if TYPE_CHECKING:
    import pandas as pd

    from ..sensordata import SensorData

__all__ = [
    "DEFAULT_SEED",
    "ENVIRONMENT_VARIABLE",
    "NAME",
    "PERIOD_DAYS",
    "PERIOD_START",
    "TIMEZONE",
    "TeachingCity",
    "UnknownDatasetError",
    "generate",
    "ground_truth",
    "list",
    "load_city",
    "path",
]

#: The city's name (it is synthetic: say so wherever it is shown).
NAME = CITY_NAME
#: The seed the bundled files were made with.
DEFAULT_SEED = 20241007

_GROUND_TRUTH = (
    "true_pm_neighbourhoods",
    "true_pm_sensors",
    "weather",
    "traffic",
    "planted_problems",
)


def list() -> pd.DataFrame:  # the documented name: toolkit.datasets.list()
    """List the bundled data: names to give :func:`path`, with sizes and descriptions.

    Returns
    -------
    pandas.DataFrame
        One row per name: ``name``, ``path`` (inside the data folder), ``kind`` (file
        or folder), ``files``, ``size_bytes`` and ``description``. Station codes
        (``S01``..., ``P01``..., ``R01``, ``D01``, ``T01``, ``T02``) name one
        instrument's export; ``S01_env`` is the weather sensor beside ``S01``.

    Raises
    ------
    SourceNotFoundError
        When the data folder cannot be found (see :func:`path`).
    """
    return describe()


def path(name: str) -> Path:
    """Return the path of a bundled file or folder.

    Parameters
    ----------
    name
        A name from :func:`list` (``"neighbourhoods"``, ``"streets"``, ``"P04"``...) or
        a path inside the data folder (``"sensors/purpleair"``).

    Returns
    -------
    pathlib.Path
        The file or folder.

    Raises
    ------
    UnknownDatasetError
        For a name that is not bundled (the message lists the names).
    SourceNotFoundError
        When the data folder is not there: the toolkit was installed without its
        repository. Work in a clone (as on Binder), or set the environment variable
        ``URBAN_TOOLKIT_DATASETS`` to a copy of the ``datasets`` folder.

    Examples
    --------
    >>> from toolkit import datasets
    >>> datasets.path("streets").name
    'streets.osm.gz'
    """
    return find(name)


@dataclass(frozen=True)
class TeachingCity:
    """Everything about the teaching city, loaded.

    Attributes
    ----------
    name, timezone
        ``"Quayford"`` (synthetic) and ``"Europe/London"``.
    data
        All sensor files read with :func:`toolkit.load` (formats recognised from the
        content), every sensor's time zone set to the city's.
    neighbourhoods
        The outlines: a GeoDataFrame (WGS84) when geopandas is installed, otherwise
        the GeoJSON as a dict. Joined to ``demographics`` by ``neighbourhood_id``.
    demographics
        One row per neighbourhood (see the data dictionary in ``datasets/README.md``).
    stations
        One row per instrument: ``sensor_id`` (as in ``data``), platform, model,
        position, ``neighbourhood_id``, host, site, file.
    streets
        Path of the OSM XML street network: ``osmnx.graph_from_xml(city.streets)``.
    folder
        The data folder.
    """

    name: str
    timezone: str
    data: SensorData
    neighbourhoods: Any
    demographics: pd.DataFrame | None
    stations: pd.DataFrame | None
    streets: Path | None
    folder: Path

    def __repr__(self) -> str:
        places = "no" if self.neighbourhoods is None else len(self.neighbourhoods)
        return (
            f"<City {self.name}: {places} neighbourhoods, "
            f"{self.data.sensors.shape[0]} sensors, {len(self.data):,} readings, "
            f"zone {self.timezone}>"
        )


def load_city(
    folder: str | Path | None = None,
    *,
    timezone: str | None = None,
    name: str | None = None,
    progress: bool = False,
) -> TeachingCity:
    """Load a whole city in one call: the bundled teaching city, or your own.

    Parameters
    ----------
    folder
        A folder laid out like the bundled ``datasets/`` folder: sensor exports under
        ``sensors/`` (any supported format, in any sub-folders), and optionally
        ``city/neighbourhoods.geojson``, ``city/demographics.csv(.gz)``,
        ``city/stations.csv(.gz)`` and ``city/streets.osm(.gz|.bz2)``. ``None`` (the
        default) loads Quayford, the bundled synthetic teaching city.
    timezone
        IANA time zone of the city (e.g. ``"Africa/Nairobi"``), given to every sensor
        for local days and hours. Default: Quayford's ``"Europe/London"`` for the
        bundled city; required for another folder.
    name
        The city's name, shown in lessons and reports. Default: ``"Quayford"`` for the
        bundled city, otherwise the folder's name.
    progress
        Show a progress bar while reading the sensor files.

    Returns
    -------
    TeachingCity
        Sensor data (with the city's time zone), neighbourhoods, demographics, stations
        and the street network's path; the parts a folder does not have are ``None``.
        Ground truth is not included: see :func:`ground_truth`.

    Raises
    ------
    SourceNotFoundError
        When ``folder`` or its ``sensors`` sub-folder does not exist.
    TimestampError
        When another city's folder is given without ``timezone``.

    Notes
    -----
    Reading the 46 sensor files of Quayford takes about 4 s; a fresh Python process
    peaks at about 320 MB (2.5 million readings, about 50 MB once loaded).
    """
    import json

    import pandas as pd

    from .._errors import SourceNotFoundError, TimestampError
    from ..loading import load

    if folder is None:
        base = root()
        zone = timezone or TIMEZONE
        city_name = name or NAME
    else:
        base = Path(folder).expanduser().resolve()
        if not base.is_dir():
            raise SourceNotFoundError(
                "The city folder does not exist.",
                found=str(base),
                fix="Give the folder that holds your city's 'sensors/' (and 'city/') "
                "folders, or None for the bundled teaching city.",
            )
        if timezone is None:
            raise TimestampError(
                "A city's time zone is needed for its local days and hours.",
                found=f"no timezone for {base}",
                fix="Pass the IANA zone, e.g. load_city(folder, timezone='Africa/Nairobi').",
            )
        zone = timezone
        city_name = name or base.name
    sensors = base / "sensors"
    if not sensors.is_dir():
        raise SourceNotFoundError(
            "The city folder has no 'sensors' sub-folder.",
            found=f"{base} holds: {', '.join(sorted(p.name for p in base.iterdir())) or 'nothing'}",
            fix="Put the sensor export files in a folder named 'sensors' inside it.",
        )
    data = load(sensors, progress=progress).with_timezone(zone)

    def part(*names: str) -> Path | None:
        return next((base / "city" / n for n in names if (base / "city" / n).is_file()), None)

    outlines = part("neighbourhoods.geojson")
    neighbourhoods: Any = None
    if outlines is not None:
        try:
            import geopandas
        except ImportError:  # pragma: no cover - geopandas is in the pinned environment
            neighbourhoods = json.loads(outlines.read_text(encoding="utf-8"))
        else:
            neighbourhoods = geopandas.read_file(outlines)
    demographics = part("demographics.csv.gz", "demographics.csv")
    stations = part("stations.csv.gz", "stations.csv")
    return TeachingCity(
        name=city_name,
        timezone=zone,
        data=data,
        neighbourhoods=neighbourhoods,
        demographics=None if demographics is None else pd.read_csv(demographics),
        stations=None if stations is None else pd.read_csv(stations),
        streets=part("streets.osm.gz", "streets.osm", "streets.osm.bz2"),
        folder=base,
    )


def ground_truth(name: str | None = None) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """Read the instructors' ground truth: the true values and the planted problems.

    Parameters
    ----------
    name
        One of ``true_pm_neighbourhoods``, ``true_pm_sensors``, ``weather``, ``traffic``,
        ``planted_problems``; ``None`` (default) reads them all.

    Returns
    -------
    pandas.DataFrame or dict of them
        Times (``time``, ``start``, ``end``) as UTC timestamps; hourly values are
        labelled with the start of their hour.

    Raises
    ------
    UnknownDatasetError
        For another name.
    """
    import pandas as pd

    if name is None:
        return {n: ground_truth(n) for n in _GROUND_TRUTH}  # type: ignore[misc]
    if name not in _GROUND_TRUTH:
        raise UnknownDatasetError(
            f"{name!r} is not part of the ground truth.",
            found="names: " + ", ".join(_GROUND_TRUTH),
            fix="Use one of those names, or ground_truth() for all of them.",
        )
    table = pd.read_csv(find(name))
    for column in ("time", "start", "end"):
        if column in table.columns:
            table[column] = pd.to_datetime(table[column], utc=True)
    return table


def generate(folder: str | Path | None = None, *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Make the teaching city's files (what ``python -m toolkit.datasets`` runs).

    Parameters
    ----------
    folder
        Where to write; by default the repository's ``datasets/`` folder.
    seed
        Random seed (default :data:`DEFAULT_SEED`, the one the bundled files were made
        with). The same seed gives byte-identical files with the same numpy and zlib.

    Returns
    -------
    dict
        Relative path -> size and SHA-256 of each file written (also in
        ``checksums.json``).
    """
    from ._generate import generate as _generate

    target = (
        Path(folder) if folder is not None else Path(__file__).resolve().parents[2] / "datasets"
    )
    return _generate(target, seed=seed)
