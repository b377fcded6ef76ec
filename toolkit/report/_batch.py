"""Batch mode: one report per sensor or per neighbourhood, and a summary of them all.

The data is read and protected once (:func:`toolkit.report._build.prepare`), so the
pseudonyms are the same in every report of the batch. Each unit then gets its own report
in ``out/<name>/`` (``name`` is the sensor's pseudonym, its id without sharing, or the
neighbourhood's name, made safe for a folder name). A unit that fails does not stop the
others: its executed notebook and error go to ``out/<name>.failed/``, and the summary
(``out/summary.csv``, and the :class:`BatchResult`) lists every unit with its status,
the reason of a failure and the path of its report. The whole batch is written into
``out.partial-XXXX`` and renamed to ``out`` at the end.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError
from ._build import ReportResult, check_out, prepare, publish, render

if TYPE_CHECKING:
    import pandas as pd

    from ._build import Prepared
    from ._parameters import ReportParameters

__all__ = ["BatchResult", "build_batch", "units"]


@dataclass
class BatchResult:
    """What a batch made: every report, every failure, and the summary table.

    Attributes
    ----------
    folder
        The batch's output folder.
    reports
        The reports that were made.
    failures
        ``(unit, reason)`` for each unit whose report failed.
    summary
        One row per unit: ``unit``, ``status`` (``ok``, ``failed`` or ``skipped``),
        ``reason``, ``path`` (relative to ``folder``), ``seconds``; also written to
        ``summary.csv``.
    seconds
        Wall-clock time of the whole batch.
    """

    folder: Path
    reports: list[ReportResult] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    summary: Any = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every unit's report was made."""
        return not self.failures

    def __repr__(self) -> str:
        head = (
            f"<Batch of {len(self.reports) + len(self.failures)} report(s) in {self.folder}: "
            f"{len(self.reports)} made, {len(self.failures)} failed>"
        )
        if self.summary is None:
            return head
        return head + "\n" + self.summary.to_string(index=False)


def _folder_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return name[:80] or "unit"


def units(params: ReportParameters, prepared: Prepared) -> list[tuple[str, list[str]]]:
    """Split the data into the batch's units.

    Returns
    -------
    list of (str, list of str)
        ``(unit name, sensor ids)`` in a stable order: sensors sorted by id;
        neighbourhoods in the order of the boundaries file, only those with a sensor.
    """
    sensors = prepared.data.sensors
    ids = sensors["sensor_id"].astype(str)
    if params.by == "sensor":
        return [(i, [i]) for i in sorted(ids)]
    where = sensors["report_neighbourhood"].astype("string")
    found = []
    for key, name in prepared.neighbourhood_names.items():
        members = sorted(ids[where == key])
        if members:
            found.append((name, members))
    return found


def build_batch(params: ReportParameters) -> BatchResult:
    """Build one report per unit into ``params.out`` and write ``summary.csv``.

    Parameters
    ----------
    params
        Checked parameters with ``by`` set.

    Returns
    -------
    BatchResult
        The reports, the failures with their reasons, and the summary table.
    """
    import pandas as pd
    from tqdm import tqdm

    from ._provenance import created_time

    started = time.perf_counter()
    out = params.out
    check_out(out, overwrite=params.overwrite)
    created = created_time()
    prepared = prepare(params)
    parts = units(params, prepared)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.partial-"))
    result = BatchResult(folder=out)
    rows: list[dict[str, Any]] = []
    try:
        outside = _outside(params, prepared, parts)
        for name, members in tqdm(
            parts, desc="Reports", unit="report", disable=not params.progress, file=sys.stderr
        ):
            folder = _folder_name(name)
            target = partial / folder
            target.mkdir()
            began = time.perf_counter()
            try:
                unit_data = prepared.data.select(sensors=members)
                keep = unit_data.sensors["sensor_id"].astype(str).isin(members)
                unit_data = unit_data.replace(sensors=unit_data.sensors[keep])
                report = render(
                    params,
                    _replace_data(prepared, unit_data),
                    target,
                    created=created,
                    unit=name,
                    failed_dir=partial / f"{folder}.failed",
                    started=began,
                )
            except ToolkitError as error:
                shutil.rmtree(target, ignore_errors=True)
                reason = error.problem + (f" {error.found}" if error.found else "")
                result.failures.append((name, reason))
                rows.append(_row(name, "failed", reason, f"{folder}.failed/", began))
                continue
            result.reports.append(
                ReportResult(
                    folder=out / folder,
                    notebook=out / folder / "report.ipynb",
                    html=out / folder / "report.html",
                    provenance=out / folder / "provenance.json",
                    seconds=report.seconds,
                    html_bytes=report.html_bytes,
                    unit=name,
                )
            )
            rows.append(_row(name, "ok", "", f"{folder}/report.html", began))
        if outside:
            rows.append(
                {
                    "unit": f"{len(outside)} sensor(s) in no neighbourhood",
                    "status": "skipped",
                    "reason": "no position, or outside every neighbourhood boundary: "
                    + ", ".join(outside),
                    "path": "",
                    "seconds": 0.0,
                }
            )
        summary = pd.DataFrame(rows, columns=["unit", "status", "reason", "path", "seconds"])
        summary.to_csv(partial / "summary.csv", index=False)
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    result.summary = summary
    result.seconds = time.perf_counter() - started
    return result


def _outside(
    params: ReportParameters, prepared: Prepared, parts: list[tuple[str, list[str]]]
) -> list[str]:
    if params.by != "neighbourhood":
        return []
    inside = {s for _, members in parts for s in members}
    return sorted(set(prepared.data.sensors["sensor_id"].astype(str)) - inside)


def _replace_data(prepared: Prepared, data: Any) -> Prepared:
    import dataclasses

    return dataclasses.replace(prepared, data=data)


def _row(name: str, status: str, reason: str, path: str, began: float) -> dict[str, Any]:
    return {
        "unit": name,
        "status": status,
        "reason": reason,
        "path": path,
        "seconds": round(time.perf_counter() - began, 1),
    }


def summary_text(summary: pd.DataFrame) -> str:
    """Return the summary as a plain table for the command line."""
    return summary.drop(columns="seconds").to_string(index=False)
