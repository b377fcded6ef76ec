"""Reading timestamps into UTC, whatever the file wrote.

Conventions
-----------
* Everything is stored in UTC (``datetime64[ns, UTC]``).
* A timestamp with an offset (``+02:00``, ``Z``) is converted with its own offset, so a
  column whose offsets change at a daylight-saving change is read correctly.
* A timestamp without an offset needs a zone: either the source documents one (the
  Sensor.Community archive is UTC) or the user gives ``file_timezone=`` (the zone of
  the file's clock, not necessarily where the sensors are). Without either, the
  reader stops and asks, rather than guess.
* Local times that do not exist (the hour skipped when clocks go forward) or that
  happen twice (the hour repeated when clocks go back) are reported by value; repeated
  hours are resolved from the order of the rows when that is unambiguous.
* A column that mixes timestamps with and without offsets is refused: some of them would
  have to be guessed.
* Times outside the years 1677-2262 (the range of nanosecond timestamps) cannot be
  stored; such values (year 9999 or 1500, a clock never set) are unreadable, marked in
  :attr:`ParsedTimes.out_of_range` so the reader drops their rows with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._errors import TimestampError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["GIVEN_BY_USER", "OUT_OF_RANGE", "ParsedTimes", "check_timezone", "parse_times"]

#: Why a row whose time cannot be stored is dropped (see :attr:`ParsedTimes.out_of_range`).
OUT_OF_RANGE = "timestamp outside the years 1677-2262 (implausible time)"

#: How a file's clock zone given by the user is recorded (``file_timezone=``).
GIVEN_BY_USER = "given by the user"

# An offset only counts after a time of day: "2024-03-10" ends in "-10" but is a date.
# "UTC" and "GMT" after the time (ThingSpeak writes "2019-06-01 00:01:23 UTC") are +00:00.
_OFFSET = re.compile(
    r"(?:T\d{2}|\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)\s?"
    r"(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
)
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")
_EMPTY = {"", "nan", "nat", "none", "null", "na", "n/a"}


@dataclass
class ParsedTimes:
    """Result of :func:`parse_times`.

    Attributes
    ----------
    times
        UTC timestamps, ``NaT`` where a value was missing or unreadable.
    missing
        Boolean mask of empty values.
    unreadable
        Boolean mask of values that could not be read as a time.
    timezone
        The zone the times were read in (``"UTC"``, an IANA name, or ``"offsets"``).
    reason
        Why that zone: documented by the source, given by the user, or carried by the
        values themselves.
    offsets
        The distinct UTC offsets seen, for offset-carrying values.
    out_of_range
        Boolean mask of values that were read but fall outside the years 1677-2262 (also
        set in ``unreadable``, so a reader that does not look here still drops them);
        ``None`` when not known.
    """

    times: pd.Series
    missing: pd.Series
    unreadable: pd.Series
    timezone: str
    reason: str
    offsets: list[str]
    out_of_range: pd.Series | None = field(default=None)


def _within_range(times: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return ``times`` in nanoseconds with values outside 1677-2262 as NaT, and their mask.

    pandas parses such values at a coarser resolution (microseconds or seconds); storing
    them in nanoseconds would raise ``OutOfBoundsDatetime``.
    """
    import pandas as pd

    tz = getattr(times.dtype, "tz", None)
    target = f"datetime64[ns, {tz}]" if tz is not None else "datetime64[ns]"
    if not pd.api.types.is_datetime64_any_dtype(times.dtype) or times.dt.unit == "ns":
        return times, pd.Series(False, index=times.index)
    low, high = pd.Timestamp.min, pd.Timestamp.max
    if tz is not None:
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    outside = times.notna() & ((times < low) | (times > high))
    return times.mask(outside).astype(target), outside


def _check_some_in_range(
    outside: pd.Series, n_present: int, text: pd.Series, *, file: str | None, column: str
) -> None:
    """Raise when every value present falls outside 1677-2262 (see :func:`_within_range`)."""
    if n_present and int(outside.sum()) == n_present:
        raise TimestampError(
            f"Every timestamp in column {column!r} falls outside the years 1677-2262.",
            file=file,
            found=f"{_examples(text[outside.to_numpy()].astype(str))} ({n_present} value(s))",
            fix="Check the logger's clock (it may never have been set) and the time column "
            "chosen; give the layout with time_format= if the dates are written another way.",
        )


def _examples(values: pd.Series, n: int = 3) -> str:
    return ", ".join(repr(v) for v in values.head(n).tolist())


_DAY_MONTH = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2\d{2,4}(?!\d)")


