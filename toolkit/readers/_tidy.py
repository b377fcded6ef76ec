"""Turning a platform's wide table into tidy readings, accounting for every row and value.

Every reader ends the same way: it has a table with one row per line of the file, a
parsed time column, a sensor id per row, and a list of measurement columns with their
canonical variable and file unit. :func:`build_readings` then

1. drops whole rows only when nothing in them is usable (no readable timestamp, or no
   measurement value at all), each with a reason;
2. classifies every measurement cell of the kept rows as a value, an empty field, a
   missing-value code (``-999``, ``null``...) or text that is not a number;
3. converts values to the canonical unit (:mod:`toolkit.units`), noting each conversion;
4. writes all counts and a few examples into the file's :class:`~toolkit.ledger.FileRecord`,
   so that rows read = rows kept + rows dropped, and values read = readings kept +
   readings dropped.

The readings come out in file order: row by row, and within a row in column order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .. import variables as _variables
from .._errors import UnitError
from .._time import OUT_OF_RANGE, ParsedTimes

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import numpy as np
    import pandas as pd

    from ..ledger import FileRecord

__all__ = ["Column", "build_readings", "classify_values", "long_readings"]

#: Why a value that overflows on conversion to the canonical unit is dropped.
_OVERFLOW = "not a finite number in the canonical unit (too large to convert)"

#: Text that means "no value" in every source (compared in lower case).
COMMON_MISSING_TEXT = ("nan", "null", "none", "na", "n/a", "unavailable", "%.1f", "-", "--")


@dataclass(frozen=True)
class Column:
    """A measurement column of a file.

    Attributes
    ----------
    raw
        The column's name in the file.
    variable
        The canonical variable it holds.
    unit
        The unit the file uses for it (converted to the canonical unit on reading).
    channel
        ``"A"``/``"B"`` for a device's duplicate instruments, else ``None``.
    """

    raw: str
    variable: str
    unit: str
    channel: str | None = None


def _classify(
    raw: pd.Series,
    *,
    missing_text: Iterable[str],
    missing_numbers: Iterable[float],
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Fast core of :func:`classify_values`: numbers, reason codes (-1 = a value) and names."""
    import numpy as np
    import pandas as pd

    names: list[str] = []
    n = len(raw)
    codes = np.full(n, -1, dtype=np.int16)

    def assign(mask: np.ndarray, name: str) -> None:
        if mask.any():
            if name not in names:
                names.append(name)
            codes[mask] = names.index(name)

    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        numbers = raw.to_numpy(dtype="float64", na_value=np.nan)
        assign(np.isnan(numbers), "empty field")
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
        lower = text.str.lower()
        coded = lower.isin([t.lower() for t in missing_text]).to_numpy(dtype=bool) & ~empty
        numbers = pd.to_numeric(text.where(~(empty | coded)), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        assign(empty, "empty field")
        if coded.any():
            for code in pd.unique(text[coded]):
                assign(
                    coded & (text == code).to_numpy(dtype=bool, na_value=False),
                    f"missing-value code '{code}'",
                )
        assign(np.isnan(numbers) & ~empty & ~coded, "not a number")
    infinite = np.isinf(numbers)
    if infinite.any():  # "inf" and "Infinity" parse as numbers but measure nothing
        assign(infinite, "not a finite number")
        numbers = np.where(infinite, np.nan, numbers)
    for code in missing_numbers:
        sentinel = numbers == float(code)
        if sentinel.any():
            assign(sentinel, f"missing-value code '{float(code):g}'")
            numbers = np.where(sentinel, np.nan, numbers)
    return numbers, codes, names


def classify_values(
    raw: pd.Series,
    *,
    missing_text: Iterable[str] = COMMON_MISSING_TEXT,
    missing_numbers: Iterable[float] = (),
) -> tuple[pd.Series, pd.Series]:
    """Split a raw column into numbers and a reason for each value that is not one.

    Parameters
    ----------
    raw
        The column as read (numbers or text).
    missing_text
        Strings meaning "no value" (case-insensitive).
    missing_numbers
        Numbers meaning "no value" for this source (for example -999, 65535).

    Returns
    -------
    numbers : pandas.Series
        Float values, NaN where there is no value.
    reasons : pandas.Series
        ``None`` where a value was read, otherwise ``"empty field"``,
        ``"missing-value code '<code>'"`` or ``"not a number"``.
    """
    import numpy as np
    import pandas as pd

    numbers, codes, names = _classify(
        raw, missing_text=missing_text, missing_numbers=missing_numbers
    )
    lookup = np.array([*names, None], dtype=object)
    return (
        pd.Series(numbers, index=raw.index),
        pd.Series(lookup[np.where(codes < 0, len(names), codes)], index=raw.index, dtype=object),
    )


class _Labels:
    """Example labels of rows, computed only for the few rows that are shown."""

    def __init__(
        self, times: ParsedTimes, time_text: pd.Series | None, row_labels: pd.Series | None
    ) -> None:
        self.source = row_labels if row_labels is not None else time_text
        self.times = times.times

    def __call__(self, mask: np.ndarray, n: int = 3) -> list[str]:
        import numpy as np

        rows = np.flatnonzero(mask)[:n]
        if self.source is not None:
            return [str(v) for v in self.source.iloc[rows].tolist()]
        return [
            f"row {r + 1}" if t is None or str(t) == "NaT" else str(t)
            for r, t in zip(rows, self.times.iloc[rows].tolist(), strict=True)
        ]


def _sensor_codes(sensor_ids: pd.Series | str, n: int) -> tuple[np.ndarray, list[str]]:
    """Integer codes and names of the row sensor ids (missing ids become 'unknown')."""
    import numpy as np
    import pandas as pd

    if isinstance(sensor_ids, str):
        return np.zeros(n, dtype=np.int32), [sensor_ids]
    series = pd.Series(sensor_ids).reset_index(drop=True)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int32)
        names = [str(c) for c in series.cat.categories]
    else:
        codes, uniques = pd.factorize(series.astype("string"))
        codes = codes.astype(np.int32)
        names = [str(u) for u in uniques]
    if (codes < 0).any():
        names.append("unknown")
        codes = np.where(codes < 0, len(names) - 1, codes)
    return codes, names


