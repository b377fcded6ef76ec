"""The teaching city's weather: four weeks of an invented, plausible autumn by the sea.

The weeks follow a written script of weather regimes (:data:`SCRIPT`), smoothed between
the scripted points and roughened with random wobble:

======== ============= ======================================================================
days     dates (2024)  regime
======== ============= ======================================================================
0-4      7-10 Oct      mild south-westerlies, showers
4.5-6    11-12 Oct     clear and light winds: cold humid nights, fog patches
6.3-8    13-14 Oct     Atlantic storm: strong westerly wind, rain (clean air)
8.5-13   15-19 Oct     cool north-westerlies, showers
13.5-18  20-25 Oct     anticyclone: calm easterly air from the continent, foggy nights,
                       shallow mixing -- **the pollution episode**
18.5-20  25-26 Oct     a front: rain and wind clear the air
20-24    27-30 Oct     mild south-westerlies (clocks go back on 27 Oct)
24.3-26  31 Oct-1 Nov  calm, humid, foggy nights, modest pollution
26-28    2-3 Nov       fresh north-westerlies
======== ============= ======================================================================

Relative humidity comes from temperature and dew point with the Magnus formula
(Alduchov & Eskridge 1996: e_s = 6.1094·exp(17.625·T / (T + 243.04)) hPa). The sun's
elevation uses the usual approximations of declination and the equation of time (NOAA
solar calculator), good to a fraction of a degree, which is what daylight and Telraam's
daylight-only counting need. "Mixing height" and "dilution" are a simple ventilation
model (wind speed × mixing height) that makes calm nights and the anticyclone dirty
and windy days clean; they are teaching devices, not a meteorological model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._city import ORIGIN_LAT, ORIGIN_LON, rng_for

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["SCRIPT", "ar1", "hourly_weather", "magnus_es", "sun_elevation"]

#: The script: quantity -> [(day since the start, value), ...], joined linearly.
#: Wind direction is in unwrapped degrees (where the wind comes from), so that turning
#: from north-west through north to east interpolates the short way.
SCRIPT: dict[str, list[tuple[float, float]]] = {
    "wind": [
        (0, 5.5), (4, 5.0), (4.5, 2.4), (6, 2.6), (6.3, 9.0), (7, 11.0), (8, 7.0),
        (8.5, 5.2), (13, 5.0), (13.5, 3.0), (14, 1.6), (18, 1.4), (18.5, 7.0),
        (19.5, 8.0), (20, 5.0), (24, 4.5), (24.3, 1.8), (25.8, 1.8), (26.2, 5.0), (28, 5.5),
    ],
    "direction": [
        (0, 225), (4, 240), (4.5, 200), (6, 210), (6.3, 250), (8, 280), (13, 300),
        (13.5, 420), (18, 440), (18.5, 580), (20, 590), (24, 570), (24.3, 520),
        (25.8, 530), (26.2, 660), (28, 670),
    ],
    "temperature": [
        (0, 14.5), (4, 14.0), (6, 12.5), (8, 11.5), (13, 10.5), (14, 10.0), (18, 9.5),
        (19, 12.5), (24, 12.0), (26, 9.5), (28, 8.5),
    ],
    "clearness": [
        (0, 0.3), (4, 0.3), (4.5, 0.9), (6, 0.8), (6.3, 0.1), (8, 0.2), (8.5, 0.5),
        (13, 0.5), (13.5, 0.8), (18, 0.8), (18.5, 0.1), (20, 0.3), (24, 0.4),
        (24.3, 0.9), (25.8, 0.9), (26.2, 0.4), (28, 0.5),
    ],
    "spread_night": [
        (0, 1.6), (4, 1.6), (4.5, 0.3), (6, 0.3), (6.3, 1.2), (8, 2.2), (13, 2.0),
        (13.5, 0.6), (14, -0.2), (18, -0.2), (18.5, 0.4), (20, 1.0), (24, 1.0),
        (24.3, -0.1), (25.8, -0.1), (26.2, 1.8), (28, 2.0),
    ],
    "spread_day": [
        (0, 4.5), (4, 5.0), (4.5, 7.0), (6, 6.5), (6.3, 2.5), (8, 4.0), (8.5, 5.5),
        (13, 5.5), (13.5, 7.0), (18, 6.5), (18.5, 2.0), (20, 4.0), (24, 4.5), (24.3, 5.5),
        (25.8, 5.0), (26.2, 5.0), (28, 5.5),
    ],
    "pressure": [
        (0, 1012), (4, 1016), (4.5, 1022), (6, 1018), (6.3, 1000), (7, 992), (8, 1005),
        (13, 1012), (13.5, 1024), (16, 1032), (18, 1026), (18.5, 1008), (19.5, 1002),
        (20, 1010), (24, 1018), (24.3, 1025), (25.8, 1023), (26.2, 1012), (28, 1015),
    ],
    "rain_chance": [
        (0, 0.08), (4, 0.08), (4.5, 0.0), (6, 0.0), (6.3, 0.6), (8, 0.3), (8.5, 0.08),
        (13, 0.08), (13.5, 0.0), (18.3, 0.0), (18.5, 0.7), (19.5, 0.5), (20, 0.06),
        (24, 0.06), (24.3, 0.0), (25.8, 0.0), (26.2, 0.1), (28, 0.1),
    ],
}  # fmt: skip


def _script(name: str, days: np.ndarray) -> np.ndarray:
    import numpy as np

    points = np.array(SCRIPT[name], dtype=float)
    return np.interp(days, points[:, 0], points[:, 1])


def ar1(rng: np.random.Generator, n: int, sd: float, rho: float) -> np.ndarray:
    """Draw a smooth random wobble: AR(1), x_t = ρ·x_(t-1) + e_t, standard deviation ``sd``.

    Computed without a loop over values: within a block, x_t = ρ^t·(x_0 + Σ_k e_k·ρ^(−k)),
    with blocks short enough that ρ^(−k) stays far from overflow.
    """
    import numpy as np

    shocks = rng.normal(0.0, sd * (1 - rho**2) ** 0.5, n)
    if n == 0 or rho == 0:
        return shocks
    shocks[0] = rng.normal(0.0, sd)
    block = max(1, min(n, int(250 * np.log(10) / -np.log(rho))))
    out = np.empty(n)
    carry = 0.0
    for start in range(0, n, block):  # a few blocks, not one step per value
        e = shocks[start : start + block]
        powers = rho ** np.arange(len(e), dtype=float)
        out[start : start + len(e)] = powers * (carry * rho + np.cumsum(e / powers))
        carry = out[start + len(e) - 1]
    return out


def magnus_es(temperature_c: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure over water [hPa] (Magnus; Alduchov & Eskridge 1996)."""
    import numpy as np

    t = np.asarray(temperature_c, dtype=float)
    return 6.1094 * np.exp(17.625 * t / (t + 243.04))


