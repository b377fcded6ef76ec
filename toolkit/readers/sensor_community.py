"""Sensor.Community (formerly luftdaten.info): archive CSVs, madavi.de CSVs and the JSON API.

Formats
-------
``archive_csv``
    The daily files of ``archive.sensor.community`` (``YYYY-MM-DD_<type>_sensor_<id>.csv``),
    also as ``.csv.gz`` and inside the monthly zips. ``;``-separated, header
    ``sensor_id;sensor_type;location;lat;lon;timestamp;`` then columns that depend on the
    sensor type (SDS011, PMS*003, HPM, SPS30, PPD42NS, DHT22, HTU21D, SHT*, DS18B20,
    BMP180/280, BME280, and the DNMS noise sensor's ``noise_*`` columns). The SPS30 and
    DNMS column lists come from third-party parsers, not from the writer's code [C].
``madavi_csv``
    The per-device daily files of madavi.de (``data-esp8266-<chip>-YYYY-MM-DD.csv``), one
    column per instrument value. Newer firmware writes 22 fields per row under a 20-column
    header (two ``PMS_*`` fields were added after ``SDS_P2``); the reader recognises the
    layout, checks it against the values and says so in the ledger.
``json_api``
    ``data.sensor.community/static/v1/data.json`` and relatives: an array of records in
    which every number is a string.

Units and time
--------------
``P1`` is PM10, ``P2`` PM2.5, ``P0`` PM1 and ``P4`` PM4, in µg/m³, except for the
PPD42NS, whose ``P1``/``P2`` are particle counts per 0.01 ft³ (kept as ``ppd42ns_p1``,
``ppd42ns_p2``). Pressure is written in Pa and converted to hPa. Timestamps carry no
offset and are UTC (confirmed by the maintainers, feinstaub-api issue #25); files from
2015-2016 carry microseconds and ``+00:00``. Each value is the average over the
firmware's send interval (about 145 s) ending at the timestamp.

Quirks handled
--------------
* Archive: rows whose values are all empty are dropped with a reason; an empty row
  repeating the timestamp of a row with values (seen in real 2017 files) is named as
  such. The texts ``nan``, ``unavailable`` and ``%.1f`` are missing-value codes. Rows
  with the wrong number of fields are dropped with a reason. ``lat``/``lon`` may be
  empty (position unknown). A sensor may move between location ids within one file
  (noted; the sensors table gives the last). The writer quotes nothing, so ``"`` is an
  ordinary character. Bytes that are not UTF-8 are read as Latin-1 (noted).
* madavi.de: the 20-column header over 22-field rows (see above); the zone is not
  documented [M] and UTC is assumed (override with ``file_timezone=``).
* JSON: every number is a string and ``altitude`` may be ``""``; the JSON says
  ``pressure_at_sealevel`` where the CSV says ``pressure_sealevel``; records of different
  sensor types carry different value types, and each record is counted only against
  its own; device status value types (``samples``, ``signal``...) are recorded as not
  read; ``indoor=1`` gives ``location_type="indoor"``.

References
----------
.. [1] opendata-stuttgart/feinstaub-api, ``export_as_csv.py`` (the archive's writer).
.. [2] Sensor.Community wiki, "EN-APIs".
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from .._errors import DataFormatError, EmptyFileError, UnknownLayoutError
from .._time import ParsedTimes, parse_times
from ..sensordata import concat_readings
from . import _tidy
from ._common import (
    new_record,
    parse_json,
    read_each,
    require_columns,
    sensor_data,
    split_table,
)
from ._io import check_text, decode, parser_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "ARCHIVE_COLUMNS",
    "MADAVI_LAYOUTS",
    "MISSING_VALUES",
    "SOURCE",
    "VARIABLE_MAP",
    "detect",
    "read_sensor_community",
]

SOURCE = "Sensor.Community"
_PREFIX = "sensorcommunity"

#: Column (or JSON ``value_type``) -> (canonical variable, unit in the file).
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "P0": ("pm1", "µg/m³"),
    "P1": ("pm10", "µg/m³"),
    "P2": ("pm25", "µg/m³"),
    "P4": ("pm4", "µg/m³"),
    "N05": ("pn05", "#/cm³"),
    "N1": ("pn1", "#/cm³"),
    "N25": ("pn25", "#/cm³"),
    "N4": ("pn4", "#/cm³"),
    "N10": ("pn10", "#/cm³"),
    "TS": ("particle_size", "µm"),
    "temperature": ("temperature", "°C"),
    "humidity": ("humidity", "%"),
    "pressure": ("pressure", "Pa"),
    "pressure_sealevel": ("pressure_sealevel", "Pa"),
    "pressure_at_sealevel": ("pressure_sealevel", "Pa"),
    "altitude": ("altitude", "m"),
    "noise_LAeq": ("laeq", "dB(A)"),
    "noise_LA_min": ("la_min", "dB(A)"),
    "noise_LA_max": ("la_max", "dB(A)"),
    "noise_LA01": ("la01", "dB(A)"),
    "noise_LA95": ("la95", "dB(A)"),
}
#: The PPD42NS reports particle counts, not masses, under the same column names.
PPD42NS_MAP: dict[str, tuple[str, str]] = {
    "P1": ("ppd42ns_p1", "#/0.01 ft³"),
    "P2": ("ppd42ns_p2", "#/0.01 ft³"),
}
_READ = frozenset(VARIABLE_MAP) | frozenset(PPD42NS_MAP)
#: Columns that are read but are not measurements, and why they are not.
_IGNORED = {
    "durP1": "PPD42NS pulse duration, a raw signal (empty for other sensors)",
    "ratioP1": "PPD42NS pulse ratio, a raw signal (empty for other sensors)",
    "durP2": "PPD42NS pulse duration, a raw signal (empty for other sensors)",
    "ratioP2": "PPD42NS pulse ratio, a raw signal (empty for other sensors)",
    "Samples": "device status: measurement loop count",
    "Min_cycle": "device status: shortest loop time [ms]",
    "Max_cycle": "device status: longest loop time [ms]",
    "Signal": "device status: WiFi signal strength [dBm]",
    "samples": "device status: measurement loop count",
    "min_micro": "device status: shortest loop time [µs]",
    "max_micro": "device status: longest loop time [µs]",
    "signal": "device status: WiFi signal strength [dBm]",
    "interval": "device status: send interval [ms]",
}
#: Text and numbers that mean "no value" in Sensor.Community files.
MISSING_VALUES = ("", "nan", "unavailable", "%.1f", "null")

#: The fixed leading columns of an archive CSV.
ARCHIVE_COLUMNS = ("sensor_id", "sensor_type", "location", "lat", "lon", "timestamp")

_MADAVI_20 = (
    "Time",
    "durP1",
    "ratioP1",
    "P1",
    "durP2",
    "ratioP2",
    "P2",
    "SDS_P1",
    "SDS_P2",
    "Temp",
    "Humidity",
    "BMP_temperature",
    "BMP_pressure",
    "BME280_temperature",
    "BME280_humidity",
    "BME280_pressure",
    "Samples",
    "Min_cycle",
    "Max_cycle",
    "Signal",
)
#: madavi.de layouts by number of fields per row. The 22-field layout adds ``PMS_P1`` and
#: ``PMS_P2`` after ``SDS_P2``; it is confirmed by the values of real files (temperature
#: and humidity fall under ``Temp``/``Humidity`` and the last field is a WiFi level in dBm).
MADAVI_LAYOUTS: dict[int, tuple[str, ...]] = {
    20: _MADAVI_20,
    22: (*_MADAVI_20[:9], "PMS_P1", "PMS_P2", *_MADAVI_20[9:]),
}
#: madavi column -> (variable, unit, instrument).
MADAVI_MAP: dict[str, tuple[str, str, str]] = {
    "P1": ("ppd42ns_p1", "#/0.01 ft³", "PPD42NS"),
    "P2": ("ppd42ns_p2", "#/0.01 ft³", "PPD42NS"),
    "SDS_P1": ("pm10", "µg/m³", "SDS011"),
    "SDS_P2": ("pm25", "µg/m³", "SDS011"),
    "PMS_P1": ("pm10", "µg/m³", "PMS"),
    "PMS_P2": ("pm25", "µg/m³", "PMS"),
    "HPM_P1": ("pm10", "µg/m³", "HPM"),
    "HPM_P2": ("pm25", "µg/m³", "HPM"),
    "Temp": ("temperature", "°C", "DHT22"),
    "Humidity": ("humidity", "%", "DHT22"),
    "BMP_temperature": ("temperature", "°C", "BMP180"),
    "BMP_pressure": ("pressure", "Pa", "BMP180"),
    "BME280_temperature": ("temperature", "°C", "BME280"),
    "BME280_humidity": ("humidity", "%", "BME280"),
    "BME280_pressure": ("pressure", "Pa", "BME280"),
}

_TIME_LABEL = "end of the firmware's averaging interval (about 145 s)"
_UTC_REASON = "the archive's timestamps are UTC (feinstaub-api issue #25)"


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is one of ours."""
    first = head.lstrip().split("\n", 1)[0].strip()
    # Tabs: the archive re-saved by a spreadsheet as "Unicode text" (UTF-16, tab-separated).
    if first.replace("\t", ";").startswith("sensor_id;sensor_type;location;lat;lon;timestamp"):
        return "archive_csv"
    if first.startswith("Time;durP1;ratioP1;P1;"):
        return "madavi_csv"
    if re.match(_ARCHIVE_ROW, first) and (
        f"\n{_ARCHIVE_HEADER}" in head or _ARCHIVE_HEADER.encode() in _tail(raw)
    ):
        return "archive_csv"  # rows first: sorted by a spreadsheet, or files joined
    if head.lstrip().startswith("[") and '"sensordatavalues"' in head:
        return "json_api"
    return None


