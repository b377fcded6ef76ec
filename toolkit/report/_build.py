"""Building one report: load, protect, run the template with papermill, write three files.

The steps of :func:`build_one`:

1. **Check** the output folder (it must not exist, or ``overwrite`` must be on and the
   folder must be a report folder: one holding ``provenance.json`` or ``summary.csv``).
2. **Prepare** the data in this process (:func:`prepare`): read the files with
   :func:`toolkit.load` (the ledger records every row), work out each sensor's
   neighbourhood from its exact position if boundaries are given, then, with sharing on,
   :func:`toolkit.privacy.share` (pseudonymous ids, positions on a grid, no identifying
   columns, no file paths), set the time zone and keep the period.
3. **Hand over** a private copy: the prepared ``SensorData`` is pickled into a private
   temporary work folder (made by :func:`tempfile.mkdtemp`, readable by the user only,
   deleted afterwards), with copies of the boundary and demographics files under fixed
   names. The template's parameters name only these copies (``data.pickle``...), so the
   executed notebook never holds an original path, id or exact position.
4. **Run** the template with papermill in the work folder (kernel ``python3``, a time
   limit per cell). The kernel gets the environment without variables whose names look
   secret (API keys, tokens, passwords: :data:`SECRET_NAME`), and ``PYTHONHASHSEED=0``
   so that its results do not depend on hash order.
5. **Convert** the executed notebook to HTML (:mod:`toolkit.report._html`) and check
   that the page fetches nothing.
6. **Write** ``report.ipynb``, ``report.html`` and ``provenance.json`` into a new folder
   ``<out>.partial-XXXX`` beside ``out`` and rename it to ``out`` only when all three are
   complete, so a folder called ``out`` is always a whole report.

When the template fails, nothing is written to ``out``: the partial folder is removed, the
executed notebook (with the error in place) is kept as ``<out>.failed/report-FAILED.ipynb``
with ``error.txt`` beside it, and :class:`ReportFailedError` says which cell failed and
why. A later successful build removes the ``.failed`` folder.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError
from ._parameters import ReportExistsError, ReportFailedError, ReportParameterError

if TYPE_CHECKING:
    import datetime as dt

    from ..sensordata import SensorData
    from ._parameters import ReportParameters

__all__ = [
    "OUTPUT_FILES",
    "SECRET_NAME",
    "Prepared",
    "ReportResult",
    "build_one",
    "check_out",
    "kernel_environment",
    "prepare",
    "render",
]

#: The files of a report folder.
OUTPUT_FILES = ("report.ipynb", "report.html", "provenance.json")
#: Environment variables whose names match this are not passed to the report's kernel.
SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSW|PWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT", re.IGNORECASE
)
#: Variables passed even though their names match SECRET_NAME (they hold no secret).
_SAFE_NAMES = {"PWD", "OLDPWD"}


@dataclass(frozen=True)
class ReportResult:
    """Where a report was written, and how long it took.

    Attributes
    ----------
    folder
        The output folder.
    notebook, html, provenance
        The three files in it.
    seconds
        Wall-clock time of the build.
    html_bytes
        Size of ``report.html``.
    unit
        For a report of a batch: the sensor or neighbourhood it is about.
    """

    folder: Path
    notebook: Path
    html: Path
    provenance: Path
    seconds: float
    html_bytes: int
    unit: str | None = None

    def __repr__(self) -> str:
        return (
            f"<Report {self.html} ({self.html_bytes / 1e6:.1f} MB, made in "
            f"{self.seconds:.0f} s); notebook and provenance.json beside it>"
        )


@dataclass
class Prepared:
    """The data ready for the template, and the record of the inputs.

    Attributes
    ----------
    data
        Loaded, neighbourhoods assigned, shared (if asked), zone set, period kept.
    timezone
        The report's time zone.
    inputs
        Input files for the provenance (:func:`toolkit.report._provenance.input_records`).
    notes
        Things the reader should know (for example that days are UTC days).
    neighbourhood_names
        Neighbourhood id -> name, when boundaries were given.
    """

    data: SensorData | None
    timezone: str
    inputs: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    neighbourhood_names: dict[str, str] = field(default_factory=dict)

    def hand_over(self, work: Path) -> dict[str, Any]:
        """Pickle the data into ``work/data.pickle`` for the template, and let go of it.

        The builder keeps no copy while the template runs (``data`` becomes ``None``), so
        the two processes do not both hold the data: about 300 MB for the teaching city.

        Returns
        -------
        dict
            Counts of what was handed over, for the provenance.
        """
        import dataclasses
        import gc
        import pickle

        from ..ledger import Ledger
        from ..sensordata import SensorData

        data = self.data
        if data is None:
            raise RuntimeError("The data was handed over already.")
        # the errors of unreadable files stay as text; the exception objects stay here
        ledger = Ledger(dataclasses.replace(r.copy(), exception=None) for r in data.ledger)
        copy = SensorData(data.readings, data.sensors, ledger, data.history)
        with (work / "data.pickle").open("wb") as handle:
            pickle.dump(copy, handle, protocol=pickle.HIGHEST_PROTOCOL)
        del copy
        summary = {
            "sensors": int(data.sensors.shape[0]),
            "readings": len(data),
            "files": len(data.ledger),
            "files_failed": len(data.ledger.failed),
            "first_reading_utc": _iso(data.period[0]) if data.period else None,
            "last_reading_utc": _iso(data.period[1]) if data.period else None,
            "timezone": self.timezone,
        }
        self.data = None
        del data
        gc.collect()
        return summary


# --------------------------------------------------------------------------- checks


def check_out(out: Path, *, overwrite: bool) -> None:
    """Refuse an existing output folder unless ``overwrite``, and never replace a non-report.

    Raises
    ------
    ReportExistsError
        When ``out`` exists and ``overwrite`` is off, or when ``out`` is a file or a folder
        that does not hold a report (no ``provenance.json`` or ``summary.csv``).
    """
    if not out.exists():
        return
    if not overwrite:
        raise ReportExistsError(
            "The output folder already exists.",
            found=str(out),
            fix="Choose another --out folder, or add --overwrite to replace the report in it.",
        )
    is_report = out.is_dir() and (
        not any(out.iterdir())
        or (out / "provenance.json").is_file()
        or (out / "summary.csv").is_file()
    )
    if not is_report:
        raise ReportExistsError(
            "The output folder holds something other than a report, so it is not replaced.",
            found=f"{out} (no provenance.json or summary.csv in it)",
            fix="Choose a new folder for the report, e.g. --out reports/my-report.",
        )


# --------------------------------------------------------------------------- preparing


def prepare(params: ReportParameters) -> Prepared:
    """Read, protect and select the data of a report (steps 2-3 of the module docstring).

    Parameters
    ----------
    params
        Checked parameters.

    Returns
    -------
    Prepared

    Raises
    ------
    ToolkitError
        When no file can be read, or the files hold no readings.
    """
    import warnings

    from .. import datasets
    from ..loading import load
    from ._provenance import input_records

    entries: list[Any] = [datasets.path("sensors")] if params.city else list(params.data)
    notes: list[str] = []
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            data = load(entries, params.source, progress=False, errors="collect")
        except ToolkitError as error:
            if not _zone_problem(error, params):
                raise
            data = load(entries, params.source, progress=False, file_timezone=params.timezone)
            notes.append(
                "The files' timestamps carry no time zone; they were read as local times "
                f"in {params.timezone} (see the ledger)."
            )
        else:
            data = _read_zoneless(data, params, notes)
    if data.ledger.failed:
        warnings.warn(
            f"{len(data.ledger.failed)} of {len(data.ledger)} file(s) could not be read and "
            "were left out; the report's ledger says why.",
            UserWarning,
            stacklevel=3,
        )
    if len(data) == 0:
        raise ReportParameterError(
            "The files hold no readings to report on.",
            found=f"{len(data.ledger)} file(s) read, 0 readings kept",
            fix="Check the files with: urban-toolkit inspect FILES",
        )
    places, names = _neighbourhoods_of(data, params.neighbourhoods)
    if params.share:
        from .. import privacy

        table = privacy.pseudonyms(data)
        code = dict(zip(table["original_id"], table["pseudonym"], strict=True))
        data = privacy.share(data, precision_m=params.precision_m)
        places = {code.get(k, k): v for k, v in places.items()}
    if params.neighbourhoods is not None:
        sensors = data.sensors.copy()
        sensors["report_neighbourhood"] = sensors["sensor_id"].astype(str).map(places)
        data = data.replace(sensors=sensors)
    data, timezone = _with_timezone(data, params.timezone, notes)
    if params.period is not None:
        data = _keep_period(data, params.period, timezone)
    on_disk: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for record in _original_paths(entries):
        if record not in seen:
            seen.add(record)
            on_disk.append(("data", Path(record)))
    for role, path in (
        ("neighbourhoods", params.neighbourhoods),
        ("demographics", params.demographics),
    ):
        if path is not None:
            on_disk.append((role, path))
    base = datasets.path("sensors").parent.parent if params.city else None
    inputs = input_records(on_disk, share=params.share, base=base)
    return Prepared(
        data=data, timezone=timezone, inputs=inputs, notes=notes, neighbourhood_names=names
    )


def _zone_problem(error: Exception, params: ReportParameters) -> bool:
    """Whether every file failed for want of a time zone, and one was given."""
    from .._errors import TimestampError

    if not params.timezone or params.city:
        return False
    return isinstance(error, TimestampError) or "time zone" in str(error)


def _read_zoneless(data: SensorData, params: ReportParameters, notes: list[str]) -> SensorData:
    """Read again, in the report's zone, files that failed only for want of a time zone.

    Timestamps are first read as each format documents them (Sensor.Community archives
    in UTC, PurpleAir and OpenAQ with their own offsets...): the report's ``timezone``
    decides local days, not how a file's clock is read. A file whose timestamps carry no
    zone and whose format documents none cannot be read that way; with ``timezone``
    given it is read again with its timestamps taken as local times of that zone, and
    the report says so (the ledger records the zone and why).
    """
    from .._errors import TimestampError
    from ..ledger import Ledger
    from ..loading import load
    from ..sensordata import SensorData, concat

    if not params.timezone or params.city:
        return data
    retry = [
        rec.path
        for rec in data.ledger
        if rec.status == "failed"
        and isinstance(rec.exception, TimestampError)
        and "::" not in rec.path
        and Path(rec.path).is_file()
    ]
    if not retry:
        return data
    again = load(
        retry, params.source, progress=False, errors="collect", file_timezone=params.timezone
    )
    kept = SensorData(
        data.readings,
        data.sensors,
        Ledger(rec for rec in data.ledger if rec.path not in set(retry)),
        data.history,
    )
    notes.append(
        f"{len(retry)} file(s) had timestamps without a time zone; they were read as local "
        f"times in {params.timezone} (see the ledger)."
    )
    return concat([kept, again]) if len(kept.ledger) else again


def _original_paths(entries: list[Any]) -> list[str]:
    """Return the files ``load`` read, in order, found again from the entries.

    The ledger of shared data no longer holds paths, so they are listed here: for a
    folder, every file with a data ending and every file of a Data Package in it (a
    package is read through its ``datapackage.json``, so ``readings.parquet`` counts);
    hidden files are left out, as ``load`` leaves them out.
    """
    from ..loading import DATA_SUFFIXES

    files: list[str] = []
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            children = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            members = _package_members(children)
            files.extend(
                str(p) for p in children if p.name.lower().endswith(DATA_SUFFIXES) or p in members
            )
        elif path.is_file():
            files.append(str(path))
        else:
            import glob

            files.extend(
                sorted(p for p in glob.glob(str(entry), recursive=True) if Path(p).is_file())
            )
    return files


def _package_members(children: list[Path]) -> set[Path]:
    try:
        from ..readers.datapackage import package_members
    except ImportError:  # pragma: no cover - a toolkit without the Data Package reader
        return set()
    return package_members(children)


def _neighbourhoods_of(
    data: SensorData, boundaries: Path | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Each sensor's neighbourhood from its exact position (before any coarsening)."""
    if boundaries is None:
        return {}, {}
    import geopandas as gpd

    from .. import places

    hoods = places.neighbourhoods_from_geojson(boundaries).to_crs("EPSG:4326")
    key = "neighbourhood_id" if "neighbourhood_id" in hoods.columns else "name"
    if key not in hoods.columns:
        raise ReportParameterError(
            "The neighbourhood boundaries have neither a 'neighbourhood_id' nor a 'name'.",
            found="properties: " + ", ".join(map(str, hoods.columns.drop("geometry"))),
            fix="Give each area a 'neighbourhood_id' (matching the demographics table) and a "
            "'name'.",
        )
    names = dict(
        zip(
            hoods[key].astype(str),
            (hoods["name"] if "name" in hoods.columns else hoods[key]).astype(str),
            strict=True,
        )
    )
    sensors = data.sensors[data.sensors["latitude"].notna() & data.sensors["longitude"].notna()]
    points = gpd.GeoDataFrame(
        {"sensor_id": sensors["sensor_id"].astype(str).to_numpy()},
        geometry=gpd.points_from_xy(sensors["longitude"], sensors["latitude"]),
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, hoods[[key, "geometry"]], how="inner", predicate="intersects")
    joined = joined.sort_values(key, kind="stable").drop_duplicates("sensor_id")
    return dict(zip(joined["sensor_id"], joined[key].astype(str), strict=True)), names


