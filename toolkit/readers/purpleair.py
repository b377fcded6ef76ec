"""PurpleAir: API v1 history (CSV and JSON), SD-card logs, ThingSpeak downloads, metadata.

Formats
-------
``api_history_csv``
    ``GET /v1/sensors/{index}/history/csv``. The header is ``time_stamp,sensor_index,``
    followed by the requested fields. ``time_stamp`` comes as ISO 8601 with ``Z``
    (``2025-07-07T23:52:04Z``), as Unix seconds (``1663888200``) or with an offset
    (``2024-05-05T16:10:00-05:00``) when the request used one. **Rows are not sorted by
    time** [2]_; the reader sorts them and says so. When a request is refused part way
    (for example ``RateLimitExceededError``), the API's error JSON object can end up
    inside the CSV, over one or several lines: those lines are dropped with a reason
    naming the error, and the ledger says that the download is incomplete.
``airsensor2_csv``
    The API history as saved by the R package AirSensor2 (``example_pat`` written with
    ``write.csv``): the same field names, but the time column is ``datetime`` (UTC,
    ``2024-03-01 08:00:31``) and there is no ``sensor_index``; the sensor id then comes
    from ``sensor_id=`` or else the file name.
``api_history_json``
    ``GET /v1/sensors/{index}/history``: ``{api_version, time_stamp, data_time_stamp,
    sensor_index, start_timestamp, end_timestamp, average, fields: [...], data: [[...]]}``;
    each row of ``data`` is positional, in the order of ``fields``; ``time_stamp`` is Unix
    seconds; rows are not sorted. ``average`` (minutes: 0 = real time, 10, 30, 60, 360,
    1440, 10080, 44640, 525600) is written into the ledger. An error object
    (``{"error": ..., "description": ...}``) raises :class:`DataFormatError` with the
    API's description.
``sensor_metadata`` / ``sensor_list_json``
    One row per sensor: the AirSensor2 ``meta`` table (``deviceID, sensor_index,
    latitude, longitude, timezone, location_type`` ``"outside"``/``"inside"``, ``model``...)
    or the API's sensor list (``GET /v1/sensors``, ``location_type`` 0 = outside,
    1 = inside). Read as a sensors table with no readings.
``sd_card_csv``
    The PA-II-SD's SD-card log. Header ``UTCDateTime,mac_address,firmware_ver,hardware,
    current_temp_f,current_humidity,current_dewpoint_f,pressure,adc,mem,rssi,uptime,`` then
    the PM columns of channel A (no suffix) and channel B (``_b``): firmware before 5.0
    writes ``pm1_0_atm,pm2_5_atm,pm10_0_atm,pm1_0_cf_1,...,p_0_3_um,...,p_10_0_um``;
    firmware 5.0 and later writes ``pm1_0_cf_1,pm2_5_cf_1,pm10_0_cf_1,pm1_0_atm,...,
    pm2.5_aqi_cf_1,pm2.5_aqi_atm,p_0_3_um,...`` and a final ``gas`` column. ``UTCDateTime``
    looks like ``2024/07/01T00:00:00z`` (UTC). **The header line is written again at
    every restart**, so it repeats inside the file: repeated header lines are dropped with
    a reason, and a header that differs (a firmware update) starts a new layout. MAC
    addresses are written without zero padding (``8:3a:8d:b:a4:fd``); the reader pads them.
``thingspeak_csv``
    Files of PurpleAir's old download tool (``purpleair.com/sensorlist``), one per
    ThingSpeak channel: ``created_at,entry_id,`` and eight fields. Primary A:
    ``PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3,PM10.0_CF1_ug/m3,UptimeMinutes,RSSI_dbm,
    Temperature_F,Humidity_%,PM2.5_ATM_ug/m3``; primary B has ``Free_Mem,ADC,
    Pressure_hpa,IAQ`` in place of uptime, RSSI, temperature and humidity; both secondary
    channels have ``>=0.3um/dl,...,>=10.0um/dl,PM1.0_ATM_ug/m3,PM10_ATM_ug/m3`` [4]_.
    ``created_at`` is UTC (``2019-06-01 00:01:23 UTC``). **The header line ends with a
    comma** (an eleventh, empty name) while most rows have ten fields and some end with
    a comma too [5]_: the empty name is not a column, and rows with and without the
    trailing comma are both read (a row with a value in that place, or cut short, is
    dropped with a reason). The tool named files
    ``<name> (outside) (<lat> <lon>) Primary Real Time <mm_dd_yyyy> <mm_dd_yyyy>.csv``,
    with ``<name> B (undefined)`` for channel B. Channel B is recognised from the
    primary file's columns, and for secondary files from `` B (`` in the file name; a
    secondary file whose name does not say is taken as channel A (noted).
``download_tool_csv`` (read as ``api_history_csv``)
    Files of PurpleAir's Data Download Tool (2023 on), named ``<sensor_index> <start
    date> <end date> <N>-Minute Average.csv``: the API's history CSV, often without a
    ``sensor_index`` column. The sensor id is then the index in the file name, and the
    averaging period ``N`` (0 = real time) sets the time label and is noted.

Files assembled by people
-------------------------
Downloads appended one after another repeat the header line; a spreadsheet that then
sorts the rows moves the header (``time_stamp...`` sorts after the digits) to the last
line or to the middle; a refused request leaves an API error object above or between
the blocks. The header is therefore looked for on any line: on the first 64 KiB that
``detect`` is given, and on the last 64 KiB of the file when its first lines are all
data rows. Data rows above the header are read with it (noted), repeated header lines
and error lines are dropped with a reason, and each download's byte-order mark is
ignored. An archive that re-wrote the history as ``id,time_stamp,<fields>`` is read
with ``id`` as the ``sensor_index``.

CF=1 and ATM labels
-------------------
The Plantower counter reports PM twice, with its "CF=1" and its "ATM" factory
calibrations (ATM is the lower of the two above about 25-50 µg/m³). PurpleAir labelled
them the wrong way round until 2019-2020 [1]_: the same values always went to the same
ThingSpeak fields and SD-card columns, and only the **labels** were corrected, in the
download tool on 20 October 2019 and in the SD-card header from firmware 5.00. So the
swap depends on the labels a file carries, not on the dates of its rows:

* SD-card files whose header lists ``pm1_0_atm`` before ``pm1_0_cf_1`` (firmware < 5.0)
  are read swapped; the later header is read as written.
* Download-tool files with the old labels (primary ``field1`` labelled ATM, ``field8``
  CF=1; secondary ``field7``/``field8`` labelled CF=1) are read swapped; files with the
  corrected labels are read as written, whatever the dates of their rows. What the old
  tool's labels looked like exactly is not documented [M]: any header whose first PM
  label in a primary file says ``ATM`` (or in a secondary file ``CF1``) counts as old.
* API v1 field names are correct.

``cf_atm_swapped=True/False`` overrides the decision. After reading, if ATM is above
CF=1 in most readings over 50 µg/m³, a ledger note warns that the labels look swapped.

Units and time
--------------
PM in µg/m³, kept under the raw names ``pm1_cf1, pm25_cf1, pm10_cf1, pm1_atm, pm25_atm,
pm10_atm, pm25_alt`` (never plain ``pm25``: which calibration to use is an analysis
choice). Particle counts (``0.3_um_count``, ``p_0_3_um``, ``>=0.3um/dl``...) are per
decilitre: ``pc_gt03`` ... ``pc_gt10``. Temperature and dew point are in °F (converted
to °C); humidity in %; pressure in hPa; ``voc``/``gas``/``IAQ`` is the Bosch BME680 IAQ
index (``voc_iaq``). The temperature is the sensor's internal reading, about 8 °F
(4.4 °C) above ambient, and humidity about 4 % below ambient [3]_; both are kept as
measured. Fields ending ``_a``/``_b`` (API) or ``_b`` (SD card) are channel A/B; the
API's un-suffixed PM fields (the A/B average) have no channel.

All PurpleAir times are UTC (or carry their offset). Averaged API history rows are
labelled with the start of their averaging interval [M]; real-time rows and SD-card /
ThingSpeak rows mark the end of the sensor's ~2-minute reading [M].

References
----------
.. [1] PurpleAir, "PurpleAir CF=ATM vs CF=1" (personal communication, 8 May 2020),
   reproduced in MazamaScience/AirSensor ``documents/PurpleAir_CF=ATM_vs_CF=1.md``.
.. [2] PurpleAir community, "Loop API Calls for Historical Data" (API data is not
   sorted by time), https://community.purpleair.com/t/4623; API documentation,
   https://api.purpleair.com.
.. [3] PurpleAir, "Using PurpleAir data" (Google Doc, mirrored in enanale/airwatch
   ``lib/purpleair.md``): ThingSpeak fields, the SD-card headers, the label swap.
.. [4] Field lists of download-tool files as reproduced by third-party downloaders
   (e.g. ``get_column_headers`` in a 2020 University of Texas project; channel B's
   primary list in wawzat/purpleair-data-tools ``pasc.py``) [C].
.. [5] S. Lau, J. Gonzalez and D. Nolan, *Learning Data Science* (O'Reilly, 2023),
   §12.4: a real channel A primary file read by pandas gives 11 columns, the last
   ``Unnamed: 10`` (https://learningds.org/ch/12/pa_cleaning_purpleair.html).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._errors import DataFormatError, EmptyFileError, TimestampError, UnknownLayoutError
from .._time import ParsedTimes, parse_times
from ..sensordata import concat_readings, empty_readings
from . import _tidy
from ._common import new_record, parse_json, read_each, sensor_data
from ._io import check_text, decode

if TYPE_CHECKING:
    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "MISSING_VALUES",
    "SD_CARD_MAP",
    "SOURCE",
    "THINGSPEAK_MAP",
    "VARIABLE_MAP",
    "detect",
    "read_purpleair",
]

SOURCE = "PurpleAir"
_PREFIX = "purpleair"

#: API v1 field (without its ``_a``/``_b`` suffix) -> (canonical variable, unit in the file).
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "pm1.0_atm": ("pm1_atm", "µg/m³"),
    "pm2.5_atm": ("pm25_atm", "µg/m³"),
    "pm10.0_atm": ("pm10_atm", "µg/m³"),
    "pm1.0_cf_1": ("pm1_cf1", "µg/m³"),
    "pm2.5_cf_1": ("pm25_cf1", "µg/m³"),
    "pm10.0_cf_1": ("pm10_cf1", "µg/m³"),
    "pm2.5_alt": ("pm25_alt", "µg/m³"),
    "0.3_um_count": ("pc_gt03", "#/dL"),
    "0.5_um_count": ("pc_gt05", "#/dL"),
    "1.0_um_count": ("pc_gt1", "#/dL"),
    "2.5_um_count": ("pc_gt25", "#/dL"),
    "5.0_um_count": ("pc_gt5", "#/dL"),
    "10.0_um_count": ("pc_gt10", "#/dL"),
    "temperature": ("temperature", "°F"),
    "humidity": ("humidity", "%"),
    "pressure": ("pressure", "hPa"),
    "voc": ("voc_iaq", "index"),
}
#: SD-card column (without ``_b``) -> (variable, unit), with the labels taken as correct
#: (firmware 5.0 and later; older headers are swapped first, see the module docstring).
SD_CARD_MAP: dict[str, tuple[str, str]] = {
    "current_temp_f": ("temperature", "°F"),
    "current_humidity": ("humidity", "%"),
    "current_dewpoint_f": ("dewpoint", "°F"),
    "pressure": ("pressure", "hPa"),
    "gas": ("voc_iaq", "index"),
    "pm1_0_atm": ("pm1_atm", "µg/m³"),
    "pm2_5_atm": ("pm25_atm", "µg/m³"),
    "pm10_0_atm": ("pm10_atm", "µg/m³"),
    "pm1_0_cf_1": ("pm1_cf1", "µg/m³"),
    "pm2_5_cf_1": ("pm25_cf1", "µg/m³"),
    "pm10_0_cf_1": ("pm10_cf1", "µg/m³"),
    "p_0_3_um": ("pc_gt03", "#/dL"),
    "p_0_5_um": ("pc_gt05", "#/dL"),
    "p_1_0_um": ("pc_gt1", "#/dL"),
    "p_2_5_um": ("pc_gt25", "#/dL"),
    "p_5_0_um": ("pc_gt5", "#/dL"),
    "p_10_0_um": ("pc_gt10", "#/dL"),
}
#: Download-tool column label -> (variable, unit), labels taken as correct (after 20 Oct 2019).
THINGSPEAK_MAP: dict[str, tuple[str, str]] = {
    "PM1.0_CF1_ug/m3": ("pm1_cf1", "µg/m³"),
    "PM2.5_CF1_ug/m3": ("pm25_cf1", "µg/m³"),
    "PM10.0_CF1_ug/m3": ("pm10_cf1", "µg/m³"),
    "PM10_CF1_ug/m3": ("pm10_cf1", "µg/m³"),
    "PM1.0_ATM_ug/m3": ("pm1_atm", "µg/m³"),
    "PM2.5_ATM_ug/m3": ("pm25_atm", "µg/m³"),
    "PM10.0_ATM_ug/m3": ("pm10_atm", "µg/m³"),
    "PM10_ATM_ug/m3": ("pm10_atm", "µg/m³"),
    ">=0.3um/dl": ("pc_gt03", "#/dL"),
    ">=0.5um/dl": ("pc_gt05", "#/dL"),
    ">1.0um/dl": ("pc_gt1", "#/dL"),
    ">=1.0um/dl": ("pc_gt1", "#/dL"),
    ">=2.5um/dl": ("pc_gt25", "#/dL"),
    ">=5.0um/dl": ("pc_gt5", "#/dL"),
    ">=10.0um/dl": ("pc_gt10", "#/dL"),
    "Temperature_F": ("temperature", "°F"),
    "Humidity_%": ("humidity", "%"),
    "Pressure_hpa": ("pressure", "hPa"),
    "IAQ": ("voc_iaq", "index"),
}
#: Text meaning "no value": empty fields, JSON ``null``, R's ``NA``, ``nan``.
MISSING_VALUES = ("", "nan", "null", "none", "na", "n/a")

_STATUS = "device status, not a measurement"
_IGNORED = {
    "sensor_index": "sensor id (used for sensor_id)",
    "mac_address": "device MAC address (used for sensor_id)",
    "entry_id": "ThingSpeak entry counter",
    "rssi": f"{_STATUS}: WiFi signal [dBm]",
    "RSSI_dbm": f"{_STATUS}: WiFi signal [dBm]",
    "uptime": f"{_STATUS}: time since restart",
    "UptimeMinutes": f"{_STATUS}: minutes since restart",
    "pa_latency": f"{_STATUS}: upload latency [ms]",
    "memory": f"{_STATUS}: free memory",
    "mem": f"{_STATUS}: free memory",
    "Free_Mem": f"{_STATUS}: free memory",
    "adc": f"{_STATUS}: analog input voltage",
    "ADC": f"{_STATUS}: analog input voltage",
    "firmware_version": f"{_STATUS}: firmware version",
    "firmware_ver": f"{_STATUS}: firmware version",
    "hardware": f"{_STATUS}: detected hardware",
    "pm2.5_aqi_cf_1": "US AQI computed by the firmware; recompute it from PM2.5 instead",
    "pm2.5_aqi_atm": "US AQI computed by the firmware; recompute it from PM2.5 instead",
    "pm2.5": "PurpleAir's combined 'pm2.5' does not say which factory calibration "
    "(CF=1 or ATM) it holds [M]; request pm2.5_atm or pm2.5_cf_1",
    "scattering_coefficient": "optical quantity PurpleAir derives from the particle "
    "counts; no canonical variable",
    "deciviews": "optical quantity PurpleAir derives from the particle counts; no "
    "canonical variable",
    "visual_range": "optical quantity PurpleAir derives from the particle counts; no "
    "canonical variable",
}
_PM_FIELD = re.compile(r"^(pm(1\.0|2\.5|10\.0)_(atm|cf_1|alt)|\d+\.\d_um_count)(_[ab])?$")
_MET_NOTE = (
    "PurpleAir temperature is the sensor's internal reading, about 8 °F (4.4 °C) above "
    "ambient, and its humidity about 4 % below ambient (PurpleAir); both are kept as "
    "measured, without correction."
)
_SWAP_REF = "PurpleAir, 'PurpleAir CF=ATM vs CF=1', 2020"
_UTC_REASON = "PurpleAir writes times in UTC"
_TIME_LABEL_RAW = "end of the sensor's ~2-minute reading [M]"


# -- detection ------------------------------------------------------------------------
#: The first field of each CSV variant's header line.
_TIME_COLUMNS = {
    "api_history_csv": "time_stamp",
    "airsensor2_csv": "datetime",
    "sd_card_csv": "UTCDateTime",
    "thingspeak_csv": "created_at",
}
_TIME_VALUE = re.compile(r"^(\d{9,11}(\.\d+)?|\d{4}[-/]\d{1,2}[-/]\d{1,2}.*)$")
_JSON_LINE = re.compile(r'^("?[{}\[\]]|"[^"]*"\s*:)')
#: How much of a file's start (what ``detect`` is given) and of its end is searched for a
#: header line that sorting moved there.
_HEAD_BYTES = 65536
_TAIL_BYTES = 65536


def _first_line_fields(head: str) -> list[str]:
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0].rstrip("\r")
    return _split_fields(first)


def _header_variant(fields: list[str]) -> str | None:
    """Return the CSV variant whose header line ``fields`` is, if any."""
    if len(fields) < 2:
        return None
    names = set(fields)
    if fields[0] == "time_stamp" and (
        fields[1] == "sensor_index" or any(_PM_FIELD.match(f) for f in fields)
    ):
        return "api_history_csv"
    if fields[:2] == ["id", "time_stamp"] and any(_PM_FIELD.match(f) for f in fields):
        return "api_history_csv"  # the API's history re-written with the index first
    if fields[0] == "datetime" and any(_PM_FIELD.match(f) for f in fields):
        return "airsensor2_csv"
    if fields[0] == "UTCDateTime" and fields[1] == "mac_address":
        return "sd_card_csv"
    if fields[0] == "created_at" and (
        any(f in THINGSPEAK_MAP for f in fields) or "UptimeMinutes" in names
    ):
        return "thingspeak_csv"
    return None


def _is_json_line(line: str) -> bool:
    """Tell whether a line is part of a JSON object (an API error written into a CSV)."""
    return bool(_JSON_LINE.match(line.strip()))


def _find_header(lines: list[str]) -> str | None:
    """Find a header line below data rows or an API error message, as sorting leaves it.

    Every non-blank line before the header must be a data row (starting with a time)
    or part of a JSON object.

    Returns
    -------
    str or None
        The variant of the header found; ``""`` if a line that is neither data nor JSON
        comes first (the file is not ours); ``None`` if the lines hold no header.
    """
    for line in lines:
        if not line.strip() or _is_json_line(line):
            continue
        fields = _split_fields(line)
        variant = _header_variant(fields)
        if variant and sum(1 for f in fields if f) >= 3:
            return variant
        if len(fields) < 3 or not _TIME_VALUE.match(fields[0]):
            return ""
    return None


def _size(raw: RawFile) -> int:
    from pathlib import Path

    if raw.loaded or raw.path is None:
        return len(raw.data)
    return Path(raw.path).stat().st_size


def _tail(raw: RawFile, size: int = _TAIL_BYTES) -> list[str]:
    """Return the last whole lines of a file (its last ``size`` bytes, first line cut)."""
    from pathlib import Path

    if raw.loaded or raw.path is None:
        data = raw.data[-size:]
    else:
        with Path(raw.path).open("rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - size))
            data = handle.read()
    return data.decode("utf-8", errors="replace").splitlines()[1:]


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is one of ours.

    The header line of a CSV is looked for on the first line, then further down (below
    an API error message, or below data rows when a spreadsheet sorted the file or
    downloads were appended), and at the end of the file when its first lines are
    PurpleAir data rows.
    """
    text = head.lstrip("\ufeff").lstrip()
    fields = _first_line_fields(text)
    variant = _header_variant(fields)
    if variant:
        return variant
    names = set(fields)
    if {"sensor_index", "latitude", "longitude"} <= names and not names & {
        "time_stamp",
        "datetime",
        "created_at",
        "UTCDateTime",
    }:
        return "sensor_metadata"
    lines = text.splitlines()
    whole = _size(raw) <= _HEAD_BYTES
    complete = lines if whole else lines[:-1]  # the head's last line may be cut
    found = _find_header(complete)
    if found:
        return found
    if found is None and not whole and any(not _is_json_line(ln) for ln in complete):
        # Only data rows (and error messages) in the first 64 KiB: a sorted file whose
        # header line went to the end.
        found = _find_header(_tail(raw))
        if found:
            return found
    if text.startswith("{"):
        start = text[:4000]
        if '"api_version"' in start or ('"sensor_index"' in start and '"fields"' in start):
            return "api_history_json"
    return None