def read_sensor_community(
    path_or_buffer: PathOrBuffer,
    *,
    file_timezone: str | None = None,
    timezone: str | None = None,
    sensor_id: str | None = None,
) -> SensorData:
    r"""Read Sensor.Community files: archive CSV, madavi.de CSV or JSON API.

    Parameters
    ----------
    path_or_buffer
        A file path or open file; ``.csv``, ``.csv.gz``, a monthly ``.zip`` of CSVs, or
        ``.json``. The variant is recognised from the content.
    file_timezone
        IANA zone of the file's clock, only needed to override the documented UTC (for
        example for a madavi.de file known to be in local time).
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.
    sensor_id
        For madavi.de files, the device id to use instead of the one in the file name.

    Returns
    -------
    SensorData
        Readings in canonical variables and units (PM in µg/m³, pressure in hPa,
        temperature in °C), one sensor row per Sensor.Community sensor id (prefixed
        ``sensorcommunity:``), and a ledger record per file.

    Raises
    ------
    DataFormatError
        If a file is none of the three variants, or is not text (the message says what
        was found).
    EmptyFileError
        If a file is empty, has a header but no data rows, or is an empty JSON list.
    UnknownLayoutError
        If a madavi.de file's rows match neither its header nor a known layout.
    TimestampError
        If no timestamp of a file can be read, or offsets are mixed with plain times.

    Notes
    -----
    Timestamps are UTC and mark the end of a ~145 s averaging interval. The archive
    leaves out indoor sensors; the JSON API marks them with ``indoor=1``, kept as
    ``location_type="indoor"``.

    Examples
    --------
    >>> import io
    >>> text = ("sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;"
    ...         "ratioP2\n5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;\n")
    >>> data = read_sensor_community(io.BytesIO(text.encode()))
    >>> data.readings[["variable", "value", "unit"]].values.tolist()
    [['pm10', 9.53, 'µg/m³'], ['pm25', 2.83, 'µg/m³']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_sensor_community")
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(raw, timezone=timezone, sensor_id=sensor_id),
        what="sensor_community",
    )


def _read_one(raw: RawFile, *, timezone: str | None, sensor_id: str | None) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    if variant == "archive_csv":
        return _read_archive_file(raw, head, timezone=timezone)
    if variant == "madavi_csv":
        return _read_madavi(raw, timezone=timezone, sensor_id=sensor_id)
    if variant == "json_api":
        return _read_json(raw, timezone=timezone)
    if re.fullmatch(r"\[\s*\]", head.strip()):
        raise _empty_json(raw.name)
    first = head.lstrip().split("\n", 1)[0][:200]
    raise DataFormatError(
        "This is not a Sensor.Community file (archive CSV, madavi.de CSV or JSON API).",
        file=raw.name,
        found=f"first line: {first!r}",
        fix="An archive CSV starts with 'sensor_id;sensor_type;location;lat;lon;timestamp'. "
        "For other files try toolkit.load(path), which recognises every supported format.",
    )


# -- archive CSV ----------------------------------------------------------------------
def _archive_table(
    raw: RawFile,
    header: list[str],
    record: FileRecord,
    *,
    header_line: int = 1,
    delimiter: str = ";",
) -> pd.DataFrame:
    """Parse the archive with pyarrow: typed first (fast), all-text if values are odd.

    The typed pass reads values as float64 and lets pyarrow infer the timestamp type. A
    file with text among its values (``unavailable``, ``%.1f``, garbage), or with the text
    ``nan`` (which pyarrow would turn into NaN, hiding the missing-value code), is read
    again as text so that every value gets its own reason. Bytes that are not UTF-8 are
    decoded as Latin-1 (noted in the ledger). The writer quotes nothing, so ``"`` is an
    ordinary character. ``header`` gives the column names (stripped, repeated names
    renamed), ``header_line`` the line it is on (1-based; blank lines may precede it).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    value_columns = [c for c in header if c not in ARCHIVE_COLUMNS and c]
    bad_rows: list[str] = []

    def skip(row: pacsv.InvalidRow) -> str:
        where = f"line {row.number}: " if row.number is not None else ""
        bad_rows.append(f"{where}{row.text[:80]!r}")
        return "skip"

    def attempt(data: bytes | None, value_type: pa.DataType) -> pa.Table:
        text = value_type == pa.string()
        label = pa.dictionary(pa.int32(), pa.string())  # few distinct values: categorical
        types = {
            "sensor_id": pa.string() if text else pa.int64(),  # integers parse fastest
            "sensor_type": label,
            "location": label,
            "lat": value_type,
            "lon": value_type,
        }
        if text:
            types["timestamp"] = pa.string()
        types.update(dict.fromkeys(value_columns, value_type))
        types = {k: v for k, v in types.items() if k in header}
        bad_rows.clear()
        # A file on disk that is not yet in memory is read by pyarrow itself (faster).
        source = str(raw.path) if data is None else pa.BufferReader(pa.py_buffer(data))
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                use_threads=True,
                block_size=16 << 20,  # 16 MiB
                column_names=header,  # stripped and unique (see _rename_repeats)
                skip_rows=header_line,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=False, invalid_row_handler=skip
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=False,
                null_values=[""],
                quoted_strings_can_be_null=True,
                # Columns that are never read as measurements (durP1...) are only named
                # in the ledger; converting them would cost time for nothing.
                include_columns=[c for c in header if c in ARCHIVE_COLUMNS or c in _READ],
            ),
        )
        if any(pa.types.is_binary(f.type) for f in table.schema):  # inferred: not UTF-8
            raise pa.ArrowInvalid("a column is not UTF-8 text")
        return table

    def has_nan(table: pa.Table) -> bool:
        return any(
            pa.types.is_floating(table.schema.field(c).type)
            and bool(pc.any(pc.is_nan(table[c])).as_py())
            for c in value_columns
            if c in table.column_names
        )

    direct, encoding = parser_bytes(raw)  # UTF-16 (Excel's "Unicode text") as UTF-8
    if encoding != "utf-8":
        record.note(f"text decoded as {encoding} (not UTF-8)")
    try:
        with _quiet_row_handler():
            table = attempt(direct, pa.float64())
            if has_nan(table):
                table = attempt(direct, pa.string())
    except pa.ArrowInvalid:
        try:
            with _quiet_row_handler():
                table = attempt(direct, pa.string())
        except pa.ArrowInvalid as error:
            text, encoding = decode(raw)
            if encoding != "latin-1":  # UTF-8 or UTF-16 (already handed over as UTF-8)
                raise DataFormatError(
                    "The archive CSV could not be parsed.",
                    file=raw.name,
                    found=str(error)[:200],
                    fix="Download the file again; it may be damaged.",
                ) from None
            record.note(f"text decoded as {encoding} (not UTF-8)")
            table = attempt(text.encode("utf-8"), pa.string())
    if bad_rows:
        record.drop_rows(
            f"row does not have the header's {len(header)} fields", len(bad_rows), bad_rows[:3]
        )
    record.rows_read = table.num_rows + len(bad_rows)
    if table.num_rows == 0:
        raise EmptyFileError(
            "The file has a header but no data rows.",
            file=raw.name,
            found=f"header: {';'.join(header)[:200]}"
            + (f"; {len(bad_rows)} row(s) without its {len(header)} fields" if bad_rows else ""),
            fix="The sensor sent nothing that day; choose other dates.",
        )
    return table.to_pandas(split_blocks=True, self_destruct=True)  # no consolidation copies