def _with_timezone(
    data: SensorData, timezone: str | None, notes: list[str]
) -> tuple[SensorData, str]:
    """Give every sensor the zone of its local days; return the report's main zone.

    With ``timezone`` given, every sensor gets it. Otherwise each sensor keeps its own
    zone (from its file, its coordinates or its file's UTC offsets, see the ledger); a
    sensor whose zone is unknown gets the zone of the others when they all share one,
    else UTC, and the report says so. The main zone (the most common) names the days of
    ``--period``.
    """
    zones = data.sensors["timezone"].astype("string").fillna("").str.strip()
    known = zones[zones != ""]
    if timezone:
        return data.with_timezone(timezone), timezone
    distinct = sorted(set(known))
    chosen = str(known.mode().iloc[0]) if not known.empty else "UTC"
    missing = data.sensors.loc[zones == "", "sensor_id"].astype(str).tolist()
    if missing:
        fill = distinct[0] if len(distinct) == 1 else "UTC"
        data = data.with_timezone(fill, sensors=missing)
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        if known.empty:
            notes.append(
                "No time zone was given or found in the files, so days are UTC days; "
                "give --timezone for local days."
            )
        elif len(distinct) == 1:
            notes.append(
                f"The time zone of {len(missing)} sensor(s) is not known ({shown}): they "
                f"were given {fill}, the zone of the other sensors; give --timezone to "
                "choose another."
            )
        else:
            notes.append(
                f"The time zone of {len(missing)} sensor(s) is not known ({shown}), and the "
                f"other sensors are in {len(distinct)} zones: their days are UTC days; give "
                "--timezone to choose one zone for all."
            )
    return data, chosen


