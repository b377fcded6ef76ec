"""Report parameters: defaults, validation up front, and the YAML configuration file.

Every parameter of :func:`toolkit.report.build` is checked here before anything is
loaded or run, so that a typing mistake costs a second, not a minute, and the message
names the problem, what was found and what to do.
"""

from __future__ import annotations

import dataclasses
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import SourceNotFoundError, ToolkitError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "BUNDLED_CITIES",
    "DEFAULTS",
    "TEMPLATES",
    "ReportExistsError",
    "ReportFailedError",
    "ReportParameterError",
    "ReportParameters",
    "read_config",
    "resolve",
    "template_path",
]

#: The bundled report templates (``template="community"``), by name.
TEMPLATES = {"community": "community.ipynb"}
#: Cities that ship with the toolkit (``city=True`` or ``--city quayford``).
BUNDLED_CITIES = ("quayford",)
#: Quayford's time zone: its data dictionary says its clocks are Europe/London.
_CITY_TIMEZONE = "Europe/London"

#: Every parameter of :func:`toolkit.report.build` with its default (``out=None`` means
#: ``reports/<slug of the title>``). These are also the keys a YAML config may hold.
DEFAULTS: dict[str, Any] = {
    "data": None,
    "out": None,
    "source": "auto",
    "timezone": None,
    "period": None,
    "standard": "us_epa_2024",
    "correction": "epa_2021",
    "neighbourhoods": None,
    "demographics": None,
    "title": None,
    "share": True,
    "precision_m": 500.0,
    "template": "community",
    "by": None,
    "city": False,
    "overwrite": False,
    "progress": True,
    "timeout": 600,
}
_PATH_KEYS = ("data", "out", "neighbourhoods", "demographics", "template")
_BY = ("sensor", "neighbourhood")
_GLOB_CHARS = re.compile(r"[*?\[]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReportParameterError(ToolkitError, ValueError):
    """A report parameter (or a key of a report config file) cannot be used."""


class ReportExistsError(ToolkitError, FileExistsError):
    """The output folder exists and ``overwrite`` was not asked for, or is not a report."""


class ReportFailedError(ToolkitError, RuntimeError):
    """The report template failed while it ran; the message names the cell and error."""


@dataclass(frozen=True)
class ReportParameters:
    """The checked parameters of one report (see :func:`toolkit.report.build`).

    Attributes
    ----------
    data
        The data files, folders or glob patterns, as given (empty for the bundled city).
    files
        Every path the data entries matched, for the record; folders stay folders.
    out
        The output folder.
    timezone
        The IANA zone of the report's local days; ``None`` when neither given nor known
        yet (the sensors' own zone is used once the data is loaded, else UTC).
    period
        ``(first, last)`` local dates (ISO strings, both included), or ``None`` for all.
    """

    data: tuple[str, ...]
    out: Path
    source: str = "auto"
    timezone: str | None = None
    period: tuple[str, str] | None = None
    standard: str = "us_epa_2024"
    correction: str | None = "epa_2021"
    neighbourhoods: Path | None = None
    demographics: Path | None = None
    title: str | None = None
    share: bool = True
    precision_m: float = 500.0
    template: str = "community"
    by: str | None = None
    city: bool = False
    overwrite: bool = False
    progress: bool = True
    timeout: int = 600
    files: tuple[Path, ...] = field(default=(), compare=False)

    @property
    def template_file(self) -> Path:
        """The template notebook to run."""
        return template_path(self.template)

    @property
    def period_text(self) -> str | None:
        """The period as given on the command line (``"first/last"``), or ``None``."""
        return None if self.period is None else "/".join(self.period)

    def replace(self, **changes: Any) -> ReportParameters:
        """Return a copy with some fields changed (no new validation)."""
        return dataclasses.replace(self, **changes)


def template_path(template: str | Path) -> Path:
    """Return the notebook file of a template name or path.

    Parameters
    ----------
    template
        ``"community"`` (the bundled template) or the path of an ``.ipynb`` file with a
        cell tagged ``parameters``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ReportParameterError
        For an unknown name or a missing file.
    """
    name = str(template)
    if name in TEMPLATES:
        return Path(__file__).parent / "templates" / TEMPLATES[name]
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path
    raise ReportParameterError(
        f"Unknown report template {name!r}.",
        found=("a path that does not exist" if path.suffix == ".ipynb" else "not a template name"),
        fix=f"Use one of: {', '.join(TEMPLATES)}; or the path of a notebook (.ipynb) "
        "with a cell tagged 'parameters'.",
    )


def read_config(path: str | Path) -> dict[str, Any]:
    """Read a report configuration file (YAML) into build parameters.

    Keys are the parameters of :func:`toolkit.report.build` (``precision-m`` and
    ``precision_m`` both work). Relative paths in the file (``data``, ``out``,
    ``neighbourhoods``, ``demographics``, ``template``) are read relative to the folder
    the config file is in, so a config and its data can move together.

    Parameters
    ----------
    path
        The ``.yaml``/``.yml`` file.

    Returns
    -------
    dict
        Parameter name -> value, only for the keys in the file.

    Raises
    ------
    ReportParameterError
        When the file is missing, is not a YAML mapping, or holds unknown keys (the
        message names them and lists the valid ones).
    """
    import yaml

    file = Path(path)
    if not file.is_file():
        raise ReportParameterError(
            "The report config file does not exist.",
            found=str(file),
            fix="Give the path of a YAML file, e.g. --config report.yaml.",
        )
    try:
        content = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ReportParameterError(
            "The report config file is not valid YAML.",
            file=str(file),
            found=str(error).splitlines()[0],
            fix="Write one 'key: value' per line, e.g. 'timezone: Europe/Berlin'.",
        ) from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ReportParameterError(
            "The report config file must hold 'key: value' lines.",
            file=str(file),
            found=f"a {type(content).__name__}",
            fix="Write one 'key: value' per line, e.g. 'timezone: Europe/Berlin'.",
        )
    values = {str(k).replace("-", "_"): v for k, v in content.items()}
    unknown = sorted(set(values) - set(DEFAULTS) - {"config"})
    if unknown or "config" in values:
        bad = [*unknown, *(["config"] if "config" in values else [])]
        raise ReportParameterError(
            "The report config file has keys that are not report parameters.",
            file=str(file),
            found=", ".join(bad),
            fix="Use only these keys: " + ", ".join(DEFAULTS) + ".",
        )
    base = file.resolve().parent
    for key in _PATH_KEYS:
        value = values.get(key)
        if value is None or (key == "template" and str(value) in TEMPLATES):
            continue
        if isinstance(value, list | tuple):
            values[key] = [_relative_to(base, v) for v in value]
        else:
            values[key] = _relative_to(base, value)
    return values


def _relative_to(base: Path, value: Any) -> str:
    path = Path(str(value)).expanduser()
    return str(path if path.is_absolute() else base / path)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "report"


def resolve(values: Mapping[str, Any]) -> ReportParameters:
    """Check every parameter and return them, with defaults filled in.

    Parameters
    ----------
    values
        Parameter name -> value (missing names take :data:`DEFAULTS`).

    Returns
    -------
    ReportParameters

    Raises
    ------
    ReportParameterError
        For the first parameter that cannot be used; the message lists the valid
        choices (standards, corrections, templates, ``by`` values, config keys).
    SourceNotFoundError
        For data files, folders or patterns that match nothing (all of them named).
    """
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ReportParameterError(
            "These are not report parameters.",
            found=", ".join(unknown),
            fix="Use only: " + ", ".join(DEFAULTS) + ".",
        )
    v = {**DEFAULTS, **values}
    city = _city(v["city"])
    data = _data_entries(v["data"], city)
    files = () if city else _matching_files(data)
    timezone = _timezone(v["timezone"]) or (_CITY_TIMEZONE if city else None)
    neighbourhoods, demographics = _boundaries(v["neighbourhoods"], v["demographics"], city)
    by = _by(v["by"], neighbourhoods)
    title = None if v["title"] is None else str(v["title"])
    out = Path(v["out"]) if v["out"] is not None else Path("reports") / _default_slug(title, city)
    template = str(v["template"])
    _check_template(template)
    return ReportParameters(
        data=data,
        files=files,
        out=out,
        source=_source(v["source"]),
        timezone=timezone,
        period=_period(v["period"]),
        standard=_standard(v["standard"]),
        correction=_correction(v["correction"]),
        neighbourhoods=neighbourhoods,
        demographics=demographics,
        title=title,
        share=_boolean("share", v["share"]),
        precision_m=_positive("precision_m", v["precision_m"]),
        template=template,
        by=by,
        city=city,
        overwrite=_boolean("overwrite", v["overwrite"]),
        progress=_boolean("progress", v["progress"]),
        timeout=int(_positive("timeout", v["timeout"])),
    )


def _default_slug(title: str | None, city: bool) -> str:
    if title:
        return _slug(title)
    return BUNDLED_CITIES[0] if city else "report"


def _city(value: Any) -> bool:
    if value is None or value is False:
        return False
    if value is True or str(value).lower() in BUNDLED_CITIES:
        return True
    raise ReportParameterError(
        f"There is no bundled city called {value!r}.",
        found=str(value),
        fix="Use --city quayford (the bundled teaching city), or give your own files with --data.",
    )


def _data_entries(value: Any, city: bool) -> tuple[str, ...]:
    if value is None or value == [] or value == ():
        if city:
            return ()
        raise ReportParameterError(
            "No data was given for the report.",
            fix="Give your sensor files: urban-toolkit report --data exports/*.csv --out "
            "reports/mine; or use the bundled teaching city: --city quayford.",
        )
    if city:
        raise ReportParameterError(
            "Both data files and the bundled city were given.",
            found="data and city=True",
            fix="Choose one: --data FILES for your own files, or --city quayford.",
        )
    entries = [value] if isinstance(value, str | Path) else list(value)
    return tuple(str(e) for e in entries)


def _matching_files(entries: Sequence[str]) -> tuple[Path, ...]:
    found: list[Path] = []
    missing: list[str] = []
    for entry in entries:
        if _GLOB_CHARS.search(entry):
            matches = sorted(glob.glob(entry, recursive=True))
            if not matches:
                missing.append(f"{entry} (a pattern that matches no file)")
            found.extend(Path(m) for m in matches)
        elif Path(entry).exists():
            found.append(Path(entry))
        else:
            missing.append(entry)
    if missing:
        raise SourceNotFoundError(
            "Some of the report's data files do not exist.",
            found="; ".join(missing),
            fix="Check the paths (they are relative to the folder you run the command "
            "in), or list the folder with: urban-toolkit inspect FOLDER",
        )
    return tuple(found)


def _timezone(value: Any) -> str | None:
    if value is None or value == "":
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportParameterError(
            f"{value!r} is not a time zone name.",
            found=str(value),
            fix="Use an IANA name such as Europe/London, America/Chicago, Africa/Nairobi or UTC.",
        ) from None
    return str(value)


def _period(value: Any) -> tuple[str, str] | None:
    if value is None or value == "":
        return None
    import datetime as dt

    text = str(value).strip()
    parts = [p.strip() for p in text.split("/")]
    example = "--period 2024-10-07/2024-11-03 (local dates, both days included)"
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) != 2 or not all(_DATE.match(p) for p in parts):
        raise ReportParameterError(
            "The period must be two dates, FIRST/LAST, written YYYY-MM-DD.",
            found=repr(text),
            fix=f"For example {example}.",
        )
    try:
        first, last = (dt.date.fromisoformat(p) for p in parts)
    except ValueError:
        raise ReportParameterError(
            "The period holds a date that does not exist.",
            found=repr(text),
            fix=f"For example {example}.",
        ) from None
    if first > last:
        raise ReportParameterError(
            "The period ends before it starts.",
            found=repr(text),
            fix=f"Write the earlier date first: {last}/{first}.",
        )
    return first.isoformat(), last.isoformat()


