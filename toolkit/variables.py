"""The canonical variables: one name, one unit and one averaging rule for each quantity.

Every reader translates a platform's own column names (``P2``, ``pm2.5_atm_a``,
``PM_25``...) into the names of this table, and converts values into the table's unit.
Every later step (quality checks, averaging, indices, charts) reads the table instead of
guessing. The table lives in ``toolkit/data/variables.csv`` so that it can be read,
printed and extended without touching code.

Columns of the table
--------------------
name
    Canonical variable name, used in ``SensorData.readings["variable"]``.
unit
    Canonical unit; every stored value is in this unit.
group
    A family for display (particulate matter, gases, weather, noise, traffic...).
aggregation
    How values combine over time: ``mean`` (arithmetic mean, for concentrations and
    temperature), ``energy_mean`` (for decibels), ``sum`` (for counts), ``vector_mean``
    (for wind direction), ``min`` or ``max``.
plausible_min, plausible_max
    The range outside which a value is physically implausible for low-cost sensors; used
    by the quality checks to flag, never to delete.
molar_mass_g_mol
    Molar mass of a gas [g/mol], used to convert ppb to µg/m³.
description
    Plain-language meaning, including whether a value is raw or corrected.

Raw PurpleAir values are kept under their own names (``pm25_cf1``, ``pm25_atm``,
``pm25_alt``) so they can never be mistaken for a corrected PM2.5 value.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ._errors import UnknownVariableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGGREGATIONS", "Variable", "get", "names", "table"]

#: The averaging rules a variable can have.
AGGREGATIONS = ("mean", "energy_mean", "sum", "vector_mean", "min", "max")


@dataclass(frozen=True)
class Variable:
    """One row of the canonical variables table (see the module docstring)."""

    name: str
    unit: str
    group: str
    aggregation: str
    plausible_min: float
    plausible_max: float
    molar_mass_g_mol: float | None
    description: str


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def _load() -> dict[str, Variable]:
    source = resources.files("toolkit").joinpath("data", "variables.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table: dict[str, Variable] = {}
    for row in rows:
        if row["aggregation"] not in AGGREGATIONS:  # pragma: no cover - checked by tests
            msg = f"variables.csv: {row['name']} has unknown aggregation {row['aggregation']!r}"
            raise ValueError(msg)
        table[row["name"]] = Variable(
            name=row["name"],
            unit=row["unit"],
            group=row["group"],
            aggregation=row["aggregation"],
            plausible_min=float(row["plausible_min"]),
            plausible_max=float(row["plausible_max"]),
            molar_mass_g_mol=_float_or_none(row["molar_mass_g_mol"]),
            description=row["description"],
        )
    return table


def names() -> list[str]:
    """Return the canonical variable names, in table order.

    Returns
    -------
    list of str
        Every name a reading's ``variable`` may take.
    """
    return list(_load())


def get(name: str) -> Variable:
    """Return the table row of one canonical variable.

    Parameters
    ----------
    name
        Canonical variable name, for example ``"pm25"``.

    Returns
    -------
    Variable
        Its unit, aggregation rule, plausible range and description.

    Raises
    ------
    UnknownVariableError
        If ``name`` is not in the table; the message lists close matches.
    """
    table = _load()
    try:
        return table[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(str(name), table, n=5, cutoff=0.5)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise UnknownVariableError(
            f"{name!r} is not a canonical variable.",
            found=f"{len(table)} known variables, for example pm25, temperature, laeq",
            fix=f"{hint}See the whole list with toolkit.variables.table().",
        ) from None


def table() -> pd.DataFrame:
    """Return the whole variables table as a DataFrame, one row per variable.

    Returns
    -------
    pandas.DataFrame
        Columns as described in the module docstring.
    """
    import pandas as pd

    return pd.DataFrame([v.__dict__ for v in _load().values()])