def _keep_period(data: SensorData, period: tuple[str, str], timezone: str) -> SensorData:
    import pandas as pd

    start = pd.Timestamp(period[0]).tz_localize(timezone)
    end = (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).tz_localize(timezone)
    kept = data.select(start=start, end=end)
    if len(kept) == 0:
        first, last = (t.tz_convert(timezone).date() for t in data.period)
        raise ReportParameterError(
            "There are no readings in the chosen period.",
            found=f"period {period[0]}/{period[1]}; the data runs from {first} to {last}",
            fix=f"Choose dates within the data, e.g. --period {first}/{last}.",
        )
    return kept


# --------------------------------------------------------------------------- running


def kernel_environment() -> dict[str, str]:
    """Return the report kernel's environment: this one without secret-looking variables.

    Returns
    -------
    dict
        Every variable whose name does not match :data:`SECRET_NAME`, plus
        ``PYTHONHASHSEED=0``.
    """
    env = {k: v for k, v in os.environ.items() if k in _SAFE_NAMES or not SECRET_NAME.search(k)}
    env["PYTHONHASHSEED"] = "0"
    return env


def _kernel_manager_class() -> type:
    from jupyter_client.manager import AsyncKernelManager

    encrypt = False
    try:
        import zmq

        encrypt = bool(zmq.has("curve")) and (
            "transport_encryption" in AsyncKernelManager.class_trait_names()
        )
    except ImportError:  # pragma: no cover - pyzmq always comes with jupyter_client
        encrypt = False

    class ReportKernelManager(AsyncKernelManager):  # type: ignore[misc]
        """Starts the kernel with :func:`kernel_environment` (and encrypted channels)."""

        def __init__(self, **kwargs: Any) -> None:
            if encrypt:
                kwargs.setdefault("transport_encryption", "auto")
            super().__init__(**kwargs)

        async def start_kernel(self, **kw: Any) -> None:
            kw["env"] = kernel_environment()
            await super().start_kernel(**kw)

    return ReportKernelManager


