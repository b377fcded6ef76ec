"""Export data in open formats a community keeps: a Frictionless Data Package.

:func:`export` writes one folder that any spreadsheet, any programming language and the
toolkit itself can read, with no toolkit needed to understand it:

=====================  ================================================================
file                   what it holds
=====================  ================================================================
``datapackage.json``   the descriptor (Frictionless Data Package [1]_): title, licence,
                       sources, and for each table its columns, types, units and
                       meaning (Table Schema [2]_); a ``toolkit`` section with the full
                       history (every step, its parameters and sources), the load-time
                       ledger and what is needed to restore the exact tables
``readings.csv``       one row per value: sensor, time (UTC), variable, value, unit,
                       flags...
``readings.parquet``   the same table in Apache Parquet (smaller, faster to load)
``sensors.csv``        one row per sensor
``sensors.geojson``    the sensors as points on a map (GeoJSON [3]_)
``ledger.csv``         what happened to every file at load time
``README.md``          all of the above in plain words, and how to open the files
=====================  ================================================================

Conventions
-----------
Times are written in UTC as ISO 8601 with a ``Z`` (``2024-10-07T00:00:00Z``), with as
many decimals of a second as the data needs (up to nanoseconds). Numbers are written
with the shortest text that reads back as exactly the same number. Empty cells are
missing values; an empty text is written ``""``. Files are UTF-8.

:func:`toolkit.load` reads the folder (or its ``datapackage.json``) back into a
``SensorData`` whose readings, sensors and history equal the exported ones
(:mod:`toolkit.readers.datapackage`).

Writing is atomic: everything is written into a hidden sibling folder which is renamed
into place at the end, so a failure never leaves a half-written export that looks
complete. ``overwrite=True`` only ever replaces an earlier export (a folder holding a
toolkit ``datapackage.json``), never another folder.

The ``toolkit`` section of the descriptor
-----------------------------------------
``format`` (``"urban-data-toolkit/export"``), ``format_version``, ``version`` (of the
toolkit), ``created_with``, ``shared`` (the ``share`` step's parameters, or ``null``),
``tables`` (per table: ``rows`` and, per column, its pandas ``dtype`` and how it was
encoded: categories in order, which empty cells were ``None`` and which ``NaN``...),
``history`` (every step: ``name, description, parameters, citation, touched``), ``ledger``
(``summary`` and every ``records``) and ``provenance`` (Python and package versions).
Values JSON cannot hold are tagged: ``{"$float": "nan"}``, ``{"$tuple": [...]}``,
``{"$set": [...]}``, ``{"$timestamp": "..."}``, ``{"$timedelta": "..."}``,
``{"$dict": [[key, value], ...]}`` (for keys that are not text), ``{"$repr": "..."}``
(anything else, kept as text).

References
----------
.. [1] Frictionless Data, Data Package specification v2.0 (2024),
   https://datapackage.org/standard/data-package/ (v1 readers accept it).
.. [2] Frictionless Data, Table Schema v2.0, https://datapackage.org/standard/table-schema/
.. [3] Butler et al. (2016) The GeoJSON Format, RFC 7946.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ToolkitError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from .sensordata import SensorData

__all__ = ["FORMAT", "FORMATS", "LICENCES", "ExportError", "ExportExistsError", "export"]

#: The value of ``toolkit.format`` in the descriptor, and its version.
FORMAT = "urban-data-toolkit/export"
FORMAT_VERSION = 1
#: The file formats the readings can be written in.
FORMATS = ("csv", "parquet")
#: Licences :func:`export` knows: SPDX id -> (URL, title).
LICENCES: dict[str, tuple[str, str]] = {
    "CC0-1.0": (
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "Creative Commons Zero v1.0 Universal (public domain)",
    ),
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "CC-BY-NC-4.0": (
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "Creative Commons Attribution-NonCommercial 4.0 International",
    ),
    "ODbL-1.0": (
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "Open Data Commons Open Database License v1.0",
    ),
    "ODC-By-1.0": (
        "https://opendatacommons.org/licenses/by/1-0/",
        "Open Data Commons Attribution License v1.0",
    ),
    "PDDL-1.0": (
        "https://opendatacommons.org/licenses/pddl/1-0/",
        "Open Data Commons Public Domain Dedication and License v1.0",
    ),
}
_DESCRIPTOR = "datapackage.json"
_SCHEMA_URL = "https://datapackage.org/profiles/2.0/datapackage.json"
_LEDGER_COLUMNS = (
    "path",
    "format",
    "status",
    "rows_read",
    "rows_kept",
    "rows_dropped",
    "values_read",
    "readings_kept",
    "readings_dropped",
    "drop_reasons",
    "timezone",
    "time_label",
    "conversions",
    "notes",
    "error",
    "sha256",
)
_NS_PER_DAY = 86_400_000_000_000
_NS_PER_S = 1_000_000_000


class ExportError(ToolkitError, ValueError):
    """An export option that cannot be used (formats, licence, title)."""


class ExportExistsError(ToolkitError, FileExistsError):
    """The export folder already holds files, and may not (or cannot) be replaced."""


# --------------------------------------------------------------------------- JSON values


def to_json(value: Any) -> Any:
    """Return ``value`` as JSON-ready data, tagging what JSON cannot hold (see module)."""
    from datetime import datetime as datetime_type

    import numpy as np
    import pandas as pd

    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [to_json(v) for v in value]}
    if isinstance(value, set | frozenset):
        items = [to_json(v) for v in value]
        return {"$set": sorted(items, key=lambda v: json.dumps(v, sort_keys=True))}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: to_json(v) for k, v in value.items()}
        return {"$dict": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, datetime_type):  # pandas Timestamps are datetimes too
        return {"$timestamp": value.isoformat()}
    if isinstance(value, pd.Timedelta):
        return {"$timedelta": value.isoformat()}
    return {"$repr": repr(value)}


# --------------------------------------------------------------------------- columns


def _fraction_digits(ns: np.ndarray, valid: np.ndarray) -> int:
    """Return how many decimals of a second the times need: 0, 3, 6 or 9."""
    import numpy as np

    fraction = np.mod(ns[valid], _NS_PER_S)
    if not fraction.size or not fraction.any():
        return 0
    return 3 if not (fraction % 1_000_000).any() else 6 if not (fraction % 1_000).any() else 9


@functools.cache
def _clock() -> pa.Array:
    """Return the 86,400 times of day as text, "T00:00:00" to "T23:59:59"."""
    import pyarrow as pa

    return pa.array(
        [f"T{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86_400)],
        type=pa.string(),
    )


def _iso_times(ns: np.ndarray, valid: np.ndarray, *, zone: bool, digits: int) -> pa.Array:
    """Format UTC nanoseconds as ISO 8601 text, fast (days and seconds are few)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    ns = np.where(valid, ns, 0)
    day = np.floor_divide(ns, _NS_PER_DAY)
    within = ns - day * _NS_PER_DAY
    second = within // _NS_PER_S
    days, day_code = np.unique(day, return_inverse=True)
    day_text = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    parts = [
        pa.array(day_text.astype(object), type=pa.string()).take(pa.array(day_code.ravel())),
        _clock().take(pa.array(second)),
    ]
    if digits:
        scaled = (within - second * _NS_PER_S) // 10 ** (9 - digits)
        fractions, code = np.unique(scaled, return_inverse=True)
        text = [f".{f:0{digits}d}" for f in fractions.tolist()]
        parts.append(pa.array(text, type=pa.string()).take(pa.array(code.ravel())))
    if zone:
        parts.append(pa.scalar("Z"))
    joined = pc.binary_join_element_wise(*parts, "")
    return pc.if_else(pa.array(valid), joined, pa.scalar(None, type=pa.string()))


