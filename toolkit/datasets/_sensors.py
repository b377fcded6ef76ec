"""Who measures where, how each instrument sees the true air, and what goes wrong.

Deployment
----------
:data:`STATIONS` places 16 Sensor.Community stations (an SDS011 particle sensor with a
BME280 or DHT22 beside it), 9 PurpleAir sensors, one reference monitor (published
through OpenAQ), one DNMS noise sensor and two Telraam traffic counters. Like real
volunteer networks, the low-cost sensors cluster where people have gardens, time and
money: Hillcrest, the richest neighbourhood, has five, while Harbourside, the poorest
and most exposed, has one.

How instruments see the air
---------------------------
Optical particle sensors count light scattered by particles. In humid air the particles
take up water and grow, so the sensor counts more mass than there is; the dry mass is
what a reference monitor (which dries its sample) reports. The growth of the mass seen
is modelled with the κ-Köhler form used for low-cost optical counters (Crilley et al.
2018, after Petters & Kreidenweis 2007; the form is quoted from memory [M])::

    C_wet / C_dry = 1 + (κ / 1.65) · a_w / (1 − a_w),   a_w = RH / 100 (capped at 0.95)

with κ = 0.25 (the toolkit's choice for a mixed urban aerosol; published values for
ambient aerosol are of the order of 0.1-0.5 [M]) and 1.65 g cm⁻³ the dry particle
density. At 50 %
humidity the sensor reads 15 % high, at 90 % 2.4 times, in fog (capped at a_w = 0.95)
about 4 times.

* **SDS011** (Sensor.Community): PM2.5 = gain × true × growth, gain drawn around 1.05
  per unit; readings every 145-155 s (random jitter); on three stations about 0.1 % of
  rows have a timestamp and no values, as in the real archive.
* **Plantower in a PurpleAir** (two counters, channels A and B): CF=1 PM2.5 = 1.5 ×
  true × growth (PurpleAir reads about twice the reference before correction; EPA's
  slope 0.524 on CF=1 is roughly its inverse, Barkjohn et al. 2021). ATM equals CF=1
  up to 25 µg/m³ (as in real data) and bends to two thirds of it by 100 µg/m³ (the
  ratio usually quoted for high concentrations [M]); the manufacturer's algorithm is not
  published, so this is a smooth stand-in. Humidity is reported about 4 % below ambient
  and temperature about 8 °F
  above (PurpleAir's statements), as integers.
* **Reference monitor** (OpenAQ): hourly true value plus a small instrument noise.

Planted problems
----------------
See :data:`PROBLEMS` (written to ``ground_truth/planted_problems.csv.gz``).

References
----------
.. [1] Crilley, L. R. et al. (2018) Evaluation of a low-cost optical particle counter
   (Alphasense OPC-N2) for ambient air monitoring, Atmos. Meas. Tech. 11:709-720,
   doi:10.5194/amt-11-709-2018.
.. [2] Petters, M. D. & Kreidenweis, S. M. (2007) A single parameter representation of
   hygroscopic growth and cloud condensation nucleus activity, Atmos. Chem. Phys.
   7:1961-1971, doi:10.5194/acp-7-1961-2007.
.. [3] Barkjohn, K. K., Gantt, B. & Clements, A. L. (2021) Development and application of
   a United States-wide correction for PM2.5 data collected with the PurpleAir sensor,
   Atmos. Meas. Tech. 14:4617-4637, doi:10.5194/amt-14-4617-2021.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._city import rng_for
from ._weather import ar1, magnus_es

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ._city import CityGeometry
    from ._signals import Drivers

__all__ = [
    "KAPPA",
    "PROBLEMS",
    "STATIONS",
    "Station",
    "growth",
    "noise_readings",
    "plantower_atm",
    "positions",
    "purpleair_sensor",
    "reading_times",
    "reference_monitor",
    "sds011_station",
    "telraam_report",
    "true_flows",
]

#: Hygroscopic growth parameter of the city's aerosol (see the module docstring).
KAPPA = 0.25
_DRY_DENSITY = 1.65  # g/cm³, as in Crilley et al. (2018)
_MAX_WATER_ACTIVITY = 0.95
_PA_GAIN = 1.5  # PurpleAir CF=1 / reference at low humidity


@dataclass(frozen=True)
class Station:
    """One place where something is measured.

    Attributes
    ----------
    code
        Short code used in the stations table and :func:`toolkit.datasets.path`
        (``S01``..., ``P01``..., ``R01``, ``D01``, ``T01``, ``T02``).
    platform
        ``sensor_community``, ``purpleair``, ``openaq``, ``telraam``.
    neighbourhood
        Neighbourhood id (``N01``...), checked against the outline when generating.
    where
        ``("cell", col, row)``: a fractional lattice position; ``("xy", x, y)``: metres;
        ``("at", code, dx, dy)``: beside another station.
    model
        Instrument(s): ``SDS011+BME280``, ``SDS011+DHT22``, ``PA-II``, ``DNMS``,
        ``reference``, ``Telraam``.
    host, site
        Who hosts it and what kind of place it is.
    number
        The platform's id of the (first) instrument.
    """

    code: str
    platform: str
    neighbourhood: str
    where: tuple
    model: str
    host: str
    site: str
    number: int

    @property
    def sensor_ids(self) -> list[str]:
        """The toolkit sensor ids of the station's instruments (as the readers make them)."""
        if self.platform == "sensor_community" and "+" in self.model:
            return [f"sensorcommunity:{self.number}", f"sensorcommunity:{self.number + 100}"]
        prefix = {
            "sensor_community": "sensorcommunity",
            "purpleair": "purpleair",
            "openaq": "openaq",
            "telraam": "telraam",
        }[self.platform]
        return [f"{prefix}:{self.number}"]

    @property
    def location_id(self) -> int:
        """Sensor.Community location id (one per station)."""
        return 970000 + int(self.code[1:]) + (16 if self.code.startswith("D") else 0)


