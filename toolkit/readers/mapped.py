"""Any CSV or Excel file, read with a column mapping that the user writes.

Most community sensors have a supported export (see :func:`toolkit.load`). For
everything else, a spreadsheet kept by hand, a logger's own CSV, a city's open-data
download, :func:`read_csv_mapped` reads the file once it is told which column holds the
time and which columns hold which measurement::

    data = toolkit.readers.read_csv_mapped(
        "garden.csv",
        time="Timestamp",
        file_timezone="Europe/Berlin",
        sensor_id="garden",
        values={"PM2.5 (ug/m3)": ("pm25", "µg/m³"), "Temp": "temperature"},
    )

:func:`toolkit.readers.suggest_mapping` writes such a call for a file, guessed from its
header and first rows, ready to be edited and run.

Formats
-------
``csv``
    Delimited text with one header line (after ``skip_rows`` lines of preamble), in any
    encoding :func:`toolkit.readers._io.decode` recognises. The delimiter is one of
    ``,`` ``;`` tab ``|``, detected when not given: the one whose header holds the
    mapped columns, else the one that splits the lines most consistently. Decimal
    commas (``12,5``) are recognised in columns that use them when the delimiter is
    not a comma.
``excel``
    ``.xlsx`` workbooks (read with openpyxl through :func:`pandas.read_excel`),
    recognised by their content (a zip holding ``xl/`` members), one sheet at a time.
    Date cells are read as the local date and time they show; numbers in the time
    column between 20 000 and 80 000 are read as Excel serial day numbers (days since
    1899-12-30). The old binary ``.xls`` format is refused with a message.

Units and time
--------------
Each mapped column gives its canonical variable and the unit of the file; values are
converted to the canonical unit (:mod:`toolkit.units`). Times without a UTC offset are
read in ``file_timezone=`` (the zone of the file's clock, an IANA name; the reader asks
when it is missing, rather than guess); times with offsets are converted each with its
own offset; Unix times (all numbers, seconds or milliseconds) are UTC by definition. A
file does not say whether its times mark the start, the end or the instant of a
measurement; the ledger says so.

Missing values
--------------
Empty cells, the usual text codes (``NA``, ``null``, ``nan``, ``-``...) and the numbers
``-999`` and ``-9999`` are missing values, each dropped with its reason and counted in
the ledger; ``missing_values=`` adds the codes of a particular file (``65535``...).

References
----------
.. [1] IANA time zone database, https://www.iana.org/time-zones (zone names).
.. [2] ECMA-376 (Office Open XML): ``.xlsx`` workbooks are zip archives with ``xl/``
   parts; Excel serial dates count days from 1899-12-30 in the 1900 date system.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .. import variables as _variables
from .._errors import (
    CoordinateError,
    DataFormatError,
    EmptyFileError,
    MissingColumnError,
    TimestampError,
    UnitError,
    UnknownVariableError,
)
from .._time import ParsedTimes, parse_times
from . import _tidy
from ._common import new_record, read_each, sensor_data
from ._grid import (
    DELIMITERS,
    csv_grid,
    dedupe_header,
    excel_grid,
    is_excel,
    refuse_old_excel,
    sniff_delimiter,
    split_line,
)
from ._io import RawFile, decode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer


__all__ = [
    "DELIMITERS",
    "MISSING_VALUES",
    "SOURCE",
    "detect",
    "read_csv_mapped",
]

SOURCE = "CSV/Excel (column mapping)"
_PREFIX = "csv"

#: Codes that mean "no value" in any file read here; ``missing_values=`` adds more.
MISSING_VALUES: tuple[str | float, ...] = (*_tidy.COMMON_MISSING_TEXT, -999.0, -9999.0)

_EXCEL_EPOCH = "1899-12-30"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_TIME_LABEL = (
    "not stated by the file: the toolkit cannot tell whether a time marks the "
    "start, the end or the instant of a measurement"
)


def detect(raw: RawFile, head: str) -> str | None:
    """Return ``None``: this reader never claims a file on its own.

    A mapping has to be written for each layout, so :func:`toolkit.load` does not choose
    this reader; when nothing else recognises a file it raises
    :func:`unknown_layout_error`, which proposes a mapping instead.
    """
    return None


# -- the mapping ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    """A checked mapping: everything :func:`read_csv_mapped` was told."""

    time: tuple[str, ...]
    columns: tuple[_tidy.Column, ...]
    timezone: str | None
    sensor_id: str | None
    sensor_column: str | None
    latitude: float | str | None
    longitude: float | str | None
    delimiter: str | None
    sheet: str | int | None
    time_format: str | None
    missing_text: tuple[str, ...]
    missing_numbers: tuple[float, ...]
    skip_rows: int
    decimal: str | None

    @property
    def needed(self) -> list[str]:
        """Every file column the mapping names, in the order the user gave them."""
        names = [*self.time, *(c.raw for c in self.columns)]
        names += [
            c for c in (self.sensor_column, self.latitude, self.longitude) if isinstance(c, str)
        ]
        return list(dict.fromkeys(names))

    @property
    def time_name(self) -> str:
        """The time column(s) as named in messages."""
        return " + ".join(self.time)


def _check_values(values: Mapping[str, Any]) -> tuple[_tidy.Column, ...]:
    """Turn ``values=`` into Columns, checking every variable and unit before reading."""
    if not values:
        raise DataFormatError(
            "The mapping has no measurement columns.",
            found="values={}",
            fix="Name at least one column and its variable, for example "
            "values={'PM2.5': ('pm25', 'µg/m³')}; suggest_mapping(path) writes one for you.",
        )
    columns = []
    for raw_name, target in values.items():
        name = str(raw_name)
        if isinstance(target, str):
            variable, unit, channel = target, None, None
        elif isinstance(target, tuple | list) and len(target) in (2, 3):
            variable, unit = str(target[0]), str(target[1])
            channel = str(target[2]) if len(target) == 3 else None
        else:
            raise DataFormatError(
                f"The mapping of column {name!r} is not a variable or a (variable, unit) pair.",
                found=f"{name!r}: {target!r}",
                fix=f"Write {name!r}: 'pm25' (values in the canonical unit), "
                f"{name!r}: ('pm25', 'µg/m³'), or ('pm25', 'µg/m³', 'A') with a channel.",
            )
        try:
            canonical = _variables.get(variable)
        except UnknownVariableError as error:
            raise UnknownVariableError(
                f"Column {name!r} is mapped to {variable!r}, which is not a canonical variable.",
                found=error.found,
                fix=error.fix,
            ) from None
        unit = canonical.unit if unit is None else unit
        try:
            _units.conversion(variable, unit)
        except UnitError as error:
            raise UnitError(
                f"Column {name!r}: {error.problem}", found=error.found, fix=error.fix
            ) from None
        columns.append(_tidy.Column(name, variable, unit, channel))
    return tuple(columns)


def _name_channels(columns: tuple[_tidy.Column, ...]) -> tuple[tuple[_tidy.Column, ...], str]:
    """Give the column name as channel to columns that share a variable without one."""
    count = Counter(c.variable for c in columns if c.channel is None)
    shared = {v for v, n in count.items() if n > 1}
    if not shared:
        return columns, ""
    named = tuple(
        _tidy.Column(c.raw, c.variable, c.unit, c.raw)
        if c.channel is None and c.variable in shared
        else c
        for c in columns
    )
    return named, (
        f"Several columns hold {', '.join(sorted(shared))}; each reading's "
        "channel is the name of its column, so they can be told apart."
    )


def _check_coordinate(value: float | str | None, which: str, limit: float) -> None:
    if value is None or isinstance(value, str):
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not abs(number) <= limit:
        raise CoordinateError(
            f"The {which} given is impossible: it must be a number within ±{limit:g}°.",
            found=f"{which}={value!r}",
            fix="Give decimal degrees (WGS 84), for example latitude=52.52, "
            "longitude=13.405; check that latitude and longitude are not swapped, or give "
            "the name of the file's column as a string.",
        )


# -- reading ----------------------------------------------------------------------------
def read_csv_mapped(
    path_or_buffer: PathOrBuffer,
    *,
    time: str | Sequence[str],
    values: Mapping[str, tuple[str, str] | tuple[str, str, str] | str],
    file_timezone: str | None = None,
    timezone: str | None = None,
    sensor_id: str | None = None,
    sensor_column: str | None = None,
    latitude: float | str | None = None,
    longitude: float | str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    time_format: str | None = None,
    missing_values: Sequence[str | float] = (),
    skip_rows: int = 0,
    decimal: str | None = None,
) -> SensorData:
    r"""Read any CSV or Excel file, given which column holds what.

    Parameters
    ----------
    path_or_buffer
        A ``.csv`` (also ``.gz``, or a ``.zip`` of files with the same layout), an
        ``.xlsx`` workbook, or an open file or bytes. Excel is recognised by content.
    time
        The name of the time column, or two names (date and clock time, joined with a
        space), for example ``("Date", "Time")``.
    values
        ``{column: (variable, unit)}``: the canonical variable (see
        ``toolkit.variables.table()``) and the unit the file uses, converted to the
        canonical unit; or ``{column: variable}`` for values already in the canonical
        unit. A third item names a channel, ``("pm25", "µg/m³", "A")``; columns that share
        a variable without one get their column name as channel.
    file_timezone
        IANA zone of the file's clock, for times written without an offset, for example
        ``"Europe/Berlin"``.
        Not needed when the times carry offsets (``+01:00``, ``Z``) or are Unix times.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.
    sensor_id, sensor_column
        A name for the one sensor of the file, or the column holding each row's sensor.
        Without either, the sensor is named after the file. Ids are prefixed ``csv:``.
    latitude, longitude
        A number (decimal degrees, WGS 84) for the whole file, or the name of a column.
    delimiter
        ``,`` ``;`` tab or ``|``; detected when ``None``. Ignored for Excel.
    sheet
        The Excel sheet, by name or position from 0; the first one when ``None``.
    time_format
        A ``strftime`` layout for times that are not ISO 8601, for example
        ``"%d/%m/%Y %H:%M"``.
    missing_values
        More codes meaning "no value", numbers (``65535``) or text (``"ERR"``), beside
        :data:`MISSING_VALUES`.
    skip_rows
        Lines (CSV) or rows (Excel) above the header to skip, such as a title.
    decimal
        ``","`` if numbers are written ``12,5``; detected per column when ``None`` (only
        with a delimiter other than a comma).

    Returns
    -------
    SensorData
        Readings in canonical variables and units with UTC times, one sensor row per
        sensor (with its coordinates when given), and a ledger record per file.

    Raises
    ------
    UnknownVariableError, UnitError, CoordinateError
        When the mapping is impossible: checked before the file is read.
    MissingColumnError
        When a mapped column is not in the file (the message lists the columns found and
        close matches), or a ``DataFormatError`` when the delimiter given is wrong.
    TimestampError
        When no time can be read, when times without an offset have no ``file_timezone=``,
        or at daylight-saving problems (the message names the values).
    EmptyFileError, DataFormatError
        For empty, header-only or binary files.

    Notes
    -----
    Rows whose time cannot be read are dropped with their reason; so are rows with no
    value at all. Each empty or missing value is counted in the ledger. Columns not in
    the mapping are listed there as not read.

    Examples
    --------
    >>> import io
    >>> text = "when;PM2.5;T_F\n2024-03-01 14:00;12,5;77\n2024-03-01 14:10;-999;78.8\n"
    >>> data = read_csv_mapped(io.BytesIO(text.encode()), time="when",
    ...                        file_timezone="Europe/Berlin", sensor_id="balcony",
    ...                        values={"PM2.5": "pm25", "T_F": ("temperature", "°F")})
    >>> data.readings[["time", "variable", "value"]].astype(str).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['2024-03-01 13:00:00+00:00', 'pm25', '12.5'],
     ['2024-03-01 13:00:00+00:00', 'temperature', '25.0'],
     ['2024-03-01 13:10:00+00:00', 'temperature', '26.0']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_csv_mapped")
    if sensor_id is not None and sensor_column is not None:
        raise DataFormatError(
            "Give either sensor_id= (one sensor for the whole file) or sensor_column= "
            "(a column of ids), not both.",
            found=f"sensor_id={sensor_id!r}, sensor_column={sensor_column!r}",
            fix="Keep the one that fits the file.",
        )
    if delimiter is not None and len(delimiter) != 1:
        raise DataFormatError(
            "The delimiter must be one character.",
            found=f"delimiter={delimiter!r}",
            fix="Use ',', ';', '\\t' or '|', or leave it out to detect it.",
        )
    if decimal not in (None, ".", ","):
        raise DataFormatError(
            "decimal must be '.' or ','.",
            found=f"decimal={decimal!r}",
            fix="Leave it out to detect decimal commas per column.",
        )
    columns = _check_values(values)
    _check_coordinate(latitude, "latitude", 90.0)
    _check_coordinate(longitude, "longitude", 180.0)
    codes = [*MISSING_VALUES, *missing_values]
    numbers, text = [], []
    for code in codes:
        try:
            numbers.append(float(code))
        except (TypeError, ValueError):
            text.append(str(code))
    spec = _Spec(
        time=(time,) if isinstance(time, str) else tuple(str(t) for t in time),
        columns=columns,
        timezone=timezone,
        sensor_id=None if sensor_id is None else str(sensor_id),
        sensor_column=sensor_column,
        latitude=latitude,
        longitude=longitude,
        delimiter=delimiter,
        sheet=sheet,
        time_format=time_format,
        missing_text=tuple(text),
        missing_numbers=tuple(dict.fromkeys(numbers)),
        skip_rows=int(skip_rows),
        decimal=decimal,
    )
    return read_each(path_or_buffer, lambda raw: _read_one(raw, spec), what="mapped")


