"""OpenAQ v3: the measurements of one sensor, page by page.

``GET https://api.openaq.org/v3/sensors/{id}/hours`` (hourly means) or
``.../measurements`` (values as the provider reported them), with the query parameters
``datetime_from``, ``datetime_to``, ``limit`` and ``page`` [1]_. A key is required, sent
in the ``X-API-Key`` header and read from the environment variable ``OPENAQ_API_KEY``.

An OpenAQ *sensor* measures one parameter at one location (a location has several
sensors); find sensor ids on https://explore.openaq.org or with ``/v3/locations/{id}``.

The pages of one request are merged into one JSON file with the API's own shape
(``{"meta": ..., "results": [...]}``), read by :func:`toolkit.readers.read_openaq`, which
stores each value at the *start* of its period (``period.datetimeFrom``).

References
----------
.. [1] OpenAQ API documentation, "Measurements" and the v3 API reference,
   https://docs.openaq.org/resources/measurements
"""

from __future__ import annotations

import json
import math
import urllib.parse
from typing import TYPE_CHECKING, Any

from .._errors import SourceNotFoundError
from . import _cache, _common, _http, _keys
from ._errors import BUNDLED_DATA_HINT, FetchError

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from ..sensordata import SensorData

__all__ = ["KINDS", "MIN_INTERVAL", "OPENAQ_URL", "PAGE_LIMIT", "get_openaq"]

#: Base address of the API; pass ``base_url=`` to use another.
OPENAQ_URL = "https://api.openaq.org"
#: Seconds between two requests; OpenAQ allows about 60 requests a minute per key [M].
MIN_INTERVAL = 1.0
#: Results asked for per page (the largest page the API serves [M]).
PAGE_LIMIT = 1000
#: Pages fetched at most for one call (a million results): a guard against endless loops.
MAX_PAGES = 1000
#: The resources of a sensor that can be downloaded.
KINDS = ("hours", "measurements")

_FOLDER = "openaq"


