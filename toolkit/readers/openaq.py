"""OpenAQ: the three CSV exports and the v2 and v3 JSON APIs.

OpenAQ gathers measurements of government monitors and low-cost sensors worldwide. Its
files are *long*: one row (or JSON record) per value, with the parameter and the unit
written beside the value.

Formats
-------
``legacy_csv``
    The v1/v2 API's ``format=csv`` download: ``location,city,country,utc,local,parameter,
    value,unit,latitude,longitude,attribution``. ``utc`` ends in ``Z``; ``local`` is the
    same instant with the local offset (not read). ``attribution`` is a JSON list written
    with doubled quotes. Units are mixed within one file: the same parameter can come in
    ``µg/m³`` in one row and in ``ppm`` in the next, so every row is converted by its own
    unit. There is no location id: sensors are named by the location's name.
``archive_csv``
    The AWS Open Data archive, ``records/csv.gz/locationid=N/year=YYYY/month=MM/
    location-N-YYYYMMDD.csv.gz``: ``location_id,sensors_id,location,datetime,lat,lon,
    parameter,units,value``. ``datetime`` carries the station's local offset
    (``2023-02-22T01:00:00-07:00``); later files may write ``2026-03-28 05:00:00+00`` and add
    ``summary,coverage`` columns (not read). The archive documentation names the columns
    ``sensor_id``/``unit``, but the real files say ``sensors_id``/``units``; both are read.
``explorer_csv``
    The download of the OpenAQ Explorer web page: ``location_id,location_name,parameter,
    value,unit,datetimeUtc,datetimeLocal,timezone,latitude,longitude,country_iso,isMobile,
    isMonitor,owner_name,provider``. Blank fields are common. ``timezone`` (an IANA name)
    goes into the sensors table.
``legacy_csv`` without its header line
    The same 11 columns, saved without the header (seen in real files people keep):
    recognised when the first line has 11 fields, the fourth a UTC time ending in ``Z``,
    the fifth the same instant with an offset, and the sixth an OpenAQ parameter.
``opendatasoft_csv``
    OpenAQ's "latest measurements" as exported from the OpenDataSoft portal:
    ``;``-separated, ``Country Code;City;Location;Coordinates;Pollutant;Source Name;Unit;
    Value;Last Updated;Country Label`` (later versions write ``Latitude;Longitude`` instead
    of ``Coordinates``, which holds ``"lat, lon"``). Pollutants are written ``PM2.5``,
    ``NO2``...; ``Last Updated`` carries the local offset; ``Location`` is the station's
    code (for EEA stations the EEA code), used as its id.
``v2_json``
    ``/v2/measurements`` (and the similar v1 ``/measurements``): ``{"meta": {...},
    "results": [{"locationId", "location", "parameter", "value", "date": {"utc", "local"},
    "unit", "coordinates": {"latitude", "longitude"}, "country", "city", "isMobile",
    "isAnalysis", "entity", "sensorType"}]}``.
``v3_json``
    ``/v3/sensors/{id}/measurements``, ``/hours`` and ``/days``: ``{"meta": {...},
    "results": [{"value", "flagInfo": {"hasFlags"}, "parameter": {"id", "name", "units",
    "displayName"}, "period": {"label", "interval", "datetimeFrom": {"utc", "local"},
    "datetimeTo": {"utc", "local"}}, "coordinates", "summary", "coverage"}]}``. The results
    do not name their sensor: give ``sensor_id=``, otherwise it is taken from the file
    name (its only number, as in ``sensor-3917-hours.json``, or else its stem).

Units, codes and sensors
------------------------
Parameters are mapped by :data:`VARIABLE_MAP`; ``relativehumidity`` becomes ``humidity``.
Parameters without a canonical variable (particle counts such as ``um003``) are dropped,
row by row, with a reason naming the parameter. Gases are converted to µg/m³ (CO to
mg/m³) from ppm or ppb at the reference temperature given by
``gas_reference_temperature_c`` (25 °C by default, the US EPA convention; 20 °C is the
EU one); the ledger names the factor and the temperature. ``-999`` is OpenAQ's missing
value code and is dropped with that reason. Negative values other than -999 are real
rows of the file and are *kept*: the quality checks flag them later.

Sensor ids are ``openaq:<location id>`` for the CSV exports and v2 JSON (the legacy CSV,
which has no id, uses the location's name), so one station read from different exports
gets one id. The v3 JSON belongs to one OpenAQ *sensor*, whose numbers are not location
numbers: it becomes ``openaq:sensor-<sensor id>``. The archive's ``sensors_id`` values are
kept in the sensors table (``openaq_sensors_ids``).

Time
----
Every variant carries UTC or UTC offsets, so no zone is assumed. OpenAQ harmonises its
datetimes to an "exclusive time-ending standard": a timestamp 03:00 holds the data from
02:00 to 02:59 [1]_. The CSV exports and v2 JSON are kept as given, so their timestamps
mark the *end* of the averaging period (usually one hour). The v3 JSON gives the period
explicitly; there the reader stores ``datetimeFrom``, the *start* of the period (the
convention of US EPA AQS and the EEA), and says so in the ledger.

References
----------
.. [1] OpenAQ API documentation, "Dates, times and timezones",
   https://docs.openaq.org/using-the-api/dates-datetimes
.. [2] OpenAQ documentation, "Accessing OpenAQ archive data" (AWS bucket
   ``openaq-data-archive``, file layout and columns).
.. [3] OpenAQ API reference, v3 ``/v3/sensors/{sensors_id}/measurements`` response schema.
"""

