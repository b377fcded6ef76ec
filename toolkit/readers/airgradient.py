"""AirGradient monitors: local server JSON, firmware/cloud JSON and the dashboard CSV export.

Formats
-------
``local_json``
    ``GET http://airgradient_<serial>.local/measures/current`` (firmware 3.0.10 and
    later): one JSON object in **camelCase**, ``pm01, pm02, pm10, pm003Count, atmp,
    atmpCompensated, rhum, rhumCompensated, rco2, tvocIndex, tvocRaw, noxIndex, noxRaw,
    wifi, serialno, model, firmware`` and, in newer firmware, ``pm02Compensated``,
    ``pm01Standard``... and ``pm005Count``... (airgradienthq/arduino ``docs/local-server.md``).
    It is the monitor's **current** reading and has **no timestamp**: give ``time=``.
``firmware_json``
    The payload the firmware posts to the cloud: the same values in **snake_case**
    (``pm003_count, tvoc_index, nox_index, tvoc_raw, nox_raw``), also without a time.
``cloud_json``
    The cloud API (``api.airgradient.com/public/api/v1/locations/<id>/measures/past``
    and ``.../measures/current``): a list of records that add ``locationId,
    locationName, timestamp`` (UTC ISO 8601) and AirGradient's corrected values
    ``pm01_corrected, pm02_corrected, pm10_corrected, atmp_corrected, rhum_corrected,
    rco2_corrected``.
``dashboard_csv`` [M]
    The dashboard's CSV export. Its columns are known only from a third-party clone:
    ``Location ID, Location Name, Location Group, Location Type, Sensor ID, Place Open,
    Local Date/Time, UTC Date/Time, #aggregated records`` then measurements such as
    ``PM2.5 (μg/m³) raw``, ``PM2.5 (μg/m³) corrected``, ``CO2 (ppm) corrected``,
    ``Temperature (°C) corrected``, ``0.3μm particle count``, ``TVOC index``,
    ``NOX index``. The reader recognises measurement columns by the words in their
    names, takes the unit from the brackets, and uses ``UTC Date/Time``.

In every format numbers may arrive as strings (``"12.3"``); they are read as numbers.
camelCase keys are turned into snake_case first (``pm003Count`` -> ``pm003_count``), so
:data:`VARIABLE_MAP` lists snake_case keys.

Raw and corrected values
------------------------
``pm02`` is **PM2.5** (not PM0.2). The raw values (``pm01, pm02, pm10, atmp, rhum,
rco2``) become the canonical raw variables (``pm25`` is PM2.5 "as reported by the
sensor"). AirGradient's corrected values (``*_corrected`` in the cloud, ``*Compensated``
on the local server) are kept apart, as ``pm25_airgradient_corrected``,
``temperature_compensated``, ``humidity_compensated`` and so on, so a corrected value is
never mixed with a raw one. The correction applied depends on the monitor's settings
(for PM2.5 for example the EPA 2021 formula). ``*Standard`` values are the Plantower
"standard particle" (CF=1) masses, read as ``pm25_cf1`` and so on. ``pm003Count`` and
the other counts are particles per decilitre (0.1 L) larger than the size in the name.
``tvocIndex``/``noxIndex`` are the Sensirion SGP41 indices.

Time
----
Cloud timestamps are UTC (``...Z``). Cloud records are averages; whether their timestamp
marks the start or the end of the averaging period is not documented [M].

References
----------
.. [1] airgradienthq/arduino, ``docs/local-server.md`` (local server API).
.. [2] AirGradient API documentation, https://api.airgradient.com/public/docs/api/v1/
.. [3] AirGradient, "Correction algorithms",
   https://www.airgradient.com/documentation/correction-algorithms/
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .._errors import DataFormatError, EmptyFileError, TimestampError, UnitError
from .._time import parse_times
from . import _tidy
from ._common import (
    frame_from_rows,
    new_record,
    parse_json,
    read_each,
    require_columns,
    sensor_data,
    split_table,
)
from ._io import check_text, decode

if TYPE_CHECKING:
    import datetime

    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = ["MISSING_VALUES", "SOURCE", "VARIABLE_MAP", "detect", "read_airgradient"]

SOURCE = "AirGradient"
_PREFIX = "airgradient"

#: JSON key (in snake_case) -> (canonical variable, unit in the payload).
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "pm01": ("pm1", "µg/m³"),
    "pm02": ("pm25", "µg/m³"),
    "pm10": ("pm10", "µg/m³"),
    "pm01_standard": ("pm1_cf1", "µg/m³"),
    "pm02_standard": ("pm25_cf1", "µg/m³"),
    "pm10_standard": ("pm10_cf1", "µg/m³"),
    "pm01_corrected": ("pm1_airgradient_corrected", "µg/m³"),
    "pm02_corrected": ("pm25_airgradient_corrected", "µg/m³"),
    "pm02_compensated": ("pm25_airgradient_corrected", "µg/m³"),
    "pm10_corrected": ("pm10_airgradient_corrected", "µg/m³"),
    "pm003_count": ("pc_gt03", "#/dL"),
    "pm005_count": ("pc_gt05", "#/dL"),
    "pm01_count": ("pc_gt1", "#/dL"),
    "pm02_count": ("pc_gt25", "#/dL"),
    "pm50_count": ("pc_gt5", "#/dL"),
    "pm10_count": ("pc_gt10", "#/dL"),
    "atmp": ("temperature", "°C"),
    "atmp_compensated": ("temperature_compensated", "°C"),
    "atmp_corrected": ("temperature_compensated", "°C"),
    "rhum": ("humidity", "%"),
    "rhum_compensated": ("humidity_compensated", "%"),
    "rhum_corrected": ("humidity_compensated", "%"),
    "rco2": ("co2", "ppm"),
    "rco2_corrected": ("co2_airgradient_corrected", "ppm"),
    "tvoc_index": ("voc_index", "index"),
    "nox_index": ("nox_index", "index"),
}
#: Text that means "no value" in AirGradient payloads.
MISSING_VALUES = ("", "null", "none", "nan", "NaN")

_METADATA = "device or location description (in the sensors table)"
#: Keys that are read but are not measurements, and why they are not.
_IGNORED = {
    "tvoc_raw": "raw SGP41 VOC signal in ticks (the VOC index is read instead)",
    "nox_raw": "raw SGP41 NOx signal in ticks (the NOx index is read instead)",
    "tvoc": "cloud 'tvoc': unit and derivation not documented [M] (the VOC index is read)",
    "wifi": "device status: WiFi signal strength [dBm]",
    "boot": "device status: measurement cycles since the last restart",
    "boot_count": "device status: measurement cycles since the last restart",
    "led_mode": "device setting",
    "monitor_display_compensated_values": "device setting",
    "datapoints": "number of raw records averaged into the values",
    "heatindex": "derived from temperature and humidity, not a measurement",
    "heat_index": "derived from temperature and humidity, not a measurement",
    "offline": "device status",
    "serialno": _METADATA,
    "model": _METADATA,
    "firmware": _METADATA,
    "firmware_version": _METADATA,
    "fw_mode": _METADATA,
    "location_id": _METADATA,
    "location_name": _METADATA,
    "location_type": _METADATA,
    "latitude": _METADATA,
    "longitude": _METADATA,
    "timezone": _METADATA,
    "public_location_name": _METADATA,
    "public_place_name": _METADATA,
    "public_place_url": _METADATA,
    "public_contributor_name": _METADATA,
    "id": _METADATA,
}
_TIME_KEYS = ("timestamp",)

#: Dashboard CSV: metadata columns (lower case) and why they are not measurements [M].
_CSV_META = {
    "location id": _METADATA,
    "location name": _METADATA,
    "location group": _METADATA,
    "location type": _METADATA,
    "sensor id": _METADATA,
    "place open": "whether the place was open (a dashboard setting)",
    "local date/time": "local time; the UTC Date/Time column is read instead",
    "utc date/time": "the time of the row",
    "#aggregated records": "number of raw records averaged into the row",
}
#: Dashboard CSV measurement columns: (pattern on the name without its unit, raw
#: variable, corrected variable, default unit) [M].
_CSV_MEASURES: tuple[tuple[str, str, str, str], ...] = (
    (r"^pm\s*2\.?5\b", "pm25", "pm25_airgradient_corrected", "µg/m³"),
    (r"^pm\s*10\b", "pm10", "pm10_airgradient_corrected", "µg/m³"),
    (r"^pm\s*1(\.0)?\b", "pm1", "pm1_airgradient_corrected", "µg/m³"),
    (r"0\.3\s*[µμu]m.*count|^pm\s*0\.?03.*count", "pc_gt03", "pc_gt03", "#/dL"),
    (r"^co2\b", "co2", "co2_airgradient_corrected", "ppm"),
    (r"^temperature\b", "temperature", "temperature_compensated", "°C"),
    (r"^(relative\s+)?humidity\b", "humidity", "humidity_compensated", "%"),
    (r"^t?voc\s+index\b", "voc_index", "voc_index", "index"),
    (r"^nox\s+index\b", "nox_index", "nox_index", "index"),
)
_CSV_IGNORED = (
    (
        r"^tvoc\b",
        (
            "TVOC in ppb: AirGradient does not document how it is derived [M] "
            "(the TVOC index is read)"
        ),
    ),
    (r"heat\s*index", "derived from temperature and humidity, not a measurement"),
)


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is one of ours."""
    text = head.lstrip("\ufeff \r\n\t")
    if text[:1] in ("{", "["):
        if '"pm02"' not in text or not re.search(r'"(rco2|atmp|rhum|pm003_?[cC]ount)"', text):
            return None
        if text.startswith("[") or '"timestamp"' in text or '"locationId"' in text:
            return "cloud_json"
        if re.search(r'"(pm003_count|tvoc_index|nox_index)"', text):
            return "firmware_json"
        return "local_json"
    first = text.split("\n", 1)[0].lower()
    if "utc date/time" in first and ("location id" in first or "location name" in first):
        return "dashboard_csv"
    return None


