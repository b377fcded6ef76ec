"""Published sensor corrections, side by side, with the raw values always kept.

A low-cost optical particle sensor does not weigh particles: it counts the light they
scatter and converts counts to µg/m³ with a factory factor. Humid air, smoke and dust
change that relationship, so agencies and makers publish *corrections*: equations,
fitted against reference monitors, that turn a sensor's raw value into a better estimate.
Dashboards apply them silently; here each one has a name and a version, says which
inputs it needs and what it does without them, and writes its result **beside** the raw
value, never over it.

Corrections (keys of :data:`CORRECTIONS`; see :func:`table`)
-------------------------------------------------------------
``epa_2021``
    EPA US-wide 2021 (Barkjohn et al. 2021) [1]_: PM2.5 = 0.524·PA_cf1 − 0.0862·RH +
    5.75, with PA_cf1 the mean of PurpleAir channels A and B of ``pm25_cf1``.
``epa_smoke``
    EPA's extension for smoke used on the AirNow Fire and Smoke Map (2022-23) [2]_:
    piecewise in the A/B mean of ``pm25_atm`` with breakpoints 30, 50, 210 and 260
    µg/m³, continuous at each (:func:`epa_extended`).
``epa_cf1_2022``
    EPA's extension for smoke on ``pm25_cf1`` (Barkjohn et al. 2022) [3]_, breakpoints
    570 and 611 µg/m³; used by PurpleAir for indoor sensors.
``epa_2020``, ``epa_fasm_2021``
    Earlier, superseded EPA versions (0.52·PA_cf1 − 0.085·RH + 5.71 of 2020; the interim
    2021 Fire and Smoke Map equation split at 343 µg/m³), kept to reproduce numbers made
    with them, e.g. by PurpleAir's map in 2020-22.
``airgradient_pm25``
    AirGradient's PM2.5 correction [4]_: the EPA extended formula on AirGradient's raw
    PM2.5 (``pm25``) and raw humidity.
``airgradient_temperature``, ``airgradient_humidity``
    AirGradient's formulas for the outdoor monitor (Open Air) [4]_.

How they are applied
--------------------
* **Raw values are kept.** Corrected values go to their own variable
  (``pm25_corrected``, ``temperature_corrected``, ``humidity_corrected``) with a
  ``method`` column naming the correction and its version.
* **PM2.5 corrections work on hourly or daily averages**, because that is what they were
  fitted on [1]_ [3]_: raw readings are first averaged with
  :func:`toolkit.timeseries.average` (recorded in the history), or averaged data made by
  it is used as it is. For PurpleAir sensors with two channels, EPA's cleaning [1]_ is
  applied to each period before A and B are averaged: the period is dropped when a
  channel is missing or not valid, when (hourly values only) a channel has less than 90 %
  of its expected readings, or when A and B differ by **both** more than 5 µg/m³ **and**
  more than 70 % (2|A−B|/(A+B)). For daily values EPA's hourly rule is best applied to
  the readings first (:func:`toolkit.quality.flag_ab`, then ``correct(..., period="day")``:
  flagged readings are left out of the averages); the A/B comparison is then repeated on
  the daily means with the same thresholds.
* **Humidity** is the same sensor's ``humidity`` over the same period (channels
  averaged). A period without it, or with a value outside 0-100 %, gets **no corrected
  value** (the row is there, with a missing value): such periods are counted, by reason,
  in the history and in :func:`compare`. Above 260 µg/m³ (``epa_smoke``) or 611 µg/m³
  (``epa_cf1_2022``) the equations do not use humidity, so a value is given.
* **Negative results are set to 0**, as EPA does on the Fire and Smoke Map [2]_ and
  AirGradient recommends [4]_ (not for the superseded versions, whose sources say
  nothing of it); how many were is recorded.
* A correction is applied only to sensors of the maker it was made for (the sensors
  table's ``source``; ``check_source=False`` applies it to any sensor, and says so).

Verification (what was checked, and where)
------------------------------------------
* ``epa_2021``: the coefficients 0.524, −0.0862 and 5.75 agree in the AirGradient
  documentation [4]_, the extended formula's first branch in MazamaScience/AirSensor2
  ``R/AirGradient_applyCorrection.R``, and the PurpleAir community thread quoting the
  2022 paper [5]_. One public implementation (USEPA/sensortoolkit
  ``model/_purpleair_uscorrection.py``) hard-codes other digits for the humidity term
  and the intercept; the test suite fails if they appear here.
* ``epa_smoke``: two independent transcriptions of EPA's equation agree (AirSensor2
  ``R/AirGradient_applyCorrection.R`` and the AirGradient documentation as quoted on the
  AirGradient forum, whose last branch has a typo, ``pow(8.8410, -4)``, not copied). The
  EPA document itself (p. 26) was not read here.
* ``epa_cf1_2022``: from the PurpleAir community thread [5]_, which quotes the paper;
  consistent with the paper's abstract (the 2021 equation up to about 300 µg/m³, a
  quadratic above about 400). **Partly verified**: the paper's equation text and its
  erratum were not read. As published, its blending weight 0.0244·x − 13.9 is 0.008 at
  570 and 1.008 at 611, so the result steps by under 1 µg/m³ at both breakpoints.
* ``epa_2020``: PurpleAir's "Apply conversion" page and the PurpleAir community thread
  [5]_ (quoting the 2020 slide) agree. ``epa_fasm_2021``: AirSensor2
  ``R/pat_applyCorrection.R`` and the code quoted in the same thread agree.
* AirGradient temperature and humidity: the AirGradient documentation as quoted on its
  forum (1.327x − 6.738 below 10 °C, 1.181x − 5.112 above; 1.259x + 7.34) and the
  AirGradient firmware (``PMS5003TBase``), which writes 5.113 for the second intercept
  (0.001 °C apart; the documented 5.112 is used) and caps humidity at 100 %, as here.
  The temperature formula steps by 0.17 °C at 10 °C, as published.

References
----------
.. [1] Barkjohn, Gantt & Clements (2021) Development and application of a United
   States-wide correction for PM2.5 data collected with the PurpleAir sensor, Atmos.
   Meas. Tech. 14:4617-4637, doi:10.5194/amt-14-4617-2021.
.. [2] US EPA (2022-23) Sensor data cleaning and correction: Application on the AirNow
   Fire and Smoke Map, p. 26 (extended correction on PurpleAir cf_atm).
.. [3] Barkjohn, Holder, Frederick & Clements (2022) Correction and accuracy of PurpleAir
   PM2.5 measurements for extreme wildfire smoke, Sensors 22:9669,
   doi:10.3390/s22249669.
.. [4] AirGradient, "Correction algorithms",
   https://www.airgradient.com/documentation/correction-algorithms/
.. [5] PurpleAir community, "New EPA correction", https://community.purpleair.com/t/10372
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import MissingColumnError, ToolkitError
from .history import Step

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "CORRECTIONS",
    "METHOD_COLUMN",
    "REASONS",
    "Correction",
    "NotApplicableError",
    "UnknownCorrectionError",
    "airgradient_humidity",
    "airgradient_temperature",
    "as_averages",
    "compare",
    "correct",
    "epa_2020",
    "epa_2021",
    "epa_cf1_2022",
    "epa_extended",
    "epa_fasm_2021",
    "get",
    "table",
]

#: The readings column naming the correction (or calibration) that made a value.
METHOD_COLUMN = "method"
#: Periods the PM2.5 corrections accept: what they were fitted on.
CORRECTION_PERIODS = ("1h", "day")

# -- the equations ----------------------------------------------------------------------
# EPA US-wide 2021 (Barkjohn et al. 2021): slope on PA_cf1, humidity term, intercept.
EPA_2021_SLOPE = 0.524
EPA_2021_RH = -0.0862
EPA_2021_INTERCEPT = 5.75


class UnknownCorrectionError(ToolkitError, KeyError):
    """A correction name that is not in :data:`CORRECTIONS`."""


class NotApplicableError(ToolkitError, ValueError):
    """No sensor in the data is one the correction was made for."""


def _arrays(*values: Any) -> list[np.ndarray]:
    import numpy as np

    return [np.asarray(v, dtype=float) for v in values]


def epa_2021(pm25_cf1: Any, humidity: Any) -> np.ndarray:
    """EPA US-wide 2021 correction: 0.524·PA_cf1 − 0.0862·RH + 5.75.

    Parameters
    ----------
    pm25_cf1
        PurpleAir PM2.5 with the CF=1 calibration, mean of channels A and B [µg/m³],
        hourly or 24-hour averages.
    humidity
        PurpleAir relative humidity, as measured (inside the case) [%].

    Returns
    -------
    numpy.ndarray
        Corrected PM2.5 [µg/m³], not floored (see :func:`correct`).

    References
    ----------
    Barkjohn, Gantt & Clements (2021), AMT 14:4617, doi:10.5194/amt-14-4617-2021.

    Examples
    --------
    >>> round(float(epa_2021(10.0, 50.0)), 3)  # 5.24 - 4.31 + 5.75
    6.68
    """
    x, rh = _arrays(pm25_cf1, humidity)
    return EPA_2021_SLOPE * x + EPA_2021_RH * rh + EPA_2021_INTERCEPT


def epa_extended(pm25: Any, humidity: Any) -> np.ndarray:
    """EPA's extended (smoke) correction of the AirNow Fire and Smoke Map, 2022-23.

    With x the raw PM2.5 and RH the raw relative humidity:

    ============== =========================================================================
    x < 30         0.524·x − 0.0862·RH + 5.75
    30 ≤ x < 50    [0.786·w + 0.524·(1 − w)]·x − 0.0862·RH + 5.75, w = x/20 − 3/2
    50 ≤ x < 210   0.786·x − 0.0862·RH + 5.75
    210 ≤ x < 260  [0.69·w + 0.786·(1 − w)]·x − 0.0862·RH·(1 − w) + 2.966·w + 5.75·(1 − w)
                   + 8.84·10⁻⁴·x²·w, with w = x/50 − 21/5
    x ≥ 260        2.966 + 0.69·x + 8.84·10⁻⁴·x²
    ============== =========================================================================

    The weights w run from 0 to 1 across each blending range, so the result is
    continuous at 30, 50, 210 and 260. Above 260 µg/m³ humidity is not used.

    Parameters
    ----------
    pm25
        Raw PM2.5 [µg/m³]: for PurpleAir the A/B mean of ``pm2.5_atm`` (the EPA
        document's "PA cf_atm"), for AirGradient its raw PM2.5.
    humidity
        Raw relative humidity of the same device [%].

    Returns
    -------
    numpy.ndarray
        Corrected PM2.5 [µg/m³], not floored; NaN where x is missing, or where RH is
        missing and x < 260.

    References
    ----------
    US EPA (2022-23) Sensor data cleaning and correction: Application on the AirNow Fire
    and Smoke Map, p. 26; the same equation in the AirGradient documentation.
    """
    import numpy as np

    x, rh = _arrays(pm25, humidity)
    ramp_low = x / 20 - 3 / 2  # 0 at 30, 1 at 50
    ramp_high = x / 50 - 21 / 5  # 0 at 210, 1 at 260
    humidity_term = EPA_2021_RH * rh
    branches = [
        EPA_2021_SLOPE * x + humidity_term + EPA_2021_INTERCEPT,
        (0.786 * ramp_low + EPA_2021_SLOPE * (1 - ramp_low)) * x
        + humidity_term
        + EPA_2021_INTERCEPT,
        0.786 * x + humidity_term + EPA_2021_INTERCEPT,
        (0.69 * ramp_high + 0.786 * (1 - ramp_high)) * x
        + humidity_term * (1 - ramp_high)
        + 2.966 * ramp_high
        + EPA_2021_INTERCEPT * (1 - ramp_high)
        + 8.84e-4 * x**2 * ramp_high,
        2.966 + 0.69 * x + 8.84e-4 * x**2,
    ]
    conditions = [x < 30, x < 50, x < 210, x < 260, x >= 260]
    return np.select(conditions, branches, default=np.nan)


def epa_cf1_2022(pm25_cf1: Any, humidity: Any) -> np.ndarray:
    """EPA's extended correction on CF=1 values (Barkjohn et al. 2022). Partly verified.

    ================ =====================================================================
    x < 570          eq. 1: 0.524·x − 0.0862·RH + 5.75 (300 µg/m³ at 570 and 50 % RH)
    570 ≤ x < 611    (0.0244·x − 13.9)·eq. 3 + (1 − (0.0244·x − 13.9))·eq. 1
    x ≥ 611          eq. 3: 0.46·x + 3.93·10⁻⁴·x² + 2.97
    ================ =====================================================================

    As published the blending weight is 0.008 at 570 and 1.008 at 611 (its coefficients
    are rounded), so the result steps by less than 1 µg/m³ at the two breakpoints.

    Parameters
    ----------
    pm25_cf1
        PurpleAir PM2.5 with the CF=1 calibration, A/B mean [µg/m³].
    humidity
        PurpleAir relative humidity [%].

    Returns
    -------
    numpy.ndarray
        Corrected PM2.5 [µg/m³], not floored.

    References
    ----------
    Barkjohn, Holder, Frederick & Clements (2022), Sensors 22:9669,
    doi:10.3390/s22249669, as quoted in https://community.purpleair.com/t/10372 (the
    paper's equation text and its erratum were not checked here).
    """
    import numpy as np

    x, rh = _arrays(pm25_cf1, humidity)
    eq1 = EPA_2021_SLOPE * x + EPA_2021_RH * rh + EPA_2021_INTERCEPT
    eq3 = 0.46 * x + 3.93e-4 * x**2 + 2.97
    weight = 0.0244 * x - 13.9
    eq2 = weight * eq3 + (1 - weight) * eq1
    return np.select([x < 570, x < 611, x >= 611], [eq1, eq2, eq3], default=np.nan)


def epa_2020(pm25_cf1: Any, humidity: Any) -> np.ndarray:
    """EPA's preliminary 2020 US-wide correction: 0.52·PA_cf1 − 0.085·RH + 5.71 (superseded).

    The first published version (April 2020; PurpleAir's map offered it as "US EPA" from
    September 2020), kept to reproduce numbers made with it. Replaced by :func:`epa_2021`.

    Parameters
    ----------
    pm25_cf1
        PurpleAir PM2.5 with the CF=1 calibration, A/B mean [µg/m³].
    humidity
        PurpleAir relative humidity [%].

    Returns
    -------
    numpy.ndarray
        Corrected PM2.5 [µg/m³]; no floor is stated by its sources.

    References
    ----------
    Barkjohn et al., "PurpleAir PM2.5 U.S. correction and performance during smoke
    events", International Smoke Symposium, 21 April 2020, slide 8, as quoted in
    https://community.purpleair.com/t/10372; PurpleAir, "The Apply Conversion field",
    https://community.purpleair.com/t/103.
    """
    x, rh = _arrays(pm25_cf1, humidity)
    return 0.52 * x - 0.085 * rh + 5.71


def epa_fasm_2021(pm25_cf1: Any, humidity: Any) -> np.ndarray:
    """EPA's interim 2021 Fire and Smoke Map correction, split at 343 µg/m³ (superseded).

    0.52·x − 0.086·RH + 5.75 for x ≤ 343; 0.46·x + 3.93·10⁻⁴·x² + 2.97 above, with x
    the A/B mean of PurpleAir ``pm2.5_cf_1``. The two pieces do not meet at 343.
    Replaced by :func:`epa_extended` and :func:`epa_cf1_2022`.

    Parameters
    ----------
    pm25_cf1
        PurpleAir PM2.5 with the CF=1 calibration, A/B mean [µg/m³].
    humidity
        PurpleAir relative humidity [%].

    Returns
    -------
    numpy.ndarray
        Corrected PM2.5 [µg/m³]; no floor is stated by its sources.

    References
    ----------
    US EPA, "Tools and resources webinar: PurpleAir and smoke", 19 May 2021, slide 37, as
    implemented in MazamaScience/AirSensor2 ``R/pat_applyCorrection.R`` ("EPA_FASM") and
    quoted in https://community.purpleair.com/t/10372.
    """
    import numpy as np

    x, rh = _arrays(pm25_cf1, humidity)
    low = 0.52 * x - 0.086 * rh + 5.75
    high = 0.46 * x + 3.93e-4 * x**2 + 2.97
    return np.select([x <= 343, x > 343], [low, high], default=np.nan)


def airgradient_temperature(temperature: Any) -> np.ndarray:
    """AirGradient's temperature correction for its outdoor monitor (Open Air).

    1.327·T − 6.738 below 10 °C, 1.181·T − 5.112 from 10 °C (T raw, in °C).

    Parameters
    ----------
    temperature
        Raw temperature of the monitor's PMS5003T [°C].

    Returns
    -------
    numpy.ndarray
        Corrected temperature [°C].

    References
    ----------
    AirGradient, "Correction algorithms" (and its March 2024 webinar on temperature and
    humidity correction).
    """
    import numpy as np

    (t,) = _arrays(temperature)
    return np.where(t < 10, 1.327 * t - 6.738, 1.181 * t - 5.112)


def airgradient_humidity(humidity: Any) -> np.ndarray:
    """AirGradient's humidity correction for its outdoor monitor: 1.259·RH + 7.34, at most 100.

    Parameters
    ----------
    humidity
        Raw relative humidity of the monitor's PMS5003T [%].

    Returns
    -------
    numpy.ndarray
        Corrected relative humidity [%], capped at 100 % as the AirGradient firmware does.
    """
    import numpy as np

    (rh,) = _arrays(humidity)
    return np.minimum(1.259 * rh + 7.34, 100.0)


# -- the registry -----------------------------------------------------------------------
@dataclass(frozen=True)
class Correction:
    """One published correction: its equation, inputs and source.

    Attributes
    ----------
    key
        Short name used in code, e.g. ``"epa_2021"``.
    name
        Name with version, written into the ``method`` column of every corrected value.
    input
        The canonical variable it corrects (``pm25_cf1``, ``pm25_atm``, ``pm25``...).
    output
        The variable its results go to (``pm25_corrected``...).
    equation
        The equation in plain text.
    formula
        The function computing it (``formula(x, rh)`` or ``formula(x)``).
    needs_humidity
        Whether it uses the relative humidity of the same sensor and period.
    ab_mean
        Whether PurpleAir channels A and B are cleaned and averaged first.
    averaged
        True when it applies to hourly or daily averages (fitted on those); False when
        it applies to each reading as it is (raw or averaged).
    floor_at_zero
        Whether negative results are set to 0 (its source says so).
    sources
        The makers (``sensors.source``) whose sensors it was made for.
    skip_location_types
        Sensors of these location types are not corrected (the maker says so).
    citation
        The published source.
    verified
        What was checked, and where ("partly verified" when it was not all).
    """

    key: str
    name: str
    input: str
    output: str
    equation: str
    formula: Callable[..., Any]
    needs_humidity: bool
    ab_mean: bool
    averaged: bool
    floor_at_zero: bool
    sources: tuple[str, ...]
    citation: str
    verified: str
    skip_location_types: tuple[str, ...] = ()

    @property
    def inputs(self) -> str:
        """The inputs it needs, in plain words."""
        parts = [self.input + (" (mean of channels A and B)" if self.ab_mean else "")]
        if self.needs_humidity:
            parts.append("humidity of the same sensor")
        when = "hourly or daily averages" if self.averaged else "each reading"
        return f"{' and '.join(parts)}; {when}"


_AMT_2021 = (
    "Barkjohn, Gantt & Clements (2021) Development and application of a United States-wide "
    "correction for PM2.5 data collected with the PurpleAir sensor, AMT 14:4617, "
    "doi:10.5194/amt-14-4617-2021"
)
_FASM = (
    "US EPA (2022-23) Sensor data cleaning and correction: Application on the AirNow Fire "
    "and Smoke Map, p. 26"
)
_SENSORS_2022 = (
    "Barkjohn, Holder, Frederick & Clements (2022) Correction and accuracy of PurpleAir "
    "PM2.5 measurements for extreme wildfire smoke, Sensors 22:9669, doi:10.3390/s22249669"
)
_AIRGRADIENT = (
    "AirGradient, Correction algorithms, "
    "https://www.airgradient.com/documentation/correction-algorithms/"
)

#: The corrections the toolkit knows, by key.
CORRECTIONS: dict[str, Correction] = {
    c.key: c
    for c in (
        Correction(
            key="epa_2021",
            name="EPA US-wide 2021 (Barkjohn et al. 2021)",
            input="pm25_cf1",
            output="pm25_corrected",
            equation="0.524·PA_cf1 − 0.0862·RH + 5.75",
            formula=epa_2021,
            needs_humidity=True,
            ab_mean=True,
            averaged=True,
            floor_at_zero=True,
            sources=("PurpleAir",),
            citation=_AMT_2021 + "; negative values set to 0 as in " + _FASM,
            verified="coefficients agree in AirGradient docs, AirSensor2 and the PurpleAir "
            "community thread; not the sensortoolkit digits",
        ),
        Correction(
            key="epa_smoke",
            name="EPA extended for smoke, cf_atm (AirNow Fire and Smoke Map 2022-23)",
            input="pm25_atm",
            output="pm25_corrected",
            equation="piecewise in PA_atm: 2021 equation below 30 µg/m³, 0.786·x − 0.0862·RH "
            "+ 5.75 from 50 to 210, 2.966 + 0.69·x + 8.84e-4·x² from 260, blended between",
            formula=epa_extended,
            needs_humidity=True,
            ab_mean=True,
            averaged=True,
            floor_at_zero=True,
            sources=("PurpleAir",),
            citation=_FASM,
            verified="two independent transcriptions agree (AirSensor2, AirGradient docs); "
            "the EPA document itself not read",
        ),
        Correction(
            key="epa_cf1_2022",
            name="EPA extended for smoke, cf_1 (Barkjohn et al. 2022)",
            input="pm25_cf1",
            output="pm25_corrected",
            equation="2021 equation below 570 µg/m³; 0.46·x + 3.93e-4·x² + 2.97 from 611; "
            "blended with weight 0.0244·x − 13.9 between",
            formula=epa_cf1_2022,
            needs_humidity=True,
            ab_mean=True,
            averaged=True,
            floor_at_zero=True,
            sources=("PurpleAir",),
            citation=_SENSORS_2022,
            verified="partly verified: PurpleAir community thread quoting the paper, "
            "consistent with its abstract; equation text and erratum not read",
        ),
        Correction(
            key="epa_2020",
            name="EPA US-wide 2020 preliminary (superseded; PurpleAir map 'US EPA' 2020)",
            input="pm25_cf1",
            output="pm25_corrected",
            equation="0.52·PA_cf1 − 0.085·RH + 5.71",
            formula=epa_2020,
            needs_humidity=True,
            ab_mean=True,
            averaged=True,
            floor_at_zero=False,
            sources=("PurpleAir",),
            citation="Barkjohn et al., International Smoke Symposium, 21 April 2020, slide 8; "
            "PurpleAir, The Apply Conversion field, https://community.purpleair.com/t/103",
            verified="PurpleAir's 'Apply conversion' page and the PurpleAir community thread "
            "quoting the slide agree",
        ),
        Correction(
            key="epa_fasm_2021",
            name="EPA Fire and Smoke Map interim 2021 (superseded; cf_1, split at 343)",
            input="pm25_cf1",
            output="pm25_corrected",
            equation="0.52·x − 0.086·RH + 5.75 up to 343 µg/m³; 0.46·x + 3.93e-4·x² + 2.97 above",
            formula=epa_fasm_2021,
            needs_humidity=True,
            ab_mean=True,
            averaged=True,
            floor_at_zero=False,
            sources=("PurpleAir",),
            citation="US EPA, Tools and resources webinar: PurpleAir and smoke, 19 May 2021, "
            "slide 37",
            verified="AirSensor2 R/pat_applyCorrection.R and the code quoted in the PurpleAir "
            "community thread agree; the slides not read",
        ),
        Correction(
            key="airgradient_pm25",
            name="AirGradient PM2.5 (EPA extended formula, AirGradient docs 2024)",
            input="pm25",
            output="pm25_corrected",
            equation="EPA extended (smoke) formula on AirGradient raw PM2.5 and raw RH",
            formula=epa_extended,
            needs_humidity=True,
            ab_mean=False,
            averaged=True,
            floor_at_zero=True,
            sources=("AirGradient",),
            citation=_AIRGRADIENT + "; " + _FASM,
            verified="AirGradient docs as quoted on its forum; AirSensor2 "
            "R/AirGradient_applyCorrection.R",
        ),
        Correction(
            key="airgradient_temperature",
            name="AirGradient outdoor temperature (AirGradient docs, March 2024)",
            input="temperature",
            output="temperature_corrected",
            equation="1.327·T − 6.738 below 10 °C; 1.181·T − 5.112 from 10 °C",
            formula=airgradient_temperature,
            needs_humidity=False,
            ab_mean=False,
            averaged=False,
            floor_at_zero=False,
            sources=("AirGradient",),
            skip_location_types=("indoor",),
            citation=_AIRGRADIENT,
            verified="AirGradient docs as quoted on its forum; firmware PMS5003TBase "
            "(writes 5.113)",
        ),
        Correction(
            key="airgradient_humidity",
            name="AirGradient outdoor humidity (AirGradient docs, March 2024)",
            input="humidity",
            output="humidity_corrected",
            equation="1.259·RH + 7.34, at most 100 %",
            formula=airgradient_humidity,
            needs_humidity=False,
            ab_mean=False,
            averaged=False,
            floor_at_zero=False,
            sources=("AirGradient",),
            skip_location_types=("indoor",),
            citation=_AIRGRADIENT,
            verified="AirGradient docs as quoted on its forum; firmware PMS5003TBase "
            "(caps at 100 %)",
        ),
    )
}


def get(correction: str | Correction) -> Correction:
    """Return a correction by its key (or pass a :class:`Correction` through).

    Raises
    ------
    UnknownCorrectionError
        For a key that is not in :data:`CORRECTIONS`; the message lists them.
    """
    if isinstance(correction, Correction):
        return correction
    try:
        return CORRECTIONS[str(correction)]
    except KeyError:
        raise UnknownCorrectionError(
            f"{correction!r} is not a correction the toolkit knows.",
            found=f"corrections {', '.join(CORRECTIONS)}",
            fix="Use one of those keys, e.g. correction='epa_2021'; "
            "toolkit.corrections.table() describes each.",
        ) from None


def table() -> pd.DataFrame:
    """Describe every correction: name and version, inputs, equation, source.

    Returns
    -------
    pandas.DataFrame
        One row per correction: ``key, name, input, output, inputs, equation,
        needs_humidity, ab_mean, averaged, floor_at_zero, sources, citation, verified``.
    """
    import pandas as pd

    rows = [
        {
            "key": c.key,
            "name": c.name,
            "input": c.input,
            "output": c.output,
            "inputs": c.inputs,
            "equation": c.equation,
            "needs_humidity": c.needs_humidity,
            "ab_mean": c.ab_mean,
            "averaged": c.averaged,
            "floor_at_zero": c.floor_at_zero,
            "sources": ", ".join(c.sources),
            "citation": c.citation,
            "verified": c.verified,
        }
        for c in CORRECTIONS.values()
    ]
    return pd.DataFrame(rows)


# -- applying one -----------------------------------------------------------------------
#: Reasons a period gets no corrected value, in the order they are checked.
REASONS = {
    "not_valid": "input value not valid (too little data in the period)",
    "ab_incomplete": "channel A or B missing, not valid or below the completeness threshold",
    "ab_disagree": "channels A and B disagree",
    "no_humidity": "no humidity reading for the period",
    "humidity_out_of_range": "humidity outside 0-100 %",
}


def correct(
    data: SensorData,
    correction: str | Correction = "epa_2021",
    *,
    period: str | None = None,
    timezone: str = "local",
    humidity: str = "humidity",
    abs_threshold: float = 5.0,
    rel_threshold: float = 0.70,
    min_completeness: float = 0.90,
    floor: bool | None = None,
    check_source: bool = True,
) -> SensorData:
    """Apply one published correction; the corrected values are added beside the raw ones.

    Parameters
    ----------
    data
        Readings as loaded (PM2.5 corrections average them first), or hourly or daily
        averages made by :func:`toolkit.timeseries.average`. Not changed.
    correction
        A key of :data:`CORRECTIONS` (default ``"epa_2021"``) or a :class:`Correction`.
    period
        For PM2.5 corrections: ``"1h"`` or ``"day"``, the averages to correct. Default:
        the period of averaged data, or ``"1h"`` for readings.
    timezone
        Whose clock hours and days, when readings are averaged here (see
        :func:`toolkit.timeseries.average`; ``"local"`` needs each sensor's zone).
    humidity
        The relative-humidity variable to use (the raw ``"humidity"``, as the
        equations were fitted on it).
    abs_threshold, rel_threshold
        EPA's A/B rule: a period is dropped when |A − B| > ``abs_threshold`` [µg/m³] and
        2|A − B|/(A + B) > ``rel_threshold`` (5 and 0.70).
    min_completeness
        EPA's hourly completeness rule: an hour is dropped when channel A or B has less
        than this share of its expected readings (0.90). Used for hourly values only.
    floor
        Set negative results to 0. Default: as the correction's source says (the current
        PM2.5 corrections here; not the superseded 2020 and interim 2021 versions).
    check_source
        Correct only sensors of the maker the correction was made for (``sensors.source``).

    Returns
    -------
    SensorData
        For PM2.5 corrections: the hourly (or daily) averages, plus one row of
        ``pm25_corrected`` per sensor and period with an input value (its value missing
        where it could not be computed). Other corrections add one row per input
        reading. Every row has a ``method`` column (the correction's name and version for
        corrected rows, missing for the others). The history records the averaging (if
        done here) and the correction: inputs, thresholds, and how many periods got no
        value, by reason.

    Raises
    ------
    UnknownCorrectionError
        For an unknown correction.
    MissingColumnError
        When the data lacks the input variable or the humidity it needs, or already has
        the output variable (apply each correction to the uncorrected data).
    ValueError
        For averages of another period than an hour or a day.
    NotApplicableError
        When no sensor is of the maker the correction was made for.

    Examples
    --------
    >>> from toolkit import corrections
    >>> corrections.get("epa_2021").name
    'EPA US-wide 2021 (Barkjohn et al. 2021)'
    """
    chosen = get(correction)
    _check_inputs(data, chosen, humidity)
    source = data
    if chosen.averaged:
        source, period_name = as_averages(data, period, timezone=timezone)
    else:
        period_name = _period_of(data) or "readings"
    result = _apply(
        source,
        chosen,
        humidity=humidity,
        abs_threshold=abs_threshold,
        rel_threshold=rel_threshold,
        min_completeness=min_completeness,
        floor=chosen.floor_at_zero if floor is None else floor,
        check_source=check_source,
    )
    readings = _append(source.readings, result.rows, chosen.name)
    step = Step(
        name="correct",
        description=result.describe(chosen, period_name),
        parameters={
            "correction": chosen.key,
            "name": chosen.name,
            "equation": chosen.equation,
            "input": chosen.input,
            "output": chosen.output,
            "period": period_name,
            "humidity": humidity if chosen.needs_humidity else None,
            "abs_threshold": abs_threshold if chosen.ab_mean else None,
            "rel_threshold": rel_threshold if chosen.ab_mean else None,
            "min_completeness": min_completeness
            if chosen.ab_mean and period_name == "1h"
            else None,
            "floor": chosen.floor_at_zero if floor is None else floor,
            "check_source": check_source,
            "missing_by_reason": dict(result.missing),
            "sensors_skipped": dict(result.skipped),
        },
        citation=chosen.citation,
        touched=len(result.rows),
    )
    return source.replace(readings=readings, step=step)


def compare(
    data: SensorData,
    corrections: Sequence[str | Correction] | None = None,
    *,
    period: str | None = None,
    timezone: str = "local",
    humidity: str = "humidity",
    abs_threshold: float = 5.0,
    rel_threshold: float = 0.70,
    min_completeness: float = 0.90,
    check_source: bool = True,
) -> pd.DataFrame:
    """Show what each correction does to the same data, side by side.

    Parameters
    ----------
    data
        Readings or hourly/daily averages (as for :func:`correct`); not changed.
    corrections
        Keys or :class:`Correction` objects; default every correction whose input
        variable is in the data and (with ``check_source``) made for one of its makers.
    period, timezone, humidity, abs_threshold, rel_threshold, min_completeness, check_source
        As for :func:`correct` (readings are averaged once, for all corrections).

    Returns
    -------
    pandas.DataFrame
        One row per correction: ``correction`` (name and version), ``key``, ``input``,
        ``values`` (sensor-periods, or readings, with an input value), ``corrected``,
        ``share_corrected``, ``missing``, ``share_missing``, one column per reason a value
        is missing (see :data:`REASONS`), ``floored`` (negative results set to 0),
        ``raw_mean`` (the input over the corrected values), ``mean``, ``median``, ``max``
        (corrected), ``mean_difference`` (corrected − raw) and ``note`` (why a correction
        does not apply, if so). ``attrs`` holds ``method`` (the names), ``period`` and
        ``citations``.
    """
    import numpy as np
    import pandas as pd

    if corrections is None:
        sources = {str(s).strip().lower() for s in data.sensors.get("source", [])}
        chosen = [
            c
            for c in CORRECTIONS.values()
            if c.input in set(data.variables)
            and (not check_source or sources & {m.lower() for m in c.sources})
        ]
    else:
        chosen = [get(c) for c in corrections]
    averaged: SensorData | None = None
    period_name = None
    if any(c.averaged and c.input in set(data.variables) for c in chosen):
        averaged, period_name = as_averages(data, period, timezone=timezone)
    rows = []
    for item in chosen:
        row: dict[str, Any] = {"correction": item.name, "key": item.key, "input": item.input}
        source = averaged if item.averaged and averaged is not None else data
        try:
            _check_inputs(source, item, humidity, output_free=False)
            result = _apply(
                source,
                item,
                humidity=humidity,
                abs_threshold=abs_threshold,
                rel_threshold=rel_threshold,
                min_completeness=min_completeness,
                floor=item.floor_at_zero,
                check_source=check_source,
            )
        except (MissingColumnError, NotApplicableError) as err:
            row["note"] = err.problem
            rows.append(row)
            continue
        values = result.rows["value"].to_numpy()
        raw = result.raw
        ok = ~np.isnan(values)
        total = len(values)
        missing = int(total - ok.sum())
        row.update(
            {
                "values": total,
                "corrected": int(ok.sum()),
                "share_corrected": ok.sum() / total if total else np.nan,
                "missing": missing,
                "share_missing": missing / total if total else np.nan,
                **{reason: int(result.missing.get(reason, 0)) for reason in REASONS},
                "floored": result.floored,
                "raw_mean": float(np.mean(raw[ok])) if ok.any() else np.nan,
                "mean": float(np.mean(values[ok])) if ok.any() else np.nan,
                "median": float(np.median(values[ok])) if ok.any() else np.nan,
                "max": float(np.max(values[ok])) if ok.any() else np.nan,
                "mean_difference": float(np.mean(values[ok] - raw[ok])) if ok.any() else np.nan,
                "note": "",
            }
        )
        rows.append(row)
    columns = [
        "correction",
        "key",
        "input",
        "values",
        "corrected",
        "share_corrected",
        "missing",
        "share_missing",
        *REASONS,
        "floored",
        "raw_mean",
        "mean",
        "median",
        "max",
        "mean_difference",
        "note",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    counts = ["values", "corrected", "missing", *REASONS, "floored"]
    frame[counts] = frame[counts].astype("Int64")  # missing where a correction does not apply
    frame["note"] = frame["note"].fillna("")
    frame.attrs["method"] = [c.name for c in chosen]
    frame.attrs["period"] = period_name
    frame.attrs["citations"] = {c.name: c.citation for c in chosen}
    return frame


# -- plumbing ---------------------------------------------------------------------------
@dataclass
class _Result:
    """New rows of one correction and what happened to the inputs."""

    rows: pd.DataFrame
    raw: np.ndarray  # the input value behind each new row
    missing: dict[str, int]
    skipped: dict[str, list[str]]
    floored: int
    unpaired: int  # sensor-periods corrected without an A/B pair to check

    def describe(self, correction: Correction, period: str) -> str:
        import numpy as np

        values = self.rows["value"].to_numpy()
        done = int((~np.isnan(values)).sum())
        what = f"{period} values" if correction.averaged else "readings"
        text = (
            f"Applied {correction.name} to {len(values)} {what} of {correction.input} "
            f"from {self.rows['sensor_id'].nunique()} sensor(s): {done} corrected into "
            f"{correction.output} (raw values kept)"
        )
        lost = {k: v for k, v in self.missing.items() if v}
        if lost:
            text += "; no value for " + ", ".join(f"{n} ({REASONS[k]})" for k, n in lost.items())
        if self.floored:
            text += f"; {self.floored} negative result(s) set to 0"
        if self.unpaired:
            text += (
                f"; {self.unpaired} value(s) from sensors without both channels A and B, "
                "corrected without the A/B check"
            )
        for reason, sensors in self.skipped.items():
            text += f"; {len(sensors)} sensor(s) not corrected: {reason}"
        return text + "."


def _period_of(data: SensorData) -> str | None:
    """Return the period of averaged data (``"1h"``, ``"day"``...), or None for readings."""
    from .timeseries import AVERAGED_COLUMNS

    readings = data.readings
    if not all(c in readings.columns for c in AVERAGED_COLUMNS):
        return None
    periods = sorted({str(p) for p in readings["period"].dropna().unique()})
    if len(periods) > 1:
        msg = (
            f"These averages mix periods ({', '.join(periods)}); correct and compare "
            "averages of one period at a time."
        )
        raise ValueError(msg)
    return periods[0] if periods else "1h"


def as_averages(
    data: SensorData,
    period: str | None,
    *,
    timezone: str = "local",
    allowed: Sequence[str] = CORRECTION_PERIODS,
) -> tuple[SensorData, str]:
    """Return hourly or daily averages of ``data``: as given, or made by ``average()``.

    Parameters
    ----------
    data
        Readings, or averages made by :func:`toolkit.timeseries.average`.
    period
        The period wanted; ``None`` takes the averages' own period (or ``"1h"``).
    timezone
        Passed to :func:`toolkit.timeseries.average` when readings are averaged here.
    allowed
        Periods accepted.

    Returns
    -------
    (SensorData, str)
        The averages (with the ``average`` step in their history when made here) and the
        period's name.

    Raises
    ------
    ValueError
        For a period not in ``allowed``, or averages of another period than asked.
    """
    from ._periods import parse_period
    from .timeseries import average

    have = _period_of(data)
    wanted = None if period is None else parse_period(period).name
    if have is not None:
        if wanted is not None and wanted != have:
            msg = (
                f"These readings are {have} averages, not {wanted} averages, and averages "
                f"cannot be averaged again. Pass the readings as loaded with "
                f"period={wanted!r}, or use period={have!r}."
            )
            raise ValueError(msg)
        wanted = have
    wanted = wanted or "1h"
    if wanted not in allowed:
        msg = (
            f"Period {wanted!r} is not accepted here: use one of {', '.join(allowed)} "
            "(the averages the published corrections and targets were made for)."
        )
        raise ValueError(msg)
    if have is not None:
        return data, wanted
    return average(data, wanted, timezone=timezone), wanted


def _check_inputs(
    data: SensorData, correction: Correction, humidity: str, *, output_free: bool = True
) -> None:
    present = set(data.variables)
    if correction.input not in present:
        others = [c.key for c in CORRECTIONS.values() if c.input in present]
        raise MissingColumnError(
            f"The correction {correction.name} needs {correction.input} readings, and "
            "there are none.",
            found=f"variables {', '.join(sorted(present)) or 'none'}",
            fix=f"Use a correction for the variables present ({', '.join(others)})."
            if others
            else "Load data with that variable (see toolkit.corrections.table()).",
        )
    if correction.needs_humidity and humidity not in present:
        raise MissingColumnError(
            f"The correction {correction.name} needs the sensor's relative humidity "
            f"({humidity!r}), and the data has none.",
            found=f"variables {', '.join(sorted(present))}",
            fix="Load the humidity with the PM readings (for PurpleAir, request the "
            "'humidity' field), or name the humidity variable with humidity='...'.",
        )
    if output_free and correction.output in present:
        raise MissingColumnError(
            f"The data already has {correction.output} values, and adding more would mix "
            "two corrections in one variable.",
            found=f"{correction.output} made by "
            + ", ".join(sorted(_methods(data, correction.output)) or ["an earlier step"]),
            fix="Apply each correction to the uncorrected data, and compare them with "
            "toolkit.corrections.compare(data, corrections=[...]).",
        )


def _methods(data: SensorData, variable: str) -> set[str]:
    readings = data.readings
    if METHOD_COLUMN not in readings.columns:
        return set()
    rows = readings.loc[readings["variable"] == variable, METHOD_COLUMN]
    return {str(m) for m in rows.dropna().unique()}


def _eligible(
    data: SensorData, correction: Correction, check_source: bool
) -> tuple[list[str], dict[str, list[str]]]:
    """Sensors the correction applies to, and the others by reason."""
    sensors = data.sensors
    with_input = {
        str(s)
        for s in data.readings.loc[
            data.readings["variable"] == correction.input, "sensor_id"
        ].unique()
    }
    info = sensors.set_index(sensors["sensor_id"].astype(str))
    skipped: dict[str, list[str]] = {}
    keep = []
    makers = {m.lower() for m in correction.sources}
    for sensor in sorted(with_input):
        source = str(info["source"].get(sensor) or "") if "source" in info else ""
        place = str(info["location_type"].get(sensor) or "") if "location_type" in info else ""
        if check_source and source.strip().lower() not in makers:
            reason = (
                f"source {source or 'not stated'}, not {' or '.join(correction.sources)} "
                "(check_source=False applies it anyway)"
            )
        elif place.strip().lower() in correction.skip_location_types:
            reason = f"location type {place} (the maker does not correct those)"
        else:
            keep.append(sensor)
            continue
        skipped.setdefault(reason, []).append(sensor)
    if not keep:
        raise NotApplicableError(
            f"No sensor in this data is one {correction.name} applies to.",
            found="; ".join(f"{', '.join(s)}: {r}" for r, s in skipped.items()),
            fix="Choose a correction made for these sensors (toolkit.corrections.table()), "
            "or pass check_source=False to apply it anyway (the history will say so).",
        )
    return keep, skipped


def _apply(
    data: SensorData,
    correction: Correction,
    *,
    humidity: str,
    abs_threshold: float,
    rel_threshold: float,
    min_completeness: float,
    floor: bool,
    check_source: bool,
) -> _Result:
    """Compute the new rows of one correction (no history; see :func:`correct`)."""
    import numpy as np

    keep, skipped = _eligible(data, correction, check_source)
    readings = data.readings
    chosen = readings["sensor_id"].isin(keep).to_numpy()
    if not correction.averaged:
        rows = readings.loc[chosen & (readings["variable"] == correction.input).to_numpy()]
        raw = rows["value"].to_numpy(dtype=float)
        out = rows.copy()
        out["variable"] = correction.output
        out["value"] = correction.formula(raw)
        out["unit"] = _unit(correction.output)
        return _Result(out, raw, {}, skipped, 0, 0)

    frame, unpaired = _period_inputs(
        readings.loc[chosen],
        correction,
        abs_threshold=abs_threshold,
        rel_threshold=rel_threshold,
        min_completeness=min_completeness if _period_of(data) == "1h" else None,
    )
    x = frame["x"].to_numpy()
    rh = _humidity(readings.loc[chosen], humidity, frame)
    out_of_range = (rh < 0) | (rh > 100)
    rh = np.where(out_of_range, np.nan, rh)
    with np.errstate(invalid="ignore"):
        value = correction.formula(x, rh) if correction.needs_humidity else correction.formula(x)
    lost_rh = ~np.isnan(x) & np.isnan(value)
    reason = frame["reason"].to_numpy(dtype=object)
    reason = np.where(
        lost_rh & out_of_range, "humidity_out_of_range", np.where(lost_rh, "no_humidity", reason)
    )
    floored = 0
    if floor:
        negative = value < 0
        floored = int(negative.sum())
        value = np.where(negative, 0.0, value)
    out = frame.drop(columns=["x", "reason"]).assign(
        variable=correction.output,
        value=value,
        unit=_unit(correction.output),
        valid=~np.isnan(value),
    )
    missing = {k: int((reason == k).sum()) for k in REASONS}
    return _Result(out, x, missing, skipped, floored, unpaired)


def _unit(variable: str) -> str:
    from . import variables

    return variables.get(variable).unit


def _period_inputs(
    readings: pd.DataFrame,
    correction: Correction,
    *,
    abs_threshold: float,
    rel_threshold: float,
    min_completeness: float | None,
) -> tuple[pd.DataFrame, int]:
    """One row per sensor and period: the input x (A/B mean where there is a pair).

    Returns the rows (``sensor_id, time, period, end, n_readings, n_expected, coverage,
    x, reason``; ``reason`` is empty where x is usable) and how many of them came from
    sensors without both channels.
    """
    import numpy as np
    import pandas as pd

    rows = readings[readings["variable"] == correction.input]
    channel = (
        rows["channel"].astype(object).where(rows["channel"].notna(), "").astype(str)
        if "channel" in rows.columns
        else pd.Series("", index=rows.index)
    )
    frame = pd.DataFrame(
        {
            "sensor_id": rows["sensor_id"].astype(str).to_numpy(),
            "time": rows["time"].array,
            "channel": channel.to_numpy(),
            "value": rows["value"].to_numpy(dtype=float),
            "valid": rows["valid"].to_numpy(dtype=bool),
            "coverage": rows["coverage"].to_numpy(dtype=float),
            "n_readings": rows["n_readings"].to_numpy(dtype=float),
            "n_expected": rows["n_expected"].to_numpy(dtype=float),
            "period": rows["period"].astype(str).to_numpy(),
            "end": rows["end"].array,
        }
    )
    columns = ["sensor_id", "time", "period", "end", "n_readings", "n_expected", "coverage"]
    ab = frame["channel"].isin(["A", "B"]).to_numpy()
    channels = frame[ab].groupby("sensor_id")["channel"].nunique()
    paired = set(channels.index[channels == 2]) if correction.ab_mean else set()
    is_paired = frame["sensor_id"].isin(paired).to_numpy()
    parts = []
    if paired:
        parts.append(
            _ab_mean(
                frame[is_paired & ab],
                abs_threshold=abs_threshold,
                rel_threshold=rel_threshold,
                min_completeness=min_completeness,
            )
        )
    # Other sensors: their value without a channel (PurpleAir's own A/B mean) where they
    # have one, or else their single channel.
    single = frame[~is_paired]
    plain = single["channel"] == ""
    has_plain = single["sensor_id"].isin(set(single.loc[plain, "sensor_id"]))
    single = single[plain | ~has_plain]
    usable = single["valid"] & single["value"].notna()
    parts.append(
        single[columns].assign(
            x=single["value"].where(usable),
            reason=np.where(usable, "", "not_valid"),
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["sensor_id", "time"], kind="stable").reset_index(drop=True)
    out["x"] = out["x"].astype(float)
    out["n_readings"] = out["n_readings"].astype("int64")
    return out, len(single)


def _ab_mean(
    two: pd.DataFrame,
    *,
    abs_threshold: float,
    rel_threshold: float,
    min_completeness: float | None,
) -> pd.DataFrame:
    """EPA's A/B cleaning of each period, then the mean of A and B where it passes."""
    import numpy as np
    import pandas as pd

    wide = two.set_index(["sensor_id", "time", "channel"]).unstack("channel")

    def both(name: str) -> tuple[pd.Series, pd.Series]:
        return wide[(name, "A")], wide[(name, "B")]

    a, b = both("value")
    valid_a, valid_b = (v.astype("boolean").fillna(False).astype(bool) for v in both("valid"))
    coverage_a, coverage_b = both("coverage")
    incomplete = ~(valid_a & valid_b) | a.isna() | b.isna()
    if min_completeness is not None:
        eps = 1e-9  # 27 of 30 expected readings is exactly 90 %
        incomplete |= (coverage_a < min_completeness - eps) | (coverage_b < min_completeness - eps)
    diff = (a - b).abs()
    total = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(total > 0, 2 * diff / total, np.where(diff > 0, np.inf, 0.0))
    disagree = ~incomplete & (diff > abs_threshold) & (relative > rel_threshold)
    period_a, period_b = both("period")
    end_a, end_b = both("end")
    n_a, n_b = both("n_readings")
    expected_a, expected_b = both("n_expected")
    return pd.DataFrame(
        {
            "period": period_a.where(period_a.notna(), period_b),
            "end": end_a.where(end_a.notna(), end_b),
            "n_readings": n_a.fillna(0) + n_b.fillna(0),
            "n_expected": expected_a.fillna(0) + expected_b.fillna(0),
            "coverage": np.fmin(coverage_a, coverage_b),
            "x": ((a + b) / 2).where(~incomplete & ~disagree),
            "reason": np.where(incomplete, "ab_incomplete", np.where(disagree, "ab_disagree", "")),
        },
        index=wide.index,
    ).reset_index()


def _humidity(readings: pd.DataFrame, humidity: str, frame: pd.DataFrame) -> np.ndarray:
    """Look up the sensor's humidity for each row of ``frame`` (channels averaged; NaN if none)."""
    import pandas as pd

    wet = readings[(readings["variable"] == humidity) & readings["valid"].to_numpy(dtype=bool)]
    means = (
        pd.DataFrame(
            {
                "sensor_id": wet["sensor_id"].astype(str).to_numpy(),
                "time": wet["time"].to_numpy(),
                "rh": wet["value"].to_numpy(dtype=float),
            }
        )
        .groupby(["sensor_id", "time"])["rh"]
        .mean()
    )
    keys = pd.MultiIndex.from_arrays([frame["sensor_id"], frame["time"]])
    return means.reindex(keys).to_numpy(dtype=float)


def _append(readings: pd.DataFrame, new: pd.DataFrame, method: str) -> pd.DataFrame:
    """Add new rows to readings, with the ``method`` column; categories are joined."""
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    from .sensordata import FLAG_PREFIX, normalise_readings

    base = readings.copy(deep=False)
    if METHOD_COLUMN not in base.columns:
        empty = pd.Index([], dtype="str")
        codes = np.full(len(base), -1, dtype=np.int8)
        base[METHOD_COLUMN] = pd.Categorical.from_codes(codes, categories=empty)
    added = new.reindex(columns=base.columns).copy()
    added[METHOD_COLUMN] = method
    for column in base.columns:
        if str(column).startswith(FLAG_PREFIX):
            added[column] = False if column not in new.columns else new[column].to_numpy()
    categorical = ["sensor_id", "variable", "unit", "channel", METHOD_COLUMN]
    joined: dict[str, pd.Categorical] = {}
    for column in categorical:
        if column not in base.columns:
            continue
        parts = [
            _as_text_categorical(base[column]),
            _as_text_categorical(added[column]),
        ]
        joined[column] = union_categoricals(parts, ignore_order=True)
    plain = [c for c in base.columns if c not in joined]
    combined = pd.concat([base[plain], added[plain]], ignore_index=True)
    for column, values in joined.items():
        combined[column] = values
    return normalise_readings(combined[list(base.columns)])


def _as_text_categorical(column: pd.Series) -> pd.Categorical:
    """Return the column as a Categorical with text categories (so that tables combine)."""
    import pandas as pd

    from .sensordata import _str_categories

    return _str_categories(pd.Categorical(column))
