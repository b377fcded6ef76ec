"""`load`: read any mix of supported files, folders and globs into one `SensorData`.

``load`` looks inside each file to recognise its format (the name alone can lie), hands it
to the right reader, and combines the results. A file that cannot be read does not stop
the others: it is listed in the ledger with its error, and a warning names it. Use
``errors="raise"`` to stop at the first problem instead.
"""

from __future__ import annotations

import glob
import importlib
import inspect
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import DataFormatError, ReaderError, SourceNotFoundError, ToolkitError
from .ledger import FileRecord, Ledger

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from .engine._lazy import LazySensorData
    from .readers._io import PathOrBuffer, RawFile
    from .sensordata import SensorData

__all__ = [
    "DATA_SUFFIXES",
    "ENGINE_FROM_BYTES",
    "ENGINE_FROM_FILES",
    "detect_source",
    "load",
    "sources",
]

#: File endings read when a folder is given; other files in a folder are listed in the
#: ledger as skipped.
DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".json", ".geojson", ".gz", ".zip", ".dat")
_PROGRESS_FROM_FILES = 5


def _modules() -> list[tuple[str, ModuleType, Any]]:
    from .readers._registry import READERS

    found = []
    for name, module_name, function in READERS:
        module = importlib.import_module(module_name)
        found.append((name, module, getattr(module, function)))
    return found


def sources() -> list[str]:
    """Return the names of the sources ``load`` recognises, in detection order."""
    return [name for name, _, _ in _modules()]


def detect_source(raw: RawFile) -> tuple[str, str]:
    """Recognise the format of one opened file.

    Parameters
    ----------
    raw
        An opened file (see :func:`toolkit.readers._io.open_files`).

    Returns
    -------
    source : str
        The reader's source name, for example ``"sensor_community"``.
    variant : str
        The format variant, for example ``"archive_csv"``.

    Raises
    ------
    UnknownLayoutError
        When no reader recognises the content; the message shows the columns found and a
        ready-to-edit mapping for :func:`toolkit.readers.read_csv_mapped`.
    """
    from .readers._io import check_text
    from .readers.suggest import unknown_layout_error

    head = check_text(raw)
    for name, module, _ in _modules():
        variant = module.detect(raw, head)
        if variant:
            return name, variant
    raise unknown_layout_error(raw, head)


def _expand(paths: PathOrBuffer | Iterable[PathOrBuffer], skipped: Ledger) -> list[Any]:
    """Turn paths, globs, folders and buffers into a flat list of files and buffers."""
    items = (
        [paths] if isinstance(paths, str | Path | bytes) or hasattr(paths, "read") else list(paths)
    )  # type: ignore[arg-type]
    out: list[Any] = []
    for item in items:
        if not isinstance(item, str | Path):
            out.append(item)
            continue
        text = str(item)
        path = Path(text)
        if path.is_dir():
            from .readers.datapackage import package_members

            children = sorted(p for p in path.rglob("*") if p.is_file())
            members = package_members(children)  # read through their datapackage.json
            for child in children:
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child in members:
                    continue
                if child.name.lower().endswith(DATA_SUFFIXES):
                    out.append(child)
                else:
                    skipped.append(
                        FileRecord(
                            path=str(child),
                            status="skipped",
                            error=f"not read: its ending is not one of {', '.join(DATA_SUFFIXES)}",
                        )
                    )
        elif any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise SourceNotFoundError(
                    "The pattern matches no file.",
                    file=text,
                    fix="Check the folder and the pattern; '**' matches sub-folders, "
                    "for example 'data/**/*.csv'.",
                )
            out.extend(Path(m) for m in matches if Path(m).is_file())
        elif path.exists():
            out.append(path)
        else:
            raise SourceNotFoundError(
                "The file does not exist.",
                file=text,
                fix="Check the path (it is relative to the notebook's folder); "
                "toolkit.datasets.list() shows the bundled data.",
            )
    return out


def _options_for(function: Any, options: dict[str, Any]) -> dict[str, Any]:
    accepted = inspect.signature(function).parameters
    return {k: v for k, v in options.items() if k in accepted}


