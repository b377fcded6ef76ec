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
    return UnknownLayoutError(
        "No reader recognises the layout of this file.",
        file=name,
        found=f"{len(peek.header)} column(s): {shown}",
        fix="If it is an export of a supported platform, check that the file is the "
        "original download. Otherwise read it with a column mapping: copy this, edit the "
        f"lines marked EDIT, and run it:\n\n    {code}\n",
    )
