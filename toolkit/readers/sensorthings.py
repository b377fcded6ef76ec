"""OGC SensorThings API (v1.0/v1.1): saved Observations, Datastreams and dataArray responses.

A SensorThings server describes a *Thing* (a station or device) with *Datastreams*, one
per measured *ObservedProperty*, each holding *Observations*. Many cities and research
projects publish air-quality data this way (for example with the FROST server).

Formats
-------
``observations``
    ``.../Observations?$expand=Datastream($expand=ObservedProperty)``:
    ``{"value": [{"@iot.id", "phenomenonTime", "resultTime", "result", "Datastream":
    {"@iot.id", "name", "unitOfMeasurement": {"name", "symbol", "definition"},
    "ObservedProperty": {"name", ...}, "Thing": {...}}}], "@iot.nextLink": ...}``. A single
    Observation object is read too.
``datastreams``
    A Datastream with its Observations expanded
    (``.../Datastreams(1)?$expand=Observations,ObservedProperty``), a list of such
    Datastreams (``{"value": [...]}``), or a Thing with ``Datastreams`` expanded.
``data_array``
    ``...?$resultFormat=dataArray``: ``{"value": [{"Datastream@iot.navigationLink":
    ".../Datastreams(1)", "components": ["id", "phenomenonTime", "result", ...],
    "dataArray": [[...], ...]}]}``. Only the Datastream's id is given, so
    ``variable_map`` must say what each Datastream measures.

What is measured, in which unit
-------------------------------
Units live only on the Datastream (``unitOfMeasurement``): Observations saved without
``$expand=Datastream`` do not say what they are, and the reader stops and asks (a
:class:`~toolkit._errors.UnitError`) unless ``variable_map`` tells it. The unit is read
from ``symbol``, else ``name``, else the end of ``definition``. What is measured comes
from ``variable_map`` if given, matched against the ObservedProperty name, the
Datastream name or the Datastream id, otherwise from :data:`VARIABLE_MAP`, a dictionary
of common ObservedProperty (or Datastream) names compared in lower case with ``_``/``-``
read as spaces (``PM2.5``, ``PM10``, ``NO2``, ``Ozone``, ``Air temperature``,
``Relative humidity``...). Observations of other properties are dropped with a reason
that names them. Gas mole fractions are converted to µg/m³ at
``gas_reference_temperature_c`` (25 °C by default).

``@iot.id`` may be a number or a string depending on the server. ``result`` may be a
number, a numeric string or an object; objects, lists and booleans are dropped with a
reason. Sensor ids are ``sensorthings:thing-<Thing id>`` when the Thing is in the file,
else ``sensorthings:datastream-<Datastream id>``; ids are unique only within one server.

Time
----
``phenomenonTime`` is an ISO 8601 instant (stored as is, converted to UTC with its own
offset) or an interval ``start/end``, of which the *start* is stored (noted in the
ledger). Times without an offset need ``file_timezone=``. ``resultTime`` (when the result was
produced) is not read.

Paging
------
Servers return at most a page of entities (often 100) and an ``@iot.nextLink`` to the next
page. A file with a next link is one page of more: the ledger says so, with the link.

References
----------
.. [1] OGC SensorThings API Part 1: Sensing, version 1.1 (OGC 18-088), sections 8
   (entities), 9.3 (``$expand``, ``$top``, ``@iot.nextLink``) and 14.4 (dataArray).
.. [2] Fraunhofer IOSB FROST-Server documentation (dataArray responses, string ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import units as _units
from .. import variables as _variables
from .._errors import DataFormatError, EmptyFileError, UnitError
from .._time import parse_times
from ._common import new_record, parse_json, read_each, sensor_data
from ._io import check_text, decode
from ._tidy import long_readings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = ["MISSING_VALUES", "SOURCE", "VARIABLE_MAP", "detect", "read_sensorthings"]

SOURCE = "OGC SensorThings API"
_PREFIX = "sensorthings"

#: Common ObservedProperty / Datastream names (lower case, ``_`` and ``-`` as spaces) ->
#: (canonical variable, the usual unit). The Datastream's ``unitOfMeasurement`` is the
#: unit actually used.
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ("pm1", "pm 1", "pm1.0", "pm 1.0", "particulate matter 1", "particulate matter pm1"),
        ("pm1", "µg/m³"),
    ),
    **dict.fromkeys(
        (
            "pm2.5",
            "pm 2.5",
            "pm25",
            "pm2,5",
            "particulate matter 2.5",
            "particulate matter pm2.5",
            "fine particulate matter",
        ),
        ("pm25", "µg/m³"),
    ),
    **dict.fromkeys(("pm4", "pm 4", "pm4.0"), ("pm4", "µg/m³")),
    **dict.fromkeys(
        ("pm10", "pm 10", "particulate matter 10", "particulate matter pm10"), ("pm10", "µg/m³")
    ),
    **dict.fromkeys(("no2", "nitrogen dioxide"), ("no2", "µg/m³")),
    **dict.fromkeys(("no", "nitrogen monoxide", "nitric oxide"), ("no", "µg/m³")),
    **dict.fromkeys(("nox", "nitrogen oxides", "nox as no2"), ("nox", "µg/m³")),
    **dict.fromkeys(("o3", "ozone"), ("o3", "µg/m³")),
    **dict.fromkeys(("so2", "sulphur dioxide", "sulfur dioxide"), ("so2", "µg/m³")),
    **dict.fromkeys(("co", "carbon monoxide"), ("co", "mg/m³")),
    **dict.fromkeys(("co2", "carbon dioxide"), ("co2", "ppm")),
    **dict.fromkeys(("nh3", "ammonia"), ("nh3", "µg/m³")),
    **dict.fromkeys(("bc", "black carbon"), ("bc", "µg/m³")),
    **dict.fromkeys(
        ("temperature", "air temperature", "ambient temperature"), ("temperature", "°C")
    ),
    **dict.fromkeys(("relative humidity", "humidity", "air humidity", "rh"), ("humidity", "%")),
    **dict.fromkeys(
        ("pressure", "air pressure", "atmospheric pressure", "barometric pressure"),
        ("pressure", "hPa"),
    ),
    **dict.fromkeys(("wind speed", "windspeed"), ("wind_speed", "m/s")),
    **dict.fromkeys(("wind direction", "winddirection"), ("wind_direction", "°")),
    **dict.fromkeys(("laeq", "noise", "sound level", "sound pressure level"), ("laeq", "dB(A)")),
    **dict.fromkeys(("illuminance", "light"), ("light", "lux")),
}
#: Text meaning "no value" in a ``result``.
MISSING_VALUES = ("", "null", "none", "nan", "na", "n/a")

_DATASTREAM_LINK = re.compile(r"Datastreams\(\s*'?([^')]*)'?\s*\)")
_NOT_READ = {
    "resultTime": "when the result was produced, not when it was measured",
    "resultQuality": "the server's quality information (free form)",
    "parameters": "free-form key-value pairs of the observation",
    "validTime": "the period the result is valid for",
    "FeatureOfInterest": "the observed feature (position is taken from the Thing)",
}


@dataclass
class _Stream:
    """What the file says about one Datastream."""

    key: str | None
    name: str | None = None
    prop: str | None = None
    unit: dict[str, Any] | None = None
    thing_id: str | None = None
    thing_name: str | None = None
    sensor: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def described(self) -> bool:
        return self.unit is not None or self.prop is not None or self.name is not None

    @property
    def sensor_id(self) -> str:
        if self.thing_id is not None:
            return f"{_PREFIX}:thing-{self.thing_id}"
        if self.key is not None:
            return f"{_PREFIX}:datastream-{self.key}"
        return f"{_PREFIX}:unknown"

    @property
    def label(self) -> str:
        return self.prop or self.name or (f"Datastream {self.key}" if self.key else "?")


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is SensorThings."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return None
    if '"dataArray"' in text and '"components"' in text:
        return "data_array"
    if '"phenomenonTime"' not in text:
        return None
    if '"unitOfMeasurement"' in text and '"Observations"' in text:
        return "datastreams"
    return "observations"


def read_sensorthings(
    path_or_buffer: PathOrBuffer,
    *,
    variable_map: Mapping[str, tuple[str, str | None] | str] | None = None,
    file_timezone: str | None = None,
    timezone: str | None = None,
    gas_reference_temperature_c: float = _units.DEFAULT_GAS_REFERENCE_TEMPERATURE_C,
) -> SensorData:
    """Read saved OGC SensorThings API responses (Observations, Datastreams, dataArray).

    Parameters
    ----------
    path_or_buffer
        A file path or open file holding a JSON response (or a ``.zip`` of several).
    variable_map
        What Datastreams measure, overriding the built-in names: keys are ObservedProperty
        names, Datastream names or Datastream ids; values are ``(variable, unit)`` (unit
        ``None`` to use the Datastream's) or just the variable. For example
        ``{"PM2.5": ("pm25", "µg/m³")}``. A single entry also applies to Observations saved
        without their Datastream.
    file_timezone
        IANA zone of the clock, for ``phenomenonTime`` values without an offset (the
        standard requires one, so this is rarely needed).
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.
    gas_reference_temperature_c
        Temperature [°C] for converting ppm/ppb to µg/m³ (25 °C by default).

    Returns
    -------
    SensorData
        Readings in canonical variables and units, one sensor per Thing (or per
        Datastream when the Thing is not in the file), a ledger record per file.

    Raises
    ------
    UnitError
        If the Observations do not say what they measure (no Datastream in the file)
        and ``variable_map`` does not either.
    DataFormatError
        If the file is not a SensorThings response or none of its Datastreams is known.
    EmptyFileError
        If it holds no Observations.

    Notes
    -----
    Interval ``phenomenonTime`` values (``start/end``) are stored at their start.

    Examples
    --------
    >>> import io, json
    >>> page = {"value": [{"@iot.id": 7, "phenomenonTime": "2024-05-01T10:00:00+02:00",
    ...     "result": 12.5, "Datastream": {"@iot.id": 3, "name": "PM2.5",
    ...     "unitOfMeasurement": {"name": "microgram per cubic meter", "symbol": "µg/m³",
    ...     "definition": "http://unitsofmeasure.org/ucum.html"}}}]}
    >>> data = read_sensorthings(io.BytesIO(json.dumps(page).encode()))
    >>> data.readings[["sensor_id", "time", "variable", "value"]].astype(str).values.tolist()
    [['sensorthings:datastream-3', '2024-05-01 08:00:00+00:00', 'pm25', '12.5']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_sensorthings")
    checked = _check_map(variable_map)
    return read_each(
        path_or_buffer,
        lambda raw: _read_one(
            raw, variable_map=checked, timezone=timezone, reference=gas_reference_temperature_c
        ),
        what="sensorthings",
    )


def _check_map(
    variable_map: Mapping[str, tuple[str, str | None] | str] | None,
) -> dict[str, tuple[str, str | None]]:
    """Validate ``variable_map`` up front, so a typo is reported before any file is read."""
    out: dict[str, tuple[str, str | None]] = {}
    for key, value in (variable_map or {}).items():
        variable, unit = (value, None) if isinstance(value, str) else tuple(value)
        _variables.get(variable)
        if unit is not None:
            _units.conversion(variable, unit)
        out[str(key)] = (variable, unit)
    return out


def _key(name: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(name)).strip().lower()


# -- reading --------------------------------------------------------------------------
def _read_one(
    raw: RawFile,
    *,
    variable_map: dict[str, tuple[str, str | None]],
    timezone: str | None,
    reference: float,
) -> SensorData:
    import pandas as pd

    head = check_text(raw)
    variant = detect(raw, head)
    if variant is None and '"@iot.' not in head:
        first = head.lstrip()[:200]
        raise DataFormatError(
            "This is not an OGC SensorThings API response (Observations, a Datastream "
            "with Observations, or a dataArray).",
            file=raw.name,
            found=f"beginning: {first!r}",
            fix="Save the server's answer to .../Observations?$expand=Datastream as JSON. "
            "For other files try toolkit.load(path).",
        )
    text, encoding = decode(raw)
    record = new_record(raw, "sensorthings/?", encoding=encoding)
    payload = parse_json(text, record=record, what="SensorThings")
    variant, streams, rows, links = _collect(payload, raw.name, record)
    record.format = f"sensorthings/{variant}"
    record.rows_read = len(rows)
    if not rows:
        raise EmptyFileError(
            "The SensorThings response holds no Observations.",
            file=raw.name,
            found=f"{len(streams)} Datastream(s), no Observations",
            fix="Expand them: .../Datastreams(1)?$expand=Observations, or request "
            ".../Observations?$expand=Datastream; check the time filter.",
        )
    for link in links:
        record.note(
            f"This file is one page of more: the server gave a next link "
            f"({link}). Observations after this page are not in the file; follow "
            "the link (or raise $top) to get them."
        )

    resolved = [_resolve(s, variable_map) for s in streams]
    for stream, how in zip(streams, resolved, strict=True):
        if how.from_word:
            record.note(
                f"Datastream {stream.key} ({stream.label!r}) was read as {how.variable} "
                "from a word in its name; give variable_map= if that is wrong."
            )
    _stop_if_undescribed(raw, streams, resolved, rows, variable_map)
    frame = pd.DataFrame(rows, dtype=object)
    text_times = frame["time"].map(lambda t: t.split("/", 1)[0] if isinstance(t, str) else t)
    intervals = int(frame["time"].map(lambda t: isinstance(t, str) and "/" in t).sum())
    times = parse_times(
        text_times,
        timezone=timezone,
        documented_timezone=None,
        file=raw.name,
        column="phenomenonTime",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    if intervals:
        record.note(
            f"{intervals} phenomenonTime value(s) are intervals 'start/end'; the "
            "start of each was stored."
        )
        record.time_label = (
            "start of the phenomenonTime interval (intervals 'start/end'); "
            "the instant itself where phenomenonTime is an instant"
        )
    else:
        record.time_label = "the instant of the observation (phenomenonTime)"
    stream_of = frame["stream"].astype(int)
    table = pd.DataFrame(
        {
            "sensor_id": [streams[i].sensor_id for i in stream_of],
            "field": [streams[i].label for i in stream_of],
            "variable": [resolved[i].variable for i in stream_of],
            "unit": [resolved[i].unit for i in stream_of],
            "row_reason": [resolved[i].reason for i in stream_of],
            "value": frame["value"],
            "value_reason": frame["value_reason"],
            "label": frame["label"],
        }
    )
    readings = long_readings(
        table,
        times=times,
        record=record,
        missing_text=MISSING_VALUES,
        reference_temperature_c=reference,
    )
    for field in frame.columns:
        if field in _NOT_READ:
            record.ignore_column(field, _NOT_READ[field])
    dup = int(readings.duplicated(["sensor_id", "time", "variable"]).sum())
    if dup:
        record.note(
            f"{dup} reading(s) share a sensor, time and variable with another one "
            "(two Datastreams of one property?); all were kept."
        )
    return sensor_data(readings, _sensors(streams), record)


def _collect(
    payload: Any, name: str, record: FileRecord
) -> tuple[str, list[_Stream], list[dict[str, Any]], list[str]]:
    """Walk the JSON: the variant, its Datastreams, one row per Observation, next links."""
    streams: list[_Stream] = []
    rows: list[dict[str, Any]] = []
    links: list[str] = []
    index: dict[str, int] = {}

    def stream_for(ds: Any, thing: Any = None, key: str | None = None) -> int:
        made = _make_stream(ds, thing, key)
        ident = made.key if made.key is not None else "<none>"
        if ident in index:
            known = index[ident]
            if made.described and not streams[known].described:
                streams[known] = made
            return known
        index[ident] = len(streams)
        streams.append(made)
        return len(streams) - 1

    def add_observations(observations: Any, stream: int | None) -> None:
        for obs in observations if isinstance(observations, list) else []:
            obs = obs if isinstance(obs, dict) else {}
            own = stream
            if own is None:
                own = stream_for(obs.get("Datastream"))
            rows.append(
                _row(
                    obs.get("phenomenonTime"),
                    obs.get("result"),
                    f"observation {obs.get('@iot.id', len(rows))}",
                    own,
                    {k for k in obs if k in _NOT_READ},
                )
            )

    def add_datastream(ds: dict[str, Any], thing: Any = None) -> None:
        own = stream_for(ds, thing)
        if ds.get("Observations@iot.nextLink"):
            links.append(str(ds["Observations@iot.nextLink"]))
        add_observations(ds.get("Observations"), own)

    top = payload if isinstance(payload, dict) else {}
    if top.get("@iot.nextLink"):
        links.append(str(top["@iot.nextLink"]))
    items = (
        payload
        if isinstance(payload, list)
        else top.get("value")
        if isinstance(top.get("value"), list)
        else None
    )
    if items is not None:
        dicts = [i for i in items if isinstance(i, dict)]
        if any("dataArray" in i for i in dicts):
            for item in dicts:
                _add_data_array(item, name, rows, links, stream_for)
            return "data_array", streams, rows, links
        if any("Observations" in i or "unitOfMeasurement" in i for i in dicts):
            for item in dicts:
                add_datastream(item)
            return "datastreams", streams, rows, links
        add_observations(items, None)
        return "observations", streams, rows, links
    if isinstance(top.get("Datastreams"), list):
        for ds in top["Datastreams"]:
            if isinstance(ds, dict):
                add_datastream(ds, top)
        if top.get("Datastreams@iot.nextLink"):
            links.append(str(top["Datastreams@iot.nextLink"]))
        return "datastreams", streams, rows, links
    if "Observations" in top or "unitOfMeasurement" in top:
        add_datastream(top)
        return "datastreams", streams, rows, links
    if "phenomenonTime" in top:
        add_observations([top], None)
        return "observations", streams, rows, links
    raise DataFormatError(
        "The JSON is not a SensorThings response with Observations.",
        file=name,
        found=f"top-level keys: {list(top)[:10] if top else type(payload).__name__}",
        fix="Save .../Observations?$expand=Datastream, .../Datastreams(1)?$expand="
        "Observations, or a ?$resultFormat=dataArray answer.",
    )


def _add_data_array(
    item: dict[str, Any], name: str, rows: list[dict[str, Any]], links: list[str], stream_for: Any
) -> None:
    components = item.get("components") or []
    components = components if isinstance(components, list) else []  # a damaged file
    if "phenomenonTime" not in components or "result" not in components:
        raise DataFormatError(
            "A dataArray lacks the 'phenomenonTime' or 'result' component.",
            file=name,
            found=f"components: {components}",
            fix="Request $resultFormat=dataArray without $select, or with "
            "$select=id,phenomenonTime,result.",
        )
    link = str(item.get("Datastream@iot.navigationLink") or "")
    match = _DATASTREAM_LINK.search(link)
    key = match.group(1) if match else None
    stream = stream_for(item.get("Datastream"), None, key)
    at_time, at_result = components.index("phenomenonTime"), components.index("result")
    at_id = components.index("id") if "id" in components else None
    if item.get("dataArray@iot.nextLink"):
        links.append(str(item["dataArray@iot.nextLink"]))
    array = item.get("dataArray") or []
    for i, values in enumerate(array if isinstance(array, list) else []):
        values = values if isinstance(values, list) else []
        ident = _at(values, at_id)
        rows.append(
            _row(
                _at(values, at_time),
                _at(values, at_result),
                f"observation {ident if ident is not None else f'row {i}'}",
                stream,
                {c for c in components if c in _NOT_READ},
            )
        )


def _at(values: list[Any], position: int | None) -> Any:
    return values[position] if position is not None and position < len(values) else None


def _row(time: Any, result: Any, label: str, stream: int, extra: set[str]) -> dict[str, Any]:
    reason = None
    if isinstance(result, bool):
        reason = f"result is {str(result).lower()}, not a number"
    elif isinstance(result, dict):
        reason = "result is a JSON object, not a number"
    elif isinstance(result, list):
        reason = "result is a list (a MultiDatastream?), not a number"
    row = {"time": time, "value": result, "value_reason": reason, "label": label, "stream": stream}
    row.update(dict.fromkeys(extra, True))
    return row


def _make_stream(ds: Any, thing: Any, key: str | None) -> _Stream:
    ds = ds if isinstance(ds, dict) else {}
    thing = ds.get("Thing") if isinstance(ds.get("Thing"), dict) else thing
    thing = thing if isinstance(thing, dict) else {}
    prop = ds.get("ObservedProperty") if isinstance(ds.get("ObservedProperty"), dict) else {}
    sensor = ds.get("Sensor") if isinstance(ds.get("Sensor"), dict) else {}
    ident = ds.get("@iot.id", key)
    lat, lon = _position(thing, ds)
    unit = ds.get("unitOfMeasurement")
    return _Stream(
        key=None if ident is None else str(ident),
        name=ds.get("name"),
        prop=prop.get("name"),
        unit=unit if isinstance(unit, dict) else None,
        thing_id=None if thing.get("@iot.id") is None else str(thing["@iot.id"]),
        thing_name=thing.get("name"),
        sensor=sensor.get("name"),
        lat=lat,
        lon=lon,
    )


def _position(thing: dict[str, Any], ds: dict[str, Any]) -> tuple[float | None, float | None]:
    """Latitude and longitude of a GeoJSON point on the Thing's Location or the Datastream."""
    places = thing.get("Locations") if isinstance(thing.get("Locations"), list) else []
    for geometry in [p.get("location") for p in places if isinstance(p, dict)] + [
        ds.get("observedArea")
    ]:
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates") or []
            if isinstance(coords, list) and len(coords) >= 2:
                return coords[1], coords[0]  # GeoJSON order is longitude, latitude
    return None, None


def _unit_text(unit: dict[str, Any] | None) -> str | None:
    """Return a unit spelling the toolkit knows: the symbol, name or end of definition."""
    if not unit:
        return None
    options = [
        unit.get("symbol"),
        unit.get("name"),
        re.split(r"[#/]", str(unit.get("definition") or ""))[-1],
    ]
    options = [str(o) for o in options if o not in (None, "")]
    for option in options:
        try:
            _units.normalise(option)
        except UnitError:
            continue
        return option
    return options[0] if options else None


@dataclass(frozen=True)
class _Resolved:
    """What the Observations of one Datastream are: variable and unit, or why not."""

    variable: str | None = None
    unit: str | None = None
    reason: str | None = None
    from_word: bool = False


def _resolve(stream: _Stream, variable_map: dict[str, tuple[str, str | None]]) -> _Resolved:
    """Work out the variable and unit of one Datastream (``variable_map`` first)."""
    keys = [str(k) for k in (stream.prop, stream.name, stream.key) if k is not None]
    mapped = next((variable_map[k] for k in keys if k in variable_map), None)
    if mapped is None:
        by_key = {_key(k): v for k, v in variable_map.items()}
        mapped = next((by_key[_key(k)] for k in keys if _key(k) in by_key), None)
    if mapped is None and not stream.described and len(variable_map) == 1:
        mapped = next(iter(variable_map.values()))
    unit = _unit_text(stream.unit)
    if mapped is not None:
        variable, given = mapped
        if given is None and unit is None:
            return _Resolved(reason=f"no unit for {stream.label} (give it in variable_map)")
        return _Resolved(variable, given or unit)
    if not stream.described:
        return _Resolved(reason=f"{stream.label} is not described in the file (units unknown)")
    names = [_key(k) for k in (stream.prop, stream.name) if k is not None]
    builtin = next((VARIABLE_MAP[k] for k in names if k in VARIABLE_MAP), None)
    from_word = builtin is None
    if builtin is None:
        builtin = _word_match(stream)
    if builtin is None:
        return _Resolved(
            reason=f"observed property {stream.label!r} is not a variable the toolkit knows "
            "(say what it is with variable_map=)"
        )
    if unit is None:
        return _Resolved(reason=f"Datastream of {stream.label!r} has no unitOfMeasurement")
    return _Resolved(builtin[0], unit, from_word=from_word)


def _word_match(stream: _Stream) -> tuple[str, str] | None:
    """Find a known name as whole words in a longer one ("Air temperature at the hall").

    Only names that cannot be ordinary words are searched for (``no``, ``co``, ``rh``...
    are not), and a name holding two different variables gives no match.
    """
    found: dict[str, tuple[str, str]] = {}
    for text in (stream.prop, stream.name):
        if text is None:
            continue
        words = _key(text)
        for name, mapping in VARIABLE_MAP.items():
            if (len(name) >= 4 or any(c.isdigit() for c in name)) and re.search(
                rf"(?<![\w.]){re.escape(name)}(?![\w.])", words
            ):
                found[mapping[0]] = mapping
        if found:
            break
    return next(iter(found.values())) if len(found) == 1 else None


def _stop_if_undescribed(
    raw: RawFile,
    streams: list[_Stream],
    resolved: list[_Resolved],
    rows: list[dict[str, Any]],
    variable_map: dict[str, tuple[str, str | None]],
) -> None:
    """Raise when no Observation can be placed, rather than drop them all quietly."""
    used = {row["stream"] for row in rows}
    if any(resolved[i].variable is not None for i in used):
        return
    undescribed = [streams[i] for i in used if not streams[i].described]
    if undescribed:
        ids = sorted({s.key for s in undescribed if s.key is not None})
        raise UnitError(
            "The Observations do not say what they measure or in which unit: SensorThings "
            "keeps units on the Datastream, and no Datastream is in this file.",
            file=raw.name,
            found=(
                f"{len(rows)} Observation(s) of Datastream(s) {', '.join(ids)} (only the id)"
                if ids
                else f"{len(rows)} Observation(s) without a 'Datastream' object"
            )
            + (f"; variable_map keys {list(variable_map)} match none" if variable_map else ""),
            fix="Request them with $expand=Datastream($expand=ObservedProperty), or say "
            "what they are: read_sensorthings(path, variable_map={'<observed property, "
            "datastream name or id>': ('pm25', 'µg/m³')}).",
        )
    names = sorted({s.label for s in (streams[i] for i in used)})
    raise DataFormatError(
        "None of the Datastreams in the file measures a variable the toolkit knows.",
        file=raw.name,
        found=f"observed properties: {', '.join(names)[:300]}",
        fix="Say what they are: read_sensorthings(path, variable_map={'<name>': ('pm25', "
        "'µg/m³')}); see toolkit.variables.table() for the variables.",
    )


def _sensors(streams: list[_Stream]) -> list[dict[str, Any]]:
    sensors: dict[str, dict[str, Any]] = {}
    for stream in streams:
        row = sensors.setdefault(
            stream.sensor_id,
            {
                "sensor_id": stream.sensor_id,
                "name": stream.thing_name or stream.name,
                "source": SOURCE,
                "latitude": stream.lat,
                "longitude": stream.lon,
                "model": stream.sensor,
                "location_type": None,
                "timezone": None,
                "datastreams": [],
            },
        )
        row["datastreams"].append(f"{stream.key}: {stream.label}")
        for field, value in (
            ("latitude", stream.lat),
            ("longitude", stream.lon),
            ("model", stream.sensor),
        ):
            if row[field] is None:
                row[field] = value
    for row in sensors.values():
        row["datastreams"] = "; ".join(dict.fromkeys(row["datastreams"]))
    return list(sensors.values())