def _run_notebook(
    template: Path, target: Path, parameters: dict[str, Any], *, cwd: Path, timeout: int
) -> None:
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(template),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(cwd),
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as error:
        first = next((line for line in str(error.source).splitlines() if line.strip()), "")
        raise ReportFailedError(
            f"The report template failed in cell {error.cell_index + 1} of the executed "
            f"notebook, with {error.ename}.",
            found=f"{_last_line(str(error.evalue))} (the cell begins: {first[:120]})",
            fix="Open the failed notebook to see the error in place (path below). If the "
            "data is the cause, the message says what to change; otherwise report it with "
            "the notebook.",
        ) from None
    except CellTimeoutError:
        raise ReportFailedError(
            f"A step of the report took longer than the time limit ({timeout} s).",
            found=f"timeout={timeout}",
            fix="Give it more time with --timeout 1800, or report on less data (--period).",
        ) from None
    except DeadKernelError:
        raise ReportFailedError(
            "The Python process running the report stopped (often: out of memory).",
            fix="Report on less data (--period, fewer files) or on a machine with more memory.",
        ) from None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:6])[:600] if lines else text


def _title(params: ReportParameters, unit: str | None) -> str:
    if params.title is not None:
        base = params.title
    elif params.city:
        base = "Air quality in Quayford (synthetic teaching city)"
    else:
        base = "Air quality report"
    return f"{base}: {unit}" if unit else base


