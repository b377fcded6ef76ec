"""Air-quality standards: published indices, guidelines and limit values, and your own.

Every number an index or a "days above the guideline" count gives depends on a table
someone published, in some version. The tables live as CSV files in this folder, each
row with its source, effective date, averaging period and units, so that they can be
read, printed, questioned and corrected without touching code.

Indices (use with :func:`toolkit.indices.aqi`)
    ``us_epa_2024``
        US EPA AQI, 2024 revision (EPA-454/B-24-002; 89 FR 16202, effective 6 May 2024):
        PM2.5 and PM10 24 h, O3 8 h and 1 h, CO 8 h, SO2 1 h and 24 h, NO2 1 h.
    ``us_epa_2018``
        US EPA AQI before 2024 (EPA-454/B-18-007), with the old PM2.5 breakpoints
        (Good up to 12.0 µg/m³); still used by some packages and dashboards.
    ``eaqi_2024``, ``eaqi_2017``
        European Air Quality Index (EEA): revised bands (ETC HE Report 2024/17) and the
        classic 2017 bands. Six levels, no numeric interpolation.
    ``uk_daqi_2013``
        UK Daily Air Quality Index (Defra, 2013): index 1-10 in four bands.
    ``in_naqi_2014``
        India National Air Quality Index (CPCB, 2014): 0-500, linear within bands.

Guidelines and limit values (use with :func:`toolkit.indices.exceedances`)
    ``who_2021_<pollutant>_<averaging>`` (AQG level) and ``..._it1`` to ``..._it4``
    (interim targets) from the WHO global air quality guidelines 2021, Table 0.1;
    ``eu_2008_...`` (Directive 2008/50/EC, in force until 2029) and ``eu_2024_...``
    (Directive (EU) 2024/2881, limit values from 1 January 2030), with the exceedances
    each allows per calendar year (EU: PM10 24-hour mean 50 µg/m³ on at most 35 days).

What was verified and how is in each row's ``verified`` column and in
:attr:`Standard.verified`; anything not verified says so.

Functions
---------
:func:`list`
    All standards and guidelines as a table.
:func:`get`
    One by name (``toolkit.standards.get("us_epa_2024")``).
:func:`custom`
    Your own thresholds, usable everywhere a standard name is.

Examples
--------
>>> from toolkit import standards
>>> standards.get("us_epa_2024").label
'US EPA AQI (2024, EPA-454/B-24-002)'
>>> standards.get("eu_2008_pm10_24h").allowed_exceedances
35.0
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from .._errors import ToolkitError
from ._load import (
    ABOVE_TOP_RULES,
    AVERAGING_PERIODS,
    Band,
    Guideline,
    Standard,
    Table,
    builtin_guidelines,
    builtin_standards,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

__all__ = [
    "ABOVE_TOP_RULES",
    "AVERAGING_PERIODS",
    "CUSTOM_AVERAGING",
    "Band",
    "Guideline",
    "Standard",
    "Table",
    "UnknownStandardError",
    "custom",
    "get",
    "list",
]

#: Averaging periods a user-defined scale may use.
CUSTOM_AVERAGING = ("15min", "1h", "8h", "24h", "24h running", "8h max daily", "year")
# Six colours from green to maroon (the US AQI's), sampled for user scales of up to six
# categories; up to ten use the UK DAQI's ten colours.
_SIX_COLOURS = ("#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#8F3F97", "#7E0023")
_TEN_COLOURS = (
    "#9CFF9C",
    "#31FF00",
    "#31CF00",
    "#FFFF00",
    "#FFCF00",
    "#FF9A00",
    "#FF6464",
    "#FF0000",
    "#990000",
    "#CE30FF",
)
# User-defined scales of this session, by name (filled by custom(); empty on import).
_CUSTOM: dict[str, Standard] = {}


class UnknownStandardError(ToolkitError, KeyError):
    """A standard or guideline name is not known."""


def get(name: str | Standard | Guideline) -> Standard | Guideline:
    """Return a standard (index or user scale) or a guideline by its name.

    Parameters
    ----------
    name
        A name from :func:`list`, e.g. ``"us_epa_2024"``, ``"who_2021_pm25_24h"`` or a
        name given to :func:`custom`. A ``Standard`` or ``Guideline`` is returned as is.

    Returns
    -------
    Standard or Guideline

    Raises
    ------
    UnknownStandardError
        If no standard has that name; the message suggests close names.
    """
    if isinstance(name, Standard | Guideline):
        return name
    key = str(name)
    if key in _CUSTOM:
        return _CUSTOM[key]
    standards = builtin_standards()
    if key in standards:
        return standards[key]
    guidelines = builtin_guidelines()
    if key in guidelines:
        return guidelines[key]
    import difflib

    known = [*_CUSTOM, *standards, *guidelines]
    close = difflib.get_close_matches(key, known, n=4, cutoff=0.5)
    hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise UnknownStandardError(
        f"{key!r} is not a standard or guideline the toolkit knows.",
        found=f"indices {', '.join(standards)}; {len(guidelines)} guidelines; "
        f"user-defined: {', '.join(_CUSTOM) or 'none'}",
        fix=f"{hint}See them all with toolkit.standards.list(), or define your own with "
        "toolkit.standards.custom(name, variable, bands=[...]).",
    )


def custom(
    name: str,
    variable: str,
    bands: Sequence[float],
    *,
    averaging: str = "24h",
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    unit: str | None = None,
    allowed_exceedances: float | None = None,
    reference_temperature_c: float = 25.0,
    source: str = "",
    version: str = "user-defined",
) -> Standard:
    """Define your own thresholds as a standard, usable wherever a standard name is.

    A community may want its own scale ("our school's limit is 25 µg/m³") or to try a
    stricter one. ``custom`` makes a banded scale: ``n`` band edges make ``n + 1``
    categories, numbered 1 to ``n + 1``. A value equal to an edge belongs to the lower
    category; a value above an edge counts as an exceedance of it.

    Parameters
    ----------
    name
        The name to use later (``aqi(data, standard=name)``,
        ``exceedances(data, guideline=name)``). It must not be a built-in name; defining
        the same name again replaces the earlier definition (for this session).
    variable
        Canonical variable, e.g. ``"pm25"``.
    bands
        Upper edges of all categories but the top one, increasing, in ``unit``.
    averaging
        Averaging period the edges apply to, one of :data:`CUSTOM_AVERAGING`
        (default ``"24h"``: means of local days).
    labels
        ``n + 1`` category names; by default "at or below 25 µg/m³", "above 25 µg/m³".
    colours
        ``n + 1`` colours (hex); by default sampled from the US AQI colours (up to six
        categories) or the UK DAQI colours (up to ten).
    unit
        Unit of the edges; the variable's canonical unit by default. ppb or ppm are
        converted to µg/m³ at ``reference_temperature_c``.
    allowed_exceedances
        Exceedances allowed per calendar year, if your rule has one.
    reference_temperature_c
        Temperature [°C] for ppm/ppb edges (25 °C: US convention; EU uses 20 °C).
    source, version
        Where the thresholds come from; shown in every result.

    Returns
    -------
    Standard
        Registered under ``name`` for this session.

    Raises
    ------
    ValueError
        For edges that are not increasing numbers, wrong numbers of labels or colours,
        an unknown averaging period, or a built-in name.
    UnknownVariableError
        For a variable that is not canonical.

    Examples
    --------
    >>> from toolkit import standards
    >>> ours = standards.custom("school limit", "pm25", bands=[25], source="our PTA")
    >>> ours.label, [b.category for b in ours.tables[0].bands]
    ('school limit (user-defined)', ['at or below 25 µg/m³', 'above 25 µg/m³'])
    """
    from .. import variables as _variables

    canonical = _variables.get(variable)
    if name in builtin_standards() or name in builtin_guidelines():
        msg = f"{name!r} is a built-in standard; give your own scale another name."
        raise ValueError(msg)
    if averaging not in CUSTOM_AVERAGING:
        msg = (
            f"averaging={averaging!r} is not one the toolkit can compute; use one of "
            f"{', '.join(CUSTOM_AVERAGING)}."
        )
        raise ValueError(msg)
    edges = [float(b) for b in bands]
    if not edges or any(not math.isfinite(b) for b in edges):
        msg = f"bands must be one or more finite numbers (the upper edges), not {bands!r}."
        raise ValueError(msg)
    if any(b >= a for a, b in zip(edges[1:], edges[:-1], strict=True)):
        msg = f"bands must increase, e.g. [12, 35, 55]; got {edges}."
        raise ValueError(msg)
    unit = unit or canonical.unit
    n = len(edges) + 1
    if labels is None:
        labels = [
            f"at or below {edges[0]:g} {unit}",
            *(f"{lo:g} to {hi:g} {unit}" for lo, hi in itertools.pairwise(edges)),
            f"above {edges[-1]:g} {unit}",
        ]
    if colours is None:
        if n <= len(_SIX_COLOURS):
            colours = [_SIX_COLOURS[int(i * 5 / max(n - 1, 1) + 0.5)] for i in range(n)]
        elif n <= len(_TEN_COLOURS):
            colours = [_TEN_COLOURS[int(i * 9 / (n - 1) + 0.5)] for i in range(n)]
        else:
            msg = f"{n} categories need colours=[...] (default colours cover up to 10)."
            raise ValueError(msg)
    if len(labels) != n or len(colours) != n:
        msg = (
            f"{len(edges)} band edges make {n} categories: give {n} labels and {n} colours "
            f"(got {len(labels)} and {len(colours)})."
        )
        raise ValueError(msg)
    lows = [-math.inf, *edges]
    highs = [*edges, math.nan]
    table = Table(
        variable=variable,
        averaging=averaging,
        unit=unit,
        bands=tuple(
            Band(i + 1, str(lab), str(col), float(i + 1), float(i + 1), lo, hi)
            for i, (lab, col, lo, hi) in enumerate(zip(labels, colours, lows, highs, strict=True))
        ),
        precision=None,
        precision_rule="none",
        above_top="open",
        source=source or "user-defined",
        note="user-defined thresholds; upper edges inclusive",
    )
    standard = Standard(
        name=name,
        title=name,
        version=version,
        kind="banded",
        tables=(table,),
        publisher="user",
        overall_rule="worst",
        overall_period="1h" if averaging in ("15min", "1h", "8h", "24h running") else "day",
        index_rounding="level",
        reference_temperature_c=float(reference_temperature_c),
        source=source or "user-defined thresholds",
        verified="user-defined",
        notes=f"{variable} {averaging}: edges {edges} {unit}",
        user_defined=True,
        allowed_exceedances=None if allowed_exceedances is None else float(allowed_exceedances),
    )
    _CUSTOM[name] = standard
    return standard


def list(kind: str | None = None) -> pd.DataFrame:
    """Return every known index, guideline and user-defined scale as a table.

    Parameters
    ----------
    kind
        ``"index"``, ``"guideline"`` or ``"user-defined"`` to show only those; all when
        ``None``.

    Returns
    -------
    pandas.DataFrame
        One row each: ``name`` (use it in ``get``, ``aqi``, ``exceedances``), ``kind``,
        ``label``, ``variables``, ``averaging``, ``level``, ``value``, ``unit``,
        ``allowed_exceedances`` (per calendar year), ``effective_from``,
        ``effective_to``, ``source``.

    Examples
    --------
    >>> from toolkit import standards
    >>> table = standards.list("index")
    >>> "us_epa_2024" in set(table["name"])
    True
    """
    import pandas as pd

    kinds = ("index", "guideline", "user-defined")
    if kind is not None and kind not in kinds:
        msg = f"kind must be one of {', '.join(kinds)} (or None for all), not {kind!r}."
        raise ValueError(msg)
    rows = []
    for std in (*builtin_standards().values(), *_CUSTOM.values()):
        rows.append(
            {
                "name": std.name,
                "kind": "user-defined" if std.user_defined else "index",
                "label": std.label,
                "variables": ", ".join(std.variables),
                "averaging": ", ".join(dict.fromkeys(t.averaging for t in std.tables)),
                "level": "",
                "value": math.nan,
                "unit": ", ".join(dict.fromkeys(t.unit for t in std.tables)),
                "allowed_exceedances": std.allowed_exceedances,
                "effective_from": std.effective_from,
                "effective_to": std.effective_to,
                "source": std.source,
            }
        )
    for g in builtin_guidelines().values():
        rows.append(
            {
                "name": g.name,
                "kind": "guideline",
                "label": g.label,
                "variables": g.variable,
                "averaging": g.averaging,
                "level": g.level,
                "value": g.value,
                "unit": g.unit,
                "allowed_exceedances": g.allowed_exceedances,
                "effective_from": g.effective_from,
                "effective_to": g.effective_to,
                "source": g.source,
            }
        )
    table = pd.DataFrame(rows)
    if kind is not None:
        table = table[table["kind"] == kind].reset_index(drop=True)
    return table