# -- public reader --------------------------------------------------------------------
def read_purpleair(
    path_or_buffer: PathOrBuffer,
    *,
    sensor_id: str | None = None,
    file_timezone: str | None = None,
    timezone: str | None = None,
    cf_atm_swapped: bool | None = None,
) -> SensorData:
    r"""Read PurpleAir files: API history (CSV/JSON), SD-card logs, ThingSpeak downloads.

    Parameters
    ----------
    path_or_buffer
        A file path or open file (``.csv``, ``.json``, ``.gz`` or a ``.zip`` of them).
        The variant is recognised from the content.
    sensor_id
        The sensor's id (for example its PurpleAir ``sensor_index``, ``"95189"``), used
        instead of what the file gives: the file name for AirSensor2 CSVs and download-tool
        files, the MAC address for SD-card files, ``sensor_index`` for API files. Give it
        to join files of one sensor (an SD card with its API history).
    file_timezone
        IANA zone of the file's clock, for timestamps without an offset: only to
        override the documented UTC.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.
    cf_atm_swapped
        Whether the file's CF=1 and ATM labels are swapped. ``None`` (default) decides
        from the labels (see the module docstring).

    Returns
    -------
    SensorData
        Readings in canonical variables and units (PM in µg/m³ under ``pm*_cf1`` /
        ``pm*_atm`` / ``pm25_alt``, counts in #/dL, temperature and dew point in °C,
        pressure in hPa), times in UTC and sorted, a ``channel`` (``A``/``B``) where the
        file gives one; sensor ids prefixed ``purpleair:``; one ledger record per file.

    Raises
    ------
    DataFormatError
        If a file is none of the variants, or is an API error message (the message
        gives the API's description and what to do).
    UnknownLayoutError
        For a download-tool file whose columns are not a known channel layout.

    Examples
    --------
    >>> import io
    >>> text = ("time_stamp,sensor_index,pm2.5_atm_a,temperature\n"
    ...         "1709280000,95189,5.5,77\n")
    >>> data = read_purpleair(io.BytesIO(text.encode()))
    >>> data.readings[["variable", "value", "unit"]].values.tolist()
    [['pm25_atm', 5.5, 'µg/m³'], ['temperature', 25.0, '°C']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_purpleair")
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(raw, sensor_id=sensor_id, timezone=timezone, swapped=cf_atm_swapped),
        what="purpleair",
    )


def _read_one(
    raw: RawFile, *, sensor_id: str | None, timezone: str | None, swapped: bool | None
) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    options = {"sensor_id": sensor_id, "timezone": timezone, "swapped": swapped}
    if variant in ("api_history_csv", "airsensor2_csv"):
        return _read_api_csv(raw, variant, **options)
    if variant == "api_history_json" or head.lstrip("\ufeff").lstrip().startswith("{"):
        # Any JSON object given to this reader: an API error object without
        # api_version still gets the API's description in the error message.
        return _read_json(raw, **options)
    if variant == "sd_card_csv":
        return _read_sd_card(raw, **options)
    if variant == "thingspeak_csv":
        return _read_thingspeak(raw, **options)
    if variant == "sensor_metadata":
        return _read_metadata_csv(raw)
    first = head.lstrip().split("\n", 1)[0][:200]
    raise DataFormatError(
        "This is not a PurpleAir file (API history CSV/JSON, SD-card CSV, download-tool "
        "CSV or sensor metadata).",
        file=raw.name,
        found=f"first line: {first!r}",
        fix="An API history CSV starts with 'time_stamp,sensor_index,'; an SD-card file "
        "with 'UTCDateTime,mac_address,'. For other files try toolkit.load(path), which "
        "recognises every supported format.",
    )


# -- shared pieces --------------------------------------------------------------------
@dataclass
class _Block:
    """The rows under one header line of a CSV (a new header starts a new block)."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


