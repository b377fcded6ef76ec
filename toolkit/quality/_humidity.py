"""High humidity: optical particle sensors count water droplets as particles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import add_flags, counts_by_variable, duration_text, group_of, sensor_values

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ..sensordata import SensorData

__all__ = ["HUMIDITY_CITATION", "HUMIDITY_THRESHOLD", "flag_humidity"]

#: Relative humidity [%] at or above which optical PM readings are flagged: fog and mist.
HUMIDITY_THRESHOLD = 95.0

HUMIDITY_CITATION = (
    "Jayaratne, Liu, Thai, Dunbabin & Morawska (2018) The influence of humidity on the "
    "performance of a low-cost air particle mass sensor and the effect of atmospheric fog, "
    "AMT 11:4883, doi:10.5194/amt-11-4883-2018"
)


def flag_humidity(
    data: SensorData,
    *,
    threshold: float = HUMIDITY_THRESHOLD,
    humidity: str = "humidity",
    tolerance: str = "10min",
    humidity_from: Mapping[str, str] | None = None,
    variables: Sequence[str] | None = None,
) -> SensorData:
    """Flag particle readings taken while the air was near saturation (fog, mist).

    Low-cost PM sensors count light scattered by particles, with no dryer at the inlet:
    droplets and particles swollen with water are counted too. Jayaratne et al. (2018)
    found a Plantower sensor's readings rising above about 75 % relative humidity and
    PM10 46 % too high in fog. Between 75 % and saturation the effect grows and is what
    published corrections (for example EPA's, with an RH term) adjust for; at 95 % and
    above, where fog and mist form, it is too large to correct, so the default flags
    only those readings. Lower the threshold (e.g. 85) for a stricter check.

    PurpleAir's humidity reads about 4 % below ambient (it is measured inside the warm
    case; PurpleAir), so ``threshold=91`` on its own humidity matches 95 % outside.

    Each PM reading gets the humidity of the same sensor nearest in time, within
    ``tolerance`` (``pandas.merge_asof``); readings without a humidity that near are not
    judged. Sensor.Community keeps the PM sensor and the humidity sensor of one station
    under two ids: pair them with ``humidity_from``.

    Parameters
    ----------
    data
        The readings to check; not changed.
    threshold
        Relative humidity [%] at or above which PM readings are flagged.
    humidity
        The humidity variable to use (``"humidity"``, or ``"humidity_compensated"``).
    tolerance
        How far apart in time a PM reading and a humidity reading may be.
    humidity_from
        PM sensor id -> id of the sensor whose humidity applies, for stations whose
        humidity is recorded under another id (``{"sensorcommunity:5331":
        "sensorcommunity:5332"}``). Other sensors use their own humidity.
    variables
        The PM variables to check; default every variable of the "particulate matter"
        group present.

    Returns
    -------
    SensorData
        With the boolean column ``flag_humidity`` and the step in the history.
    """
    import numpy as np
    import pandas as pd

    readings = data.readings
    window = pd.Timedelta(tolerance)
    pairs = dict(humidity_from or {})
    if variables is None:
        checked = [v for v in data.variables if group_of(v) == "particulate matter"]
    else:
        checked = list(variables)
    mask = np.zeros(len(readings), dtype=bool)
    pm_rows = np.flatnonzero(readings["variable"].isin(checked).to_numpy())
    wet = readings[readings["variable"] == humidity]
    unmatched = len(pm_rows)
    if len(pm_rows) and not wet.empty:
        pm = readings.iloc[pm_rows]
        names = [str(c) for c in pm["sensor_id"].cat.categories]
        left = pd.DataFrame(
            {
                "key": sensor_values(pm, {c: pairs.get(c, c) for c in names}, None),
                "time": pm["time"].to_numpy(dtype="datetime64[ns]"),
                "row": pm_rows,
            }
        ).sort_values("time", kind="stable")
        right = (
            pd.DataFrame(
                {
                    "key": wet["sensor_id"].astype(str).to_numpy(),
                    "time": wet["time"].to_numpy(dtype="datetime64[ns]"),
                    "rh": wet["value"].to_numpy(),
                }
            )
            .groupby(["key", "time"], as_index=False)["rh"]
            .mean()  # two humidity channels at one time count once
            .sort_values("time", kind="stable")
        )
        matched = pd.merge_asof(
            left, right, on="time", by="key", direction="nearest", tolerance=window
        )
        unmatched = int(matched["rh"].isna().sum())
        mask[matched["row"].to_numpy()] = (matched["rh"] >= threshold).to_numpy()
    return add_flags(
        data,
        {"humidity": mask},
        rule="humidity",
        description=(
            f"Flagged {int(mask.sum())} of {len(pm_rows)} PM readings taken at a relative "
            f"humidity of {threshold:g} % or more ({counts_by_variable(readings, mask)}); "
            f"{unmatched} had no {humidity} reading within {duration_text(window)}."
        ),
        parameters={
            "threshold": threshold,
            "humidity": humidity,
            "tolerance": duration_text(window),
            "humidity_from": pairs,
            "variables": checked,
        },
        citation=HUMIDITY_CITATION,
    )
