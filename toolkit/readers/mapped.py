"""Any CSV or Excel file, read with a column mapping that the user writes.

Most community sensors have a supported export (see :func:`toolkit.load`). For
everything else, a spreadsheet kept by hand, a logger's own CSV, a city's open-data
download, :func:`read_csv_mapped` reads the file once it is told which column holds the
time and which columns hold which measurement::

    data = toolkit.readers.read_csv_mapped(
        "garden.csv",
        time="Timestamp",
        timezone="Europe/Berlin",
        sensor_id="garden",
        values={"PM2.5 (ug/m3)": ("pm25", "µg/m³"), "Temp": "temperature"},
    )

:func:`suggest_mapping` writes such a call for a file, guessed from its header and first
rows, ready to be edited and run. :func:`unknown_layout_error` turns the same guess into
the message :func:`toolkit.load` shows when no reader recognises a file.

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
read in ``timezone=`` (an IANA name; the reader asks when it is missing, rather than
guess); times with offsets are converted each with its own offset; Unix times (all
numbers, seconds or milliseconds) are UTC by definition. A file does not say whether its
times mark the start, the end or the instant of a measurement; the ledger says so.

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

import csv
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
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
    UnknownLayoutError,
    UnknownVariableError,
)
from .._time import ParsedTimes, parse_times
from . import _tidy
from ._common import new_record, read_each, sensor_data
from ._io import RawFile, check_text, decode, open_files

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
    "VARIABLE_MAP",
    "detect",
    "read_csv_mapped",
    "suggest_mapping",
    "unknown_layout_error",
]

SOURCE = "CSV/Excel (column mapping)"
_PREFIX = "csv"

#: The delimiters tried when none is given, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")

#: Codes that mean "no value" in any file read here; ``missing_values=`` adds more.
MISSING_VALUES: tuple[str | float, ...] = (*_tidy.COMMON_MISSING_TEXT, -999.0, -9999.0)

#: Column names that :func:`suggest_mapping` recognises, written in lower case without
#: spaces or punctuation (``PM2.5``, ``pm_2_5`` and ``PM25`` are all ``pm25``) ->
#: (canonical variable, usual unit). Only a guess: the user checks it.
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "pm1": ("pm1", "µg/m³"),
    "pm25": ("pm25", "µg/m³"),
    "pm4": ("pm4", "µg/m³"),
    "pm10": ("pm10", "µg/m³"),
    "pm25atm": ("pm25_atm", "µg/m³"),
    "pm25cf1": ("pm25_cf1", "µg/m³"),
    "pm25alt": ("pm25_alt", "µg/m³"),
    **dict.fromkeys(
        (
            "temperature",
            "temp",
            "airtemperature",
            "airtemp",
            "t",
            "tair",
            "temperatur",
            "temperatura",
        ),
        ("temperature", "°C"),
    ),
    **dict.fromkeys(
        (
            "humidity",
            "rh",
            "hum",
            "relativehumidity",
            "relhumidity",
            "luftfeuchtigkeit",
            "humedad",
            "humidite",
        ),
        ("humidity", "%"),
    ),
    **dict.fromkeys(
        ("pressure", "press", "airpressure", "baro", "barometer", "luftdruck"), ("pressure", "hPa")
    ),
    **dict.fromkeys(("dewpoint", "dew", "taupunkt"), ("dewpoint", "°C")),
    **{gas: (gas, "µg/m³") for gas in ("no2", "o3", "so2", "nh3")},
    "co": ("co", "mg/m³"),
    "co2": ("co2", "ppm"),
    "tvoc": ("tvoc", "ppb"),
    "eco2": ("eco2", "ppm"),
    "ozone": ("o3", "µg/m³"),
    "vocindex": ("voc_index", "index"),
    "noxindex": ("nox_index", "index"),
    **dict.fromkeys(("bc", "blackcarbon"), ("bc", "µg/m³")),
    **dict.fromkeys(("laeq", "leq", "noise", "noiselevel", "soundlevel", "dba"), ("laeq", "dB(A)")),
    **dict.fromkeys(("lamax", "lmax"), ("la_max", "dB(A)")),
    **dict.fromkeys(("lamin", "lmin"), ("la_min", "dB(A)")),
    **{f"la{n}": (f"la{n}", "dB(A)") for n in ("01", "10", "50", "90", "95")},
    **dict.fromkeys(("windspeed", "ws", "wind"), ("wind_speed", "m/s")),
    **dict.fromkeys(("winddirection", "winddir", "wd"), ("wind_direction", "°")),
    **dict.fromkeys(("light", "lux", "illuminance"), ("light", "lux")),
    **dict.fromkeys(("car", "cars"), ("count_car", "count")),
    **dict.fromkeys(("bike", "bikes", "bicycle", "bicycles", "cyclists"), ("count_bike", "count")),
    **dict.fromkeys(("pedestrian", "pedestrians"), ("count_pedestrian", "count")),
    **dict.fromkeys(("heavy", "trucks", "lorries"), ("count_heavy", "count")),
}

# Names guessed as the time, sensor and coordinate columns (same normalisation).
_TIME_NAMES = (
    "timestamp",
    "datetime",
    "time",
    "date",
    "timeutc",
    "datetimeutc",
    "utc",
    "localtime",
    "timelocal",
    "createdat",
    "observedat",
    "ts",
    "dateandtime",
    "zeit",
    "zeitstempel",
    "datum",
    "fecha",
    "hora",
    "heure",
)
_DATE_ONLY_NAMES = ("date", "datum", "fecha", "day")
_CLOCK_NAMES = ("time", "zeit", "hora", "heure", "uhrzeit")
_SENSOR_NAMES = (
    "sensorid",
    "sensor",
    "device",
    "deviceid",
    "station",
    "stationid",
    "site",
    "siteid",
    "node",
    "nodeid",
    "sensorname",
    "devicename",
)
_LATITUDE_NAMES = ("lat", "latitude", "breite", "latitud")
_LONGITUDE_NAMES = ("lon", "lng", "long", "longitude", "laenge", "länge", "longitud")
# Unit spellings that may end a column name: "temp_c", "no2_ppb", "pm25_ugm3".
_UNIT_SUFFIXES = {
    "ugm3": "µg/m³",
    "µgm3": "µg/m³",
    "mgm3": "mg/m³",
    "ppb": "ppb",
    "ppm": "ppm",
    "hpa": "hPa",
    "pa": "Pa",
    "kpa": "kPa",
    "c": "°C",
    "degc": "°C",
    "f": "°F",
    "degf": "°F",
    "dba": "dB(A)",
    "pct": "%",
    "%": "%",
}
# Layouts tried for times pandas cannot read on its own (day first before month first).
_TIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%Y%m%d%H%M",
    "%Y%m%d%H%M%S",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
)
# Variables whose unit differs between files (°C/°F, hPa/Pa, µg/m³/ppb...).
_UNIT_DOUBT = {
    "temperature",
    "dewpoint",
    "pressure",
    "no2",
    "o3",
    "so2",
    "co",
    "nh3",
    "co2",
    "tvoc",
    "wind_speed",
}
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


# -- opening a file ---------------------------------------------------------------------
def _is_excel(raw: RawFile) -> bool:
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


def _check_old_excel(raw: RawFile) -> None:
    if raw.head(4) == b"\xd0\xcf\x11\xe0":
        raise DataFormatError(
            "This is an old binary Excel (.xls) or Office file, which the toolkit does not read.",
            file=raw.name,
            found=f"Office binary content (first bytes {raw.head(8)!r})",
            fix="Open it in a spreadsheet program and save it as .xlsx or as CSV, then read "
            "that file.",
        )


def _cell_text(value: Any) -> str:
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


def _excel_grid(
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
        (i + 1, [_cell_text(v) for v in row])
        for i, row in enumerate(grid.itertuples(index=False, name=None))
    ]
    return rows, name


def _split(line: str, delimiter: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]


def _sniff(lines: Sequence[str], wanted: Sequence[str] = ()) -> str:
    """Choose the delimiter that best splits ``lines``.

    The one whose lines hold the most wanted columns wins, then the most consistent split
    (the most lines with the same number of fields, more than one).
    """
    lines = [line for line in lines if line.strip()][:50]
    best, best_score = DELIMITERS[0], (-1, False, -1, -1)
    for delimiter in DELIMITERS:
        counts = [len(_split(line, delimiter)) for line in lines]
        if not counts:
            continue
        mode = Counter(counts).most_common(1)[0][0]
        hits = max(len(set(_split(line, delimiter)) & set(wanted)) for line in lines)
        score = (hits, mode > 1, sum(c == mode for c in counts) if mode > 1 else 0, mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_grid(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every record of delimited text, with the line it starts on (quotes respected)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    start = 1
    for fields in reader:
        rows.append((start, fields))
        start = reader.line_num + 1
    return rows


def _dedupe(header: list[str]) -> tuple[list[str], list[str]]:
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


# -- reading ----------------------------------------------------------------------------
def read_csv_mapped(
    path_or_buffer: PathOrBuffer,
    *,
    time: str | Sequence[str],
    values: Mapping[str, tuple[str, str] | tuple[str, str, str] | str],
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
    timezone
        IANA zone of times written without an offset, for example ``"Europe/Berlin"``.
        Not needed when the times carry offsets (``+01:00``, ``Z``) or are Unix times.
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
        When no time can be read, when times without an offset have no ``timezone=``,
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
    ...                        timezone="Europe/Berlin", sensor_id="balcony",
    ...                        values={"PM2.5": "pm25", "T_F": ("temperature", "°F")})
    >>> data.readings[["time", "variable", "value"]].astype(str).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['2024-03-01 13:00:00+00:00', 'pm25', '12.5'],
     ['2024-03-01 13:00:00+00:00', 'temperature', '25.0'],
     ['2024-03-01 13:10:00+00:00', 'temperature', '26.0']]
    """
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
    _check_old_excel(raw)
    if _is_excel(raw):
        record = new_record(raw, "mapped/excel")
        grid, _ = _excel_grid(raw, spec.sheet, record)
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
        delimiter = spec.delimiter or _sniff(body.splitlines()[:50], spec.needed)
        grid = [(n + spec.skip_rows, f) for n, f in _csv_grid(body, delimiter)]
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
    header, _ = _dedupe([h.strip().lstrip("\ufeff") for h in filled[0][1]])
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
            parts = _split(line, other)
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
        if cells[:1] == header[:1] and _dedupe(cells)[0] == header:
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
        record.note(f"Unix times are UTC; timezone={spec.timezone!r} was not needed.")
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
                "timezone": spec.timezone,
            }
        )
    if spec.latitude is None and spec.longitude is None:
        record.note(
            "No coordinates were given (latitude=, longitude=); add them to "
            "data.sensors to map the sensor."
        )
    return rows