from __future__ import annotations

import csv
import json
import re
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .._errors import DataFormatError, EmptyFileError
from .._time import parse_times
from .._zones import local_offsets
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
from ._tidy import long_readings

if TYPE_CHECKING:
    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "ARCHIVE_COLUMNS",
    "EXPLORER_COLUMNS",
    "LEGACY_COLUMNS",
    "MISSING_VALUES",
    "SOURCE",
    "VARIABLE_MAP",
    "detect",
    "read_openaq",
]

SOURCE = "OpenAQ"
_PREFIX = "openaq"

#: OpenAQ parameter name -> (canonical variable, OpenAQ's usual unit). Every row carries
#: its own unit, and that is the one used for conversion.
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "pm1": ("pm1", "µg/m³"),
    "pm25": ("pm25", "µg/m³"),
    "pm4": ("pm4", "µg/m³"),
    "pm10": ("pm10", "µg/m³"),
    "bc": ("bc", "µg/m³"),
    "no2": ("no2", "ppm"),
    "no": ("no", "ppm"),
    "nox": ("nox", "ppm"),
    "o3": ("o3", "ppm"),
    "so2": ("so2", "ppm"),
    "co": ("co", "ppm"),
    "co2": ("co2", "ppm"),
    "nh3": ("nh3", "ppm"),
    "temperature": ("temperature", "°C"),
    "relativehumidity": ("humidity", "%"),
    "humidity": ("humidity", "%"),
    "pressure": ("pressure", "hPa"),
    "wind_speed": ("wind_speed", "m/s"),
    "wind_direction": ("wind_direction", "°"),
}
#: OpenAQ's missing-value codes: empty fields, ``null``, and the number -999.
MISSING_VALUES = ("", "null", "none", "nan")
_MISSING_NUMBERS = (-999.0,)

LEGACY_COLUMNS = (
    "location",
    "city",
    "country",
    "utc",
    "local",
    "parameter",
    "value",
    "unit",
    "latitude",
    "longitude",
    "attribution",
)
ARCHIVE_COLUMNS = (
    "location_id",
    "sensors_id",
    "location",
    "datetime",
    "lat",
    "lon",
    "parameter",
    "units",
    "value",
)
EXPLORER_COLUMNS = (
    "location_id",
    "location_name",
    "parameter",
    "value",
    "unit",
    "datetimeUtc",
    "datetimeLocal",
    "timezone",
    "latitude",
    "longitude",
    "country_iso",
    "isMobile",
    "isMonitor",
    "owner_name",
    "provider",
)

