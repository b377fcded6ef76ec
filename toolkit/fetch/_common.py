"""What the fetchers share: times, periods, progress bars, and loading with provenance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import TimestampError
from ..ledger import FileRecord, Ledger
from ._cache import downloaded_at, read_source_note

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import pandas as pd

    from ..sensordata import SensorData

__all__ = [
    "Skipped",
    "load_with_provenance",
    "progress",
    "utc_window",
]

TimeLike = str | date | datetime


def _utc(value: Any, name: str) -> pd.Timestamp:
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or stamp is pd.NaT:
        raise TimestampError(
            f"{name} is not a date or time.",
            found=f"{name}={value!r}",
            fix=f'Write it as ISO 8601, for example {name}="2024-03-01" or '
            f'{name}="2024-03-01T06:00" (UTC), or "2024-03-01T06:00+01:00" with an offset.',
        )
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def utc_window(start: Any, end: Any | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return ``(start, end)`` as UTC timestamps, ``start <= time < end``.

    Times without an offset are read as UTC. ``end`` defaults to one day after
    ``start``.

    Raises
    ------
    TimestampError
        If a value is not a time, or ``end`` is not after ``start``.
    """
    import pandas as pd

    first = _utc(start, "start")
    last = first + pd.Timedelta(days=1) if end is None else _utc(end, "end")
    if last <= first:
        raise TimestampError(
            "The end of the period must be after its start.",
            found=f"start={first.isoformat()}, end={last.isoformat()}",
            fix="The period is start <= time < end: to get 1 March 2024 only, write "
            'start="2024-03-01", end="2024-03-02".',
        )
    return first, last


def split_window(
    start: pd.Timestamp, end: pd.Timestamp, *, step: Any
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Cut ``[start, end)`` into consecutive pieces no longer than ``step``.

    ``step`` is a ``pandas.Timedelta`` or a ``pandas.DateOffset`` (calendar months), or a
    function from a piece's start to its latest allowed end.
    """
    pieces = []
    here = start
    while here < end:
        limit = step(here) if callable(step) else here + step
        there = min(limit, end)
        pieces.append((here, there))
        here = there
    return pieces


def progress(items: Sequence[Any], *, desc: str, show: bool | None) -> Iterable[Any]:
    """Wrap ``items`` in a ``tqdm.auto`` bar when ``show`` (default: two items or more)."""
    if show is None:
        show = len(items) > 1
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="file")


def stamp(value: pd.Timestamp) -> str:
    """Return a compact UTC time for file names: ``20240301T0000Z``."""
    return value.strftime("%Y%m%dT%H%MZ")


class Skipped:
    """A request that gave no file (nothing for that day or period), for the ledger."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason

    def record(self) -> FileRecord:
        """Return the ledger record of this request (status ``skipped``)."""
        return FileRecord(path=self.url, status="skipped", error=self.reason)


def _provenance(path: Path, fresh: set[Path]) -> str:
    note = read_source_note(path) or {}
    url = note.get("url", "an unknown address")
    when = downloaded_at(path)
    moment = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if when else "unknown"
    how = "downloaded now" if path in fresh else "reused from the download cache"
    return f"Downloaded from {url} at {moment} ({how}; file {path})."


def load_with_provenance(
    paths: Sequence[Path],
    *,
    source: str,
    fresh: Iterable[Path] = (),
    skipped: Sequence[Skipped] = (),
    **options: Any,
) -> SensorData:
    """Read downloaded files with :func:`toolkit.load`, noting where each came from.

    Each ledger record gets a note with the URL (without any key) and the time of the
    download; requests that gave nothing are added as ``skipped`` records with the reason.
    """
    from ..loading import load
    from ..sensordata import SensorData

    data = load([Path(p) for p in paths], source=source, progress=False, **options)
    fresh_set = {Path(p) for p in fresh}
    by_name: dict[str, Path] = {}
    for path in paths:
        by_name[str(path)] = Path(path)
        if str(path).endswith(".gz"):
            by_name[str(path)[:-3]] = Path(path)
    records = []
    for record in data.ledger:
        kept = record.copy()
        origin = by_name.get(record.path.split("::", 1)[0])
        if origin is not None:
            kept.note(_provenance(origin, fresh_set))
        records.append(kept)
    records.extend(item.record() for item in skipped)
    return SensorData(data.readings, data.sensors, Ledger(records), data.history)


def _iter_days(start: pd.Timestamp, end: pd.Timestamp) -> Iterator[pd.Timestamp]:
    import pandas as pd

    day = start.normalize()
    while day < end:
        yield day
        day = day + pd.Timedelta(days=1)


def utc_days(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """Return the UTC days (midnights) that overlap ``[start, end)``."""
    return list(_iter_days(start, end))