def _null_kinds(values: np.ndarray, nulls: np.ndarray) -> dict[str, Any]:
    """Say which empty cells of an object column were None, NaN, pd.NA or NaT."""
    import pandas as pd

    kinds: dict[str, list[int]] = {}
    for row in nulls.nonzero()[0].tolist():
        value = values[row]
        kind = (
            "none"
            if value is None
            else "na"
            if value is pd.NA
            else "nat"
            if value is pd.NaT
            else "nan"
        )
        kinds.setdefault(kind, []).append(row)
    if not kinds:
        return {"null": "none"}
    main = max(kinds, key=lambda k: len(kinds[k]))
    others = {k: v for k, v in kinds.items() if k != main}
    return {"null": main, **({"null_except": others} if others else {})}


def _object_kind(values: list[Any]) -> str:
    import numpy as np

    if not values:
        return "empty"
    if all(isinstance(v, str) for v in values):
        return "str"
    if all(isinstance(v, bool | np.bool_) for v in values):
        return "bool"
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in values):
        return "int"
    if all(
        isinstance(v, float | np.floating) and math.isfinite(float(v)) for v in values
    ):  # NaN is an empty cell, so only finite numbers can be told apart from it
        return "float"
    return "json"


#: pandas' nullable dtypes -> the kind of their values.
_MASKED = {
    **{f"{p}{b}": "int" for p in ("Int", "UInt") for b in (8, 16, 32, 64)},
    "Float32": "float",
    "Float64": "float",
    "boolean": "bool",
}
_FIELD_TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}
_ARROW_TYPES = {"str": "string", "bool": "bool_", "int": "int64", "float": "float64"}