def read_airgradient(
    path_or_buffer: PathOrBuffer,
    *,
    time: str | datetime.datetime | pd.Timestamp | None = None,
    file_timezone: str | None = None,
    timezone: str | None = None,
    sensor_id: str | None = None,
) -> SensorData:
    """Read AirGradient data: local server JSON, firmware/cloud JSON or dashboard CSV.

    Parameters
    ----------
    path_or_buffer
        A file path or open file (``.json``, ``.csv``, or a ``.zip``/``.gz`` of them).
        The variant is recognised from the content.
    time
        When a local-server or firmware JSON snapshot was taken (it has no timestamp),
        for example ``"2024-03-01T14:00:00+01:00"``. Used only for records without a
        ``timestamp``.
    file_timezone
        IANA zone of the file's clock: for a ``time`` without an offset, or for CSV
        times without one.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.
    sensor_id
        The monitor's id to use instead of its serial number (``serialno`` or the CSV's
        ``Sensor ID``) or location id.

    Returns
    -------
    SensorData
        Readings in canonical variables and units, raw and corrected values under
        different names, one sensor ``airgradient:<serial>`` per monitor, and a ledger
        record per file.

    Raises
    ------
    TimestampError
        If a snapshot has no timestamp and ``time`` is not given.
    UnitError
        If a CSV column gives a unit the toolkit does not know.
    DataFormatError
        If a file is none of the variants.

    Examples
    --------
    >>> import io
    >>> text = '{"serialno": "ecda3b1eaaaf", "pm02": 7, "rco2": 447, "atmp": 25.87}'
    >>> data = read_airgradient(io.BytesIO(text.encode()), time="2024-03-01T12:00:00Z")
    >>> data.readings[["variable", "value"]].values.tolist()
    [['pm25', 7.0], ['co2', 447.0], ['temperature', 25.87]]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_airgradient")
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(raw, time=time, timezone=timezone, sensor_id=sensor_id),
        what="airgradient",
    )


def _read_one(
    raw: RawFile, *, time: Any, timezone: str | None, sensor_id: str | None
) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    if variant == "dashboard_csv":
        return _read_csv(raw, timezone=timezone, sensor_id=sensor_id)
    if variant is not None:
        return _read_json(raw, variant=variant, time=time, timezone=timezone, sensor_id=sensor_id)
    if re.fullmatch(r"\s*(\[\s*\]|\{\s*\})\s*", head):
        raise EmptyFileError(
            "The AirGradient answer holds no records.",
            file=raw.name,
            found=f"{head.strip()!r}",
            fix="Choose a period in which the monitor was online.",
        )
    first = head.lstrip().split("\n", 1)[0][:200]
    raise DataFormatError(
        "This is not an AirGradient file (local server JSON, cloud JSON or dashboard CSV).",
        file=raw.name,
        found=f"first line: {first!r}",
        fix="AirGradient JSON has keys such as 'pm02' and 'rco2'; the dashboard CSV has a "
        "'UTC Date/Time' column. For other files try toolkit.load(path).",
    )


def _snake(key: str) -> str:
    """``pm003Count`` -> ``pm003_count``; snake_case keys stay as they are."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", str(key)).lower()