def _sc(n: int, hood: str, where: tuple, env: str, host: str, site: str) -> Station:
    return Station(
        f"S{n:02d}", "sensor_community", hood, where, f"SDS011+{env}", host, site, 900100 + n
    )


def _pa(n: int, hood: str, where: tuple, host: str, site: str) -> Station:
    return Station(f"P{n:02d}", "purpleair", hood, where, "PA-II", host, site, 990000 + n)


#: Every station. Positions are fractions of the lattice cells (see ``_city``) or metres.
STATIONS: tuple[Station, ...] = (
    _sc(1, "N08", ("cell", 0.45, 2.55), "BME280", "resident", "back garden"),
    _sc(2, "N08", ("cell", 1.3, 2.7), "DHT22", "resident", "front garden"),
    _sc(
        3,
        "N05",
        ("at", "R01", 4.0, 3.0),
        "BME280",
        "city council",
        "town hall roof, beside the reference monitor",
    ),
    _sc(4, "N05", ("xy", 2389.0, 1950.0), "BME280", "business", "shop front on Harbour Road"),
    _sc(5, "N09", ("cell", 2.35, 2.4), "DHT22", "school", "school playground"),
    _sc(6, "N09", ("cell", 2.7, 2.75), "BME280", "resident", "balcony"),
    _sc(7, "N10", ("cell", 3.35, 2.45), "BME280", "resident", "back garden"),
    _sc(8, "N10", ("cell", 3.7, 2.7), "DHT22", "resident", "back garden"),
    _sc(9, "N06", ("cell", 2.6, 1.35), "BME280", "business", "retail park office"),
    _sc(10, "N04", ("cell", 0.35, 1.45), "DHT22", "resident", "front garden"),
    _sc(11, "N04", ("cell", 0.7, 1.7), "BME280", "library", "library roof"),
    _sc(12, "N01", ("cell", 0.4, 0.55), "BME280", "resident", "back garden"),
    _sc(13, "N07", ("cell", 3.4, 1.6), "DHT22", "community centre", "community centre wall"),
    _sc(14, "N07", ("cell", 3.7, 1.3), "BME280", "resident", "balcony"),
    _sc(15, "N03", ("cell", 3.3, 0.55), "BME280", "port company", "office by the quays"),
    _sc(
        16,
        "N02",
        ("xy", 2435.0, 820.0),
        "DHT22",
        "community group",
        "flat window, 60 m from Harbour Road",
    ),
    _pa(1, "N08", ("cell", 0.7, 2.3), "resident", "back garden"),
    _pa(2, "N08", ("cell", 1.15, 2.45), "resident", "back garden"),
    _pa(3, "N08", ("cell", 0.25, 2.8), "resident", "front garden"),
    _pa(
        4,
        "N05",
        ("at", "R01", -4.0, 2.0),
        "city council",
        "town hall roof, beside the reference monitor",
    ),
    _pa(5, "N05", ("cell", 1.65, 1.35), "business", "café terrace"),
    _pa(6, "N09", ("cell", 2.5, 2.6), "resident", "back garden"),
    _pa(7, "N10", ("cell", 3.55, 2.35), "resident", "front garden"),
    _pa(8, "N06", ("cell", 2.35, 1.6), "business", "market hall roof"),
    _pa(9, "N01", ("cell", 0.65, 0.35), "resident", "back garden"),
    Station(
        "R01",
        "openaq",
        "N05",
        ("xy", 2200.0, 2300.0),
        "reference",
        "city council",
        "urban background station by the town hall",
        99000001,
    ),
    Station(
        "D01",
        "sensor_community",
        "N05",
        ("at", "S04", 0.0, 6.0),
        "DNMS",
        "business",
        "shop front on Harbour Road",
        900301,
    ),
    Station(
        "T01",
        "telraam",
        "N05",
        ("xy", 2375.0, 1875.0),
        "Telraam",
        "resident",
        "first-floor window over Harbour Road",
        9999000001,
    ),
    Station(
        "T02",
        "telraam",
        "N08",
        ("xy", 1000.0, 3625.0),
        "Telraam",
        "resident",
        "window over Oak Grove, a residential street",
        9999000002,
    ),
)