def render(
    params: ReportParameters,
    prepared: Prepared,
    target: Path,
    *,
    created: dt.datetime,
    unit: str | None = None,
    failed_dir: Path,
    started: float | None = None,
) -> ReportResult:
    """Run the template on prepared data and write the report's three files into ``target``.

    Parameters
    ----------
    params
        Checked parameters.
    prepared
        From :func:`prepare` (a batch hands in each unit's share of the data). Its data
        is handed over to the template (:meth:`Prepared.hand_over`): afterwards
        ``prepared.data`` is ``None``.
    target
        An existing, empty folder.
    created
        Creation time of the report.
    unit
        For a report of a batch: the sensor or neighbourhood it is about.
    failed_dir
        Where the executed notebook and the error go when the template fails.
    started
        ``time.perf_counter()`` at the start of the build.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportFailedError
        When the template fails or its HTML would fetch something.
    """
    import json

    import nbformat

    from .. import __version__
    from . import _html, _provenance

    started = time.perf_counter() if started is None else started
    title = _title(params, unit)
    work = Path(tempfile.mkdtemp(prefix="urban-toolkit-report-"))
    try:
        summary = prepared.hand_over(work)
        parameters: dict[str, Any] = {
            "data": "data.pickle",
            "timezone": prepared.timezone,
            "standard": params.standard,
            "correction": params.correction or "",
            "title": title,
            "created": created.date().isoformat(),
            "share": params.share,
            "precision_m": params.precision_m,
            "neighbourhoods": "",
            "demographics": "",
            "city": params.city,
            "command": _provenance.command(params),
            "inputs": prepared.inputs,
            "unit": unit or "",
            "notes": prepared.notes,
        }
        for role in ("neighbourhoods", "demographics"):
            path = getattr(params, role)
            if path is not None:
                name = _copy_name(path, role, prepared.inputs, share=params.share)
                shutil.copyfile(path, work / name)
                parameters[role] = name
        executed = work / "report.ipynb"
        try:
            _run_notebook(
                params.template_file, executed, parameters, cwd=work, timeout=params.timeout
            )
        except ReportFailedError as error:
            _keep_failed(executed, failed_dir, error)
            raise ReportFailedError(
                error.problem,
                found=error.found,
                fix=f"{error.fix} The failed notebook: {failed_dir / 'report-FAILED.ipynb'}",
            ) from None
        nb = nbformat.read(executed, as_version=4)
        _normalise_metadata(nb, params)
        page = _html.to_html(nb, title=title, generator=f"Urban Data Toolkit {__version__}")
        _html.check(page)
        (target / "report.html").write_text(page, encoding="utf-8")
        nbformat.write(nb, target / "report.ipynb")
        digest = _provenance.file_digest(target / "report.html")[0]
        record = _provenance.provenance(
            params,
            inputs=prepared.inputs,
            created=created,
            duration_s=time.perf_counter() - started,
            data_summary=summary,
            html_sha256=digest,
            unit=unit,
        )
        (target / "provenance.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    return ReportResult(
        folder=target,
        notebook=target / "report.ipynb",
        html=target / "report.html",
        provenance=target / "provenance.json",
        seconds=time.perf_counter() - started,
        html_bytes=(target / "report.html").stat().st_size,
        unit=unit,
    )


