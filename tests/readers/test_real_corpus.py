"""Conformance test on the real-world corpus in ``tests/data/real/``.

Every file there is a real export taken byte for byte from a public repository (origin,
licence and checksum in ``tests/data/real/SOURCES.csv``; how they were chosen in its
README). For each file this module reads the file a second time *without the toolkit*,
with a few lines of ``csv``/``json`` code driven by the manifest columns (delimiter,
header line, column names, time column, time format and zone as the platform documents
them), and compares what the toolkit made of it with that independent reading.

What is checked, per file
-------------------------
1. The SHA-256 and the size of the file match the manifest (the bytes are the origin's).
2. The independent reading reproduces the expectations recorded in the manifest
   (``expected_cells``, ``expected_first_utc``, ``expected_last_utc``, ``expected_spots``):
   this guards the fixture itself against drifting.
3. ``toolkit.load(path, errors="collect")`` reads the file, and the rule on lost values
   holds. ``N`` is the number of *valid numeric cells* in the file's measurement columns
   (the ones listed in ``value_columns``): a cell is valid when, stripped, it parses as a
   finite Python ``float`` and is not one of the platform's documented missing-value codes
   (``missing_codes``). ``K`` is the number of toolkit readings whose variable is one of the
   canonical variables those columns map to. The rule is:

   * the file's ledger record has status ``"ok"`` (not ``"failed"``, nor ``"partial"``,
     which the ledger uses for a structural loss of more than 1 %);
   * ``K <= N`` (the toolkit never invents values);
   * ``K >= 0.99 * N``, **or** every missing cell is explained in the ledger: ``N - K`` is
     at most the sum of the record's ``readings_dropped`` counts (drops with a stated
     reason, such as a duplicated timestamp or an out-of-range code).

4. Spot values: for a few rows (first, middle, last data row) every valid measurement cell
   must appear as a reading of the mapped variable at the row's UTC time, with the value in
   the canonical unit (conversions are written in the manifest: ``*0.01`` for Pa -> hPa,
   ``degF`` for °F -> °C, ``*0.001`` for µg/m³ -> mg/m³).
5. The first and last UTC times of the toolkit's readings (of the mapped variables) equal
   the first and last times of the rows with at least one valid cell.
6. ``toolkit.timeseries.average(toolkit.quality.check(data), "1h")`` runs with its
   defaults. Until time zones are inferred from coordinates this may raise a
   ``TimestampError`` for files whose timestamps carry no zone: that is a real failure.

Nothing here is skipped or marked as an expected failure: a file the toolkit cannot read
fails its test, which names the file and the shortfall.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
MANIFEST = REAL / "SOURCES.csv"


# ---------------------------------------------------------------------------------------
# The independent reading (standard library only)
# ---------------------------------------------------------------------------------------


def manifest_rows() -> list[dict[str, str]]:
    """Return the manifest rows, one per corpus file."""
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_columns(spec: str) -> dict[str, tuple[str, str]]:
    """Parse ``col>variable[*factor|degF]|...`` into ``{col: (variable, conversion)}``."""
    out: dict[str, tuple[str, str]] = {}
    for item in filter(None, spec.split("|")):
        column, target = item.split(">", 1)
        conversion = ""
        for marker in ("*", "@"):
            if marker in target:
                target, conversion = target.split(marker, 1)
                conversion = marker + conversion
        out[column] = (target, conversion)
    return out


def convert(value: float, conversion: str) -> float:
    """Convert a file value into the canonical unit named by the manifest."""
    if not conversion:
        return value
    if conversion.startswith("*"):
        return value * float(conversion[1:])
    if conversion == "@degF":
        return (value - 32.0) * 5.0 / 9.0
    msg = f"unknown conversion {conversion!r}"
    raise ValueError(msg)


def number(text: Any, missing: set[str]) -> float | None:
    """Return the float in a cell, or None when the cell is not a valid number."""
    if text is None or isinstance(text, bool):
        return None
    raw = str(text).strip()
    if not raw or raw in missing:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value) or repr(value) in missing or f"{value:g}" in missing:
        return None
    return value


def to_utc(text: Any, time_format: str, zone: str) -> datetime | None:
    """Turn a timestamp cell into an aware UTC datetime (None when it cannot be read)."""
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip()
    if time_format == "epoch":
        return datetime.fromtimestamp(float(raw), tz=UTC)
    if time_format == "iso":
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    else:
        stamp = datetime.strptime(raw, time_format)
    if stamp.tzinfo is None:
        if zone in ("", "none"):
            return None
        stamp = stamp.replace(tzinfo=ZoneInfo(zone))
    return stamp.astimezone(UTC)


def read_rows(path: Path, row: dict[str, str]) -> list[dict[str, Any]]:
    """Read a corpus file into records ``{"time": <cell>, <column>: <cell>, ...}``."""
    parser = row["parser"]
    data = path.read_bytes()
    if path.name.endswith(".gz"):  # archive files as the platform serves them
        data = gzip.decompress(data)
    if parser in ("wide_csv", "long_csv"):
        text = data.decode("utf-8-sig")
        lines = text.splitlines()
        header_line = int(row["header_line"] or 1)
        body = lines[header_line:]
        names = row["names"].split("|") if row["names"] else None
        if names is None:
            names = next(csv.reader([lines[header_line - 1]], delimiter=row["delimiter"]))
        names = [n.strip() for n in names]
        out = []
        for fields in csv.reader(body, delimiter=row["delimiter"]):
            if not fields or all(not f.strip() for f in fields):
                continue
            out.append(dict(zip(names, fields, strict=False)))
        return out
    document = json.loads(data.decode("utf-8-sig"))
    if parser == "sc_api_json":
        out = []
        for record in document:
            flat: dict[str, Any] = {row["time_column"]: record.get("timestamp")}
            for item in record.get("sensordatavalues", []):
                flat[item["value_type"]] = item.get("value")
            out.append(flat)
        return out
    if parser == "openaq_v3_json":
        return [
            {
                row["time_column"]: r["period"]["datetimeFrom"]["utc"],
                "parameter": r["parameter"]["name"],
                "value": r["value"],
            }
            for r in document["results"]
        ]
    msg = f"unknown parser {parser!r}"
    raise ValueError(msg)


def independent_reading(path: Path, row: dict[str, str]) -> dict[str, Any]:
    """Count valid cells, first/last times and spot values of one file without the toolkit.

    Returns a dict with ``cells`` (int), ``first``/``last`` (ISO UTC strings),
    ``spots`` (list of ``(iso_time, variable, value)``) and ``variables`` (set).
    """
    records = read_rows(path, row)
    missing = set(filter(None, row["missing_codes"].split("|")))
    columns = parse_columns(row["value_columns"])
    time_column, time_format, zone = row["time_column"], row["time_format"], row["time_zone"]
    long = row["parser"] in ("long_csv", "openaq_v3_json")
    parameter_column, value_column = row["long_parameter"], row["long_value"]

    def cells_of(record: dict[str, Any]) -> list[tuple[str, float]]:
        found = []
        if long:
            mapped = columns.get(str(record.get(parameter_column, "")).strip())
            value = number(record.get(value_column), missing)
            if mapped and value is not None:
                found.append((mapped[0], convert(value, mapped[1])))
            return found
        for column, (variable, conversion) in columns.items():
            value = number(record.get(column), missing)
            if value is not None:
                found.append((variable, convert(value, conversion)))
        return found

    cells = 0
    times: list[datetime] = []
    for record in records:
        found = cells_of(record)
        if found:
            cells += len(found)
            stamp = to_utc(record.get(time_column), time_format, zone)
            if stamp is not None:
                times.append(stamp)
    spots = []
    for index in spot_indices(len(records), row["spot_rows"]):
        record = records[index]
        stamp = to_utc(record.get(time_column), time_format, zone)
        for variable, value in cells_of(record):
            spots.append((stamp.isoformat() if stamp else "", variable, round(value, 9)))
    return {
        "cells": cells,
        "first": min(times).isoformat() if times else "",
        "last": max(times).isoformat() if times else "",
        "spots": spots,
        "variables": {v for v, _ in columns.values()},
    }


def spot_indices(n: int, spec: str) -> list[int]:
    """Row indices named by ``spot_rows`` (``first``, ``mid``, ``last`` or numbers)."""
    out = []
    for item in filter(None, spec.split("|")):
        index = {"first": 0, "mid": n // 2, "last": n - 1}.get(item)
        out.append(int(item) if index is None else index)
    return [i for i in out if 0 <= i < n]


def spots_to_text(spots: list[tuple[str, str, float]]) -> str:
    """Serialise spot values as written in the manifest."""
    return ";".join(f"{t}|{v}|{x!r}" for t, v, x in spots)


# ---------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------

ROWS = manifest_rows() if MANIFEST.exists() else []


@pytest.fixture(params=ROWS, ids=[r["file"] for r in ROWS])
def corpus_file(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str], dict[str, Any]]:
    """One corpus file, its manifest row and its independent reading."""
    row = request.param
    path = REAL / row["file"]
    return path, row, independent_reading(path, row)


def test_manifest_is_not_empty() -> None:
    assert len(ROWS) >= 40, f"the corpus has only {len(ROWS)} files"
    total = sum((REAL / r["file"]).stat().st_size for r in ROWS)
    assert total < 15_000_000, f"corpus is {total} bytes"


def test_real_file(corpus_file: tuple[Path, dict[str, str], dict[str, Any]]) -> None:
    import toolkit

    path, row, expected = corpus_file
    data_bytes = path.read_bytes()
    assert hashlib.sha256(data_bytes).hexdigest() == row["sha256"], "bytes differ from origin"
    assert len(data_bytes) == int(row["bytes"])

    # The independent reading matches what the manifest recorded.
    assert expected["cells"] == int(row["expected_cells"])
    assert expected["first"] == row["expected_first_utc"]
    assert expected["last"] == row["expected_last_utc"]
    assert spots_to_text(expected["spots"]) == row["expected_spots"]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = toolkit.load(path, errors="collect")
    record = next((r for r in data.ledger if Path(r.path).name == path.name), None)
    assert record is not None, (
        f"no ledger record names {path.name}; ledger paths: {[r.path for r in data.ledger]}"
    )
    notes = f"status={record.status} error={record.error} dropped={record.readings_dropped}"
    notes += (
        f" rows_dropped={record.rows_dropped} warnings={[str(w.message)[:200] for w in caught]}"
    )
    assert record.status == "ok", notes

    readings = data.readings[data.readings["variable"].astype(str).isin(expected["variables"])]
    kept, wanted = len(readings), expected["cells"]
    explained = sum(record.readings_dropped.values())
    assert kept <= wanted, f"kept {kept} readings, file has {wanted} valid cells; {notes}"
    assert kept >= 0.99 * wanted or wanted - kept <= explained, (
        f"kept {kept} of {wanted} valid cells ({wanted - kept} missing, {explained} "
        f"explained in the ledger); {notes}"
    )

    times = readings["time"]
    assert times.min().isoformat() == expected["first"], notes
    assert times.max().isoformat() == expected["last"], notes
    for stamp, variable, value in expected["spots"]:
        at = readings[(readings["variable"].astype(str) == variable)]
        at = at[at["time"] == datetime.fromisoformat(stamp)]
        assert len(at), f"no {variable} reading at {stamp}; {notes}"
        assert any(math.isclose(v, value, rel_tol=1e-6, abs_tol=1e-9) for v in at["value"]), (
            f"{variable} at {stamp}: file says {value}, toolkit has {list(at['value'])}"
        )

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        hourly = toolkit.timeseries.average(toolkit.quality.check(data), "1h")
    assert len(hourly.readings) > 0