def _standard(value: Any) -> str:
    from .. import standards

    names = list(standards.list("index")["name"])
    builtin = [n for n in names if not standards.get(n).user_defined]
    if str(value) in builtin:
        return str(value)
    guideline = str(value) in set(standards.list("guideline")["name"])
    raise ReportParameterError(
        f"{value!r} is not an air-quality index the report can use.",
        found=(
            "a guideline (the report counts days above the WHO guideline by itself)"
            if guideline
            else str(value)
        ),
        fix="Use one of: " + ", ".join(builtin) + ".",
    )


def _correction(value: Any) -> str | None:
    if value is None or str(value).lower() in ("", "none", "no", "false"):
        return None
    from ..corrections import CORRECTIONS

    valid = [k for k, c in CORRECTIONS.items() if c.output == "pm25_corrected"]
    if str(value) in valid:
        return str(value)
    raise ReportParameterError(
        f"{value!r} is not a known PM2.5 correction.",
        found=str(value),
        fix="Use one of: " + ", ".join(valid) + "; or 'none' for no correction.",
    )


def _source(value: Any) -> str:
    from ..loading import sources

    valid = ["auto", *sources()]
    if str(value) in valid:
        return str(value)
    raise ReportParameterError(
        f"{value!r} is not a data source the toolkit reads.",
        found=str(value),
        fix="Use 'auto' (recognise each file) or one of: " + ", ".join(valid[1:]) + ".",
    )


