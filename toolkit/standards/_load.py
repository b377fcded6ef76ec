"""Read the standards tables (CSV files beside this module) into small frozen objects.

Three files, each row with its source and effective date:

``indices.csv``
    One row per air-quality index: name, title, version, kind (``interpolated``: a
    number from a linear formula within bands, like the US AQI; ``banded``: the number
    of the band, like the European AQI), publisher, effective dates, how the overall
    index is made, how the index is rounded, the reference temperature for ppm/ppb
    tables, the source, what was verified and how, and notes.
``breakpoints.csv``
    One row per band of one pollutant and averaging period of an index: the table's
    unit, source, effective date, band number, category name, colour, index range,
    concentration range (an empty upper edge means open-ended), the precision and rule
    (``truncate``/``round``/``none``) applied to concentrations before the lookup, what
    happens above the top band (``above_top``) and a note.
``guidelines.csv``
    One row per guideline or limit value (WHO 2021 with interim targets, EU
    Directive 2008/50/EC and Directive (EU) 2024/2881): variable, averaging period,
    statistic, value, unit, allowed exceedances per calendar year, dates, source.

Only the standard library is used here, so that importing the standards stays cheap.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ABOVE_TOP_RULES",
    "AVERAGING_PERIODS",
    "Band",
    "Guideline",
    "Standard",
    "Table",
    "builtin_guidelines",
    "builtin_standards",
]

#: Averaging periods a table or guideline may name, with what they mean.
AVERAGING_PERIODS = {
    "15min": "15-minute means",
    "1h": "hourly means",
    "8h": "running 8-hour means (one per hour, labelled by the window's start)",
    "24h": "24-hour means of local days (midnight to midnight)",
    "24h running": "running 24-hour means (one per hour)",
    "8h max daily": "the highest running 8-hour mean of each local day",
    "year": "calendar-year means (local time)",
    "peak season": "the WHO ozone peak-season statistic (not computed by the toolkit)",
    "nowcast": "the US EPA NowCast of PM2.5 or PM10 (hourly)",
}
#: What a table does with concentrations above its top band.
ABOVE_TOP_RULES = {
    "extrapolate": "the top band's line is extended (US EPA 'Beyond the AQI')",
    "undefined": "no index: the table does not define one (another table applies)",
    "cap": "the index is held at the top band's upper index",
    "open": "the top band is open-ended (it has no upper concentration)",
}


@dataclass(frozen=True)
class Band:
    """One band of a table: a category, its colour, index range and concentration range.

    ``high`` is NaN for an open-ended top band. Concentrations are in the table's unit.
    """

    number: int
    category: str
    colour: str
    index_low: float
    index_high: float
    low: float
    high: float


@dataclass(frozen=True)
class Table:
    """The bands of one pollutant and averaging period of a standard.

    Attributes
    ----------
    variable
        Canonical variable name (``pm25``, ``o3``...).
    averaging
        One of :data:`AVERAGING_PERIODS`.
    unit
        Unit of the concentrations in the bands, as the source document gives them
        (``ppm`` and ``ppb`` for US EPA gases).
    bands
        In increasing order.
    precision, precision_rule
        Decimal places and rule (``truncate``, ``round`` or ``none``) applied to a
        concentration, in the table's unit, before the lookup.
    above_top
        One of :data:`ABOVE_TOP_RULES`.
    source, effective_from, note
        Where the table comes from, since when it applies, and remarks.
    """

    variable: str
    averaging: str
    unit: str
    bands: tuple[Band, ...]
    precision: int | None = None
    precision_rule: str = "none"
    above_top: str = "open"
    source: str = ""
    effective_from: str = ""
    note: str = ""


@dataclass(frozen=True)
class Standard:
    """An air-quality index (or a user's banded scale): its tables and how it is applied.

    Attributes
    ----------
    name
        Short key, used as ``standard="us_epa_2024"``.
    title, version
        For people: ``label`` joins them, e.g. "US EPA AQI (2024, EPA-454/B-24-002)".
    kind
        ``interpolated`` (index from the linear formula within a band) or ``banded``
        (the index is the band's number).
    overall_rule
        ``worst`` (highest sub-index) or ``worst_min3_pm`` (highest, and only with at
        least three pollutants, one of them PM2.5 or PM10: India NAQI).
    overall_period
        ``day`` (the worst sub-index of each local day) or ``1h`` (of each hour).
    index_rounding
        ``nearest_integer`` (half up) or ``level`` (band numbers, no rounding needed).
    beyond_category, beyond_colour
        Category and colour above the top breakpoint (US EPA: "Beyond the AQI").
    reference_temperature_c
        Temperature [°C] for converting µg/m³ to the ppm/ppb of a table.
    tables
        One per pollutant and averaging period.
    allowed_exceedances
        For a user's threshold scale: exceedances allowed per calendar year, if any.
    """

    name: str
    title: str
    version: str
    kind: str
    tables: tuple[Table, ...]
    publisher: str = ""
    effective_from: str = ""
    effective_to: str = ""
    overall_rule: str = "worst"
    overall_period: str = "day"
    index_rounding: str = "nearest_integer"
    beyond_category: str = ""
    beyond_colour: str = ""
    reference_temperature_c: float = 25.0
    source: str = ""
    verified: str = ""
    notes: str = ""
    user_defined: bool = False
    allowed_exceedances: float | None = None

    @property
    def label(self) -> str:
        """Name and version for results and histories, e.g. "US EPA AQI (2024, ...)"."""
        return f"{self.title} ({self.version})"

    @property
    def variables(self) -> tuple[str, ...]:
        """The pollutants the standard has tables for, in table order."""
        return tuple(dict.fromkeys(t.variable for t in self.tables))

    def tables_for(self, variable: str) -> tuple[Table, ...]:
        """Return the tables of one pollutant (ozone and SO2 may have two)."""
        return tuple(t for t in self.tables if t.variable == variable)

    def to_frame(self) -> pd.DataFrame:
        """Return every band as a table: one row per pollutant, averaging and band."""
        import pandas as pd

        rows = [
            {
                "standard": self.label,
                "variable": t.variable,
                "averaging": t.averaging,
                "unit": t.unit,
                "band": b.number,
                "category": b.category,
                "colour": b.colour,
                "index_low": b.index_low,
                "index_high": b.index_high,
                "conc_low": b.low,
                "conc_high": b.high,
                "precision": t.precision,
                "precision_rule": t.precision_rule,
                "above_top": t.above_top,
                "source": t.source,
                "effective_from": t.effective_from,
                "note": t.note,
            }
            for t in self.tables
            for b in t.bands
        ]
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        return f"{self.label}: {', '.join(self.variables)}"


@dataclass(frozen=True)
class Guideline:
    """One guideline or limit value: a threshold for one variable and averaging period.

    Attributes
    ----------
    name
        Short key, e.g. ``"who_2021_pm25_24h"`` or ``"eu_2008_pm10_24h"``.
    title, version, level
        For people: e.g. "WHO global air quality guidelines", "2021", "AQG level".
    variable, averaging, statistic
        What is compared: e.g. ``pm25``, ``24h``, "24-hour mean".
    value, unit
        The threshold; a period is an exceedance when its value is above it.
    allowed_exceedances
        Exceedances allowed per calendar year (EU: 35 days for PM10); ``None`` if the
        guideline sets none.
    """

    name: str
    title: str
    version: str
    level: str
    variable: str
    averaging: str
    statistic: str
    value: float
    unit: str
    allowed_exceedances: float | None = None
    effective_from: str = ""
    effective_to: str = ""
    source: str = ""
    verified: str = ""
    note: str = ""
    user_defined: bool = False

    @property
    def label(self) -> str:
        """E.g. "WHO global air quality guidelines (2021) AQG level: pm25 24h 15 µg/m³"."""
        return (
            f"{self.title} ({self.version}) {self.level}: {self.variable} {self.averaging} "
            f"{self.value:g} {self.unit}"
        )

    def __str__(self) -> str:
        return self.label


def _read(name: str) -> list[dict[str, str]]:
    source = resources.files("toolkit.standards").joinpath(name)
    with source.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    return float(text) if text.strip() else math.nan


@functools.cache
def builtin_standards() -> dict[str, Standard]:
    """Return the published indices of ``indices.csv`` and ``breakpoints.csv`` by name."""
    bands: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in _read("breakpoints.csv"):
        bands.setdefault((row["standard"], row["variable"], row["averaging"]), []).append(row)
    standards: dict[str, Standard] = {}
    for row in _read("indices.csv"):
        tables = []
        for (std, variable, averaging), rows in bands.items():
            if std != row["name"]:
                continue
            first = rows[0]
            tables.append(
                Table(
                    variable=variable,
                    averaging=averaging,
                    unit=first["unit"],
                    bands=tuple(
                        Band(
                            number=int(r["band"]),
                            category=r["category"],
                            colour=r["colour"],
                            index_low=float(r["index_low"]),
                            index_high=float(r["index_high"]),
                            low=_number(r["conc_low"]),
                            high=_number(r["conc_high"]),
                        )
                        for r in rows
                    ),
                    precision=int(first["precision"]) if first["precision"].strip() else None,
                    precision_rule=first["precision_rule"],
                    above_top=first["above_top"],
                    source=first["source"],
                    effective_from=first["effective_from"],
                    note=first["note"],
                )
            )
        temperature = _number(row["reference_temperature_c"])
        standards[row["name"]] = Standard(
            name=row["name"],
            title=row["title"],
            version=row["version"],
            kind=row["kind"],
            tables=tuple(tables),
            publisher=row["publisher"],
            effective_from=row["effective_from"],
            effective_to=row["effective_to"],
            overall_rule=row["overall_rule"],
            overall_period=row["overall_period"],
            index_rounding=row["index_rounding"],
            beyond_category=row["beyond_category"],
            beyond_colour=row["beyond_colour"],
            reference_temperature_c=25.0 if math.isnan(temperature) else temperature,
            source=row["source"],
            verified=row["verified"],
            notes=row["notes"],
        )
    return standards


@functools.cache
def builtin_guidelines() -> dict[str, Guideline]:
    """Return the guidelines and limit values of ``guidelines.csv`` by name."""
    out: dict[str, Guideline] = {}
    for row in _read("guidelines.csv"):
        allowed = _number(row["allowed_exceedances"])
        out[row["name"]] = Guideline(
            name=row["name"],
            title=row["title"],
            version=row["version"],
            level=row["level"],
            variable=row["variable"],
            averaging=row["averaging"],
            statistic=row["statistic"],
            value=float(row["value"]),
            unit=row["unit"],
            allowed_exceedances=None if math.isnan(allowed) else allowed,
            effective_from=row["effective_from"],
            effective_to=row["effective_to"],
            source=row["source"],
            verified=row["verified"],
            note=row["note"],
        )
    return out
