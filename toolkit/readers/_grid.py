"""Reading a CSV or Excel file into a grid of text cells, before any column is mapped.

Private helpers of :mod:`toolkit.readers.mapped` and :mod:`toolkit.readers.suggest`:
recognising workbooks (``.xlsx`` is a zip holding ``xl/`` members; the old binary
``.xls`` is refused), reading a sheet or delimited text into rows of text, guessing the
delimiter, and making repeated header names unique.

References
----------
.. [1] ECMA-376 (Office Open XML): ``.xlsx`` workbooks are zip archives with ``xl/``
   parts; Excel serial dates count days from 1899-12-30 in the 1900 date system.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections import Counter
from typing import TYPE_CHECKING, Any

from .._errors import (
    DataFormatError,
)
from ._io import RawFile

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..ledger import FileRecord

__all__ = [
    "DELIMITERS",
    "cell_text",
    "csv_grid",
    "dedupe_header",
    "excel_grid",
    "is_excel",
    "refuse_old_excel",
    "sniff_delimiter",
    "split_line",
]

#: The delimiters tried when none is given, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")


def is_excel(raw: RawFile) -> bool:
    """Tell an .xlsx workbook (a zip holding ``xl/`` parts, or named .xlsx)."""
    if raw.head(4) != b"PK\x03\x04":
        return False
    if raw.basename.lower().endswith((".xlsx", ".xlsm")):
        return True
    import zipfile

    try:
        return any(n.startswith("xl/") for n in zipfile.ZipFile(io.BytesIO(raw.data)).namelist())
    except zipfile.BadZipFile:
        return False


def refuse_old_excel(raw: RawFile) -> None:
    if raw.head(4) == b"\xd0\xcf\x11\xe0":
        raise DataFormatError(
            "This is an old binary Excel (.xls) or Office file, which the toolkit does not read.",
            file=raw.name,
            found=f"Office binary content (first bytes {raw.head(8)!r})",
            fix="Open it in a spreadsheet program and save it as .xlsx or as CSV, then read "
            "that file.",
        )


def cell_text(value: Any) -> str:
    """One spreadsheet cell as the text a CSV would have."""
    import datetime as dt
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()  # a date cell (or midnight: the same instant)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def excel_grid(
    raw: RawFile, sheet: str | int | None, record: FileRecord | None
) -> tuple[list[tuple[int, list[str]]], str]:
    """Every row of one sheet as text, with its 1-based row number; and the sheet's name."""
    import warnings

    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = pd.ExcelFile(io.BytesIO(raw.data), engine="openpyxl")
            names = [str(n) for n in book.sheet_names]
            if sheet is None:
                chosen: str | int = 0
            elif isinstance(sheet, int) and not isinstance(sheet, bool):
                chosen = sheet
                if not 0 <= sheet < len(names):
                    raise IndexError
            else:
                chosen = str(sheet)
                if chosen not in names:
                    raise IndexError
            grid = pd.read_excel(
                book,
                sheet_name=chosen,
                header=None,
                dtype=object,
                keep_default_na=False,
                na_values=[],
            )
    except IndexError:
        close = difflib.get_close_matches(str(sheet), names, n=1)
        raise DataFormatError(
            f"The workbook has no sheet {sheet!r}.",
            file=raw.name,
            found=f"sheets: {', '.join(repr(n) for n in names)}",
            fix=(f"Did you mean sheet={close[0]!r}? " if close else "")
            + "Give sheet= a name from the list, or its position counting from 0.",
        ) from None
    except Exception as error:  # openpyxl and zipfile raise many types for a broken file
        raise DataFormatError(
            "The Excel workbook could not be opened.",
            file=raw.name,
            found=f"{type(error).__name__}: {str(error)[:200]}",
            fix="Open it in a spreadsheet program and save it again as .xlsx or as CSV.",
        ) from None
    name = names[chosen] if isinstance(chosen, int) else chosen
    if record is not None and len(names) > 1:
        record.note(
            f"The workbook has {len(names)} sheets ({', '.join(names[:6])}); "
            f"sheet {name!r} was read (choose another with sheet=)."
        )
    rows = [
        (i + 1, [cell_text(v) for v in row])
        for i, row in enumerate(grid.itertuples(index=False, name=None))
    ]
    return rows, name


def split_line(line: str, delimiter: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]


def sniff_delimiter(lines: Sequence[str], wanted: Sequence[str] = ()) -> str:
    """Choose the delimiter that best splits ``lines``.

    The one whose lines hold the most wanted columns wins, then the most consistent split
    (the most lines with the same number of fields, more than one).
    """
    lines = [line for line in lines if line.strip()][:50]
    best, best_score = DELIMITERS[0], (-1, False, -1, -1)
    for delimiter in DELIMITERS:
        counts = [len(split_line(line, delimiter)) for line in lines]
        if not counts:
            continue
        mode = Counter(counts).most_common(1)[0][0]
        hits = max(len(set(split_line(line, delimiter)) & set(wanted)) for line in lines)
        score = (hits, mode > 1, sum(c == mode for c in counts) if mode > 1 else 0, mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_grid(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every record of delimited text, with the line it starts on (quotes respected)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    start = 1
    for fields in reader:
        rows.append((start, fields))
        start = reader.line_num + 1
    return rows


def dedupe_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Make repeated header names unique as pandas does (``pm25``, ``pm25.1``)."""
    seen: Counter[str] = Counter()
    out, repeated = [], []
    for name in header:
        if seen[name]:
            out.append(f"{name}.{seen[name]}")
            repeated.append(name)
        else:
            out.append(name)
        seen[name] += 1
    return out, repeated