def _read_one(raw: RawFile, spec: _Spec) -> SensorData:
    refuse_old_excel(raw)
    if is_excel(raw):
        record = new_record(raw, "mapped/excel")
        grid, _ = excel_grid(raw, spec.sheet, record)
        grid = grid[spec.skip_rows :]
        delimiter = None
        if spec.delimiter:
            record.note("delimiter= applies to CSV files only; it was not used.")
    else:
        text, encoding = decode(raw)
        record = new_record(raw, "mapped/csv", encoding=encoding)
        if spec.sheet is not None:
            record.note("sheet= applies to Excel files only; it was not used.")
        physical = text.splitlines(keepends=True)
        body = "".join(physical[spec.skip_rows :])
        delimiter = spec.delimiter or sniff_delimiter(body.splitlines()[:50], spec.needed)
        grid = [(n + spec.skip_rows, f) for n, f in csv_grid(body, delimiter)]
    if spec.skip_rows:
        record.note(f"{spec.skip_rows} line(s) above the header were skipped (skip_rows).")
    header, rows = _header_and_rows(grid, raw, spec, delimiter)
    frame, lines = _frame(header, rows, record)
    frame = _decimal_commas(frame, spec, delimiter, record)

    time_text = _time_text(frame, spec.time)
    ids = _sensor_ids(frame, spec, raw, record)
    row_reasons = None
    if not isinstance(ids, str):
        row_reasons = ids.isna().map({True: "sensor id missing", False: None}).astype(object)
        ids = ids.fillna(f"{_PREFIX}:?")
    times = _parse(
        time_text, None if isinstance(ids, str) else ids, spec, raw, record, excel=delimiter is None
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL

    columns, note = _name_channels(spec.columns)
    if note:
        record.note(note)
    for name in header:
        if name not in spec.needed:
            record.ignore_column(
                name, "not in the mapping" if name else "not in the mapping (no name in the header)"
            )
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=spec.missing_text,
        missing_numbers=spec.missing_numbers,
        row_reasons=row_reasons,
        time_text=time_text,
        row_labels=time_text.mask(time_text.eq(""), "line " + lines.astype(str) + " (no time)"),
    )
    sensors = _sensors(frame, ids, row_reasons, spec, record)
    return sensor_data(readings, sensors, record)


