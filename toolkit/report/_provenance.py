"""Provenance of a report: inputs by SHA-256, parameters, versions, the command to re-make it.

``provenance.json`` is written beside ``report.html``. Two builds from the same inputs,
parameters and environment give the same file except for the fields listed in
:data:`VARYING_FIELDS`.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ._parameters import ReportParameters

__all__ = [
    "PACKAGES",
    "VARYING_FIELDS",
    "command",
    "created_time",
    "file_digest",
    "input_records",
    "package_versions",
    "provenance",
]

#: Distributions whose versions are recorded (those that can change a number or a chart).
PACKAGES = (
    "urban-data-toolkit",
    "pandas",
    "numpy",
    "pyarrow",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "osmnx",
    "geopandas",
    "shapely",
)
#: Top-level fields of provenance.json that differ between two builds of the same report.
VARYING_FIELDS = ("created", "duration_s")


def created_time() -> dt.datetime:
    """Return the report's creation time (UTC), honouring ``SOURCE_DATE_EPOCH``.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) pins
    the time, so that a rebuild can be identical byte for byte.

    Returns
    -------
    datetime.datetime
        Time zone aware, UTC, whole seconds.
    """
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def file_digest(path: str | Path) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size in bytes of a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> file_digest(p)[0][:16], file_digest(p)[1]
    ('ba7816bf8f01cfea', 3)
    """
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def input_records(
    files: Iterable[tuple[str, Path]], *, share: bool, base: Path | None = None
) -> list[dict[str, Any]]:
    """Describe every input file: role, name, SHA-256 and size.

    Parameters
    ----------
    files
        ``(role, path)`` pairs: role ``"data"``, ``"neighbourhoods"`` or
        ``"demographics"``.
    share
        Replace file names with ``input-01``, ``input-02``... (numbered in the order
        given): names often hold sensor ids, street names or people's names.
    base
        Folder that names are written relative to (the current folder by default).

    Returns
    -------
    list of dict
        ``role``, ``name``, ``sha256``, ``size_bytes``, in the order given.
    """
    base = Path.cwd() if base is None else base
    records = []
    for number, (role, path) in enumerate(files, start=1):
        digest, size = file_digest(path)
        name = f"input-{number:02d}" if share else _shown_path(path, base)
        records.append({"role": role, "name": name, "sha256": digest, "size_bytes": size})
    return records


def _shown_path(path: Path, base: Path) -> str:
    """Return the path relative to ``base`` where possible, else absolute, with '/'."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(base.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def package_versions() -> dict[str, str]:
    """Return the installed version of each of :data:`PACKAGES` (``"not installed"``)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def command(params: ReportParameters) -> str:
    """Return the ``urban-toolkit report`` command that makes this report again.

    Every parameter that differs from its default is written. With sharing on, data and
    boundary paths are written as placeholders (``FILES``, ``NEIGHBOURHOODS``,
    ``DEMOGRAPHICS``): file names can identify sensors and people, and the provenance
    file identifies the inputs by their SHA-256 instead. The output folder is written by
    its name only.

    Examples
    --------
    >>> from toolkit.report._parameters import resolve
    >>> command(resolve({"city": True, "out": "reports/quayford"}))
    'urban-toolkit report --city quayford --out quayford'
    """
    from ._parameters import DEFAULTS, TEMPLATES

    parts = ["urban-toolkit", "report"]
    if params.city:
        parts += ["--city", "quayford"]
    elif params.share:
        parts += ["--data", "FILES"]
    else:
        parts += ["--data", *(_shown_path(Path(d), Path.cwd()) for d in params.data)]
    if params.source != DEFAULTS["source"]:
        parts += ["--source", params.source]
    if params.timezone and not (params.city and params.timezone == "Europe/London"):
        parts += ["--timezone", params.timezone]
    if params.period is not None:
        parts += ["--period", params.period_text or ""]
    if params.standard != DEFAULTS["standard"]:
        parts += ["--standard", params.standard]
    if params.correction != DEFAULTS["correction"]:
        parts += ["--correction", params.correction or "none"]
    if not params.city:
        for flag, path, placeholder in (
            ("--neighbourhoods", params.neighbourhoods, "NEIGHBOURHOODS"),
            ("--demographics", params.demographics, "DEMOGRAPHICS"),
        ):
            if path is not None:
                parts += [flag, placeholder if params.share else _shown_path(path, Path.cwd())]
    if params.title is not None:
        parts += ["--title", params.title]
    if not params.share:
        parts.append("--no-share")
    if params.precision_m != DEFAULTS["precision_m"]:
        parts += ["--precision-m", f"{params.precision_m:g}"]
    if params.template not in TEMPLATES:
        parts += ["--template", Path(params.template).name]
    elif params.template != DEFAULTS["template"]:
        parts += ["--template", params.template]
    if params.by is not None:
        parts += ["--by", params.by]
    if params.timeout != DEFAULTS["timeout"]:
        parts += ["--timeout", str(params.timeout)]
    parts += ["--out", params.out.name or "report"]
    return " ".join(shlex.quote(p) for p in parts)