def _iso(stamp: Any) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def get_openaq(
    sensor_id: int | str,
    start: Any,
    end: Any = None,
    *,
    kind: str = "hours",
    cache_folder: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    load: bool = True,
    progress: bool | None = None,
    base_url: str | None = None,
    min_interval: float | None = None,
) -> SensorData | list[Path]:
    """Download the values of one OpenAQ sensor for a period (needs ``OPENAQ_API_KEY``).

    Parameters
    ----------
    sensor_id
        The OpenAQ **sensor** id (not the location id), for example ``3917``.
    start, end
        The period, ``start <= time < end`` (strings without an offset are UTC);
        ``end`` defaults to one day after ``start``.
    kind
        ``"hours"`` (default): hourly means. ``"measurements"``: the values as reported.
    cache_folder
        Where to keep the file (see :mod:`toolkit.fetch.settings`).
    refresh
        Download again even if the cache has this period. Without it, a cached file is
        reused only if it was downloaded after the period ended (so it was complete).
    load
        ``True`` (default): return a :class:`~toolkit.SensorData`; ``False``: the path.
    progress
        Show a progress bar over the pages; by default when there is more than one.
    base_url
        Another API address (default :data:`OPENAQ_URL`).
    min_interval
        Seconds between two requests (default :data:`MIN_INTERVAL`).

    Returns
    -------
    SensorData or list of pathlib.Path
        Read by :func:`~toolkit.readers.read_openaq` with sensor id
        ``openaq:sensor-<id>``; values stored at the start of their period. The ledger
        notes the URL (no key) and the time of the download.

    Raises
    ------
    ApiKeyError
        If ``OPENAQ_API_KEY`` is not set, or OpenAQ refuses the key.
    SourceNotFoundError
        If OpenAQ has no values for this sensor and period.
    OfflineError, FetchError
        If the API cannot be reached, or keeps failing.

    Examples
    --------
    >>> import os, getpass
    >>> os.environ["OPENAQ_API_KEY"] = getpass.getpass("OpenAQ key: ")  # doctest: +SKIP
    >>> data = get_openaq(3917, "2024-03-01", "2024-03-08")  # doctest: +SKIP
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}.")
    sid = str(sensor_id).strip().removeprefix("openaq:sensor-")
    if not sid.isdigit():
        raise SourceNotFoundError(
            "An OpenAQ sensor id is a number.",
            found=f"sensor_id={sensor_id!r}",
            fix="Find the sensor ids of a location on https://explore.openaq.org (each "
            "parameter of a location has its own sensor id).",
        )
    first, last = _common.utc_window(start, end)
    folder = _cache.cache_folder(cache_folder) / _FOLDER
    path = folder / f"sensor-{sid}_{kind}_{_common.stamp(first)}_{_common.stamp(last)}.json"
    if not refresh and path.is_file():
        when = _cache.downloaded_at(path)
        if when is not None and when >= last.to_pydatetime():
            return [path] if not load else _load(path, sid, fresh=False)

    key = _keys.api_key("openaq")
    base = (base_url or OPENAQ_URL).rstrip("/")
    interval = MIN_INTERVAL if min_interval is None else float(min_interval)
    results: list[Any] = []
    meta: dict[str, Any] = {}
    bar = None
    first_url = ""
    for page in range(1, MAX_PAGES + 1):
        query = urllib.parse.urlencode(
            {
                "datetime_from": _iso(first),
                "datetime_to": _iso(last),
                "limit": PAGE_LIMIT,
                "page": page,
            }
        )
        request = _http.Request(
            f"{base}/v3/sensors/{sid}/{kind}?{query}",
            headers={"X-API-Key": key, "Accept": "application/json"},
            source="openaq",
            label="OpenAQ",
            min_interval=interval,
        )
        first_url = first_url or request.shown_url
        payload = _json(_http.fetch_bytes(request) or b"", request)
        chunk = payload.get("results")
        if not isinstance(chunk, list):
            raise FetchError(
                "The OpenAQ answer has no 'results' list.",
                found=f"keys {list(payload)[:8]} from {request.shown_url}",
                fix="Check the sensor id and kind=; try again later. " + BUNDLED_DATA_HINT,
            )
        results.extend(chunk)
        page_meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
        meta = meta or dict(page_meta)
        found = page_meta.get("found")
        if len(chunk) < PAGE_LIMIT or (isinstance(found, int) and len(results) >= found):
            break
        if bar is None and progress is not False:
            total = math.ceil(found / PAGE_LIMIT) if isinstance(found, int) else None
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=1, desc=f"OpenAQ sensor {sid}", unit="page")
        elif bar is not None:
            bar.update(1)
    else:
        raise FetchError(
            f"OpenAQ sensor {sid} has more than {MAX_PAGES * PAGE_LIMIT} values in this period.",
            found=f"{MAX_PAGES} pages of {PAGE_LIMIT}",
            fix="Ask for a shorter period, or kind='hours' instead of 'measurements'.",
        )
    if bar is not None:
        bar.update(1)
        bar.close()
    if not results:
        raise SourceNotFoundError(
            f"OpenAQ has no {kind} for sensor {sid} in this period.",
            found=f"{_iso(first)} to {_iso(last)}: 0 results ({first_url})",
            fix="Check that this is a sensor id (not a location id) and the dates the "
            "sensor was reporting (datetimeFirst/datetimeLast on its page). " + BUNDLED_DATA_HINT,
        )
    meta.update({"page": 1, "limit": len(results), "found": len(results)})
    body = json.dumps({"meta": meta, "results": results}).encode("utf-8")
    _cache.write_atomic(path, body)
    _cache.write_source_note(path, url=first_url, pages=page)
    if not load:
        return [path]
    return _load(path, sid, fresh=True)


def _json(body: bytes, request: _http.Request) -> dict[str, Any]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        raise FetchError(
            "OpenAQ did not answer with a JSON object.",
            found=_keys.redact(f"{body[:120]!r} from {request.shown_url}", request.secrets),
            fix="Try again in a minute. " + BUNDLED_DATA_HINT,
        )
    return payload


def _load(path: Path, sid: str, *, fresh: bool) -> SensorData:
    return _common.load_with_provenance(
        [path], source="openaq", fresh=[path] if fresh else [], sensor_id=sid
    )