def _encode_column(name: str, series: pd.Series) -> tuple[pa.Array, dict[str, Any], str]:
    """Return the column as an Arrow array, how to restore it, and its Table Schema type."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    dtype = series.dtype
    spec: dict[str, Any] = {"name": str(name), "dtype": str(dtype)}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        codes = series.cat.codes.to_numpy().astype("int32")
        spec.update(encoding="category", ordered=bool(dtype.ordered))
        spec["categories_dtype"] = str(categories.dtype)
        spec["categories"] = [to_json(c) for c in categories.tolist()]
        texts = [c if isinstance(c, str) else json.dumps(to_json(c)) for c in categories]
        if len(set(texts)) < len(texts):
            texts = [json.dumps(to_json(c)) for c in categories]
            spec["categories_as"] = "json"
        indices = pa.array(codes, mask=codes < 0, type=pa.int32())
        array = pa.DictionaryArray.from_arrays(indices, pa.array(texts, type=pa.string()))
        return array, spec, "string"
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        aware = isinstance(dtype, pd.DatetimeTZDtype)
        spec.update(encoding="datetime", timezone=str(dtype.tz) if aware else None)
        utc = series.dt.tz_convert("UTC") if aware else series
        values = utc.astype("datetime64[ns, UTC]" if aware else "datetime64[ns]")
        ns = values.array.asi8 if aware else values.to_numpy().view("int64")
        array = pa.array(
            ns, mask=series.isna().to_numpy(), type=pa.timestamp("ns", tz="UTC" if aware else None)
        )
        return array, spec, "datetime"
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        kind = {"b": "bool", "i": "int", "u": "int", "f": "float"}[dtype.kind]
        spec["encoding"] = kind
        values = series.to_numpy()
        if kind == "float":
            values = values.astype("float64")
            array = pa.array(values, mask=np.isnan(values), type=pa.float64())
        else:
            array = pa.array(values)
        return array, spec, _FIELD_TYPES[kind]
    if str(dtype) in _MASKED:
        kind = _MASKED[str(dtype)]
        spec["encoding"] = f"masked_{kind}"
        values = series.to_numpy(dtype=object, na_value=None)
        arrow_type = getattr(pa, _ARROW_TYPES[kind])()
        return pa.array(values.tolist(), type=arrow_type), spec, _FIELD_TYPES[kind]
    if isinstance(dtype, pd.StringDtype):
        spec["encoding"] = "str"
        values = series.to_numpy(dtype=object, na_value=None)
        return pa.array(values, type=pa.string()), spec, "string"
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        values = series.to_numpy(dtype=object)
        nulls = pd.isna(series).to_numpy()
        present = [values[i] for i in (~nulls).nonzero()[0].tolist()]
        kind = _object_kind(present)
        spec.update(encoding="object", kind=kind, **_null_kinds(values, nulls))
        cells: list[Any] = [None] * len(values)
        for row, value in zip((~nulls).nonzero()[0].tolist(), present, strict=True):
            cells[row] = (
                json.dumps(to_json(value), ensure_ascii=False)
                if kind == "json"
                else value.item()
                if isinstance(value, np.generic)
                else value
            )
        arrow_type = pa.string() if kind in ("json", "empty") else getattr(pa, _ARROW_TYPES[kind])()
        return pa.array(cells, type=arrow_type), spec, _FIELD_TYPES.get(kind, "string")
    spec["encoding"] = "text"  # anything else: its text, restored with astype(dtype)
    values = series.astype(str).where(series.notna(), None).to_numpy(dtype=object)
    return pa.array(values, type=pa.string()), spec, "string"


def _encode(frame: pd.DataFrame) -> tuple[pa.Table, list[dict[str, Any]], list[str]]:
    import pyarrow as pa

    arrays, specs, types = [], [], []
    for name in frame.columns:
        array, spec, field_type = _encode_column(name, frame[name])
        arrays.append(array)
        specs.append(spec)
        types.append(field_type)
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    return table, specs, types


def _quoting(table: pa.Table) -> str:
    """Return "none" when no text needs quotes (smaller files), else "needed".

    An empty text must be quoted (``""``) to be told apart from a missing value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    for array in table.columns:
        array = array.combine_chunks()
        texts = array.dictionary if pa.types.is_dictionary(array.type) else array
        if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
            continue
        if len(texts) and (
            pc.any(pc.match_substring_regex(texts, r'[,"\r\n]')).as_py()
            or pc.any(pc.equal(pc.utf8_length(texts), 0)).as_py()
        ):
            return "needed"
    return "none"