_START = "2024-10-07T00:00:00Z"

#: The planted problems: what, where, when. Times are UTC; ``end`` is exclusive.
PROBLEMS: tuple[dict[str, str], ...] = (
    {
        "problem": "stuck",
        "station": "S07",
        "sensor_id": "sensorcommunity:900107",
        "variables": "pm10;pm25",
        "start": "2024-10-15T21:30:00Z",
        "end": "2024-10-17T03:10:00Z",
        "details": "P1 and P2 repeat the last good values for 29 h 40 min (frozen firmware).",
        "find_it_with": "quality.flag_stuck / quality.check",
    },
    {
        "problem": "long gap",
        "station": "S16",
        "sensor_id": "sensorcommunity:900116;sensorcommunity:900216",
        "variables": "pm10;pm25;temperature;humidity",
        "start": "2024-10-20T09:12:00Z",
        "end": "2024-10-24T15:40:00Z",
        "details": "Harbourside's only sensor is off line for 4 days 6 h, through the "
        "worst days of the pollution episode (a power supply failed).",
        "find_it_with": "quality.gaps / quality.health",
    },
    {
        "problem": "drift",
        "station": "S05",
        "sensor_id": "sensorcommunity:900105",
        "variables": "pm10;pm25",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "Gain grows linearly from 1.00 to 1.75 over the four weeks (dust in "
        "the optics): readings end 75 % high.",
        "find_it_with": "compare with neighbours or the ground truth over time",
    },
    {
        "problem": "A/B disagreement",
        "station": "P02",
        "sensor_id": "purpleair:990002",
        "variables": "pm25_cf1;pm25_atm (channel B)",
        "start": "2024-10-16T08:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "Channel B fails: it reads 2.6 × channel A + 14 µg/m³, noisily "
        "(a spider web in the laser chamber).",
        "find_it_with": "quality.flag_ab / quality.ab_hours",
    },
    {
        "problem": "clock offset",
        "station": "P08",
        "sensor_id": "purpleair:990008",
        "variables": "all",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "Every timestamp is 1 hour late (the clock is an hour fast): the "
        "morning rush appears an hour after the other sensors see it, and the file "
        "ends an hour after the others.",
        "find_it_with": "cross-correlate with a neighbour; compare diurnal profiles",
    },
    {
        "problem": "humidity artefact",
        "station": "all S and P",
        "sensor_id": "all SDS011 and PurpleAir",
        "variables": "pm25;pm10;pm25_cf1;pm25_atm",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "Optical sensors read high in humid air (hygroscopic growth, kappa "
        "0.25): about 2.4 times at 90 % RH, about 4 times in fog; worst on the foggy "
        "nights of 21-25 Oct and 31 Oct-1 Nov (see weather_hourly 'fog').",
        "find_it_with": "quality.flag_humidity; corrections.correct('epa_2021')",
    },
    {
        "problem": "humidity saturation",
        "station": "S02;S05;S08;S10;S13;S16",
        "sensor_id": "DHT22 companions (sensorcommunity:9002xx)",
        "variables": "humidity",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "DHT22 humidity tops out at 99.9 % in fog and very humid nights "
        "and stays there for hours: real saturation, not a fault, but flag_stuck "
        "flags it.",
        "find_it_with": "quality.flag_stuck (a true-positive look-alike)",
    },
    {
        "problem": "reference maintenance",
        "station": "R01",
        "sensor_id": "openaq:99000001",
        "variables": "pm25;pm10;no2",
        "start": "2024-10-29T09:00:00Z",
        "end": "2024-10-29T12:00:00Z",
        "details": "Three hours missing while the reference monitor was serviced.",
        "find_it_with": "quality.gaps",
    },
    {
        "problem": "empty rows",
        "station": "S01;S09;S12",
        "sensor_id": "sensorcommunity:900101;sensorcommunity:900109;sensorcommunity:900112",
        "variables": "pm10;pm25",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "About 1 row in 1000 has a timestamp but no values (a quirk of the "
        "real archive); the reader drops them with a reason.",
        "find_it_with": "data.ledger",
    },
    {
        "problem": "night zeros",
        "station": "T01;T02",
        "sensor_id": "telraam:9999000001;telraam:9999000002",
        "variables": "counts, uptime",
        "start": "2024-10-07T00:00:00Z",
        "end": "2024-11-04T00:00:00Z",
        "details": "Telraam counts only in daylight: night hours are zeros with uptime "
        "0 (not measured, not 'no traffic'); dawn and dusk hours have low uptime.",
        "find_it_with": "traffic functions (uptime-aware); data.ledger notes",
    },
)


