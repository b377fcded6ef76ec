"""The true state of the teaching city, hour by hour: traffic, port activity and pollution.

Traffic follows local clock time (``Europe/London``): weekday rush hours at about 08:00
and 17:00, a later and flatter Saturday, a quiet Sunday, and a school half-term week
(28 October - 1 November 2024) with a smaller morning peak. Because the profiles are in
local time, the rush hours move by one hour in UTC when the clocks go back on 27 October.

True PM2.5 at a place p and hour t is built from sources a learner can point at::

    PM2.5(p, t) = regional(t)
                + dilution(t) × [ Σ_roads  k_road · w_r · exp(-d_r(p) / 150 m) · traffic_r(t)
                                + k_port · exp(-d_quay(p) / 500 m) · ships(t) · onshore(t)
                                + k_heat · density(p) · heating(t) ]

* ``regional``: air arriving from elsewhere (about 6 µg/m³ in Atlantic air, four times
  that in the continental air of the episode), washed out by rain.
* ``traffic_r``: each main road's traffic, a mix of the city's car traffic index and the
  port's lorry index (Port Road is mostly lorries).
* ``ships``: ships at berth and quay machinery, around the clock; ``onshore`` makes the
  plume reach the city when the wind blows from the sea (the south).
* ``heating``: household heating in the morning and evening, more on cold days, in
  proportion to population density.
* ``dilution``: the ventilation factor of :mod:`._weather` (calm, shallow air = high).

PM10 adds coarse particles: sea salt (more with wind, more near the shore) and road dust.
NO2 (for the reference monitor) is regional plus traffic. These are teaching models with
plausible magnitudes (kerbside increments of a few µg/m³, an urban background of 5-10
µg/m³ in clean weeks), not a dispersion model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._city import TIMEZONE, rng_for
from ._weather import ar1

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ._network import Network

__all__ = [
    "HALF_TERM",
    "ROAD_WEIGHTS",
    "SEGMENTS",
    "WEEKDAY_PEAK",
    "Drivers",
    "drivers",
    "exposure",
    "true_no2",
    "true_pm",
]

#: Share of each hour's traffic in a day [%], local time 00:00-23:00.
_WEEKDAY = (
    0.8, 0.5, 0.4, 0.4, 0.7, 1.6, 3.8, 7.0, 8.0, 5.6, 4.8, 4.9,
    5.2, 5.2, 5.4, 6.3, 7.4, 7.8, 6.0, 4.4, 3.4, 2.7, 2.0, 1.3,
)  # fmt: skip
_SATURDAY = (
    1.6, 1.1, 0.7, 0.5, 0.5, 0.8, 1.5, 2.7, 4.2, 5.6, 6.6, 7.2,
    7.4, 7.3, 7.1, 6.9, 6.6, 6.2, 5.4, 4.5, 3.8, 3.2, 2.6, 2.0,
)  # fmt: skip
_SUNDAY = (
    1.9, 1.3, 0.9, 0.6, 0.5, 0.6, 1.0, 1.8, 3.0, 4.6, 6.2, 7.3,
    7.9, 7.9, 7.7, 7.4, 7.0, 6.4, 5.6, 4.7, 3.8, 3.0, 2.2, 1.5,
)  # fmt: skip
#: The busiest weekday hour's share of the day [%]: the traffic index is 1 there.
WEEKDAY_PEAK = max(_WEEKDAY)
_DAY_TOTAL = {"weekday": 1.0, "saturday": 0.82, "sunday": 0.66}
#: School half-term week (local dates, inclusive): a smaller morning peak.
HALF_TERM = ("2024-10-28", "2024-11-01")

#: Main road -> (weight at the kerb, share of its traffic that follows the port's lorries).
ROAD_WEIGHTS: dict[str, tuple[float, float]] = {
    "Harbour Road": (1.0, 0.35),
    "Port Road": (1.0, 0.75),
    "Northern Avenue": (0.6, 0.1),
    "Eastern Bypass": (0.7, 0.15),
    "High Street": (0.35, 0.05),
}
_ROAD_DECAY_M = 150.0
_QUAY = ((1750.0, 60.0), (4600.0, 60.0))  # the berths, along the shore
_PORT_DECAY_M = 500.0
_K_ROAD, _K_PORT, _K_HEAT = 5.0, 7.0, 3.0  # µg/m³ per unit exposure at dilution 1
_K_DUST, _K_NO2 = 2.5, 30.0

#: Telraam segments: id -> (road, cars, heavy, bikes, pedestrians per weekday, free-flow
#: mean speed and its spread in km/h).
SEGMENTS: dict[int, tuple[str, float, float, float, float, float, float]] = {
    9999000001: ("Harbour Road", 13000.0, 1400.0, 450.0, 1800.0, 46.0, 7.5),
    9999000002: ("Oak Grove", 1400.0, 35.0, 220.0, 420.0, 31.0, 5.5),
}


@dataclass(frozen=True)
class Drivers:
    """Hourly drivers of the city's pollution and traffic (see the module docstring).

    Every attribute is a numpy array with one value per hour.

    Attributes
    ----------
    traffic
        Car traffic index (1 = the busiest weekday hour).
    port
        Port lorry index (1 = a busy weekday hour at the quays).
    ships
        Ships and quay machinery activity (0-1.6).
    onshore
        1 + 0.6·cos(wind direction − 180°): how much the port plume blows into the city.
    heating
        Household heating activity (0-1.5).
    regional
        Regional PM2.5 arriving from elsewhere [µg/m³].
    sea_salt
        Coarse sea-salt particles at the shore [µg/m³].
    regional_no2
        Regional NO2 [µg/m³].
    dilution
        From the weather (1 = typical).
    local_hour, day_kind, half_term
        Local clock hour (0-23), ``weekday``/``saturday``/``sunday``, and whether the
        day is a school half-term weekday.
    """

    traffic: np.ndarray
    port: np.ndarray
    ships: np.ndarray
    onshore: np.ndarray
    heating: np.ndarray
    regional: np.ndarray
    sea_salt: np.ndarray
    regional_no2: np.ndarray
    dilution: np.ndarray
    local_hour: np.ndarray
    day_kind: np.ndarray
    half_term: np.ndarray


def _profiles(local: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Traffic share of each local hour [% of the day's total], day kinds, half-term mask."""
    import numpy as np

    hour = local.hour.to_numpy()
    weekday = local.day_of_week.to_numpy()
    kind = np.where(weekday < 5, "weekday", np.where(weekday == 5, "saturday", "sunday"))
    table = {"weekday": _WEEKDAY, "saturday": _SATURDAY, "sunday": _SUNDAY}
    share = np.zeros(len(local))
    for name, values in table.items():
        mask = kind == name
        share[mask] = np.asarray(values)[hour[mask]] * _DAY_TOTAL[name]
    dates = local.strftime("%Y-%m-%d").to_numpy()
    half = (dates >= HALF_TERM[0]) & (dates <= HALF_TERM[1]) & (kind == "weekday")
    share[half & (hour >= 7) & (hour <= 9)] *= 0.82
    share[half & (hour >= 15) & (hour <= 16)] *= 0.9
    return share, kind, half


