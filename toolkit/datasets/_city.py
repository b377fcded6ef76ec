"""The teaching city's place: where it is, its neighbourhoods and the people in them.

Everything here is invented. The city (see :data:`CITY_NAME`) is placed in the open sea
of the English Channel, around 50.30° N, 0.10° W, where there is no real town, so that
it cannot be mistaken for a real place; its clocks follow ``Europe/London``.

Geometry is built in a flat local frame, in metres east (``x``) and north (``y``) of the
city's south-west corner, and turned into longitude/latitude at the end with an
equirectangular projection using the WGS84 ellipsoid's metres per degree at the city's
middle latitude (over 4.5 km the error is a few metres; areas agree with a UTM
projection to about 0.05 %).

The neighbourhoods tile a lattice of 4 columns by 3 rows whose inner corners are moved at
random and whose edges wiggle, so that they look drawn rather than ruled; two rows hold
merged cells, which gives ten neighbourhoods. The sea is to the south: the bottom row is
the waterfront with the port.
"""

from __future__ import annotations

import itertools
import math
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "CITY_NAME",
    "HEIGHT_M",
    "M_PER_DEG_LAT",
    "M_PER_DEG_LON",
    "NEIGHBOURHOODS",
    "ORIGIN_LAT",
    "ORIGIN_LON",
    "TIMEZONE",
    "WIDTH_M",
    "CityGeometry",
    "Neighbourhood",
    "build_geometry",
    "demographics_table",
    "rng_for",
    "to_lonlat",
    "to_xy",
]

#: The city's invented name (always shown with "synthetic" beside it).
CITY_NAME = "Quayford"
#: The zone of the city's clocks (local days, rush hours, daylight saving time).
TIMEZONE = "Europe/London"
#: Latitude and longitude of the south-west corner of the city's frame (open sea).
ORIGIN_LAT = 50.28
ORIGIN_LON = -0.15
#: Size of the city's frame: 6 km east-west, 4.5 km north-south.
WIDTH_M = 6000.0
HEIGHT_M = 4500.0

#: Lattice lines (metres) before the inner corners are moved: 4 columns, 3 rows.
_COLUMNS_X = (0.0, 1500.0, 3000.0, 4500.0, 6000.0)
_ROWS_Y = (0.0, 1400.0, 3000.0, 4500.0)
_CORNER_JITTER_M = 140.0  # how far an inner lattice corner may move
_EDGE_WIGGLE_M = 55.0  # how far an edge may bulge between corners
_EDGE_POINTS = 4  # points added along each edge