@contextlib.contextmanager
def _quiet_row_handler() -> Iterator[None]:
    """Silence pyarrow's report of a row it could not decode for the invalid-row handler.

    pyarrow decodes a bad row's text as UTF-8 before calling the handler; in a Latin-1
    file that fails, is printed as an "ignored" exception, and the parse then fails with
    ``ArrowInvalid``, after which the file is read again as Latin-1.
    """
    import sys

    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, UnicodeDecodeError):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _read_archive(raw: RawFile, *, timezone: str | None) -> SensorData:

    head = check_text(raw)
    lines = head.lstrip("\ufeff").split("\n")
    blank = next((i for i, line in enumerate(lines) if line.strip()), 0)  # lines before it
    record = new_record(raw, "sensor_community/archive_csv")
    first = lines[blank].rstrip("\r")
    delimiter = "\t" if "\t" in first and ";" not in first else ";"
    if delimiter == "\t":
        record.note("The file is tab-separated (the archive re-saved by a spreadsheet).")
    header = _rename_repeats([h.strip() for h in first.split(delimiter)], record)
    require_columns(header, ARCHIVE_COLUMNS, record=record, what="archive CSV's header")
    frame = _archive_table(raw, header, record, header_line=blank + 1, delimiter=delimiter)
    frame = _decimal_commas(frame, [c for c in header if c in _READ or c in ("lat", "lon")], record)
    # Hash on the second core while the (single-threaded) rest of the reading runs; the
    # parse above already uses both cores.
    raw.start_hashing()
    times = parse_times(
        frame["timestamp"],
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason=_UTC_REASON,
        file=raw.name,
        column="timestamp",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL

    # sensor_type is read as a dictionary (categorical): its categories are the types.
    types = {str(t).upper() for t in frame["sensor_type"].astype("category").cat.categories}
    is_ppd = "PPD42NS" in types
    columns = []
    for name in header:
        if name in ARCHIVE_COLUMNS or not name:
            continue
        mapping = (PPD42NS_MAP.get(name) if is_ppd else None) or VARIABLE_MAP.get(name)
        if mapping is None:
            record.ignore_column(
                name, _IGNORED.get(name, "not a known Sensor.Community measurement column")
            )
            continue
        columns.append(_tidy.Column(name, *mapping))
    if is_ppd and len(types) > 1:
        record.note(
            "The file mixes PPD42NS rows with other sensor types; P1/P2 were read "
            "as PPD42NS particle counts for all rows."
        )
    ids = _sensor_ids(frame["sensor_id"])
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=frame["timestamp"],
    )
    sensors, repeated = _archive_sensors(frame, ids, times.times, record)
    if repeated:
        record.note(
            f"{repeated} {_REPEATED_NOTE} of an earlier row of the same sensor; "
            "all were kept (the quality checks flag duplicates)."
        )
    return sensor_data(readings, sensors, record)