_ERROR_NAME = re.compile(r'"error"\s*:\s*"([^"]*)"')
_ERROR_TEXT = re.compile(r'"description"\s*:\s*"([^"]*)"')


def _split_fields(line: str) -> list[str]:
    line = line.replace("\ufeff", "")  # appended downloads keep each file's byte-order mark
    if '"' not in line:
        return [f.strip() for f in line.split(",")]
    try:
        return [f.strip() for f in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return [f.strip() for f in line.split(",")]


def _trim(fields: list[str], width: int) -> list[str]:
    """Drop empty fields beyond ``width`` (a trailing comma is not a column)."""
    if len(fields) > width and not any(fields[width:]):
        return fields[:width]
    return fields


def _json_chunk(lines: list[str], i: int) -> int:
    """Return the index after the JSON object starting at ``lines[i]``.

    The object ends where its braces balance, or at the first line that is not JSON
    (so that an object cut short does not swallow the CSV rows after it).
    """
    depth = lines[i].count("{") - lines[i].count("}")
    j = i + 1
    while depth > 0 and j < len(lines) and _is_json_line(lines[j]):
        depth += lines[j].count("{") - lines[j].count("}")
        j += 1
    return j


def _scan_csv(
    text: str,
    record: FileRecord,
    *,
    what: str,
    time_column: str,
    optional_last: str | None = None,
) -> tuple[list[_Block], list[str]]:
    """Split a CSV into header blocks, dropping header repeats and API error JSON.

    The header is the first line whose first field is ``time_column`` (or whose second,
    after an ``id`` column, as some archives re-write the API's history); it need not be
    the first line: data rows above it (a file sorted by a spreadsheet puts the header
    at the end, or in the middle of appended downloads) are read with it, and a note
    says so. A header line that ends with a comma has an empty last name; that empty
    column is not part of the layout, so rows with and without a trailing comma are
    both read. When the header's last name is ``optional_last``, rows one field short
    lack only that value (it is read as empty). Every non-blank line except that
    header is counted in ``record.rows_read``.

    Returns
    -------
    blocks : list of _Block
        The rows of each layout, in file order.
    errors : list of str
        ``"<error>: <description>"`` of each API error object found in the file.
    """
    lines = text.lstrip("\ufeff").splitlines()
    # SD-card loggers (OpenLog) pad what they write with Ctrl-Z (0x1A) characters; they
    # are never part of a value.
    padding = sum(1 for ln in lines if "\x1a" in ln)
    if padding:
        lines = [ln.replace("\x1a", "") for ln in lines]
        record.note(
            f"{padding} line(s) carry Ctrl-Z (0x1A) padding characters, as SD-card loggers "
            "write them; the characters were removed and the values read."
        )
    blocks: list[_Block] = []
    orphans: list[tuple[int, list[str]]] = []  # data rows above the first header
    errors: list[str] = []
    fragments: list[str] = []
    repeats: list[str] = []
    changed: list[str] = []
    trailing = False
    rows_read = 0
    header_line = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        if not line.strip():
            i += 1
            continue
        if _is_json_line(line):
            # An API error object, on one line or spread over several.
            end = _json_chunk(lines, i) if "{" in line else i + 1
            chunk = lines[i:end]
            i = end
            n = sum(1 for c in chunk if c.strip())
            rows_read += n
            body = "\n".join(chunk).replace('""', '"')  # quotes doubled by a spreadsheet
            name = _ERROR_NAME.search(body)
            if "{" not in line:
                fragments.append(f"line {number}: {line.strip()[:60]!r}")
                if name:
                    errors.append(f"{name.group(1)}: (a line of the message, out of place)")
                continue
            desc = _ERROR_TEXT.search(body)
            label = name.group(1) if name else "unreadable JSON"
            record.drop_rows(
                f"PurpleAir API error message written into the file ({label})",
                n,
                [f"line {number}: {chunk[0].strip()[:80]!r}"],
            )
            errors.append(f"{label}: {desc.group(1) if desc else body.strip()[:200]}")
            continue
        i += 1
        fields = _split_fields(line)
        if fields[0] == time_column or fields[:2] == ["id", time_column]:
            header = fields[:]
            while header and not header[-1]:
                header.pop()
            if not blocks:
                trailing = len(header) < len(fields)
                blocks.append(_Block(header))
                header_line = number
            elif header == blocks[-1].header:
                rows_read += 1
                repeats.append(f"line {number}")
            else:
                rows_read += 1
                changed.append(f"line {number}")
                blocks.append(_Block(header))
            continue
        rows_read += 1
        if blocks:
            blocks[-1].rows.append(fields)
            blocks[-1].lines.append(number)
        else:
            orphans.append((number, fields))
    if not blocks:
        first = next((ln.strip() for ln in lines if ln.strip()), "")
        raise DataFormatError(
            f"The file has no header line (a line starting with '{time_column},').",
            file=record.path,
            found=f"{rows_read} line(s); the first: {first[:120]!r}",
            fix="Check that this is the exported file, whole; if its header line was "
            "deleted, add it back as the first line.",
        )
    record.rows_read += rows_read
    if orphans:
        blocks[0].rows[:0] = [f for _, f in orphans]
        blocks[0].lines[:0] = [n for n, _ in orphans]
        record.note(
            f"The header line is line {header_line}, not the first line: the "
            f"{len(orphans)} data row(s) above it were read with it (a spreadsheet "
            "that sorted the file, or downloads appended one after another, move it)."
        )
    if fragments:
        record.drop_rows(
            "PurpleAir API error message written into the file (a line of it, out of place)",
            len(fragments),
            fragments,
        )
    if repeats:
        record.drop_rows(f"repeated header line ({what})", len(repeats), repeats)
    if changed:
        record.drop_rows(
            "header line of a new column layout (firmware changed)", len(changed), changed
        )
    if trailing:
        record.note(
            "The header line ends with a comma (an empty last column name, as PurpleAir's "
            "download tool writes it); that empty column is not part of the layout, so "
            "rows with and without a trailing comma were both read."
        )
    padded = 0
    for block in blocks:
        width = len(block.header)
        block.rows = [_trim(r, width) for r in block.rows]
        if optional_last is not None and block.header[-1] == optional_last:
            short = [k for k, r in enumerate(block.rows) if len(r) == width - 1]
            for k in short:
                block.rows[k] = [*block.rows[k], ""]
            padded += len(short)
        bad = [k for k, r in enumerate(block.rows) if len(r) != width]
        if bad:
            record.drop_rows(
                f"row does not have the header's {width} fields",
                len(bad),
                [f"line {block.lines[k]}: {len(block.rows[k])} fields" for k in bad[:3]],
            )
            keep = [k for k in range(len(block.rows)) if len(block.rows[k]) == width]
            block.rows = [block.rows[k] for k in keep]
            block.lines = [block.lines[k] for k in keep]
    if padded:
        record.note(
            f"{padded} row(s) have no field for the header's last column "
            f"{optional_last!r}: the firmware writes its name whatever the hardware, but a "
            "value only when the sensor has one; read as empty."
        )
    if errors:
        record.note(
            "The file contains a PurpleAir API error message ("
            + "; ".join(errors[:2])
            + "): the request was refused part way, so the file probably lacks data. "
            "Download the missing period again (more slowly if the error is a rate limit)."
        )
    return blocks, errors


_EPOCH = r"^\d{9,11}(\.\d+)?$"
_DATE_LIKE = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_OFFSET_END = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


def _parse_times(
    values: pd.Series, *, timezone: str | None, file: str, column: str
) -> tuple[ParsedTimes, pd.Series]:
    """Read PurpleAir's time forms (ISO with Z or an offset, Unix seconds, ``... UTC``).

    Text that is not a timestamp at all is reported as unreadable through the returned
    row reasons (so that one garbage value does not make a column of ``Z`` times look
    like a mix of zoned and unzoned values).
    """
    import numpy as np
    import pandas as pd

    text = values.reset_index(drop=True).astype("string").str.strip()
    text = text.str.replace(r"\s*UTC$", "Z", regex=True)
    missing = text.isna() | text.str.lower().isin(MISSING_VALUES)
    epoch = text.str.fullmatch(_EPOCH).fillna(False).astype(bool) & ~missing
    date_like = text.str.match(_DATE_LIKE).fillna(False).astype(bool) & ~missing
    garbage = ~missing & ~epoch & ~date_like
    reasons = pd.Series(np.full(len(text), None, dtype=object))
    reasons[garbage.to_numpy()] = "timestamp could not be read"
    if (~missing).any() and garbage[~missing].all():
        shown = ", ".join(repr(v) for v in text[garbage].head(3).tolist())
        raise TimestampError(
            f"Could not read the timestamps in column {column!r}.",
            file=file,
            found=f"{shown} ({int(garbage.sum())} value(s), none readable)",
            fix="PurpleAir files give times as ISO 8601 (2024-03-01T08:00:31Z) or Unix "
            "seconds; check that this column is the time column and the file is whole.",
        )
    clean = text.mask(garbage)
    if epoch.any():
        seconds = pd.to_numeric(clean[epoch], errors="coerce")
        stamps = pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
        zoned = clean[date_like].str.contains(_OFFSET_END).any() or not date_like.any()
        iso = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if zoned else "")
        clean = clean.astype(object)
        clean[epoch.to_numpy()] = iso.to_numpy()
        clean = pd.Series(clean, dtype="string")
    times = parse_times(
        clean,
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason=_UTC_REASON,
        file=file,
        column=column,
    )
    if epoch.any() and not date_like.any():
        times.timezone, times.reason = "UTC", "Unix time in seconds is UTC by definition"
    return times, reasons