def provenance(
    params: ReportParameters,
    *,
    inputs: list[dict[str, Any]],
    created: dt.datetime,
    duration_s: float,
    data_summary: dict[str, Any],
    html_sha256: str,
    unit: str | None = None,
) -> dict[str, Any]:
    """Assemble the provenance record of one report (written as ``provenance.json``).

    Parameters
    ----------
    params
        The checked parameters.
    inputs
        From :func:`input_records`.
    created
        The creation time (:func:`created_time`).
    duration_s
        Seconds the build took.
    data_summary
        Counts of the data the template received (sensors, readings, files, period).
    html_sha256
        SHA-256 of ``report.html``, so a copy can be checked against this record.
    unit
        For one report of a batch: which sensor or neighbourhood it is about.

    Returns
    -------
    dict
        JSON-ready; see the README section "Reports" for every field.
    """
    from importlib.metadata import PackageNotFoundError, version

    from ._parameters import DEFAULTS

    try:
        toolkit_version = version("urban-data-toolkit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        toolkit_version = "0.0.0+unknown"
    template = params.template_file
    parameters = {key: getattr(params, key) for key in DEFAULTS}
    parameters["period"] = params.period_text
    parameters["out"] = params.out.name
    for key in ("neighbourhoods", "demographics"):
        if parameters[key] is not None:
            parameters[key] = (
                key.upper() if params.share else _shown_path(parameters[key], Path.cwd())
            )
    if params.city:
        parameters["data"] = "the bundled teaching city (datasets/sensors)"
        if not params.share:
            parameters["neighbourhoods"] = "datasets/city/neighbourhoods.geojson"
            parameters["demographics"] = "datasets/city/demographics.csv.gz"
    elif params.share:
        parameters["data"] = f"{len(inputs)} input file(s), names withheld (see inputs)"
    else:
        parameters["data"] = [_shown_path(Path(d), Path.cwd()) for d in params.data]
    if params.template not in ("community",):
        parameters["template"] = Path(params.template).name
    return {
        "title": "Provenance of an Urban Data Toolkit report",
        "toolkit_version": toolkit_version,
        "install": f"pip install urban-data-toolkit=={toolkit_version}",
        "command": command(params),
        "unit": unit,
        "created": created.isoformat().replace("+00:00", "Z"),
        "duration_s": round(duration_s, 1),
        "parameters": parameters,
        "privacy": {
            "share": params.share,
            "precision_m": params.precision_m if params.share else None,
            "method": (
                "toolkit.privacy.share: pseudonymous sensor ids, positions snapped to the "
                f"centre of a {params.precision_m:g} m grid cell, identifying sensor columns "
                "dropped, file names replaced; input file names withheld here"
                if params.share
                else "none: real sensor ids, names, positions and file names (a private "
                "report; do not publish it)"
            ),
        },
        "inputs": inputs,
        "input_count": len(inputs),
        "data": data_summary,
        "template": {
            "name": params.template if params.template == "community" else template.name,
            "sha256": file_digest(template)[0],
        },
        "outputs": {"report.html": {"sha256": html_sha256}},
        "python": {
            "version": sys.version.split()[0],
            "implementation": sys.implementation.name,
        },
        "packages": package_versions(),
        "varying_fields": list(VARYING_FIELDS),
    }