# -- suggesting a mapping ---------------------------------------------------------------
@dataclass
class _Peek:
    """The beginning of a file: what a mapping is guessed from."""

    name: str
    header: list[str]
    rows: list[list[str]]
    delimiter: str | None = None
    skip_rows: int = 0
    sheet: str | None = None
    excel: bool = False


def _peek_rows(
    name: str, rows: list[list[str]], delimiter: str | None = None, sheet: str | None = None
) -> _Peek:
    """Find the header (the first row about as wide as the data rows) and a few rows."""
    counts = [len(r) if any(c.strip() for c in r) else 0 for r in rows]
    usual = Counter(c for c in counts if c).most_common(1)[0][0] if any(counts) else 0
    start = next((i for i, c in enumerate(counts) if c >= max(2, usual - 1)), 0)
    header = rows[start] if rows else []
    sample = [r for r in rows[start + 1 :] if any(c.strip() for c in r)][:20]
    return _Peek(name, header, sample, delimiter, start, sheet)


def _peek_text(name: str, text: str, *, truncated: bool = False) -> _Peek:
    lines = text.lstrip("\ufeff").splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # probably cut in the middle
    lines = lines[:200]
    delimiter = _sniff(lines)
    return _peek_rows(
        name, [_split(line, delimiter) if line.strip() else [] for line in lines], delimiter
    )


