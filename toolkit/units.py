"""Units: recognising how files spell them, and converting to the canonical unit.

Files spell the same unit many ways (``ug/m3``, ``µg/m³``, ``Micrograms/cubic meter (LC)``);
:func:`normalise` maps each spelling to one symbol. :func:`convert` turns values from any
known unit into the canonical unit of a variable (see :mod:`toolkit.variables`) and says
what it did, so readers can write it into the ledger.

Conversions
-----------
* Temperature: °F to °C, ``(F - 32) × 5/9``; K to °C, ``K - 273.15``.
* Pressure: Pa to hPa ``÷ 100``; kPa to hPa ``× 10``; mbar equals hPa.
* Gas mole fractions: ppm to ppb ``× 1000``.
* Gas mole fraction to mass concentration: ``µg/m³ = ppb × M / Vm``, with ``M`` the
  molar mass [g/mol] from the variables table and ``Vm`` the molar volume of an ideal gas
  [L/mol] at the reference temperature and 1013.25 hPa: ``Vm = R × T / p``. At 25 °C
  (the US EPA convention) ``Vm`` = 24.47 L/mol, giving 1.88 µg/m³ per ppb for NO2; at
  20 °C (the EU convention, Directive 2008/50/EC, Annex VI) ``Vm`` = 24.06 L/mol,
  giving 1.91 µg/m³ per ppb. The reference temperature is always stated in the result.
* Fractions to per cent ``× 100``; per cubic foot and per litre particle counts as given.

References
----------
.. [1] US EPA, "Technical Assistance Document for the Reporting of Daily Air Quality - the
   Air Quality Index (AQI)", EPA-454/B-24-002, 2024 (25 °C, 1 atm convention).
.. [2] Directive 2008/50/EC of the European Parliament and of the Council on ambient air
   quality, Annex VI (gases standardised at 293 K and 101.3 kPa).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import variables as _variables
from ._errors import UnitError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_GAS_REFERENCE_TEMPERATURE_C",
    "Conversion",
    "conversion",
    "convert",
    "molar_volume_l_per_mol",
    "normalise",
]

#: Reference temperature used to turn ppb into µg/m³ unless a reader is told otherwise
#: [°C]. 25 °C is the US EPA convention, the one used by most files that report ppb.
DEFAULT_GAS_REFERENCE_TEMPERATURE_C = 25.0

_GAS_CONSTANT_J_PER_MOL_K = 8.314462618
_STANDARD_PRESSURE_PA = 101_325.0

# Spellings seen in exports, lower-cased with spaces removed -> canonical symbol.
_ALIASES = {
    "µg/m³": "µg/m³",
    "µg/m3": "µg/m³",
    "ug/m3": "µg/m³",
    "ug/m³": "µg/m³",
    "μg/m³": "µg/m³",
    "μg/m3": "µg/m³",
    "ug.m-3": "µg/m³",
    "µg.m-3": "µg/m³",
    "micrograms/cubicmeter": "µg/m³",
    "micrograms/cubicmeter(lc)": "µg/m³",
    "micrograms/cubicmeter(25c)": "µg/m³",
    "mg/m³": "mg/m³",
    "mg/m3": "mg/m³",
    "mg.m-3": "mg/m³",
    "ppb": "ppb",
    "partsperbillion": "ppb",
    "ppm": "ppm",
    "partspermillion": "ppm",
    "°c": "°C",
    "c": "°C",
    "degc": "°C",
    "celsius": "°C",
    "degreescelsius": "°C",
    "ºc": "°C",
    "°f": "°F",
    "f": "°F",
    "degf": "°F",
    "fahrenheit": "°F",
    "degreesfahrenheit": "°F",
    "k": "K",
    "kelvin": "K",
    "%": "%",
    "percent": "%",
    "%rh": "%",
    "rh%": "%",
    "fraction": "fraction",
    "1": "fraction",
    "0-1": "fraction",
    "hpa": "hPa",
    "mbar": "hPa",
    "mb": "hPa",
    "millibar": "hPa",
    "pa": "Pa",
    "kpa": "kPa",
    "db(a)": "dB(A)",
    "dba": "dB(A)",
    "dba(leq)": "dB(A)",
    "count": "count",
    "counts": "count",
    "#": "count",
    "vehicles": "count",
    "#/cm³": "#/cm³",
    "#/cm3": "#/cm³",
    "1/cm3": "#/cm³",
    "particles/cm3": "#/cm³",
    "#/dl": "#/dL",
    "particles/dl": "#/dL",
    "um/dl": "#/dL",
    "#/0.01ft³": "#/0.01 ft³",
    "#/0.01ft3": "#/0.01 ft³",
    "pcs/0.01cf": "#/0.01 ft³",
    "µm": "µm",
    "um": "µm",
    "m": "m",
    "m/s": "m/s",
    "km/h": "km/h",
    "kmh": "km/h",
    "kph": "km/h",
    "mph": "mph",
    "°": "°",
    "deg": "°",
    "degrees": "°",
    "lux": "lux",
    "lx": "lux",
    "index": "index",
    "iaq": "index",
    # UCUM codes and spelled-out names used by SensorThings servers.
    "cel": "°C",
    "degreecelsius": "°C",
    "[ppb]": "ppb",
    "[ppm]": "ppm",
    "hectopascal": "hPa",
    "ug/m^3": "µg/m³",
    "µg/m^3": "µg/m³",
    "microgrampercubicmeter": "µg/m³",
    "microgrampercubicmetre": "µg/m³",
    "milligrampercubicmeter": "mg/m³",
    "milligrampercubicmetre": "mg/m³",
    "particles/cm³": "#/cm³",
}


def normalise(unit: str) -> str:
    """Return the canonical symbol for a unit as a file spells it.

    Parameters
    ----------
    unit
        A unit string such as ``"ug/m3"``, ``"Micrograms/cubic meter (LC)"`` or ``"kPa"``.

    Returns
    -------
    str
        The toolkit's symbol, for example ``"µg/m³"``, ``"hPa"``.

    Raises
    ------
    UnitError
        If the spelling is not known; the message lists the known symbols.
    """
    key = re.sub(r"\s+", "", str(unit)).lower()
    key = key.replace("μ", "µ")
    if key in _ALIASES:
        return _ALIASES[key]
    known = sorted(set(_ALIASES.values()))
    raise UnitError(
        f"The unit {unit!r} is not one the toolkit knows.",
        found=f"{unit!r}; known units are {', '.join(known)}",
        fix="If it is one of these under another spelling, give the unit explicitly "
        "(for example unit='µg/m³' in the column mapping).",
    )


def molar_volume_l_per_mol(temperature_c: float) -> float:
    """Return the molar volume of an ideal gas at a temperature and 1013.25 hPa.

    Parameters
    ----------
    temperature_c
        Reference temperature [°C].

    Returns
    -------
    float
        Molar volume [L/mol]: 24.47 at 25 °C, 24.06 at 20 °C.
    """
    kelvin = temperature_c + 273.15
    return _GAS_CONSTANT_J_PER_MOL_K * kelvin / _STANDARD_PRESSURE_PA * 1000.0


@dataclass(frozen=True)
class Conversion:
    """What :func:`convert` did: a description for the ledger, and its factor and offset.

    Canonical value = raw value × ``factor`` + ``offset``.
    """

    variable: str
    from_unit: str
    to_unit: str
    factor: float
    offset: float
    note: str

    @property
    def is_identity(self) -> bool:
        """True when nothing changed (same unit)."""
        return self.factor == 1.0 and self.offset == 0.0

    def __str__(self) -> str:
        text = f"{self.variable}: {self.from_unit} → {self.to_unit}"
        return f"{text} ({self.note})" if self.note else text


_LINEAR = {
    ("°F", "°C"): (5.0 / 9.0, -32.0 * 5.0 / 9.0, "(°F − 32) × 5/9"),
    ("K", "°C"): (1.0, -273.15, "K − 273.15"),
    ("Pa", "hPa"): (0.01, 0.0, "÷ 100"),
    ("kPa", "hPa"): (10.0, 0.0, "× 10"),
    ("ppm", "ppb"): (1000.0, 0.0, "× 1000"),
    ("ppb", "ppm"): (0.001, 0.0, "÷ 1000"),
    ("mg/m³", "µg/m³"): (1000.0, 0.0, "× 1000"),
    ("µg/m³", "mg/m³"): (0.001, 0.0, "÷ 1000"),
    ("fraction", "%"): (100.0, 0.0, "× 100"),
    ("mph", "km/h"): (1.609344, 0.0, "× 1.609344"),
}


def conversion(
    variable: str,
    from_unit: str,
    *,
    reference_temperature_c: float = DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
) -> Conversion:
    """Work out how to convert a variable from a file's unit to its canonical unit.

    Parameters
    ----------
    variable
        Canonical variable name.
    from_unit
        The unit the values are in, in any known spelling.
    reference_temperature_c
        Temperature used for ppb/ppm to mass concentration [°C]; default 25 °C.

    Returns
    -------
    Conversion
        Factor and offset, with a note for the ledger.

    Raises
    ------
    UnitError
        If no conversion exists between the two units.
    """
    target = _variables.get(variable).unit
    source = normalise(from_unit)
    if source == target:
        return Conversion(variable, source, target, 1.0, 0.0, "")
    if (source, target) in _LINEAR:
        factor, offset, note = _LINEAR[(source, target)]
        return Conversion(variable, source, target, factor, offset, note)
    molar_mass = _variables.get(variable).molar_mass_g_mol
    if source in ("ppb", "ppm") and target in ("µg/m³", "mg/m³") and molar_mass:
        volume = molar_volume_l_per_mol(reference_temperature_c)
        factor = molar_mass / volume  # µg/m³ per ppb, or mg/m³ per ppm
        if source == "ppm" and target == "µg/m³":
            factor *= 1000.0
        elif source == "ppb" and target == "mg/m³":
            factor /= 1000.0
        note = (
            f"× {factor:.4g}: molar mass {molar_mass} g/mol over molar volume "
            f"{volume:.2f} L/mol at {reference_temperature_c:g} °C and 1013.25 hPa"
        )
        return Conversion(variable, source, target, factor, 0.0, note)
    raise UnitError(
        f"Cannot convert {variable} from {source} to its canonical unit {target}.",
        found=f"values in {from_unit!r}",
        fix=f"Convert the column to {target} before loading, or check that it really "
        f"holds {variable}.",
    )


def convert(
    values: np.ndarray,
    variable: str,
    from_unit: str,
    *,
    reference_temperature_c: float = DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
) -> tuple[np.ndarray, Conversion]:
    """Convert values of one variable into the variable's canonical unit.

    Parameters
    ----------
    values
        Numbers in ``from_unit`` (any array-like; NaN stays NaN).
    variable
        Canonical variable name; its table row gives the target unit.
    from_unit
        The values' unit, in any known spelling.
    reference_temperature_c
        Temperature for ppb/ppm to µg/m³ (or mg/m³) [°C]; default 25 °C.

    Returns
    -------
    values : numpy.ndarray
        Converted values, float, in the canonical unit. The input is not modified.
    conversion : Conversion
        What was done, for the ledger.

    Examples
    --------
    >>> import numpy as np
    >>> values, how = convert(np.array([32.0, 212.0]), "temperature", "°F")
    >>> values.tolist(), str(how)
    ([0.0, 100.0], 'temperature: °F → °C ((°F − 32) × 5/9)')
    """
    import numpy as np

    how = conversion(variable, from_unit, reference_temperature_c=reference_temperature_c)
    array = np.asarray(values, dtype="float64")
    if how.is_identity:
        return array.copy(), how
    return array * how.factor + how.offset, how
