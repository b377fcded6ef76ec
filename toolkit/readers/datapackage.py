"""Frictionless Data Packages: the toolkit's own exports, and tidy packages from others.

Formats
-------
``toolkit``
    A folder written by :func:`toolkit.export` (a ``datapackage.json`` whose ``toolkit``
    section has ``format: urban-data-toolkit/export``). Read back **exactly**: the
    readings (values, times to the nanosecond, categories in order, flag and averaging
    columns, column order), the sensors (dtypes, and which empty cells were ``None`` and
    which ``NaN``) and the history equal the exported ones. The Parquet copy of the
    readings is read when present (faster); otherwise the CSV. Nothing is dropped: the
    files were written by the toolkit, so a cell that cannot be read is an error that
    names the file (someone edited it).
``tidy``
    Any other Data Package [1]_ with a CSV resource named ``readings``, or one whose
    columns include ``sensor_id``, ``time``, ``variable``, ``value`` and ``unit``.
    Variables must be canonical names (:mod:`toolkit.variables`); units are converted to
    the canonical ones. Rows and values that cannot be used are dropped with their
    reasons, as by every reader. Times without an offset are UTC (the default datetime
    format of Table Schema [2]_), unless ``file_timezone=`` says otherwise. A ``sensors``
    resource with a ``sensor_id`` column gives the sensors table. A ``channel`` column
    is not read.

The ledger of a package read with :func:`toolkit.load` has one record per file read
(the descriptor, the readings file, the sensors file), each with its SHA-256; a file
whose hash differs from the one in the descriptor is noted as changed since the export.
The ledger of the original load is summarised in the descriptor's record and restored
in full by :func:`package_ledger`.

A zipped package is not read as one: unzip it first.

References
----------
.. [1] Frictionless Data, Data Package v2.0, https://datapackage.org/standard/data-package/
.. [2] Frictionless Data, Table Schema v2.0, https://datapackage.org/standard/table-schema/
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import DataFormatError, UnknownLayoutError
from ..history import History, Step
from ..ledger import FileRecord, Ledger
from ._common import parse_json, read_each, sensor_data
from ._io import decode

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "DESCRIPTOR",
    "SOURCE",
    "TIDY_COLUMNS",
    "detect",
    "package_ledger",
    "package_members",
    "read_datapackage",
]

SOURCE = "Data Package"
#: The descriptor's file name.
DESCRIPTOR = "datapackage.json"
#: The columns a readings resource of another publisher needs.
TIDY_COLUMNS = ("sensor_id", "time", "variable", "value", "unit")
_FORMAT = "urban-data-toolkit/export"
_FORMAT_VERSION = 1
_EXTRA_FILES = ("README.md", "sensors.geojson", "ledger.csv")


# --------------------------------------------------------------------------- detection


def detect(raw: RawFile, head: str) -> str | None:
    """Return ``"descriptor"`` if ``head`` (the file's start) is a Data Package descriptor."""
    text = head.lstrip()
    if not text.startswith("{") or '"resources"' not in text:
        return None
    if raw.basename.lower().endswith(DESCRIPTOR) or '"readings' in text or _FORMAT in text:
        return "descriptor"
    return None


def _load_descriptor(path: Path) -> dict[str, Any] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def _is_toolkit(descriptor: dict[str, Any]) -> bool:
    section = descriptor.get("toolkit")
    return isinstance(section, dict) and section.get("format") == _FORMAT


def package_members(files: list[Path]) -> set[Path]:
    """Return the files that belong to a readable Data Package among ``files``.

    :func:`toolkit.load` reads such a package through its ``datapackage.json`` as one
    dataset, so its other files are not read one by one. For a toolkit export these are
    every file in the package's folder; for another publisher's package, the files its
    resources name.

    Parameters
    ----------
    files
        The files found in a folder.

    Returns
    -------
    set of pathlib.Path
        Files to leave out (never the descriptors themselves).
    """
    members: set[Path] = set()
    for descriptor_path in (f for f in files if f.name == DESCRIPTOR):
        descriptor = _load_descriptor(descriptor_path)
        if descriptor is None or _tidy_resource(descriptor, descriptor_path.parent) is None:
            continue
        folder = descriptor_path.parent
        if _is_toolkit(descriptor):
            members |= {f for f in files if f.parent == folder and f.name != DESCRIPTOR}
            continue
        for resource in descriptor.get("resources", []):
            path = resource.get("path") if isinstance(resource, dict) else None
            for item in path if isinstance(path, list) else [path]:
                if isinstance(item, str) and "://" not in item:
                    members.add(folder / item)
    return members & set(files)


# --------------------------------------------------------------------------- JSON values


def from_json(value: Any) -> Any:
    """Undo :func:`toolkit.exporting.to_json`: restore tagged values (tuples, NaN...)."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$float":
            import numpy as np

            # NaN as numpy's one NaN object, so that restored steps compare equal to
            # steps holding np.nan (NaN never equals another NaN object).
            return np.nan if inner == "nan" else float(inner)
        if tag == "$tuple":
            return tuple(from_json(v) for v in inner)
        if tag == "$set":
            return {from_json(v) for v in inner}
        if tag == "$dict":
            return {from_json(k): from_json(v) for k, v in inner}
        if tag in ("$timestamp", "$timedelta"):
            import pandas as pd

            return pd.Timestamp(inner) if tag == "$timestamp" else pd.Timedelta(inner)
        if tag == "$repr":
            return inner
    return {k: from_json(v) for k, v in value.items()}


def _history(section: dict[str, Any]) -> History:
    return History(
        Step(
            name=str(s["name"]),
            description=str(s.get("description", "")),
            parameters=from_json(s.get("parameters", {})),
            citation=str(s.get("citation", "")),
            touched=int(s.get("touched", 0)),
        )
        for s in section.get("history", [])
    )


def package_ledger(path: str | Path) -> Ledger:
    """Return the ledger of the original load, kept in a toolkit export's descriptor.

    Parameters
    ----------
    path
        The export's folder or its ``datapackage.json``.

    Returns
    -------
    Ledger
        One record per file of the original load, as it was at export time.

    Raises
    ------
    DataFormatError
        If the descriptor is missing or was not written by the toolkit.
    """
    import dataclasses

    descriptor_path = Path(path) / DESCRIPTOR if Path(path).is_dir() else Path(path)
    descriptor = _load_descriptor(descriptor_path)
    if descriptor is None or not _is_toolkit(descriptor):
        raise DataFormatError(
            "This is not a Data Package written by the toolkit.",
            file=str(descriptor_path),
            fix="Give the folder written by toolkit.export (or its datapackage.json).",
        )
    names = {f.name for f in dataclasses.fields(FileRecord)}
    records = descriptor["toolkit"].get("ledger", {}).get("records", [])
    return Ledger(
        FileRecord(**{k: from_json(v) for k, v in record.items() if k in names})
        for record in records
    )


# --------------------------------------------------------------------------- columns


def _arrow_type(spec: dict[str, Any]) -> pa.DataType:
    """Return the type to parse a CSV column with, from its encoding."""
    import pyarrow as pa

    encoding = spec.get("encoding")
    kind = spec.get("kind") if encoding == "object" else encoding
    if encoding == "category":
        return pa.dictionary(pa.int32(), pa.string())
    if encoding == "datetime":
        return pa.timestamp("ns", tz=None if spec.get("timezone") is None else "UTC")
    kind = kind.removeprefix("masked_") if isinstance(kind, str) else kind
    return {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}.get(kind, pa.string())


def _column_error(file: str, spec: dict[str, Any], found: str) -> DataFormatError:
    return DataFormatError(
        f"Column {spec['name']!r} does not hold what the descriptor says it holds.",
        file=file,
        found=found,
        fix="The file was changed after the export; export the data again, or restore "
        "the original file.",
    )


def _decode_category(array: pa.ChunkedArray, spec: dict[str, Any], file: str) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    categories = [from_json(c) for c in spec["categories"]]
    as_json = spec.get("categories_as") == "json"
    texts = [
        c if isinstance(c, str) and not as_json else json.dumps(raw)
        for c, raw in zip(categories, spec["categories"], strict=True)
    ]
    try:
        index = pd.Index(categories, dtype=spec.get("categories_dtype"))
    except (TypeError, ValueError):
        index = pd.Index(categories)
    dtype = pd.CategoricalDtype(index, ordered=bool(spec.get("ordered")))
    combined = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if not pa.types.is_dictionary(combined.type):
        combined = pc.dictionary_encode(combined)
    dictionary = combined.dictionary.cast(pa.string()).to_pylist()
    position = pd.Index(texts).get_indexer(dictionary)
    if (position < 0).any():
        unknown = [d for d, p in zip(dictionary, position, strict=True) if p < 0][:3]
        raise _column_error(file, spec, f"values not among its categories: {unknown}")
    indices = np.asarray(pc.fill_null(combined.indices, -1), dtype="int64")
    lookup = np.append(position, -1)
    codes = lookup[np.where(indices < 0, len(position), indices)]
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _decode_object(array: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    nulls = {"none": None, "nan": np.nan, "na": pd.NA, "nat": pd.NaT}
    values = array.to_pylist()
    kind = spec.get("kind")
    out = np.empty(len(values), dtype=object)
    main = nulls.get(spec.get("null", "none"))
    for row, value in enumerate(values):
        if value is None:
            out[row] = main
        elif kind == "json":
            out[row] = from_json(json.loads(value))
        else:
            out[row] = value
    for kind_name, rows in (spec.get("null_except") or {}).items():
        for row in rows:
            out[row] = nulls.get(kind_name)
    return pd.Series(out, dtype=object, copy=False)  # kept as objects, even if all texts


def _decode_column(array: pa.ChunkedArray, spec: dict[str, Any], file: str) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    encoding = spec.get("encoding")
    dtype = spec["dtype"]
    if encoding == "category":
        return _decode_category(array, spec, file)
    if encoding == "object":
        return _decode_object(array, spec)
    if encoding == "datetime":
        if not pa.types.is_timestamp(array.type):
            raise _column_error(file, spec, f"type {array.type}, not times")
        utc = spec.get("timezone") is not None
        series = pd.Series(array.cast(pa.timestamp("ns", tz="UTC" if utc else None)).to_pandas())
        if utc:
            series = series.dt.tz_convert(spec["timezone"])
        return series.astype(dtype).array
    if encoding in ("float", "int", "bool"):
        if encoding != "float" and array.null_count:
            raise _column_error(file, spec, f"{array.null_count} empty cell(s)")
        values = array.to_numpy()
        return np.asarray(values).astype(dtype)
    if encoding and encoding.startswith("masked_"):
        return pd.array(array.to_pylist(), dtype=dtype)
    series = pd.Series(array.to_pandas())
    if encoding == "str":
        series = series.where(series.notna(), None)
    return series.astype(dtype).array


def _decode(table: pa.Table, specs: list[dict[str, Any]], file: str) -> pd.DataFrame:
    import pandas as pd

    names = [s["name"] for s in specs]
    if table.column_names != names:
        raise DataFormatError(
            "The file's columns are not the ones the descriptor lists.",
            file=file,
            found=f"columns {table.column_names}; the descriptor lists {names}",
            fix="The file was changed after the export; export the data again.",
        )
    columns = {
        spec["name"]: _decode_column(table.column(i), spec, file) for i, spec in enumerate(specs)
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)


def _read_csv(path: Path, specs: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=16 << 20),
            convert_options=pacsv.ConvertOptions(
                column_types={s["name"]: _arrow_type(s) for s in specs},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["true", "True"],
                false_values=["false", "False"],
            ),
        )
    except pa.ArrowInvalid as error:
        raise DataFormatError(
            "A file of the Data Package could not be read as its descriptor describes it.",
            file=str(path),
            found=str(error)[:300],
            fix="The file was changed after the export; export the data again, or restore "
            "the original file.",
        ) from None


# --------------------------------------------------------------------------- reading


def _base_folder(raw: RawFile) -> Path:
    if raw.path is not None:
        return Path(raw.path).parent
    if "::" in raw.name or raw.name.startswith("<"):
        raise DataFormatError(
            "A Data Package's descriptor was given without its folder, so its files "
            "cannot be found.",
            file=raw.name,
            fix="Unzip the package and load its folder: toolkit.load('folder/').",
        )
    return Path(raw.name).parent


def _file_record(
    path: Path, expected: str, format_name: str, rows: int, *, readings: bool
) -> FileRecord:
    from ._io import RawFile

    record = FileRecord(path=str(path), format=format_name)
    record.sha256 = RawFile(str(path), path=path).sha256
    record.rows_read = record.rows_kept = rows
    if readings:
        record.values_read = record.readings_kept = rows
    if expected and expected != record.sha256:
        record.note(
            f"{path.name} changed since the export: its SHA-256 differs from the one in "
            "the descriptor."
        )
    return record


def _resource_path(base: Path, resource: dict[str, Any], what: str, file: str) -> Path:
    path = resource.get("path")
    if not isinstance(path, str) or "://" in path or Path(path).is_absolute() or ".." in path:
        raise DataFormatError(
            f"The {what} resource does not name a file inside the package's folder.",
            file=file,
            found=f"path: {path!r}",
            fix="Resources must be files beside datapackage.json (remote or multi-part "
            "resources are not read).",
        )
    full = base / path
    if not full.is_file():
        raise DataFormatError(
            f"The {what} file named by the descriptor is missing.",
            file=file,
            found=f"no file {full}",
            fix="Copy the whole export folder, not only datapackage.json.",
        )
    return full


def _specs(section: dict[str, Any], table: str, file: str) -> list[dict[str, Any]]:
    """Return the column specs of one table from the toolkit section, or a clear error."""
    try:
        specs = section["tables"][table]["columns"]
        if not all(isinstance(s, dict) and "name" in s and "dtype" in s for s in specs):
            raise TypeError
    except (KeyError, TypeError):
        raise DataFormatError(
            f"The descriptor's toolkit section does not describe the {table} table.",
            file=file,
            found=f"toolkit.tables: {list(section.get('tables') or {})!r}",
            fix="The descriptor was changed after the export; export the data again.",
        ) from None
    return list(specs)


def _read_toolkit(
    raw: RawFile, descriptor: dict[str, Any], base: Path, resource_format: str
) -> SensorData:
    import pyarrow.parquet as pq

    from ..sensordata import SensorData

    section = descriptor["toolkit"]
    if int(section.get("format_version", 1)) > _FORMAT_VERSION:
        raise DataFormatError(
            "The Data Package was written by a newer version of the toolkit.",
            file=raw.name,
            found=f"format version {section.get('format_version')}, this toolkit reads "
            f"{_FORMAT_VERSION}",
            fix="Update the toolkit (pip install --upgrade urban-data-toolkit).",
        )
    resources = [r for r in descriptor.get("resources", []) if isinstance(r, dict)]
    readings_resources = {
        r.get("format"): r for r in resources if str(r.get("name", "")).startswith("readings")
    }
    order = {"auto": ("parquet", "csv"), "parquet": ("parquet",), "csv": ("csv",)}[resource_format]
    chosen = next(
        (
            (fmt, readings_resources[fmt])
            for fmt in order
            if fmt in readings_resources
            and (base / str(readings_resources[fmt].get("path", ""))).is_file()
        ),
        None,
    )
    if chosen is None:
        raise DataFormatError(
            "The Data Package has no readings file in the format asked for.",
            file=raw.name,
            found=f"readings resources: {sorted(map(str, readings_resources))}; "
            f"resource_format={resource_format!r}",
            fix="Copy the whole export folder, or use resource_format='auto'.",
        )
    fmt, resource = chosen
    path = _resource_path(base, resource, "readings", raw.name)
    specs = _specs(section, "readings", raw.name)
    if fmt == "parquet":
        try:
            table = pq.read_table(path)
        except OSError as error:
            raise DataFormatError(
                "The Parquet file of the readings could not be read.",
                file=str(path),
                found=str(error)[:300],
                fix="Delete readings.parquet to read readings.csv instead, or export again.",
            ) from None
        names = [s["name"] for s in specs]
        if set(names) <= set(table.column_names):
            table = table.select(names)
    else:
        table = _read_csv(path, specs)
    readings = _decode(table, specs, str(path))

    sensor_resource = next((r for r in resources if r.get("name") == "sensors"), None)
    if sensor_resource is None:
        raise DataFormatError(
            "The Data Package has no sensors resource.",
            file=raw.name,
            fix="Copy the whole export folder, or export the data again.",
        )
    sensor_path = _resource_path(base, sensor_resource, "sensors", raw.name)
    sensor_specs = _specs(section, "sensors", raw.name)
    sensors = _decode(_read_csv(sensor_path, sensor_specs), sensor_specs, str(sensor_path))

    descriptor_record = FileRecord(path=raw.name, sha256=raw.sha256, format="datapackage/toolkit")
    shared = section.get("shared")
    summary = section.get("ledger", {}).get("summary", {})
    descriptor_record.note(
        f"Data Package {descriptor.get('title', '')!r} exported by the Urban Data Toolkit "
        f"{section.get('version', '?')} on {descriptor.get('created', '?')}."
    )
    if shared:
        descriptor_record.note(
            f"A shared copy: sensor ids are pseudonyms and positions were coarsened to "
            f"about {from_json(shared).get('precision_m')} m."
        )
    descriptor_record.note(
        f"The original load read {summary.get('files', '?')} file(s): "
        f"{summary.get('readings_kept', '?')} readings kept, "
        f"{summary.get('values_dropped', '?')} value(s) and {summary.get('rows_dropped', '?')} "
        f"row(s) dropped with reasons, {summary.get('failed', '?')} file(s) failed. Its ledger "
        "is in ledger.csv; toolkit.readers.datapackage.package_ledger(folder) restores it."
    )
    expected_rows = section["tables"]["readings"].get("rows")  # checked by _specs
    hashes = {
        name: str(entry.get("sha256", ""))
        for name, entry in (section.get("files") or {}).items()
        if isinstance(entry, dict)
    }
    readings_record = _file_record(
        path, hashes.get(path.name, ""), f"datapackage/{fmt}", len(readings), readings=True
    )
    if expected_rows is not None and int(expected_rows) != len(readings):
        readings_record.note(
            f"{path.name} has {len(readings)} rows; the descriptor says {expected_rows}."
        )
    readings_record.sensors = (
        [str(c) for c in readings["sensor_id"].cat.categories]
        if hasattr(readings["sensor_id"], "cat")
        else []
    )
    sensors_record = _file_record(
        sensor_path,
        hashes.get(sensor_path.name, ""),
        "datapackage/csv",
        len(sensors),
        readings=False,
    )
    sensors_record.sensors = [str(s) for s in sensors["sensor_id"]]
    for record in (readings_record, sensors_record):
        record.timezone, record.timezone_reason = "UTC", "the export writes times in UTC"
    ledger = Ledger([descriptor_record, readings_record, sensors_record])
    return SensorData(readings, sensors, ledger, _history(section))


# --------------------------------------------------------------------------- tidy packages


def _fields(resource: dict[str, Any]) -> list[str]:
    schema = resource.get("schema")
    if isinstance(schema, dict):
        return [str(f.get("name")) for f in schema.get("fields", []) if isinstance(f, dict)]
    return []


def _tidy_resource(descriptor: dict[str, Any], base: Path) -> dict[str, Any] | None:
    """Return the readings resource of a package (None when none can be read)."""
    resources = [r for r in descriptor.get("resources", []) if isinstance(r, dict)]
    if _is_toolkit(descriptor):
        return next((r for r in resources if str(r.get("name", "")).startswith("readings")), None)
    for resource in resources:
        path = resource.get("path")
        if not isinstance(path, str) or not path.lower().endswith((".csv", ".csv.gz")):
            continue
        fields = _fields(resource)
        if not fields and (base / path).is_file():
            import csv

            with (base / path).open(encoding="utf-8-sig", newline="") as handle:
                fields = next(csv.reader(handle), [])
        if set(TIDY_COLUMNS) <= {f.strip() for f in fields}:
            return resource
    return None


def _read_tidy(
    raw: RawFile, descriptor: dict[str, Any], base: Path, timezone: str | None
) -> SensorData:
    import pandas as pd

    from .. import variables as _variables
    from .._errors import UnknownVariableError
    from .._time import parse_times
    from ._tidy import long_readings

    resource = _tidy_resource(descriptor, base)
    if resource is None:
        shown = [
            f"{r.get('name')} ({', '.join(_fields(r)[:8]) or 'no schema'})"
            for r in descriptor.get("resources", [])
            if isinstance(r, dict)
        ]
        raise UnknownLayoutError(
            "This Data Package has no readings table the toolkit can read.",
            file=raw.name,
            found=f"resources: {'; '.join(shown[:6]) or 'none'}",
            fix="A readings resource is a CSV with the columns sensor_id, time, variable, "
            "value and unit (one row per value). For other tables, read the CSV with "
            "toolkit.readers.read_csv_mapped(path, time=..., values={...}).",
        )
    path = _resource_path(base, resource, "readings", raw.name)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    record = FileRecord(path=str(path), format="datapackage/tidy_csv")
    from ._io import RawFile as _Raw

    record.sha256 = _Raw(str(path), path=path).sha256
    record.rows_read = len(frame)
    for column in frame.columns:
        if column not in TIDY_COLUMNS:
            record.ignore_column(column, "not one of the tidy readings columns")
    times = parse_times(
        frame["time"],
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="Table Schema datetimes without an offset are UTC",
        file=str(path),
        column="time",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = "not stated by the package"
    names = frame["variable"].str.strip()
    known = {}
    for name in names.unique():
        try:
            known[name] = _variables.get(name).name
        except UnknownVariableError:
            known[name] = None
    variable = names.map(known)
    ids = frame["sensor_id"].str.strip()
    row_reason = pd.Series(None, index=frame.index, dtype=object)
    for name in names[variable.isna()].unique():
        row_reason[names == name] = (
            f"variable {name!r} is not one of the toolkit's canonical variables"
        )
    row_reason[ids == ""] = "sensor_id is empty"
    table = pd.DataFrame(
        {
            "sensor_id": ids,
            "field": names,
            "variable": variable,
            "unit": frame["unit"],
            "value": frame["value"],
            "row_reason": row_reason,
            "label": frame["time"],
        }
    )
    readings = long_readings(table, times=times, record=record)
    sensors = _tidy_sensors(descriptor, base, sorted(set(ids[ids != ""])), raw.name)
    data = sensor_data(readings, sensors, record)
    descriptor_record = FileRecord(path=raw.name, sha256=raw.sha256, format="datapackage/tidy")
    descriptor_record.note(
        f"Data Package {descriptor.get('title') or descriptor.get('name') or ''!r}: readings "
        f"from {path.name}."
    )
    from ..sensordata import SensorData

    return SensorData(data.readings, data.sensors, Ledger([descriptor_record, *data.ledger]))


def _tidy_sensors(
    descriptor: dict[str, Any], base: Path, ids: list[str], file: str
) -> pd.DataFrame:
    import pandas as pd

    rows = pd.DataFrame({"sensor_id": ids, "name": ids, "source": SOURCE})
    resource = next(
        (
            r
            for r in descriptor.get("resources", [])
            if isinstance(r, dict) and r.get("name") == "sensors"
        ),
        None,
    )
    if resource is None:
        return rows
    path = _resource_path(base, resource, "sensors", file)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "sensor_id" not in table.columns:
        return rows
    table = table.replace("", None)
    for column in ("latitude", "longitude"):
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if "source" not in table.columns:
        table["source"] = SOURCE
    known = set(table["sensor_id"])
    return pd.concat([table, rows[~rows["sensor_id"].isin(known)]], ignore_index=True)


# --------------------------------------------------------------------------- reader


def read_datapackage(
    path_or_buffer: PathOrBuffer,
    *,
    resource_format: str = "auto",
    file_timezone: str | None = None,
    timezone: str | None = None,
) -> SensorData:
    """Read a Frictionless Data Package: a toolkit export exactly, or a tidy package.

    Parameters
    ----------
    path_or_buffer
        The package's folder or its ``datapackage.json``.
    resource_format
        For toolkit exports: ``"auto"`` (default) reads ``readings.parquet`` when present,
        else ``readings.csv``; ``"parquet"`` or ``"csv"`` insist on one.
    file_timezone
        For tidy packages of other publishers whose times carry no offset: the IANA
        zone of their clock (UTC by default, as Table Schema says).
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.

    Returns
    -------
    SensorData
        For a toolkit export, the exported readings, sensors and history; the ledger has
        one record per file read, with its SHA-256.

    Raises
    ------
    UnknownLayoutError
        If the package has no readings table the toolkit reads.
    DataFormatError
        If a file is missing or does not hold what the descriptor says (changed after
        the export), or the package was written by a newer toolkit.

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.load("our-air-2024/")                  # doctest: +SKIP
    >>> data = read_datapackage("our-air-2024/datapackage.json", resource_format="csv")
    ... # doctest: +SKIP
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_datapackage")
    if resource_format not in ("auto", "parquet", "csv"):
        raise DataFormatError(
            "resource_format must be 'auto', 'parquet' or 'csv'.",
            found=f"resource_format={resource_format!r}",
            fix="Use resource_format='auto' (Parquet when present, else CSV).",
        )
    if isinstance(path_or_buffer, str | Path) and Path(path_or_buffer).is_dir():
        path_or_buffer = Path(path_or_buffer) / DESCRIPTOR

    def parse(raw: RawFile) -> SensorData:
        text, _ = decode(raw)
        record = FileRecord(path=raw.name, format="datapackage")
        descriptor = parse_json(text, record=record, what="Data Package")
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise DataFormatError(
                "This is not a Data Package descriptor (a JSON object with resources).",
                file=raw.name,
                found=f"a JSON {type(descriptor).__name__}",
                fix="Give the datapackage.json of the package, or its folder.",
            )
        base = _base_folder(raw)
        if _is_toolkit(descriptor):
            return _read_toolkit(raw, descriptor, base, resource_format)
        return _read_tidy(raw, descriptor, base, timezone)

    return read_each(path_or_buffer, parse, what="datapackage")