def _subset(times: ParsedTimes, mask) -> ParsedTimes:
    import numpy as np

    index = np.flatnonzero(mask)
    return ParsedTimes(
        times.times.iloc[index].reset_index(drop=True),
        times.missing.iloc[index].reset_index(drop=True),
        times.unreadable.iloc[index].reset_index(drop=True),
        times.timezone,
        times.reason,
        times.offsets,
    )


_SWAP = {"pm1_cf1": "pm1_atm", "pm25_cf1": "pm25_atm", "pm10_cf1": "pm10_atm"}
_SWAP.update({v: k for k, v in _SWAP.items()})


def _swapped(variable: str) -> str:
    return _SWAP.get(variable, variable)


def _finish(readings: pd.DataFrame, times: ParsedTimes, record: FileRecord) -> pd.DataFrame:
    """Sort readings by time when the file was not, note duplicates and odd CF/ATM."""
    known = times.times.dropna()
    if len(known) > 1 and not known.is_monotonic_increasing:
        record.note(
            "The rows were not in time order (the PurpleAir API does not sort its "
            "history; SD-card clocks can jump at a restart); the readings were "
            "sorted by time."
        )
        readings = readings.sort_values("time", kind="stable", ignore_index=True)
    keys = ["sensor_id", "time", "variable"] + (["channel"] if "channel" in readings else [])
    dup = int(readings.duplicated(keys).sum())
    if dup:
        record.note(
            f"{dup} reading(s) share a sensor, channel, time and variable with "
            "another one; all were kept (the quality checks flag duplicates)."
        )
    _check_cf_atm(readings, record)
    if readings["variable"].isin(["temperature", "humidity"]).any():
        record.note(_MET_NOTE)
    return readings


