"""Long ("tidy") tables: one value per row, with the variable and its unit in columns.

The shape the toolkit itself uses for readings (``sensor_id,time,variable,value,unit``)
is also what spreadsheets, R's tidyverse (``pivot_longer``), openair users and many
platforms export. :func:`toolkit.load` recognises it from the header.

Formats
-------
``csv``
    Delimited text (``,`` ``;`` tab or ``|``, recognised from the header) whose header
    names at least a time, a variable and a value column. Header names are compared in
    lower case without spaces or punctuation, and may be spelled many ways
    (:data:`COLUMN_NAMES`): ``sensor_id``/``site``/``station``/``device``...,
    ``time``/``timestamp``/``datetime``/``date``/``time_utc``..., ``variable``/
    ``parameter``/``pollutant``/``measurand``..., ``value``/``measurement``/
    ``reading``/``concentration``, ``unit``/``units``/``uom``. Optional columns:
    ``latitude``/``lat``, ``longitude``/``lon``/``lng``, ``channel``, and a per-row
    time zone (``timezone``/``tz``). A first column without a name (the row numbers
    written by ``pandas.DataFrame.to_csv`` or R's ``write.csv``) is not read. OpenAQ's
    CSVs are long tables too, with their own conventions: they are left to
    :func:`~toolkit.readers.read_openaq`.

Variables and units
-------------------
Variable names are matched with :func:`toolkit.variables.resolve` (``PM2.5``,
``pm2_5``, ``pm25``, ``PM10``, ``NO2``, ``Temp``, ``RH``, ``LAeq``, ``Relative
Humidity``...); a name that is not known drops its rows with a reason that names it,
and ``variable_map=`` says what it is. Units are converted to the canonical unit of the
variable (:mod:`toolkit.units`: ``ug/m3``, ``µg/m³``, ``μg/m3``, ``mg/m3``, ``ppb``,
``ppm``, ``degC``, ``°F``, ``K``, ``hPa``, ``kPa``, ``Pa``, ``mbar``, ``%``, ``dBA``...);
a unit that cannot be converted drops its rows with a reason naming it. A plain ``dB``
is read as dB(A) only for variables whose name says they are A-weighted (``LAeq``,
``LAmax``...). A unit in brackets in the value column's name (``value (µg/m³)``) serves
for every row when there is no unit column.

Time
----
Times with offsets (``+02:00``, ``Z``) are converted with their own offsets. Times
without one are read in the zone of the row's time zone column if there is one, in UTC
if the time column's name says so (``time_utc``, ``utc``, ``Date (UTC)``), else in
``file_timezone=`` (the reader asks rather than guess). A file does not say whether its
times mark the start, the end or the instant of a measurement; the ledger says so. The
time zone column also gives each sensor's zone in the sensors table (otherwise it is
found from the coordinates, see :mod:`toolkit._zones`).

Numbers
-------
With a ``;`` or tab delimiter, decimal commas (``12,5``, ``1.013,2``) are recognised in
the value and coordinate columns when the column writes no decimal point; a column that
mixes both is not guessed: its comma values are dropped with that reason. Empty cells,
the usual text codes (``NA``, ``null``, ``-``...) and ``-999``/``-9999`` are missing
values.

Sensor ids are taken from the file as they are (not prefixed), so that readings written
by the toolkit load back under the same ids; a file without a sensor column is one
sensor named after the file (or ``sensor_id=``).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .. import variables as _variables
from .._errors import DataFormatError, MissingColumnError, TimestampError, UnitError
from .._time import ParsedTimes, check_timezone, parse_times
from . import _tidy
from ._common import frame_from_rows, new_record, read_each, sensor_data, split_table
from ._grid import DELIMITERS, sniff_delimiter, split_line
from ._io import check_text, decode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "COLUMN_NAMES",
    "MISSING_VALUES",
    "ROLES",
    "SOURCE",
    "detect",
    "find_columns",
    "header_unit",
    "read_long_csv",
    "utc_named",
]

SOURCE = "long table (CSV)"

#: What a column of a long table can hold, in the order columns are assigned.
ROLES = (
    "time",
    "variable",
    "value",
    "unit",
    "sensor",
    "latitude",
    "longitude",
    "channel",
    "timezone",
)
#: Header names of each role (lower case, letters and digits only), best first.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "time": (
        "timeutc",
        "utc",
        "datetimeutc",
        "timestamputc",
        "dateutc",
        "utctime",
        "utcdatetime",
        "utctimestamp",
        "timegmt",
        "datetimegmt",
        "timestamp",
        "datetime",
        "time",
        "date",
        "observedat",
        "measuredat",
    ),
    "variable": (
        "variable",
        "parameter",
        "pollutant",
        "measurand",
        "quantity",
        "species",
        "variablename",
        "parametername",
        "pollutantname",
        "name",
    ),
    "value": ("value", "measurement", "reading", "concentration", "result", "val"),
    "unit": ("unit", "units", "uom", "unitofmeasure", "unitsofmeasure", "unitofmeasurement"),
    "sensor": (
        "sensorid",
        "sensor",
        "deviceid",
        "device",
        "stationid",
        "station",
        "siteid",
        "site",
        "locationid",
        "location",
        "sensorname",
        "devicename",
        "stationname",
        "sitename",
        "nodeid",
        "node",
        "code",
        "id",
    ),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "channel": ("channel",),
    "timezone": ("timezone", "tz", "timezonename", "tzname", "ianatimezone"),
}
#: Time column names that say the times are UTC.
_UTC_NAMES = frozenset(COLUMN_NAMES["time"][:10])
_UTC_BRACKETS = frozenset({"utc", "gmt", "z"})
#: Codes that mean "no value" (text compared in lower case, and numbers).
MISSING_VALUES: tuple[str | float, ...] = (*_tidy.COMMON_MISSING_TEXT, -999.0, -9999.0)

_REQUIRED = ("time", "variable", "value")
_BRACKET = re.compile(r"^(.*?)\s*[\[(]([^\])]*)[\])]\s*$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)?,\d+$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_POINT_NUMBER = re.compile(r"^[+-]?\d*\.\d+$")
_TIME_LABEL = (
    "not stated by the file: the toolkit cannot tell whether a time marks the "
    "start, the end or the instant of a measurement"
)
_UNNAMED = "no header name (row numbers written by pandas or R, or a trailing delimiter)"


# -- columns --------------------------------------------------------------------------
def _key(name: str) -> tuple[str, str]:
    """Return a header name as compared (letters and digits), and a trailing bracket's text."""
    text = str(name).strip().lstrip("\ufeff").lower()
    bracket = ""
    match = _BRACKET.match(text)
    if match and match.group(1):
        text, bracket = match.group(1), match.group(2).strip()
    return re.sub(r"[^0-9a-z]", "", text), bracket


