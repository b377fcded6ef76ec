"""The teaching city's streets, written as an OpenStreetMap XML file that osmnx reads offline.

The network is a grid of streets about 250 m apart (the blocks of a planned port town),
with corners moved by a few metres, some links missing (dead ends, a park), and five
main roads drawn straight through it:

============== ============================== ========= ====================================
road           where                          highway   role
============== ============================== ========= ====================================
Harbour Road   north-south, from the ferry    primary   the arterial: port lorries and
               quay through Harbourside,                commuters into the centre
               Old Town and Hillcrest
Port Road      east-west behind the quays     primary   lorries between the quays and
                                                        Harbour Road / the bypass
Northern Ave   east-west across the middle    secondary cross-town traffic
Eastern Bypass north-south in the east        secondary through traffic
High Street    east-west in Old Town          tertiary  shops, buses
============== ============================== ========= ====================================

The same polylines drive the true pollution field (:mod:`._signals`), so what a learner
sees on the map is what made the numbers. The file follows the OSM XML 0.6 format
(``<osm>``, ``<bounds>``, ``<node id lat lon>``, ``<way>`` with ``<nd ref>`` and
``<tag k v>``); every way carries ``note=synthetic``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._city import CITY_NAME, rng_for, to_lonlat

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAJOR_ROADS", "Network", "build_network", "osm_xml"]

_SPACING_M = 250.0
_NX, _NY = 24, 18  # grid lines: x = 125 + 250 i, y = 125 + 250 j
_NODE_JITTER_M = 12.0
_DROP_SHARE = 0.08  # share of residential links left out (dead ends, paths)
_PARK = (3850.0, 4400.0, 3350.0, 3900.0)  # x0, x1, y0, y1 of the town park (no streets)

#: Main roads: name -> (axis, line index, first, last grid index, highway, maxspeed).
MAJOR_ROADS: dict[str, tuple[str, int, int, int, str, str]] = {
    "Harbour Road": ("x", 9, 0, _NY - 1, "primary", "30 mph"),
    "Port Road": ("y", 1, 5, _NX - 1, "primary", "30 mph"),
    "Northern Avenue": ("y", 11, 0, _NX - 1, "secondary", "30 mph"),
    "Eastern Bypass": ("x", 21, 1, _NY - 1, "secondary", "40 mph"),
    "High Street": ("y", 8, 6, 12, "tertiary", "20 mph"),
}
_QUAYS = ("y", 0, 7, 18)  # service roads along the quays, in the port

_X_NAMES = (
    "Anchor", "Rope", "Chandler", "Mariner", "Tide", "Ferry", "Lantern", "Cooper",
    "Tanner", "Weaver", "Fuller", "Carter", "Mill", "Chapel", "Bridge", "Beacon",
    "Orchard", "Garden", "Meadow", "Spring", "Clover", "Fern", "Juniper", "Laurel",
)  # fmt: skip
_X_KINDS = ("Street", "Road", "Lane", "Way")
_Y_NAMES = (
    "Sail", "Salt", "Alder", "Birch", "Rowan", "Hazel", "Willow", "Linden", "Cedar",
    "Maple", "Holly", "Poplar", "Elm", "Ash", "Oak", "Yew", "Thorn", "Heath",
)  # fmt: skip
_Y_KINDS = ("Avenue", "Terrace", "Grove", "Walk")


@dataclass
class Network:
    """Street network in local metres: nodes, ways and the main roads as polylines.

    Attributes
    ----------
    nodes
        OSM node id -> (x, y) in metres.
    ways
        (way id, node ids, tags) in writing order.
    roads
        Main road name -> polyline, shape (n, 2), metres.
    """

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    roads: dict[str, np.ndarray] = field(default_factory=dict)


def _line_name(axis: str, index: int) -> str:
    if axis == "x":
        return f"{_X_NAMES[index]} {_X_KINDS[index % len(_X_KINDS)]}"
    return f"{_Y_NAMES[index]} {_Y_KINDS[index % len(_Y_KINDS)]}"


def _road_of(axis: str, line: int, k: int) -> tuple[str, str, str] | None:
    """Name, highway and maxspeed of the link starting at position ``k`` of a line, if main."""
    for name, (ax, index, first, last, highway, speed) in MAJOR_ROADS.items():
        if ax == axis and index == line and first <= k < last:
            return name, highway, speed
    ax, index, first, last = _QUAYS
    if ax == axis and index == line and first <= k < last:
        return "Ferry Quay" if k < 11 else "Container Quay", "service", "10 mph"
    return None


def build_network(seed: int) -> Network:
    """Build the street grid, its main roads, and the missing links, from the seed."""
    import numpy as np

    rng = rng_for(seed, "streets")
    straight_x = {v[1] for v in MAJOR_ROADS.values() if v[0] == "x"}
    straight_y = {v[1] for v in MAJOR_ROADS.values() if v[0] == "y"} | {_QUAYS[1]}
    jitter = rng.uniform(-_NODE_JITTER_M, _NODE_JITTER_M, (_NX, _NY, 2))
    xy = np.zeros((_NX, _NY, 2))
    for i in range(_NX):
        for j in range(_NY):
            xy[i, j, 0] = 125 + _SPACING_M * i + (0 if i in straight_x else jitter[i, j, 0])
            xy[i, j, 1] = 125 + _SPACING_M * j + (0 if j in straight_y else jitter[i, j, 1])

    def node_id(i: int, j: int) -> int:
        return 1 + i + _NX * j

    # Links: (axis, line, position) -> kept?  A link joins position k and k + 1 of a line.
    links: dict[tuple[str, int, int], bool] = {}
    for axis, lines, length in (("y", _NY, _NX), ("x", _NX, _NY)):
        for line in range(lines):
            for k in range(length - 1):
                links[(axis, line, k)] = True
    parent = list(range(_NX * _NY + 1))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def ends(axis: str, line: int, k: int) -> tuple[tuple[int, int], tuple[int, int]]:
        return ((k, line), (k + 1, line)) if axis == "y" else ((line, k), (line, k + 1))

    x0, x1, y0, y1 = _PARK
    order = list(links)
    draws = rng.random(len(order))
    for key, draw in zip(order, draws, strict=True):
        (ia, ja), (ib, jb) = ends(*key)
        mid = (xy[ia, ja] + xy[ib, jb]) / 2
        in_park = x0 <= mid[0] <= x1 and y0 <= mid[1] <= y1
        if _road_of(*key) is None and (in_park or draw < _DROP_SHARE):
            links[key] = False
    # Keep the network in one piece: add dropped links back while they join two parts.
    for key in order:
        if links[key]:
            (ia, ja), (ib, jb) = ends(*key)
            parent[find(node_id(ia, ja))] = find(node_id(ib, jb))
    for key in order:
        (ia, ja), (ib, jb) = ends(*key)
        a, b = find(node_id(ia, ja)), find(node_id(ib, jb))
        mid = (xy[ia, ja] + xy[ib, jb]) / 2
        in_park = x0 <= mid[0] <= x1 and y0 <= mid[1] <= y1
        if not links[key] and a != b and not in_park:
            links[key] = True
            parent[a] = b

    network = Network()
    used: set[int] = set()

    def flush(run: list[int], tags: dict[str, str]) -> None:
        if len(run) > 1:
            network.ways.append((len(network.ways) + 1, run, tags))
            used.update(run)

    for axis, lines, length in (("y", _NY, _NX), ("x", _NX, _NY)):
        for line in range(lines):
            run: list[int] = []
            run_tags: dict[str, str] = {}
            for k in range(length - 1):
                (ia, ja), (ib, jb) = ends(axis, line, k)
                if not links[(axis, line, k)]:
                    flush(run, run_tags)
                    run = []
                    continue
                tags = _tags(axis, line, k)
                if run and tags == run_tags:
                    run.append(node_id(ib, jb))
                else:
                    flush(run, run_tags)
                    run, run_tags = [node_id(ia, ja), node_id(ib, jb)], tags
            flush(run, run_tags)
    for i in range(_NX):
        for j in range(_NY):
            if node_id(i, j) in used:
                network.nodes[node_id(i, j)] = (float(xy[i, j, 0]), float(xy[i, j, 1]))
    for name, (axis, line, first, last, _, _) in MAJOR_ROADS.items():
        points = [xy[k, line] if axis == "y" else xy[line, k] for k in range(first, last + 1)]
        network.roads[name] = np.array(points)
    return network


def _tags(axis: str, line: int, k: int) -> dict[str, str]:
    road = _road_of(axis, line, k)
    if road is not None:
        name, highway, speed = road
    else:
        name, highway, speed = _line_name(axis, line), "residential", "20 mph"
    return {"highway": highway, "name": name, "maxspeed": speed, "note": "synthetic"}


def osm_xml(network: Network) -> bytes:
    """Write the network as OSM XML 0.6 (UTF-8), the same bytes for the same network."""
    from xml.sax.saxutils import quoteattr

    import numpy as np

    ids = sorted(network.nodes)
    x = np.array([network.nodes[i][0] for i in ids])
    y = np.array([network.nodes[i][1] for i in ids])
    lon, lat = to_lonlat(x, y)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        (
            f'<osm version="0.6" generator="toolkit.datasets: {CITY_NAME}, a SYNTHETIC '
            'teaching city (CC0)">'
        ),
        (
            f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
            f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>'
        ),
    ]
    lines += [
        f'  <node id="{i}" lat="{a:.7f}" lon="{o:.7f}" version="1"/>'
        for i, a, o in zip(ids, lat, lon, strict=True)
    ]
    for way_id, refs, tags in network.ways:
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items())]
        lines.append("  </way>")
    lines.append("</osm>")
    return ("\n".join(lines) + "\n").encode("utf-8")
