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

Other names for the variables
-----------------------------
Files that name the variable in a cell (long tables: ``PM2.5``, ``pm2_5``, ``Relative
Humidity``, ``LAeq``) are understood with :func:`resolve`: a name is compared in lower
case without spaces or punctuation (``PM1.0`` is ``pm1``, not ``pm10``) against the
canonical names and the aliases in ``toolkit/data/variable_aliases.csv`` (one alias per
line, with a note on where the spelling comes from).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ._errors import UnknownVariableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGGREGATIONS", "Variable", "alias_key", "aliases", "get", "names", "resolve", "table"]

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


def alias_key(name: str) -> str:
    """Return the form in which variable names are compared.

    Lower case, ``PM1.0``/``pm10_0`` shortened to ``pm1``/
    ``pm10``, then only letters and digits: ``PM2.5``, ``pm2_5``, ``PM 2,5`` and ``pm25``
    all become ``"pm25"``.

    Parameters
    ----------
    name
        A variable name as a file writes it.

    Returns
    -------
    str
        The comparison key.
    """
    text = str(name).strip().lower()
    text = re.sub(r"^(pm\d+)\s*[._, ]\s*0(?!\d)", r"\1", text)  # PM1.0 is PM1, PM10.0 is PM10
    return re.sub(r"[^0-9a-z]", "", text)


@functools.cache
def aliases() -> dict[str, str]:
    """Return every known name of a variable, by :func:`alias_key`, with its canonical name.

    Returns
    -------
    dict of str to str
        The canonical names themselves and the aliases of
        ``toolkit/data/variable_aliases.csv``.
    """
    out = {alias_key(name): name for name in _load()}
    source = resources.files("toolkit").joinpath("data", "variable_aliases.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = alias_key(row["alias"])
            if out.setdefault(key, row["variable"]) != row["variable"]:  # pragma: no cover
                msg = f"variable_aliases.csv: {row['alias']!r} names two variables"
                raise ValueError(msg)
    return out


def resolve(name: str) -> str | None:
    """Return the canonical variable a file's variable name stands for, or ``None``.

    Parameters
    ----------
    name
        The name as written in a file, for example ``"PM2.5"``, ``"pm2_5"``, ``"RH"``,
        ``"Temp"`` or ``"pm25"``.

    Returns
    -------
    str or None
        The canonical name (``"pm25"``, ``"humidity"``...), ``None`` if it is not known.

    Examples
    --------
    >>> resolve("PM2.5"), resolve("pm1_0"), resolve("Relative Humidity"), resolve("P2")
    ('pm25', 'pm1', 'humidity', None)
    """
    return aliases().get(alias_key(name))