def _peek(raw: RawFile) -> _Peek:
    _check_old_excel(raw)
    if not _is_excel(raw):
        return _peek_text(raw.name, check_text(raw), truncated=len(raw.head(65537)) > 65536)
    # The sheet with the most filled rows is the data; trailing empty cells are trimmed.
    best: tuple[int, list[list[str]], str] = (-1, [], "")
    for sheet in _excel_sheet_names(raw):
        grid, _ = _excel_grid(raw, sheet, None)
        rows = [f[: max((i + 1 for i, c in enumerate(f) if c), default=0)] for _, f in grid]
        filled = sum(1 for r in rows if r)
        best = max(best, (filled, rows, sheet), key=lambda b: b[0])
    filled, rows, sheet = best
    if filled <= 0:
        raise EmptyFileError(
            "The workbook is empty.",
            file=raw.name,
            found="no filled cell in any sheet",
            fix="Check that this is the exported file.",
        )
    several = len(_excel_sheet_names(raw)) > 1
    peek = _peek_rows(raw.name, rows, None, sheet if several else None)
    peek.excel = True
    return peek


def _excel_sheet_names(raw: RawFile) -> list[str]:
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return [str(n) for n in pd.ExcelFile(io.BytesIO(raw.data), engine="openpyxl").sheet_names]


