"""PurpleAir API v1: the history of one sensor, as CSV.

``GET https://api.purpleair.com/v1/sensors/{sensor_index}/history/csv`` with the query
parameters ``fields`` (comma-separated), ``start_timestamp`` and ``end_timestamp`` (Unix
seconds) and ``average`` (minutes: 0 = every ~2-minute reading, 10, 30, 60, 360, 1440,
10080, 44640, 525600) [1]_. A READ key is required, sent in the ``X-API-Key`` header and
read from the environment variable ``PURPLEAIR_API_KEY``. History requests cost API
points; ask for the fields you need.

The API serves a limited span per request, longer for coarser averages; a longer period
is split into pieces of at most :data:`MAX_DAYS` (2 days of raw readings ... 14 days of
hourly means ...; the values come from PurpleAir's API documentation as remembered, not
re-checked [M]; ``chunk_days=`` overrides them). Each piece is one CSV file in the cache,
read by :func:`toolkit.readers.read_purpleair` (which sorts the rows: the API does not).

References
----------
.. [1] PurpleAir API documentation, "Get Sensor History (CSV)", https://api.purpleair.com;
   AirSensor2 (MazamaScience), ``R/PurpleAir_API.R``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from typing import TYPE_CHECKING, Any

from .._errors import SourceNotFoundError
from . import _cache, _common, _http, _keys
from ._errors import BUNDLED_DATA_HINT, FetchError

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from pathlib import Path

    from ..sensordata import SensorData

__all__ = [
    "API_URL",
    "AVERAGES",
    "DEFAULT_FIELDS",
    "MAX_DAYS",
    "MIN_INTERVAL",
    "get_purpleair",
]

#: Base address of the API; pass ``base_url=`` to use another.
API_URL = "https://api.purpleair.com"
#: Seconds between two requests.
MIN_INTERVAL = 1.0
#: The averaging periods the API offers, in minutes (0 = no averaging).
AVERAGES = (0, 10, 30, 60, 360, 1440, 10080, 44640, 525600)
#: Longest span asked for in one request, in days, per averaging period [M].
MAX_DAYS = {0: 2, 10: 3, 30: 7, 60: 14, 360: 90, 1440: 365, 10080: 1825, 44640: 7300, 525600: 36500}
#: Fields asked for by default: PM2.5 of both channels in both calibrations (what the
#: A/B check and the US EPA correction need), humidity and temperature.
DEFAULT_FIELDS = (
    "pm2.5_atm_a",
    "pm2.5_atm_b",
    "pm2.5_cf_1_a",
    "pm2.5_cf_1_b",
    "humidity",
    "temperature",
)

_FOLDER = "purpleair"


def get_purpleair(
    sensor_index: int | str,
    start: Any,
    end: Any = None,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    average: int = 60,
    chunk_days: float | None = None,
    cache_folder: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    load: bool = True,
    progress: bool | None = None,
    base_url: str | None = None,
    min_interval: float | None = None,
) -> SensorData | list[Path]:
    """Download the history of one PurpleAir sensor (needs ``PURPLEAIR_API_KEY``).

    Parameters
    ----------
    sensor_index
        The sensor's index, as in ``?select=<index>`` of its PurpleAir map address.
    start, end
        The period, ``start <= time < end`` (strings without an offset are UTC);
        ``end`` defaults to one day after ``start``.
    fields
        The API fields to ask for (default :data:`DEFAULT_FIELDS`); ``_a``/``_b`` are the
        two channels. Temperature comes in °F and is converted by the reader.
    average
        Averaging period in minutes, one of :data:`AVERAGES`; default 60 (hourly).
    chunk_days
        Longest span of one request, in days; default from :data:`MAX_DAYS`.
    cache_folder
        Where to keep the files (see :mod:`toolkit.fetch.settings`).
    refresh
        Download again even if the cache has a piece. Without it, a cached piece is
        reused only if it was downloaded after the piece's period ended.
    load
        ``True`` (default): return a :class:`~toolkit.SensorData`; ``False``: the paths.
    progress
        Show a progress bar; by default when there is more than one piece.
    base_url
        Another API address (default :data:`API_URL`).
    min_interval
        Seconds between two requests (default :data:`MIN_INTERVAL`).

    Returns
    -------
    SensorData or list of pathlib.Path
        Read by :func:`~toolkit.readers.read_purpleair` (channels ``A``/``B``, sensor id
        ``purpleair:<index>``). The ledger notes each URL (no key) and download time;
        pieces without rows are ``skipped`` records.

    Raises
    ------
    ApiKeyError
        If ``PURPLEAIR_API_KEY`` is not set, or PurpleAir refuses the key.
    SourceNotFoundError
        If no piece of the period has any row.
    OfflineError, FetchError
        If the API cannot be reached, keeps failing, or answers with an error.

    Examples
    --------
    >>> import os, getpass
    >>> os.environ["PURPLEAIR_API_KEY"] = getpass.getpass("PurpleAir READ key: ")  # doctest: +SKIP
    >>> data = get_purpleair(95189, "2024-03-01", "2024-03-15", average=60)  # doctest: +SKIP
    """
    if average not in AVERAGES:
        raise ValueError(
            f"average must be one of {', '.join(map(str, AVERAGES))} minutes, not {average!r}."
        )
    index = str(sensor_index).strip().removeprefix("purpleair:")
    if not index.isdigit():
        raise SourceNotFoundError(
            "A PurpleAir sensor index is a number.",
            found=f"sensor_index={sensor_index!r}",
            fix="Open the sensor on https://map.purpleair.com: its index is the number "
            "after 'select=' in the address.",
        )
    names = [str(f).strip() for f in ([fields] if isinstance(fields, str) else fields)]
    if not names or not all(names):
        raise ValueError("fields must name at least one PurpleAir field, e.g. 'pm2.5_atm_a'.")
    import pandas as pd

    first, last = _common.utc_window(start, end)
    span = pd.Timedelta(days=float(chunk_days) if chunk_days else MAX_DAYS[average])
    pieces = _common.split_window(first, last, step=span)
    folder = _cache.cache_folder(cache_folder) / _FOLDER
    tag = hashlib.sha256(",".join(names).encode()).hexdigest()[:8]
    base = (base_url or API_URL).rstrip("/")
    interval = MIN_INTERVAL if min_interval is None else float(min_interval)
    paths: list[Path] = []
    fresh: list[Path] = []
    skipped: list[_common.Skipped] = []
    for a, b in _common.progress(pieces, desc=f"PurpleAir {index}", show=progress):
        name = f"sensor-{index}_avg{average}_{_common.stamp(a)}_{_common.stamp(b)}_{tag}.csv"
        path = folder / name
        if not refresh and path.is_file():
            when = _cache.downloaded_at(path)
            if when is not None and when >= b.to_pydatetime():
                paths.append(path)
                continue
        query = urllib.parse.urlencode(
            {
                "fields": ",".join(names),
                "start_timestamp": int(a.timestamp()),
                "end_timestamp": int(b.timestamp()),
                "average": average,
            },
            safe=",",
        )
        request = _http.Request(
            f"{base}/v1/sensors/{index}/history/csv?{query}",
            headers={"X-API-Key": _keys.api_key("purpleair")},
            source="purpleair",
            label="PurpleAir",
            min_interval=interval,
        )
        body = _http.fetch_bytes(request) or b""
        text = body.decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
        if text.startswith("{"):
            raise FetchError(
                "PurpleAir answered with an error instead of data.",
                found=_keys.redact(" ".join(text.split())[:300], request.secrets),
                fix="Check the sensor index, the fields and your API points. " + BUNDLED_DATA_HINT,
            )
        if len([line for line in text.splitlines() if line.strip()]) < 2:
            skipped.append(
                _common.Skipped(request.shown_url, "PurpleAir has no rows for this period")
            )
            continue
        _cache.write_atomic(path, body)
        _cache.write_source_note(path, url=request.shown_url)
        paths.append(path)
        fresh.append(path)
    if not paths:
        raise SourceNotFoundError(
            f"PurpleAir has no history for sensor {index} in this period.",
            found=f"{len(pieces)} request(s) from {first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M} UTC, all without rows",
            fix="Check the sensor index and the dates the sensor was online. " + BUNDLED_DATA_HINT,
        )
    if not load:
        return paths
    return _common.load_with_provenance(paths, source="purpleair", fresh=fresh, skipped=skipped)