def drivers(seed: int, weather: pd.DataFrame) -> Drivers:
    """Compute the hourly drivers from the weather (hours at ``weather['time']``, UTC)."""
    import numpy as np
    import pandas as pd

    rng = rng_for(seed, "drivers")
    hours = pd.DatetimeIndex(weather["time"])
    n = len(hours)
    local = (hours + pd.Timedelta(minutes=30)).tz_convert(TIMEZONE)
    share, kind, half = _profiles(local)
    traffic = share / WEEKDAY_PEAK * np.exp(ar1(rng, n, 0.05, 0.7))
    hour = local.hour.to_numpy()
    busy = (hour >= 6) & (hour < 20)
    port = np.where(kind == "weekday", np.where(busy, 1.0, 0.35), np.where(busy, 0.5, 0.25))
    ferry = (hour == 6) | (hour == 21)  # two ferries a day: lorries roll off
    port = (port + 0.35 * ferry) * np.exp(ar1(rng, n, 0.1, 0.6))
    ships = 0.7 + 0.3 * port + 0.15 * ferry
    direction = weather["wind_direction_deg"].to_numpy()
    onshore = 1 + 0.6 * np.cos(np.deg2rad(direction - 180))
    temperature = weather["temperature_c"].to_numpy()
    heat_hours = np.where(
        (hour >= 17) & (hour <= 22), 1.0, np.where((hour >= 6) & (hour <= 8), 0.6, 0.15)
    )
    heating = heat_hours * np.clip((15 - temperature) / 7, 0.1, 1.5)
    mid = hours + pd.Timedelta(minutes=30)
    days = ((mid - hours[0]) / pd.Timedelta(days=1)).to_numpy()
    points = np.array(_REGIONAL, dtype=float)
    factor = np.interp(days, points[:, 0], points[:, 1])
    rain = weather["precipitation_mm"].to_numpy()
    washout = 1 - 0.35 * np.clip(rain / 2, 0, 1)
    regional = 6.0 * factor * np.exp(ar1(rng, n, 0.15, 0.97)) * washout
    wind = weather["wind_speed_ms"].to_numpy()
    sea_salt = 2.5 + 0.35 * wind**1.5
    regional_no2 = 9.0 * np.sqrt(factor) * np.exp(ar1(rng, n, 0.12, 0.95))
    return Drivers(
        traffic=traffic,
        port=port,
        ships=ships,
        onshore=onshore,
        heating=heating,
        regional=regional,
        sea_salt=sea_salt,
        regional_no2=regional_no2,
        dilution=weather["dilution"].to_numpy(),
        local_hour=hour,
        day_kind=kind,
        half_term=half,
    )