def positions(geometry: CityGeometry) -> dict[str, tuple[float, float]]:
    """Each station's position in local metres, checked against its neighbourhood.

    Raises
    ------
    ValueError
        If a station falls outside its neighbourhood or within 100 m of an edge (the
        3-decimal rounding of Sensor.Community coordinates must not move it across).
    """
    out: dict[str, tuple[float, float]] = {}
    # Stations placed beside another one come last, once that one has its place.
    for station in sorted(STATIONS, key=lambda s: s.where[0] == "at"):
        kind, *rest = station.where
        if kind == "cell":
            x, y = geometry.cell_point(*rest)
        elif kind == "xy":
            x, y = rest
        else:
            ax, ay = out[rest[0]]
            x, y = ax + rest[1], ay + rest[2]
        found = geometry.neighbourhood_of(x, y)[0]
        if found != station.neighbourhood or geometry.boundary_distance(x, y) < 100:
            msg = (
                f"Station {station.code} at ({x:.0f}, {y:.0f}) m is in {found or 'no'} "
                f"neighbourhood, {geometry.boundary_distance(x, y):.0f} m from an edge; "
                f"expected well inside {station.neighbourhood}."
            )
            raise ValueError(msg)
        out[station.code] = (float(x), float(y))
    return {s.code: out[s.code] for s in STATIONS}


def growth(humidity: np.ndarray, kappa: float = KAPPA) -> np.ndarray:
    """Factor by which hygroscopic growth inflates optically measured mass (see above)."""
    import numpy as np

    aw = np.clip(np.asarray(humidity, dtype=float) / 100, 0, _MAX_WATER_ACTIVITY)
    return 1 + (kappa / _DRY_DENSITY) * aw / (1 - aw)