def _user_time(raw: RawFile, time: Any, timezone: str | None, variant: str) -> str:
    """Return the ``time=`` option as a UTC ISO string, or raise a TimestampError."""
    import pandas as pd

    if time is None:
        raise TimestampError(
            "This AirGradient JSON has no timestamp: the monitor's local server (and the "
            "firmware's upload) give only the current reading.",
            file=raw.name,
            found=f"a {variant.replace('_', ' ')} snapshot without a 'timestamp' key",
            fix="Say when it was taken, for example read_airgradient(path, "
            "time='2024-03-01T14:00:00+01:00'); to collect a series, save the time with "
            "each snapshot or download the history from the AirGradient dashboard.",
        )
    try:
        stamp = pd.Timestamp(time)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise TimestampError(
            "The time= given could not be read.",
            file=raw.name,
            found=f"time={time!r}",
            fix="Give ISO 8601 with an offset, e.g. '2024-03-01T14:00:00+01:00'.",
        )
    if stamp.tzinfo is None:
        if timezone is None:
            raise TimestampError(
                "The time= given has no time zone.",
                file=raw.name,
                found=f"time={time!r}",
                fix="Add an offset ('2024-03-01T14:00:00+01:00' or '...Z') or give "
                "file_timezone='Europe/Berlin' (the zone of the clock that time was read on).",
            )
        stamp = stamp.tz_localize(timezone)
    return stamp.tz_convert("UTC").isoformat()