def _key(name: str) -> tuple[str, str | None]:
    """Normalise a column name for guessing, and the unit it states, if any."""
    text = name.strip().lower()
    unit = None
    bracket = re.search(r"[(\[]([^)\]]+)[)\]]", text)
    if bracket:
        try:
            unit = _units.normalise(bracket.group(1))
        except UnitError:
            unit = None
        text = text[: bracket.start()] + text[bracket.end() :]
    text = re.sub(r"^(pm\d+)[._ ]0(?!\d)", r"\1", text.strip())  # PM1.0 is PM1
    tokens = [t for t in re.split(r"[\s_\-]+", text) if t]
    if len(tokens) > 1 and re.sub(r"[^0-9a-zµ%]", "", tokens[-1]) in _UNIT_SUFFIXES:
        unit = unit or _UNIT_SUFFIXES[re.sub(r"[^0-9a-zµ%]", "", tokens[-1])]
        tokens = tokens[:-1]
    return re.sub(r"[^0-9a-zäöüµ]", "", "".join(tokens)), unit


def _numeric_share(cells: list[str]) -> float:
    filled = [c for c in cells if c.strip() and c.strip().lower() not in _tidy.COMMON_MISSING_TEXT]
    if not filled:
        return 0.0
    ok = 0
    for cell in filled:
        try:
            float(cell.replace(",", "."))
            ok += 1
        except ValueError:
            pass
    return ok / len(filled)


def _guess_time(peek: _Peek, keys: list[str]) -> tuple[str, ...] | None:
    dates = [h for h, k in zip(peek.header, keys, strict=True) if k in _DATE_ONLY_NAMES]
    clocks = [h for h, k in zip(peek.header, keys, strict=True) if k in _CLOCK_NAMES]
    if dates and clocks:
        i = peek.header.index(clocks[0])
        cells = [r[i] for r in peek.rows if i < len(r)]
        clock = [bool(re.match(r"^\d{1,2}:\d{2}", c)) for c in cells if c]
        if clock and sum(clock) > len(clock) / 2:
            return (dates[0], clocks[0])
    for wanted in _TIME_NAMES:
        for h, k in zip(peek.header, keys, strict=True):
            if k == wanted:
                return (h,)
    for h, k in zip(peek.header, keys, strict=True):
        if "time" in k or "date" in k or "zeit" in k:
            return (h,)
    import pandas as pd

    for i, h in enumerate(peek.header):
        cells = pd.Series([r[i] for r in peek.rows if i < len(r) and r[i]], dtype=object)
        if len(cells) and _numeric_share(list(cells)) < 0.5:
            parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce")
            if parsed.notna().mean() > 0.8:
                return (h,)
    return None