_REPEATED_NOTE = "row(s) repeat the timestamp"
_COMMA_DECIMAL = r"[-+]?\d+,\d+"
_GROUPED_COMMA_DECIMAL = r"[-+]?\d{1,3}(?:\.\d{3})+,\d+"


def _decimal_commas(frame: pd.DataFrame, names: list[str], record: FileRecord) -> pd.DataFrame:
    """Read decimal commas as decimal points, in columns where every number uses them.

    A file re-saved by a spreadsheet set to a European locale keeps the ``;`` separator
    but writes ``9,53`` for 9.53 (and may group thousands, ``101.325,00``). A column is
    changed only when it holds such numbers and no plain ``9.53``, so nothing that was
    already right is touched; the ledger names the columns changed.
    """
    import pandas as pd

    changed = []
    out = frame
    for name in names:
        if name not in frame or pd.api.types.is_numeric_dtype(frame[name].dtype):
            continue
        text = frame[name].astype("string").str.strip()
        plain = text.str.fullmatch(_COMMA_DECIMAL).fillna(False)
        grouped = text.str.fullmatch(_GROUPED_COMMA_DECIMAL).fillna(False)
        if not (plain | grouped).any():
            continue
        dotted = text.str.fullmatch(r"[-+]?\d*\.\d+").fillna(False) & ~grouped
        if dotted.any():
            continue
        if out is frame:
            out = frame.copy()
        fixed = text.where(~grouped, text.str.replace(".", "", regex=False))
        out[name] = fixed.str.replace(",", ".", regex=False).astype(object)
        changed.append(name)
    if changed:
        record.note(
            f"Decimal commas were read as decimal points in {', '.join(changed)} (the file "
            "looks re-saved by a spreadsheet set to a European language)."
        )
    return out


def _rename_repeats(header: list[str], record: FileRecord) -> list[str]:
    """Rename a column name repeated in the header (``P1``, ``P1.1``...); the first is read.

    The later columns of that name are recorded as not read, with the reason: which of
    two ``P1`` columns holds PM10 cannot be told from the file. Empty names (a trailing
    ``;``) are left as they are: they are never read.
    """
    seen: dict[str, int] = {}
    out = []
    for position, name in enumerate(header, start=1):
        if not name or name not in seen:
            seen.setdefault(name, 0)
            out.append(name)
            continue
        seen[name] += 1
        new = f"{name}.{seen[name]}"
        while new in header or new in out:
            new += "_"
        out.append(new)
        record.ignore_column(
            new,
            f"column {position} repeats the name {name!r}; only the first {name!r} column "
            "was read (which one holds the values cannot be told from the file)",
        )
    if out != header:
        record.note(
            "The header names a column more than once: "
            + ", ".join(sorted({n for n in header if n and header.count(n) > 1}))
            + "; the first of each was read, the others were not (see columns not read)."
        )
    return out


