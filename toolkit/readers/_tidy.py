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
from typing import TYPE_CHECKING

from .. import units as _units
from .._time import ParsedTimes

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pandas as pd

    from ..ledger import FileRecord

__all__ = ["Column", "build_readings", "classify_values"]

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

    codes_num = [float(c) for c in missing_numbers]
    reasons = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        numbers = raw.astype("float64")
        reasons[numbers.isna().to_numpy()] = "empty field"
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
        lower = text.str.lower()
        coded = lower.isin([t.lower() for t in missing_text]).to_numpy(dtype=bool) & ~empty
        numbers = pd.to_numeric(text.where(~(empty | coded)), errors="coerce").astype("float64")
        not_number = numbers.isna().to_numpy() & ~empty & ~coded
        reasons[empty] = "empty field"
        if coded.any():
            reasons[coded] = ("missing-value code '" + text[coded].astype(str) + "'").to_numpy()
        reasons[not_number] = "not a number"
    if codes_num:
        sentinel = numbers.isin(codes_num).to_numpy()
        if sentinel.any():
            shown = numbers[sentinel].map(lambda v: f"{v:g}")
            reasons[sentinel] = ("missing-value code '" + shown + "'").to_numpy()
            numbers = numbers.mask(sentinel)
    return numbers, reasons


def _examples(series: pd.Series, n: int = 3) -> list[str]:
    return [str(v) for v in series.head(n).tolist()]


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
        The sensor id of every row, or one id for the whole file.
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
        The raw time strings, for examples of unreadable timestamps.
    row_labels
        What to show as an example of a dropped row (defaults to the time text).

    Returns
    -------
    pandas.DataFrame
        Readings with ``sensor_id, time, variable, value, unit`` (and ``channel`` when any
        column has one), categorical where useful, times in UTC.
    """
    import numpy as np
    import pandas as pd

    n = len(frame)
    index = pd.RangeIndex(n)
    reasons = (pd.Series(np.full(n, None, dtype=object), index=index) if row_reasons is None
               else pd.Series(row_reasons.to_numpy(dtype=object), index=index))
    labels = (time_text if time_text is not None else times.times.astype(str))
    labels = pd.Series((row_labels if row_labels is not None else labels).to_numpy(),
                       index=index).astype(str)

    missing = times.missing.to_numpy(dtype=bool) & pd.isna(reasons).to_numpy()
    reasons[missing] = "timestamp missing"
    unreadable = times.unreadable.to_numpy(dtype=bool) & pd.isna(reasons).to_numpy()
    reasons[unreadable] = "timestamp could not be read"

    k = len(columns)
    values = np.empty((n, k), dtype="float64")
    value_reasons: list[pd.Series] = []
    for j, column in enumerate(columns):
        numbers, why = classify_values(
            frame[column.raw].reset_index(drop=True),
            missing_text=missing_text,
            missing_numbers=missing_numbers,
        )
        converted, how = _units.convert(numbers.to_numpy(), column.variable, column.unit,
                                        reference_temperature_c=reference_temperature_c)
        if not how.is_identity and str(how) not in record.conversions:
            record.conversions.append(str(how))
        values[:, j] = converted
        value_reasons.append(why.reset_index(drop=True))
    ok = ~np.isnan(values) if k else np.zeros((n, 0), dtype=bool)

    # Rows with no value at all are dropped whole, so that a blank line is not counted
    # as k missing readings. An empty row repeating another row's timestamp is named.
    undecided = pd.isna(reasons).to_numpy()
    no_value = undecided & ~ok.any(axis=1)
    if no_value.any():
        sensor_key = (pd.Series(sensor_ids, index=index).astype(str)
                      if not isinstance(sensor_ids, str) else pd.Series(sensor_ids, index=index))
        key = sensor_key + "|" + times.times.reset_index(drop=True).astype(str)
        with_values = set(key[undecided & ~no_value])
        repeats = no_value & key.isin(with_values).to_numpy()
        reasons[repeats] = "empty row repeating the timestamp of a row with values"
        reasons[no_value & ~repeats] = "no measurement values (all fields empty or missing codes)"
    for reason in pd.Series(reasons).dropna().unique():
        mask = (reasons == reason).to_numpy()
        record.drop_rows(str(reason), int(mask.sum()), _examples(labels[mask]))

    kept_rows = pd.isna(reasons).to_numpy()
    n_kept = int(kept_rows.sum())
    record.rows_kept += n_kept
    record.values_read += n_kept * k
    for j, column in enumerate(columns):
        why = value_reasons[j][kept_rows]
        if why.notna().any():
            cells = frame[column.raw].reset_index(drop=True)[kept_rows]
            for reason in why.dropna().unique():
                mask = (why == reason).to_numpy()
                shown = [f"{column.raw}={v!r} at {t}" for v, t in
                         zip(cells[mask].head(3), labels[kept_rows][mask].head(3), strict=False)]
                record.drop_readings(str(reason), int(mask.sum()), shown)
    # Cells whose value could not be numbers but also had no reason: none by construction.
    take = ok & kept_rows[:, None]
    flat = take.ravel()
    record.readings_kept += int(flat.sum())

    row_of = np.repeat(np.arange(n), k)[flat]
    col_of = np.tile(np.arange(k), n)[flat]
    time_values = (times.times.reset_index(drop=True).astype("datetime64[ns, UTC]")
                   .dt.tz_localize(None).to_numpy())
    if isinstance(sensor_ids, str):
        sensor = pd.Categorical.from_codes(np.zeros(len(row_of), dtype="int8"), [sensor_ids])
    else:
        codes, uniques = pd.factorize(pd.Series(sensor_ids).reset_index(drop=True).astype(str))
        sensor = pd.Categorical.from_codes(codes[row_of], uniques.astype(object))
    variable_names = [c.variable for c in columns]
    unit_names = [_units.conversion(c.variable, c.unit).to_unit for c in columns]
    var_uniques = list(dict.fromkeys(variable_names))
    unit_uniques = list(dict.fromkeys(unit_names))
    var_codes = np.array([var_uniques.index(v) for v in variable_names], dtype="int16")
    unit_codes = np.array([unit_uniques.index(u) for u in unit_names], dtype="int16")
    data = {
        "sensor_id": sensor,
        "time": pd.DatetimeIndex(time_values[row_of]).tz_localize("UTC"),
        "variable": pd.Categorical.from_codes(var_codes[col_of] if k else [], var_uniques),
        "value": values.ravel()[flat],
        "unit": pd.Categorical.from_codes(unit_codes[col_of] if k else [], unit_uniques),
    }
    if any(c.channel for c in columns):
        channels = [c.channel for c in columns]
        channel_uniques = sorted({c for c in channels if c})
        channel_codes = np.array([channel_uniques.index(c) if c else -1 for c in channels],
                                 dtype="int8")
        data["channel"] = pd.Categorical.from_codes(channel_codes[col_of], channel_uniques)
    return pd.DataFrame(data)
