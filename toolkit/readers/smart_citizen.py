"""Smart Citizen Kit (Fab Lab Barcelona): SD-card CSV, platform CSV and API v0 readings.

Formats
-------
``sd_card_csv``
    What the kit writes on its SD card (checked against a real file, ``example.csv`` of
    fablabbcn/smartcitizen-data). Comma-separated, with **four header rows**:

    1. short names: ``TIME,TEMP,HUM,BATT,LIGHT,NOISE_A,PRESS,CCS811_VOCS,CCS811_ECO2,
       ADC_48_0..3,PM_1,PM_25,PM_10``;
    2. units: ``ISO 8601,C,%,%,Lux,dBA,kPa,ppb,ppm,V,V,V,V,ug/m3,ug/m3,ug/m3``;
    3. long names: ``Time,Temperature,Humidity,Battery,...,PM 2.5,PM 10.0``;
    4. platform sensor ids: ``,55,56,10,...`` (they differ between kit versions).

    Columns are mapped by their **short name**, never by the platform id, and each unit
    is taken from the units row: a unit the toolkit does not know, or one that cannot be
    turned into the variable's canonical unit, stops the reader with a :class:`UnitError`.
    Missing values are the literal ``null``. ``BATT`` is the battery level in %, with
    ``-1`` meaning "no battery": it is device status and is not read. The ``ADC_*``
    columns are raw voltages of the analogue converter and are not read either.
    If a header block appears again further down (as after a restart) [M], its rows
    are dropped with a reason.
``platform_csv`` [M]
    The platform's own CSV download: one header row, ``TIME`` then one column per
    sensor. Its exact column names are not verified; the reader accepts the short names
    above and long names with the unit in brackets (``Temperature (C)``), and otherwise
    assumes the units of the SD-card file and says so in the ledger.
``api_readings`` [M]
    The answer of ``GET api.smartcitizen.me/v0/devices/{id}/readings?sensor_id=..&rollup=..``:
    ``{"device_id": .., "sensor_key": .., "sensor_id": .., "readings": [[time, value], ...]}``,
    one sensor per call. The payload names the sensor only by its platform id and key and
    does not carry a unit [M], so the reader needs ``variable=`` and ``unit=``.

Units and time
--------------
Pressure is written in **kPa** and converted to hPa (101.53 kPa = 1015.3 hPa). Noise
``NOISE_A`` is an A-weighted level in dBA (``laeq``); the CCS811's ``CCS811_VOCS`` is
total VOC in ppb (``tvoc``) and ``CCS811_ECO2`` an *equivalent* CO2 estimated from VOCs
(``eco2``), not a CO2 measurement. Times are ISO 8601 in UTC with a ``Z``
(``2020-09-02T15:35:19Z``); each row is one reading of all sensors at that time (the
kit's reading interval is typically 30-60 s).

References
----------
.. [1] fablabbcn/smartcitizen-data, ``scdata/tools/interim/example.csv`` (an SD-card file).
.. [2] Smart Citizen API documentation, https://developer.smartcitizen.me (readings).
.. [3] fablabbcn/smartcitizen-connector 1.5.9 (the readings call; map metrics by name).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import units as _units
from .. import variables as _variables
from .._errors import DataFormatError, EmptyFileError, UnitError
from .._time import parse_times
from . import _tidy
from ._common import new_record, parse_json, read_each, sensor_data, split_table
from ._io import check_text, decode

if TYPE_CHECKING:
    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = ["MISSING_VALUES", "SOURCE", "VARIABLE_MAP", "detect", "read_smart_citizen"]

SOURCE = "Smart Citizen"
_PREFIX = "smartcitizen"

#: Short column name -> (canonical variable, unit the SD-card file normally gives).
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "TEMP": ("temperature", "°C"),
    "HUM": ("humidity", "%"),
    "LIGHT": ("light", "lux"),
    "NOISE_A": ("laeq", "dB(A)"),
    "PRESS": ("pressure", "kPa"),
    "CCS811_VOCS": ("tvoc", "ppb"),
    "CCS811_ECO2": ("eco2", "ppm"),
    "PM_1": ("pm1", "µg/m³"),
    "PM_25": ("pm25", "µg/m³"),
    "PM_10": ("pm10", "µg/m³"),
}
#: Text that means "no value" in Smart Citizen files.
MISSING_VALUES = ("", "null", "nan", "none")

_TIME_COLUMN = "TIME"
#: Long names (row 3 of the SD card, or platform headers) -> short name [M].
_LONG_NAMES: tuple[tuple[str, str], ...] = (
    (r"^temp", "TEMP"),
    (r"^(relative )?hum", "HUM"),
    (r"^batt", "BATT"),
    (r"^light", "LIGHT"),
    (r"^noise", "NOISE_A"),
    (r"^(barometric )?press", "PRESS"),
    (r"eco2", "CCS811_ECO2"),
    (r"voc", "CCS811_VOCS"),
    (r"^pm ?1(\.0)?$", "PM_1"),
    (r"^pm ?2\.?5$", "PM_25"),
    (r"^pm ?10(\.0)?$", "PM_10"),
    (r"adc", "ADC"),
)
_IGNORED = {
    "BATT": "device status: battery level in % (-1 means the kit has no battery)",
    "ADC": "raw voltage of the kit's analogue-to-digital converter, not a calibrated measurement",
}
_SD_TIME_LABEL = "instant of the kit's reading (one row per reading interval, about 30-60 s)"
_UTC_REASON = "the Smart Citizen platform and SD card write UTC"


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is one of ours."""
    text = head.lstrip("\ufeff \r\n\t")
    if text.startswith("{"):
        if '"readings"' in text and ('"sensor_key"' in text or '"device_id"' in text):
            return "api_readings"
        return None
    lines = [line.rstrip("\r") for line in text.split("\n", 2)[:2]]
    if not lines or not lines[0].startswith(_TIME_COLUMN + ","):
        return None
    if len(lines) > 1 and lines[1].startswith("ISO 8601"):
        return "sd_card_csv"
    names = [c.strip() for c in lines[0].split(",")[1:]]
    if any(_short_name(n)[0] in VARIABLE_MAP for n in names):
        return "platform_csv"
    return None