def _write_csv(
    table: pa.Table, specs: list[dict[str, Any]], path: Path, *, chunk: int = 1 << 18
) -> None:
    """Write a table as CSV, times as ISO 8601 text, a slice at a time (little memory)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    times = {
        i: spec["timezone"] is not None
        for i, spec in enumerate(specs)
        if spec.get("encoding") == "datetime"
    }
    digits = {}
    for i in times:
        column = table.column(i)
        digits[i] = _fraction_digits(
            np.asarray(column.cast(pa.int64()).fill_null(0)), np.asarray(column.is_valid())
        )
    fields = [
        pa.field(f.name, pa.string()) if i in times else f for i, f in enumerate(table.schema)
    ]
    schema = pa.schema(fields)
    options = pacsv.WriteOptions(quoting_style=_quoting(table))
    with pacsv.CSVWriter(str(path), schema, write_options=options) as writer:
        for start in range(0, max(table.num_rows, 1), chunk):
            piece = table.slice(start, chunk)
            columns = []
            for i, column in enumerate(piece.columns):
                if i in times:
                    valid = np.asarray(column.is_valid())
                    ns = np.asarray(column.cast(pa.int64()).fill_null(0))
                    column = _iso_times(ns, valid, zone=times[i], digits=digits[i])
                columns.append(column)
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))


# --------------------------------------------------------------------------- schemas

_READING_FIELDS = {
    "sensor_id": "Sensor id; its details are in sensors.csv.",
    "time": "Time of the value, in UTC (ISO 8601). The ledger says whether sources mark "
    "the start, the end or the instant of a measurement; averaged values are labelled by "
    "the start of their period.",
    "variable": "What was measured: a canonical variable name of the toolkit (see "
    "toolkit.variables.table() and the variables listed in README.md).",
    "value": "The value, in the unit given in the unit column of the same row.",
    "unit": "Unit of the value (the canonical unit of the variable).",
    "channel": "Which of a device's duplicate instruments gave the value (PurpleAir A "
    "or B); empty for devices with one instrument.",
    "period": "Averaging period of the value (for example 1h or day).",
    "end": "End of the averaging period, in UTC (ISO 8601).",
    "n_readings": "Number of readings averaged into the value.",
    "n_expected": "Number of readings expected in the period, from the sensor's cadence.",
    "coverage": "Data capture: readings present and not flagged / readings expected "
    "(a fraction, 0-1).",
    "valid": "True when the data capture reaches the threshold of the averaging step "
    "(see the history).",
    "method": "The correction or method that made the value (see the history).",
    "nowcast_weight": "NowCast weight factor w of the value (US EPA NowCast).",
    "pollutant": "For an index: the variable the index value was computed from.",
    "averaging": "For an index: the averaging period its table asks for.",
    "concentration": "For an index: the concentration looked up in the table, in "
    "concentration_unit.",
    "concentration_unit": "Unit of the concentration column.",
    "category": "For an index: the name of its band (for example Good, Moderate).",
    "colour": "For an index: the official colour of its band (always with its name).",
    "beyond_table": "For an index: what was done with a concentration above the table.",
    "note": "A note on this value.",
    "dominant": "For an overall index: the pollutant that sets it.",
    "standard": "Name and version of the standard that made the value.",
}
_SENSOR_FIELDS = {
    "sensor_id": "Sensor id (unique; prefixed by the source, or a pseudonym when shared).",
    "name": "Name of the sensor (its pseudonym when shared).",
    "source": "Platform or network the data comes from.",
    "latitude": "Latitude in degrees north (WGS 84).",
    "longitude": "Longitude in degrees east (WGS 84).",
    "model": "Sensor or instrument model.",
    "location_type": "outdoor or indoor.",
    "timezone": "IANA time zone of the sensor, used for local days and hours.",
    "location_precision_m": "How coarse the shared position is: the size of the grid "
    "cell, in metres, whose centre is given as latitude/longitude.",
}
_SENSOR_UNITS = {"latitude": "degree", "longitude": "degree", "location_precision_m": "m"}
_LEDGER_FIELDS = {
    "path": "The file read (a neutral name when the data was shared).",
    "format": "The format recognised, source/variant.",
    "status": "ok, failed or skipped.",
    "rows_read": "Data rows in the file.",
    "rows_kept": "Rows kept (rows_read = rows_kept + rows_dropped).",
    "rows_dropped": "Rows dropped whole, with reasons in drop_reasons.",
    "values_read": "Candidate values in the kept rows.",
    "readings_kept": "Readings kept (values_read = readings_kept + readings_dropped).",
    "readings_dropped": "Values dropped, with reasons in drop_reasons.",
    "drop_reasons": "Each reason with its count.",
    "timezone": "Time zone the timestamps were read in.",
    "time_label": "Whether timestamps mark the start, the end or the instant.",
    "conversions": "Unit conversions applied.",
    "notes": "Notes written while reading.",
    "error": "Why a file could not be read.",
    "sha256": "SHA-256 of the file (removed when the data was shared).",
}


def _field(spec: dict[str, Any], field_type: str, descriptions: dict[str, str]) -> dict[str, Any]:
    name = spec["name"]
    field: dict[str, Any] = {"name": name, "type": field_type}
    if name in descriptions:
        field["description"] = descriptions[name]
    elif name.startswith("flag_"):
        field["description"] = (
            f"Quality flag of the rule '{name[5:]}': true when the rule doubts the value "
            "(the value is kept; see the history for the rule and its source)."
        )
    else:
        field["description"] = "Column added by a toolkit step (see the history)."
    if spec.get("encoding") == "object" and spec.get("kind") == "json":
        field["description"] += " Each cell holds a JSON value."
    if field_type == "boolean":
        field["trueValues"] = ["true", "True"]
        field["falseValues"] = ["false", "False"]
    return field


def _schema(
    specs: list[dict[str, Any]],
    types: list[str],
    descriptions: dict[str, str],
    *,
    required: Sequence[str] = (),
    units: dict[str, str] | None = None,
) -> dict[str, Any]:
    fields = []
    for spec, field_type in zip(specs, types, strict=True):
        field = _field(spec, field_type, descriptions)
        if spec["name"] in required:
            field["constraints"] = {"required": True}
        if units and spec["name"] in units:
            field["unit"] = units[spec["name"]]
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _unique_key(frame: pd.DataFrame, columns: list[str]) -> bool:
    """Return True when ``columns`` have no empty cell and identify every row."""
    if frame.empty or any(c not in frame.columns for c in columns):
        return False
    part = frame[columns]
    return not part.isna().any().any() and not part.duplicated().any()


def _readings_key(readings: pd.DataFrame) -> list[str] | None:
    """Return the readings' primary key when it holds, else None.

    Quality checks flag duplicates instead of removing them, so a sensor may have two
    values of a variable at one time; the key is only declared when it holds.
    """
    import numpy as np
    import pandas as pd

    columns = [c for c in ("sensor_id", "time", "variable", "channel") if c in readings]
    if readings.empty or readings[columns].isna().any().any():
        return None
    combined = np.zeros(len(readings), dtype="int64")
    for column in columns:
        values = readings[column]
        if column == "time":
            continue
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        combined = combined * (len(values.cat.categories) + 1) + values.cat.codes.to_numpy()
    keys = pd.DataFrame({"key": combined, "time": readings["time"].to_numpy()})
    return None if keys.duplicated().any() else columns


# --------------------------------------------------------------------------- files


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """Return a JSON-safe property value for GeoJSON (NaN and None become null)."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, str | int | bool):
        return value
    return str(value)


