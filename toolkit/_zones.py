"""Each sensor's time zone: kept from the file, given by the user, or found offline.

Two different time zones matter when sensor files are read, and the toolkit keeps them
apart:

* **the zone of the file's clock**: the zone its timestamps were written in. It decides
  how they become UTC. Readers know it where the format documents it (the
  Sensor.Community archive is UTC) or the values carry offsets; otherwise the user says
  it with ``file_timezone=``.
* **the zone of each sensor**: where the sensor is. It decides where its local days and
  hours begin (``data.sensors["timezone"]``). A file written in UTC can come from a
  sensor in Berlin.

A sensor's zone is taken, in this order, from

1. the user: ``toolkit.load(..., sensor_timezone="Europe/Berlin")``;
2. the file itself (PurpleAir, OpenAQ and Telraam give an IANA name), kept as it is;
3. its coordinates, looked up offline in the time zone boundaries packaged with
   ``timezonefinder`` (one look-up per sensor, not per reading);
4. the zone of the file's clock, when the user gave one that is not UTC
   (``file_timezone="Europe/Berlin"``: a logger set to local time);
5. the UTC offset its timestamps carried, when every reading of the file has the same
   one and it is a whole number of hours other than zero: ``+02:00`` becomes the fixed
   zone ``"Etc/GMT-2"`` (the sign is inverted in these names by POSIX convention), with
   daylight saving unknown. Timestamps in UTC (``Z``, ``+00:00``) say how the clock was
   set, not where the sensor is, and several offsets (a daylight-saving change) do not
   name a zone by themselves;
6. otherwise it stays unknown, and the ledger says why.

The ledger records, per file, each sensor's zone and how it was found
(:attr:`toolkit.ledger.FileRecord.sensor_zones`).
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .ledger import FileRecord
    from .sensordata import SensorData

__all__ = [
    "GIVEN_IN_FILE",
    "TIMEZONE_DEPRECATED",
    "file_clock",
    "fill_sensor_zones",
    "is_zone",
    "local_offsets",
    "offset_zone",
    "set_sensor_zone",
    "settle_zones",
    "zones_at",
]

#: How a zone the file itself gave is recorded in the ledger.
GIVEN_IN_FILE = "given in the file"
#: The warning given for the old name of ``file_timezone=``.
TIMEZONE_DEPRECATED = (
    "timezone= on load means the zone of the file's clock; use file_timezone= for that, "
    "or sensor_timezone= to say where the sensors are. (For the readers, timezone= is "
    "the same as file_timezone=; to say where the sensors are, use "
    "toolkit.load(..., sensor_timezone=...) or data.with_timezone(...).) The name "
    "timezone= will stop working in the next release."
)
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu", "Zulu"}


def file_clock(
    file_timezone: str | None, timezone: str | None, *, where: str, stacklevel: int = 3
) -> str | None:
    """Return the zone of the file's clock from ``file_timezone=`` or its old name.

    Parameters
    ----------
    file_timezone
        The option's new name.
    timezone
        Its old name, kept for one release: it warns with :data:`TIMEZONE_DEPRECATED`.
    where
        The function called (``"load"``, ``"read_sensor_community"``), for the message
        when both are given.
    stacklevel
        Passed to :func:`warnings.warn`, so the warning points at the user's call.

    Returns
    -------
    str or None
        The zone given, or ``None``.

    Raises
    ------
    TypeError
        When both names are given with different zones.
    """
    if timezone is None:
        return file_timezone
    warnings.warn(TIMEZONE_DEPRECATED, DeprecationWarning, stacklevel=stacklevel)
    if file_timezone is not None and file_timezone != timezone:
        msg = (
            f"{where}() got file_timezone={file_timezone!r} and timezone={timezone!r}: "
            "timezone= is the old name of file_timezone= (the zone of the file's clock). "
            "Give only file_timezone=; say where the sensors are with sensor_timezone=."
        )
        raise TypeError(msg)
    return timezone


@functools.lru_cache(maxsize=512)
def is_zone(name: object) -> bool:
    """Tell whether ``name`` is an IANA time zone name this machine knows."""
    import zoneinfo

    if not isinstance(name, str) or not name.strip():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


@functools.lru_cache(maxsize=1)
def _finder() -> tuple[object, str]:
    """Return the offline look-up (built once: about 0.2 s and 30 MB) and its version."""
    import atexit
    from importlib.metadata import version

    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    # Release its mapped files while the interpreter is whole (at shutdown they would be
    # left to garbage collection, which warns about unclosed files).
    atexit.register(finder.cleanup)
    return finder, version("timezonefinder")


#: How far around a position at sea land is looked for [degrees of latitude]: rings at
#: these distances, in 16 directions. 0.25° is about 28 km.
_LAND_RINGS = (0.01, 0.02, 0.05, 0.1, 0.25)


def _near_land(finder: object, lat: float, lon: float) -> tuple[str, float] | None:
    """Return the zone of the nearest land ring around a position at sea, and its distance.

    Coarsened or rounded positions of coastal sensors (and an island's harbour) can
    fall in the sea, where timezonefinder gives only a nautical zone. The nearest ring
    with land decides, if all its land points agree on one zone.
    """
    import math

    for ring in _LAND_RINGS:
        found = set()
        for k in range(16):
            angle = 2 * math.pi * k / 16
            la = max(min(lat + ring * math.sin(angle), 90.0), -90.0)
            scale = max(math.cos(math.radians(lat)), 0.01)
            lo = (lon + ring * math.cos(angle) / scale + 180.0) % 360.0 - 180.0
            zone = finder.timezone_at_land(lat=la, lng=lo)  # type: ignore[attr-defined]
            if zone:
                found.add(zone)
        if len(found) == 1:
            return found.pop(), ring * 111.2
        if found:
            return None  # a coast between zones: not guessed
    return None


def zones_at(latitude: pd.Series, longitude: pd.Series) -> list[tuple[str | None, str]]:
    """Look up the IANA zone at each position, offline, with how it was found.

    Parameters
    ----------
    latitude, longitude
        Decimal degrees (WGS 84), aligned; NaN where unknown.

    Returns
    -------
    list of (zone, how)
        Per position: the zone name, and ``"from its coordinates (timezonefinder x.y)"``
        for the ledger. ``zone`` is ``None`` where a coordinate is missing, where the
        position is exactly 0°, 0° (which usually stands for a missing position), and at
        sea more than about 28 km from land (``how`` then says so); a position closer to
        land takes the zone of the nearest land.
    """
    import math

    pairs = [(float(la), float(lo)) for la, lo in zip(latitude, longitude, strict=True)]
    wanted = {p for p in pairs if not (math.isnan(p[0]) or math.isnan(p[1])) and p != (0.0, 0.0)}
    if not wanted:
        return [(None, "") for _ in pairs]
    finder, found_version = _finder()
    how = f"from its coordinates (timezonefinder {found_version})"
    found: dict[tuple[float, float], tuple[str | None, str]] = {}
    for lat, lon in wanted:
        zone = finder.timezone_at(lat=lat, lng=lon)  # type: ignore[attr-defined]
        if zone and not zone.startswith("Etc/") and is_zone(zone):
            found[lat, lon] = (zone, how)
            continue
        land = _near_land(finder, lat, lon)
        if land is not None and is_zone(land[0]):
            km = max(round(land[1]), 1)
            near = f"the position is at sea; the nearest land, about {km} km away, is in"
            found[lat, lon] = (land[0], f"{how}: {near} {land[0]}")
        else:
            why = (
                "unknown: its coordinates are at sea, away from land or off a coast between "
                f"zones (timezonefinder {found_version} gives only a nautical zone there)"
            )
            found[lat, lon] = (None, why)
    return [found.get(p, (None, "")) for p in pairs]


def offset_zone(offsets: list[str]) -> tuple[str | None, str]:
    """Find a fixed-offset zone from the UTC offsets a file's timestamps carried.

    Parameters
    ----------
    offsets
        The distinct offsets seen, such as ``["+02:00"]`` (``Z`` as ``"+00:00"``).

    Returns
    -------
    zone : str or None
        ``"Etc/GMT-2"`` for ``+02:00`` throughout (POSIX names invert the sign), or
        ``None`` when the offsets do not give a zone.
    how : str
        For the ledger: how the zone was found, or (``zone`` ``None``) what the
        offsets were, to follow "unknown: ...".
    """
    distinct = sorted(set(offsets))
    if not distinct:
        return None, "its times carry no UTC offset"
    if len(distinct) > 1:
        return None, (
            f"its times carry {len(distinct)} UTC offsets ({', '.join(distinct[:4])}), as "
            "where clocks change for daylight saving: offsets alone do not name the zone"
        )
    match = _OFFSET.match(distinct[0])
    if match is None:
        return None, f"the UTC offset {distinct[0]!r} of its times could not be read"
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours == 0 and minutes == 0:
        return None, (
            "its times are written in UTC (+00:00), which says how the clock was set, not "
            "where the sensor is"
        )
    if minutes or hours > (14 if sign == "+" else 12):
        return None, (
            f"its times carry {distinct[0]}, an offset that no fixed-offset zone name "
            "(Etc/GMT...) covers"
        )
    zone = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    return zone, (
        f"from the UTC offsets in the file ({distinct[0]} throughout; fixed offset, "
        "daylight saving unknown)"
    )


def local_offsets(values: pd.Series) -> list[str]:
    """Return the distinct UTC offsets of ISO 8601 local times (``...T06:00:00-06:00``).

    For files that write each instant twice, in UTC and in local time (OpenAQ): the
    local offsets say where the sensor is, where the UTC times cannot.
    """
    import pandas as pd

    text = pd.Series(values, dtype="string").str.strip()
    found = text.str.extract(r"(?:T|\s)\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([+-]\d{2}:?\d{2}|[zZ])$")[0]
    found = found.dropna().str.upper().replace({"Z": "+00:00"})
    return sorted({o if ":" in o else f"{o[:3]}:{o[3:]}" for o in found})


def _clock_zone(record: FileRecord) -> str | None:
    """Return the zone of the file's clock if the user gave it and it is a place's."""
    from ._time import GIVEN_BY_USER

    zone = record.timezone
    if not record.timezone_reason.startswith(GIVEN_BY_USER) or not is_zone(zone):
        return None
    if zone in _UTC_NAMES or zone.startswith("Etc/"):
        return None
    return zone


def fill_sensor_zones(sensors: pd.DataFrame, record: FileRecord) -> pd.DataFrame:
    """Fill in each sensor's zone where the file does not give it, and say how in the ledger.

    Parameters
    ----------
    sensors
        One file's sensors table (standard columns, coordinates already checked).
    record
        That file's ledger record: its clock zone and offsets are read, and
        ``record.sensor_zones`` gets each sensor's zone and how it was found.

    Returns
    -------
    pandas.DataFrame
        A new sensors table; a zone the file gave is kept as it is.
    """
    out = sensors.copy()
    ids = out["sensor_id"].astype(str).tolist()
    given = out["timezone"].tolist()
    zones: list[str | None] = [z if is_zone(z) else None for z in given]
    how = [GIVEN_IN_FILE if z else "" for z in zones]
    for i, (old, zone) in enumerate(zip(given, zones, strict=True)):
        if zone is None and isinstance(old, str) and old.strip():
            record.note(f"{ids[i]}: the file's time zone {old!r} is not an IANA zone name.")
    todo = [i for i, z in enumerate(zones) if z is None]
    sea: dict[int, str] = {}
    if todo:
        found = zones_at(out["latitude"].iloc[todo], out["longitude"].iloc[todo])
        for i, (zone, found_how) in zip(todo, found, strict=True):
            if zone:
                zones[i], how[i] = zone, found_how
            elif found_how:
                sea[i] = found_how
    todo = [i for i, z in enumerate(zones) if z is None]
    clock = _clock_zone(record) if todo else None
    if clock:
        for i in todo:
            zones[i] = clock
            where = "its coordinates are at sea" if i in sea else "the file gives no coordinates"
            how[i] = (
                f"the zone of the file's clock, given by the user (file_timezone={clock!r}); "
                f"{where}"
            )
    todo = [i for i, z in enumerate(zones) if z is None]
    if todo:
        zone, offset_how = offset_zone(record.offsets)
        for i in todo:
            zones[i] = zone
            if zone is not None:
                how[i] = offset_how
            elif i in sea:
                how[i] = f"{sea[i]}, and {offset_how}"
            elif out["latitude"].iloc[i] == 0 and out["longitude"].iloc[i] == 0:
                how[i] = (
                    "unknown: its coordinates are 0°, 0° (usually a missing position), "
                    f"and {offset_how}"
                )
            else:
                how[i] = f"unknown: the file gives no coordinates, and {offset_how}"
    out["timezone"] = _objects(zones)
    record.sensor_zones = {
        **record.sensor_zones,
        **{sid: (z or "", h) for sid, z, h in zip(ids, zones, how, strict=True)},
    }
    return out


def _objects(values: list[str | None]) -> object:
    """Return a list as an ``object`` array (``None`` for unknown), whatever pandas infers."""
    import pandas as pd

    return pd.Series(values, dtype=object).to_numpy()


def set_sensor_zone(data: SensorData, zone: str) -> SensorData:
    """Give every sensor of ``data`` the zone the user named (``sensor_timezone=``).

    Parameters
    ----------
    data
        Straight after reading; its ledger records get each sensor's zone, "given by
        the user" (with a note where the file gave another).
    zone
        IANA zone name.

    Returns
    -------
    SensorData
        A new one with ``sensors["timezone"]`` set.
    """
    from ._time import check_timezone
    from .ledger import Ledger
    from .sensordata import SensorData

    check_timezone(zone, also="None (the zone from the file or the coordinates)")
    how = f"given by the user (sensor_timezone={zone!r})"
    sensors = data.sensors.copy()
    sensors["timezone"] = _objects([zone] * len(sensors))
    records = []
    for old in data.ledger:
        record = old.copy()
        for sid in record.sensors:
            before, before_how = record.sensor_zones.get(sid, ("", ""))
            if before and before != zone and before_how == GIVEN_IN_FILE:
                record.note(f"{sid}: the file gives the time zone {before}; {zone} was used.")
            record.sensor_zones[sid] = (zone, how)
        records.append(record)
    return SensorData(data.readings, sensors, Ledger(records), data.history)


def settle_zones(data: SensorData) -> SensorData:
    """After combining files: a sensor unknown in one file may be known from another.

    Records that left a sensor's zone unknown get the zone the combined sensors table
    has (for example from a PurpleAir sensor-metadata file read in the same call).
    """
    from .ledger import Ledger
    from .sensordata import SensorData

    table = dict(zip(data.sensors["sensor_id"].astype(str), data.sensors["timezone"], strict=True))
    changed = False
    records = []
    for record in data.ledger:
        unknown = [
            s for s, (z, _) in record.sensor_zones.items() if not z and is_zone(table.get(s))
        ]
        if unknown:
            record = record.copy()
            for sid in unknown:
                record.sensor_zones[sid] = (str(table[sid]), "from another file read with it")
            changed = True
        records.append(record)
    if not changed:
        return data
    return SensorData(data.readings, data.sensors, Ledger(records), data.history)