def sun_elevation(times: pd.DatetimeIndex) -> np.ndarray:
    """Elevation of the sun above the horizon at the city [degrees], at UTC ``times``.

    Declination δ = 23.44°·sin(2π(284 + day of year)/365); equation of time
    E = 9.87·sin 2B − 7.53·cos B − 1.5·sin B minutes, B = 2π(day of year − 81)/365;
    hour angle from the local solar time; sin(elevation) = sin φ sin δ + cos φ cos δ cos H.
    """
    import numpy as np

    doy = times.day_of_year.to_numpy()
    hours = (times.hour + times.minute / 60 + times.second / 3600).to_numpy()
    b = 2 * np.pi * (doy - 81) / 365
    eot_min = 9.87 * np.sin(2 * b) - 7.53 * np.cos(b) - 1.5 * np.sin(b)
    solar = hours + ORIGIN_LON / 15 + eot_min / 60
    decl = np.deg2rad(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
    lat = np.deg2rad(ORIGIN_LAT)
    angle = np.deg2rad(15 * (solar - 12))
    sin_el = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(angle)
    return np.rad2deg(np.arcsin(np.clip(sin_el, -1, 1)))


def hourly_weather(seed: int, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """Hourly weather at the city, for hours starting at ``hours`` (UTC).

    Values are taken at the middle of each hour.

    Returns
    -------
    pandas.DataFrame
        ``time`` (UTC, start of the hour), ``temperature_c``, ``dewpoint_c``,
        ``humidity_pct`` (0-100), ``wind_speed_ms`` (10 m), ``wind_direction_deg``
        (where the wind comes from, clockwise from north), ``pressure_sealevel_hpa``,
        ``precipitation_mm`` (in the hour), ``fog`` (humidity >= 97 % and wind below
        3 m/s), ``sun_elevation_deg``, ``mixing_height_m`` and ``dilution`` (1 = typical
        ventilation; 3 = three times the concentration from the same emissions).
    """
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, "weather")
    n = len(hours)
    mid = hours + pd.Timedelta(minutes=30)
    days = ((mid - hours[0]) / pd.Timedelta(days=1)).to_numpy()
    sun = sun_elevation(mid)
    daylight = np.clip(np.sin(np.deg2rad(np.maximum(sun, 0))) / 0.5, 0, 1)

    wind = _script("wind", days) * np.exp(ar1(rng, n, 0.22, 0.9))
    # Wind drops at night and picks up in the afternoon, most on clear days.
    clear = np.clip(_script("clearness", days) + ar1(rng, n, 0.1, 0.95), 0, 1)
    wind *= 0.75 + 0.45 * daylight * (0.5 + 0.5 * clear)
    wind = np.round(np.maximum(wind, 0.2), 2)
    direction = np.mod(_script("direction", days) + ar1(rng, n, 18, 0.9), 360)

    solar_hour = ((mid.hour + mid.minute / 60).to_numpy() + ORIGIN_LON / 15) % 24
    amplitude = 1.8 + 3.2 * clear * (1 - np.clip(wind / 12, 0, 0.6))
    temperature = (
        _script("temperature", days)
        + amplitude * np.cos(2 * np.pi * (solar_hour - 14.5) / 24)
        + ar1(rng, n, 0.6, 0.95)
    )
    # Dew-point spread (T - Td): small at night (humid, misty), larger in the afternoon.
    afternoon = (np.cos(2 * np.pi * (solar_hour - 14.5) / 24) + 1) / 2
    spread = _script("spread_night", days) + afternoon * (
        _script("spread_day", days) - _script("spread_night", days)
    )
    dewpoint = temperature - np.maximum(spread + ar1(rng, n, 0.5, 0.9), 0.0)
    dewpoint = np.minimum(dewpoint, temperature)  # air cannot hold more: dew and fog
    humidity = np.clip(100 * magnus_es(dewpoint) / magnus_es(temperature), 0, 100)
    pressure = _script("pressure", days) + ar1(rng, n, 1.5, 0.98)
    raining = rng.random(n) < _script("rain_chance", days)
    rain = np.where(raining, rng.gamma(1.5, 0.8, n), 0.0)
    fog = (humidity >= 97) & (wind < 3)
    mixing = np.where(
        sun > 0,
        250 + 90 * wind + 900 * daylight * (0.4 + 0.6 * clear),
        90 + 70 * wind,
    )
    ventilation = np.maximum(wind, 0.8) * mixing
    dilution = np.clip((4.0 * 700.0 / ventilation) ** 0.6, 0.25, 4.0)
    return pd.DataFrame(
        {
            "time": hours,
            "temperature_c": np.round(temperature, 2),
            "dewpoint_c": np.round(dewpoint, 2),
            "humidity_pct": np.round(humidity, 2),
            "wind_speed_ms": wind,
            "wind_direction_deg": np.round(direction, 1),
            "pressure_sealevel_hpa": np.round(pressure, 2),
            "precipitation_mm": np.round(rain, 2),
            "fog": fog,
            "sun_elevation_deg": np.round(sun, 2),
            "mixing_height_m": np.round(mixing, 1),
            "dilution": np.round(dilution, 4),
        }
    )