def _day_first(text: pd.Series, *, file: str | None, column: str) -> bool:
    """Tell from the values whether dates like ``03/04/2024`` put the day or the month first.

    pandas reads each such value on its own (``10/03`` as October, ``13/03`` as March),
    so the order is decided once for the column: a first number above 12 means day
    first, a second number above 12 means month first, and dots (``10.03.2024``) are
    day first by convention. If the values cannot tell, the user is asked.
    """
    parts = text.str.extract(_DAY_MONTH)
    dated = parts[0].notna()
    if not dated.any():
        return False
    first = parts.loc[dated, 0].astype(int)
    second = parts.loc[dated, 2].astype(int)
    if (first > 12).any() and (second > 12).any():
        raise TimestampError(
            f"The dates in column {column!r} put the day first in some rows and the month "
            "first in others.",
            file=file,
            found=f"{_examples(text[dated][(first > 12).to_numpy()], 1)} and "
            f"{_examples(text[dated][(second > 12).to_numpy()], 1)}",
            fix="Check the file; give the layout with time_format='%d/%m/%Y %H:%M' (or "
            "'%m/%d/%Y %H:%M'), and rows in the other order are then dropped as unreadable.",
        )
    if (first > 12).any() or parts.loc[dated, 1].eq(".").all():
        return True
    if (second > 12).any():
        return False
    raise TimestampError(
        f"The dates in column {column!r} could be day/month or month/day: no value tells.",
        file=file,
        found=_examples(text[dated]),
        fix="Give the layout, for example time_format='%d/%m/%Y %H:%M' (day first) or "
        "time_format='%m/%d/%Y %H:%M' (month first).",
    )


