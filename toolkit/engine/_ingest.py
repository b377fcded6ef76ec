"""Reading many Sensor.Community archive CSVs in one DuckDB pass into a Parquet dataset.

How it works
------------
1. **Scan** (Python, per file, no row loop): each file is opened once; its SHA-256 is
   computed, and the fast pass takes it only if it is a plain archive CSV: the header
   ``sensor_id;sensor_type;location;lat;lon;timestamp;...`` on the first line, UTF-8
   without byte-order mark, no carriage returns or NUL bytes, no repeated column names.
   ``.csv.gz`` files are taken too (decompressed here). A taken file's data lines are
   appended to its batch's block file for its header, each line prefixed by the file's
   number (``fid;``; bytes operations, no row loop): DuckDB reads one file of many
   lines about six times faster than as many small files. A batch holds about
   :data:`_BATCH_BYTES` of text, so memory stays flat whatever the number of files;
   DuckDB reads a batch on a worker thread while the next one is scanned.
2. **Stage** (DuckDB, one ``read_csv`` per block, every column as ``VARCHAR``, no
   sniffing): every cell gets a reason code (a number, an empty field, a
   missing-value code of :data:`~toolkit.readers.sensor_community.MISSING_VALUES`, text
   that is not a number), and every row an ``odd`` mark when it holds something the
   fast pass does not decide the way the pandas reader does (a timestamp not of the
   archive's ``YYYY-MM-DDTHH:MM:SS`` form, a number with a decimal comma or spaces, a
   PPD42NS, impossible coordinates...). The rows go to a temporary table in file
   order (its ``rowid``, checked).
3. **Account** (DuckDB ``GROUP BY`` over the staged rows): per file the rows read, kept
   and dropped by reason, the values read, kept and dropped by reason with their first
   three examples, the sensors (from each sensor's last row) and repeated timestamps,
   exactly as :func:`toolkit.readers.read_sensor_community` records them. A file with
   fewer rows in DuckDB than data lines (a line DuckDB could not split) or any odd
   row is left to the pandas readers.
4. **Write** the readings of the files the fast pass took (unpivoted in one scan,
   converted to the canonical unit: pressure Pa -> hPa) to
   ``readings/source=.../month=.../*.parquet``, one file per block and month.
5. **Fall back**: a file the fast pass cannot take (another format, a zip, UTF-16 or
   Latin-1 text, joined or sorted files, rows of another width, any odd row) is read
   by the pandas readers, one by one, and its readings appended to the dataset.

Measured on 2 shared cores (benchmarks/_archive.py's files, each run in its own process):
20 stations for a year, 14,321 daily files and 19.7 M readings, ingest in 15.6-15.9 s
(23-24 s of CPU) with a 0.35-0.37 GB peak; the single-glob version took 33.8-37.5 s
(47-52 s of CPU) and 0.94 GB, and DuckDB alone takes 13.4 s to read the same files,
unpivot them and write them to partitioned Parquet. 150 sensors (53,616 files, 62 M
readings): 63-72 s and 0.59 GB at the default memory limit.

Sensor time zones are found as the pandas path finds them
(:func:`toolkit._zones.fill_sensor_zones`, one look-up per distinct position). A
manifest (path, size, modification time, SHA-256 of every input) lets a later load of
the same files reuse the dataset without reading any CSV.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger import FileRecord, Ledger
from ._dataset import readings_glob, sql_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from concurrent.futures import Future
    from typing import BinaryIO

    import duckdb
    import pandas as pd

    from ..sensordata import SensorData
    from ._lazy import LazySensorData

__all__ = ["ENGINE_NOTE", "FALLBACK_NOTE", "ingest"]

#: Start of the ledger note of a file read by the DuckDB pass.
ENGINE_NOTE = "Read by the DuckDB engine"
#: Start of the ledger note of a file the DuckDB pass left to the pandas readers.
FALLBACK_NOTE = "Read by the pandas reader"

_HEADER = b"sensor_id;sensor_type;location;lat;lon;timestamp"
_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"
_FORMAT = "sensor_community/archive_csv"
_CONTROL = bytes([*range(9), *range(14, 32)])  # what check_text counts as not text
#: Reason codes of a staged cell.
_VALUE, _EMPTY, _CODE, _TEXT, _ODD = 0, 1, 2, 3, 9
_FLUSH_READINGS = 1_000_000  # pandas readings kept before they are appended to Parquet
#: Text [bytes] of the fast pass's files read by DuckDB at a time (memory stays flat; at 20 M
#: readings, 32 MB: 0.38 GB peak, 64 MB: 0.44 GB, 128 MB: 0.54 GB, the same time).
_BATCH_BYTES = 32 << 20


@dataclass
class _Input:
    """One input item and what the scan found."""

    index: int
    item: Any
    path: Path | None = None
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    header: str = ""
    compression: str = "none"
    newline: str = "\\n"
    semicolons: int = 0
    lines: int = 0  # data lines (not empty) the fast pass hands to DuckDB
    why_not: str = ""  # why the fast pass does not take it ("" = it does)
    fid: int = -1
    parts: list[Any] = field(default_factory=list)  # the fallback's SensorData


# -- scan -----------------------------------------------------------------------------
def _scan(entry: _Input) -> bytes | None:
    """Hash one file and decide whether the fast pass can take it (sets ``why_not``).

    Returns the file's text (decompressed) when the fast pass can take it, else ``None``.
    """
    item = entry.item
    if not isinstance(item, str | Path):
        entry.why_not = "not a file on disk"
        return None
    path = Path(item)
    entry.path = path
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError as error:
        entry.why_not = f"could not be read ({error})"
        return None
    entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
    entry.sha256 = hashlib.sha256(data).hexdigest()
    if data[:4] == _ZIP:
        entry.why_not = "a zip archive"
        return None
    if data[:2] == _GZIP:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            entry.why_not = f"a damaged .gz ({error})"
            return None
        entry.compression = "gzip"
    if not data.startswith(_HEADER):
        entry.why_not = "not an archive CSV with its header on the first line"
        return None
    if b"\x00" in data:
        entry.why_not = "NUL bytes in the text"
        return None
    returns = data.count(b"\r")
    if returns:
        if returns != data.count(b"\r\n") or returns != data.count(b"\n"):
            entry.why_not = "carriage returns that do not end every line"
            return None
        entry.newline = "\\r\\n"
    sample = data[:4096]
    if len(sample) - len(sample.translate(None, _CONTROL)) > len(sample) // 20:
        entry.why_not = "control characters (not text)"
        return None
    end = data.find(b"\n")
    try:
        header = (data if end < 0 else data[:end]).decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        entry.why_not = "a header that is not UTF-8"
        return None
    names = [h.strip() for h in header.split(";")]
    named = [n for n in names if n]
    if len(set(named)) != len(named):
        entry.why_not = "a column name repeated in the header"
        return None
    entry.header = header
    entry.semicolons = data.count(b";")
    return data


def _body(entry: _Input, data: bytes) -> bytes:
    """Return a fast-pass file's data lines as one block for DuckDB; set ``entry.lines``.

    Each line is prefixed by the file's number (``fid;``), so that the files of a batch
    can be read as one CSV (DuckDB reads one file several times faster than as many
    small ones). Line ends become LF (the scan checked that every carriage return
    ends a line), empty lines are dropped (DuckDB skips them, so the rows are the same)
    and a last line without its newline is ended. ``entry.lines`` is the number of data
    lines: a file with fewer rows in DuckDB had lines DuckDB could not split.
    """
    end = data.find(b"\n")
    body = b"" if end < 0 else data[end + 1 :]
    if entry.newline != "\\n":
        body = body.replace(b"\r\n", b"\n")
    while b"\n\n" in body:
        body = body.replace(b"\n\n", b"\n")
    body = body.removeprefix(b"\n")
    if body and not body.endswith(b"\n"):
        body += b"\n"
    entry.lines = body.count(b"\n")
    if not body:
        return b""
    prefix = b"%d;" % entry.fid
    return prefix + body[:-1].replace(b"\n", b"\n" + prefix) + b"\n"


def _reread(entry: _Input) -> bytes:
    """Read a scanned file's text again (decompressed), for a batch read once more."""
    assert entry.path is not None
    data = entry.path.read_bytes()
    return gzip.decompress(data) if entry.compression == "gzip" else data