def _sensor_ids(raw: pd.Series) -> pd.Series:
    """Prefixed sensor ids as a categorical, in order of first appearance."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(raw.reset_index(drop=True))
    names = [f"{_PREFIX}:{int(u) if isinstance(u, float) else u}" for u in uniques]
    if (codes < 0).any():
        names.append(f"{_PREFIX}:unknown")
        codes = np.where(codes < 0, len(names) - 1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, names, validate=False))


def _archive_sensors(
    frame: pd.DataFrame, ids: pd.Series, times: pd.Series, record: FileRecord
) -> tuple[pd.DataFrame, int]:
    """One row per sensor (from its last row), and the number of repeated timestamps.

    Archive files hold each sensor's rows together, in time order; the work is then a
    few passes over the rows, looking only where the sensor changes. Files in another
    order take a slower, general path.
    """
    import numpy as np
    import pandas as pd

    codes = ids.cat.codes.to_numpy()
    stamps = pd.DatetimeIndex(times).asi8
    location = frame["location"].reset_index(drop=True).astype("category")
    places = location.cat.codes.to_numpy()
    n = len(codes)
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1  # first row of each run
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n])) - 1
    if len(starts) == len(np.unique(codes[starts])):  # each sensor in one run
        order, last_rows = codes[starts], ends
        same = np.ones(max(n - 1, 0), dtype=bool)
        same[change - 1] = False  # pairs of neighbouring rows of the same sensor
        repeated = int((stamps[1:][same] <= stamps[:-1][same]).sum())
        if repeated:  # out of order is not the same as repeated: count exactly
            repeated = _count_repeats(codes, stamps, times)
        moved = np.unique(codes[1:][same & (places[1:] != places[:-1])])
    else:
        order = pd.unique(codes)
        last_row = np.full(len(ids.cat.categories), -1, dtype=np.int64)
        last_row[codes] = np.arange(n)  # later rows overwrite earlier ones: the last wins
        last_rows = last_row[order]
        repeated = _count_repeats(codes, stamps, times)
        pairs = pd.DataFrame({"sensor": codes, "place": places}).drop_duplicates()
        moved = pairs["sensor"][pairs["sensor"].duplicated()].unique()
    for code in moved:
        shown = [str(x) for x in pd.unique(location[(codes == code) & (places >= 0)])]
        if len(shown) > 1:
            record.note(
                f"{ids.cat.categories[code]} reported from {len(shown)} locations "
                f"({', '.join(shown[:5])}); the sensors table gives the last."
            )
    last = frame.iloc[last_rows].reset_index(drop=True)
    sensor_ids = [str(ids.cat.categories[c]) for c in order]
    model = last["sensor_type"].astype(object).where(last["sensor_type"].notna(), None)
    location_id = last["location"].astype(object).where(last["location"].notna(), None)
    number = [sid.split(":", 1)[1] for sid in sensor_ids]
    table = pd.DataFrame(
        {
            "sensor_id": sensor_ids,
            "name": [f"{m or 'sensor'} {x}" for m, x in zip(model, number, strict=True)],
            "source": SOURCE,
            "latitude": pd.to_numeric(last["lat"], errors="coerce").astype("float64"),
            "longitude": pd.to_numeric(last["lon"], errors="coerce").astype("float64"),
            "model": model.to_numpy(),
            "location_type": "outdoor",
            "timezone": None,
            "location_id": [None if x is None else str(x) for x in location_id],
            "coordinate_precision_deg": 0.001,
        }
    )
    return table, repeated


def _count_repeats(codes: np.ndarray, stamps: np.ndarray, times: pd.Series) -> int:
    """Count rows whose sensor and time equal an earlier row's."""
    import pandas as pd

    valid = pd.notna(times).to_numpy()
    keys = pd.DataFrame({"sensor": codes[valid], "time": stamps[valid]})
    return int(keys.duplicated().sum())


# -- archive files joined together or sorted -----------------------------------------
_ARCHIVE_HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp"
#: An archive data row: sensor id, type, location id, lat, lon, then a date.
_ARCHIVE_ROW = r"\d+;[\w.-]+;\d*;[-+\d.,]*;[-+\d.,]*;\d{4}-\d\d-\d\d"
_HEADER_LINE = re.compile(
    rb"(?m)^(?:\xef\xbb\xbf)?sensor_id;sensor_type;location;lat;lon;timestamp[^\n]*\n?"
)