def _time_advice(peek: _Peek, time: tuple[str, ...] | None) -> list[str]:
    """Write the timezone=/time_format= lines of the suggestion, from the sample times."""
    import pandas as pd

    edit_zone = (
        "    timezone=None,  # EDIT: the times carry no UTC offset: name the zone "
        'of the clock, e.g. "Europe/Berlin" or "UTC"'
    )
    if time is None:
        return [edit_zone]
    index = [peek.header.index(t) for t in time]
    text = pd.Series(
        [" ".join(r[i] for i in index if i < len(r)).strip() for r in peek.rows], dtype=object
    )
    text = text[text.ne("")].reset_index(drop=True)
    if text.empty:
        return [edit_zone]
    if _numeric_share(list(text)) == 1.0:
        return ["    # timezone= is not needed: Unix times are UTC"]

    def reads(**options: Any) -> bool:
        """Whether most sample times read this way (a broken row may be among them)."""
        try:
            parsed = parse_times(text, **options)
        except TimestampError:
            return False
        return bool(parsed.unreadable.mean() < 0.5)

    if reads():
        return ["    # timezone= is not needed: the times carry their UTC offsets"]
    if reads(timezone="UTC"):
        return [edit_zone]
    formats = [f for f in _TIME_FORMATS if reads(timezone="UTC", time_format=f)]
    if formats:
        doubt = (
            "day and month order: check it"
            if len(formats) > 1
            and formats[0].startswith("%d/")
            and any(f.startswith("%m/") for f in formats)
            else "check it"
        )
        return [edit_zone, f"    time_format={formats[0]!r},  # EDIT: {doubt}"]
    example = text.iloc[0]
    return [
        edit_zone,
        (
            f"    time_format=None,  # EDIT: the times ({example!r}) could not "
            "be read: give their layout, e.g. '%d/%m/%Y %H:%M'"
        ),
    ]


def _render(peek: _Peek, path: str | None = None) -> str:
    """Write the ready-to-edit ``read_csv_mapped`` call for a peeked file."""
    keys = [_key(h)[0] for h in peek.header]
    time = _guess_time(peek, keys)
    used = set(time or ())

    def first(names: Sequence[str]) -> str | None:
        for wanted in names:
            for h, k in zip(peek.header, keys, strict=True):
                if k == wanted and h not in used:
                    used.add(h)
                    return h
        return None

    sensor = first(_SENSOR_NAMES)
    lat, lon = first(_LATITUDE_NAMES), first(_LONGITUDE_NAMES)
    target = path if path is not None else peek.name.split("::", 1)[0]
    placeholder = '"my_file.xlsx"' if peek.excel else '"my_file.csv"'
    shown = repr(target) if not target.startswith("<") else placeholder
    lines = [
        "import toolkit",
        "",
        "data = toolkit.readers.read_csv_mapped(",
        f"    {shown}," + ("  # EDIT: the path of the file" if target.startswith("<") else ""),
    ]
    if time is None:
        lines.append(
            '    time="?",  # EDIT: no column looks like a time: name the time '
            f"column (columns: {', '.join(peek.header[:8])})"
        )
    else:
        lines.append(f"    time={time[0]!r}," if len(time) == 1 else f"    time={time!r},")
    lines += _time_advice(peek, time)
    if sensor:
        lines.append(f"    sensor_column={sensor!r},")
    else:
        stem = Path(target).name.split(".", 1)[0] if not target.startswith("<") else "sensor"
        lines.append(
            f"    sensor_id={stem or 'sensor'!r},  # EDIT: a name for this sensor "
            "(or sensor_column= for a column of ids)"
        )
    if lat and lon:
        lines += [f"    latitude={lat!r},", f"    longitude={lon!r},"]
    else:
        lines.append("    # latitude=52.52, longitude=13.405,  # EDIT: the sensor's position")
    lines.append("    values={")
    for i, (name, key) in enumerate(zip(peek.header, keys, strict=True)):
        if name in used:
            continue
        cells = [r[i] for r in peek.rows if i < len(r)]
        share = _numeric_share(cells)
        guess = VARIABLE_MAP.get(key)
        stated = _key(name)[1]
        if guess and share > 0:
            unit = stated if stated and _convertible(guess[0], stated) else guess[1]
            note = "  # EDIT: check the unit" if stated != unit and guess[0] in _UNIT_DOUBT else ""
            lines.append(f"        {name!r}: ({guess[0]!r}, {unit!r}),{note}")
        elif not name:
            continue
        elif share > 0:
            lines.append(
                f'        # {name!r}: ("VARIABLE", "UNIT"),  # not recognised: see '
                "toolkit.variables.table()"
            )
        else:
            why = "empty in the first rows" if not any(c.strip() for c in cells) else "text"
            lines.append(
                f'        # {name!r}: ("VARIABLE", "UNIT"),  # {why}, probably not a measurement'
            )
    lines.append("    },")
    if peek.delimiter is not None:
        lines.append(f"    delimiter={peek.delimiter!r},")
    if peek.sheet is not None:
        lines.append(f"    sheet={peek.sheet!r},")
    if peek.skip_rows:
        lines.append(
            f"    skip_rows={peek.skip_rows},  # "
            + ("rows" if peek.excel else "lines")
            + " above the header"
        )
    lines += [")", "data.ledger"]
    return "\n".join(lines) + "\n"