# -- SQL ------------------------------------------------------------------------------
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"


def _codes_sql() -> str:
    from ..readers.sensor_community import MISSING_VALUES

    return ", ".join(sql_text(c.lower()) for c in MISSING_VALUES if c)


def _mapped(names: list[str]) -> list[tuple[int, str]]:
    """(position, name) of the header's measurement columns (the reader's mapping)."""
    from ..readers.sensor_community import VARIABLE_MAP

    return [(i, n) for i, n in enumerate(names) if i >= 6 and n in VARIABLE_MAP]


def _cell_sql(column: str, number: str | None = None) -> str:
    """Return SQL giving a cell's reason code (see ``_VALUE``...) from its text.

    ``number`` is the SQL of the cell as a ``DOUBLE`` (``TRY_CAST``, computed once by
    the caller). The common cases (a plain number, an empty field) are tested first.
    """
    printable = f"regexp_full_match({column}, '[!-~]+')"
    number = number or f"TRY_CAST({column} AS DOUBLE)"
    return (
        f"CASE WHEN {column} IS NULL THEN {_EMPTY} "
        f"WHEN regexp_full_match({column}, '{_NUMBER}') THEN "
        f"CASE WHEN isfinite({number}) THEN {_VALUE} ELSE {_ODD} END "
        f"WHEN {column} = '' THEN {_EMPTY} "
        f"WHEN {printable} AND lower({column}) IN ({_codes_sql()}) THEN {_CODE} "
        f"WHEN {printable} AND NOT regexp_matches({column}, '[0-9]') "
        f"AND NOT regexp_full_match(lower({column}), '[+-]?(inf|infinity|nan)') THEN {_TEXT} "
        f"ELSE {_ODD} END"
    )