def _geojson(sensors: pd.DataFrame) -> dict[str, Any]:
    features = []
    for row in sensors.to_dict(orient="records"):
        lat, lon = _plain(row.get("latitude")), _plain(row.get("longitude"))
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]}
            if isinstance(lat, float) and isinstance(lon, float)
            else None
        )
        features.append(
            {
                "type": "Feature",
                "id": _plain(row.get("sensor_id")),
                "geometry": geometry,
                "properties": {str(k): _plain(v) for k, v in row.items()},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _ledger_frame(data: SensorData) -> pd.DataFrame:
    import pandas as pd

    frame = data.ledger.to_frame()
    if frame.empty:
        counts = {c for c in _LEDGER_COLUMNS if c.startswith(("rows_", "values_", "readings_"))}
        frame = pd.DataFrame(
            {c: pd.Series([], dtype="int64" if c in counts else "str") for c in _LEDGER_COLUMNS}
        )
    return frame[list(_LEDGER_COLUMNS)]


def _record_json(record: Any) -> dict[str, Any]:
    import dataclasses

    return {
        f.name: to_json(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if f.name != "exception"
    }


def _slug(text: str) -> str:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or "sensor-data"


def _share_step(data: SensorData) -> dict[str, Any] | None:
    steps = [s for s in data.history if s.name == "share"]
    return dict(steps[-1].parameters) if steps else None


# --------------------------------------------------------------------------- README


def _md(text: Any, *, cell: bool = True) -> str:
    """Return text safe in Markdown: no code, emphasis, links or HTML; ``|`` in cells."""
    import re

    specials = r"([\\`*<\[\]|])" if cell else r"([\\`*<\[\]])"
    escaped = re.sub(specials, r"\\\1", str(text))
    return escaped.replace("\r", " ").replace("\n", " ")


def _readme(
    data: SensorData,
    *,
    title: str,
    description: str | None,
    licence: str,
    created: str,
    files: list[tuple[str, str]],
    variables: list[dict[str, str]],
    reading_fields: list[dict[str, Any]],
    sensor_fields: list[dict[str, Any]],
    shared: dict[str, Any] | None,
    version: str,
) -> str:
    period = data.period
    span = (
        f"from {period[0]:%Y-%m-%d %H:%M} to {period[1]:%Y-%m-%d %H:%M} UTC"
        if period
        else "no readings"
    )
    url, licence_title = LICENCES[licence]
    lines = [
        f"# {_md(title, cell=False)}",
        "",
        *([_md(description, cell=False), ""] if description else []),
        (
            f"{len(data.readings):,} readings from {len(data.sensors):,} sensor(s), {span}. "
            f"Exported on {created} with the Urban Data Toolkit {version}."
        ),
        "",
        (
            f"**Licence**: {licence_title} ({licence}, {url}). Say where the data comes from "
            "when you use it."
        ),
        "",
    ]
    if shared is not None:
        lines += [
            "## Privacy",
            "",
            (
                "This is a **shared** copy. Sensor ids and names were replaced by pseudonyms "
                f"({_md(shared.get('method', 'pseudonyms'))}), and every position was moved to "
                f"the centre of a grid cell of about {float(shared.get('precision_m', 0)):g} m "
                "(column `location_precision_m`). Other details that could identify a sensor's "
                "host (addresses, platform ids, file names) were removed. Coarsening is not "
                "anonymisation: a sensor alone in its cell can still be placed in that cell."
            ),
            "",
        ]
    lines += [
        "## Files",
        "",
        "| file | what it holds |",
        "|---|---|",
        *(f"| `{name}` | {what} |" for name, what in files),
        "",
        (
            "Times are in **UTC** (ISO 8601, `2024-10-07T00:00:00Z`); add your time zone's "
            "offset to read local time. Empty cells are missing values. Files are UTF-8."
        ),
        "",
        "## Columns of readings.csv",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *(
            f"| `{f['name']}` | {f['type']} | {_md(f.get('description', ''))} |"
            for f in reading_fields
        ),
        "",
        "## Variables and units",
        "",
        "| variable | unit | meaning |",
        "|---|---|---|",
        *(f"| `{v['name']}` | {_md(v['unit'])} | {_md(v['description'])} |" for v in variables),
        "",
        "## Columns of sensors.csv",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *(
            f"| `{f['name']}` | {f['type']} | {_md(f.get('description', ''))} |"
            for f in sensor_fields
        ),
        "",
        "## How the numbers were made",
        "",
        (
            "Every step since the files were loaded, with its parameters and sources (also in "
            "`datapackage.json`, section `toolkit.history`):"
        ),
        "",
    ]
    if data.history:
        lines += [
            f"{i}. **{_md(s.name, cell=False)}**: {_md(s.description, cell=False)}"
            + (f" Source: {_md(s.citation, cell=False)}" if s.citation else "")
            for i, s in enumerate(data.history, 1)
        ]
    else:
        lines.append("No steps: the data is as loaded.")
    lines += [
        "",
        (
            "`ledger.csv` says what happened to every file at load time: rows read, kept and "
            "dropped, each drop with its reason."
        ),
        "",
        "## How to open it",
        "",
        (
            "- **A spreadsheet** (LibreOffice Calc, Excel, Google Sheets): open `readings.csv` "
            "or `sensors.csv`; choose UTF-8 and comma-separated if asked (in Excel: Data > "
            "From Text/CSV). A large readings file may exceed a spreadsheet's row limit "
            "(1,048,576 rows in Excel)."
        ),
        (
            '- **The Urban Data Toolkit** (Python): `toolkit.load("this-folder")` gives back '
            "the same readings, sensors and history."
        ),
        (
            '- **pandas**: `pandas.read_parquet("readings.parquet")`, or '
            '`pandas.read_csv("readings.csv", parse_dates=["time"])`.'
        ),
        '- **R**: `read.csv("readings.csv")`, or `arrow::read_parquet("readings.parquet")`.',
        "- **A map** (QGIS, geojson.io): open `sensors.geojson`.",
        (
            "- **Checking the package**: `frictionless validate datapackage.json` "
            "(https://framework.frictionlessdata.io)."
        ),
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


def _check_options(
    formats: Sequence[str], licence: str, title: str | None
) -> tuple[list[str], str]:
    chosen = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        raise ExportError(
            "The readings can be written as CSV, Parquet or both.",
            found=f"formats={formats!r}",
            fix='Use formats=("csv", "parquet") (default), ("csv",) or ("parquet",).',
        )
    by_lower = {k.lower(): k for k in LICENCES}
    if not isinstance(licence, str) or licence.lower() not in by_lower:
        raise ExportError(
            "The licence is not one the toolkit knows how to describe.",
            found=f"licence={licence!r}",
            fix=f"Use one of {', '.join(LICENCES)} (SPDX ids); CC-BY-4.0 asks users to "
            "credit you, CC0-1.0 gives the data to the public domain.",
        )
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise ExportError(
            "The title must be a non-empty text.",
            found=f"title={title!r}",
            fix='Give a title such as title="Air quality on Harbour Street, October 2024", '
            "or leave it out.",
        )
    return list(dict.fromkeys(chosen)), by_lower[licence.lower()]


def _is_export(folder: Path) -> bool:
    descriptor = folder / _DESCRIPTOR
    if not descriptor.is_file():
        return False
    try:
        content = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(content, dict) and (content.get("toolkit") or {}).get("format") == FORMAT


def _check_target(folder: Path, *, overwrite: bool) -> bool:
    """Return True when an existing folder is to be replaced; raise when it may not be."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        raise ExportExistsError(
            "The export folder's name is taken by a file.",
            file=str(folder),
            fix="Choose another folder name for the export.",
        )
    contents = sorted(p.name for p in folder.iterdir())
    if not contents:
        return True
    if not overwrite:
        raise ExportExistsError(
            "The export folder is not empty.",
            file=str(folder),
            found=f"{len(contents)} item(s): {', '.join(contents[:5])}"
            + (", ..." if len(contents) > 5 else ""),
            fix="Choose a new folder, or pass overwrite=True to replace an earlier export.",
        )
    if not _is_export(folder):
        raise ExportExistsError(
            "The folder is not an earlier export, so it is not replaced (its files would be lost).",
            file=str(folder),
            found=f"no toolkit datapackage.json among {', '.join(contents[:5])}"
            + (", ..." if len(contents) > 5 else ""),
            fix="Choose a new or empty folder for the export.",
        )
    return True


def _created(created: datetime | str | None) -> str:
    import pandas as pd

    stamp = pd.Timestamp.now(tz="UTC") if created is None else pd.Timestamp(created)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ")


def _variables(data: SensorData) -> list[dict[str, str]]:
    import pandas as pd

    from . import variables as _vars
    from ._errors import UnknownVariableError

    readings = data.readings
    pairs = (
        readings.groupby(["variable", "unit"], observed=True, sort=False).size().index
        if all(isinstance(readings[c].dtype, pd.CategoricalDtype) for c in ("variable", "unit"))
        else pd.MultiIndex.from_frame(readings[["variable", "unit"]].drop_duplicates())
    )
    out = []
    for variable, unit in pairs:
        try:
            meaning = _vars.get(str(variable)).description
        except UnknownVariableError:
            meaning = "not in the toolkit's variables table (made by a step; see the history)"
        out.append({"name": str(variable), "unit": str(unit), "description": meaning})
    return out


def _write_all(
    data: SensorData,
    folder: Path,
    *,
    title: str,
    description: str | None,
    licence: str,
    formats: list[str],
    created: str,
) -> None:
    import platform

    import pyarrow as pa
    import pyarrow.parquet as pq

    from . import __version__

    readings_table, reading_specs, reading_types = _encode(data.readings)
    sensors_table, sensor_specs, sensor_types = _encode(data.sensors)
    ledger = _ledger_frame(data)
    ledger_table, ledger_specs, ledger_types = _encode(ledger)

    written: dict[str, Path] = {}
    if "csv" in formats:
        written["readings.csv"] = folder / "readings.csv"
        _write_csv(readings_table, reading_specs, written["readings.csv"])
    if "parquet" in formats:
        written["readings.parquet"] = folder / "readings.parquet"
        pq.write_table(readings_table, written["readings.parquet"], compression="zstd")
    written["sensors.csv"] = folder / "sensors.csv"
    _write_csv(sensors_table, sensor_specs, written["sensors.csv"])
    written["ledger.csv"] = folder / "ledger.csv"
    _write_csv(ledger_table, ledger_specs, written["ledger.csv"])
    written["sensors.geojson"] = folder / "sensors.geojson"
    written["sensors.geojson"].write_text(
        json.dumps(_geojson(data.sensors), ensure_ascii=False, allow_nan=False, indent=1),
        encoding="utf-8",
    )

    files = {
        name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        for name, path in written.items()
    }

    def stats(name: str) -> dict[str, Any]:
        return {"bytes": files[name]["bytes"], "hash": f"sha256:{files[name]['sha256']}"}

    readings_schema = _schema(
        reading_specs,
        reading_types,
        _READING_FIELDS,
        required=("sensor_id", "time", "variable", "unit"),
    )
    key = _readings_key(data.readings)
    if key:
        readings_schema["primaryKey"] = key
    known = set(data.sensors["sensor_id"].dropna().astype(str))
    used = {str(c) for c in data.readings["sensor_id"].dropna().unique()}
    if _unique_key(data.sensors, ["sensor_id"]) and used <= known:
        readings_schema["foreignKeys"] = [
            {"fields": ["sensor_id"], "reference": {"resource": "sensors", "fields": ["sensor_id"]}}
        ]
    sensors_schema = _schema(
        sensor_specs, sensor_types, _SENSOR_FIELDS, required=("sensor_id",), units=_SENSOR_UNITS
    )
    if _unique_key(data.sensors, ["sensor_id"]):
        sensors_schema["primaryKey"] = ["sensor_id"]
    resources: list[dict[str, Any]] = []
    csv_common = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    if "csv" in formats:
        resources.append(
            {
                "name": "readings",
                "type": "table",
                "path": "readings.csv",
                **csv_common,
                "title": "Readings",
                "description": "One row per value: sensor, time (UTC), variable, value and "
                "unit, with quality flags and averaging columns where present.",
                **stats("readings.csv"),
                "schema": readings_schema,
            }
        )
    if "parquet" in formats:
        exact = not _sub_microsecond(readings_table)
        parquet: dict[str, Any] = {
            "name": "readings-parquet" if "csv" in formats else "readings",
            "type": "table" if exact else "file",
            "path": "readings.parquet",
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "title": "Readings (Parquet)",
            "description": "The readings table in Apache Parquet: the same rows and "
            "columns, smaller and faster to load.",
        }  # no bytes or hash: Frictionless cannot check them on Parquet (see toolkit.files)
        if exact:
            parquet["schema"] = {k: v for k, v in readings_schema.items() if k != "foreignKeys"}
        resources.append(parquet)
    resources += [
        {
            "name": "sensors",
            "type": "table",
            "path": "sensors.csv",
            **csv_common,
            "title": "Sensors",
            "description": "One row per sensor: id, name, source, position, model, "
            "outdoor or indoor, time zone.",
            **stats("sensors.csv"),
            "schema": sensors_schema,
        },
        {
            "name": "ledger",
            "type": "table",
            "path": "ledger.csv",
            **csv_common,
            "title": "Ledger",
            "description": "What happened to every file at load time.",
            **stats("ledger.csv"),
            "schema": _schema(ledger_specs, ledger_types, _LEDGER_FIELDS),
        },
        {
            "name": "sensors-geojson",
            "type": "file",
            "path": "sensors.geojson",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "title": "Sensors (map)",
            "description": "The sensors as GeoJSON points (longitude, latitude; WGS 84); "
            "sensors without a position have no geometry.",
            **stats("sensors.geojson"),
        },
    ]
    shared = _share_step(data)
    sources = sorted({str(s) for s in data.sensors["source"].dropna()}) or ["unknown"]
    ledger_summary = {
        "files": len(data.ledger),
        "failed": len(data.ledger.failed),
        "readings_kept": sum(r.readings_kept for r in data.ledger),
        "values_dropped": sum(sum(r.readings_dropped.values()) for r in data.ledger),
        "rows_dropped": sum(sum(r.rows_dropped.values()) for r in data.ledger),
        "balanced": data.ledger.balanced,
    }
    variables = _variables(data)
    descriptor: dict[str, Any] = {
        "$schema": _SCHEMA_URL,
        "name": _slug(title),
        "title": title,
        **({"description": description} if description else {}),
        "created": created,
        "licenses": [
            {"name": licence, "path": LICENCES[licence][0], "title": LICENCES[licence][1]}
        ],
        "sources": [{"title": s} for s in sources],
        "keywords": ["sensors", "air quality", "urban data", *(["shared"] if shared else [])],
        "resources": resources,
        "toolkit": {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": __version__,
            "created_with": "toolkit.export",
            "files": files,
            "shared": to_json(shared),
            "variables": variables,
            "tables": {
                "readings": {"rows": len(data.readings), "columns": reading_specs},
                "sensors": {"rows": len(data.sensors), "columns": sensor_specs},
            },
            "history": [
                {
                    "name": s.name,
                    "description": s.description,
                    "parameters": to_json(s.parameters),
                    "citation": s.citation,
                    "touched": int(s.touched),
                }
                for s in data.history
            ],
            "ledger": {
                "summary": ledger_summary,
                "records": [_record_json(r) for r in data.ledger],
            },
            "provenance": {
                "python": platform.python_version(),
                "packages": {"pyarrow": pa.__version__, "pandas": _pandas_version()},
            },
        },
    }
    (folder / _DESCRIPTOR).write_text(
        json.dumps(descriptor, ensure_ascii=False, allow_nan=False, indent=2) + "\n",
        encoding="utf-8",
    )
    listing = [
        (
            "datapackage.json",
            (
                "The descriptor: titles, licence, columns and their meaning, "
                "the history of every step and the load ledger (machine-readable)."
            ),
        ),
    ]
    if "csv" in formats:
        listing.append(("readings.csv", "The readings, one row per value."))
    if "parquet" in formats:
        listing.append(("readings.parquet", "The same readings in Apache Parquet."))
    listing += [
        ("sensors.csv", "One row per sensor."),
        ("sensors.geojson", "The sensors on a map (points)."),
        ("ledger.csv", "What happened to every file at load time."),
        ("README.md", "This page."),
    ]
    reading_fields = readings_schema["fields"]
    (folder / "README.md").write_text(
        _readme(
            data,
            title=title,
            description=description,
            licence=licence,
            created=created,
            files=listing,
            variables=variables,
            reading_fields=reading_fields,
            sensor_fields=sensors_schema["fields"],
            shared=shared,
            version=__version__,
        ),
        encoding="utf-8",
    )


def _pandas_version() -> str:
    import pandas as pd

    return pd.__version__


def _sub_microsecond(table: pa.Table) -> bool:
    """Return True when a time column has parts of a microsecond.

    Frictionless reads Parquet times as Python datetimes, which stop at microseconds.
    """
    import numpy as np
    import pyarrow as pa

    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            ns = np.asarray(column.cast(pa.int64()).fill_null(0))
            if (ns % 1000 != 0).any():
                return True
    return False


def export(
    data: SensorData,
    folder: str | Path,
    *,
    share: bool = False,
    precision_m: float = 500.0,
    key: str | None = None,
    title: str | None = None,
    licence: str = "CC-BY-4.0",
    formats: Sequence[str] = ("csv", "parquet"),
    overwrite: bool = False,
    description: str | None = None,
    created: datetime | str | None = None,
) -> Path:
    """Write data as a Frictionless Data Package: CSV, Parquet, GeoJSON and a README.

    Parameters
    ----------
    data
        The data to export (not changed).
    folder
        The folder to write; it is created (with its parents), and must be new or
        empty unless ``overwrite=True``.
    share
        Apply :func:`toolkit.privacy.share` first (pseudonymous ids, coarse positions,
        no identifying text); the README and descriptor then say so. Data that was
        already shared is described as shared either way.
    precision_m, key
        Passed to :func:`toolkit.privacy.share` when ``share=True``.
    title
        The package's title; by default "Sensor data, <first day> to <last day>".
    licence
        SPDX id of the licence (default ``"CC-BY-4.0"``); see :data:`LICENCES`.
    formats
        ``"csv"`` and/or ``"parquet"``: the files the readings are written to.
    overwrite
        Replace an earlier export in ``folder``. A folder that holds anything else is
        never replaced.
    description
        A paragraph for the descriptor and the README (optional).
    created
        The creation time to record (UTC); now by default. Give one to make two exports
        of the same data byte-for-byte identical.

    Returns
    -------
    pathlib.Path
        The path of ``datapackage.json``.

    Raises
    ------
    ExportExistsError
        If ``folder`` is a file, or a non-empty folder and ``overwrite`` is False, or not
        an earlier export.
    ExportError
        If ``formats``, ``licence`` or ``title`` cannot be used.
    PrivacyError
        If ``share=True`` and ``precision_m`` or ``key`` cannot be used.

    Examples
    --------
    >>> import toolkit
    >>> path = toolkit.export(data, "our-air-2024", share=True)   # doctest: +SKIP
    >>> again = toolkit.load("our-air-2024")                        # doctest: +SKIP
    """
    import secrets
    import shutil

    chosen, licence_id = _check_options(formats, licence, title)
    if share:
        from .privacy import share as share_data

        data = share_data(data, precision_m=precision_m, key=key)
    target = Path(folder)
    replace = _check_target(target, overwrite=overwrite)
    stamp = _created(created)
    if title is None:
        period = data.period
        title = (
            f"Sensor data, {period[0]:%Y-%m-%d} to {period[1]:%Y-%m-%d}"
            if period
            else "Sensor data"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    partial = target.parent / f".{target.name}.partial-{token}"
    old = target.parent / f".{target.name}.old-{token}"
    partial.mkdir()
    try:
        _write_all(
            data,
            partial,
            title=title.strip(),
            description=description,
            licence=licence_id,
            formats=chosen,
            created=stamp,
        )
        if replace:
            target.rename(old)
        try:
            partial.rename(target)
        except OSError:
            if replace:
                old.rename(target)
            raise
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if replace:
        shutil.rmtree(old, ignore_errors=True)
    return target / _DESCRIPTOR
