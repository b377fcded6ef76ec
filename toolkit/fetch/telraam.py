"""Telraam: the traffic report of one road segment (or camera).

``POST https://telraam-api.net/v1/reports/traffic`` with a JSON body
``{"level": "segments", "format": "per-hour", "id": ..., "time_start": ..., "time_end":
...}`` [1]_. A key is required, sent in the ``X-Api-Key`` header and read from the
environment variable ``TELRAAM_API_KEY``. The period is closed-open (``time_end`` is not
included) and **one call covers at most three months**, so longer periods are split
into pieces of at most three calendar months and at most 90 days (whichever is shorter,
so the limit holds however it is counted). Each piece is one JSON file in the cache,
read by :func:`toolkit.readers.read_telraam`.

References
----------
.. [1] Telraam API documentation, https://telraam-api.net (``/v1/reports/traffic``);
   telraamR (R package, ``read_telraam_traffic``): closed-open periods.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._errors import SourceNotFoundError
from . import _cache, _common, _http, _keys
from ._errors import BUNDLED_DATA_HINT, FetchError

if TYPE_CHECKING:
    import os
    from pathlib import Path

    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["API_URL", "LEVELS", "MIN_INTERVAL", "REPORTS", "get_telraam"]

#: Base address of the API; pass ``base_url=`` to use another.
API_URL = "https://telraam-api.net"
#: Seconds between two requests.
MIN_INTERVAL = 1.0
#: ``segments``: a road segment (all its cameras); ``instances``: one camera.
LEVELS = ("segments", "instances")
#: ``per-hour`` for every camera; ``per-quarter`` for Telraam S2 with an advanced key [C].
REPORTS = ("per-hour", "per-quarter")

_FOLDER = "telraam"


def _piece_end(start: pd.Timestamp) -> pd.Timestamp:
    import pandas as pd

    return min(start + pd.DateOffset(months=3), start + pd.Timedelta(days=90))


def _time(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M:%SZ")


def get_telraam(
    segment_id: int | str,
    start: Any,
    end: Any = None,
    *,
    level: str = "segments",
    report: str = "per-hour",
    cache_folder: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    load: bool = True,
    progress: bool | None = None,
    base_url: str | None = None,
    min_interval: float | None = None,
) -> SensorData | list[Path]:
    """Download the traffic counts of one Telraam segment (needs ``TELRAAM_API_KEY``).

    Parameters
    ----------
    segment_id
        The segment id (the number in the segment's address on telraam.net), or a
        camera (instance) id with ``level="instances"``.
    start, end
        The period, ``start <= time < end`` (strings without an offset are UTC);
        ``end`` defaults to one day after ``start``. Periods longer than three months
        are split into several calls.
    level
        ``"segments"`` (default) or ``"instances"``.
    report
        ``"per-hour"`` (default) or ``"per-quarter"`` (Telraam S2, advanced key).
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
        Read by :func:`~toolkit.readers.read_telraam` (counts per hour, uptime, v85;
        sensor id ``telraam:<segment>``). The ledger notes each request (no key) and
        download time; pieces without intervals are ``skipped`` records.

    Raises
    ------
    ApiKeyError
        If ``TELRAAM_API_KEY`` is not set, or Telraam refuses the key.
    SourceNotFoundError
        If no piece of the period has any interval.
    OfflineError, FetchError
        If the API cannot be reached, keeps failing, or answers with an error.

    Examples
    --------
    >>> import os, getpass
    >>> os.environ["TELRAAM_API_KEY"] = getpass.getpass("Telraam key: ")  # doctest: +SKIP
    >>> data = get_telraam(9000001234, "2024-01-01", "2024-07-01")  # doctest: +SKIP
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(repr, LEVELS))}, not {level!r}.")
    if report not in REPORTS:
        raise ValueError(f"report must be one of {', '.join(map(repr, REPORTS))}, not {report!r}.")
    sid = str(segment_id).strip().removeprefix("telraam:")
    if not sid.isdigit():
        raise SourceNotFoundError(
            "A Telraam segment id is a number.",
            found=f"segment_id={segment_id!r}",
            fix="Open the segment on https://telraam.net: its id is the number in the address.",
        )
    first, last = _common.utc_window(start, end)
    pieces = _common.split_window(first, last, step=_piece_end)
    folder = _cache.cache_folder(cache_folder) / _FOLDER
    url = f"{(base_url or API_URL).rstrip('/')}/v1/reports/traffic"
    interval = MIN_INTERVAL if min_interval is None else float(min_interval)
    paths: list[Path] = []
    fresh: list[Path] = []
    skipped: list[_common.Skipped] = []
    for a, b in _common.progress(pieces, desc=f"Telraam {sid}", show=progress):
        path = folder / f"{level}-{sid}_{report}_{_common.stamp(a)}_{_common.stamp(b)}.json"
        if not refresh and path.is_file():
            when = _cache.downloaded_at(path)
            if when is not None and when >= b.to_pydatetime():
                paths.append(path)
                continue
        query = {
            "level": level,
            "format": report,
            "id": sid,
            "time_start": _time(a),
            "time_end": _time(b),
        }
        request = _http.Request(
            url,
            method="POST",
            headers={"X-Api-Key": _keys.api_key("telraam"), "Content-Type": "application/json"},
            body=json.dumps(query).encode("utf-8"),
            source="telraam",
            label="Telraam",
            min_interval=interval,
        )
        shown = f"{request.shown_url} (POST {json.dumps(query)})"
        body = _http.fetch_bytes(request) or b""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("report"), list):
            said = payload.get("message") if isinstance(payload, dict) else body[:200]
            raise FetchError(
                "Telraam answered without a traffic report.",
                found=_keys.redact(f"{said!r} for {shown}", request.secrets),
                fix="Check the id and level= (a segment id with level='segments'). "
                + BUNDLED_DATA_HINT,
            )
        if not payload["report"]:
            skipped.append(_common.Skipped(shown, "Telraam has no intervals for this period"))
            continue
        _cache.write_atomic(path, body)
        _cache.write_source_note(path, url=shown, method="POST")
        paths.append(path)
        fresh.append(path)
    if not paths:
        raise SourceNotFoundError(
            f"Telraam has no traffic report for {level[:-1]} {sid} in this period.",
            found=f"{len(pieces)} request(s) from {_time(first)} to {_time(last)}, all empty",
            fix="Check the id and the dates its camera was active. " + BUNDLED_DATA_HINT,
        )
    if not load:
        return paths
    return _common.load_with_provenance(paths, source="telraam", fresh=fresh, skipped=skipped)