def _check_cf_atm(readings: pd.DataFrame, record: FileRecord) -> None:
    """Note when ATM exceeds CF=1 at high concentrations (PurpleAir: ATM is the lower)."""
    keys = ["sensor_id", "time"] + (["channel"] if "channel" in readings else [])
    parts = []
    for name in ("pm25_cf1", "pm25_atm"):
        part = readings.loc[readings["variable"] == name, [*keys, "value"]]
        part = part.astype({k: str for k in keys if k != "time"})
        parts.append(part.drop_duplicates(keys).rename(columns={"value": name}))
    both = parts[0].merge(parts[1], on=keys)
    high = both[both[["pm25_cf1", "pm25_atm"]].max(axis=1) > 50]
    if len(high) >= 10:
        share = float((high["pm25_atm"] > high["pm25_cf1"]).mean())
        if share > 0.8:
            record.note(
                f"pm25_atm is above pm25_cf1 in {share:.0%} of the {len(high)} readings "
                "over 50 µg/m³, but ATM is always the lower of the two (PurpleAir): this "
                "file's CF=1 and ATM labels look swapped. If so, read it again with "
                "cf_atm_swapped=True (or False)."
            )


def _column_reason(name: str) -> str:
    base = re.sub(r"_[ab]$", "", name)
    if name in _IGNORED or base in _IGNORED:
        return _IGNORED.get(name) or _IGNORED[base]
    if re.match(r"^pm2\.5_\d+(minute|hour|day|week)$", name):
        return "running average computed by PurpleAir; the readings themselves are read"
    return "not a PurpleAir measurement field the toolkit reads"


def _id(value: str) -> str:
    return f"{_PREFIX}:{value}"


# -- API history CSV and AirSensor2 CSV -----------------------------------------------
def _api_column(name: str, swapped: bool) -> _tidy.Column | None:
    match = re.fullmatch(r"(.+?)(?:_([ab]))?", name)
    base, suffix = (match.group(1), match.group(2)) if match else (name, None)
    if base not in VARIABLE_MAP:
        base, suffix = name, None
    if base not in VARIABLE_MAP:
        return None
    variable, unit = VARIABLE_MAP[base]
    if swapped:
        variable = _swapped(variable)
    return _tidy.Column(name, variable, unit, suffix.upper() if suffix else None)