def read_smart_citizen(
    path_or_buffer: PathOrBuffer,
    *,
    sensor_id: str | None = None,
    variable: str | None = None,
    unit: str | None = None,
    file_timezone: str | None = None,
    timezone: str | None = None,
) -> SensorData:
    r"""Read Smart Citizen Kit files: SD-card CSV, platform CSV or API v0 readings JSON.

    Parameters
    ----------
    path_or_buffer
        A file path or open file (``.csv``, ``.json``, or a ``.zip``/``.gz`` of them).
        The variant is recognised from the content.
    sensor_id
        The kit's name or platform device id. Defaults to the ``device_id`` of an API
        answer, else to the file name without its extension (SD-card files are named by
        date, so giving the kit's id is better).
    variable, unit
        For an API readings JSON only: the canonical variable the sensor measures (for
        example ``"pm25"``) and the unit of its values (``"ug/m3"``), which the payload
        does not say.
    file_timezone
        IANA zone of the file's clock, for a platform CSV whose times carry no offset,
        to override the documented UTC.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.

    Returns
    -------
    SensorData
        Readings in canonical variables and units (pressure in hPa, noise in dB(A),
        PM in µg/m³), one sensor ``smartcitizen:<id>``, and a ledger record per file.

    Raises
    ------
    UnitError
        If the units row gives a unit the toolkit does not know or cannot convert, or
        an API answer is read without ``unit=``.
    DataFormatError
        If a file is none of the variants, or an API answer is read without
        ``variable=``.

    Notes
    -----
    Times are UTC. SD-card rows are single readings; API rows are roll-up averages whose
    time stamp position (start or end of the roll-up) is not documented [M].

    Examples
    --------
    >>> import io
    >>> text = ("TIME,PRESS\nISO 8601,kPa\nTime,Barometric pressure\n,58\n"
    ...         "2020-09-02T15:35:19Z,101.53\n")
    >>> data = read_smart_citizen(io.BytesIO(text.encode()), sensor_id="kit1")
    >>> data.readings[["variable", "value", "unit"]].values.tolist()
    [['pressure', 1015.3, 'hPa']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_smart_citizen")
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(
            raw, sensor_id=sensor_id, variable=variable, unit=unit, timezone=timezone
        ),
        what="smart_citizen",
    )


def _read_one(
    raw: RawFile,
    *,
    sensor_id: str | None,
    variable: str | None,
    unit: str | None,
    timezone: str | None,
) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    if variant in ("sd_card_csv", "platform_csv"):
        return _read_csv(raw, variant=variant, sensor_id=sensor_id, timezone=timezone)
    if variant == "api_readings":
        return _read_api(raw, sensor_id=sensor_id, variable=variable, unit=unit)
    first = head.lstrip().split("\n", 1)[0][:200]
    raise DataFormatError(
        "This is not a Smart Citizen file (SD-card CSV, platform CSV or API readings JSON).",
        file=raw.name,
        found=f"first line: {first!r}",
        fix="An SD-card file starts with 'TIME,' and has the units ('ISO 8601,...') on "
        "its second line. For other files try toolkit.load(path), which recognises "
        "every supported format.",
    )


# -- column names and units -----------------------------------------------------------
def _short_name(name: str) -> tuple[str, str | None]:
    """Return the short name a column stands for, and the unit in its brackets if any."""
    match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", name)
    base, unit = (match.group(1), match.group(2)) if match else (name, None)
    base = base.strip()
    if base.upper() in VARIABLE_MAP or base.upper() == "BATT":
        return base.upper(), unit
    if base.upper().startswith("ADC_"):
        return "ADC", unit
    lower = base.lower()
    for pattern, short in _LONG_NAMES:
        if re.search(pattern, lower):
            return short, unit
    return base, unit


def _check_unit(
    raw: RawFile, column: str, variable: str, file_unit: str, where: str = "the units row"
) -> str:
    """Return the file's unit for a column after checking it converts; else UnitError."""
    try:
        how = _units.conversion(variable, file_unit)
    except UnitError as error:
        raise UnitError(
            f"Column {column!r} has a unit that cannot be read as {variable}.",
            file=raw.name,
            found=f"unit {file_unit!r} in {where} ({error.problem})",
            fix=f"Check {where}; {column} should be in "
            f"{VARIABLE_MAP.get(column, (variable, '?'))[1]}. If the unit is right under "
            "another spelling, read the file with toolkit.readers.read_csv_mapped.",
        ) from None
    return how.from_unit