def plantower_atm(cf1: np.ndarray) -> np.ndarray:
    """ATM value from a CF=1 value: equal below 25 µg/m³, two thirds of it above 100.

    Between 25 and 100 the ratio bends smoothly: atm = cf1 − cf1·(cf1 − 25)/225, which is
    continuous and increasing, and equals 2/3·cf1 at 100.
    """
    import numpy as np

    x = np.asarray(cf1, dtype=float)
    middle = x - x * (x - 25) / 225
    return np.where(x <= 25, x, np.where(x >= 100, x * 2 / 3, middle))


def reading_times(
    rng: np.random.Generator,
    start: int,
    end: int,
    *,
    cadence: float,
    jitter: float,
    loss: float,
    outages: int,
) -> np.ndarray:
    """Draw reading times in whole Unix seconds between ``start`` and ``end`` (exclusive).

    Intervals are ``cadence`` plus a random positive delay of mean ``jitter`` seconds;
    a share ``loss`` of readings is lost at random (a missed Wi-Fi upload) and
    ``outages`` short outages of 10-50 minutes are cut out.
    """
    import numpy as np

    n = int((end - start) / cadence * 1.05) + 10
    steps = cadence + rng.gamma(2.0, jitter / 2.0, n)
    times = start + rng.uniform(0, cadence) + np.cumsum(steps)
    times = np.floor(times[times < end]).astype(np.int64)
    keep = rng.random(len(times)) >= loss
    for begin in rng.uniform(start, end, outages):
        keep &= ~((times >= begin) & (times < begin + rng.uniform(600, 3000)))
    return times[keep]


def _at(times: np.ndarray, start: int, hourly: np.ndarray) -> np.ndarray:
    """Values at ``times`` from hourly means (joined linearly between hour middles)."""
    import numpy as np

    mids = np.arange(len(hourly)) + 0.5
    return np.interp((times - start) / 3600.0, mids, hourly)


def _window(times: np.ndarray, problem: str) -> np.ndarray:
    """Mask of times inside a planted problem's window."""
    import pandas as pd

    spec = next(p for p in PROBLEMS if p["problem"] == problem)
    begin = int(pd.Timestamp(spec["start"]).timestamp())
    stop = int(pd.Timestamp(spec["end"]).timestamp())
    return (times >= begin) & (times < stop)


def _timing(seed: int, code: str, start: int, end: int, cadence: float) -> np.ndarray:
    rng = rng_for(seed, f"{code}:times")
    if cadence > 140:  # Sensor.Community firmware: 145 s plus 0-10 s
        return reading_times(rng, start, end, cadence=145.0, jitter=3.0, loss=0.012, outages=3)
    return reading_times(rng, start, end, cadence=119.5, jitter=1.0, loss=0.01, outages=2)