# -- JSON -----------------------------------------------------------------------------
def _read_json(
    raw: RawFile, *, variant: str, time: Any, timezone: str | None, sensor_id: str | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, f"airgradient/{variant}", encoding=encoding)
    payload = parse_json(text, record=record, what="AirGradient")
    items = payload if isinstance(payload, list) else [payload]
    record.rows_read = len(items)
    flat: list[dict[str, Any]] = []
    broken: list[str] = []
    spelled: dict[str, str] = {}  # snake_case key -> the key as the file spells it
    for i, item in enumerate(items):
        if isinstance(item, dict):
            flat.append({_snake(k): v for k, v in item.items()})
            for key in item:
                spelled.setdefault(_snake(key), str(key))
        else:
            broken.append(f"record {i}: {str(item)[:60]}")
    if broken:
        record.drop_rows("record is not a JSON object", len(broken), broken[:3])
    frame = pd.DataFrame(flat, dtype=object) if flat else pd.DataFrame({"timestamp": []})

    if "timestamp" not in frame.columns:
        frame["timestamp"] = None
    no_key = pd.Series([("timestamp" not in item) for item in flat], dtype=bool)
    if no_key.any():
        stamp = _user_time(raw, time, timezone, variant)
        frame.loc[no_key.to_numpy(), "timestamp"] = stamp
        record.note(
            f"{int(no_key.sum())} record(s) had no timestamp; the time= given ({stamp}) was used."
        )
        if int(no_key.sum()) > 1:
            record.note(
                "Several records share the time= given; they are repeated "
                "snapshots only if each was taken at that time."
            )
    time_text = frame["timestamp"].astype("string")
    times = parse_times(
        time_text,
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="the AirGradient cloud writes UTC",
        file=raw.name,
        column="timestamp",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = (
        "instant of the snapshot (the local server gives the current reading)"
        if no_key.all()
        else "time of the cloud record, an average over its period; "
        "whether it marks the start or the end is not documented [M]"
    )

    columns = []
    for name in frame.columns:
        if name in _TIME_KEYS:
            continue
        if name in VARIABLE_MAP:
            columns.append(_tidy.Column(name, *VARIABLE_MAP[name]))
        else:
            record.ignore_column(
                spelled.get(name, name), _IGNORED.get(name, "not a known AirGradient field")
            )
    ids = _sensor_ids(frame, sensor_id, record)
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=time_text,
    )
    _note_corrected(columns, record)
    return sensor_data(readings, _sensors(frame.assign(_id=ids)), record)