_END_LABEL = (
    "end of the averaging period (OpenAQ's time-ending standard: 03:00 holds "
    "02:00-02:59; the period, usually 1 h, is not in the file)"
)
_OFFSET_REASON = "the values carry UTC or a UTC offset"


# -- detection ------------------------------------------------------------------------
def _csv_header(head: str) -> list[str]:
    first = next((line for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")
    return [f.strip() for f in next(csv.reader([first]), [])]


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is OpenAQ's."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        if '"results"' not in text:
            return None
        if '"parameter"' in text and '"period"' in text and '"datetimeFrom"' in text:
            return "v3_json"
        if '"parameter"' in text and '"date"' in text and '"utc"' in text:
            return "v2_json"
        if '"openaq-api"' in text:  # an OpenAQ answer without results (read: empty)
            return "v2_json"
        return None
    columns = set(_csv_header(text))
    if {"location", "city", "country", "utc", "parameter", "value", "unit"} <= columns:
        return "legacy_csv"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if {"Location", "Pollutant", "Unit", "Value", "Last Updated"} <= {
        f.strip() for f in first.split(";")
    }:
        return "opendatasoft_csv"
    fields = next(csv.reader([first]), [])
    if (
        len(fields) == len(LEGACY_COLUMNS)
        and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", fields[3].strip())
        and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:?\d\d", fields[4].strip())
        and _parameter_key(fields[5]) in VARIABLE_MAP
    ):
        return "legacy_noheader_csv"
    if (
        {"location_id", "datetime", "parameter", "value"} <= columns
        and columns & {"sensors_id", "sensor_id"}
        and columns & {"units", "unit"}
    ):
        return "archive_csv"
    if {"location_id", "parameter", "value", "unit", "datetimeUtc"} <= columns:
        return "explorer_csv"
    return None


# -- entry point ----------------------------------------------------------------------
def read_openaq(
    path_or_buffer: PathOrBuffer,
    *,
    gas_reference_temperature_c: float = _units.DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
    sensor_id: str | None = None,
) -> SensorData:
    r"""Read OpenAQ files: legacy, archive or Explorer CSV, or v2/v3 API JSON.

    Parameters
    ----------
    path_or_buffer
        A file path or open file: ``.csv``, ``.csv.gz`` (the AWS archive), a ``.zip`` of
        such files, or a saved API response ``.json``. The variant is recognised from the
        content.
    gas_reference_temperature_c
        Temperature [°C] at which gas mole fractions (ppm, ppb) become mass
        concentrations (µg/m³, mg/m³ for CO). 25 °C by default (US EPA); use 20 for the
        EU convention.
    sensor_id
        For v3 JSON, whose results do not name their sensor: the OpenAQ sensor id.
        Without it the id is taken from the file name (with a note in the ledger).

    Returns
    -------
    SensorData
        Readings in canonical variables and units, sensors ``openaq:<location id>``
        (``openaq:sensor-<id>`` for v3 JSON), one ledger record per file.

    Raises
    ------
    DataFormatError
        If a file is none of the five variants, or its JSON cannot be parsed.
    EmptyFileError
        If a file holds no measurements.

    Notes
    -----
    Timestamps of the CSV exports and v2 JSON mark the *end* of the averaging period, as
    OpenAQ writes them; those of v3 JSON mark its *start* (``period.datetimeFrom``).
    ``-999`` values are dropped as missing; other negative values are kept.

    Examples
    --------
    >>> import io
    >>> text = ("location_id,sensors_id,location,datetime,lat,lon,parameter,units,value\n"
    ...         "2178,3917,Del Norte,2023-02-22T01:00:00-07:00,35.13,-106.58,no2,ppm,0.04\n")
    >>> data = read_openaq(io.BytesIO(text.encode()))
    >>> data.readings[["time", "variable", "unit"]].astype(str).values.tolist()
    [['2023-02-22 08:00:00+00:00', 'no2', 'µg/m³']]
    >>> round(float(data.readings["value"].iloc[0]), 2)
    75.22
    """
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(raw, reference=gas_reference_temperature_c, sensor_id=sensor_id),
        what="openaq",
    )


def _read_one(raw: RawFile, *, reference: float, sensor_id: str | None) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    if variant in ("legacy_csv", "archive_csv", "explorer_csv", "legacy_noheader_csv"):
        return _read_csv(raw, variant, reference=reference)
    if variant == "opendatasoft_csv":
        return _read_opendatasoft(raw, reference=reference)
    if variant == "v2_json":
        return _read_v2(raw, reference=reference)
    if variant == "v3_json":
        return _read_v3(raw, reference=reference, sensor_id=sensor_id)
    first = head.lstrip().split("\n", 1)[0][:200]
    raise DataFormatError(
        "This is not an OpenAQ file (legacy, archive or Explorer CSV, or v2/v3 API JSON).",
        file=raw.name,
        found=f"first line: {first!r}",
        fix="An OpenAQ archive CSV starts with 'location_id,sensors_id,location,datetime', an "
        "Explorer download with 'location_id,location_name,parameter', a legacy CSV with "
        "'location,city,country,utc'. For other files try toolkit.load(path).",
    )


# -- the long-table step shared by every variant --------------------------------------
def _offset_times(values: pd.Series, *, raw: RawFile, column: str, record: FileRecord) -> Any:
    """Parse times that carry UTC or an offset, and note the file's clock in ``record``."""
    times = parse_times(
        values,
        documented_timezone="UTC",
        documented_reason=_OFFSET_REASON,
        file=raw.name,
        column=column,
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    return times


def _parameter_key(name: object) -> str:
    """OpenAQ's parameter name in its API spelling: ``"PM2.5"`` and ``"pm2_5"`` are pm25."""
    text = str(name).strip().lower()
    return text.replace(".", "").replace("_", "") if text.startswith("pm") else text


def _map_parameters(fields: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the canonical variable of each parameter and a drop reason for unknown ones."""
    import pandas as pd

    names = fields.astype("string").fillna("").map(_parameter_key)
    variable = names.map(lambda p: VARIABLE_MAP[p][0] if p in VARIABLE_MAP else None)
    reason = pd.Series([None] * len(names), dtype=object, index=names.index)
    unknown = variable.isna()
    reason[unknown & (names == "")] = "parameter missing"
    for name in names[unknown & (names != "")].unique():
        reason[unknown & (names == name)] = (
            f"parameter {name!r} is not a variable the toolkit knows"
        )
    return variable.astype(object), reason


# -- CSV variants ---------------------------------------------------------------------
#: Per CSV variant: the time column, id column, name column, lat, lon, unit column.
_CSV_LAYOUT = {
    "legacy_csv": ("utc", "location", "location", "latitude", "longitude", "unit"),
    "archive_csv": ("datetime", "location_id", "location", "lat", "lon", "units"),
    "explorer_csv": (
        "datetimeUtc",
        "location_id",
        "location_name",
        "latitude",
        "longitude",
        "unit",
    ),
}
_CSV_IGNORED = {
    "local": "the same instant as 'utc', in local time",
    "datetimeLocal": "the same instant as 'datetimeUtc', in local time",
    "attribution": "data provider credits (JSON); kept in the sensors table",
    "summary": "statistics of the averaging period (archive files from 2025 on)",
    "coverage": "share of the period covered by measurements (archive files from 2025 on)",
}


def _read_csv(raw: RawFile, variant: str, *, reference: float) -> SensorData:
    text, encoding = decode(raw)
    record = new_record(raw, f"openaq/{variant}", encoding=encoding)
    shift = 0
    if variant == "legacy_noheader_csv":
        # Read under the documented header; line numbers stay those of the file.
        text, shift, variant = (
            ",".join(LEGACY_COLUMNS) + "\n" + text.lstrip("\ufeff"),
            1,
            "legacy_csv",
        )
        record.note(
            "The file has no header line: read with the 11 columns of OpenAQ's legacy CSV "
            "(location, city, country, utc, local, parameter, value, unit, latitude, "
            "longitude, attribution), which its rows match."
        )
    header, rows, lines = split_table(text, delimiter=",", record=record)
    frame, line_numbers = frame_from_rows(header, rows, [n - shift for n in lines], record=record)
    if variant == "archive_csv":
        frame = frame.rename(columns={"sensor_id": "sensors_id", "unit": "units"})
    time_col, id_col, name_col, lat_col, lon_col, unit_col = _CSV_LAYOUT[variant]
    require_columns(
        frame.columns,
        [*_CSV_LAYOUT[variant], "parameter", "value"],
        record=record,
        what=f"OpenAQ {variant.replace('_', ' ')}",
    )
    times = _offset_times(frame[time_col], raw=raw, column=time_col, record=record)
    local = next((c for c in ("local", "datetimeLocal") if c in frame.columns), None)
    # the local times' offsets say where the sensor is (for its zone, see _zones)
    record.offsets = local_offsets(frame[local]) if local else list(times.offsets)
    record.time_label = _END_LABEL
    ids = _PREFIX + ":" + frame[id_col].astype("string").str.strip().fillna("unknown")
    readings = _csv_readings(
        frame, ids, ("parameter", unit_col, "value"), line_numbers, times, record, reference
    )
    used = {
        "parameter",
        "value",
        time_col,
        id_col,
        name_col,
        lat_col,
        lon_col,
        unit_col,
        "city",
        "country",
        "sensors_id",
        "timezone",
        "country_iso",
        "isMobile",
        "isMonitor",
        "owner_name",
        "provider",
    }
    for column in header:
        if column not in used and column not in ("sensor_id", "unit"):
            record.ignore_column(column, _CSV_IGNORED.get(column, "not an OpenAQ column"))
    _note_duplicates(readings, record)
    sensors = _csv_sensors(frame.assign(_id=ids), variant, name_col, lat_col, lon_col, record)
    return sensor_data(readings, sensors, record)


def _csv_readings(
    frame: pd.DataFrame,
    ids: pd.Series,
    columns: tuple[str, str, str],
    line_numbers: list[int],
    times: Any,
    record: FileRecord,
    reference: float,
) -> pd.DataFrame:
    """Make the readings of a long CSV table (``columns``: parameter, unit, value)."""
    import pandas as pd

    parameter, unit, value = columns
    variable, reason = _map_parameters(frame[parameter])
    table = pd.DataFrame(
        {
            "sensor_id": ids,
            "field": frame[parameter],
            "variable": variable,
            "unit": frame[unit],
            "value": frame[value],
            "row_reason": reason,
            "label": [f"line {ln}" for ln in line_numbers],
        }
    )
    return long_readings(
        table,
        times=times,
        record=record,
        missing_text=MISSING_VALUES,
        missing_numbers=_MISSING_NUMBERS,
        reference_temperature_c=reference,
    )


def _read_opendatasoft(raw: RawFile, *, reference: float) -> SensorData:
    """Read OpenAQ's "latest measurements" as exported from OpenDataSoft (see above)."""
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "openaq/opendatasoft_csv", encoding=encoding)
    header, rows, lines = split_table(text.lstrip("\ufeff"), delimiter=";", record=record)
    frame, line_numbers = frame_from_rows(header, rows, lines, record=record)
    times = _offset_times(frame["Last Updated"], raw=raw, column="Last Updated", record=record)
    record.offsets = list(times.offsets)
    record.time_label = (
        "the time of the latest measurement (OpenAQ's 'lastUpdated'; the end of its "
        "averaging period, usually 1 h)"
    )
    if "Coordinates" in frame.columns:
        parts = frame["Coordinates"].astype("string").str.split(",", n=1, expand=True)
        lat = parts[0] if 0 in parts else pd.Series(pd.NA, index=frame.index)
        lon = parts[1] if 1 in parts else pd.Series(pd.NA, index=frame.index)
    else:
        lat = frame.get("Latitude", pd.Series(pd.NA, index=frame.index))
        lon = frame.get("Longitude", pd.Series(pd.NA, index=frame.index))
    frame = frame.assign(
        _lat=pd.to_numeric(
            pd.Series(lat, index=frame.index).astype("string").str.strip(), errors="coerce"
        ),
        _lon=pd.to_numeric(
            pd.Series(lon, index=frame.index).astype("string").str.strip(), errors="coerce"
        ),
    )
    ids = _PREFIX + ":" + frame["Location"].astype("string").str.strip().fillna("unknown")
    readings = _csv_readings(
        frame, ids, ("Pollutant", "Unit", "Value"), line_numbers, times, record, reference
    )
    for column in header:
        if column in ("Source Name", "Country Label"):
            record.ignore_column(column, "kept in the sensors table")
        elif column not in (
            "Country Code",
            "City",
            "Location",
            "Coordinates",
            "Latitude",
            "Longitude",
            "Pollutant",
            "Unit",
            "Value",
            "Last Updated",
        ):
            record.ignore_column(column, "not an OpenAQ column")
    _note_duplicates(readings, record)
    sensors = []
    for sid, group in frame.assign(_id=ids).groupby("_id", sort=False):
        last = group.iloc[-1]
        sensors.append(
            {
                "sensor_id": sid,
                "name": f"{last['Location']} ({last.get('City', '')})".replace(" ()", ""),
                "source": SOURCE,
                "latitude": _last(group["_lat"]),
                "longitude": _last(group["_lon"]),
                "model": None,
                "location_type": "outdoor",
                "timezone": None,
                "city": last.get("City"),
                "country": last.get("Country Code"),
                "attribution": last.get("Source Name"),
            }
        )
    return sensor_data(readings, sensors, record)


def _csv_sensors(
    frame: pd.DataFrame, variant: str, name_col: str, lat_col: str, lon_col: str, record: FileRecord
) -> list[dict[str, Any]]:
    import pandas as pd

    sensors = []
    for sid, group in frame.groupby("_id", sort=False):
        last = group.iloc[-1]
        lat = pd.to_numeric(group[lat_col], errors="coerce")
        lon = pd.to_numeric(group[lon_col], errors="coerce")
        if lat.nunique() > 1 or lon.nunique() > 1:
            record.note(
                f"{sid} reported from {max(lat.nunique(), lon.nunique())} positions "
                "(a mobile monitor?); the sensors table gives the last."
            )
        row: dict[str, Any] = {
            "sensor_id": sid,
            "name": last[name_col],
            "source": SOURCE,
            "latitude": _last(lat),
            "longitude": _last(lon),
            "model": None,
            "location_type": "outdoor",
            "timezone": None,
        }
        if variant == "legacy_csv":
            row.update(
                city=last["city"],
                country=last["country"],
                attribution=_attribution(last.get("attribution")),
            )
        elif variant == "archive_csv":
            row["openaq_sensors_ids"] = ",".join(
                dict.fromkeys(group["sensors_id"].astype(str).str.strip())
            )
        else:
            zone = str(last.get("timezone", "")).strip() or None
            monitor = str(last.get("isMonitor", "")).strip().lower()
            row.update(
                timezone=zone,
                country=str(last.get("country_iso", "")).strip() or None,
                owner=str(last.get("owner_name", "")).strip() or None,
                provider=str(last.get("provider", "")).strip() or None,
                model=(
                    "reference monitor"
                    if monitor == "true"
                    else "low-cost sensor"
                    if monitor == "false"
                    else None
                ),
            )
            row["mobile"] = str(last.get("isMobile", "")).strip().lower() == "true"
        sensors.append(row)
    return sensors


def _last(values: pd.Series) -> float | None:
    """Return the last value that is not empty (positions are often blank in some rows)."""
    present = values.dropna()
    return float(present.iloc[-1]) if len(present) else None


def _attribution(text: Any) -> str | None:
    """Return the provider names of a legacy CSV's ``attribution`` JSON (or the text)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        return text.strip()
    if isinstance(items, list):
        names = [str(i.get("name")) for i in items if isinstance(i, dict) and i.get("name")]
        return "; ".join(names) or None
    return text.strip()


def _note_duplicates(readings: pd.DataFrame, record: FileRecord) -> None:
    dup = int(readings.duplicated(["sensor_id", "time", "variable"]).sum())
    if dup:
        record.note(
            f"{dup} reading(s) share a sensor, time and variable with another one "
            "(two instruments at one location?); all were kept, and the quality "
            "checks flag duplicates."
        )


# -- JSON variants --------------------------------------------------------------------
def _load_results(raw: RawFile, record: FileRecord) -> tuple[dict[str, Any], list[Any]]:
    text, _ = decode(raw)
    payload = parse_json(text, record=record, what="OpenAQ")
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise DataFormatError(
            "The OpenAQ JSON has no 'results' list.",
            file=raw.name,
            found=f"top-level keys: {list(payload)[:10] if isinstance(payload, dict) else ''}",
            fix="Save the whole response of /v2/measurements or /v3/sensors/{id}/hours.",
        )
    if not results:
        raise EmptyFileError(
            "The OpenAQ response holds no results.",
            file=raw.name,
            found=f"meta: {str(payload.get('meta'))[:200]}",
            fix="Widen the date range (date_from/date_to, datetime_from/datetime_to), or "
            "check the sensor or location id.",
        )
    record.rows_read = len(results)
    meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
    found = meta.get("found")
    total = str(found).lstrip(">") if isinstance(found, int | str) else ""
    if total.isdigit() and int(total) > len(results):
        record.note(
            f"This file is one page of a larger answer: the API found {found} "
            f"results and the file holds {len(results)} (page "
            f"{meta.get('page')}, limit {meta.get('limit')}). Request the next "
            "pages (page=2, ...) to get the rest."
        )
    return meta, results


def _dig(item: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def _read_v2(raw: RawFile, *, reference: float) -> SensorData:
    import pandas as pd

    record = new_record(raw, "openaq/v2_json")
    _, results = _load_results(raw, record)
    flat = []
    for i, item in enumerate(results):
        item = item if isinstance(item, dict) else {}
        location = item.get("locationId", item.get("location"))
        flat.append(
            {
                "sensor_id": f"{_PREFIX}:{location if location is not None else 'unknown'}",
                "field": item.get("parameter"),
                "unit": item.get("unit"),
                "value": item.get("value"),
                "time": _dig(item, "date", "utc"),
                "local": _dig(item, "date", "local"),
                "label": f"result {i}",
                "name": item.get("location"),
                "lat": _dig(item, "coordinates", "latitude"),
                "lon": _dig(item, "coordinates", "longitude"),
                "city": item.get("city"),
                "country": item.get("country"),
                "sensorType": item.get("sensorType"),
                "isMobile": item.get("isMobile"),
                "isAnalysis": item.get("isAnalysis"),
                "entity": item.get("entity"),
            }
        )
    frame = pd.DataFrame(flat, dtype=object)
    times = _offset_times(frame["time"], raw=raw, column="date.utc", record=record)
    record.offsets = local_offsets(frame["local"])  # where the sensor is (see _zones)
    record.time_label = _END_LABEL
    variable, reason = _map_parameters(frame["field"])
    table = frame[["sensor_id", "field", "unit", "value", "label"]].assign(
        variable=variable, row_reason=reason
    )
    readings = long_readings(
        table,
        times=times,
        record=record,
        missing_text=MISSING_VALUES,
        missing_numbers=_MISSING_NUMBERS,
        reference_temperature_c=reference,
    )
    record.ignore_column("date.local", "the same instant as date.utc, in local time")
    analysis = int(frame["isAnalysis"].eq(True).sum())
    if analysis:
        record.note(
            f"{analysis} result(s) have isAnalysis=true (values derived by OpenAQ, "
            "not measured); they were kept."
        )
    _note_duplicates(readings, record)
    sensors = []
    for sid, group in frame.groupby("sensor_id", sort=False):
        last = group.iloc[-1]
        mobile = bool(group["isMobile"].eq(True).any())
        if mobile:
            record.note(
                f"{sid} is a mobile monitor (isMobile): its position changes with "
                "each value; the sensors table gives the last."
            )
        sensors.append(
            {
                "sensor_id": sid,
                "name": last["name"],
                "source": SOURCE,
                "latitude": pd.to_numeric(last["lat"], errors="coerce"),
                "longitude": pd.to_numeric(last["lon"], errors="coerce"),
                "model": last["sensorType"],
                "location_type": "outdoor",
                "timezone": None,
                "mobile": mobile,
                "city": last["city"],
                "country": last["country"],
                "entity": last["entity"],
            }
        )
    return sensor_data(readings, sensors, record)


def _read_v3(raw: RawFile, *, reference: float, sensor_id: str | None) -> SensorData:
    import pandas as pd

    record = new_record(raw, "openaq/v3_json")
    _, results = _load_results(raw, record)
    if sensor_id is None:
        stem = raw.basename.split(".", 1)[0]
        numbers = re.findall(r"\d+", stem)
        sensor_id = (
            numbers[0]
            if len(numbers) == 1
            else stem
            if stem and not stem.startswith("<")
            else "unknown"
        )
        record.note(
            f"The v3 results do not name their sensor; the sensor id {sensor_id!r} "
            f"was taken from the file name {raw.basename!r}. Give "
            "read_openaq(..., sensor_id=...) to set it."
        )
    sid = f"{_PREFIX}:sensor-{sensor_id}"
    flat = []
    for i, item in enumerate(results):
        item = item if isinstance(item, dict) else {}
        flat.append(
            {
                "field": _dig(item, "parameter", "name"),
                "unit": _dig(item, "parameter", "units"),
                "value": item.get("value"),
                "time": _dig(item, "period", "datetimeFrom", "utc"),
                "local": _dig(item, "period", "datetimeFrom", "local"),
                "label": f"result {i}",
                "period": _dig(item, "period", "label"),
                "interval": _dig(item, "period", "interval"),
                "flagged": _dig(item, "flagInfo", "hasFlags") is True,
                "lat": _dig(item, "coordinates", "latitude"),
                "lon": _dig(item, "coordinates", "longitude"),
                "display": _dig(item, "parameter", "displayName"),
            }
        )
    frame = pd.DataFrame(flat, dtype=object)
    times = _offset_times(frame["time"], raw=raw, column="period.datetimeFrom.utc", record=record)
    record.offsets = local_offsets(frame["local"])  # where the sensor is (see _zones)
    periods = ", ".join(
        f"{p} ({iv})"
        for p, iv in frame[["period", "interval"]]
        .astype(str)  # a damaged file may hold lists there (unhashable)
        .drop_duplicates()
        .itertuples(index=False)
    )
    record.time_label = (
        f"start of the averaging period (period.datetimeFrom; periods: "
        f"{periods}); OpenAQ's CSV exports label the same period by its end"
    )
    variable, reason = _map_parameters(frame["field"])
    table = frame[["field", "unit", "value", "label"]].assign(
        sensor_id=sid, variable=variable, row_reason=reason
    )
    readings = long_readings(
        table,
        times=times,
        record=record,
        missing_text=MISSING_VALUES,
        missing_numbers=_MISSING_NUMBERS,
        reference_temperature_c=reference,
    )
    flagged = int(frame["flagged"].sum())
    if flagged:
        record.note(
            f"{flagged} value(s) carry OpenAQ flags (flagInfo.hasFlags); they were "
            "kept. See /v3/sensors/{id}/flags for what was flagged."
        )
    for column, why in (
        ("period.datetimeTo", "the end of the period (the start is stored)"),
        ("summary", "statistics of the period"),
        ("coverage", "share of the period covered by measurements"),
    ):
        record.ignore_column(column, why)
    lat = pd.to_numeric(frame["lat"], errors="coerce").dropna()
    lon = pd.to_numeric(frame["lon"], errors="coerce").dropna()
    names = frame["display"].dropna().astype(str).unique()
    sensors = [
        {
            "sensor_id": sid,
            "name": f"OpenAQ sensor {sensor_id}" + (f" ({', '.join(names)})" if len(names) else ""),
            "source": SOURCE,
            "latitude": lat.iloc[-1] if len(lat) else None,
            "longitude": lon.iloc[-1] if len(lon) else None,
            "model": None,
            "location_type": "outdoor",
            "timezone": None,
        }
    ]
    if not len(lat):
        record.note(
            "v3 results carry no coordinates for fixed stations; add them to "
            "data.sensors from /v3/sensors/{id} or /v3/locations/{id}."
        )
    return sensor_data(readings, sensors, record)