# -- CSV (SD card and platform) -------------------------------------------------------
def _read_csv(
    raw: RawFile, *, variant: str, sensor_id: str | None, timezone: str | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, f"smart_citizen/{variant}", encoding=encoding)
    header, rows, lines = split_table(text, delimiter=",", record=record)
    if len(set(header)) != len(header):
        raise DataFormatError(
            "The header names a column more than once.",
            file=raw.name,
            found=f"header: {','.join(header)[:200]}",
            fix="Rename the repeated columns before loading.",
        )
    units_row = long_row = ids_row = None
    if variant == "sd_card_csv":
        if len(rows) <= 3:
            raise EmptyFileError(
                "The SD-card file has its header rows but no data rows.",
                file=raw.name,
                found=f"{len(rows) + 1} row(s) in all",
                fix="The kit recorded nothing in this file; pick another day's file.",
            )
        pad = [""] * len(header)
        units_row, long_row, ids_row = ([f.strip() for f in r] + pad for r in rows[:3])
        rows, lines = rows[3:], lines[3:]
    record.rows_read = len(rows)

    # Repeated header blocks and rows with the wrong number of fields are dropped whole.
    keep = []
    repeated: list[str] = []
    ragged: list[str] = []
    previous_header = False
    for row, line in zip(rows, lines, strict=True):
        first = row[0].strip() if row else ""
        is_header = first in ("TIME", "ISO 8601", "Time") or (previous_header and not first)
        previous_header = is_header
        if is_header:
            repeated.append(f"line {line}: {','.join(row)[:60]!r}")
        elif len(row) != len(header):
            ragged.append(f"line {line}: {len(row)} fields")
        else:
            keep.append(row)
    if repeated:
        record.drop_rows(
            "repeated header row (as written again after a restart of the kit)",
            len(repeated),
            repeated[:3],
        )
    if ragged:
        record.drop_rows(
            f"row does not have the header's {len(header)} fields", len(ragged), ragged[:3]
        )
    frame = pd.DataFrame(keep, columns=header, dtype=object)

    time_text = frame[header[0]].astype("string").str.strip()
    time_text = time_text.str.replace(r"\s*UTC$", "Z", regex=True)
    times = parse_times(
        time_text,
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason=_UTC_REASON,
        file=raw.name,
        column=header[0],
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = (
        _SD_TIME_LABEL
        if variant == "sd_card_csv"
        else "time of the platform's reading or roll-up as exported [M]"
    )

    columns = []
    for i, name in enumerate(header[1:], start=1):
        short, bracket_unit = _short_name(name)
        if short in _IGNORED:
            record.ignore_column(name, _IGNORED[short])
            continue
        if short not in VARIABLE_MAP:
            found_unit = f", unit {units_row[i]!r}" if units_row else ""
            record.ignore_column(name, f"not a known Smart Citizen measurement column{found_unit}")
            continue
        variable, expected = VARIABLE_MAP[short]
        if units_row is not None:
            file_unit = units_row[i]
        elif bracket_unit:
            file_unit = bracket_unit
        else:
            file_unit = expected
            record.note(
                f"{name}: the platform CSV gives no unit; assumed {expected} as on the SD card [M]."
            )
        where = "the units row" if units_row is not None else f"the column name {name!r}"
        unit = _check_unit(raw, short, variable, file_unit, where)
        if unit != _units.normalise(expected):
            record.note(
                f"{name} is in {unit} in this file (usually {expected}); converted "
                "from the file's unit."
            )
        columns.append(_tidy.Column(name, variable, unit))

    if "BATT" in frame.columns:
        no_battery = frame["BATT"].astype("string").str.strip().eq("-1").sum()
        if no_battery:
            record.note(
                f"BATT is -1 in {no_battery} row(s): the kit ran without a battery "
                "(battery level is device status and was not read)."
            )
    device = sensor_id or _device_from_name(raw.basename, record)
    sid = f"{_PREFIX}:{device}"
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=sid,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=time_text,
    )
    sensor = _sensor_row(sid, device)
    if ids_row is not None and long_row is not None:
        sensor["platform_sensor_ids"] = ", ".join(
            f"{h}={p}" for h, p in zip(header[1:], ids_row[1:], strict=False) if p
        )
    record.note("Smart Citizen files carry no coordinates; add them to data.sensors.")
    return sensor_data(readings, [sensor], record)