def utc_named(column: str) -> bool:
    """Tell whether a time column's name says its times are UTC (``time_utc``, ``Date (UTC)``)."""
    key, bracket = _key(column)
    return key in _UTC_NAMES or _key(bracket)[0] in _UTC_BRACKETS


def header_unit(column: str) -> str:
    """Return the text in a trailing bracket of a column name (``value (µg/m³)``), or ``""``."""
    return _key(column)[1]


def find_columns(header: Sequence[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Say which column of a long table holds what.

    Parameters
    ----------
    header
        The header's column names.
    given
        Columns already known, ``{role: column name}`` (see :data:`ROLES`); they are kept
        and their columns not used for another role.

    Returns
    -------
    dict of str to str
        ``{role: column name}`` for every role found, best-named column first (a
        ``sensor_id`` column before a ``site`` column).
    """
    found = dict(given or {})
    used = set(found.values())
    keys = [_key(h)[0] for h in header]
    for role in ROLES:
        if role in found:
            continue
        for wanted in COLUMN_NAMES[role]:
            match = next(
                (h for h, k in zip(header, keys, strict=True) if k == wanted and h not in used),
                None,
            )
            if match is not None:
                found[role] = match
                used.add(match)
                break
    return found


def _choose_delimiter(lines: Sequence[str]) -> tuple[str, list[str]]:
    """Return the delimiter under which the header names the most long-table columns."""
    header = lines[0]
    best = max(
        DELIMITERS,
        key=lambda d: (len(find_columns(split_line(header, d))), -DELIMITERS.index(d)),
    )
    if len(find_columns(split_line(header, best))) <= 1:
        best = sniff_delimiter(lines)
    return best, split_line(header, best)


#: How many non-blank lines may stand above the header (a title, notes).
_MAX_PREAMBLE = 10


def _locate_header(
    text: str, delimiter: str | None, given: Mapping[str, str]
) -> tuple[int, str, bool]:
    """Find the header among the first lines: the first naming a time, variable and value.

    Returns
    -------
    index : int
        The header's position in ``text.splitlines()`` (the first non-blank line when no
        line names the columns).
    delimiter : str
        The delimiter given, or the one the header is split by.
    found : bool
        Whether a line naming the columns was found.
    """
    lines = text.splitlines()[: 40 * _MAX_PREAMBLE]
    candidates = [i for i, line in enumerate(lines) if line.strip()][:_MAX_PREAMBLE]
    for i in candidates:
        line = lines[i].lstrip("\ufeff")
        split = delimiter or _choose_delimiter([line, *lines[i + 1 : i + 20]])[0]
        header = split_line(line, split)
        if set(given.values()) <= set(header) and set(_REQUIRED) <= set(
            find_columns(header, given)
        ):
            return i, split, True
    first = candidates[0] if candidates else 0
    following = [line for line in lines[first : first + 20] if line.strip()] or [""]
    return first, delimiter or _choose_delimiter(following)[0], False


def detect(raw: RawFile, head: str) -> str | None:
    """Return ``"csv"`` if ``head`` (the file's first characters) is a long table.

    A header among the first lines must name a time, a variable and a value column (see
    :data:`COLUMN_NAMES`). OpenAQ's CSVs, long tables with their own conventions, are
    left to the OpenAQ reader whatever the order in which readers are asked.
    """
    text = head.lstrip("\ufeff \t\r\n")
    if not text or text[:1] in ("{", "[", "<"):
        return None
    if not _locate_header(text, None, {})[2]:
        return None
    from . import openaq

    if openaq.detect(raw, head):
        return None
    return "csv"


# -- entry point ----------------------------------------------------------------------
def read_long_csv(
    path_or_buffer: PathOrBuffer,
    *,
    file_timezone: str | None = None,
    timezone: str | None = None,
    sensor_id: str | None = None,
    variable_map: Mapping[str, tuple[str, str | None] | str] | None = None,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    time_format: str | None = None,
    gas_reference_temperature_c: float = _units.DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
) -> SensorData:
    r"""Read a long table: one value per row, with its variable and unit in columns.

    Parameters
    ----------
    path_or_buffer
        A ``.csv`` file (also ``.gz``, or a ``.zip`` of such files), or an open file or
        bytes.
    file_timezone
        IANA zone of the file's clock, for times written without an offset, for example
        ``"Europe/Berlin"``. Not needed when the times carry offsets, when the time
        column is named as UTC (``time_utc``) or when a time zone column gives each
        row's zone; when given, it is used instead of that column for the times.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or a time zone column.
    sensor_id
        The sensor's name for a file without a sensor column (by default the file name).
        Not used when the file has one.
    variable_map
        What the file's variable names mean, beside the names the toolkit knows:
        ``{name: (variable, unit)}`` or ``{name: variable}``, for example
        ``{"P2": "pm25", "noise": ("laeq", "dB(A)")}``. A unit given here is used for
        those rows instead of the file's (for a file without a unit column, or one that
        writes ``dB`` for A-weighted levels). Names are compared in lower case without
        punctuation.
    columns
        Which column holds what, where the header names are not recognised:
        ``{role: column}`` with roles ``time``, ``variable``, ``value``, ``unit``,
        ``sensor``, ``latitude``, ``longitude``, ``channel``, ``timezone``; for example
        ``{"time": "Zeitpunkt", "variable": "Messgröße"}``.
    delimiter
        ``,`` ``;`` tab or ``|``; recognised from the header when ``None``.
    decimal
        ``","`` if numbers are written ``12,5``; recognised per column when ``None``
        (only with a delimiter other than a comma).
    time_format
        A ``strftime`` layout for times that are not ISO 8601 and that the reader cannot
        place on its own, for example ``"%d/%m/%Y %H:%M"``.
    gas_reference_temperature_c
        Temperature [°C] at which gas mole fractions (ppb, ppm) become mass
        concentrations (25 °C by default, the US EPA convention; 20 for the EU's).

    Returns
    -------
    SensorData
        Readings in canonical variables and units with UTC times (and a ``channel``
        column when the file has one), one sensor row per sensor id (coordinates and
        time zone when the file gives them), and a ledger record per file.

    Raises
    ------
    MissingColumnError
        When no time, variable or value column is found (the message lists the
        columns, and how to name them with ``columns=``).
    UnitError
        When the file gives no unit at all and ``variable_map`` does not either.
    UnknownVariableError
        When ``variable_map`` names a variable that is not canonical.
    TimestampError
        When no time can be read, or times without an offset have no zone.
    EmptyFileError, DataFormatError
        For empty, header-only or binary files, or a column named twice.

    Notes
    -----
    Every row is one value. A row is dropped, with its reason in the ledger, when its
    time cannot be read, its sensor id is empty, its variable is not known or its unit
    cannot be converted; a value that is empty, a missing-value code or not a number is
    dropped with its reason. Columns not read are listed in the ledger.

    Examples
    --------
    >>> import io
    >>> text = ("site,date_utc,pollutant,value,unit\n"
    ...         "north,2024-03-01 10:00,PM2.5,0.012,mg/m3\n"
    ...         "north,2024-03-01 10:00,Temp,77,degF\n")
    >>> data = read_long_csv(io.BytesIO(text.encode()))
    >>> data.readings[["sensor_id", "variable", "value", "unit"]].values.tolist()
    [['north', 'pm25', 12.0, 'µg/m³'], ['north', 'temperature', 25.0, '°C']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_long_csv")
    mapping = _check_map(variable_map)
    roles = _check_columns(columns)
    if delimiter is not None and delimiter not in DELIMITERS:
        raise DataFormatError(
            "The delimiter must be one of , ; tab or |.",
            found=f"delimiter={delimiter!r}",
            fix="Leave it out to recognise it from the header.",
        )
    if decimal not in (None, ".", ","):
        raise DataFormatError(
            "decimal must be '.' or ','.",
            found=f"decimal={decimal!r}",
            fix="Leave it out to recognise decimal commas per column.",
        )
    if timezone is not None:
        check_timezone(timezone)
    options = {
        "timezone": timezone,
        "sensor_id": sensor_id,
        "mapping": mapping,
        "roles": roles,
        "delimiter": delimiter,
        "decimal": decimal,
        "time_format": time_format,
        "reference": gas_reference_temperature_c,
    }
    return read_each(path_or_buffer, lambda raw: _read_one(raw, **options), what="long_csv")


def _check_map(
    variable_map: Mapping[str, tuple[str, str | None] | str] | None,
) -> dict[str, tuple[str, str | None, str]]:
    """Validate ``variable_map`` before any file is read; key it as names are compared."""
    out: dict[str, tuple[str, str | None, str]] = {}
    for name, target in (variable_map or {}).items():
        variable, unit = (target, None) if isinstance(target, str) else tuple(target)
        _variables.get(variable)
        if unit is not None:
            _units.conversion(variable, unit)
        out[_variables.alias_key(name)] = (variable, unit, str(name))
    return out


def _check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    unknown = sorted(set(columns or {}) - set(ROLES))
    if unknown:
        raise MissingColumnError(
            f"columns= names unknown role(s): {', '.join(map(repr, unknown))}.",
            found=f"columns={dict(columns or {})!r}",
            fix=f"Use the roles {', '.join(ROLES)}, for example columns={{'time': 'When'}}.",
        )
    return {str(k): str(v) for k, v in (columns or {}).items()}


# -- reading one file -----------------------------------------------------------------
def _read_one(
    raw: RawFile,
    *,
    timezone: str | None,
    sensor_id: str | None,
    mapping: dict[str, tuple[str, str | None, str]],
    roles: dict[str, str],
    delimiter: str | None,
    decimal: str | None,
    time_format: str | None,
    reference: float,
) -> SensorData:
    import pandas as pd

    check_text(raw)
    text, encoding = decode(raw)
    record = new_record(raw, "long_csv/csv", encoding=encoding)
    start, delimiter, _ = _locate_header(text[:65536], delimiter, roles)
    if start:
        above = text[:65536].splitlines(keepends=True)[:start]
        filled = [line.strip() for line in above if line.strip()]
        if filled:
            record.note(
                f"{len(filled)} line(s) above the header were not read (a title or notes; "
                f"the first: {filled[0][:80]!r})."
            )
        text = text[sum(len(line) for line in above) :]
    fast = _fast_table(text, delimiter)
    if fast is not None:  # every line a row of the header's width: read by pyarrow
        header, frame = fast
        numbers = list(range(start + 2, start + 2 + len(frame)))
    else:
        header, rows, numbers = split_table(text, delimiter=delimiter, record=record)
        numbers = [n + start for n in numbers]
    header = [h.strip().lstrip("\ufeff") for h in header]
    header = [h or f"(unnamed column {i + 1})" for i, h in enumerate(header)]
    found = _roles(header, roles, raw.name)
    header = _unique(header, found, record, raw.name)
    if fast is not None:
        frame.columns = header
        record.rows_read = len(frame)
    else:
        rows = _trim_trailing(rows, len(header), record)
        frame, numbers = frame_from_rows(header, rows, numbers, record=record)
    for name in header:
        if name not in found.values():
            record.ignore_column(
                name,
                _UNNAMED
                if name.startswith("(unnamed column")
                else "not one of the long table's columns (sensor, time, variable, value, "
                "unit, coordinates, channel, time zone)",
            )
    cells = {role: frame[name].astype(str).str.strip() for role, name in found.items()}
    n = len(frame)
    row_reason = pd.Series([None] * n, dtype=object)
    label = pd.Series([f"line {i}" for i in numbers], dtype=object)

    # Sensors.
    if "sensor" in found:
        ids = cells["sensor"]
        row_reason[ids.eq("").to_numpy()] = f"sensor id is empty (column {found['sensor']!r})"
        if sensor_id is not None:
            record.note(
                f"sensor_id={sensor_id!r} was not used: the file names each row's sensor "
                f"in column {found['sensor']!r}."
            )
    else:
        name = sensor_id or _file_sensor(raw.basename)
        ids = pd.Series([name] * n, dtype=object)
        record.note(
            f"The file has no sensor column: every row is read as sensor {name!r}"
            + ("" if sensor_id else " (named after the file; give sensor_id= to rename it)")
            + "."
        )

    # Variables, then units.
    names = cells["variable"]
    variable, field_reason = _variables_of(names, mapping, record)
    units = _units_of(found, cells, names, variable, mapping, record, raw.name)
    unit_reason = units.pop("reason")
    for reasons in (field_reason, unit_reason):
        undecided = row_reason.isna() & reasons.notna()
        row_reason[undecided] = reasons[undecided]

    # Values and coordinates (decimal commas), times.
    comma_ok = decimal == "," or (decimal is None and delimiter != ",")
    values, value_reason = _numbers(
        cells["value"], column=found["value"], comma_ok=comma_ok, forced=decimal, record=record
    )
    series = ids.astype(str).reset_index(drop=True) + "\x00" + names.reset_index(drop=True)
    if "channel" in found:
        series = series + "\x00" + cells["channel"].reset_index(drop=True)
    times = _times(frame, found, cells, timezone, time_format, row_reason, series, raw.name, record)
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL

    table = pd.DataFrame(
        {
            "sensor_id": ids.reset_index(drop=True),
            "field": names.reset_index(drop=True),
            "variable": variable,
            "unit": units["unit"],
            "value": values.reset_index(drop=True),
            "value_reason": value_reason,
            "row_reason": row_reason,
            "label": label,
        }
    )
    if "channel" in found:
        table["channel"] = cells["channel"].reset_index(drop=True)
    readings = _tidy.long_readings(
        table,
        times=times,
        record=record,
        missing_text=[m for m in MISSING_VALUES if isinstance(m, str)],
        missing_numbers=[m for m in MISSING_VALUES if not isinstance(m, str)],
        reference_temperature_c=reference,
    )
    sensors = _sensors(ids, found, cells, comma_ok, decimal, record)
    return sensor_data(readings, sensors, record)


_IRREGULAR_LINES = re.compile(r"\n[ \t]*\r?\n|\r(?!\n)")


def _fast_table(text: str, delimiter: str) -> tuple[list[str], pd.DataFrame] | None:
    """Read a regular table quickly: the header and the rows as text, or ``None``.

    Regular means: no blank line inside, no line of another width, no repeated header
    line and no line break inside a quoted value, so that row ``i`` is line ``i + 2``.
    Anything else returns ``None``, and the caller takes the general path, which names
    each irregular line in the ledger.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    body = text.rstrip()
    if not body or _IRREGULAR_LINES.search(body):
        return None
    width = len(split_line(body.split("\n", 1)[0], delimiter))
    irregular: list[object] = []

    def skip(row: object) -> str:
        irregular.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if irregular or table.num_columns != width or table.num_rows < 2:
        return None
    import pyarrow.compute as pc

    header = [str(table.column(i)[0]) for i in range(width)]
    table = table.slice(1)
    again = pc.equal(table.column(0), header[0])
    for i in range(1, width):
        again = pc.and_(again, pc.equal(table.column(i), header[i]))
    if pc.any(again).as_py():  # a repeated header line
        return None
    return header, table.to_pandas()


def _roles(header: list[str], given: dict[str, str], file: str) -> dict[str, str]:
    import difflib

    for role, name in given.items():
        if name not in header:
            close = difflib.get_close_matches(name, header, n=1)
            raise MissingColumnError(
                f"The column {name!r} given for {role} is not in the file.",
                file=file,
                found=f"columns: {', '.join(map(repr, header[:30]))}",
                fix=(f"Did you mean {close[0]!r}? " if close else "")
                + "Give a column name exactly as the header writes it.",
            )
    found = find_columns(header, given)
    missing = [role for role in _REQUIRED if role not in found]
    if missing:
        raise MissingColumnError(
            f"The long table has no {' or '.join(missing)} column.",
            file=file,
            found=f"columns: {', '.join(map(repr, header[:30]))}",
            fix="Name the columns with columns=, for example columns={"
            + ", ".join(f"{role!r}: '...'" for role in missing)
            + "}; recognised names are "
            + "; ".join(f"{role}: {', '.join(COLUMN_NAMES[role][:6])}" for role in missing)
            + ". A table with one column per variable is read with read_csv_mapped.",
        )
    return found


def _unique(header: list[str], found: dict[str, str], record: FileRecord, file: str) -> list[str]:
    """Make repeated names of columns that are not read unique; refuse repeated read ones."""
    counts = Counter(header)
    repeated = sorted(name for name, c in counts.items() if c > 1)
    read = [name for name in repeated if name in found.values()]
    if read:
        raise DataFormatError(
            "The header names a column that is read more than once.",
            file=file,
            found=f"repeated: {', '.join(map(repr, read))}",
            fix="Rename the repeated columns before loading, or say which to read with columns=.",
        )
    if not repeated:
        return header
    seen: Counter[str] = Counter()
    out = []
    for name in header:
        out.append(f"{name} ({seen[name] + 1})" if counts[name] > 1 else name)
        seen[name] += 1
    record.note(f"Columns named more than once (not read): {', '.join(map(repr, repeated))}.")
    return out


def _trim_trailing(rows: list[list[str]], width: int, record: FileRecord) -> list[list[str]]:
    """Cut empty fields after the last column (a trailing delimiter on data rows only)."""
    out, trimmed = [], 0
    for row in rows:
        if len(row) > width and not any(f.strip() for f in row[width:]):
            row = row[:width]
            trimmed += 1
        out.append(row)
    if trimmed:
        record.note(
            f"{trimmed} row(s) end with empty fields after the last column (a trailing "
            "delimiter); those fields were left out."
        )
    return out


def _file_sensor(basename: str) -> str:
    named = not basename.startswith("<")
    return (basename.split(".", 1)[0] if named else "") or "sensor"


def _variables_of(
    names: pd.Series, mapping: dict[str, tuple[str, str | None, str]], record: FileRecord
) -> tuple[pd.Series, pd.Series]:
    """Each row's canonical variable (or ``None``) and the reason to drop rows without one."""
    canonical: dict[str, str | None] = {}
    reasons: dict[str, str | None] = {}
    translated = []
    for name in names.unique():
        key = _variables.alias_key(name)
        variable = mapping[key][0] if key in mapping else _variables.resolve(name)
        canonical[name] = variable
        if not name:
            reasons[name] = "variable name is empty"
        elif variable is None:
            reasons[name] = (
                f"variable {name!r} is not one the toolkit knows (see "
                f"toolkit.variables.table(); to read it, give variable_map={{{name!r}: "
                "'<variable>'})"
            )
        else:
            reasons[name] = None
            if variable != name:
                translated.append(f"{name!r} → {variable}")
    if translated:
        record.note(f"Variables read as: {', '.join(translated)}.")
    return (
        names.map(canonical).astype(object).reset_index(drop=True),
        names.map(reasons).astype(object).reset_index(drop=True),
    )


def _units_of(
    found: dict[str, str],
    cells: dict[str, pd.Series],
    names: pd.Series,
    variable: pd.Series,
    mapping: dict[str, tuple[str, str | None, str]],
    record: FileRecord,
    file: str,
) -> dict[str, pd.Series]:
    """Each row's unit as the file (or ``variable_map``) gives it, and reasons to drop rows."""
    import pandas as pd

    n = len(names)
    stated = _key(found["value"])[1]
    if "unit" in found:
        unit = cells["unit"].reset_index(drop=True).astype(object)
    elif stated and _is_unit(stated):
        unit = pd.Series([stated] * n, dtype=object)
        record.note(f"The unit of every row is {stated!r}, from the header {found['value']!r}.")
    else:
        unit = pd.Series([""] * n, dtype=object)
    reason = pd.Series([None] * n, dtype=object)
    names = names.reset_index(drop=True)
    keys = names.map({n: _variables.alias_key(n) for n in names.unique()})
    for key, (_, mapped_unit, original) in mapping.items():
        mask = (keys == key).to_numpy()
        if mapped_unit is not None and mask.any():
            unit[mask] = mapped_unit
            record.note(f"Unit of {original!r} rows taken from variable_map: {mapped_unit}.")
    if "unit" not in found and not stated:
        lacking = sorted(set(names[unit.eq("") & variable.notna()]))
        if lacking:
            targets = {name: variable[names == name].iloc[0] for name in lacking[:4]}
            example = ", ".join(
                f"{name!r}: ({v!r}, {_variables.get(v).unit!r})" for name, v in targets.items()
            )
            raise UnitError(
                "The long table has no unit column, so the units of its values are unknown.",
                file=file,
                found=f"columns: {', '.join(map(repr, cells))}; variables without a unit: "
                f"{', '.join(map(repr, lacking[:8]))}",
                fix=f"Give each variable's unit with variable_map={{{example}}} (check "
                "them: these are the canonical units), or add a unit column.",
            )
    # A plain "dB" says nothing of the frequency weighting; the name may (LAeq, LAmax).
    spelled = {u: re.sub(r"\s+", "", str(u)).lower() == "db" for u in pd.unique(unit)}
    plain_db = unit.map(spelled).astype(bool)
    for name in names[plain_db].unique():
        rows = (names == name) & plain_db
        target = variable[rows].iloc[0]
        if target is None or _variables.get(target).unit != "dB(A)":
            continue
        if _variables.alias_key(name).startswith("la"):
            unit[rows.to_numpy()] = "dB(A)"
            record.note(f"Unit 'dB' of {name!r} read as dB(A): the name says A-weighted.")
        else:
            reason[rows.to_numpy()] = (
                f"unit 'dB' of {name!r} does not say the frequency weighting; if the levels "
                f"are A-weighted give variable_map={{{name!r}: ({target!r}, 'dB(A)')}}"
            )
    return {"unit": unit, "reason": reason}


def _is_unit(text: str) -> bool:
    try:
        _units.normalise(text)
    except UnitError:
        return False
    return True


def _numbers(
    cells: pd.Series,
    *,
    column: str,
    comma_ok: bool,
    forced: str | None,
    record: FileRecord,
) -> tuple[pd.Series, pd.Series]:
    """Turn decimal commas into points where the column uses them; reasons for unclear ones.

    Returns the text to read as numbers, and a reason (or ``None``) per cell.
    """
    import pandas as pd

    text = cells.reset_index(drop=True)
    reason = pd.Series([None] * len(text), dtype=object)
    if not comma_ok or forced == ".":
        return text, reason
    comma = text.str.match(_COMMA_NUMBER)
    if forced is None and not comma.any():
        return text, reason
    grouped = text.str.match(_GROUPED)
    points = text.str.match(_POINT_NUMBER) & ~grouped
    if forced is None and points.any():
        reason[comma.to_numpy()] = (
            "decimal separator unclear: the column writes both decimal commas and decimal "
            "points (give decimal=',' or '.')"
        )
        record.note(
            f"Column {column!r} mixes decimal commas ({text[comma].iloc[0]!r}) and decimal "
            f"points ({text[points].iloc[0]!r}); the values with a comma were not read."
        )
        return text, reason
    change = comma | grouped
    fixed = text.where(
        ~change, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    record.note(f"Decimal commas were read as decimal points in column {column!r}.")
    return fixed, reason


def _times(
    frame: pd.DataFrame,
    found: dict[str, str],
    cells: dict[str, pd.Series],
    timezone: str | None,
    time_format: str | None,
    row_reason: pd.Series,
    series: pd.Series,
    file: str,
    record: FileRecord,
) -> ParsedTimes:
    """Parse the time column: offsets, a UTC-named column, per-row zones or ``timezone``."""
    import pandas as pd

    column = found["time"]
    text = cells["time"].reset_index(drop=True)
    key = _key(column)[0]
    date = next(
        (h for h in frame.columns if _key(h)[0] == "date" and h not in found.values()), None
    )
    if date is not None and key == "time" and text[text.ne("")].str.match(_CLOCK).all():
        text = (frame[date].astype(str).str.strip().reset_index(drop=True) + " " + text).str.strip()
        column = f"{date} + {column}"
        record.columns_ignored.pop(date, None)
        record.note(
            f"Times read from the date column {date!r} and the clock column {found['time']!r}."
        )
    utc = utc_named(found["time"])
    documented = "UTC" if utc else None
    why = f"the time column is named {found['time']!r}" if utc else ""
    if "timezone" not in found or timezone is not None:
        if "timezone" in found:
            record.note(
                f"file_timezone={timezone!r} was used for the times; the column "
                f"{found['timezone']!r} gives only the sensors' zones."
            )
        return _parse_repeated(
            text,
            series=series,
            record=record,
            timezone=timezone,
            documented_timezone=documented,
            documented_reason=why,
            time_format=time_format,
            file=file,
            column=column,
        )
    zones = cells["timezone"].reset_index(drop=True)
    groups = list(pd.unique(zones))
    times = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    missing = pd.Series(False, index=text.index)
    unreadable = pd.Series(False, index=text.index)
    used, offsets = [], set()
    for zone in groups:
        mask = (zones == zone).to_numpy()
        if zone and not _is_zone(zone):
            row_reason[mask & row_reason.isna().to_numpy()] = (
                f"time zone {zone!r} (column {found['timezone']!r}) is not an IANA zone name"
            )
            continue
        part = text[mask]
        if len(groups) > 1 and _none_readable(part, time_format):
            unreadable[mask] = part.ne("").to_numpy()
            missing[mask] = part.eq("").to_numpy()
            continue
        parsed = _parse_repeated(
            part,
            series=series[mask],
            record=record,
            timezone=zone or None,
            documented_timezone=documented,
            documented_reason=why,
            time_format=time_format,
            file=file,
            column=column,
        )
        times[mask] = parsed.times.to_numpy()
        missing[mask] = parsed.missing.to_numpy()
        unreadable[mask] = parsed.unreadable.to_numpy()
        used.append(parsed.timezone if parsed.timezone != "offsets" else "offsets")
        offsets.update(parsed.offsets)
    names = sorted(set(used))
    reason = (
        f"each row's zone from column {found['timezone']!r} ({', '.join(names)}); "
        "times with an offset were converted with their own offset"
    )
    label = names[0] if len(names) == 1 else "per row"
    return ParsedTimes(times, missing, unreadable, label, reason, sorted(offsets))


def _parse_repeated(
    text: pd.Series,
    *,
    series: pd.Series,
    record: FileRecord,
    timezone: str | None,
    **options: Any,
) -> ParsedTimes:
    """Parse times that repeat (one per variable) once each, where order cannot matter.

    A long table writes each time once per variable. Without a zone that has daylight
    saving (UTC, offsets in the values, Unix times) each distinct text is read once and
    the result spread back. In a zone with daylight saving the values are read in file
    order, so that an hour repeated when the clocks go back is placed by the order of
    the rows; when the rows of several series (sensor and variable) interleave, each
    series is placed by its own order.
    """
    import numpy as np
    import pandas as pd

    zone = timezone or options.get("documented_timezone")
    if zone not in (None, "UTC", "Etc/UTC"):
        return _parse_per_series(text, series, record, timezone=timezone, **options)
    codes, uniques = pd.factorize(text.reset_index(drop=True), use_na_sentinel=False)
    if len(uniques) == len(text):
        return parse_times(text, timezone=timezone, **options)
    once = parse_times(pd.Series(uniques, dtype=object), timezone=timezone, **options)
    index = pd.RangeIndex(len(text))

    def spread(series: pd.Series | None) -> pd.Series | None:
        if series is None:
            return None
        return pd.Series(series.to_numpy()[np.asarray(codes)], index=index)

    return ParsedTimes(
        spread(once.times).astype("datetime64[ns, UTC]"),
        spread(once.missing),
        spread(once.unreadable),
        once.timezone,
        once.reason,
        once.offsets,
        spread(once.out_of_range),
    )


def _parse_per_series(
    text: pd.Series, series: pd.Series, record: FileRecord, **options: Any
) -> ParsedTimes:
    """Parse local times; if the file's order cannot place a repeated hour, each series'."""
    import pandas as pd

    text = text.reset_index(drop=True)
    series = series.reset_index(drop=True)
    try:
        return parse_times(text, **options)
    except TimestampError as error:
        if series.nunique() < 2:
            raise
        try:
            parts = [
                (index, parse_times(text[index], **options))
                for index in series.groupby(series, sort=False).groups.values()
            ]
        except TimestampError:
            raise error from None

    def joined(name: str) -> pd.Series:
        pieces = [getattr(p, name).set_axis(i) for i, p in parts]
        return pd.concat(pieces).sort_index()

    first = next((p for _, p in parts if p.timezone), parts[0][1])
    record.note(
        "Repeated local times at the change back from daylight-saving time were placed "
        "series by series (each sensor's variable in its own row order)."
    )
    return ParsedTimes(
        joined("times").astype("datetime64[ns, UTC]"),
        joined("missing"),
        joined("unreadable"),
        first.timezone,
        first.reason,
        sorted({o for _, p in parts for o in p.offsets}),
    )


def _is_zone(name: str) -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def _none_readable(text: pd.Series, time_format: str | None) -> bool:
    import warnings

    import pandas as pd

    present = text[text.ne("")]
    if present.empty:
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(present, format=time_format or "mixed", errors="coerce", utc=True)
    return bool(parsed.isna().all())


def _sensors(
    ids: pd.Series,
    found: dict[str, str],
    cells: dict[str, pd.Series],
    comma_ok: bool,
    decimal: str | None,
    record: FileRecord,
) -> pd.DataFrame:
    """One row per sensor: its last coordinates in the file, and its time zone."""
    import pandas as pd

    frame = pd.DataFrame({"sensor_id": ids.astype(str).str.strip().reset_index(drop=True)})
    for role in ("latitude", "longitude"):
        if role in found:
            text, reason = _numbers(
                cells[role], column=found[role], comma_ok=comma_ok, forced=decimal, record=record
            )
            frame[role] = pd.to_numeric(text.where(reason.isna()), errors="coerce")
        else:
            frame[role] = float("nan")
    if "timezone" in found:
        zones = cells["timezone"].reset_index(drop=True)
        frame["timezone"] = zones.where(zones.map(lambda z: bool(z) and _is_zone(z)), None)
    else:
        frame["timezone"] = None
    frame = frame[frame["sensor_id"].ne("")]
    located = frame.dropna(subset=["latitude", "longitude"])
    moved = located.drop_duplicates(["sensor_id", "latitude", "longitude"])
    for sid, count in moved["sensor_id"].value_counts().items():
        if count > 1:
            record.note(
                f"{sid} is at {count} positions in the file; the sensors table gives the last."
            )
    last = (
        frame.assign(
            latitude=frame["latitude"].where(frame[["latitude", "longitude"]].notna().all(axis=1)),
            longitude=frame["longitude"].where(
                frame[["latitude", "longitude"]].notna().all(axis=1)
            ),
        )
        .groupby("sensor_id", sort=False)
        .agg({"latitude": "last", "longitude": "last", "timezone": "last"})
        .reset_index()
    )
    return pd.DataFrame(
        {
            "sensor_id": last["sensor_id"],
            "name": last["sensor_id"],
            "source": SOURCE,
            "latitude": last["latitude"].astype("float64"),
            "longitude": last["longitude"].astype("float64"),
            "model": None,
            "location_type": None,
            "timezone": last["timezone"].astype(object),
        }
    )