def sds011_station(
    seed: int,
    station: Station,
    start: int,
    end: int,
    pm25: np.ndarray,
    pm10: np.ndarray,
    weather: pd.DataFrame,
    site_y: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make the readings of one Sensor.Community station: the SDS011 and its companion.

    Returns
    -------
    pm, env : pandas.DataFrame
        ``time`` (Unix seconds) and the archive's value columns (``P1``, ``P2``; and
        ``temperature``, ``humidity``, ``pressure`` for a BME280 or ``temperature``,
        ``humidity`` for a DHT22), NaN where the archive row is empty.
    """
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, f"{station.code}:values")
    times = _timing(seed, station.code, start, end, 147.0)
    if station.code == "S16":
        times = times[~_window(times, "long gap")]
    n = len(times)
    rh = _at(times, start, weather["humidity_pct"].to_numpy())
    turbulence = np.exp(ar1(rng, n, 0.08, 0.75))
    gain = rng.normal(1.05, 0.08)
    true25 = _at(times, start, pm25) * turbulence
    true10 = _at(times, start, pm10) * turbulence
    p2 = gain * true25 * growth(rh) + rng.normal(0, 1, n) * (0.4 + 0.05 * true25)
    p1 = gain * 1.02 * true10 * growth(rh, KAPPA * 0.8) + rng.normal(0, 1, n) * (
        0.6 + 0.07 * true10
    )
    if station.code == "S05":  # drift: the gain grows from 1.00 to 1.75
        drift = 1 + 0.75 * (times - start) / (end - start)
        p2, p1 = p2 * drift, p1 * drift
    p2 = np.clip(p2, 0, 999.9)
    p1 = np.clip(np.maximum(p1, p2), 0, 1999.9)
    p2, p1 = np.round(p2, 2), np.round(p1, 2)
    if station.code == "S07":  # stuck: the last good values repeat
        stuck = _window(times, "stuck")
        first = int(np.argmax(stuck))
        p2[stuck], p1[stuck] = p2[first - 1], p1[first - 1]
    if station.code in ("S01", "S09", "S12"):  # rows with a timestamp and no values
        empty = rng.random(n) < 0.001
        p2[empty], p1[empty] = np.nan, np.nan
    pm = pd.DataFrame({"time": times, "P1": p1, "P2": p2})

    env_times = times + rng.integers(0, 2, n)  # the companion reports a second later or not
    temperature = _at(env_times, start, weather["temperature_c"].to_numpy())
    dewpoint = _at(env_times, start, weather["dewpoint_c"].to_numpy())
    sun = np.clip(_at(env_times, start, weather["sun_elevation_deg"].to_numpy()) / 30, 0, 1)
    if station.model.endswith("BME280"):
        t = temperature + 0.6 + 1.2 * sun + ar1(rng, n, 0.12, 0.9)
        h = 100 * magnus_es(dewpoint) / magnus_es(t) + ar1(rng, n, 0.6, 0.95)
        h += rng.normal(0, 0.15, n)
        slp = _at(env_times, start, weather["pressure_sealevel_hpa"].to_numpy())
        elevation = 8 + 50 * site_y / 4500
        pressure = (slp - elevation / 8.3) * 100 + rng.normal(0, 4, n)
        env = pd.DataFrame(
            {
                "time": env_times,
                "pressure": np.round(pressure, 2),
                "temperature": np.round(t, 2),
                "humidity": np.round(np.clip(h, 0, 100), 2),
            }
        )
    else:  # DHT22: 0.1 resolution, reads humid air high and tops out at 99.9 %
        t = temperature + 0.3 + 0.8 * sun + rng.normal(0, 0.15, n)
        ambient = 100 * magnus_es(dewpoint) / magnus_es(temperature)
        high = 2.0 + 4.0 * np.clip(ambient - 85, 0, 15) / 15  # reads humid air high
        h = ambient + high + ar1(rng, n, 0.8, 0.95) + rng.normal(0, 0.2, n)
        env = pd.DataFrame(
            {
                "time": env_times,
                "temperature": np.round(t, 1),
                "humidity": np.round(np.clip(h, 0, 99.9), 1),
            }
        )
    return pm, env


def purpleair_sensor(
    seed: int,
    station: Station,
    start: int,
    end: int,
    pm25: np.ndarray,
    weather: pd.DataFrame,
    site_y: float,
) -> pd.DataFrame:
    """Make the readings of one PurpleAir sensor, as the API history fields (see module docstring).

    Returns
    -------
    pandas.DataFrame
        ``time`` (Unix seconds, as the sensor stamped it), ``humidity`` (%, integer),
        ``temperature`` (°F, integer), ``pressure`` (hPa), ``pm2.5_atm_a``,
        ``pm2.5_atm_b``, ``pm2.5_cf_1_a``, ``pm2.5_cf_1_b`` (µg/m³).
    """
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, f"{station.code}:values")
    times = _timing(seed, station.code, start, end, 120.0)
    n = len(times)
    rh = _at(times, start, weather["humidity_pct"].to_numpy())
    true25 = _at(times, start, pm25) * np.exp(ar1(rng, n, 0.08, 0.8))
    base = _PA_GAIN * rng.normal(1.0, 0.06) * true25 * growth(rh)
    channels = {}
    for ch in ("a", "b"):
        unit = rng.normal(1.0, 0.04)
        value = base * unit + rng.normal(0, 1, n) * (0.3 + 0.04 * base)
        channels[ch] = np.clip(value, 0, None)
    if station.code == "P02":  # channel B fails
        broken = _window(times, "A/B disagreement")
        noisy = (2.6 * channels["a"] + 14) * np.exp(rng.normal(0, 0.25, n))
        channels["b"] = np.where(broken, noisy, channels["b"])
    temperature_c = _at(times, start, weather["temperature_c"].to_numpy())
    sun = np.clip(_at(times, start, weather["sun_elevation_deg"].to_numpy()) / 30, 0, 1)
    temperature_f = (temperature_c + 1.2 * sun) * 9 / 5 + 32 + 8 + ar1(rng, n, 0.5, 0.9)
    humidity = rh - 4 + ar1(rng, n, 0.8, 0.8)
    slp = _at(times, start, weather["pressure_sealevel_hpa"].to_numpy())
    pressure = slp - (8 + 50 * site_y / 4500) / 8.3 + rng.normal(0, 0.04, n)
    if station.code == "P08":  # the clock is an hour fast
        times = times + 3600
    return pd.DataFrame(
        {
            "time": times,
            "humidity": np.round(np.clip(humidity, 0, 100)).astype(int),
            "temperature": np.round(temperature_f).astype(int),
            "pressure": np.round(pressure, 2),
            "pm2.5_atm_a": np.round(plantower_atm(channels["a"]), 2),
            "pm2.5_atm_b": np.round(plantower_atm(channels["b"]), 2),
            "pm2.5_cf_1_a": np.round(channels["a"], 2),
            "pm2.5_cf_1_b": np.round(channels["b"], 2),
        }
    )


def reference_monitor(
    seed: int,
    hours: pd.DatetimeIndex,
    pm25: np.ndarray,
    pm10: np.ndarray,
    no2: np.ndarray,
) -> pd.DataFrame:
    """Hourly reference values (start of the hour in ``time``), without the serviced hours."""
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, "R01:values")
    n = len(hours)
    frame = pd.DataFrame(
        {
            "time": hours,
            "pm25": np.round(np.clip(pm25 + rng.normal(0, 1, n) * (0.5 + 0.03 * pm25), 0, None), 1),
            "pm10": np.round(np.clip(pm10 + rng.normal(0, 1, n) * (0.8 + 0.04 * pm10), 0, None), 1),
            "no2": np.round(np.clip(no2 + rng.normal(0, 1, n) * (0.8 + 0.03 * no2), 0, None), 1),
        }
    )
    spec = next(p for p in PROBLEMS if p["problem"] == "reference maintenance")
    serviced = (frame["time"] >= pd.Timestamp(spec["start"])) & (
        frame["time"] < pd.Timestamp(spec["end"])
    )
    return frame[~serviced].reset_index(drop=True)


def true_flows(segment: int, d: Drivers) -> dict[str, np.ndarray]:
    """Return the true hourly flows on a Telraam segment (per hour, both directions)."""
    import numpy as np

    from ._signals import SEGMENTS, WEEKDAY_PEAK

    _, cars, heavy, bikes, walkers, _, _ = SEGMENTS[segment]
    day_share = d.traffic * WEEKDAY_PEAK / 100  # share of a weekday's traffic in the hour
    # On Harbour Road the lorries follow the port (0.758: the port index's weekday mean).
    port_road = segment == 9999000001
    lorries = heavy / 24 * d.port / 0.758 if port_road else heavy * day_share
    daytime = np.clip(day_share / (WEEKDAY_PEAK / 100), 0.02, None) ** 0.5
    return {
        "car": cars * day_share,
        "heavy": lorries,
        "bike": bikes * day_share,
        "pedestrian": walkers * day_share * daytime,
    }


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    import math

    import numpy as np

    return 0.5 * (1 + np.vectorize(math.erf)(np.asarray(x, dtype=float) / math.sqrt(2)))


def telraam_report(
    seed: int, segment: int, hours: pd.DatetimeIndex, d: Drivers, sun: np.ndarray
) -> list[dict[str, object]]:
    """One Telraam segment's hourly report records, as the API returns them.

    Uptime is the share of the hour with the sun more than 1° above the horizon, times
    the camera's own share (0.75-0.93: a window is not always clear). Counts are Poisson
    draws of the true flows over the counted time, divided by uptime (Telraam scales
    them up), so low-uptime hours are noisy; night hours are zeros with uptime 0.
    """
    import numpy as np

    from ._signals import SEGMENTS

    rng = rng_for(seed, f"telraam:{segment}")
    flows = true_flows(segment, d)
    n = len(hours)
    light = (sun > 1).mean(axis=1)
    uptime = np.round(light * rng.uniform(0.75, 0.93, n), 4)
    uptime[uptime < 0.02] = 0.0
    hour = d.local_hour
    rightward = np.where(
        (hour >= 6) & (hour <= 10), 0.62, np.where((hour >= 15) & (hour <= 19), 0.4, 0.5)
    )
    counts: dict[str, np.ndarray] = {}
    for mode, flow in flows.items():
        for side, share in (("lft", 1 - rightward), ("rgt", rightward)):
            seen = rng.poisson(flow * share * uptime)
            counts[f"{mode}_{side}"] = np.where(
                uptime > 0, seen / np.where(uptime > 0, uptime, 1), 0.0
            )
    _, _, _, _, _, free, spread = SEGMENTS[segment]
    slowdown = (10.0 if segment == 9999000001 else 3.0) * np.minimum(d.traffic, 1.2) ** 2
    mean = free - slowdown
    v85 = np.round(mean + 1.0364 * spread + rng.normal(0, 1.0, n), 1)
    edges70 = np.r_[np.arange(0, 71, 10), np.inf]
    edges120 = np.r_[np.arange(0, 121, 5), np.inf]
    records = []
    for k, start in enumerate(hours):
        row: dict[str, object] = {
            "instance_id": -1,
            "segment_id": segment,
            "date": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "interval": "hourly",
            "uptime": float(uptime[k]),
        }
        modes = ("heavy", "car", "bike", "pedestrian")  # the API's order of fields
        sides = {
            m: (round(counts[f"{m}_lft"][k], 2), round(counts[f"{m}_rgt"][k], 2)) for m in modes
        }
        row.update({m: round(sum(sides[m]), 2) for m in modes})
        for m in modes:
            row[f"{m}_lft"], row[f"{m}_rgt"] = sides[m]
        row["direction"] = 1
        cars_seen = row["car"] > 0
        for name, edges in (
            ("car_speed_hist_0to70plus", edges70),
            ("car_speed_hist_0to120plus", edges120),
        ):
            if cars_seen:
                cdf = _normal_cdf((np.clip(edges, -1e9, 1e9) - mean[k]) / spread)
                row[name] = [round(float(v), 2) for v in 100 * np.diff(cdf)]
            else:
                row[name] = [0.0] * (len(edges) - 1)
        row["v85"] = float(v85[k]) if cars_seen else None
        row["timezone"] = "Europe/London"
        records.append(row)
    return records


def noise_readings(
    seed: int, start: int, end: int, flows: dict[str, np.ndarray], wind: np.ndarray
) -> pd.DataFrame:
    """DNMS readings beside Harbour Road: LAeq, LAmin, LAmax, LA01, LA95 per ~145 s [dB(A)].

    The hourly road level is 10·lg(cars + 8·heavy + 1) + 31.5 dB(A) (a lorry counts as
    eight cars), summed with a background of 42 dB(A) + 0.6 dB per m/s of wind; each
    reading scatters around it. Statistical levels keep their order
    (LAmin <= LA95 <= LAeq <= LA01 <= LAmax).
    """
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, "D01:values")
    times = _timing(seed, "D01", start, end, 147.0)
    n = len(times)
    road = 10 * np.log10(flows["car"] + 8 * flows["heavy"] + 1) + 31.5
    background = 42 + 0.6 * wind
    hourly = 10 * np.log10(10 ** (road / 10) + 10 ** (background / 10))
    laeq = _at(times, start, hourly) + rng.normal(0, 2.0, n)
    la_min = np.minimum(_at(times, start, background) + rng.normal(0, 1.5, n), laeq - 2)
    la95 = np.minimum(la_min + 1.5 + np.abs(rng.normal(0, 0.8, n)), laeq - 0.5)
    la01 = laeq + 6 + rng.exponential(1.5, n)
    la_max = la01 + 2 + rng.exponential(3.0, n)
    return pd.DataFrame(
        {
            "time": times,
            "noise_LAeq": np.round(laeq, 2),
            "noise_LA_min": np.round(la_min, 2),
            "noise_LA_max": np.round(la_max, 2),
            "noise_LA01": np.round(la01, 2),
            "noise_LA95": np.round(la95, 2),
        }
    )