def build_readings(
    frame: pd.DataFrame,
    *,
    times: ParsedTimes,
    sensor_ids: pd.Series | str,
    columns: Sequence[Column],
    record: FileRecord,
    missing_text: Iterable[str] = COMMON_MISSING_TEXT,
    missing_numbers: Iterable[float] = (),
    reference_temperature_c: float = _units.DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
    row_reasons: pd.Series | None = None,
    time_text: pd.Series | None = None,
    row_labels: pd.Series | None = None,
) -> pd.DataFrame:
    """Turn a wide table into tidy readings and fill in the file's ledger record.

    Parameters
    ----------
    frame
        One row per data row of the file (positionally aligned with ``times``).
    times
        The parsed time column (:func:`toolkit._time.parse_times`).
    sensor_ids
        The sensor id of every row (text or categorical), or one id for the whole file.
    columns
        The measurement columns to read. Columns of ``frame`` not listed here are the
        caller's to record as ignored.
    record
        The ledger record to fill. ``rows_read`` must already count every data row of
        the file, including rows the caller removed before (and recorded) itself.
    missing_text, missing_numbers
        The source's missing-value codes.
    reference_temperature_c
        For gas unit conversions [°C].
    row_reasons
        A reason to drop each row decided by the caller (``None`` to keep), aligned with
        ``frame``.
    time_text
        The raw time column, shown as examples of dropped rows.
    row_labels
        What to show as an example of a dropped row instead (defaults to ``time_text``,
        then to the parsed time).

    Returns
    -------
    pandas.DataFrame
        Readings with ``sensor_id, time, variable, value, unit`` (and ``channel`` when any
        column has one), categorical where useful, times in UTC.
    """
    import numpy as np
    import pandas as pd

    n = len(frame)
    label = _Labels(times, time_text, row_labels)
    row_names: list[str] = []
    row_code = np.full(n, -1, dtype=np.int16)

    def drop(mask: np.ndarray, name: str) -> None:
        mask = mask & (row_code < 0)
        if mask.any():
            if name not in row_names:
                row_names.append(name)
            row_code[mask] = row_names.index(name)

    if row_reasons is not None:
        given = pd.Series(row_reasons).reset_index(drop=True)
        for name in given.dropna().unique():
            drop((given == name).to_numpy(dtype=bool, na_value=False), str(name))
    drop(times.missing.to_numpy(dtype=bool), "timestamp missing")
    if times.out_of_range is not None:
        drop(times.out_of_range.to_numpy(dtype=bool), OUT_OF_RANGE)
    drop(times.unreadable.to_numpy(dtype=bool), "timestamp could not be read")

    k = len(columns)
    values = np.empty((n, k), dtype="float64")
    cell_codes: list[tuple[np.ndarray, list[str]]] = []
    for j, column in enumerate(columns):
        numbers, codes, names = _classify(
            frame[column.raw].reset_index(drop=True),
            missing_text=missing_text,
            missing_numbers=missing_numbers,
        )
        how = _units.conversion(
            column.variable, column.unit, reference_temperature_c=reference_temperature_c
        )
        if how.is_identity:
            values[:, j] = numbers
        else:
            with np.errstate(over="ignore"):
                converted = numbers * how.factor + how.offset
            overflow = np.isinf(converted)
            if overflow.any():  # a finite number too large for the canonical unit
                names = [*names, _OVERFLOW]
                codes = np.where(overflow, len(names) - 1, codes).astype(codes.dtype)
                converted[overflow] = np.nan
            values[:, j] = converted
            if str(how) not in record.conversions:
                record.conversions.append(str(how))
        cell_codes.append((codes, names))
    ok = ~np.isnan(values)

    # Rows with no value at all are dropped whole, so that a blank line is not counted
    # as k missing readings. An empty row repeating another row's timestamp is named.
    sensor_code, sensor_names = _sensor_codes(sensor_ids, n)
    time_ns = pd.DatetimeIndex(times.times.reset_index(drop=True)).as_unit("ns").asi8
    undecided = row_code < 0
    # A row with text that is not a number keeps its cells, so each is reported as such.
    any_content = np.zeros(n, dtype=bool)
    for j in range(k):  # column by column: much faster than ok.any(axis=1) for few columns
        any_content |= ok[:, j]
        codes, names = cell_codes[j]
        for code, name in enumerate(names):
            if name.startswith("not a"):
                any_content |= codes == code
    no_value = undecided & ~any_content
    if no_value.any():
        with_values = undecided & ~no_value
        candidates = with_values & np.isin(time_ns, time_ns[no_value])
        keys = set(zip(sensor_code[candidates].tolist(), time_ns[candidates].tolist(), strict=True))
        repeats = no_value.copy()
        repeats[no_value] = [
            key in keys
            for key in zip(sensor_code[no_value].tolist(), time_ns[no_value].tolist(), strict=True)
        ]
        drop(repeats, "empty row repeating the timestamp of a row with values")
        drop(no_value, "no measurement values (all fields empty or missing codes)")
    for code, name in enumerate(row_names):
        mask = row_code == code
        record.drop_rows(name, int(mask.sum()), label(mask))

    kept_rows = row_code < 0
    n_kept = int(kept_rows.sum())
    record.rows_kept += n_kept
    record.values_read += n_kept * k
    for j, column in enumerate(columns):
        codes, names = cell_codes[j]
        for code, name in enumerate(names):
            mask = (codes == code) & kept_rows
            count = int(mask.sum())
            if count:
                rows = np.flatnonzero(mask)[:3]
                cells = frame[column.raw].iloc[rows].tolist()
                shown = [
                    f"{column.raw}={v!r} at {t}" for v, t in zip(cells, label(mask), strict=False)
                ]
                record.drop_readings(name, count, shown)
    take = ok if n_kept == n else ok & kept_rows[:, None]
    flat = take.ravel()
    record.readings_kept += int(flat.sum())

    every = bool(flat.all())

    def per_row(array: np.ndarray) -> np.ndarray:
        """One entry per reading, from one entry per row (row-major, like ``flat``)."""
        out = np.repeat(array, k)
        return out if every else out[flat]

    def per_column(array: np.ndarray) -> np.ndarray:
        """One entry per reading, from one entry per measurement column."""
        out = np.tile(array, n)
        return out if every else out[flat]

    variable_names = [c.variable for c in columns]
    unit_names = [_units.conversion(c.variable, c.unit).to_unit for c in columns]
    var_uniques = list(dict.fromkeys(variable_names))
    unit_uniques = list(dict.fromkeys(unit_names))
    var_codes = np.array([var_uniques.index(v) for v in variable_names], dtype="int16")
    unit_codes = np.array([unit_uniques.index(u) for u in unit_names], dtype="int16")
    time_column = pd.Series(per_row(time_ns).view("M8[ns]"), dtype="datetime64[ns, UTC]")
    data = {
        "sensor_id": pd.Categorical.from_codes(per_row(sensor_code), sensor_names, validate=False),
        "time": time_column,
        "variable": pd.Categorical.from_codes(per_column(var_codes), var_uniques, validate=False),
        "value": values.ravel() if every else values.ravel()[flat],
        "unit": pd.Categorical.from_codes(per_column(unit_codes), unit_uniques, validate=False),
    }
    if any(c.channel for c in columns):
        channels = [c.channel for c in columns]
        channel_uniques = sorted({c for c in channels if c})
        channel_codes = np.array(
            [channel_uniques.index(c) if c else -1 for c in channels], dtype="int8"
        )
        data["channel"] = pd.Categorical.from_codes(per_column(channel_codes), channel_uniques)
    return pd.DataFrame(data, copy=False)  # the arrays are new: no need to copy them again