def _copy_name(path: Path, role: str, inputs: list[dict[str, Any]], *, share: bool) -> str:
    """Name of the work copy of a boundary or demographics file.

    With sharing on, the copy is named like its input in the provenance (``input-47``)
    plus the file's endings, so the executed notebook never shows the original name.
    """
    if not share:
        return path.name
    suffixes = "".join(
        s for s in path.suffixes if s.lower() in (".geojson", ".json", ".csv", ".gz")
    )
    label = next((i["name"] for i in inputs if i["role"] == role), role)
    return f"{label}{suffixes}"


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _normalise_metadata(nb: Any, params: ReportParameters) -> None:
    """Replace papermill's temporary paths; nothing else of the notebook is changed."""
    meta = nb.metadata.get("papermill")
    if meta is not None:
        meta["input_path"] = (
            f"toolkit/report/templates/{params.template_file.name}"
            if params.template == "community"
            else params.template_file.name
        )
        meta["output_path"] = "report.ipynb"
        meta["environment_variables"] = {}


def _keep_failed(executed: Path, failed_dir: Path, error: ReportFailedError) -> None:
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    failed_dir.mkdir(parents=True, exist_ok=True)
    if executed.is_file():
        shutil.copyfile(executed, failed_dir / "report-FAILED.ipynb")
    (failed_dir / "error.txt").write_text(str(error) + "\n", encoding="utf-8")


def build_one(params: ReportParameters, *, started: float | None = None) -> ReportResult:
    """Build one report into ``params.out`` (see the module docstring).

    Parameters
    ----------
    params
        Checked parameters (:func:`toolkit.report._parameters.resolve`).
    started
        ``time.perf_counter()`` when the build began.

    Returns
    -------
    ReportResult
    """
    from tqdm import tqdm

    from ._provenance import created_time

    started = time.perf_counter() if started is None else started
    out = params.out
    check_out(out, overwrite=params.overwrite)
    created = created_time()
    with tqdm(
        total=3,
        desc="Reading the files",
        unit="step",
        disable=not params.progress,
        file=sys.stderr,
        leave=False,
    ) as bar:
        prepared = prepare(params)
        bar.update()
        bar.set_description("Running the report template")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.partial-"))
        try:
            result = render(
                params,
                prepared,
                partial,
                created=created,
                failed_dir=out.parent / f"{out.name}.failed",
                started=started,
            )
            bar.update()
            bar.set_description("Writing the report")
            publish(partial, out)
            bar.update()
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return ReportResult(
        folder=out,
        notebook=out / "report.ipynb",
        html=out / "report.html",
        provenance=out / "provenance.json",
        seconds=time.perf_counter() - started,
        html_bytes=result.html_bytes,
    )


def publish(partial: Path, out: Path) -> None:
    """Move the complete ``partial`` folder to ``out``, replacing an old report there.

    The temporary folder was made readable by its owner only (:func:`tempfile.mkdtemp`);
    the finished report gets the permissions of an ordinary new folder (``0o777`` less
    the umask), so it can be shared or served like any other.
    """
    import os

    umask = os.umask(0)
    os.umask(umask)
    partial.chmod(0o777 & ~umask)
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.old-"))
        old.rmdir()
        out.rename(old)
        partial.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        partial.rename(out)