def _stage_sql(path: str, names: list[str], *, numbered: bool = False) -> str:
    """Return SQL staging one batch file's rows: ids, times, each cell's value and reason.

    The batch file holds the data lines of files of one header, each prefixed by its
    file number (see :func:`_body`). The rows go to the temporary table ``_toolkit_s``
    in file order: the table's ``rowid`` (DuckDB keeps the insertion order of a CSV
    read in parallel), or with ``numbered`` a column ``rn`` from ``row_number()``
    (which makes DuckDB read on one thread). The reason codes are computed once per
    cell (inner query), then the value, the text kept for examples, the row's ``odd``
    mark and whether the row has content (a value or text) are derived from them.
    """
    columns = "{'fid': 'UINTEGER', " + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    columns += "}"
    mapped = _mapped(names)
    numbers = "".join(f", TRY_CAST(c{i} AS DOUBLE) AS d{i}" for i, _ in mapped)
    codes = "".join(f", ({_cell_sql(f'c{i}', f'd{i}')})::UTINYINT AS k{i}" for i, _ in mapped)
    cells = "".join(
        f", k{i} AS {_q('r_' + name)}"
        f", CASE WHEN k{i} = {_VALUE} THEN d{i} END AS {_q('v_' + name)}"
        f", CASE WHEN k{i} IN ({_CODE}, {_TEXT}) THEN c{i} END AS {_q('x_' + name)}"
        for i, name in mapped
    )
    odd_cells = " OR ".join(f"k{i} = {_ODD}" for i, _ in mapped) or "false"
    content = " OR ".join(f"k{i} IN ({_VALUE}, {_TEXT})" for i, _ in mapped) or "false"
    coordinate = "({c} IS NOT NULL AND (NOT regexp_full_match({c}, '{n}') OR abs({d}) > {lim}))"
    odd = " OR ".join(
        [
            "NOT regexp_full_match(coalesce(c0, ''), '0|[1-9][0-9]{0,17}')",
            "c1 IS NULL OR upper(c1) = 'PPD42NS' OR c2 IS NULL",
            coordinate.format(c="c3", d="lat", n=_NUMBER, lim=90),
            coordinate.format(c="c4", d="lon", n=_NUMBER, lim=180),
            f"NOT regexp_full_match(coalesce(c5, ''), '{_TIME}')",
            "ts IS NULL",
            "ts NOT BETWEEN TIMESTAMP '1678-01-01' AND TIMESTAMP '2261-12-31 23:59:59.999999'",
            odd_cells,
        ]
    )
    return f"""
CREATE OR REPLACE TEMP TABLE _toolkit_s AS
  SELECT fid,{" rn," if numbered else ""} TRY_CAST(c0 AS BIGINT) AS sid, c1 AS stype, c2 AS loc,
         lat, lon, ts, coalesce({odd}, true) AS odd,
         coalesce({content}, false) AS content{cells}
  FROM (
    SELECT r.*{codes}
    FROM (
      SELECT {"row_number() OVER () AS rn, " if numbered else ""}*,
             TRY_CAST(c3 AS DOUBLE) AS lat, TRY_CAST(c4 AS DOUBLE) AS lon,
             TRY_CAST(c5 AS TIMESTAMP) AS ts{numbers}
      FROM read_csv({sql_text(path)}, columns = {columns}, auto_detect = false,
                    header = false, delim = ';', quote = '', escape = '',
                    new_line = '\\n', null_padding = false, ignore_errors = true)
    ) r
  )"""