def _device_from_name(basename: str, record: FileRecord) -> str:
    stem = basename.rsplit(".", 1)[0] if "." in basename else basename
    if not stem or stem.startswith("<"):
        record.note(
            "The sensor id is 'smartcitizen:unknown': give sensor_id= with the "
            "kit's name or platform id."
        )
        return "unknown"
    record.note(
        f"The sensor id was taken from the file name ({stem!r}); give sensor_id= "
        "if that is not the kit's name (SD-card files are named by date)."
    )
    return stem


def _sensor_row(sid: str, device: str) -> dict[str, object]:
    return {
        "sensor_id": sid,
        "name": f"Smart Citizen Kit {device}",
        "source": SOURCE,
        "latitude": None,
        "longitude": None,
        "model": "Smart Citizen Kit",
        "location_type": None,
        "timezone": None,
    }


# -- API v0 readings JSON -------------------------------------------------------------
def _read_api(
    raw: RawFile, *, sensor_id: str | None, variable: str | None, unit: str | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "smart_citizen/api_readings", encoding=encoding)
    payload = parse_json(text, record=record, what="Smart Citizen")
    entries = payload.get("readings") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        shape = (
            f"keys {sorted(payload)[:10]}"
            if isinstance(payload, dict)
            else f"a {type(payload).__name__}"
        )
        raise DataFormatError(
            "The JSON has no 'readings' list.",
            file=raw.name,
            found=shape,
            fix="Save the answer of /v0/devices/<id>/readings?sensor_id=...",
        )
    if not entries:
        raise EmptyFileError(
            "The Smart Citizen answer holds no readings.",
            file=raw.name,
            found=f"'readings': [] (from {payload.get('from')!r} to {payload.get('to')!r})",
            fix="Choose a period in which the kit was online (from= and to= of the call).",
        )
    key = payload.get("sensor_key")
    platform_id = payload.get("sensor_id")
    which = f"sensor_key={key!r}, sensor_id={platform_id!r}"
    if variable is None:
        raise DataFormatError(
            "The readings JSON does not say which quantity it holds (the platform names "
            "sensors by id, and ids differ between kit versions).",
            file=raw.name,
            found=which,
            fix="Say what it is, for example read_smart_citizen(path, variable='pm25', "
            "unit='ug/m3'); the device page on smartcitizen.me lists each sensor's name "
            "and unit.",
        )
    _variables.get(variable)
    unit = unit or payload.get("unit")
    if not unit:
        raise UnitError(
            "The readings JSON does not give the unit of its values.",
            file=raw.name,
            found=f"{which}, variable={variable!r}",
            fix=f"Give it, for example read_smart_citizen(path, variable={variable!r}, "
            "unit='kPa'); the device page on smartcitizen.me shows each sensor's unit.",
        )
    unit = _check_unit(raw, str(key or variable), variable, unit, "unit=")
    record.rows_read = len(entries)
    pairs, broken = [], []
    for i, entry in enumerate(entries):
        if isinstance(entry, list | tuple) and len(entry) == 2:
            pairs.append(entry)
        else:
            broken.append(f"entry {i}: {str(entry)[:60]}")
    if broken:
        record.drop_rows("entry is not a [time, value] pair", len(broken), broken[:3])
    frame = pd.DataFrame(pairs, columns=["time", "value"], dtype=object)
    time_text = frame["time"].astype("string")
    times = parse_times(
        time_text,
        documented_timezone="UTC",
        documented_reason="the platform answers in UTC",
        file=raw.name,
        column="readings[][0]",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    rollup = payload.get("rollup")
    record.time_label = (
        f"time of the platform's roll-up{f' ({rollup})' if rollup else ''}"
        "; whether it marks the start or the end is not documented [M]"
    )
    for name in (
        "device_id",
        "sensor_key",
        "sensor_id",
        "component_id",
        "rollup",
        "function",
        "from",
        "to",
        "sample_size",
    ):
        if name in payload:
            record.ignore_column(name, "request metadata of the API answer")
    record.note(f"Read as {variable} in {unit} as told by the caller ({which}).")
    device = sensor_id or (
        str(payload["device_id"])
        if payload.get("device_id") is not None
        else _device_from_name(raw.basename, record)
    )
    sid = f"{_PREFIX}:{device}"
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=sid,
        columns=[_tidy.Column("value", variable, unit)],
        record=record,
        missing_text=MISSING_VALUES,
        time_text=time_text,
    )
    return sensor_data(readings, [_sensor_row(sid, device)], record)