def _place_repeats(
    index: pd.DatetimeIndex, ambiguous: np.ndarray, timezone: str
) -> pd.DatetimeIndex | None:
    """Place local times of a repeated hour from the row order, or return ``None``.

    Empty values are left out (they say nothing about the order). Rows may run forward
    or backward in time; a placement is accepted only if the UTC times around the
    repeated hour then run in one direction, so a shuffled file is refused, not guessed.
    """
    import numpy as np
    import pandas as pd

    present = np.flatnonzero(pd.notna(index))
    where = np.flatnonzero(np.asarray(ambiguous)[present])
    lo, hi = max(where[0] - 1, 0), where[-1] + 2
    for step in (1, -1):
        try:
            placed = index[present][::step].tz_localize(timezone, ambiguous="infer")[::step]
        except Exception:  # pandas raises several types here; any means "cannot infer"
            continue
        steps = np.diff(placed[lo:hi].asi8) * step
        if (steps >= 0).all():
            out = pd.Series(index.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT"))
            out.iloc[present] = placed
            return pd.DatetimeIndex(out)
    return None


def check_timezone(timezone: str, *, file: str | None = None, also: str = "") -> str:
    """Return ``timezone`` if it is an IANA zone name, else raise a friendly error.

    Parameters
    ----------
    timezone
        The name to check, for example ``"Europe/Berlin"``.
    file
        Named in the message, when the zone came with a file.
    also
        Other accepted values to mention in the message (for example ``"'local'"``).

    Raises
    ------
    TimestampError
        Naming the value and how to find valid names.
    """
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        others = f"{also}, " if also else ""
        raise TimestampError(
            f"{timezone!r} is not a time zone name.",
            file=file,
            found=f"timezone={timezone!r}",
            fix=f"Use {others}an IANA name such as 'Europe/Berlin', 'America/Santiago' or "
            "'UTC' (list: zoneinfo.available_timezones()).",
        ) from None
    return timezone


def _localize(
    naive: pd.Series,
    timezone: str,
    *,
    file: str | None,
    column: str,
) -> pd.Series:
    """Attach an IANA zone to naive times, reporting DST gaps and repeats clearly."""
    import pandas as pd

    check_timezone(timezone, file=file)
    if timezone in ("UTC", "Etc/UTC"):
        return naive.dt.tz_localize("UTC")
    index = pd.DatetimeIndex(naive)
    gap = index.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    bad_gap = pd.isna(gap) & pd.notna(index)
    # NaT here is either nonexistent or ambiguous; tell them apart.
    shifted = index.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")
    nonexistent = bad_gap & pd.notna(shifted)
    ambiguous = bad_gap & ~nonexistent
    if nonexistent.any():
        values = naive[nonexistent]
        raise TimestampError(
            f"Some local times in column {column!r} do not exist in {timezone}: they fall "
            "in the hour skipped when clocks go forward.",
            file=file,
            found=f"{_examples(values.astype(str))} ({int(nonexistent.sum())} value(s))",
            fix="Check the logger's clock setting. If the file is really in UTC or a fixed "
            "offset, say so with file_timezone='UTC' (or 'Etc/GMT-1' for UTC+1 all year).",
        )
    if ambiguous.any():
        resolved = _place_repeats(index, ambiguous, timezone)
        if resolved is None:
            values = naive[ambiguous]
            raise TimestampError(
                f"Some local times in column {column!r} happen twice in {timezone} (the "
                "hour repeated when clocks go back), and the row order does not say which "
                "is which.",
                file=file,
                found=f"{_examples(values.astype(str))} ({int(ambiguous.sum())} value(s))",
                fix="Export the data in UTC or with UTC offsets if the logger can; "
                "otherwise sort the rows in recording order so the repeat can be placed.",
            )
        return pd.Series(resolved, index=naive.index)
    return pd.Series(gap, index=naive.index)


def _to_datetime(values: pd.Series, *, utc: bool = False, **options: object) -> pd.Series:
    """``pandas.to_datetime(errors="coerce")``, safe from offsets the offset pattern rejects.

    pandas reads some broken values as carrying an offset (``"02:3z"`` is 02:03 UTC)
    where :data:`_OFFSET` does not; among naive values that makes pandas raise "Mixed
    timezones". Such values are read one by one, and those pandas gives an offset that
    was not expected are unreadable (``NaT``).
    """
    import pandas as pd

    try:
        parsed = pd.to_datetime(values, errors="coerce", utc=utc, **options)
        if not utc and isinstance(parsed.dtype, pd.DatetimeTZDtype):  # offsets unexpected
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        return parsed
    except ValueError:
        out = []
        for value in values:
            try:
                stamp = pd.to_datetime(value, errors="coerce", utc=utc, **options)
            except ValueError:
                stamp = pd.NaT
            if stamp is not pd.NaT and not utc and getattr(stamp, "tzinfo", None) is not None:
                stamp = pd.NaT
            out.append(stamp)
        if all(v is pd.NaT for v in out):
            dtype = "datetime64[ns, UTC]" if utc else "datetime64[ns]"
            return pd.Series(pd.NaT, index=values.index, dtype=dtype)
        return pd.Series(out, index=values.index)


def parse_times(
    values: pd.Series,
    *,
    timezone: str | None = None,
    documented_timezone: str | None = None,
    documented_reason: str = "",
    time_format: str | None = None,
    epoch_unit: str | None = None,
    file: str | None = None,
    column: str = "time",
) -> ParsedTimes:
    """Read a column of timestamps into UTC.

    Parameters
    ----------
    values
        The raw column: strings, epoch numbers, or datetimes (naive or aware).
    timezone
        IANA zone of the file's clock for timestamps without an offset, given by the
        user (the readers' ``file_timezone=``). Overrides the documented zone.
    documented_timezone
        The zone the source's documentation gives for timestamps without an offset
        (``"UTC"`` for the Sensor.Community archive), or ``None`` when undocumented.
    documented_reason
        Where that documentation comes from, for the ledger.
    time_format
        A ``strftime`` format for unusual layouts; ISO 8601 and ``YYYY/MM/DD`` are read
        without it.
    epoch_unit
        ``"s"`` or ``"ms"`` when values are Unix times; detected from the magnitude of
        numeric values when ``None``.
    file, column
        Named in error messages.

    Returns
    -------
    ParsedTimes
        The UTC times and the masks of missing and unreadable values.

    Raises
    ------
    TimestampError
        When no value can be read, when values without offsets have no zone, when
        offset-carrying and offset-less values are mixed, or at DST problems.
    """
    import numpy as np
    import pandas as pd

    values = values.reset_index(drop=True)
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        times, outside = _within_range(values.dt.tz_convert("UTC"))
        missing = values.isna()
        return ParsedTimes(
            times, missing, outside, "offsets", "the values carry their time zone", [], outside
        )
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        missing = values.isna()
        unit = epoch_unit or ("ms" if values.abs().median() > 1e11 else "s")
        times, _ = _within_range(pd.to_datetime(values, unit=unit, utc=True, errors="coerce"))
        unreadable = times.isna() & ~missing
        finite = np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))
        outside = unreadable & pd.Series(finite, index=values.index)  # a number, but no time
        return ParsedTimes(
            times,
            missing,
            unreadable,
            "UTC",
            f"Unix time in {'milliseconds' if unit == 'ms' else 'seconds'} is UTC by definition",
            [],
            outside,
        )

    zone = timezone or documented_timezone
    outside = pd.Series(False, index=values.index)
    if pd.api.types.is_datetime64_dtype(dtype):
        naive, outside = _within_range(values)
        missing = values.isna()
        unreadable = outside.copy()
        has_offset = pd.Series(False, index=values.index)
        text = values  # formatted only for the few examples an error shows
    else:
        text = values.astype("string").str.strip()
        missing = text.isna() | text.str.lower().isin(_EMPTY)
        has_offset = text.str.contains(_OFFSET, na=False) & ~missing
        naive = None
    n_offset = int(has_offset.sum())
    n_present = int((~missing).sum())
    _check_some_in_range(outside, n_present, text, file=file, column=column)
    if n_present == 0:
        return ParsedTimes(
            pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]"),
            missing,
            pd.Series(False, index=values.index),
            zone or "",
            "",
            [],
        )
    without = text[~has_offset & ~missing] if 0 < n_offset < n_present else text[:0]
    # Text that is no time at all ("garbage") is unreadable, not "without an offset".
    without = without[_to_datetime(without, format="mixed").notna()]
    if len(without):
        with_offset = text[has_offset]
        raise TimestampError(
            f"Column {column!r} mixes timestamps with a UTC offset and timestamps without "
            "one, so some of them would have to be guessed.",
            file=file,
            found=f"with an offset: {_examples(with_offset)}; without: {_examples(without)}",
            fix="Export all times the same way (all UTC, or all with offsets); or split the "
            "file and load each part with its own file_timezone=.",
        )
    if naive is None:
        cleaned = text.str.replace(_SLASH_DATE, r"\1-\2-\3", regex=True)
        cleaned = cleaned.str.replace(r"[zZ]$", "+00:00", regex=True)
        cleaned = cleaned.str.replace(r"\s?(?:UTC|GMT)$", "+00:00", regex=True)
        if time_format is not None:
            parsed = _to_datetime(cleaned, format=time_format, utc=n_offset > 0)
        else:
            parsed = _to_datetime(cleaned, format="ISO8601", utc=n_offset > 0)
            retry = parsed.isna() & ~missing
            if retry.any():
                # Not ISO 8601 everywhere: try pandas' per-value parser on the rest.
                dayfirst = _day_first(cleaned[retry], file=file, column=column)
                again = _to_datetime(
                    cleaned[retry], format="mixed", dayfirst=dayfirst, utc=n_offset > 0
                )
                parsed = parsed.astype(again.dtype) if parsed.isna().all() else parsed
                parsed.loc[retry] = again
        parsed, outside = _within_range(pd.Series(parsed, index=values.index))
        unreadable = parsed.isna() & ~missing
        _check_some_in_range(outside, n_present, text, file=file, column=column)
        if int(unreadable.sum()) == n_present:
            example = _examples(text[~missing])
            raise TimestampError(
                f"Could not read the timestamps in column {column!r}.",
                file=file,
                found=f"{example} ({n_present} value(s), none readable)",
                fix="Write times as ISO 8601 (2024-03-01T14:00:00Z), or give their layout "
                "with time_format='%d/%m/%Y %H:%M' (strftime codes).",
            )
        if n_offset:
            offsets = sorted(
                set(
                    text[has_offset]
                    .str.extract(r"([zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")[0]
                    .str.upper()
                    .replace({"Z": "+00:00", "UTC": "+00:00", "GMT": "+00:00"})
                    .dropna()
                    .tolist()
                )
            )
            times = pd.Series(parsed, index=values.index).astype("datetime64[ns, UTC]")
            reason = "the values carry their UTC offsets"
            if len(offsets) > 1:
                reason += (
                    f" ({len(offsets)} different: {', '.join(offsets[:4])}; each value "
                    "was converted with its own offset)"
                )
            return ParsedTimes(times, missing, unreadable, "offsets", reason, offsets, outside)
        naive = pd.Series(parsed, index=values.index)

    if zone is None:
        raise TimestampError(
            f"The timestamps in column {column!r} have no time zone, and this format does "
            "not document one.",
            file=file,
            found=f"{_examples(text[~missing].head(3).astype(str))} (no offset such as "
            "+01:00 or Z)",
            fix="Say which zone the file's clock was set to, for example "
            "file_timezone='Europe/Berlin' or file_timezone='UTC'.",
        )
    reason = (
        f"{GIVEN_BY_USER} (file_timezone={timezone!r})"
        if timezone
        else documented_reason or "documented by the source"
    )
    naive = naive.astype("datetime64[ns]")
    localized = _localize(naive, zone, file=file, column=column)
    times = localized if zone in ("UTC", "Etc/UTC") else localized.dt.tz_convert("UTC")
    if str(times.dtype) != "datetime64[ns, UTC]":
        times = times.astype("datetime64[ns, UTC]")
    return ParsedTimes(times, missing, unreadable, zone, reason, [], outside)
