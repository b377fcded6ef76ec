"""Pieces every reader shares: ledger records, text tables, coordinates, assembly.

A reader module keeps only what is particular to its source (its variable map, its
missing-value codes, its quirks) and uses these helpers for the rest, so that all readers
return the same shapes and account for rows the same way.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from .._errors import (
    CoordinateError,
    DataFormatError,
    EmptyFileError,
    MissingColumnError,
    ToolkitError,
)
from ..ledger import FileRecord, Ledger
from ..sensordata import (
    SensorData,
    concat,
    empty_readings,
    empty_sensors,
    normalise_readings,
    normalise_sensors,
)
from ._io import open_files

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pandas as pd

    from ._io import PathOrBuffer, RawFile

__all__ = [
    "check_coordinates",
    "frame_from_rows",
    "new_record",
    "parse_json",
    "read_each",
    "require_columns",
    "sensor_data",
    "split_table",
]


def new_record(raw: RawFile, format_name: str, *, encoding: str = "utf-8") -> FileRecord:
    """Start the ledger record of one file."""
    record = FileRecord(path=raw.name, format=format_name)  # read_each adds the SHA-256
    if encoding not in ("utf-8", "ascii"):
        record.note(f"text decoded as {encoding} (not UTF-8)")
    return record


def split_table(
    text: str,
    *,
    delimiter: str,
    record: FileRecord,
    header_rows: int = 1,
) -> tuple[list[str], list[list[str]], list[int]]:
    """Split delimited text into a header and rows, with the CSV module's quoting rules.

    Blank lines are skipped without counting (they are not data rows).

    Returns
    -------
    header : list of str
        The first header line's fields, stripped.
    rows : list of list of str
        Every following non-blank line's fields.
    line_numbers : list of int
        The 1-based line number of each row, for examples in the ledger.

    Raises
    ------
    EmptyFileError
        When there is no header, or no row after it.
    """
    # newline=None: a lone carriage return ends a line too (the csv module refuses one
    # inside an unquoted field).
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    header: list[str] | None = None
    skipped = 0
    rows: list[list[str]] = []
    numbers: list[int] = []
    for line_number, fields in _csv_rows(reader, record):
        if not fields or all(not f.strip() for f in fields):
            continue
        if header is None:
            header = [f.strip() for f in fields]
            continue
        if skipped < header_rows - 1:
            skipped += 1
            continue
        rows.append(fields)
        numbers.append(line_number)
    if header is None:
        raise EmptyFileError(
            "The file has no header line.",
            file=record.path,
            fix="Check that this is the exported file.",
        )
    if not rows:
        raise EmptyFileError(
            "The file has a header but no data rows.",
            file=record.path,
            found=f"header: {delimiter.join(header)[:200]}",
            fix="Choose a longer period when exporting, or check that the sensor was "
            "online; a file with only a header holds no readings.",
        )
    return header, rows, numbers


def _csv_rows(reader: Any, record: FileRecord) -> Iterator[tuple[int, list[str]]]:
    """Yield the numbered rows of a csv reader, turning its errors into a DataFormatError."""
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise DataFormatError(
            "The file could not be split into fields.",
            file=record.path,
            found=f"line {reader.line_num}: {error}",
            fix="Check the file around that line (a quote that is never closed, a field "
            "longer than 128 KiB?); download or export it again.",
        ) from None


def frame_from_rows(
    header: list[str],
    rows: list[list[str]],
    line_numbers: list[int],
    *,
    record: FileRecord,
) -> tuple[pd.DataFrame, list[int]]:
    """Make a text table of the rows that have the header's number of fields.

    The other rows are dropped with the reason "row does not have the header's N fields"
    and their line numbers as examples; lines that repeat the header (downloads joined
    one after another) are dropped as "repeated header line". ``record.rows_read`` is set
    to all rows.

    Returns
    -------
    frame : pandas.DataFrame
        The kept rows, every cell as text (``object`` dtype).
    line_numbers : list of int
        The line number of each kept row.

    Raises
    ------
    DataFormatError
        When the header names a column twice (values could not be told apart).
    """
    import pandas as pd

    if len(set(header)) != len(header):
        repeated = sorted({h for h in header if header.count(h) > 1})
        raise DataFormatError(
            "The header names a column more than once.",
            file=record.path,
            found=f"repeated: {', '.join(map(repr, repeated))}",
            fix="Rename the repeated columns before loading.",
        )
    record.rows_read = len(rows)
    # Downloads joined one after another repeat the header: those lines are not data.
    again = [[f.strip() for f in r] == header for r in rows]
    if any(again):
        shown = [f"line {n}" for n, a in zip(line_numbers, again, strict=True) if a]
        record.drop_rows("repeated header line", len(shown), shown[:3])
        rows = [r for r, a in zip(rows, again, strict=True) if not a]
        line_numbers = [n for n, a in zip(line_numbers, again, strict=True) if not a]
    good = [len(r) == len(header) for r in rows]
    if not all(good):
        shown = [
            f"line {n}: {len(r)} fields"
            for r, n, g in zip(rows, line_numbers, good, strict=True)
            if not g
        ]
        record.drop_rows(
            f"row does not have the header's {len(header)} fields", len(shown), shown[:3]
        )
    kept = [r for r, g in zip(rows, good, strict=True) if g]
    lines = [n for n, g in zip(line_numbers, good, strict=True) if g]
    return pd.DataFrame(kept, columns=header, dtype=object), lines


def require_columns(
    columns: Iterable[str], needed: Iterable[str], *, record: FileRecord, what: str
) -> None:
    """Raise a :class:`MissingColumnError` when a column the format needs is not there.

    A reader recognises its format from a few header names; a damaged or edited header
    can still lack a column the reader needs later (a name misspelt, a column deleted).

    Parameters
    ----------
    columns
        The columns found (a header, or a table's columns).
    needed
        The columns the reader uses.
    record
        The ledger record (for the file name).
    what
        The format's name, for the message (for example ``"OpenAQ Explorer CSV"``).
    """
    found = list(columns)
    missing = [c for c in dict.fromkeys(needed) if c not in found]
    if missing:
        raise MissingColumnError(
            f"The {what} lacks column(s) the format always has: {', '.join(map(repr, missing))}.",
            file=record.path,
            found=f"columns: {', '.join(map(repr, found))[:300]}",
            fix="Check that the header is the original download's (a column renamed or "
            "deleted in a spreadsheet?); or read the file with "
            "toolkit.readers.read_csv_mapped and an explicit column mapping.",
        )


def parse_json(text: str, *, record: FileRecord, what: str) -> Any:
    """Parse JSON text, or raise a :class:`DataFormatError` that says where it broke.

    Parameters
    ----------
    text
        The file's text.
    record
        Its ledger record (for the file name).
    what
        The kind of JSON, for the message (for example ``"Telraam"``).
    """
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFormatError(
            f"The {what} JSON could not be parsed.",
            file=record.path,
            found=str(error),
            fix="Download the file again (or save the answer again); it may be cut short.",
        ) from None


def check_coordinates(
    sensors: pd.DataFrame,
    *,
    record: FileRecord,
    strict: bool = False,
) -> pd.DataFrame:
    """Blank out impossible coordinates (|latitude| > 90°, |longitude| > 180°).

    The readings stay: a sensor with an unknown position still measured. The ledger
    gets a note naming the sensor and the values. With ``strict=True`` a
    :class:`CoordinateError` is raised instead.

    Returns
    -------
    pandas.DataFrame
        A new sensors table.
    """
    import pandas as pd

    out = sensors.copy()
    lat = pd.to_numeric(out["latitude"], errors="coerce")
    lon = pd.to_numeric(out["longitude"], errors="coerce")
    bad = (lat.abs() > 90) | (lon.abs() > 180)
    if bad.any():
        found = "; ".join(
            f"{sid}: latitude {la}, longitude {lo}"
            for sid, la, lo in zip(out.loc[bad, "sensor_id"], lat[bad], lon[bad], strict=True)
        )
        error = CoordinateError(
            "Impossible coordinates: latitude must be within ±90° and longitude within ±180°.",
            file=record.path,
            found=found,
            fix="Check whether latitude and longitude were swapped or written in another "
            "unit (for example without the decimal point); correct them in data.sensors. "
            "The readings were kept, with the position left empty.",
        )
        if strict:
            raise error
        record.note(str(error).replace("\n", " "))
        lat = lat.mask(bad)
        lon = lon.mask(bad)
    out["latitude"] = lat.astype("float64")
    out["longitude"] = lon.astype("float64")
    return out


def sensor_data(
    readings: pd.DataFrame, sensors: pd.DataFrame | list[dict[str, Any]], record: FileRecord
) -> SensorData:
    """Assemble one file's result, after checking its ledger balances.

    Each sensor's time zone is kept where the file gives it, else found from its
    coordinates or the file's UTC offsets, and the ledger says how
    (:func:`toolkit._zones.fill_sensor_zones`).
    """
    import pandas as pd

    from .._zones import fill_sensor_zones

    frame = pd.DataFrame(sensors) if isinstance(sensors, list) else sensors
    if len(frame):
        frame = normalise_sensors(check_coordinates(frame, record=record))
        frame = fill_sensor_zones(frame, record)
        record.sensors = [str(s) for s in frame["sensor_id"]]
    else:
        frame = empty_sensors()
    if not record.balanced:  # pragma: no cover - a reader bug, caught by tests
        msg = f"Ledger does not balance for {record.path}:\n{record}"
        raise AssertionError(msg)
    record.assess()  # "partial" when > 1 % of rows or values were lost structurally
    return SensorData(normalise_readings(readings), frame, Ledger([record]))


def read_each(
    source: PathOrBuffer,
    parse: Callable[[RawFile], SensorData],
    *,
    what: str,
) -> SensorData:
    """Open ``source`` (a file, a ``.gz``, or every member of a ``.zip``) and parse each.

    Parameters
    ----------
    source
        Path or buffer given to a reader.
    parse
        The reader's function for one file.
    what
        The format's name, for error messages.

    Returns
    -------
    SensorData
        All files combined.
    """
    raws = open_files(source)
    parts: list[SensorData] = []
    for raw in raws:
        if len(raws) > 1:
            try:
                part = parse(raw)
            except ToolkitError as error:
                record = FileRecord(
                    path=raw.name, format=what, status="failed", error=str(error), exception=error
                )
                part = SensorData(empty_readings(), empty_sensors(), Ledger([record]))
        else:
            part = parse(raw)
        for record in part.ledger:
            record.sha256 = record.sha256 or raw.sha256
        parts.append(part)
    return concat(parts)