def _header_and_rows(
    grid: list[tuple[int, list[str]]], raw: RawFile, spec: _Spec, delimiter: str | None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Find the header (the first non-blank row) and check the mapping against it."""
    filled = [(n, f) for n, f in grid if any(x.strip() for x in f)]
    if not filled:
        raise EmptyFileError(
            "The file has no header line" + (" after the skipped rows." if spec.skip_rows else "."),
            file=raw.name,
            found=f"{len(grid)} blank row(s)"
            + (f" after skip_rows={spec.skip_rows}" if spec.skip_rows else ""),
            fix="Check that this is the exported file"
            + (" and that skip_rows is not too large." if spec.skip_rows else "."),
        )
    header, _ = dedupe_header([h.strip().lstrip("\ufeff") for h in filled[0][1]])
    missing = [c for c in spec.needed if c not in header]
    if missing:
        _raise_missing(missing, header, filled, raw, spec, delimiter)
    rows = filled[1:]
    if not rows:
        shown = (delimiter or ", ").join(header)
        raise EmptyFileError(
            "The file has a header but no data rows.",
            file=raw.name,
            found=f"header: {shown[:200]}",
            fix="Export a longer period, or check that the sensor was recording; a file "
            "with only a header holds no readings.",
        )
    return header, rows


def _raise_missing(
    missing: list[str],
    header: list[str],
    filled: list[tuple[int, list[str]]],
    raw: RawFile,
    spec: _Spec,
    delimiter: str | None,
) -> None:
    found = ", ".join(repr(h) for h in header[:40]) + (" ..." if len(header) > 40 else "")
    if delimiter is not None:
        line = delimiter.join(filled[0][1])
        for other in DELIMITERS:
            parts = split_line(line, other)
            if other != delimiter and len(parts) > len(header) and set(missing) & set(parts):
                shown = {"\t": "\\t"}.get(other, other)
                raise DataFormatError(
                    f"With delimiter={delimiter!r} the header splits into "
                    f"{len(header)} column(s), so the mapped columns are not found.",
                    file=raw.name,
                    found=f"header {line[:120]!r}; split on {shown!r} it gives "
                    f"{len(parts)} columns: {', '.join(parts[:12])}",
                    fix=f"Use delimiter={other!r}, or leave delimiter out to detect it.",
                )
    for n, fields in filled[1:50]:
        parts = [f.strip() for f in fields]
        if all(c in parts for c in spec.needed):
            raise MissingColumnError(
                f"The first line is not the header: the mapped columns are on line {n}.",
                file=raw.name,
                found=f"first line: {found}",
                fix=f"Skip the lines above the header with skip_rows={n - 1}.",
            )
    hints = []
    lower = {h.lower(): h for h in header}
    for name in missing:
        close = (
            [lower[name.lower()]]
            if name.lower() in lower
            else difflib.get_close_matches(name, header, n=2, cutoff=0.5)
        )
        if close:
            hints.append(f"{name!r} -> {' or '.join(repr(c) for c in close)}")
    raise MissingColumnError(
        f"Column(s) {', '.join(repr(m) for m in missing)} named in the mapping are not in "
        "the file.",
        file=raw.name,
        found=f"the file's {len(header)} column(s): {found}",
        fix=(f"Did you mean {'; '.join(hints)}? " if hints else "")
        + "Names must match the header exactly; toolkit.readers.suggest_mapping(path) "
        "writes a mapping with the file's own names.",
    )


def _frame(
    header: list[str], rows: list[tuple[int, list[str]]], record: FileRecord
) -> tuple[pd.DataFrame, pd.Series]:
    """Make the text table of the data rows, dropping rows that do not fit the header.

    Returns the table and the line (CSV) or row (Excel) number of each of its rows.
    """
    import pandas as pd

    record.rows_read = len(rows)
    n = len(header)
    repeated = [h for h in header if re.search(r"\.\d+$", h) and h.rsplit(".", 1)[0] in header]
    if repeated:
        record.note(
            f"The header repeats column names; the repeats are named {', '.join(repeated)}"
            " (as pandas does)."
        )
    good, wrong, again, numbers = [], [], [], []
    for line, fields in rows:
        cells = [f.strip() for f in fields]
        if len(cells) > n and not any(cells[n:]):
            cells = cells[:n]  # a trailing delimiter
        elif len(cells) < n and not any(header[len(cells) :]):
            cells += [""] * (n - len(cells))  # unnamed trailing columns left out
        if cells[:1] == header[:1] and dedupe_header(cells)[0] == header:
            again.append(f"line {line}")
        elif len(cells) != n:
            wrong.append(f"line {line}: {len(cells)} fields")
        else:
            good.append(cells)
            numbers.append(line)
    record.drop_rows("repeated header line", len(again), again)
    record.drop_rows(f"row does not have the header's {n} fields", len(wrong), wrong)
    return pd.DataFrame(good, columns=header, dtype=object), pd.Series(numbers, dtype="int64")


def _decimal_commas(
    frame: pd.DataFrame, spec: _Spec, delimiter: str | None, record: FileRecord
) -> pd.DataFrame:
    if spec.decimal == "." or (spec.decimal is None and delimiter in (None, ",")):
        return frame
    names = [c.raw for c in spec.columns]
    names += [c for c in (spec.latitude, spec.longitude) if isinstance(c, str)]
    changed = []
    out = frame.copy()
    for name in dict.fromkeys(names):
        cells = out[name].astype(str)
        if spec.decimal == "," or (
            cells.str.match(_DECIMAL_COMMA).any() and not cells.str.contains(".", regex=False).any()
        ):
            out[name] = cells.str.replace(",", ".", regex=False)
            changed.append(name)
    if changed:
        record.note(f"Decimal commas were read as decimal points in {', '.join(changed)}.")
    return out


def _time_text(frame: pd.DataFrame, time: tuple[str, ...]) -> pd.Series:
    text = frame[time[0]].astype(str).str.strip()
    for name in time[1:]:
        text = (text + " " + frame[name].astype(str).str.strip()).str.strip()
    return text.reset_index(drop=True)


def _sensor_ids(
    frame: pd.DataFrame, spec: _Spec, raw: RawFile, record: FileRecord
) -> pd.Series | str:
    def prefixed(name: str) -> str:
        return name if name.startswith(f"{_PREFIX}:") else f"{_PREFIX}:{name}"

    if spec.sensor_column is not None:
        ids = frame[spec.sensor_column].astype(str).str.strip().reset_index(drop=True)
        return ids.mask(ids.eq("")).map(prefixed, na_action="ignore")
    if spec.sensor_id is not None:
        return prefixed(spec.sensor_id)
    named = not raw.basename.startswith("<")
    sid = prefixed((raw.basename.split(".", 1)[0] if named else "") or "sensor")
    record.note(
        f"No sensor_id= or sensor_column= was given; the sensor is named {sid}"
        + (" after the file." if named else ".")
    )
    return sid


def _parse(
    text: pd.Series,
    ids: pd.Series | None,
    spec: _Spec,
    raw: RawFile,
    record: FileRecord,
    *,
    excel: bool,
) -> ParsedTimes:
    """Parse the time text into UTC.

    When one file holds several sensors, their rows interleave, so the file's order alone
    cannot place repeated local hours at a DST change; then each sensor is parsed alone.
    """
    values = _as_numbers(text, spec, raw, record, excel=excel)

    def one(part: pd.Series) -> ParsedTimes:
        return parse_times(
            part,
            timezone=spec.timezone,
            time_format=spec.time_format,
            file=raw.name,
            column=spec.time_name,
        )

    try:
        return _mark_unreadable(one(values), values, text)
    except TimestampError as error:
        if ids is None or ids.nunique() < 2:
            raise
        try:
            parts = {
                key: (index, one(values[index]))
                for key, index in ids.groupby(ids, sort=False).groups.items()
            }
        except TimestampError:
            raise error from None
    import pandas as pd

    def joined(field: str) -> pd.Series:
        return pd.concat([getattr(p, field).set_axis(i) for i, p in parts.values()]).sort_index()

    first = next((p for _, p in parts.values() if p.timezone), next(iter(parts.values()))[1])
    record.note(
        "Repeated local times at the change back from daylight-saving time were "
        "placed sensor by sensor, from each sensor's own row order."
    )
    merged = ParsedTimes(
        joined("times"),
        joined("missing"),
        joined("unreadable"),
        first.timezone,
        first.reason,
        sorted({o for _, p in parts.values() for o in p.offsets}),
    )
    return _mark_unreadable(merged, values, text)


def _as_numbers(
    text: pd.Series, spec: _Spec, raw: RawFile, record: FileRecord, *, excel: bool
) -> pd.Series:
    """Numbers in the time column: Unix times (or Excel day numbers) rather than text."""
    import pandas as pd

    present = text.ne("") & ~text.str.lower().isin(("nan", "nat", "none", "null", "na"))
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    if spec.time_format is not None or not present.any() or numbers[present].notna().mean() <= 0.5:
        return text
    middle = float(numbers.abs().median())
    if excel and 2e4 <= middle < 8e4:
        days = pd.Timestamp(_EXCEL_EPOCH) + pd.to_timedelta(numbers, unit="D")
        record.note(
            "The time column holds Excel serial day numbers (days since "
            "1899-12-30); they were read as local dates and times."
        )
        return days.dt.round("s").astype(str).where(numbers.notna(), text)
    unit = "s" if middle < 1e11 else "ms"
    years = pd.to_datetime(numbers.dropna(), unit=unit, errors="coerce").dt.year.dropna()
    if not (len(years) and years.between(1990, 2100).mean() > 0.5):
        span = f"{int(years.min())} to {int(years.max())}" if len(years) else "no date at all"
        raise TimestampError(
            f"The time column {spec.time_name!r} holds numbers that are not Unix times.",
            file=raw.name,
            found=f"{', '.join(text[present].head(3))} (read as Unix time in "
            f"{'seconds' if unit == 's' else 'milliseconds'}, they give {span})",
            fix="If they are dates written as digits, give their layout, for example "
            "time_format='%Y%m%d%H%M'.",
        )
    if spec.timezone:
        record.note(f"Unix times are UTC; file_timezone={spec.timezone!r} was not needed.")
    return numbers.where(present)


def _mark_unreadable(times: ParsedTimes, values: pd.Series, text: pd.Series) -> ParsedTimes:
    """Count text in a numeric time column as unreadable, not as missing."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(values.dtype):
        return times
    garbage = (
        values.isna() & text.ne("") & ~text.str.lower().isin(("nan", "nat", "none", "null", "na"))
    ).reset_index(drop=True)
    missing = times.missing.reset_index(drop=True) & ~garbage
    unreadable = times.unreadable.reset_index(drop=True) | garbage
    return ParsedTimes(
        times.times.reset_index(drop=True),
        missing,
        unreadable,
        times.timezone,
        times.reason,
        times.offsets,
    )


def _sensors(
    frame: pd.DataFrame,
    ids: pd.Series | str,
    row_reasons: pd.Series | None,
    spec: _Spec,
    record: FileRecord,
) -> list[dict[str, Any]]:
    """One row per sensor, with its last position (rows without a sensor id left out)."""
    import pandas as pd

    table = pd.DataFrame({"_id": ids if isinstance(ids, pd.Series) else [ids] * len(frame)})
    for which, given in (("latitude", spec.latitude), ("longitude", spec.longitude)):
        if isinstance(given, str):
            table[which] = pd.to_numeric(frame[given].reset_index(drop=True), errors="coerce")
        else:
            table[which] = float("nan") if given is None else float(given)
    if row_reasons is not None:
        table = table[row_reasons.isna().to_numpy()]
    rows = []
    for sid, group in table.groupby("_id", sort=False):
        placed = group.dropna(subset=["latitude", "longitude"], how="all")
        last = placed.iloc[-1] if len(placed) else group.iloc[-1]
        if len(placed.drop_duplicates(["latitude", "longitude"])) > 1:
            record.note(
                f"{sid} has {len(placed.drop_duplicates(['latitude', 'longitude']))} "
                "different positions; the sensors table gives the last."
            )
        rows.append(
            {
                "sensor_id": sid,
                "name": str(sid).split(":", 1)[1],
                "source": SOURCE,
                "latitude": last["latitude"],
                "longitude": last["longitude"],
                "model": None,
                "location_type": None,
                "timezone": None,  # where the sensor is: found from coordinates (_zones)
            }
        )
    if spec.latitude is None and spec.longitude is None:
        record.note(
            "No coordinates were given (latitude=, longitude=); add them to "
            "data.sensors to map the sensor."
        )
    return rows
