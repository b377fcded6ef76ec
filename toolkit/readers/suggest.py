"""Guessing a column mapping for a file no reader recognises.

:func:`suggest_mapping` reads a file's header and first rows and writes a
:func:`toolkit.readers.read_csv_mapped` call for it, ready to be edited and run: the time
column and its zone, the sensor, the coordinates and each measurement column with its
canonical variable and unit. Guesses are marked ``# EDIT`` and columns it does not
recognise are left commented out, so nothing is read that the user has not looked at.
:func:`unknown_layout_error` turns the same guess into the message
:func:`toolkit.load` shows when no reader recognises a file.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .._errors import (
    EmptyFileError,
    TimestampError,
    UnitError,
    UnknownLayoutError,
    UnknownVariableError,
)
from .._time import parse_times
from . import _tidy
from ._grid import (
    excel_grid,
    is_excel,
    refuse_old_excel,
    sniff_delimiter,
    split_line,
)
from ._io import RawFile, check_text, open_files

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._io import PathOrBuffer


__all__ = ["VARIABLE_MAP", "suggest_mapping", "unknown_layout_error"]

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
    delimiter = sniff_delimiter(lines)
    return _peek_rows(
        name, [split_line(line, delimiter) if line.strip() else [] for line in lines], delimiter
    )


def _peek(raw: RawFile) -> _Peek:
    refuse_old_excel(raw)
    if not is_excel(raw):
        return _peek_text(raw.name, check_text(raw), truncated=len(raw.head(65537)) > 65536)
    # The sheet with the most filled rows is the data; trailing empty cells are trimmed.
    best: tuple[int, list[list[str]], str] = (-1, [], "")
    for sheet in _excel_sheet_names(raw):
        grid, _ = excel_grid(raw, sheet, None)
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
            # utc=True: values with different offsets would otherwise raise ValueError.
            parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce", utc=True)
            if parsed.notna().mean() > 0.8:
                return (h,)
    return None


def _time_advice(peek: _Peek, time: tuple[str, ...] | None) -> list[str]:
    """Write the file_timezone=/time_format= lines of the suggestion, from the sample times."""
    import pandas as pd

    edit_zone = (
        "    file_timezone=None,  # EDIT: the times carry no UTC offset: name the zone "
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
        return ["    # file_timezone= is not needed: Unix times are UTC"]

    def reads(**options: Any) -> bool:
        """Whether most sample times read this way (a broken row may be among them)."""
        try:
            parsed = parse_times(text, **options)
        except TimestampError:
            return False
        return bool(parsed.unreadable.mean() < 0.5)

    if reads():
        return ["    # file_timezone= is not needed: the times carry their UTC offsets"]
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


# -- long tables ----------------------------------------------------------------------
# Header names of a variable column that say so whatever the cells hold; a weaker name
# ("name") counts only when some of its cells are variable names.
_STRONG_VARIABLE_NAMES = frozenset(
    ("variable", "parameter", "pollutant", "measurand", "species", "variablename")
)


def _cells(peek: _Peek, name: str) -> list[str]:
    i = peek.header.index(name)
    return [r[i].strip() for r in peek.rows if i < len(r) and r[i].strip()]


def _is_unit(text: str) -> bool:
    try:
        _units.normalise(text)
    except UnitError:
        return False
    return True


def _long_shape(peek: _Peek) -> dict[str, str] | None:
    """Return ``{role: column}`` if the file is a long table (one value per row), else None.

    A long table has a column of variable names (by its header name, or because its
    cells are variable names) and a column of values (by name, or the only numeric
    column left). The other roles are those of :func:`toolkit.readers.long_csv.find_columns`.
    """
    from .. import variables as _variables
    from .long_csv import find_columns

    roles = find_columns(peek.header)
    if "variable" in roles:
        cells = _cells(peek, roles["variable"])
        named = re.sub(r"[^0-9a-z]", "", roles["variable"].lower()) in _STRONG_VARIABLE_NAMES
        if _numeric_share(cells) > 0.5 or not (named or any(_variables.resolve(c) for c in cells)):
            del roles["variable"]
    used = set(roles.values())
    if "variable" not in roles:
        for name in peek.header:
            cells = _cells(peek, name) if name and name not in used else []
            known = sum(_variables.resolve(c) is not None for c in cells)
            if cells and _numeric_share(cells) == 0 and known >= 0.8 * len(cells):
                roles["variable"] = name
                used.add(name)
                break
        else:
            return None
    if "value" not in roles or _numeric_share(_cells(peek, roles["value"])) < 0.5:
        others = [h for h in peek.header if h and h not in used and h != roles.get("value")]
        numeric = [h for h in others if _numeric_share(_cells(peek, h)) > 0.8]
        numeric = [h for h in numeric if _key(h)[0] not in (*_LATITUDE_NAMES, *_LONGITUDE_NAMES)]
        if len(numeric) != 1:
            return None
        roles["value"] = numeric[0]
        used.add(numeric[0])
    if "unit" not in roles:
        for name in peek.header:
            cells = _cells(peek, name) if name and name not in used else []
            if cells and _numeric_share(cells) == 0 and all(_is_unit(c) for c in cells):
                roles["unit"] = name
                break
    return roles


def _render_long(peek: _Peek, roles: dict[str, str], path: str | None) -> str:
    """Write the ready-to-edit ``read_long_csv`` call for a long table."""
    from .. import variables as _variables
    from .long_csv import find_columns, header_unit, utc_named

    target = path if path is not None else peek.name.split("::", 1)[0]
    by_name = find_columns(peek.header)
    readable = all(
        r in by_name and by_name[r] == roles.get(r) for r in ("time", "variable", "value")
    )
    lines = ["import toolkit", ""]
    unit = f" and the unit in {roles['unit']!r}" if "unit" in roles else ""
    lines.append(
        f"# A long table: one value per row, the variable in {roles['variable']!r}, the "
        f"value in {roles['value']!r}{unit}."
    )
    if peek.excel:
        lines.append("# Save the sheet as CSV (read_long_csv reads text files), then:")
        shown = '"my_file.csv"'
    elif readable:
        lines.append("# toolkit.load(path) reads it as it is; read_long_csv takes options:")
        shown = repr(target) if not target.startswith("<") else '"my_file.csv"'
    else:
        shown = repr(target) if not target.startswith("<") else '"my_file.csv"'
    edit_path = "  # EDIT: the path of the file" if peek.excel or target.startswith("<") else ""
    lines += ["data = toolkit.readers.read_long_csv(", f"    {shown},{edit_path}"]
    given = {r: c for r, c in roles.items() if by_name.get(r) != c}
    if "time" not in roles:
        time = _guess_time(peek, [_key(h)[0] for h in peek.header])
        given["time"] = time[0] if time and len(time) == 1 else "?"
        roles["time"] = given["time"]
    if given:
        edit = "  # EDIT: check" if given.get("time") == "?" else ""
        lines.append(f"    columns={given!r},{edit}  # columns not recognised by their names")
    if "timezone" in roles:
        lines.append(
            f"    # file_timezone= is not needed: {roles['timezone']!r} gives each row's zone"
        )
    elif utc_named(roles["time"]):
        lines.append("    # file_timezone= is not needed: the time column's name says UTC")
    elif roles["time"] in peek.header:
        lines += _time_advice(peek, (roles["time"],))
    names = list(dict.fromkeys(_cells(peek, roles["variable"])))
    stated = header_unit(roles["value"])
    if "unit" not in roles and not (stated and _is_unit(stated)):
        entries = []
        for name in names[:8]:
            variable = _variables.resolve(name)
            guess = (variable, _variables.get(variable).unit) if variable else ("VARIABLE", "UNIT")
            entries.append(f"{name!r}: {guess!r}")
        lines.append(
            "    variable_map={" + ", ".join(entries) + "},  # EDIT: the file has no unit "
            "column: give each variable's unit"
        )
    else:
        unknown = [n for n in names if _variables.resolve(n) is None][:8]
        if unknown:
            entries = ", ".join(f"{n!r}: 'VARIABLE'" for n in unknown)
            lines.append(
                "    variable_map={" + entries + "},  # EDIT: names the toolkit does not "
                "know: see toolkit.variables.table()"
            )
    if peek.delimiter not in (None, ","):
        lines.append(f"    delimiter={peek.delimiter!r},")
    lines += [")", "data.ledger"]
    return "\n".join(lines) + "\n"


def _render(peek: _Peek, path: str | None = None) -> str:
    """Write the ready-to-edit ``read_csv_mapped`` call for a peeked file.

    A long table (one value per row, see :func:`_long_shape`) gets a
    :func:`~toolkit.readers.read_long_csv` call instead: its variable, value and unit
    columns are never proposed as measurements.
    """
    roles = _long_shape(peek) if peek.header else None
    if roles is not None:
        return _render_long(peek, roles, path)
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
        file_timezone=None,  # EDIT: the times carry no UTC offset: ...
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
    if peek.header and _long_shape(peek) is not None:
        how = (
            "It looks like a long table (one value per row) whose columns were not all "
            "recognised by their names. Read it with read_long_csv: copy this, edit the "
        )
    else:
        how = (
            "If it is an export of a supported platform, check that the file is the "
            "original download. Otherwise read it with a column mapping: copy this, edit the "
        )
    return UnknownLayoutError(
        "No reader recognises the layout of this file.",
        file=name,
        found=f"{len(peek.header)} column(s): {shown}",
        fix=f"{how}lines marked EDIT, and run it:\n\n    {code}\n",
    )