def _q(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


# -- accounting -----------------------------------------------------------------------
def _stats(con: duckdb.DuckDBPyConnection, columns: list[str], rn: str) -> dict[str, Any]:
    """Run the per-file aggregations over the staged rows (every count by DuckDB).

    ``rn`` is the SQL of a row's place in its file (``rowid`` or ``rn``).
    """
    if columns:
        typed = " OR ".join(f"coalesce({_q('r_' + c)} IN (2, 3), false)" for c in columns)
    else:
        typed = "false"
    per_value = "".join(f", count_if({_q('r_' + c)} = 0)" for c in columns)
    files = con.execute(
        f"""SELECT fid, count(*) AS n, bool_or(odd) AS odd, NOT bool_or({typed}) AS typed,
                   count_if(content) AS kept{per_value}
            FROM _toolkit_s GROUP BY fid"""
    ).fetchall()
    cells = []
    for c in columns:
        r, x = _q("r_" + c), _q("x_" + c)
        cells.append(
            f"SELECT fid, {sql_text(c)} AS col, {r} AS r, count(*) AS n, "
            f"CASE WHEN {r} = 2 THEN {x} END AS code, "
            f"min_by({{'x': {x}, 'ts': ts}}, {rn}, 3) AS ex "
            f"FROM _toolkit_s WHERE content AND {r} IN (1, 2, 3) GROUP BY ALL"
        )
    values = con.execute(" UNION ALL ".join(cells)).fetchall() if cells else []
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _toolkit_g AS
           SELECT fid, sid, ts, count(*) AS c, count_if(content) AS cc
           FROM _toolkit_s GROUP BY ALL HAVING count(*) > 1 OR NOT bool_or(content)"""
    )
    repeated = con.execute(
        "SELECT fid, sum(c - 1) FROM _toolkit_g GROUP BY fid HAVING sum(c - 1) > 0"
    ).fetchall()
    empty_rows = con.execute(
        f"""SELECT s.fid, coalesce(g.cc, 0) > 0 AS repeating, count(*) AS n,
                   min_by(s.ts, s.{rn}, 3) AS ex
            FROM _toolkit_s s LEFT JOIN _toolkit_g g USING (fid, sid, ts)
            WHERE NOT s.content GROUP BY ALL"""
    ).fetchall()
    sensors = con.execute(
        f"""SELECT fid, sid, min({rn}) AS first, arg_max({{'t': stype, 'l': loc, 'la': lat,
                   'lo': lon}}, {rn}) AS last, count(DISTINCT loc) AS places
            FROM _toolkit_s GROUP BY fid, sid ORDER BY fid, first"""
    ).fetchall()
    moved = con.execute(
        f"""WITH p AS (SELECT fid, sid, loc, min({rn}) AS first FROM _toolkit_s
                      GROUP BY ALL),
                m AS (SELECT fid, sid FROM p GROUP BY ALL HAVING count(*) > 1)
           SELECT fid, sid, list(loc ORDER BY first) FROM p SEMI JOIN m USING (fid, sid)
           GROUP BY fid, sid"""
    ).fetchall()
    return {
        "files": files,
        "values": values,
        "repeated": dict(repeated),
        "empty_rows": empty_rows,
        "sensors": sensors,
        "moved": {(f, s): list(p) for f, s, p in moved},
    }


def _label(ts: Any, typed: bool) -> str:
    """Return a row's time as the pandas reader shows it (pyarrow's timestamp, or the text)."""
    return ts.strftime("%Y-%m-%d %H:%M:%S" if typed else "%Y-%m-%dT%H:%M:%S")


def _records(
    entries: list[_Input], stats: dict[str, Any], names: list[str]
) -> dict[int, tuple[FileRecord, list[dict[str, Any]]]]:
    """Build the ledger record and sensor rows of the staged files (one header: ``names``).

    A file the fast pass cannot take after all gets its ``why_not`` and no record.
    """
    from ..readers import sensor_community as sc
    from ..units import conversion

    by_fid = {e.fid: e for e in entries if e.fid >= 0}
    out: dict[int, tuple[FileRecord, list[dict[str, Any]]]] = {}
    info = {f: (n, odd, typed, kept) for f, n, odd, typed, kept, *_ in stats["files"]}
    values: dict[int, list[tuple[Any, ...]]] = {}
    for row in stats["values"]:
        values.setdefault(row[0], []).append(row[1:])
    kept_cells = {row[0]: row[5:] for row in stats["files"]}
    empty: dict[int, list[tuple[Any, ...]]] = {}
    for row in stats["empty_rows"]:
        empty.setdefault(row[0], []).append(row[1:])
    sensors: dict[int, list[tuple[Any, ...]]] = {}
    for row in stats["sensors"]:
        sensors.setdefault(row[0], []).append(row[1:])
    for fid, entry in by_fid.items():
        if fid not in info:
            entry.why_not = "no data rows read by DuckDB"
            continue
        n, odd, typed, n_kept = info[fid]
        if n != entry.lines:
            entry.why_not = "rows DuckDB could not split (another width, or not UTF-8)"
            continue
        if odd:
            entry.why_not = "a row the fast pass does not read the way the pandas reader does"
            continue
        if entry.semicolons != (n + 1) * (len(names) - 1):
            entry.why_not = "rows with another number of fields than the header"
            continue
        record = FileRecord(path=str(entry.item), format=_FORMAT, sha256=entry.sha256)
        mapped = [name for _, name in _mapped(names)]
        record.rows_read = n
        for name in names[6:]:
            if name and name not in sc.VARIABLE_MAP:
                record.ignore_column(
                    name,
                    sc._IGNORED.get(name, "not a known Sensor.Community measurement column"),
                )
        for name in mapped:
            how = conversion(*sc.VARIABLE_MAP[name])
            if not how.is_identity and str(how) not in record.conversions:
                record.conversions.append(str(how))
        record.timezone, record.timezone_reason = "UTC", sc._UTC_REASON
        record.time_label = sc._TIME_LABEL
        for repeating, count, examples in sorted(empty.get(fid, []), key=lambda r: not r[0]):
            reason = (
                "empty row repeating the timestamp of a row with values"
                if repeating
                else "no measurement values (all fields empty or missing codes)"
            )
            record.drop_rows(reason, int(count), [_label(t, typed) for t in examples])
        record.rows_kept = int(n_kept)
        record.values_read = int(n_kept) * len(mapped)
        counts = kept_cells.get(fid, ())
        record.readings_kept = int(sum(counts))
        order = {name: i for i, name in enumerate(mapped)}
        for col, code, count, text, examples in sorted(
            values.get(fid, []), key=lambda r: (order.get(r[0], 0), r[1])
        ):
            if code == _EMPTY:
                reason = "empty field"
            elif code == _CODE:
                reason = f"missing-value code '{text}'"
            else:
                reason = "not a number"
            shown = []
            for example in examples:
                cell = example["x"]
                value = ("nan" if typed else repr("")) if cell is None else repr(cell)
                shown.append(f"{col}={value} at {_label(example['ts'], typed)}")
            record.drop_readings(reason, int(count), shown)
        rows = []
        for sid, _first, last, _places in sensors.get(fid, []):
            sensor_id = f"sensorcommunity:{sid}"
            places = stats["moved"].get((fid, sid))
            if places and len(places) > 1:
                record.note(
                    f"{sensor_id} reported from {len(places)} locations "
                    f"({', '.join(str(p) for p in places[:5])}); the sensors table gives the last."
                )
            rows.append(
                {
                    "sensor_id": sensor_id,
                    "name": f"{last['t']} {sid}",
                    "source": sc.SOURCE,
                    "latitude": float("nan") if last["la"] is None else float(last["la"]),
                    "longitude": float("nan") if last["lo"] is None else float(last["lo"]),
                    "model": last["t"],
                    "location_type": "outdoor",
                    "timezone": None,
                    "location_id": str(last["l"]),
                    "coordinate_precision_deg": 0.001,
                }
            )
        repeated = int(stats["repeated"].get(fid, 0))
        if repeated:
            record.note(
                f"{repeated} {sc._REPEATED_NOTE} of an earlier row of the same sensor; "
                "all were kept (the quality checks flag duplicates)."
            )
        record.sensors = [r["sensor_id"] for r in rows]
        out[fid] = (record, rows)
    return out


def _sensor_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the sensors rows of consecutive fast-pass files as one frame.

    A text column with a missing value (a sensor without a zone, at 0, 0) is ``object``
    with ``None``, as the pandas path's concatenation of one frame per file gives it
    (a file's column of ``None`` alone is ``object``), not pandas' ``str`` with NaN.
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    for column in frame.columns:
        values = frame[column]
        if values.dtype != "float64" and values.isna().any():
            frame[column] = values.astype(object).where(values.notna(), None)
    return frame


def _fill_zones(
    out: dict[int, tuple[FileRecord, list[dict[str, Any]]]],
) -> None:
    """Find every fast-pass sensor's zone with the pandas path's own function, at once."""
    import pandas as pd

    from .._zones import fill_sensor_zones
    from ..readers import sensor_community as sc
    from ..sensordata import normalise_sensors

    keys = [(fid, i) for fid, (_, rows) in out.items() for i in range(len(rows))]
    if not keys:
        return
    frame = pd.DataFrame([out[fid][1][i] for fid, i in keys])
    frame["sensor_id"] = [f"{fid}/{i}" for fid, i in keys]  # one row per file and sensor
    probe = FileRecord(path="", timezone="UTC", timezone_reason=sc._UTC_REASON)
    filled = fill_sensor_zones(normalise_sensors(frame), probe)
    zones = dict(zip(filled["sensor_id"], filled["timezone"], strict=True))
    for (fid, i), key in zip(keys, frame["sensor_id"], strict=True):
        record, rows = out[fid]
        rows[i]["timezone"] = zones[key]
        record.sensor_zones[rows[i]["sensor_id"]] = probe.sensor_zones[key]


# -- writing --------------------------------------------------------------------------
def _write_fast(
    con: duckdb.DuckDBPyConnection,
    columns: list[str],
    bad: list[int],
    target: Path,
    stem: str,
) -> None:
    """Write the staged values (unpivoted, in canonical units) to the readings dataset.

    Every staged file is written but the ``bad`` ones (left to the pandas readers), one
    Parquet file ``<stem>.parquet`` per month in ``source=.../month=YYYY-MM/``. Each
    row's values become a list of (variable, value, unit), unnested; the cells without
    a value (not a number, missing) are left out. Writing month by month with a time
    filter costs half of DuckDB's ``PARTITION_BY`` (measured); the text columns
    (sensor ids of the block, variables, units) are written from ``ENUM`` values (read
    back as ``VARCHAR``), 15 % cheaper than strings.
    Every column is written as nullable, as ``PARTITION_BY`` writes them (``nullif``:
    DuckDB marks a column ``NOT NULL`` in the Parquet schema when the table's
    statistics show no missing value), so all files of the dataset have one schema.
    """
    from ..readers import sensor_community as sc
    from ..units import conversion

    if not columns:
        return
    cells, variables, units = [], [], []
    for c in columns:
        variable, unit = sc.VARIABLE_MAP[c]
        how = conversion(variable, unit)
        value = _q("v_" + c)
        if not how.is_identity:
            value = f"{value} * {how.factor!r}::DOUBLE + {how.offset!r}::DOUBLE"
        cells.append((variable, value, how.to_unit))
        variables.append(variable)
        units.append(how.to_unit)
    variable_type = "ENUM(" + ", ".join(map(sql_text, dict.fromkeys(variables))) + ")"
    unit_type = "ENUM(" + ", ".join(map(sql_text, dict.fromkeys(units))) + ")"
    structs = ", ".join(
        f"{{'variable': {sql_text(v)}::{variable_type}, 'value': {value}, "
        f"'unit': {sql_text(u)}::{unit_type}}}"
        for v, value, u in cells
    )
    good = f"fid NOT IN ({', '.join(map(str, bad))})" if bad else "true"
    ids = con.execute(
        f"SELECT DISTINCT sid FROM _toolkit_s WHERE {good} AND sid IS NOT NULL ORDER BY sid"
    ).fetchall()
    if not ids:  # no sensor id, so no reading (a row without one is odd)
        return
    id_type = "ENUM(" + ", ".join(sql_text(f"sensorcommunity:{i}") for (i,) in ids) + ")"
    valued = " OR ".join(f"{_q('v_' + c)} IS NOT NULL" for c in columns)
    months = con.execute(
        f"SELECT DISTINCT date_trunc('month', ts) AS m FROM _toolkit_s "
        f"WHERE {good} AND ({valued}) ORDER BY m"
    ).fetchall()
    for (first,) in months:
        month = f"{first:%Y-%m}"
        folder = target / f"source={sc.SOURCE}" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        begin = f"TIMESTAMP '{month}-01'"
        con.execute(
            f"""COPY (
                  SELECT nullif(('sensorcommunity:' || sid::VARCHAR)::{id_type}, '') AS sensor_id,
                         ts::TIMESTAMPTZ AS time, u.variable, u.value, u.unit,
                         NULL::VARCHAR AS channel
                  FROM (SELECT sid, ts, unnest([{structs}]) AS u FROM _toolkit_s
                        WHERE {good} AND ts >= {begin}
                          AND ts < {begin} + INTERVAL 1 MONTH)
                  WHERE u.value IS NOT NULL
                ) TO {sql_text(str(folder / (stem + ".parquet")))}
                  (FORMAT parquet, COMPRESSION zstd)"""
        )


def _append_pandas(con: duckdb.DuckDBPyConnection, parts: list[SensorData], target: Path) -> None:
    """Append the readings of pandas-read files to the dataset."""
    import pandas as pd

    frames = []
    for part in parts:
        if part.readings.empty:
            continue
        readings = part.readings
        sources = dict(
            zip(part.sensors["sensor_id"].astype(str), part.sensors["source"], strict=False)
        )
        ids = readings["sensor_id"].astype(str)
        frame = pd.DataFrame(
            {
                "sensor_id": ids.to_numpy(dtype=object),
                "time": readings["time"].to_numpy(),
                "variable": readings["variable"].astype(str).to_numpy(dtype=object),
                "value": readings["value"].to_numpy(dtype="float64"),
                "unit": readings["unit"].astype(str).to_numpy(dtype=object),
                "channel": (
                    readings["channel"].astype(object).where(readings["channel"].notna(), None)
                    if "channel" in readings.columns
                    else None
                ),
                "source": ids.map(sources).fillna("unknown").astype(str).to_numpy(dtype=object),
            }
        )
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        frames.append(frame)
    if not frames:
        return
    table = pd.concat(frames, ignore_index=True)
    table["channel"] = table["channel"].astype(object)
    con.register("_toolkit_pandas", table)
    con.execute(
        f"""COPY (
              SELECT sensor_id::VARCHAR AS sensor_id, time::TIMESTAMPTZ AS time,
                     variable::VARCHAR AS variable, value::DOUBLE AS value,
                     unit::VARCHAR AS unit, channel::VARCHAR AS channel,
                     source::VARCHAR AS source, strftime(time, '%Y-%m') AS month
              FROM _toolkit_pandas
            ) TO {sql_text(str(target))} (FORMAT parquet, PARTITION_BY (source, month),
                  APPEND, COMPRESSION zstd)"""
    )
    con.unregister("_toolkit_pandas")


# -- the whole ingest -----------------------------------------------------------------
def _progress(items: Iterable[Any], show: bool, desc: str, unit: str = "file") -> Any:
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit=unit)


def fingerprint(items: list[Any], options: dict[str, Any]) -> str | None:
    """Return a key for the inputs (paths, sizes, modification times) and options.

    ``None`` when an input is not a file on disk (a buffer cannot be recognised again).
    """
    import json

    from .. import __version__

    listed = []
    for item in items:
        if not isinstance(item, str | Path):
            return None
        path = Path(item)
        try:
            stat = path.stat()
        except OSError:
            return None
        listed.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    text = json.dumps([__version__, sorted(map(str, options.items())), listed], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _reusable(folder: Path, items: list[Any], options: dict[str, Any]) -> bool:
    """Tell whether the dataset in ``folder`` was made from these very files and options."""
    from ._dataset import read_manifest

    manifest = read_manifest(folder)
    if manifest is None or manifest.get("complete") is not True:
        return False
    if manifest.get("options") != {k: str(v) for k, v in sorted(options.items())}:
        return False
    listed = manifest.get("files", [])
    if len(listed) != len(items):
        return False
    for entry, item in zip(listed, items, strict=True):
        if not isinstance(item, str | Path) or entry.get("path") != str(item):
            return False
        try:
            stat = Path(item).stat()
        except OSError:
            return False
        if entry.get("size") != stat.st_size or entry.get("mtime_ns") != stat.st_mtime_ns:
            return False
    return True


def default_dataset(key: str) -> Path:
    """Return the dataset folder under the toolkit cache for an input ``key``."""
    from ..fetch._cache import cache_folder

    return cache_folder() / "datasets" / key[:24]


def ingest(
    items: list[Any],
    *,
    read_fallback: Callable[[Any], list[SensorData]],
    dataset: str | Path | None = None,
    file_timezone: str | None = None,
    sensor_timezone: str | None = None,
    source: str = "auto",
    options: dict[str, Any] | None = None,
    progress: bool | None = None,
    skipped: Ledger | None = None,
    memory_limit: str | int | None = None,
    threads: int | None = None,
) -> LazySensorData:
    """Read files into a Parquet readings dataset and return it as a LazySensorData.

    Parameters
    ----------
    items
        Files (paths) and buffers, as :func:`toolkit.load` expands them.
    read_fallback
        Reads one item with the pandas readers, returning SensorData parts (failures
        as failed ledger records), as ``load`` does.
    dataset
        Folder of the dataset; default under the toolkit cache, keyed by the inputs'
        paths, sizes and modification times. An existing dataset whose manifest lists
        the same files (same size and modification time) and options is reused: no
        file is read again. Otherwise the folder's readings are replaced.
    file_timezone, sensor_timezone, source, options
        As for :func:`toolkit.load`. The fast pass takes Sensor.Community archive CSVs
        whose clock is UTC (``file_timezone`` ``None``); everything else is read by the
        pandas readers.
    progress
        Show progress bars; by default when there are more than five files.
    skipped
        Ledger records of files skipped while expanding folders (added to the ledger).
    memory_limit, threads
        For DuckDB (:func:`toolkit.engine.connect`).

    Returns
    -------
    LazySensorData
        Readings in ``<dataset>/readings`` (times UTC, canonical units); the ledger has
        one record per file, equal to the pandas reader's plus a note saying which path
        read it; the history has one ``load`` step naming the engine.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from ..history import History, Step
    from ..loading import _sensor_zones
    from ..sensordata import SensorData, empty_readings, normalise_sensors
    from ._connect import connect
    from ._dataset import write_history, write_ledger, write_manifest, write_sensors
    from ._lazy import LazySensorData

    options = dict(options or {})
    key_options = {
        "file_timezone": file_timezone,
        "sensor_timezone": sensor_timezone,
        "source": source,
        **options,
    }
    if dataset is None:
        key = fingerprint(items, key_options) or uuid.uuid4().hex
        folder = default_dataset(key)
    else:
        folder = Path(dataset).expanduser().resolve()
    if _reusable(folder, items, key_options):
        return LazySensorData.open(folder)
    show = progress if progress is not None else len(items) > 5

    if folder.exists():
        for name in ("readings", "_staged"):
            shutil.rmtree(folder / name, ignore_errors=True)
        (folder / "manifest.json").unlink(missing_ok=True)
    target = folder / "readings"
    staged_dir = folder / "_staged"
    staged_dir.mkdir(parents=True, exist_ok=True)

    entries = [_Input(i, item) for i, item in enumerate(items)]
    con = connect(memory_limit=memory_limit, threads=threads)
    con.execute("SET enable_progress_bar = false")
    try:
        # Scan the files; the fast pass's go to DuckDB in batches of about _BATCH_BYTES
        # of text (one CSV per header), so that memory stays flat whatever their number.
        # DuckDB reads a batch on a worker thread while the next one is scanned.
        results: dict[int, tuple[FileRecord, list[dict[str, Any]]]] = {}
        reading = _bar(show, "Reading with DuckDB", len(entries))
        batch = _Batch(staged_dir, 0)
        fid = 0
        with ThreadPoolExecutor(max_workers=1) as worker:
            pending: Future[dict[int, tuple[FileRecord, list[dict[str, Any]]]]] | None = None
            for entry in _progress(entries, show, "Scanning files"):
                data = _scan(entry)
                if source not in ("auto", "sensor_community") and not entry.why_not:
                    entry.why_not = f"source={source!r} was asked for"
                if file_timezone is not None and not entry.why_not:
                    entry.why_not = (
                        "file_timezone= was given (the fast pass reads the archive's UTC)"
                    )
                if entry.why_not or data is None:
                    continue
                entry.fid, fid = fid, fid + 1
                batch.add(entry, data)
                del data
                if batch.size >= _BATCH_BYTES:
                    if pending is not None:
                        results.update(pending.result())
                    pending = worker.submit(_read_batch, con, batch, target, reading)
                    batch = _Batch(staged_dir, batch.number + 1)
            if pending is not None:
                results.update(pending.result())
        results.update(_read_batch(con, batch, target, reading))
        reading.close()
        _fill_zones(results)
        shutil.rmtree(staged_dir, ignore_errors=True)

        # The files the fast pass did not take, one by one with the pandas readers.
        slow = [e for e in entries if e.why_not]
        batch: list[SensorData] = []
        held = 0
        for entry in _progress(slow, show and len(slow) > 5, "Reading files (pandas)"):
            entry.parts = read_fallback(entry.item)
            for part in entry.parts:
                for record in part.ledger:
                    if record.status != "failed":
                        record.note(
                            f"{FALLBACK_NOTE} (the DuckDB engine's fast pass does not take "
                            f"it: {entry.why_not})."
                        )
            batch.extend(entry.parts)
            held += sum(len(p) for p in entry.parts)
            if held >= _FLUSH_READINGS:
                _append_pandas(con, batch, target)
                batch, held = [], 0
        _append_pandas(con, batch, target)

        # Ledger and sensors, in the order of the inputs.
        records: list[FileRecord] = []
        sensor_frames: list[pd.DataFrame] = []
        run: list[dict[str, Any]] = []  # sensor rows of consecutive fast-pass files
        n_fast = 0
        for entry in entries:
            if entry.fid >= 0 and entry.fid in results and not entry.why_not:
                record, rows = results[entry.fid]
                record.assess()
                record.note(f"{ENGINE_NOTE} (one pass over the archive CSVs).")
                records.append(record)
                run.extend(rows)
                n_fast += 1
                continue
            if run:
                sensor_frames.append(_sensor_frame(run))
                run = []
            for part in entry.parts:
                for record in part.ledger:
                    records.append(record)
                if len(part.sensors):
                    sensor_frames.append(part.sensors)
        if run:
            sensor_frames.append(_sensor_frame(run))
        if skipped:
            records.extend(skipped)
        sensors = (
            normalise_sensors(pd.concat(sensor_frames, ignore_index=True))
            if sensor_frames
            else SensorData.empty().sensors
        )
        settled = _sensor_zones(
            SensorData(empty_readings(), sensors, Ledger(records)), sensor_timezone
        )
        ledger = Ledger(settled.ledger)
        step = Step(
            name="load",
            description=(
                f"Read {len(entries)} file(s) with the DuckDB engine: {n_fast} in one pass, "
                f"{len(entries) - n_fast} with the pandas readers; the readings are kept "
                f"in the Parquet dataset {folder}."
            ),
            parameters={"engine": "duckdb", "dataset": str(folder)},
        )
        history = History((step,))
        folder.mkdir(parents=True, exist_ok=True)
        write_sensors(folder, settled.sensors)
        write_ledger(folder, ledger)
        write_history(folder, history)
        write_manifest(
            folder,
            [
                {
                    "path": str(e.item),
                    "size": e.size,
                    "mtime_ns": e.mtime_ns,
                    "sha256": e.sha256,
                    "format": _FORMAT if e.fid >= 0 and not e.why_not else "pandas",
                }
                for e in entries
            ],
            complete=all(isinstance(e.item, str | Path) for e in entries),
            options={k: str(v) for k, v in sorted(key_options.items())},
        )
    finally:
        con.close()
    return LazySensorData(readings_glob(folder), settled.sensors, ledger, history, "", folder)