def long_readings(
    table: pd.DataFrame,
    *,
    times: ParsedTimes,
    record: FileRecord,
    missing_text: Iterable[str] = COMMON_MISSING_TEXT,
    missing_numbers: Iterable[float] = (),
    reference_temperature_c: float = _units.DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
) -> pd.DataFrame:
    """Turn a long table (one value per row) into readings, filling the ledger record.

    The long-format counterpart of :func:`toolkit.readers._tidy.build_readings`: every
    row holds exactly one value, so a row is dropped (with its reason) when its time is
    missing or unreadable, its parameter has no canonical variable or its unit cannot be
    converted; a kept row whose value is empty, a missing-value code or not a number
    counts as one dropped value.

    Parameters
    ----------
    table
        One row per data row of the file, with columns ``sensor_id``, ``field`` (the
        parameter as the file names it), ``variable`` (canonical, or ``None``), ``unit``
        (as the file spells it), ``value`` (raw), ``row_reason`` (a reason to drop the row
        decided by the caller, or ``None``), ``label`` (what to show in examples) and,
        optionally, ``value_reason`` (a reason to drop the value decided by the caller)
        and ``channel`` (carried into the readings; empty or ``None`` for no channel).
    times
        The parsed times, aligned with ``table``.
    record
        The ledger record; ``rows_read`` must already count every data row.
    missing_text, missing_numbers
        The source's missing-value codes.
    reference_temperature_c
        For gas unit conversions [°C].

    Returns
    -------
    pandas.DataFrame
        Readings ``sensor_id, time, variable, value, unit`` (and ``channel`` when the
        table has one) in file order.
    """
    import numpy as np
    import pandas as pd

    table = table.reset_index(drop=True)
    n = len(table)
    reasons = pd.Series(table["row_reason"].to_numpy(dtype=object), dtype=object)
    undecided = pd.isna(reasons).to_numpy()
    reasons[times.missing.to_numpy(dtype=bool) & undecided] = "timestamp missing"
    if times.out_of_range is not None:
        undecided = pd.isna(reasons).to_numpy()
        reasons[times.out_of_range.to_numpy(dtype=bool) & undecided] = OUT_OF_RANGE
    undecided = pd.isna(reasons).to_numpy()
    reasons[times.unreadable.to_numpy(dtype=bool) & undecided] = "timestamp could not be read"

    # One conversion (or one reason not to convert) per (variable, unit) pair.
    undecided = pd.isna(reasons).to_numpy()
    unit_text = table["unit"].astype("string").str.strip().fillna("")
    pair = table["variable"].astype("string").fillna("") + "\x00" + unit_text
    conversions: dict[str, Any] = {}
    for key in pair[undecided].unique():
        variable, unit = key.split("\x00", 1)
        if not unit:
            conversions[key] = f"unit missing for {variable} (the unit cannot be guessed)"
            continue
        try:
            conversions[key] = _units.conversion(
                variable, unit, reference_temperature_c=reference_temperature_c
            )
        except UnitError:
            target = _variables.get(variable).unit
            conversions[key] = f"unit {unit!r} cannot be converted to {variable} [{target}]"
    for key, how in conversions.items():
        if isinstance(how, str):
            reasons[(pair == key).to_numpy() & undecided] = how

    labels = table["label"].astype(str)
    for reason in reasons.dropna().unique():
        mask = (reasons == reason).to_numpy()
        record.drop_rows(str(reason), int(mask.sum()), labels[mask].head(3).tolist())
    kept = pd.isna(reasons).to_numpy()
    n_kept = int(kept.sum())
    record.rows_kept += n_kept
    record.values_read += n_kept

    numbers, why = classify_values(
        table["value"], missing_text=missing_text, missing_numbers=missing_numbers
    )
    if "value_reason" in table:
        preset = table["value_reason"].notna().to_numpy()
        why = why.mask(preset, table["value_reason"])
        numbers = numbers.mask(preset)
    why = why.where(kept)
    for reason in why.dropna().unique():
        mask = (why == reason).to_numpy()
        shown = [
            f"{f}={v!r} at {t}"
            for f, v, t in zip(
                table["field"][mask].head(3),
                table["value"][mask].head(3),
                labels[mask].head(3),
                strict=True,
            )
        ]
        record.drop_readings(str(reason), int(mask.sum()), shown)

    take = kept & numbers.notna().to_numpy()
    values = np.full(n, np.nan)
    canonical_units = np.full(n, None, dtype=object)
    for key, how in conversions.items():
        if isinstance(how, str):
            continue
        mask = (pair == key).to_numpy() & take
        if not mask.any():
            continue
        with np.errstate(over="ignore"):
            values[mask] = numbers.to_numpy()[mask] * how.factor + how.offset
        canonical_units[mask] = how.to_unit
        if not how.is_identity and str(how) not in record.conversions:
            record.conversions.append(str(how))
    overflow = take & np.isinf(values)
    if overflow.any():  # a finite number too large for the canonical unit
        shown = [
            f"{f}={v!r} at {t}"
            for f, v, t in zip(
                table["field"][overflow].head(3),
                table["value"][overflow].head(3),
                labels[overflow].head(3),
                strict=True,
            )
        ]
        record.drop_readings(_OVERFLOW, int(overflow.sum()), shown)
        take = take & ~overflow
    record.readings_kept += int(take.sum())
    out = pd.DataFrame(
        {
            "sensor_id": pd.Categorical(table["sensor_id"].astype(str)[take]),
            "time": times.times.reset_index(drop=True)[take].astype("datetime64[ns, UTC]"),
            "variable": pd.Categorical(table["variable"][take].astype(str)),
            "value": values[take],
            "unit": pd.Categorical(canonical_units[take].astype(str)),
        }
    ).reset_index(drop=True)
    if "channel" in table:  # optional: a device's duplicate instruments (None where none)
        channel = table["channel"][take].astype(object).reset_index(drop=True)
        out["channel"] = pd.Categorical(channel.where(channel.notna() & (channel != ""), None))
    return out