def _sensor_ids(frame: pd.DataFrame, sensor_id: str | None, record: FileRecord) -> pd.Series:
    import pandas as pd

    if sensor_id:
        return pd.Series(f"{_PREFIX}:{sensor_id}", index=frame.index, dtype=object)

    def column(name: str) -> pd.Series:
        if name not in frame.columns:
            return pd.Series(None, index=frame.index, dtype=object)
        values = frame[name].astype("string").str.strip()
        return values.mask(values.eq("") | values.str.lower().isin(["none", "null", "nan"]))

    serial, location = column("serialno"), column("location_id")
    ids = (_PREFIX + ":" + serial).fillna(_PREFIX + ":location-" + location)
    if ids.isna().any():
        record.note(
            "Some records name neither a serial number nor a location; their "
            "sensor id is 'airgradient:unknown' (give sensor_id=)."
        )
        ids = ids.fillna(f"{_PREFIX}:unknown")
    if serial.isna().any() and location.notna().any():
        record.note(
            "Records without a serial number are identified by their location id "
            "('airgradient:location-<id>')."
        )
    return ids.astype(object)


def _sensors(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    def last(group: pd.DataFrame, *names: str) -> Any:
        for name in names:
            if name in group.columns:
                values = group[name].dropna()
                values = values[values.astype(str).str.strip() != ""]
                if len(values):
                    return values.iloc[-1]
        return None

    rows = []
    for sid, group in frame.groupby("_id", sort=False):
        kind = str(last(group, "location_type") or "").strip().lower()
        rows.append(
            {
                "sensor_id": sid,
                "name": last(group, "location_name") or f"AirGradient {str(sid).split(':', 1)[1]}",
                "source": SOURCE,
                "latitude": pd.to_numeric(last(group, "latitude"), errors="coerce"),
                "longitude": pd.to_numeric(last(group, "longitude"), errors="coerce"),
                "model": last(group, "model", "fw_mode"),
                "location_type": kind if kind in ("indoor", "outdoor") else None,
                "timezone": last(group, "timezone"),
                "firmware": last(group, "firmware", "firmware_version"),
                "location_id": None
                if last(group, "location_id") is None
                else str(last(group, "location_id")),
            }
        )
    return rows


def _note_corrected(columns: list[_tidy.Column], record: FileRecord) -> None:
    corrected = sorted(
        {c.variable for c in columns if c.variable.endswith(("_corrected", "_compensated"))}
    )
    if corrected:
        record.note(
            "AirGradient's corrected values were kept apart from the raw ones as "
            f"{', '.join(corrected)}."
        )


# -- dashboard CSV --------------------------------------------------------------------
def _csv_column(name: str) -> tuple[str, str | None, str | None]:
    """Classify a dashboard column: ('meta'|'measure'|'ignored'|'unknown', variable, unit)."""
    lower = name.strip().lower()
    if lower in _CSV_META:
        return "meta", None, None
    match = re.search(r"\(([^)]*)\)", name)
    unit = match.group(1).strip() if match else None
    base = re.sub(r"\([^)]*\)", " ", lower)
    base = re.sub(r"\s+", " ", base).strip()
    corrected = bool(re.search(r"\b(corrected|compensated)\b", base))
    for pattern, raw_var, corrected_var, default in _CSV_MEASURES:
        if re.search(pattern, base):
            return "measure", corrected_var if corrected else raw_var, unit or default
    for pattern, _reason in _CSV_IGNORED:
        if re.search(pattern, base):
            return "ignored", None, None
    return "unknown", None, None


def _read_csv(raw: RawFile, *, timezone: str | None, sensor_id: str | None) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "airgradient/dashboard_csv", encoding=encoding)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header, rows, lines = split_table(text, delimiter=delimiter, record=record)
    header = [h.lstrip("\ufeff") for h in header]
    frame, _ = frame_from_rows(header, rows, lines, record=record)
    by_lower = {h.strip().lower(): h for h in header}
    require_columns(by_lower, ["utc date/time"], record=record, what="AirGradient dashboard CSV")
    time_column = by_lower["utc date/time"]
    time_text = frame[time_column].astype("string").str.strip()
    times = parse_times(
        time_text,
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="the column is named 'UTC Date/Time'",
        file=raw.name,
        column=time_column,
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = (
        "time of the (possibly averaged) dashboard row; whether it marks "
        "the start or the end of the period is not documented [M]"
    )
    columns = []
    for name in header:
        kind, variable, unit = _csv_column(name)
        if kind == "meta":
            if name != time_column:
                record.ignore_column(name, _CSV_META[name.strip().lower()])
            continue
        if kind == "ignored":
            base = name.strip().lower()
            reason = next(r for p, r in _CSV_IGNORED if re.search(p, base))
            record.ignore_column(name, reason)
            continue
        if kind == "unknown":
            record.ignore_column(name, "not a known AirGradient dashboard column")
            continue
        try:
            unit = _units.conversion(variable, unit).from_unit
        except UnitError as error:
            raise UnitError(
                f"Column {name!r} has a unit that cannot be read as {variable}.",
                file=raw.name,
                found=f"unit {unit!r} ({error.problem})",
                fix="Check the export; if the unit is right under another spelling, read "
                "the file with toolkit.readers.read_csv_mapped.",
            ) from None
        columns.append(_tidy.Column(name, variable, unit))
    record.note(
        "The dashboard CSV layout is known only from a third-party description "
        "[M]; measurement columns were recognised by name (see columns ignored)."
    )
    meta = pd.DataFrame(index=frame.index)
    for key, column in (
        ("serialno", "sensor id"),
        ("location_id", "location id"),
        ("location_name", "location name"),
        ("location_type", "location type"),
    ):
        if column in by_lower:
            meta[key] = frame[by_lower[column]]
    ids = _sensor_ids(meta, sensor_id, record)
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=time_text,
    )
    _note_corrected(columns, record)
    return sensor_data(readings, _sensors(meta.assign(_id=ids)), record)
