"""Reproducible community reports: a papermill-run notebook, offline HTML and provenance.

::

    from toolkit import report

    report.build(city=True, out="reports/quayford")          # the bundled teaching city
    report.build(["exports/"], timezone="Europe/Berlin", out="reports/ours",
                 neighbourhoods="areas.geojson", demographics="people.csv")

or from a terminal::

    urban-toolkit report --city quayford --out reports/quayford
    urban-toolkit report --data exports/*.csv --timezone Europe/Berlin --out reports/ours

A report folder holds three files:

``report.ipynb``
    The executed template (``templates/community.ipynb``): every number can be traced to
    the code that made it.
``report.html``
    The report for residents and councillors, in one file: no code, charts as inline
    SVG, no script, nothing fetched from the internet (the build checks it), user text
    escaped. It opens offline in any browser and can be e-mailed or printed.
``provenance.json``
    Every parameter (defaults included), the SHA-256 and size of every input, the
    versions of the toolkit, Python and the packages that make numbers and charts, the
    template's SHA-256, the command that makes the report again, and when it was made.

**The same inputs give the same report.** Two builds with the same files, parameters
and software give byte-identical ``report.html`` and identical ``provenance.json``
except for ``created`` and ``duration_s``, as long as they are made on the same (UTC) day:
the page shows the date it was made, and the clock check counts readings after the end
of that day as "in the future". Set ``SOURCE_DATE_EPOCH`` (seconds since 1970) to pin
the date. ``report.ipynb`` also records papermill's start and end times.

**Privacy is on by default** (``share=True``): sensor ids become pseudonyms
(``sensor-01``...), names and identifying columns are dropped and positions are rounded
to a grid (:mod:`toolkit.privacy`) before the template sees the data, and input file
names are replaced by ``input-01``... in the provenance and the page (their SHA-256 is
kept). ``share=False`` (``--no-share``) makes a private report with real names.
API keys are never needed: the report's kernel does not even receive environment
variables whose names look secret.

**Failing clearly.** Parameters are checked before anything runs (unknown standard or
correction, missing files, a glob that matches nothing, a bad period, unknown config
keys). A report is written to ``<out>.partial-XXXX`` and renamed to ``out`` only when
complete; if the template fails, the error names the cell, and the executed notebook is
kept in ``<out>.failed/`` for whoever debugs it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._parameters import (
    DEFAULTS,
    TEMPLATES,
    ReportExistsError,
    ReportFailedError,
    ReportParameterError,
    read_config,
    resolve,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._batch import BatchResult
    from ._build import ReportResult

__all__ = [
    "DEFAULTS",
    "TEMPLATES",
    "BatchResult",
    "ReportExistsError",
    "ReportFailedError",
    "ReportParameterError",
    "ReportResult",
    "build",
    "read_config",
]


def __getattr__(name: str) -> Any:
    if name == "ReportResult":
        from ._build import ReportResult

        return ReportResult
    if name == "BatchResult":
        from ._batch import BatchResult

        return BatchResult
    msg = f"module 'toolkit.report' has no attribute {name!r}"
    raise AttributeError(msg)


def build(
    data: str | Path | Sequence[str | Path] | None = None,
    *,
    out: str | Path | None = None,
    source: str = "auto",
    timezone: str | None = None,
    period: str | None = None,
    standard: str = "us_epa_2024",
    correction: str | None = "epa_2021",
    neighbourhoods: str | Path | None = None,
    demographics: str | Path | None = None,
    title: str | None = None,
    share: bool = True,
    precision_m: float = 500.0,
    template: str = "community",
    by: str | None = None,
    city: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    timeout: int = 600,
    config: str | Path | None = None,
) -> ReportResult | BatchResult:
    """Make a report: an executed notebook, a self-contained HTML page and provenance.

    Parameters
    ----------
    data
        Sensor export files, folders or glob patterns (anything :func:`toolkit.load`
        reads). ``None`` with ``city=True`` for the bundled teaching city.
    out
        Output folder; default ``reports/<title as a file name>`` (``reports/quayford``
        for the teaching city).
    source
        Format of every file (``"auto"``: recognise each one).
    timezone
        IANA zone for the local days and hours of every sensor, and for files whose
        timestamps have no zone. Default: each sensor's own zone (from its file, its
        coordinates or its file's UTC offsets; the page names the zones used), and for a
        sensor whose zone is unknown the other sensors' zone if they share one, else UTC
        (the report says so).
    period
        ``"FIRST/LAST"`` local dates, both included (``"2024-10-07/2024-11-03"``), or one
        date; ``None``: everything.
    standard
        The air-quality index: ``"us_epa_2024"`` (default), ``"us_epa_2018"``,
        ``"eaqi_2024"``, ``"eaqi_2017"``, ``"uk_daqi_2013"``, ``"in_naqi_2014"``.
    correction
        PM2.5 correction for the sensors it is made for (``"epa_2021"``, default, for
        PurpleAir), or ``None`` / ``"none"``.
    neighbourhoods, demographics
        Neighbourhood boundaries (GeoJSON with ``neighbourhood_id`` and ``name``) and a
        table with ``neighbourhood_id`` and ``population``: the report then counts
        sensors per resident and names unmeasured neighbourhoods.
    title
        The report's title (escaped in the page).
    share
        Privacy for sharing (default on): pseudonymous ids, coarse positions, no file
        names. ``False`` for a private report.
    precision_m
        Grid size for positions when sharing [m].
    template
        ``"community"`` or the path of your own template notebook (with a cell tagged
        ``parameters`` taking the same names as ``templates/community.ipynb``).
    by
        ``"sensor"`` or ``"neighbourhood"``: one report per unit in ``out/<unit>/`` and
        a ``summary.csv``; a failed unit does not stop the others.
    city
        True: the bundled synthetic teaching city (Quayford: all sensors, boundaries,
        demographics, Europe/London).
    overwrite
        Replace an existing report folder (never a folder that is not a report).
    progress
        Show progress bars.
    timeout
        Seconds any one cell of the template may run.
    config
        A YAML file whose keys are these parameters; parameters passed here with a
        value other than their default override the file's (paths in the file are
        relative to its folder).

    Returns
    -------
    ReportResult or BatchResult
        Paths of ``report.ipynb``, ``report.html`` and ``provenance.json`` (for a
        batch: every report, every failure with its reason, and the summary table).

    Raises
    ------
    ReportParameterError
        For a parameter that cannot be used (the message lists the valid choices).
    SourceNotFoundError
        For data or boundary files that do not exist.
    ReportExistsError
        When ``out`` exists and ``overwrite`` is off (or ``out`` is not a report).
    ReportFailedError
        When the template fails (the message names the cell and the error).

    Examples
    --------
    >>> from toolkit import report
    >>> result = report.build(city=True, out="reports/quayford")  # doctest: +SKIP
    >>> result.html                                                # doctest: +SKIP
    PosixPath('reports/quayford/report.html')
    """
    started = time.perf_counter()
    values = {
        "data": data,
        "out": out,
        "source": source,
        "timezone": timezone,
        "period": period,
        "standard": standard,
        "correction": correction,
        "neighbourhoods": neighbourhoods,
        "demographics": demographics,
        "title": title,
        "share": share,
        "precision_m": precision_m,
        "template": template,
        "by": by,
        "city": city,
        "overwrite": overwrite,
        "progress": progress,
        "timeout": timeout,
    }
    if config is not None:
        merged = read_config(config)
        merged.update({k: v for k, v in values.items() if v != DEFAULTS[k]})
        values = merged
    params = resolve(values)
    if params.by is not None:
        from ._batch import build_batch

        return build_batch(params)
    from ._build import build_one

    return build_one(params, started=started)