def _read_api_csv(
    raw: RawFile, variant: str, *, sensor_id: str | None, timezone: str | None, swapped: bool | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, f"purpleair/{variant}", encoding=encoding)
    blocks, errors = _scan_csv(
        text, record, what="written again by the download", time_column=_TIME_COLUMNS[variant]
    )
    for block in blocks:
        if block.header[:2] == ["id", "time_stamp"] and "sensor_index" not in block.header:
            block.header = ["sensor_index", *block.header[1:]]
            record.note(
                "The first column is named 'id' (an archive that re-wrote the API's "
                "history); it was read as the sensor_index."
            )
    time_col = "time_stamp" if variant == "api_history_csv" else "datetime"
    frames = [
        pd.DataFrame(b.rows, columns=b.header).assign(_layout=k)
        for k, b in enumerate(blocks)
        if b.rows
    ]
    if not frames:
        if errors:
            raise DataFormatError(
                "The file holds a PurpleAir API error message instead of data.",
                file=raw.name,
                found=errors[0],
                fix=_api_error_fix(errors[0].split(":", 1)[0]),
            )
        raise EmptyFileError(
            "The file has a header but no data rows.",
            file=raw.name,
            found=f"header: {','.join(blocks[0].header)[:200]}",
            fix="Request a period in which the sensor reported (the API returns only the "
            "header when there is no data).",
        )
    frame = pd.concat(frames, ignore_index=True)
    times, reasons = _parse_times(
        frame[time_col], timezone=timezone, file=raw.name, column=time_col
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    named = _download_name(raw.basename)
    record.time_label = _csv_time_label(times, record, named)
    swap = bool(swapped)
    if swapped:
        record.note("CF=1 and ATM were read swapped, as asked (cf_atm_swapped=True).")
    ids = _api_ids(frame, raw, record, sensor_id, variant, named)
    parts = []
    for k, block in enumerate(blocks):
        mask = (frame["_layout"] == k).to_numpy()
        if not mask.any():
            continue
        columns = []
        for name in block.header:
            if name == time_col:
                continue
            column = _api_column(name, swap)
            if column is None:
                record.ignore_column(name, _column_reason(name))
            else:
                columns.append(column)
        sub = frame.loc[mask].reset_index(drop=True)
        parts.append(
            _tidy.build_readings(
                sub,
                times=_subset(times, mask),
                sensor_ids=ids[mask].reset_index(drop=True),
                columns=columns,
                record=record,
                missing_text=MISSING_VALUES,
                row_reasons=reasons[mask].reset_index(drop=True),
                time_text=sub[time_col].astype("string"),
            )
        )
    if len(blocks) > 1:
        record.note(
            "The header line appears more than once (files joined together); "
            "each part was read with its own header."
        )
    readings = _finish(concat_readings(parts), times, record)
    sensors = [
        {
            "sensor_id": sid,
            "name": f"PurpleAir {sid.split(':', 1)[1]}",
            "source": SOURCE,
            "latitude": None,
            "longitude": None,
            "model": None,
            "location_type": None,
            "timezone": None,
        }
        for sid in pd.unique(ids)
    ]
    record.note(
        "API history files carry no coordinates; read the sensor's metadata "
        "(AirSensor2 meta CSV or the API's sensor data) to add them."
    )
    return sensor_data(readings, sensors, record)


#: File names of PurpleAir's Data Download Tool (2023-): "<sensor_index> <start date>
#: <end date> <average>-Minute Average.csv", perhaps with a browser's " (1)".
_DOWNLOAD_TOOL_NAME = re.compile(
    r"^(?P<index>\d+) (?P<start>\d{4}-\d{2}-\d{2}) (?P<end>\d{4}-\d{2}-\d{2}) "
    r"(?P<minutes>\d+)-Minute Average(?: ?\(\d+\))?$",
    re.IGNORECASE,
)


@dataclass
class _DownloadName:
    """What a Data Download Tool file name says."""

    index: str
    start: str
    end: str
    minutes: int


def _download_name(basename: str) -> _DownloadName | None:
    match = _DOWNLOAD_TOOL_NAME.match(basename.rsplit(".", 1)[0].strip())
    if not match:
        return None
    return _DownloadName(
        match.group("index"), match.group("start"), match.group("end"), int(match.group("minutes"))
    )


def _csv_time_label(
    times: ParsedTimes, record: FileRecord, named: _DownloadName | None = None
) -> str:
    """Judge the time label from the file name's average, else from the rows' spacing."""
    import pandas as pd

    known = times.times.dropna().drop_duplicates().sort_values()
    step = known.diff().median() if len(known) >= 3 else None
    if named is not None:
        kind = (
            "real time, the sensor's ~2-minute readings"
            if named.minutes == 0
            else f"{named.minutes}-minute averages computed by PurpleAir, not single readings"
        )
        record.note(
            f"File name of PurpleAir's Data Download Tool: sensor {named.index}, "
            f"{named.start} to {named.end}. Averaging period: {kind} (from the file name)."
        )
        if step is not None and named.minutes and step < pd.Timedelta(minutes=named.minutes):
            record.note(
                f"The rows are a median of {step / pd.Timedelta(minutes=1):g} minutes "
                f"apart, closer than the {named.minutes} minutes the file name says."
            )
        if named.minutes == 0:
            return _TIME_LABEL_RAW
        return f"start of the {named.minutes}-minute averaging interval [M]"
    if step is None:
        return (
            "start of the averaging interval for averaged history, end of the "
            "~2-minute reading for real-time history [M]"
        )
    minutes = step / pd.Timedelta(minutes=1)
    record.note(
        f"The CSV does not state its averaging period; its rows are a median of "
        f"{minutes:g} minutes apart."
    )
    if step <= pd.Timedelta(minutes=3):
        return _TIME_LABEL_RAW
    return "start of the averaging interval [M]"


def _api_ids(
    frame: pd.DataFrame,
    raw: RawFile,
    record: FileRecord,
    sensor_id: str | None,
    variant: str,
    named: _DownloadName | None = None,
) -> pd.Series:
    import pandas as pd

    stem = named.index if named is not None else raw.basename.rsplit(".", 1)[0]
    if sensor_id is not None:
        if "sensor_index" in frame:
            given = set(frame["sensor_index"].astype(str).str.strip()) - {"", "nan"}
            if given and given != {str(sensor_id)}:
                record.note(
                    f"sensor_id={sensor_id!r} was used instead of the file's "
                    f"sensor_index {sorted(given)[:3]}."
                )
        return pd.Series([_id(str(sensor_id))] * len(frame))
    if "sensor_index" in frame:
        index = frame["sensor_index"].astype("string").str.strip()
        index = index.mask(index.isna() | (index == ""), stem)
        return (_PREFIX + ":" + index).astype(str)
    if named is not None:
        record.note(
            f"The file has no sensor_index column; the sensor id {_id(stem)!r} was taken "
            "from the Data Download Tool's file name."
        )
        return pd.Series([_id(stem)] * len(frame))
    record.note(
        f"The file has no sensor_index column ({variant}); the sensor id was taken from "
        f"the file name: {_id(stem)!r}. Give sensor_id='<sensor_index>' to use the "
        "PurpleAir id (and join the data to its metadata)."
    )
    return pd.Series([_id(stem)] * len(frame))


# -- API history JSON -----------------------------------------------------------------
def _api_error_fix(error: str) -> str:
    lower = error.lower()
    if "ratelimit" in lower:
        return (
            "Wait a minute and request again, with fewer requests in a row (the "
            "PurpleAir API limits how fast a key may ask)."
        )
    if "apikey" in lower or "key" in lower:
        return (
            "Check the API key sent in the X-API-Key header: it must be a READ key "
            "from develop.purpleair.com, with points left."
        )
    if "notfound" in lower:
        return "Check the sensor_index in the request URL (see the PurpleAir map)."
    return "Correct the request as the API's description says, then download the data again."


def _read_json(
    raw: RawFile, *, sensor_id: str | None, timezone: str | None, swapped: bool | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "purpleair/api_history_json", encoding=encoding)
    payload = parse_json(text, record=record, what="PurpleAir")
    if not isinstance(payload, dict):
        raise DataFormatError(
            "The PurpleAir JSON is not an object.",
            file=raw.name,
            found=f"a {type(payload).__name__}",
            fix="Save the API's response as it came.",
        )
    if "error" in payload:
        error = str(payload.get("error"))
        raise DataFormatError(
            f"The PurpleAir API returned an error instead of data: {error}.",
            file=raw.name,
            found=str(payload.get("description") or "no description"),
            fix=_api_error_fix(error),
        )
    fields = payload.get("fields")
    data = payload.get("data")
    if not isinstance(fields, list) or not isinstance(data, list):
        raise DataFormatError(
            "The PurpleAir JSON has no 'fields' and 'data' lists.",
            file=raw.name,
            found=f"keys: {sorted(payload)[:12]}",
            fix="Request /v1/sensors/{index}/history (or /v1/sensors for a sensor list).",
        )
    fields = [str(f) for f in fields]
    if "time_stamp" not in fields:
        if "sensor_index" in fields:
            return _read_sensor_list(raw, record, fields, data)
        raise DataFormatError(
            "The PurpleAir JSON's fields have no 'time_stamp'.",
            file=raw.name,
            found=f"fields: {fields[:12]}",
            fix="Request the history endpoint, /v1/sensors/{index}/history.",
        )
    record.rows_read = len(data)
    good = [r for r in data if isinstance(r, list) and len(r) == len(fields)]
    if len(good) < len(data):
        bad = [str(r)[:60] for r in data if not (isinstance(r, list) and len(r) == len(fields))]
        record.drop_rows(
            f"row does not have the {len(fields)} values of 'fields'", len(bad), bad[:3]
        )
    if not good:
        raise EmptyFileError(
            "The PurpleAir history holds no data rows.",
            file=raw.name,
            found=f"{len(data)} row(s), fields {fields[:8]}",
            fix="Request a period in which the sensor reported.",
        )
    frame = pd.DataFrame(good, columns=fields, dtype=object)
    times, reasons = _parse_times(
        frame["time_stamp"], timezone=timezone, file=raw.name, column="time_stamp"
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    average = payload.get("average")
    if average in (0, "0"):
        record.time_label = _TIME_LABEL_RAW
        record.note("Averaging period: real time (average=0, the sensor's ~2-minute readings).")
    else:
        record.time_label = "start of the averaging interval [M]"
        record.note(f"Averaging period: {average} minutes (the request's 'average').")
    if swapped:
        record.note("CF=1 and ATM were read swapped, as asked (cf_atm_swapped=True).")
    columns = []
    for name in fields:
        if name == "time_stamp":
            continue
        column = _api_column(name, bool(swapped))
        if column is None:
            record.ignore_column(name, _column_reason(name))
        else:
            columns.append(column)
    index = payload.get("sensor_index")
    sid = _id(
        str(
            sensor_id
            if sensor_id is not None
            else index
            if index is not None
            else raw.basename.rsplit(".", 1)[0]
        )
    )
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=sid,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        row_reasons=reasons,
        time_text=frame["time_stamp"].astype("string"),
    )
    readings = _finish(readings, times, record)
    sensors = [
        {
            "sensor_id": sid,
            "name": f"PurpleAir {sid.split(':', 1)[1]}",
            "source": SOURCE,
            "latitude": None,
            "longitude": None,
            "model": None,
            "location_type": None,
            "timezone": None,
        }
    ]
    return sensor_data(readings, sensors, record)


# -- sensor metadata ------------------------------------------------------------------
_LOCATION = {"outside": "outdoor", "0": "outdoor", "inside": "indoor", "1": "indoor"}


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING_VALUES else text


def _sensor_rows(rows: list[dict[str, object]], record: FileRecord) -> list[dict]:
    """Turn metadata rows into sensors-table rows, dropping rows without an id."""
    import zoneinfo

    import pandas as pd

    out: dict[str, dict] = {}
    no_id: list[str] = []
    repeated: list[str] = []
    for number, row in enumerate(rows, start=2):
        index = _clean(row.get("sensor_index"))
        if index is None:
            device = _clean(row.get("deviceID"))
            index = device.split(".", 1)[1] if device and device.startswith("pa.") else None
        if index is None:
            no_id.append(f"row {number}")
            continue
        sid = _id(index.removesuffix(".0"))
        if sid in out:
            repeated.append(f"row {number}: {sid}")
        zone = _clean(row.get("timezone"))
        if zone is not None:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                record.note(f"{sid}: time zone {zone!r} is not an IANA name; left empty.")
                zone = None
        location = _clean(row.get("location_type"))
        out[sid] = {
            "sensor_id": sid,
            "name": _clean(row.get("name"))
            or _clean(row.get("locationName"))
            or f"PurpleAir {sid.split(':', 1)[1]}",
            "source": SOURCE,
            "latitude": pd.to_numeric(_clean(row.get("latitude")), errors="coerce"),
            "longitude": pd.to_numeric(_clean(row.get("longitude")), errors="coerce"),
            "model": _clean(row.get("model")),
            "location_type": _LOCATION.get((location or "").lower()),
            "timezone": zone,
            "hardware": _clean(row.get("hardware")),
            "firmware_version": _clean(row.get("firmware_version")),
            "location_name": _clean(row.get("locationName")),
            "elevation_m": pd.to_numeric(_clean(row.get("elevation")), errors="coerce"),
            "country_code": _clean(row.get("countryCode")),
            "date_created": _clean(row.get("date_created")),
            "privacy": _clean(row.get("privacy")),
        }
    if no_id:
        record.drop_rows("no sensor_index (nor a 'pa.<index>' deviceID)", len(no_id), no_id)
    if repeated:
        record.drop_rows(
            "repeats a sensor listed earlier (the last row is kept)", len(repeated), repeated
        )
    record.rows_kept = len(out)
    return list(out.values())


def _read_metadata_csv(raw: RawFile) -> SensorData:
    text, encoding = decode(raw)
    record = new_record(raw, "purpleair/sensor_metadata", encoding=encoding)
    reader = csv.DictReader(line for line in text.lstrip("\ufeff").splitlines() if line.strip())
    rows = list(reader)
    if not rows:
        raise EmptyFileError(
            "The metadata file lists no sensors.",
            file=raw.name,
            found=f"header: {','.join(reader.fieldnames or [])[:200]}",
            fix="Check that this is the sensor metadata export.",
        )
    record.rows_read = len(rows)
    sensors = _sensor_rows(rows, record)
    record.note(
        "Sensor metadata only: no readings. Load it together with the sensors' "
        "data files to give them coordinates, location type and time zone."
    )
    return sensor_data(empty_readings(), sensors, record)


def _read_sensor_list(
    raw: RawFile, record: FileRecord, fields: list[str], data: list
) -> SensorData:
    record.format = "purpleair/sensor_list_json"
    record.rows_read = len(data)
    rows = [dict(zip(fields, r, strict=False)) for r in data if isinstance(r, list)]
    if len(rows) < len(data):
        record.drop_rows("not a list of values", len(data) - len(rows))
    sensors = _sensor_rows(rows, record)
    record.note("Sensor list only: no readings.")
    return sensor_data(empty_readings(), sensors, record)


# -- SD card --------------------------------------------------------------------------
def _sd_columns(header: list[str], swap: bool) -> list[_tidy.Column]:
    columns = []
    for name in header:
        base, channel = (name[:-2], "B") if name.endswith("_b") else (name, "A")
        if base not in SD_CARD_MAP:
            continue
        variable, unit = SD_CARD_MAP[base]
        if swap:
            variable = _swapped(variable)
        is_pm = variable.startswith(("pm", "pc_"))
        columns.append(_tidy.Column(name, variable, unit, channel if is_pm else None))
    return columns


def _old_sd_header(header: list[str]) -> bool:
    """Firmware before 5.0 lists ``pm1_0_atm`` before ``pm1_0_cf_1`` (labels swapped)."""
    if "pm1_0_atm" in header and "pm1_0_cf_1" in header:
        return header.index("pm1_0_atm") < header.index("pm1_0_cf_1")
    return False


def _mac(value: object) -> str:
    text = str(value).strip().lower()
    parts = text.split(":")
    if len(parts) == 6 and all(re.fullmatch(r"[0-9a-f]{1,2}", p) for p in parts):
        return ":".join(p.zfill(2) for p in parts)
    return text


def _read_sd_card(
    raw: RawFile, *, sensor_id: str | None, timezone: str | None, swapped: bool | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "purpleair/sd_card_csv", encoding=encoding)
    blocks, _ = _scan_csv(
        text,
        record,
        what="the SD logger writes one at every restart",
        time_column="UTCDateTime",
        optional_last="gas",  # the BME680's value, written only by sensors that have one
    )
    frames = [
        pd.DataFrame(b.rows, columns=b.header).assign(_layout=k)
        for k, b in enumerate(blocks)
        if b.rows
    ]
    if not frames:
        raise EmptyFileError(
            "The SD-card file has header lines but no data rows.",
            file=raw.name,
            found=f"header: {','.join(blocks[0].header)[:200]}",
            fix="The sensor logged nothing (check the SD card and the sensor's clock).",
        )
    frame = pd.concat(frames, ignore_index=True)
    times, reasons = _parse_times(
        frame["UTCDateTime"], timezone=timezone, file=raw.name, column="UTCDateTime"
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL_RAW
    if sensor_id is not None:
        ids = pd.Series([_id(str(sensor_id))] * len(frame))
    else:
        macs = frame["mac_address"].map(_mac)
        ids = (_PREFIX + ":" + macs.mask(macs == "", raw.basename)).astype(str)
        if frame["mac_address"].str.strip().ne(macs).any():
            record.note(
                "MAC addresses were written without zero padding "
                f"({frame['mac_address'].iloc[0]!r}); they were padded "
                f"({macs.iloc[0]!r}) for the sensor id."
            )
    parts = []
    for k, block in enumerate(blocks):
        mask = (frame["_layout"] == k).to_numpy()
        if not mask.any():
            continue
        old = _old_sd_header(block.header)
        swap = old if swapped is None else swapped
        if swapped is not None:
            record.note(
                f"CF=1 and ATM were read {'swapped' if swap else 'as labelled'}, "
                f"as asked (cf_atm_swapped={swapped})."
            )
        elif old:
            record.note(
                "SD-card header of firmware before 5.0: its pm*_atm columns hold CF=1 "
                "values and its pm*_cf_1 columns ATM values (the firmware corrected only "
                f"the header in V5.00; {_SWAP_REF}); they were read swapped, for both "
                "channels."
            )
        else:
            record.note(
                "SD-card header of firmware 5.0 or later: CF=1 and ATM labels "
                f"are correct and were read as written ({_SWAP_REF})."
            )
        columns = _sd_columns(block.header, swap)
        used = {c.raw for c in columns}
        for name in block.header:
            if name not in used and name != "UTCDateTime":
                record.ignore_column(name, _column_reason(name))
        sub = frame.loc[mask].reset_index(drop=True)
        parts.append(
            _tidy.build_readings(
                sub,
                times=_subset(times, mask),
                sensor_ids=ids[mask].reset_index(drop=True),
                columns=columns,
                record=record,
                missing_text=MISSING_VALUES,
                row_reasons=reasons[mask].reset_index(drop=True),
                time_text=sub["UTCDateTime"].astype("string"),
            )
        )
    if len(blocks) > 1:
        record.note(
            f"The column layout changed {len(blocks) - 1} time(s) inside the file "
            "(a firmware update); each part was read with its own header."
        )
    readings = _finish(concat_readings(parts), times, record)
    sensors = []
    for sid, group in frame.assign(_id=ids.to_numpy()).groupby("_id", sort=False):
        last = group.iloc[-1]
        sensors.append(
            {
                "sensor_id": sid,
                "name": f"PA-II-SD {sid.split(':', 1)[1]}",
                "source": SOURCE,
                "latitude": None,
                "longitude": None,
                "model": "PA-II-SD",
                "location_type": None,
                "timezone": None,
                "mac_address": _mac(last["mac_address"]),
                "firmware_version": str(last.get("firmware_ver", "")),
                "hardware": str(last.get("hardware", "")),
            }
        )
    record.note(
        "SD-card files carry no coordinates; add them to data.sensors (or load "
        "the sensor's metadata with sensor_id= set to its sensor_index)."
    )
    return sensor_data(readings, sensors, record)


# -- ThingSpeak download-tool CSV -----------------------------------------------------
_TOOL_NAME = re.compile(
    r"^(?P<name>.+?) \((?P<location>[^()]*)\) \((?P<lat>-?[\d.]+) (?P<lon>-?[\d.]+)\) "
    r"(?P<kind>Primary|Secondary)\b"
)


@dataclass
class _ToolName:
    """What the download tool's file name says."""

    name: str | None = None
    channel: str | None = None
    location_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def _tool_name(basename: str) -> _ToolName:
    match = _TOOL_NAME.match(basename)
    if not match:
        return _ToolName()
    name = match.group("name")
    channel = "A"
    if name.endswith(" B"):
        name, channel = name[:-2], "B"
    location = match.group("location").lower()
    return _ToolName(
        name, channel, _LOCATION.get(location), float(match.group("lat")), float(match.group("lon"))
    )


def _read_thingspeak(
    raw: RawFile, *, sensor_id: str | None, timezone: str | None, swapped: bool | None
) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "purpleair/thingspeak_csv", encoding=encoding)
    blocks, _ = _scan_csv(text, record, what="files joined together", time_column="created_at")
    header = blocks[0].header
    pm_labels = [h for h in header if h in THINGSPEAK_MAP and h.startswith("PM")]
    secondary = any("um/dl" in h for h in header)
    primary = any(h.startswith(("PM1.0_", "PM2.5_")) for h in header) and not secondary
    if not (primary or secondary) or not pm_labels or len(blocks) > 1:
        raise UnknownLayoutError(
            "The download-tool file's columns are not a known PurpleAir channel layout.",
            file=raw.name,
            found=f"header: {','.join(header)[:200]}"
            + (f"; {len(blocks)} different headers" if len(blocks) > 1 else ""),
            fix="Expected a primary channel (PM1.0_CF1_ug/m3, ..., PM2.5_ATM_ug/m3) or a "
            "secondary one (>=0.3um/dl, ..., PM10_ATM_ug/m3). Read other layouts with "
            "toolkit.readers.read_csv_mapped and an explicit column mapping.",
        )
    # The first PM label of a primary file is field1 (CF=1 since the fix); of a
    # secondary file field7 (ATM since the fix). The old labels said the opposite.
    old = ("ATM" in pm_labels[0]) if primary else ("CF1" in pm_labels[0])
    swap = old if swapped is None else swapped
    if swapped is not None:
        record.note(
            f"CF=1 and ATM were read {'swapped' if swap else 'as labelled'}, as "
            f"asked (cf_atm_swapped={swapped})."
        )
    elif old:
        record.note(
            "The column labels are those of PurpleAir's download tool before 20 October "
            "2019, which had CF=1 and ATM swapped; the values were read with the corrected "
            f"labels ({_SWAP_REF}). The fix was to the labels only, so this depends on when "
            "the file was downloaded, not on the dates of its rows."
        )
    else:
        record.note(
            "The column labels are the corrected ones (download tool from 20 October 2019 "
            "on) and were read as written, also for rows before that date: the ThingSpeak "
            f"fields never changed, only their labels ({_SWAP_REF})."
        )
    named = _tool_name(raw.basename)
    by_content = "B" if {"Pressure_hpa", "IAQ"} & set(header) else "A"
    if primary:
        channel = by_content
        if named.channel and named.channel != channel:
            record.note(
                f"The file name says channel {named.channel} but the columns are "
                f"those of channel {channel}'s primary data; read as {channel}."
            )
    elif named.channel:
        channel = named.channel
    else:
        channel = "A"
        record.note(
            "A secondary-channel file whose name does not say A or B (the tool "
            "adds ' B' to the sensor name for channel B): taken as channel A."
        )
    kind = "primary" if primary else "secondary"
    record.note(f"Download-tool file: channel {channel} {kind} data.")
    if sensor_id is not None:
        device = str(sensor_id)
    elif named.name:
        device = named.name
    else:
        device = raw.basename.rsplit(".", 1)[0]
        record.note(
            f"The file name is not the download tool's ('<name> (outside) (lat "
            f"lon) Primary ...'); the sensor id was taken from it: {_id(device)!r}."
        )
    sid = _id(device)
    frame = pd.DataFrame(blocks[0].rows, columns=header) if blocks[0].rows else None
    if frame is None or frame.empty:
        raise EmptyFileError(
            "The file has a header but no data rows.",
            file=raw.name,
            found=f"header: {','.join(header)[:200]}",
            fix="Choose dates on which the sensor reported.",
        )
    if "created_at" not in frame:
        raise DataFormatError(
            "The download-tool file has no 'created_at' column.",
            file=raw.name,
            found=f"header: {','.join(header)[:200]}",
            fix="Check that the file is whole.",
        )
    times, reasons = _parse_times(
        frame["created_at"], timezone=timezone, file=raw.name, column="created_at"
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL_RAW + (
        "; averaged downloads are ThingSpeak averages" if "average" in raw.basename else ""
    )
    columns = []
    for name in header:
        if name == "created_at":
            continue
        if name not in THINGSPEAK_MAP:
            record.ignore_column(name, _column_reason(name))
            continue
        variable, unit = THINGSPEAK_MAP[name]
        if swap:
            variable = _swapped(variable)
        is_pm = variable.startswith(("pm", "pc_"))
        columns.append(_tidy.Column(name, variable, unit, channel if is_pm else None))
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=sid,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        row_reasons=reasons,
        time_text=frame["created_at"].astype("string"),
    )
    readings = _finish(readings, times, record)
    sensors = [
        {
            "sensor_id": sid,
            "name": named.name or device,
            "source": SOURCE,
            "latitude": named.latitude,
            "longitude": named.longitude,
            "model": None,
            "location_type": named.location_type,
            "timezone": None,
        }
    ]
    return sensor_data(readings, sensors, record)
