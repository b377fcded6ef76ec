"""Sensor.Community (formerly luftdaten.info): the daily archive, and sensors near a point.

No key is needed. Data are open under the Open Database License (ODbL 1.0) [1]_.

Archive
    ``https://archive.sensor.community/YYYY-MM-DD/YYYY-MM-DD_<type>_sensor_<id>.csv``: one
    ``;``-separated file per sensor and UTC day, written once a day (around 08:00 UTC)
    for the day before [2]_. The archive leaves out indoor sensors. Days of past years
    have been moved by the archive's keepers into year folders, some of them gzipped:
    ``<year>/YYYY-MM-DD/YYYY-MM-DD_<type>_sensor_<id>.csv.gz`` (seen in scripts that
    download them, not documented [C]). :func:`get_sensor_community` tries the
    documented address first, then these two, and remembers per year which one worked.
JSON API
    ``https://data.sensor.community/airrohr/v1/filter/area=<lat>,<lon>,<distance>``: the
    measurements of the last 5 minutes of every sensor within ``distance`` kilometres
    [2]_ (the unit is km as far as the wiki's examples show [M]). Use it to find the ids
    and types of the sensors near a place, then fetch their days from the archive.

The timestamps of both are UTC. Files are read by
:func:`toolkit.readers.read_sensor_community`.

References
----------
.. [1] Sensor.Community archive, ``00disclamer.md`` (licence: ODbL 1.0).
.. [2] Sensor.Community wiki, "EN-APIs", https://github.com/opendata-stuttgart/meta/wiki/EN-APIs
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .._errors import CoordinateError, SourceNotFoundError
from . import _cache, _common, _http
from ._errors import BUNDLED_DATA_HINT, FetchError

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from ..sensordata import SensorData

__all__ = [
    "API_URL",
    "ARCHIVE_URL",
    "MIN_INTERVAL",
    "get_sensor_community",
    "get_sensor_community_near",
]

#: Base address of the daily archive; pass ``base_url=`` to use another (a mirror, a test).
ARCHIVE_URL = "https://archive.sensor.community"
#: Base address of the JSON API (the ``data.`` host is the one meant for reading).
API_URL = "https://data.sensor.community"
#: Seconds between two requests to one host (a volunteer-run service: be gentle).
MIN_INTERVAL = 0.5

_FOLDER = "sensor_community"
_TYPE = re.compile(r"[a-z0-9_-]+")
_MAP = "https://maps.sensor.community"


def _clean_id(sensor_id: Any) -> str:
    text = str(sensor_id).strip()
    if text.startswith("sensorcommunity:"):
        text = text.split(":", 1)[1]
    if not text.isdigit():
        raise SourceNotFoundError(
            "A Sensor.Community sensor id is a number.",
            found=f"sensor_id={sensor_id!r}",
            fix=f"Use the number shown for the sensor on {_MAP} (for example 5331), or find "
            "ids near a place with get_sensor_community_near(latitude, longitude).",
        )
    return text


def _clean_type(sensor_type: str) -> str:
    text = str(sensor_type).strip().lower()
    if not _TYPE.fullmatch(text):
        raise SourceNotFoundError(
            "A Sensor.Community sensor type is a short name such as 'sds011'.",
            found=f"sensor_type={sensor_type!r}",
            fix="Use the type as in the archive's file names: sds011, pms7003, sps30, "
            "bme280, dht22, htu21d, ds18b20, bmp280 ... (see the sensor on the map).",
        )
    return text


def _candidates(base: str, day: str, name: str) -> list[tuple[str, str]]:
    """(URL, local file name) for one day, in the order they are tried."""
    year = day[:4]
    return [
        (f"{base}/{day}/{name}.csv", f"{name}.csv"),
        (f"{base}/{year}/{day}/{name}.csv.gz", f"{name}.csv.gz"),
        (f"{base}/{year}/{day}/{name}.csv", f"{name}.csv"),
    ]


def get_sensor_community(
    sensor_id: int | str,
    sensor_type: str,
    start: Any,
    end: Any = None,
    *,
    cache_folder: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    load: bool = True,
    progress: bool | None = None,
    base_url: str | None = None,
    min_interval: float | None = None,
) -> SensorData | list[Path]:
    """Download the archive files of one Sensor.Community sensor for a period.

    Parameters
    ----------
    sensor_id
        The sensor's number (as on https://maps.sensor.community), for example ``5331``.
        Note that a device with a PM sensor and a weather sensor has one id for each.
    sensor_type
        The sensor type as in the archive's file names, for example ``"sds011"`` or
        ``"bme280"`` (case does not matter).
    start, end
        The period, ``start <= time < end``, as dates or times (strings without an offset
        are UTC). Every UTC day that overlaps it is downloaded whole: files are per day,
        and nothing is cut off. ``end`` defaults to one day after ``start``.
    cache_folder
        Where to keep the files (absolute after ``~`` expansion); default
        ``toolkit.fetch.settings.cache_folder``, see :mod:`toolkit.fetch.settings`.
    refresh
        Download again even when a day's file is already in the cache. Archive files do
        not change once written, so this is rarely needed.
    load
        ``True`` (default): return a :class:`~toolkit.SensorData`. ``False``: return the
        list of local file paths, to read later with :func:`toolkit.load`.
    progress
        Show a progress bar; by default when more than one day is asked for.
    base_url
        Another archive address (default :data:`ARCHIVE_URL`).
    min_interval
        Seconds between two requests (default :data:`MIN_INTERVAL`).

    Returns
    -------
    SensorData or list of pathlib.Path
        The readings of every day found, read by
        :func:`~toolkit.readers.read_sensor_community`. Each ledger record notes the URL
        and the time of the download; days with no file in the archive are ledger records
        with ``status="skipped"`` and the reason.

    Raises
    ------
    SourceNotFoundError
        If no day of the period has a file (wrong id, type, or dates).
    OfflineError, FetchError
        If the archive cannot be reached, or keeps failing.

    Examples
    --------
    >>> from toolkit.fetch import get_sensor_community
    >>> data = get_sensor_community(5331, "sds011", "2024-03-01", "2024-03-08")  # doctest: +SKIP
    >>> data.ledger                     # which days came from where  # doctest: +SKIP
    """
    import pandas as pd

    sid, kind = _clean_id(sensor_id), _clean_type(sensor_type)
    first, last = _common.utc_window(start, end)
    base = (base_url or ARCHIVE_URL).rstrip("/")
    interval = MIN_INTERVAL if min_interval is None else float(min_interval)
    folder = _cache.cache_folder(cache_folder) / _FOLDER / "archive"
    days = _common.utc_days(first, last)
    today = pd.Timestamp.now(tz="UTC").normalize()
    preferred: dict[str, int] = {}
    paths: list[Path] = []
    fresh: list[Path] = []
    skipped: list[_common.Skipped] = []
    for day_stamp in _common.progress(days, desc=f"Sensor.Community {sid}", show=progress):
        day = day_stamp.strftime("%Y-%m-%d")
        name = f"{day}_{kind}_sensor_{sid}"
        candidates = _candidates(base, day, name)
        cached = [folder / local for _, local in candidates if (folder / local).is_file()]
        if cached and not refresh:
            paths.append(cached[0])
            continue
        if day_stamp >= today:
            reason = "not archived yet: the archive writes each day's file the next morning (UTC)"
            skipped.append(_common.Skipped(candidates[0][0], reason))
            continue
        first_try = preferred.get(day[:4], 0)
        order = [first_try, *(i for i in range(len(candidates)) if i != first_try)]
        got = None
        for index in order:
            url, local = candidates[index]
            request = _http.Request(url, label="Sensor.Community archive", min_interval=interval)
            got = _http.download(request, folder / local, missing_ok=True)
            if got is not None:
                preferred[day[:4]] = index
                break
        if got is None:
            skipped.append(
                _common.Skipped(
                    candidates[0][0],
                    f"no archive file for {day} (HTTP 404 at the archive's addresses): the "
                    "sensor sent nothing that day, or the day is not archived yet (files "
                    "appear the next morning, UTC)",
                )
            )
            continue
        paths.append(got)
        fresh.append(got)
    if not paths:
        day = f"{days[0]:%Y-%m-%d}"
        example = _candidates(base, day, f"{day}_{kind}_sensor_{sid}")
        raise SourceNotFoundError(
            f"The Sensor.Community archive has no file for sensor {sid} ({kind}) in this period.",
            found=f"{len(days)} day(s) from {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d} UTC, "
            f"e.g. {example[0][0]}",
            fix=f"Check the id and the type on {_MAP} (one device has an id per sensor: "
            "the PM sensor and the weather sensor differ), and that the sensor was running "
            "then. " + BUNDLED_DATA_HINT,
        )
    if not load:
        return paths
    return _common.load_with_provenance(
        paths, source="sensor_community", fresh=fresh, skipped=skipped
    )


def get_sensor_community_near(
    latitude: float,
    longitude: float,
    *,
    radius_km: float = 1.0,
    cache_folder: str | os.PathLike[str] | None = None,
    load: bool = True,
    base_url: str | None = None,
    min_interval: float | None = None,
) -> SensorData | list[Path]:
    """Download the latest readings of the Sensor.Community sensors near a point.

    The answer covers the last 5 minutes only: use it to see which sensors are near and
    running (``data.sensors``: ids, types, positions, indoor/outdoor), then download
    their history with :func:`get_sensor_community`.

    Parameters
    ----------
    latitude, longitude
        The point, in degrees (WGS 84).
    radius_km
        Distance from the point, in kilometres [M].
    cache_folder
        Where to keep the answer (see :func:`get_sensor_community`). Each call downloads
        afresh (the data are live); the file name carries the UTC time of the call.
    load
        ``True`` (default): return a :class:`~toolkit.SensorData`; ``False``: the path.
    base_url
        Another API address (default :data:`API_URL`).
    min_interval
        Seconds between two requests (default :data:`MIN_INTERVAL`).

    Returns
    -------
    SensorData or list of pathlib.Path
        Read by :func:`~toolkit.readers.read_sensor_community` (sensor ids
        ``sensorcommunity:<id>``, the type in ``model``); the ledger notes the URL and time.

    Raises
    ------
    CoordinateError
        If the point or the radius is impossible.
    SourceNotFoundError
        If no sensor reported within the radius in the last 5 minutes.
    OfflineError, FetchError
        If the API cannot be reached, or keeps failing.

    Examples
    --------
    >>> near = get_sensor_community_near(48.778, 9.180, radius_km=2)  # doctest: +SKIP
    >>> near.sensors[["sensor_id", "model", "latitude", "longitude"]]  # doctest: +SKIP
    """
    import pandas as pd

    lat, lon, radius = float(latitude), float(longitude), float(radius_km)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not radius > 0:
        raise CoordinateError(
            "The point or the radius is impossible.",
            found=f"latitude={latitude!r}, longitude={longitude!r}, radius_km={radius_km!r}",
            fix="Latitude is between -90 and 90, longitude between -180 and 180 (degrees), "
            "and the radius is a positive number of kilometres.",
        )
    base = (base_url or API_URL).rstrip("/")
    interval = MIN_INTERVAL if min_interval is None else float(min_interval)
    url = f"{base}/airrohr/v1/filter/area={lat:.5f},{lon:.5f},{radius:g}"
    request = _http.Request(url, label="Sensor.Community API", min_interval=interval)
    body = _http.fetch_bytes(request) or b""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FetchError(
            "The Sensor.Community API did not answer with JSON.",
            found=f"{body[:120]!r} from {request.shown_url}",
            fix="Try again in a minute; the service may be restarting. " + BUNDLED_DATA_HINT,
        ) from None
    if not isinstance(payload, list) or not payload:
        raise SourceNotFoundError(
            "No Sensor.Community sensor reported near this point in the last 5 minutes.",
            found=f"{request.shown_url} answered {str(payload)[:80]}",
            fix="Try a larger radius_km, or check the point (latitude first, then "
            f"longitude) on {_MAP}.",
        )
    now = pd.Timestamp.now(tz="UTC")
    name = f"near_{lat:.5f}_{lon:.5f}_{radius:g}km_{now:%Y%m%dT%H%M%SZ}.json"
    path = _cache.cache_folder(cache_folder) / _FOLDER / "near" / name
    _cache.write_atomic(path, body)
    _cache.write_source_note(path, url=request.shown_url)
    if not load:
        return [path]
    return _common.load_with_provenance([path], source="sensor_community", fresh=[path])