def _boundaries(
    neighbourhoods: Any, demographics: Any, city: bool
) -> tuple[Path | None, Path | None]:
    if city and neighbourhoods is None and demographics is None:
        from .. import datasets

        return datasets.path("neighbourhoods"), datasets.path("demographics")
    if demographics is not None and neighbourhoods is None:
        raise ReportParameterError(
            "Demographics were given without neighbourhood boundaries.",
            found=str(demographics),
            fix="Give both: --neighbourhoods areas.geojson --demographics people.csv.",
        )
    paths = []
    for name, value in (("neighbourhoods", neighbourhoods), ("demographics", demographics)):
        if value is None:
            paths.append(None)
            continue
        path = Path(value)
        if not path.is_file():
            raise SourceNotFoundError(
                f"The {name} file does not exist.",
                found=str(path),
                fix="Check the path (relative to the folder you run the command in).",
            )
        paths.append(path)
    return paths[0], paths[1]


def _by(value: Any, neighbourhoods: Path | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in _BY:
        raise ReportParameterError(
            f"Reports cannot be split by {value!r}.",
            found=str(value),
            fix="Use --by sensor (one report per sensor) or --by neighbourhood (one per "
            "neighbourhood; needs --neighbourhoods).",
        )
    if value == "neighbourhood" and neighbourhoods is None:
        raise ReportParameterError(
            "One report per neighbourhood needs the neighbourhood boundaries.",
            found="by='neighbourhood' without neighbourhoods",
            fix="Add --neighbourhoods areas.geojson (and --demographics people.csv).",
        )
    return str(value)


def _check_template(template: str) -> None:
    import json

    path = template_path(template)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError):
        raise ReportParameterError(
            "The report template is not a readable notebook.",
            found=str(path),
            fix="Give a Jupyter notebook (.ipynb) saved by JupyterLab.",
        ) from None
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells):
        raise ReportParameterError(
            "The report template has no cell tagged 'parameters'.",
            found=str(path),
            fix="In JupyterLab, select the cell that sets the parameters, open the "
            "property inspector (gear icon) and add the tag 'parameters'.",
        )


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ReportParameterError(
        f"{name} must be true or false.",
        found=repr(value),
        fix=f"Write {name}: true or {name}: false.",
    )


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise ReportParameterError(
            f"{name} must be a positive number.",
            found=repr(value),
            fix=f"For example {name}={DEFAULTS[name]!r}.",
        )
    return number
