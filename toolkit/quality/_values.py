"""Rules that judge each value on its own: plausible range, error codes, negative amounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import add_flags, counts_by_variable, group_of, variable_values

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    import numpy as np

    from ..sensordata import SensorData

__all__ = [
    "NEGATIVE_GROUPS",
    "SENTINEL_CODES",
    "VARIABLE_SENTINELS",
    "flag_negative",
    "flag_range",
    "flag_sentinel",
]

#: Error codes that devices and data systems write where a value is missing, compared
#: with every variable: -9999 and -999 (the usual "no data" numbers of monitoring data
#: systems), 65535 (0xFFFF, an unsigned 16-bit register read from a sensor that did not
#: answer) and 32767 / -32768 (the ends of a signed 16-bit number).
SENTINEL_CODES: tuple[float, ...] = (-9999.0, -999.0, 65535.0, 32767.0, -32768.0)

#: Codes that mean something only for one variable:
#: * ``pm25``, ``pm10`` 999.9 µg/m³: the top of the Nova Fitness SDS011's range
#:   ("0.0-999.9 µg/m³", SDS011 data sheet V1.3, 2015). The sensor is saturated and the
#:   true value is unknown (at least 999.9); a fog-filled or smoke-filled sensor shows it.
#: * ``temperature`` -127 °C: what the widely used DallasTemperature library returns for
#:   a DS18B20 that does not answer (``DEVICE_DISCONNECTED_C``); 85 °C: the DS18B20's
#:   power-on value, read when a conversion did not finish (Maxim DS18B20 data sheet).
VARIABLE_SENTINELS: dict[str, tuple[float, ...]] = {
    "pm25": (999.9,),
    "pm10": (999.9,),
    "temperature": (-127.0, 85.0),
}

#: Groups of the variables table whose amounts cannot be negative.
NEGATIVE_GROUPS: tuple[str, ...] = ("particulate matter", "gases")


def flag_range(
    data: SensorData,
    *,
    limits: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> SensorData:
    """Flag values outside the plausible range of their variable.

    The plausible ranges come from the variables table (``toolkit.variables.table()``,
    columns ``plausible_min`` and ``plausible_max``): values beyond them are physically
    implausible for the low-cost sensors the toolkit reads. Values exactly at a limit
    pass.

    Parameters
    ----------
    data
        The readings to check; not changed.
    limits
        Per-variable replacement ranges, ``{"pm25": (0, 500)}``, in the variable's
        canonical unit; ``None`` on one side means no limit on that side. Variables not
        named keep the table's range; variables not in the table are not checked.

    Returns
    -------
    SensorData
        With the boolean column ``flag_range`` and a ``flag_range`` history step that
        lists the range used for each variable.

    Raises
    ------
    UnknownVariableError
        If ``limits`` names a variable that is neither in the data nor in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=3, freq="1h", tz="UTC"),
    ...     "value": [5.0, -3.0, 2500.0]})
    >>> flag_range(SensorData(readings, empty_sensors())).readings["flag_range"].tolist()
    [False, True, True]
    """
    import numpy as np

    overrides = dict(limits or {})
    present = set(data.variables)
    used = range_limits(present, overrides)
    nan = float("nan")
    low = variable_values(
        data.readings, {k: nan if v[0] is None else v[0] for k, v in used.items()}, nan
    ).astype(float)
    high = variable_values(
        data.readings, {k: nan if v[1] is None else v[1] for k, v in used.items()}, nan
    ).astype(float)
    values = data.readings["value"].to_numpy()
    with np.errstate(invalid="ignore"):
        mask = (values < low) | (values > high)  # NaN limits and NaN values compare False
    return add_flags(
        data,
        {"range": mask},
        rule="range",
        description=(
            f"Flagged {int(mask.sum())} of {len(mask)} readings outside the plausible "
            f"range of their variable ({counts_by_variable(data.readings, mask)})."
        ),
        parameters={
            "limits": {k: [v[0], v[1]] for k, v in used.items() if k in present},
            "overrides": {k: [v[0], v[1]] for k, v in overrides.items()},
        },
        citation="Plausible ranges of the toolkit's variables table (toolkit/data/variables.csv)",
    )


def flag_sentinel(
    data: SensorData,
    *,
    codes: Sequence[float] = SENTINEL_CODES,
    per_variable: Mapping[str, Sequence[float]] | None = None,
) -> SensorData:
    """Flag values equal to an error code left in the data.

    Readers already drop the missing-value codes each source documents; this rule
    catches codes that slipped through (a code in a column the reader did not expect, a
    sensor's own failure value). Codes are compared with the stored values, which are in
    the canonical unit: a code written in another unit (-999 °F) is no longer -999 after
    conversion and is left to the reader and to :func:`flag_range`.

    Parameters
    ----------
    data
        The readings to check; not changed.
    codes
        Codes that mean "no value" for every variable (default :data:`SENTINEL_CODES`).
    per_variable
        Codes for single variables (default :data:`VARIABLE_SENTINELS`: SDS011
        saturation at 999.9 µg/m³, DS18B20 -127 °C and 85 °C).

    Returns
    -------
    SensorData
        With the boolean column ``flag_sentinel`` and the step in the history.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm10", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=3, freq="1h", tz="UTC"),
    ...     "value": [-999.0, 999.9, 12.0]})
    >>> flag_sentinel(SensorData(readings, empty_sensors())).readings["flag_sentinel"].tolist()
    [True, True, False]
    """
    import numpy as np

    specific = dict(VARIABLE_SENTINELS if per_variable is None else per_variable)
    values = data.readings["value"].to_numpy()
    mask = _equals_any(values, [float(c) for c in codes])
    variable = data.readings["variable"]
    for name, extra in specific.items():
        if extra:
            mask |= (variable == name).to_numpy() & _equals_any(values, [float(c) for c in extra])
    found = np.unique(values[mask]).tolist()
    return add_flags(
        data,
        {"sentinel": mask},
        rule="sentinel",
        description=(
            f"Flagged {int(mask.sum())} of {len(mask)} readings equal to an error code "
            f"({counts_by_variable(data.readings, mask)}); codes found: {found or 'none'}."
        ),
        parameters={
            "codes": [float(c) for c in codes],
            "per_variable": {k: [float(c) for c in v] for k, v in specific.items()},
        },
        citation="SDS011 data sheet V1.3 (Nova Fitness, 2015): range 0.0-999.9 µg/m³; "
        "Maxim DS18B20 data sheet: power-on value +85 °C",
    )


def _equals_any(values: np.ndarray, codes: Sequence[float]) -> np.ndarray:
    """Mark values equal to one of the codes (to a millionth of the code's size)."""
    import numpy as np

    mask = np.zeros(len(values), dtype=bool)
    for code in codes:
        mask |= np.abs(values - code) <= 1e-6 * max(1.0, abs(code))
    return mask


def flag_negative(
    data: SensorData,
    *,
    groups: Sequence[str] = NEGATIVE_GROUPS,
    tolerance: float | Mapping[str, float] = 0.0,
) -> SensorData:
    """Flag negative concentrations.

    A concentration cannot be below zero. Low-cost sensors rarely report negatives;
    reference monitors do, by a little, near zero (their zero drifts and the noise is
    kept so that averages stay unbiased), so a small ``tolerance`` can let those pass.
    :func:`flag_range` also flags negatives where the table's plausible minimum is 0;
    to accept small negatives, relax it too (``limits={"pm25": (-2, 1000)}``).

    Parameters
    ----------
    data
        The readings to check; not changed.
    groups
        Groups of the variables table checked (default :data:`NEGATIVE_GROUPS`:
        particulate matter and gases).
    tolerance
        How far below zero a value may go without a flag, in the variable's canonical
        unit: one number for all, or per variable (``{"no2": 2.0}``; others 0).
        A value is flagged when ``value < -tolerance``.

    Returns
    -------
    SensorData
        With the boolean column ``flag_negative`` and the step in the history.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "no2", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=3, freq="1h", tz="UTC"),
    ...     "value": [-0.5, -3.0, 12.0]})
    >>> data = SensorData(readings, empty_sensors())
    >>> flag_negative(data, tolerance=1.0).readings["flag_negative"].tolist()
    [False, True, False]
    """
    import numpy as np

    checked = {name for name in data.variables if group_of(name) in set(groups)}
    if isinstance(tolerance, int | float):
        tolerances = dict.fromkeys(checked, float(tolerance))
    else:
        tolerances = {name: float(tolerance.get(name, 0.0)) for name in checked}
    nan = float("nan")
    floor = -variable_values(data.readings, tolerances, nan).astype(float)
    values = data.readings["value"].to_numpy()
    with np.errstate(invalid="ignore"):
        mask = values < floor  # variables not checked have a NaN floor: never flagged
    return add_flags(
        data,
        {"negative": mask},
        rule="negative",
        description=(
            f"Flagged {int(mask.sum())} of {len(mask)} negative concentrations "
            f"({counts_by_variable(data.readings, mask)})."
        ),
        parameters={
            "groups": list(groups),
            "tolerance": tolerance if isinstance(tolerance, int | float) else dict(tolerance),
            "variables_checked": sorted(checked),
        },
    )


def range_limits(
    present: Iterable[str],
    limits: Mapping[str, tuple[float | None, float | None]] | None,
) -> dict[str, tuple[float | None, float | None]]:
    """Return the (low, high) limits of the range rule per variable (pandas and engine).

    Given ``limits`` win; other variables of a known group take their plausible range
    from the variables table. A given name that is not in the data must still be a
    canonical variable (a friendly error for a misspelt name).
    """
    from .. import variables

    overrides = dict(limits or {})
    found = set(present)
    for name in overrides:
        if name not in found:
            variables.get(name)
    used: dict[str, tuple[float | None, float | None]] = {}
    for name in sorted(found | set(overrides)):
        if name in overrides:
            used[name] = overrides[name]
        elif group_of(name) is not None:
            row = variables.get(name)
            used[name] = (row.plausible_min, row.plausible_max)
    return used