def _check_options(options: dict[str, Any], readers: list[Any]) -> None:
    accepted = set()
    for function in readers:
        accepted |= set(inspect.signature(function).parameters) - {"path_or_buffer"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        import difflib

        hints = [m for u in unknown for m in difflib.get_close_matches(u, accepted, n=1)]
        msg = (
            f"load() got unknown option(s) {', '.join(map(repr, unknown))}. "
            f"Options the readers take: {', '.join(sorted(accepted))}."
            + (f" Did you mean {', '.join(map(repr, hints))}?" if hints else "")
        )
        raise TypeError(msg)


def load(
    paths: PathOrBuffer | Iterable[PathOrBuffer],
    source: str = "auto",
    *,
    errors: Literal["collect", "raise"] = "collect",
    progress: bool | None = None,
    file_timezone: str | None = None,
    sensor_timezone: str | None = None,
    engine: Literal["auto", "pandas", "duckdb"] = "auto",
    dataset: str | Path | None = None,
    **options: Any,
) -> SensorData | LazySensorData:
    """Read sensor export files into one :class:`~toolkit.SensorData`.

    Two time zones are told apart: the zone of the file's clock (``file_timezone=``:
    what its timestamps were written in, needed only when they carry no offset and the
    format documents no zone) and the zone of each sensor (``sensor_timezone=``: where
    it is, which decides where its local days begin). A Sensor.Community file is written
    in UTC wherever its sensor stands. Without ``sensor_timezone=`` each sensor's zone is
    kept from the file, else found offline from its coordinates or from the UTC offsets
    of its times; the ledger says how, per file (see :mod:`toolkit._zones`).

    Parameters
    ----------
    paths
        A file, a folder (every data file inside it, recursively), a glob pattern
        (``"exports/*.csv"``, ``"**"`` for sub-folders), an open file or bytes, or a list
        of any of these. ``.gz`` files and ``.zip`` archives are opened.
    source
        ``"auto"`` (default) recognises each file's format from its content. Or the name
        of one source (see :func:`sources`) to use that reader for every file.
    errors
        ``"collect"`` (default): a file that cannot be read is listed in the ledger with
        its error, a warning names it, and the others are read. ``"raise"``: stop at the
        first error.
    progress
        Show a progress bar; by default when there are five files or more.
    file_timezone
        IANA zone of the file's clock, for timestamps written without an offset in a
        format that documents no zone (or to overrule the documented one), for example
        ``"Europe/Berlin"`` for a logger set to local time. Not where the sensors are.
    sensor_timezone
        IANA zone of the sensors (where they are), for local days and hours, given to
        every sensor read; it overrules a zone found in the files or from coordinates
        (the ledger notes where a file said otherwise).
    engine
        ``"auto"`` (default): the pandas readers for small inputs, the DuckDB engine
        (:mod:`toolkit.engine`) for large ones: more than :data:`ENGINE_FROM_FILES`
        files or :data:`ENGINE_FROM_BYTES` bytes (where the engine was measured to be
        faster; see the README). ``"pandas"`` or ``"duckdb"`` to choose. The engine
        reads Sensor.Community archive CSVs in one pass (other files with the pandas
        readers), keeps the readings in a Parquet dataset and returns a
        :class:`~toolkit.engine.LazySensorData` with the same ledger; the history's
        first step and a note in each ledger record say which path read it.
    dataset
        With the engine: the folder of the Parquet dataset. By default it goes under
        the toolkit's cache folder, keyed by the inputs' paths, sizes and
        modification times; a later load of the same files reuses it without reading
        them again.
    **options
        Passed to the readers that accept them, for example ``sensor_id="kitchen"``.
        ``timezone=`` is the old name of ``file_timezone=`` and warns (it goes in the
        next release).

    Returns
    -------
    SensorData or LazySensorData
        All readings, sensors and ledger records; ``history`` is empty (with the
        engine: one ``load`` step naming it).

    Raises
    ------
    SourceNotFoundError
        If a path or pattern matches nothing.
    UnknownLayoutError, DataFormatError, TimestampError, ...
        With ``errors="raise"``, or when no file at all could be read.

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.load("exports/")                       # doctest: +SKIP
    >>> data = toolkit.load("logger.csv", file_timezone="Europe/Berlin")  # doctest: +SKIP
    >>> data = toolkit.load("exports/", sensor_timezone="Europe/Berlin")  # doctest: +SKIP
    """
    from .sensordata import concat

    if errors not in ("collect", "raise"):
        msg = f"errors must be 'collect' or 'raise', not {errors!r}."
        raise ValueError(msg)
    readers = _modules()
    by_name = {name: function for name, _, function in readers}
    if source != "auto" and source not in by_name:
        import difflib

        close = difflib.get_close_matches(source, by_name, n=1)
        raise DataFormatError(
            f"{source!r} is not a source the toolkit reads.",
            found=f"source={source!r}",
            fix=f"Use source='auto' or one of {', '.join(by_name)}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + "; for any other layout use toolkit.readers.read_csv_mapped.",
        )
    from ._zones import file_clock

    clock = file_clock(file_timezone, options.pop("timezone", None), where="load")
    if clock is not None:
        options["file_timezone"] = clock
    if sensor_timezone is not None:
        from ._time import check_timezone

        check_timezone(sensor_timezone, also="None (each sensor's zone from its file)")
    _check_options(options, [f for _, _, f in readers])

    if engine not in ("auto", "pandas", "duckdb"):
        msg = f"engine must be 'auto', 'pandas' or 'duckdb', not {engine!r}."
        raise ValueError(msg)
    skipped = Ledger()
    items = _expand(paths, skipped)
    if engine == "duckdb" or (engine == "auto" and _large(items)):
        return _load_with_engine(
            items, source, by_name, options, errors, progress, sensor_timezone, dataset, skipped
        )
    show = progress if progress is not None else len(items) >= _PROGRESS_FROM_FILES
    parts: list[SensorData] = []
    failures: list[FileRecord] = []
    iterator: Iterable[Any] = items
    if show:
        from tqdm.auto import tqdm

        iterator = tqdm(items, desc="Reading files", unit="file")
    for item in iterator:
        for part in _read_item(item, source, by_name, options, errors):
            parts.append(part)
            failures.extend(part.ledger.failed)
    data = concat(parts)
    data = _sensor_zones(data, sensor_timezone)
    if skipped:
        data = type(data)(
            data.readings, data.sensors, Ledger([*data.ledger, *skipped]), data.history
        )
    if parts and len(failures) == sum(len(p.ledger) for p in parts):
        if len(failures) == 1 and isinstance(failures[0].exception, ToolkitError):
            raise failures[0].exception
        raise DataFormatError(
            f"None of the {len(failures)} file(s) could be read.",
            found="\n" + "\n".join(f"    {f.path}: {f.error.splitlines()[0]}" for f in failures),
            fix="See each file's problem above; load one file with errors='raise' for the "
            "full message.",
        )
    if failures:
        listing = "; ".join(f"{f.path}: {f.error.splitlines()[0]}" for f in failures[:5])
        warnings.warn(
            f"{len(failures)} of {len(data.ledger)} file(s) could not be read and were "
            f"skipped ({listing}). See data.ledger for details.",
            UserWarning,
            stacklevel=2,
        )
    _warn_partial(data.ledger)
    return data


#: ``engine="auto"`` uses the DuckDB engine from this many files on ... Measured on 2
#: busy cores with generated daily archive files (SDS011 + BME280): 98 files (0.14 M
#: readings) load in 3.6 s with pandas and 2.0 s with the engine; 967 files (1.4 M) in
#: 32.6 s (254 MB peak) and 5.1 s. Below about a thousand files the pandas path is fast
#: enough and returns a plain SensorData, which every lesson expects.
ENGINE_FROM_FILES = 1000
#: ... or from this many bytes of input (256 MiB).
ENGINE_FROM_BYTES = 256 << 20


def _large(items: list[Any]) -> bool:
    """Tell whether the inputs are large enough for the engine (see ENGINE_FROM_FILES)."""
    if len(items) > ENGINE_FROM_FILES:
        return True
    total = 0
    for item in items:
        if isinstance(item, str | Path):
            try:
                total += Path(item).stat().st_size
            except OSError:
                continue
    return total > ENGINE_FROM_BYTES


def _load_with_engine(
    items: list[Any],
    source: str,
    by_name: dict[str, Any],
    options: dict[str, Any],
    errors: str,
    progress: bool | None,
    sensor_timezone: str | None,
    dataset: str | Path | None,
    skipped: Ledger,
) -> LazySensorData:
    """Read the inputs with the DuckDB engine (:mod:`toolkit.engine`), reporting as load does."""
    from .engine._ingest import ingest

    reader_options = {k: v for k, v in options.items() if k != "file_timezone"}
    data = ingest(
        items,
        read_fallback=lambda item: _read_item(item, source, by_name, options, errors),
        dataset=dataset,
        file_timezone=options.get("file_timezone"),
        sensor_timezone=sensor_timezone,
        source=source,
        options=reader_options,
        progress=progress,
        skipped=skipped,
    )
    read = [r for r in data.ledger if r.status != "skipped"]
    failures = [r for r in read if r.status == "failed"]
    if read and len(failures) == len(read):
        if len(failures) == 1 and isinstance(failures[0].exception, ToolkitError):
            raise failures[0].exception
        raise DataFormatError(
            f"None of the {len(failures)} file(s) could be read.",
            found="\n"
            + "\n".join(f"    {f.path}: {(f.error or '').splitlines()[0]}" for f in failures),
            fix="See each file's problem above; load one file with errors='raise' for the "
            "full message.",
        )
    if failures:
        listing = "; ".join(f"{f.path}: {(f.error or '').splitlines()[0]}" for f in failures[:5])
        warnings.warn(
            f"{len(failures)} of {len(data.ledger)} file(s) could not be read and were "
            f"skipped ({listing}). See data.ledger for details.",
            UserWarning,
            stacklevel=3,
        )
    _warn_partial(data.ledger, stacklevel=4)
    return data


def _sensor_zones(data: SensorData, sensor_timezone: str | None) -> SensorData:
    """Give the sensors the user's zone, or settle zones known from another file."""
    from ._zones import set_sensor_zone, settle_zones

    if sensor_timezone is not None and len(data.sensors):
        return set_sensor_zone(data, sensor_timezone)
    return settle_zones(data)


def _warn_partial(ledger: Ledger, *, stacklevel: int = 3) -> None:
    """Warn about files that lost more than 1 % of their rows or values structurally."""
    partial = ledger.partial
    if not partial:
        return
    listing = "; ".join(
        f"{rec.path}: {next((n for n in rec.notes if n.startswith('Partly read')), '')}"
        for rec in partial[:5]
    )
    more = f" (and {len(partial) - 5} more)" if len(partial) > 5 else ""
    warnings.warn(
        f"{len(partial)} of {len(ledger)} file(s) were only partly read{more}: {listing} "
        "See data.ledger for every dropped row and value.",
        UserWarning,
        stacklevel=stacklevel,
    )


def _read_item(
    item: Any,
    source: str,
    by_name: dict[str, Any],
    options: dict[str, Any],
    errors: str,
) -> list[SensorData]:
    """Open one path or buffer and read each file in it; failures become ledger records."""
    from .readers._io import open_files
    from .sensordata import SensorData, empty_readings, empty_sensors

    def failed(name: str, sha: str, error: ToolkitError) -> SensorData:
        record = FileRecord(
            path=name, sha256=sha, status="failed", error=str(error), exception=error
        )
        return SensorData(empty_readings(), empty_sensors(), Ledger([record]))

    name = str(getattr(item, "name", item)) if not isinstance(item, bytes) else "<buffer>"
    try:
        raws = open_files(item)
    except ToolkitError as error:
        if errors == "raise":
            raise
        return [failed(name, "", error)]
    except _UNCAUGHT:
        raise
    except Exception as error:  # the safety net: a reader bug must not stop the others
        unexpected = _reader_error(name, error)
        if errors == "raise":
            raise unexpected from error
        return [failed(name, "", unexpected)]
    out = []
    for raw in raws:
        try:
            reader = by_name[source] if source != "auto" else by_name[detect_source(raw)[0]]
            out.append(reader(raw, **_options_for(reader, options)))
        except ToolkitError as error:
            if errors == "raise":
                raise
            out.append(failed(raw.name, _sha256(raw), error))
        except _UNCAUGHT:
            raise
        except Exception as error:  # the safety net (see _reader_error)
            unexpected = _reader_error(raw.name, error)
            if errors == "raise":
                raise unexpected from error
            out.append(failed(raw.name, _sha256(raw), unexpected))
    return out


#: Exceptions the safety net lets through: they are not about the file (memory, an
#: interrupt, a warning the user turned into an error).
_UNCAUGHT = (MemoryError, Warning)


def _reader_error(name: str, error: Exception) -> ReaderError:
    """Wrap an unexpected exception of a reader in a :class:`ReaderError` naming the file.

    Parameters
    ----------
    name
        The file (or archive member, or ``<buffer>``) being read.
    error
        The exception the reader raised; the caller chains it (``raise ... from error``).

    Returns
    -------
    ReaderError
        "The reader could not read this file (an unexpected problem)", with the
        exception's type and message and a request to report it.
    """
    text = " ".join(str(error).split())
    wrapped = ReaderError(
        "The reader could not read this file (an unexpected problem).",
        file=name,
        found=f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__,
        fix="This is a bug in the toolkit, not in your file: please report it to the "
        "toolkit's maintainers with the file (or its first lines) attached. The other "
        "files were read; load this one with errors='raise' for the full traceback.",
    )
    wrapped.__cause__ = error  # kept when load re-raises the record's exception
    return wrapped


def _sha256(raw: RawFile) -> str:
    """Return the file's SHA-256, or "" when even that cannot be computed."""
    try:
        return raw.sha256
    except OSError:
        return ""
