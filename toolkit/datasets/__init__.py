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
    demographics: pd.DataFrame
    stations: pd.DataFrame
    streets: Path
    folder: Path

    def __repr__(self) -> str:
        return (
            f"<TeachingCity {self.name} (synthetic): {len(self.neighbourhoods)} "
            f"neighbourhoods, {len(self.stations)} instruments, {len(self.data):,} readings, "
            f"zone {self.timezone}>"
        )


def load_city(*, progress: bool = False) -> TeachingCity:
    """Load the whole teaching city in one call.

    Parameters
    ----------
    progress
        Show a progress bar while reading the sensor files.

    Returns
    -------
    TeachingCity
        Sensor data (with the city's time zone), neighbourhoods, demographics, stations
        and the street network's path. Ground truth is not included: see
        :func:`ground_truth`.

    Notes
    -----
    Reading the 46 sensor files takes about 4 s; a fresh Python process peaks at about
    320 MB (2.5 million readings, about 50 MB once loaded).
    """
    import json

    import pandas as pd

    from ..loading import load

    data = load(find("sensors"), progress=progress).with_timezone(TIMEZONE)
    try:
        import geopandas
    except ImportError:  # pragma: no cover - geopandas is in the pinned environment
        neighbourhoods: Any = json.loads(find("neighbourhoods").read_text(encoding="utf-8"))
    else:
        neighbourhoods = geopandas.read_file(find("neighbourhoods"))
    return TeachingCity(
        name=NAME,
        timezone=TIMEZONE,
        data=data,
        neighbourhoods=neighbourhoods,
        demographics=pd.read_csv(find("demographics")),
        stations=pd.read_csv(find("stations")),
        streets=find("streets"),
        folder=root(),
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