class _NoBar:
    """Stands for a progress bar when none is shown."""

    def update(self, n: int) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""


def _bar(show: bool, desc: str, total: int) -> Any:
    """Return a progress bar counting files (or one that shows nothing)."""
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="file")


class _Batch:
    """Fast-pass files waiting for DuckDB: one block file of data lines per header."""

    def __init__(self, folder: Path, number: int) -> None:
        self.folder, self.number = folder, number
        self.groups: dict[str, tuple[BinaryIO, list[_Input]]] = {}
        self.size = 0  # bytes written

    def add(self, entry: _Input, data: bytes) -> None:
        """Append a scanned file's data lines to its header's block."""
        block = _body(entry, data)
        if entry.header not in self.groups:
            path = self.folder / f"b{self.number}-{len(self.groups)}.csv"
            self.groups[entry.header] = (path.open("wb"), [])
        handle, members = self.groups[entry.header]
        handle.write(block)
        members.append(entry)
        self.size += len(block)


def _read_batch(
    con: duckdb.DuckDBPyConnection, batch: _Batch, target: Path, bar: Any
) -> dict[int, tuple[FileRecord, list[dict[str, Any]]]]:
    """Stage, account for and write the readings of a batch, block by block."""
    out: dict[int, tuple[FileRecord, list[dict[str, Any]]]] = {}
    for header, (handle, members) in batch.groups.items():
        handle.close()
        path = Path(handle.name)
        names = [n.strip() for n in header.split(";")]
        out.update(_read_block(con, members, names, path, target))
        path.unlink(missing_ok=True)
        bar.update(len(members))
    return out