#: Regional PM2.5 factor over the weeks (day since the start, factor on 6 µg/m³): the
#: episode of 20-25 October brings continental air four times as polluted.
_REGIONAL = [
    (0, 1.0), (4, 1.0), (4.5, 1.4), (6, 1.5), (6.3, 0.6), (8, 0.6), (8.5, 0.9), (13, 0.9),
    (13.5, 1.4), (14.5, 2.6), (15.5, 3.6), (16.5, 4.2), (17.5, 3.8), (18.3, 3.2),
    (18.6, 1.0), (19.5, 0.6), (20, 0.8), (24, 1.0), (24.3, 1.3), (25.8, 1.4), (26.2, 0.9),
    (28, 0.9),
]  # fmt: skip


def _distance_to_polyline(xy: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Distance [m] from each point (n, 2) to a polyline (m, 2)."""
    import numpy as np

    a, b = line[:-1], line[1:]
    ab = b - a
    ap = xy[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab).sum(2) / (ab**2).sum(1), 0, 1)
    nearest = a[None, :, :] + t[:, :, None] * ab[None, :, :]
    return np.sqrt(((xy[:, None, :] - nearest) ** 2).sum(2)).min(1)


def exposure(xy: np.ndarray, network: Network, density: np.ndarray) -> dict[str, np.ndarray]:
    """How much each source reaches each point: the spatial part of the model.

    Parameters
    ----------
    xy
        Points, shape (n, 2), local metres.
    network
        The street network (its main-road polylines).
    density
        Population density around each point, relative to the densest neighbourhood (0-1).

    Returns
    -------
    dict
        ``road:<name>`` for each main road, ``port``, ``heat`` and ``shore`` (closeness
        to the sea, for sea salt): arrays of length n.
    """
    import numpy as np

    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = {}
    for name, (weight, _) in ROAD_WEIGHTS.items():
        d = _distance_to_polyline(xy, network.roads[name])
        out[f"road:{name}"] = weight * np.exp(-d / _ROAD_DECAY_M)
    quay = np.array(_QUAY)
    out["port"] = np.exp(-_distance_to_polyline(xy, quay) / _PORT_DECAY_M)
    out["heat"] = np.asarray(density, dtype=float)
    out["shore"] = np.exp(-np.clip(xy[:, 1], 0, None) / 2500.0)
    return out


def _road_drivers(d: Drivers) -> dict[str, np.ndarray]:
    return {
        name: (1 - heavy) * d.traffic + heavy * d.port for name, (_, heavy) in ROAD_WEIGHTS.items()
    }


def true_pm(exp: dict[str, np.ndarray], d: Drivers) -> tuple[np.ndarray, np.ndarray]:
    """Return true hourly PM2.5 and PM10 [µg/m³] at the points of ``exp``, shape (points, hours)."""
    import numpy as np

    roads = _road_drivers(d)
    traffic_part = sum(np.outer(exp[f"road:{name}"], roads[name]) for name in ROAD_WEIGHTS)
    local = (
        _K_ROAD * traffic_part
        + _K_PORT * np.outer(exp["port"], d.ships * d.onshore)
        + _K_HEAT * np.outer(exp["heat"], d.heating)
    ) * d.dilution[None, :]
    pm25 = d.regional[None, :] + local
    coarse = (
        np.outer(0.4 + 0.6 * exp["shore"], d.sea_salt)
        + _K_DUST * traffic_part * np.sqrt(d.dilution)[None, :]
        + 0.15 * d.regional[None, :]
    )
    return pm25, pm25 + coarse


def true_no2(exp: dict[str, np.ndarray], d: Drivers) -> np.ndarray:
    """Return true hourly NO2 [µg/m³] at the points of ``exp``, shape (points, hours)."""
    import numpy as np

    roads = _road_drivers(d)
    traffic_part = sum(np.outer(exp[f"road:{name}"], roads[name]) for name in ROAD_WEIGHTS)
    return d.regional_no2[None, :] + _K_NO2 * traffic_part * d.dilution[None, :]