def _tail(raw: RawFile, size: int = 4096) -> bytes:
    """Return the last ``size`` bytes of a file, without reading the whole of it."""
    if raw.path is not None and not raw.loaded:
        from pathlib import Path

        with Path(raw.path).open("rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(handle.tell() - size, 0))
            return handle.read()
    return raw.data[-size:]


def _archive_blocks(raw: RawFile) -> list[tuple[bytes, bytes]] | None:
    """Split an archive file at its header lines, if it has more than one or none first.

    Daily files joined with ``cat`` (or appended by hand) repeat the header; a file
    sorted by a spreadsheet has its header last. Returns ``None`` for an ordinary file
    (one header, on the first line that is not blank), else a list of (header line, body)
    pairs in file order; rows before the first header line get the first header found.
    """
    import mmap
    from pathlib import Path

    needle = b"\n" + _ARCHIVE_HEADER.encode()
    if raw.head(2) in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: split its text as UTF-8
        from ._io import RawFile as _Raw

        raw = _Raw(raw.name, decode(raw)[0].encode("utf-8"))
    if raw.path is not None and not raw.loaded:
        with Path(raw.path).open("rb") as handle:
            if Path(raw.path).stat().st_size == 0:
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                second = view.find(needle)
                if second < 0 or not view[: second + 1].strip():
                    return None  # only blank lines before the one header
    else:
        second = raw.data.find(needle)
        if second < 0 or not raw.data[: second + 1].strip():
            return None
    data = raw.data
    starts = list(_HEADER_LINE.finditer(data))
    if not starts:  # pragma: no cover - the search above found one
        return None
    blocks: list[tuple[bytes, bytes]] = []
    if data[: starts[0].start()].strip():
        blocks.append((starts[0].group(0), data[: starts[0].start()]))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(data)
        blocks.append((match.group(0), data[match.end() : end]))
    return blocks


def _read_archive_file(raw: RawFile, head: str, *, timezone: str | None) -> SensorData:
    """Read an archive CSV; one joined from several files, or sorted, block by block.

    An ordinary file (its header first) is read in one pass; only when that pass drops
    rows that a second header line would explain (its timestamp cannot be read, or its
    field count differs), or finds no row at all, is the file searched for header lines,
    so that the common case costs no extra scan.
    """
    first = next((line for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")
    if not first.replace("\t", ";").startswith(_ARCHIVE_HEADER):
        blocks = _archive_blocks(raw)
        if blocks is not None:
            return _read_joined_archive(raw, blocks, timezone=timezone)
    try:
        part = _read_archive(raw, timezone=timezone)
    except EmptyFileError:
        blocks = _archive_blocks(raw)
        if blocks is None:
            raise
        return _read_joined_archive(raw, blocks, timezone=timezone)
    dropped = part.ledger[0].rows_dropped
    if any(
        r == "timestamp could not be read" or r.startswith("row does not have the header")
        for r in dropped
    ):
        blocks = _archive_blocks(raw)
        if blocks is not None:
            return _read_joined_archive(raw, blocks, timezone=timezone)
    return part


def _read_joined_archive(
    raw: RawFile, blocks: list[tuple[bytes, bytes]], *, timezone: str | None
) -> SensorData:
    """Read each block of a joined or sorted archive file, into one ledger record."""
    from ..ledger import Ledger
    from ..sensordata import SensorData, concat
    from ._io import RawFile as _Raw

    record = new_record(raw, "sensor_community/archive_csv")
    first_header = blocks[0][0].strip()
    leading = (
        not raw.head(len(first_header) + 8).lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(first_header)
    )
    if leading:
        record.note(
            "The header line is not the first line: the file was sorted (by a spreadsheet?) "
            "or joined from pieces; the rows before it were read with it."
        )
    parts = []
    # Every header line but the first one found is a line of the file that is not data.
    header_lines = [h for h, _ in blocks[(2 if leading else 1) :]]
    for header in header_lines:
        same = header.strip() == first_header
        record.rows_read += 1
        record.drop_rows(
            "repeated header line" if same else "header line of another file joined to it",
            1,
            [header.strip().decode("utf-8", "replace")[:80]],
        )
    for header, body in blocks:
        if not body.strip():
            continue
        try:
            part = _read_archive(_Raw(raw.name, header + body), timezone=timezone)
        except EmptyFileError:
            lines = [line for line in body.splitlines() if line.strip()]
            record.rows_read += len(lines)
            record.drop_rows(
                "row does not have the header's fields",
                len(lines),
                [line.decode("utf-8", "replace")[:80] for line in lines[:3]],
            )
            continue
        parts.append(part)
    if not parts:
        raise EmptyFileError(
            "The file has header lines but no data rows that fit them.",
            file=raw.name,
            fix="The sensor sent nothing those days; choose other dates.",
        )
    joined = concat(parts)
    for sub in joined.ledger:
        _merge_record(record, sub)
    repeated = int(joined.readings.duplicated(["sensor_id", "time", "variable"]).sum())
    if repeated:
        record.note(
            f"{repeated} reading(s) repeat the sensor, time and variable of an earlier one "
            "(the joined files overlap); all were kept (the quality checks flag duplicates)."
        )
    blocks_read = len(parts)
    if blocks_read > 1:
        record.note(f"The file joins {blocks_read} files (their header is repeated).")
    record.sensors = sorted({s for sub in joined.ledger for s in sub.sensors})
    record.assess()
    return SensorData(joined.readings, joined.sensors, Ledger([record]))


def _merge_record(record: FileRecord, sub: FileRecord) -> None:
    """Add the account of one block of a file to the file's record."""
    import dataclasses

    for item in dataclasses.fields(sub):
        name = item.name
        value = getattr(sub, name)
        if name in ("path", "sha256", "format", "status", "error", "exception", "sensors"):
            continue
        if name == "rows_dropped":
            for reason, n in value.items():
                record.drop_rows(reason, n, sub.row_examples.get(reason))
        elif name == "readings_dropped":
            for reason, n in value.items():
                record.drop_readings(reason, n, sub.reading_examples.get(reason))
        elif name == "notes":
            for note in value:
                if not note.startswith("Partly read") and _REPEATED_NOTE not in note:
                    record.note(note)
        elif isinstance(value, int):
            setattr(record, name, getattr(record, name) + value)
        elif isinstance(value, list):
            getattr(record, name).extend(v for v in value if v not in getattr(record, name))
        elif isinstance(value, dict) and name not in ("row_examples", "reading_examples"):
            for key, entry in value.items():
                getattr(record, name).setdefault(key, entry)
        elif isinstance(value, str) and not getattr(record, name):
            setattr(record, name, value)


# -- madavi.de CSV --------------------------------------------------------------------
def _read_madavi(raw: RawFile, *, timezone: str | None, sensor_id: str | None) -> SensorData:
    text, encoding = decode(raw)
    record = new_record(raw, "sensor_community/madavi_csv", encoding=encoding)
    header, rows, lines = split_table(text, delimiter=";", record=record)
    record.rows_read = len(rows)
    frame = _madavi_frame(raw, header, rows, lines, record)
    frame = _decimal_commas(frame, [c for c in frame.columns if c in MADAVI_MAP], record)
    times = parse_times(
        frame["Time"],
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="madavi.de does not state a zone; read as UTC like "
        "the archive (give file_timezone= if your files are in local time)",
        file=raw.name,
        column="Time",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL
    present: dict[str, list[tuple[str, str, str]]] = {}
    for name in frame.columns:
        if name == "Time":
            continue
        if name not in MADAVI_MAP:
            record.ignore_column(name, _IGNORED.get(name, "not a known madavi.de column"))
            continue
        if frame[name].astype(str).str.strip().ne("").any():
            present.setdefault(MADAVI_MAP[name][0], []).append((name, *MADAVI_MAP[name][1:]))
        else:
            record.ignore_column(name, "empty in every row (instrument not fitted)")
    columns = []
    for variable, items in present.items():
        for name, unit, instrument in items:
            channel = instrument if len(items) > 1 else None
            columns.append(_tidy.Column(name, variable, unit, channel))
    device = sensor_id or _madavi_device(raw.basename)
    ids = f"{_PREFIX}:{device}"
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=frame["Time"],
    )
    instruments = sorted({i for items in present.values() for _, _, i in items})
    sensors = [
        {
            "sensor_id": ids,
            "name": f"madavi {device}",
            "source": SOURCE,
            "latitude": None,
            "longitude": None,
            "model": "+".join(instruments),
            "location_type": None,
            "timezone": None,
        }
    ]
    record.note("madavi.de files carry no coordinates; add them to data.sensors.")
    return sensor_data(readings, sensors, record)


#: Instrument columns that newer madavi.de headers may name without the rows carrying
#: their fields (the header was written for every instrument the server knows).
_MADAVI_OPTIONAL = frozenset({"PMS_P1", "PMS_P2", "HPM_P1", "HPM_P2"})


def _madavi_layout(header: list[str], count: int) -> tuple[tuple[str, ...], str] | None:
    """Find the column layout of rows of ``count`` fields under ``header``, with a note.

    Rows are matched by their number of fields, as the writer puts one field per value in
    a fixed order: the header itself when the counts agree; a known newer layout when the
    header is a known older one (the 20-column header over 22-field rows); a known
    layout when the header names it plus instrument columns whose fields the rows do not
    carry (a 24-name header with ``HPM_P1;HPM_P2`` over 22-field rows). ``None`` when
    nothing fits.
    """
    names = tuple(header)
    if count == len(names):
        return names, ""
    known = MADAVI_LAYOUTS.get(count)
    if known is None:
        return None
    if MADAVI_LAYOUTS.get(len(names)) == names and set(names) <= set(known):
        added = [c for c in known if c not in names]
        return known, (
            f"The header lists {len(names)} columns but the data rows have {count} fields. "
            f"Read with the {count}-field layout of newer firmware, which adds "
            f"{', '.join(added)} after SDS_P2 (mapping by position under the old header "
            "would have put humidity under BMP_pressure)."
        )
    extra = [c for c in names if c not in known]
    if extra and set(extra) <= _MADAVI_OPTIONAL and tuple(c for c in names if c in known) == known:
        return known, (
            f"The header lists {len(names)} columns but the data rows have {count} fields: "
            f"the header names {', '.join(extra)}, for which the rows carry no field. Read "
            f"with the known {count}-field layout; {', '.join(extra)} were not read."
        )
    return None


def _madavi_frame(
    raw: RawFile,
    header: list[str],
    rows: list[list[str]],
    lines: list[int],
    record: FileRecord,
) -> pd.DataFrame:
    """Make a text table of the rows whose field count fits a layout (_madavi_layout).

    Rows of each field count are read with that count's layout (a file can change layout
    when the firmware is updated during the day); rows of a count that fits no layout are
    dropped with a reason. The newer layouts are checked against the values: their last
    field is the WiFi signal, in dBm, so negative.

    Raises
    ------
    UnknownLayoutError
        When no row fits a layout.
    """
    import pandas as pd

    counts = pd.Series([len(r) for r in rows], dtype="int64")
    layouts: dict[int, tuple[str, ...]] = {}
    refused: dict[int, str] = {}
    for count in counts.value_counts().index:
        found = _madavi_layout(header, int(count))
        if found is None:
            continue
        layout, note = found
        if layout != tuple(header) and "Signal" in layout:
            position = layout.index("Signal")
            signal = pd.to_numeric(
                pd.Series([r[position] for r, c in zip(rows, counts, strict=True) if c == count]),
                errors="coerce",
            ).dropna()
            if not (signal < 0).mean() > 0.9:
                refused[int(count)] = ", ".join(map(str, signal.head(3).tolist()))
                continue
        layouts[int(count)] = layout
        if note:
            record.note(note)
    if not layouts:
        if refused:
            raise UnknownLayoutError(
                "The madavi.de file's rows have more fields than its header, and the "
                "known newer layout does not fit the values.",
                file=raw.name,
                found="last field (expected WiFi signal in dBm, negative): "
                + "; ".join(refused.values()),
                fix="Read it with toolkit.readers.read_csv_mapped and an explicit mapping.",
            )
        usual = int(counts.mode().min())
        raise UnknownLayoutError(
            "The madavi.de file's rows do not match its header or any known layout.",
            file=raw.name,
            found=f"header of {len(header)} columns ({';'.join(header)[:120]}...), rows of "
            f"{usual} fields; known layouts have {sorted(MADAVI_LAYOUTS)} fields",
            fix="Read it with toolkit.readers.read_csv_mapped and an explicit column "
            "mapping, and please report the layout so it can be added.",
        )
    good = counts.isin(list(layouts)).to_numpy()
    if (~good).any():
        expected = " or ".join(str(c) for c in sorted(layouts))
        shown = [
            f"line {lines[i]}: {len(rows[i])} fields" for i in range(len(rows)) if not good[i]
        ][:3]
        record.drop_rows(
            f"row does not have the layout's {expected} fields", int((~good).sum()), shown
        )
    columns = list(dict.fromkeys(c for layout in layouts.values() for c in layout))
    for name in header:
        if name not in columns:
            record.ignore_column(name, "named in the header, but the rows carry no field for it")
    if len(layouts) == 1:
        frame = pd.DataFrame([r for r, g in zip(rows, good, strict=True) if g], columns=columns)
    else:
        frame = pd.DataFrame(
            [dict(zip(layouts[len(r)], r, strict=True)) for r in rows if len(r) in layouts],
            columns=columns,
        ).fillna("")
        record.note(
            "The rows change layout within the file (firmware updated during the day): "
            + ", ".join(f"{(counts == c).sum()} rows of {c} fields" for c in sorted(layouts))
            + "; each was read with its own layout."
        )
    return frame


def _madavi_device(basename: str) -> str:
    match = re.match(r"data-(esp8266-\d+|esp32-\d+|[\w-]+?)-\d{4}-\d{2}-\d{2}", basename)
    return match.group(1) if match else "madavi-device"


# -- JSON API -------------------------------------------------------------------------
_NO_MEASUREMENT = "record holds no known measurement value type (see columns not read)"


def _read_json(raw: RawFile, *, timezone: str | None) -> SensorData:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "sensor_community/json_api", encoding=encoding)
    payload = parse_json(text, record=record, what="Sensor.Community")
    if not isinstance(payload, list):
        raise DataFormatError(
            "The Sensor.Community JSON is not a list of records.",
            file=raw.name,
            found=f"a JSON {type(payload).__name__}",
            fix="Check that this is a data.sensor.community API response.",
        )
    if not payload:
        raise _empty_json(raw.name)
    record.rows_read = len(payload)
    meta: list[dict[str, object]] = []
    values: list[dict[str, object]] = []
    kinds: list[tuple[bool, tuple[str, ...]]] = []
    broken: list[str] = []
    repeated: list[str] = []
    n_repeated = 0
    for i, item in enumerate(payload):
        try:
            pairs = [(str(d["value_type"]), d.get("value")) for d in item["sensordatavalues"]]
            sensor = item["sensor"]
            location = item.get("location") or {}
            sensor_type = str((sensor.get("sensor_type") or {}).get("name") or "")
            entry = {
                "time": item.get("timestamp"),
                "sensor_id": f"{_PREFIX}:{sensor['id']}",
                "model": sensor_type,
                "latitude": location.get("latitude"),
                "longitude": location.get("longitude"),
                "altitude": location.get("altitude"),
                "country": location.get("country"),
                "indoor": location.get("indoor"),
                "location_id": location.get("id"),
            }
        except (KeyError, TypeError, AttributeError):
            broken.append(f"record {i}: {str(item)[:80]}")
            continue
        row = dict(pairs)
        if len(row) < len(pairs):
            n_repeated += len(pairs) - len(row)
            repeated.append(f"record {i}: {[name for name, _ in pairs]}")
        meta.append(entry)
        values.append(row)
        kinds.append(
            (sensor_type.upper() == "PPD42NS", tuple(name for name in row if name in VARIABLE_MAP))
        )
    if broken:
        record.drop_rows("record lacks 'sensor' or 'sensordatavalues'", len(broken), broken)
    if not meta:
        raise DataFormatError(
            "No record in the JSON has the Sensor.Community shape.",
            file=raw.name,
            found=broken[0],
            fix="Check that this is a data.sensor.community API response.",
        )
    if n_repeated:
        record.values_read += n_repeated
        record.drop_readings(
            "value type repeated within a record (the last one was read)", n_repeated, repeated
        )
    frame = pd.DataFrame(meta)
    table = pd.DataFrame(values, index=range(len(values)))
    times = parse_times(
        frame["time"],
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="the API's timestamps are UTC",
        file=raw.name,
        column="timestamp",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL
    for name in table.columns:
        if name not in VARIABLE_MAP:
            record.ignore_column(name, _IGNORED.get(name, "not a known measurement"))
    # Records of different sensor types have different value types: build each group
    # with its own columns, so a DHT22 record is not counted as missing a PM value. The
    # PPD42NS is grouped apart because its P1/P2 are particle counts.
    groups: dict[tuple[bool, tuple[str, ...]], list[int]] = {}
    for i, kind in enumerate(kinds):
        groups.setdefault(kind, []).append(i)
    parts = []
    for (is_ppd, names), rows in groups.items():
        columns = [
            _tidy.Column(c, *((PPD42NS_MAP.get(c) if is_ppd else None) or VARIABLE_MAP[c]))
            for c in names
        ]
        sub_times = ParsedTimes(
            *(
                part.iloc[rows].reset_index(drop=True)
                for part in (times.times, times.missing, times.unreadable)
            ),
            times.timezone,
            times.reason,
            times.offsets,
            None
            if times.out_of_range is None
            else times.out_of_range.iloc[rows].reset_index(drop=True),
        )
        reasons = None if names else pd.Series([_NO_MEASUREMENT] * len(rows))
        parts.append(
            _tidy.build_readings(
                table.iloc[rows].reset_index(drop=True),
                times=sub_times,
                sensor_ids=frame["sensor_id"].iloc[rows].reset_index(drop=True),
                columns=columns,
                record=record,
                missing_text=MISSING_VALUES,
                row_reasons=reasons,
                time_text=frame["time"].iloc[rows].astype(str).reset_index(drop=True),
            )
        )
    readings = concat_readings(parts)
    return sensor_data(readings, _json_sensors(frame), record)


def _json_sensors(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per sensor, from its last record in the payload."""
    import pandas as pd

    last = frame.drop_duplicates("sensor_id", keep="last")
    last = last.set_index("sensor_id").reindex(pd.unique(frame["sensor_id"])).reset_index()
    indoor = last["indoor"].astype(str).isin(["1", "True", "true"])
    location = last["location_id"].astype(object)
    return pd.DataFrame(
        {
            "sensor_id": last["sensor_id"].astype(str).to_numpy(),
            "name": (last["model"] + " " + last["sensor_id"].str.split(":", n=1).str[1]).to_numpy(),
            "source": SOURCE,
            "latitude": pd.to_numeric(last["latitude"], errors="coerce").to_numpy("float64"),
            "longitude": pd.to_numeric(last["longitude"], errors="coerce").to_numpy("float64"),
            "model": last["model"].to_numpy(),
            "location_type": indoor.map({True: "indoor", False: "outdoor"}).to_numpy(),
            "timezone": None,
            "location_id": location.where(location.isna(), location.astype(str)).to_numpy(),
            "altitude_m": pd.to_numeric(last["altitude"], errors="coerce").to_numpy("float64"),
            "country": last["country"].to_numpy(),
        }
    )


def _empty_json(name: str) -> EmptyFileError:
    return EmptyFileError(
        "The Sensor.Community JSON holds no records (an empty list).",
        file=name,
        found="[]",
        fix="The API returns an empty list when no sensor matched the filter or sent data "
        "in the last minutes: widen the area, check the sensor id, or try again later.",
    )