def _convertible(variable: str, unit: str) -> bool:
    try:
        _units.conversion(variable, unit)
    except (UnitError, UnknownVariableError):
        return False
    return True


def suggest_mapping(path_or_buffer: PathOrBuffer) -> str:
    r"""Write a ready-to-edit :func:`read_csv_mapped` call for a file.

    The time column, sensor and coordinate columns and measurement columns are guessed
    from the header and the first rows (names such as ``PM2.5``, ``pm25``, ``Temp``,
    ``RH``, ``NO2``; units stated in brackets or suffixes such as ``(ug/m3)``,
    ``_ppb``). Every column is listed; the ones not recognised are commented out, and
    each guess to check is marked ``EDIT``.

    Parameters
    ----------
    path_or_buffer
        A CSV or Excel file (for a zip, its first member).

    Returns
    -------
    str
        Python source: print it, copy it into a cell, edit and run it.

    Raises
    ------
    EmptyFileError, DataFormatError
        When the file is empty or not text nor a workbook.

    Examples
    --------
    >>> import io
    >>> print(suggest_mapping(io.BytesIO(b"time,PM2.5,RH\n2024-03-01 14:00,12,40\n")))
    ... # doctest: +ELLIPSIS
    import toolkit
    <BLANKLINE>
    data = toolkit.readers.read_csv_mapped(
        "my_file.csv",  # EDIT: the path of the file
        time='time',
        timezone=None,  # EDIT: the times carry no UTC offset: ...
        sensor_id='sensor',  # EDIT: a name for this sensor ...
        # latitude=52.52, longitude=13.405,  # EDIT: the sensor's position
        values={
            'PM2.5': ('pm25', 'µg/m³'),
            'RH': ('humidity', '%'),
        },
        delimiter=',',
    )
    data.ledger
    <BLANKLINE>
    """
    path = str(path_or_buffer) if isinstance(path_or_buffer, str | Path) else None
    raw = open_files(path_or_buffer)[0]
    return _render(_peek(raw), path=path)


def unknown_layout_error(
    raw_or_name: RawFile | str,
    columns: Sequence[str] | str | None = None,
    sample_rows: Sequence[Sequence[str]] = (),
) -> UnknownLayoutError:
    """Build the error for a file no reader recognises, with a mapping to start from.

    Parameters
    ----------
    raw_or_name
        The opened file, or its name.
    columns
        The header's column names; or the beginning of the file as text (the ``head``
        that detection looked at), which is then split here. When ``None`` the columns
        are read from ``raw_or_name`` (which must then be a :class:`RawFile`).
    sample_rows
        A few data rows (lists of cell text) when ``columns`` is a list.

    Returns
    -------
    UnknownLayoutError
        To raise. Its message names the file, lists the columns found, and gives a
        ready-to-edit :func:`read_csv_mapped` call in its "What to do" part.
    """
    name = raw_or_name.name if isinstance(raw_or_name, RawFile) else str(raw_or_name)
    if isinstance(columns, str):
        big = isinstance(raw_or_name, RawFile) and len(raw_or_name.head(65537)) > 65536
        peek = _peek_text(name, columns, truncated=big)
    elif columns is None and isinstance(raw_or_name, RawFile):
        peek = _peek(raw_or_name)
    else:
        peek = _Peek(
            name, [str(c) for c in columns or ()], [[str(c) for c in row] for row in sample_rows]
        )
    shown = ", ".join(repr(c) for c in peek.header[:30]) + (" ..." if len(peek.header) > 30 else "")
    path = None if name.startswith("<") else name.split("::", 1)[0]
    code = _render(peek, path=path).rstrip("\n").replace("\n", "\n    ")
    return UnknownLayoutError(
        "No reader recognises the layout of this file.",
        file=name,
        found=f"{len(peek.header)} column(s): {shown}",
        fix="If it is an export of a supported platform, check that the file is the "
        "original download. Otherwise read it with a column mapping: copy this, edit the "
        f"lines marked EDIT, and run it:\n\n    {code}\n",
    )