def _read_block(
    con: duckdb.DuckDBPyConnection,
    members: list[_Input],
    names: list[str],
    path: Path,
    target: Path,
) -> dict[int, tuple[FileRecord, list[dict[str, Any]]]]:
    """Read one block file (files of one header): records of the files it could take.

    A block DuckDB cannot read at all is split in two, read again from the files,
    until the culprit is found; that file is left to the pandas readers.
    """
    import duckdb

    try:
        rn = _stage(con, names, path)
    except duckdb.Error as error:
        if len(members) == 1:
            members[0].why_not = f"DuckDB could not read it ({str(error).splitlines()[0]})"
            return {}
        out: dict[int, tuple[FileRecord, list[dict[str, Any]]]] = {}
        half = len(members) // 2
        for suffix, part in (("a", members[:half]), ("b", members[half:])):
            sub = path.with_name(path.stem + suffix + ".csv")
            with sub.open("wb") as handle:
                for member in part:
                    handle.write(_body(member, _reread(member)))
            out.update(_read_block(con, part, names, sub, target))
            sub.unlink(missing_ok=True)
        return out
    columns = [name for _, name in _mapped(names)]
    results = _records(members, _stats(con, columns, rn), names)
    bad = [m.fid for m in members if m.fid not in results]
    if len(bad) < len(members):
        _write_fast(con, columns, bad, target, path.stem)
    con.execute("DROP TABLE IF EXISTS _toolkit_s")
    return results


def _stage(con: duckdb.DuckDBPyConnection, names: list[str], path: Path) -> str:
    """Stage one block file's rows into the temporary table ``_toolkit_s``.

    Returns the SQL of a row's place in the block (``rowid``). The order is checked:
    each file's rows must be one run of ``rowid``, the files' runs in file order;
    if not, the block is staged again with explicit row numbers (``rn``).
    """
    con.execute(_stage_sql(str(path), names))
    disorder = con.execute(
        """SELECT count(*) FROM (
             SELECT min(rowid) AS lo, max(rowid) AS hi, count(*) AS n,
                    lag(max(rowid)) OVER (ORDER BY fid) AS before
             FROM _toolkit_s GROUP BY fid)
           WHERE hi - lo + 1 <> n OR lo <> coalesce(before + 1, 0)"""
    ).fetchone()
    if disorder is None or disorder[0] == 0:
        return "rowid"
    con.execute(_stage_sql(str(path), names, numbered=True))
    return "rn"