def rng_for(seed: int, name: str) -> np.random.Generator:
    """Return a random generator for one part of the city, independent of the others.

    Each part (the lattice, one sensor, the weather...) draws from its own stream,
    derived from the seed and the part's name, so that changing one part never changes
    the random numbers of another.
    """
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _metres_per_degree(latitude: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude on the WGS84 ellipsoid (series)."""
    phi = math.radians(latitude)
    lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return lat, lon


#: Metres per degree of latitude and longitude at the city's middle latitude (WGS84).
M_PER_DEG_LAT, M_PER_DEG_LON = _metres_per_degree(ORIGIN_LAT + 0.02)


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn local metres (east, north of the south-west corner) into longitude, latitude."""
    import numpy as np

    lon = ORIGIN_LON + np.asarray(x, dtype=float) / M_PER_DEG_LON
    lat = ORIGIN_LAT + np.asarray(y, dtype=float) / M_PER_DEG_LAT
    return lon, lat


def to_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn longitude, latitude into local metres (the inverse of :func:`to_lonlat`)."""
    import numpy as np

    x = (np.asarray(lon, dtype=float) - ORIGIN_LON) * M_PER_DEG_LON
    y = (np.asarray(lat, dtype=float) - ORIGIN_LAT) * M_PER_DEG_LAT
    return x, y


@dataclass(frozen=True)
class Neighbourhood:
    """One neighbourhood: where it is in the lattice and who lives there (all invented).

    Attributes
    ----------
    id, name
        ``N01``... (the join key of the GeoJSON and the demographics table) and its name.
    row, col0, col1
        Lattice row (0 = the waterfront in the south) and the columns it spans
        (``col0`` <= column < ``col1``).
    population, households
        Residents and households.
    median_income_gbp
        Median gross household income per year [GBP].
    renting_pct, under_15_pct, over_65_pct, no_car_pct
        Shares of households renting their home, of residents under 15 and 65 or over,
        and of households without a car [%].
    land_use, character
        Main land use, and one sentence for people reading the table.
    """

    id: str
    name: str
    row: int
    col0: int
    col1: int
    population: int
    households: int
    median_income_gbp: int
    renting_pct: float
    under_15_pct: float
    over_65_pct: float
    no_car_pct: float
    land_use: str
    character: str


#: The ten neighbourhoods. Harbourside (N02) lies between the port and the arterial
#: Harbour Road: the most exposed and the poorest, and the least measured.
NEIGHBOURHOODS: tuple[Neighbourhood, ...] = (
    Neighbourhood(
        "N01", "Westbank", 0, 0, 1, 13200, 5600, 31500, 38.0, 17.0, 18.0, 24.0,
        "residential", "Terraces and semis on the western shore, away from the port.",
    ),
    Neighbourhood(
        "N02", "Harbourside", 0, 1, 2, 18600, 8100, 19800, 71.0, 23.0, 11.0, 52.0,
        "residential", "Dense terraces and flats between the ferry quays and Harbour Road.",
    ),
    Neighbourhood(
        "N03", "Dockside", 0, 2, 4, 2300, 1050, 22400, 64.0, 15.0, 9.0, 45.0,
        "industrial", "Container quays, warehouses and a few streets of houses.",
    ),
    Neighbourhood(
        "N04", "Millbrook", 1, 0, 1, 15400, 6400, 29900, 42.0, 19.0, 16.0, 27.0,
        "residential", "Inter-war housing along the brook, west of the centre.",
    ),
    Neighbourhood(
        "N05", "Old Town", 1, 1, 2, 9100, 5200, 34800, 58.0, 9.0, 14.0, 46.0,
        "commercial", "The historic centre: High Street, shops, offices, the town hall.",
    ),
    Neighbourhood(
        "N06", "Market Quarter", 1, 2, 3, 7600, 4100, 33100, 55.0, 11.0, 12.0, 41.0,
        "commercial", "Market hall, retail park and flats above shops.",
    ),
    Neighbourhood(
        "N07", "Eastgate", 1, 3, 4, 16100, 6900, 24300, 54.0, 21.0, 13.0, 38.0,
        "residential", "Post-war estates beside the eastern bypass.",
    ),
    Neighbourhood(
        "N08", "Hillcrest", 2, 0, 2, 14300, 5700, 52600, 19.0, 16.0, 24.0, 9.0,
        "residential", "Detached houses and gardens on the hill north of the centre.",
    ),
    Neighbourhood(
        "N09", "Parkside", 2, 2, 3, 11200, 4600, 47900, 24.0, 17.0, 22.0, 12.0,
        "residential", "Victorian villas around the town park.",
    ),
    Neighbourhood(
        "N10", "Orchard Rise", 2, 3, 4, 10400, 4300, 44100, 22.0, 18.0, 21.0, 11.0,
        "residential", "Newer family housing on former orchards in the north-east.",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class CityGeometry:
    """The lattice and the neighbourhood outlines, in local metres.

    Attributes
    ----------
    corners
        Lattice corners, shape (columns + 1, rows + 1, 2), metres.
    rings
        Neighbourhood id -> closed outline (first point repeated last), counter-clockwise,
        shape (n, 2), metres.
    """

    corners: np.ndarray
    rings: dict[str, np.ndarray]

    def cell_point(self, col: float, row: float) -> tuple[float, float]:
        """Return the point at fractional lattice position (``col``, ``row``), in metres.

        ``col=1.5, row=0.5`` is the middle of the cell in column 1, row 0 (bilinear
        between the cell's four corners).
        """
        i, j = min(int(col), len(_COLUMNS_X) - 2), min(int(row), len(_ROWS_Y) - 2)
        fx, fy = col - i, row - j
        c = self.corners
        point = (
            c[i, j] * (1 - fx) * (1 - fy)
            + c[i + 1, j] * fx * (1 - fy)
            + c[i, j + 1] * (1 - fx) * fy
            + c[i + 1, j + 1] * fx * fy
        )
        return float(point[0]), float(point[1])

    def neighbourhood_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the neighbourhood id of each point (``""`` outside the city)."""
        import numpy as np

        x, y = np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))
        out = np.full(x.shape, "", dtype=object)
        for key, ring in self.rings.items():
            out[contains(ring, x, y)] = key
        return out

    def boundary_distance(self, x: float, y: float) -> float:
        """Distance in metres from a point to the nearest neighbourhood edge."""
        import numpy as np

        best = np.inf
        for ring in self.rings.values():
            a, b = ring[:-1], ring[1:]
            ab = b - a
            t = np.clip(
                ((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / (ab**2).sum(1), 0, 1
            )
            dx = a[:, 0] + t * ab[:, 0] - x
            dy = a[:, 1] + t * ab[:, 1] - y
            best = min(best, float(np.sqrt(dx**2 + dy**2).min()))
        return best


def contains(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies inside a closed ring (even-odd ray casting), vectorised."""
    import numpy as np

    inside = np.zeros(np.shape(x), dtype=bool)
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < at)
    return inside


def area_m2(ring: np.ndarray) -> float:
    """Area of a closed ring in square metres (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs((x[:-1] * y[1:] - x[1:] * y[:-1]).sum()) / 2)


def build_geometry(seed: int) -> CityGeometry:
    """Build the lattice and the ten neighbourhood outlines from the seed."""
    import numpy as np

    rng = rng_for(seed, "lattice")
    nx, ny = len(_COLUMNS_X), len(_ROWS_Y)
    corners = np.zeros((nx, ny, 2))
    for i, x in enumerate(_COLUMNS_X):
        for j, y in enumerate(_ROWS_Y):
            dx, dy = rng.uniform(-_CORNER_JITTER_M, _CORNER_JITTER_M, 2)
            # Corners on the outer frame move only along it, so the city stays a rectangle.
            corners[i, j] = (
                x + (dx if 0 < i < nx - 1 else 0.0),
                y + (dy if 0 < j < ny - 1 else 0.0),
            )

    def edge(a: tuple[int, int], b: tuple[int, int]) -> np.ndarray:
        """Points from corner a to corner b (b excluded); the same wiggle either way."""
        key = (a, b) if a <= b else (b, a)
        wiggle = rng_for(seed, f"edge{key}").uniform(-1, 1, _EDGE_POINTS) * _EDGE_WIGGLE_M
        p, q = corners[key[0]], corners[key[1]]
        s = np.arange(1, _EDGE_POINTS + 1) / (_EDGE_POINTS + 1)
        normal = np.array([-(q - p)[1], (q - p)[0]]) / np.hypot(*(q - p))
        taper = np.sin(np.pi * s)  # no bulge at the corners
        inner = p + np.outer(s, q - p) + np.outer(wiggle * taper, normal)
        return np.vstack([p, inner]) if key == (a, b) else np.vstack([q, inner[::-1]])

    rings: dict[str, np.ndarray] = {}
    for n in NEIGHBOURHOODS:
        j, i0, i1 = n.row, n.col0, n.col1
        parts = [edge((i, j), (i + 1, j)) for i in range(i0, i1)]  # south, west to east
        parts.append(edge((i1, j), (i1, j + 1)))  # east side, going north
        parts += [edge((i + 1, j + 1), (i, j + 1)) for i in range(i1 - 1, i0 - 1, -1)]
        parts.append(edge((i0, j + 1), (i0, j)))  # west side, going south
        ring = np.vstack([*parts, parts[0][:1]])
        rings[n.id] = ring
    return CityGeometry(corners=corners, rings=rings)


def demographics_table(geometry: CityGeometry) -> pd.DataFrame:
    """Build the demographics table: one row per neighbourhood, joined by ``neighbourhood_id``.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_id``, ``name``, ``population``, ``households``, ``area_km2``,
        ``density_per_km2``, ``median_income_gbp``, ``renting_pct``, ``under_15_pct``,
        ``over_65_pct``, ``no_car_pct``, ``land_use``, ``character``.
    """
    import pandas as pd

    rows = []
    for n in NEIGHBOURHOODS:
        area = area_m2(geometry.rings[n.id]) / 1e6
        rows.append(
            {
                "neighbourhood_id": n.id,
                "name": n.name,
                "population": n.population,
                "households": n.households,
                "area_km2": round(area, 3),
                "density_per_km2": round(n.population / area),
                "median_income_gbp": n.median_income_gbp,
                "renting_pct": n.renting_pct,
                "under_15_pct": n.under_15_pct,
                "over_65_pct": n.over_65_pct,
                "no_car_pct": n.no_car_pct,
                "land_use": n.land_use,
                "character": n.character,
            }
        )
    return pd.DataFrame(rows)
