"""Privacy before sharing: pseudonymous sensor ids and coarse locations.

Community sensors often sit at private homes: a PurpleAir or Sensor.Community sensor is
usually hung on a volunteer's balcony, garden fence or window, and its exact position,
its platform id (which can be looked up on the platform's public map) or a name such as
"Ana's back garden" point to a household. Before data leaves the group that owns it,
:func:`share` makes a copy in which

* **sensor ids are pseudonyms**: ``sensor-01``, ``sensor-02``... numbered in the sorted
  order of the original ids (zero-padded to the width of the count, at least two
  digits), or, when a secret ``key`` is given, ``sensor-`` followed by the first 8
  hexadecimal digits of the keyed hash HMAC-SHA-256(key, original id) [1]_, [2]_. Keyed
  pseudonyms are the same in every dataset shared with the same key, so a group can
  link its own reports while others cannot reverse them without the key (keep the key
  in an environment variable, never in a notebook). Should two ids share their first
  8 digits (about 1 chance in 10 million for 30 sensors), those two get 16 digits;
* **names are replaced by the pseudonym**;
* **positions are snapped to the centre of a grid cell** of about ``precision_m``
  metres (:func:`coarsen`);
* **every other sensor column that might identify is dropped** (only ``source``,
  ``model``, ``location_type`` and ``timezone`` are kept, besides the pseudonymised id
  and name and the coarsened position; a column ``location_precision_m`` says how
  coarse the positions are); the history step names the dropped columns;
* **the ledger forgets where the files were**: paths become ``file-01.csv``,
  ``file-02.json``... (the data-format ending is kept), the SHA-256 of each file is
  removed (the hash of a file that is also public identifies it), and the original
  ids, names, file paths, exact coordinates and values of dropped columns are replaced
  wherever they occur in notes, examples, errors and other free text;
* **the history speaks of pseudonyms**: parameters and descriptions that named a
  sensor (``select(sensors=[...])``, per-sensor settings) are rewritten, and a ``share``
  step records the grid size and whether the pseudonyms are keyed (never the key, never
  the mapping).

The mapping from original ids to pseudonyms is not in the result; :func:`pseudonyms`
gives it to the data's owner, to keep privately.

Coarsening is not anonymisation
-------------------------------
A sensor alone in its grid cell is still located to that cell (a few hundred metres),
and in a sparse area a cell may hold a handful of homes. Readings themselves can also
identify (a wood stove at 7 pm every evening). Choose ``precision_m`` by who could be
found: 500 m (default) hides a house in a town; 1000-2000 m for villages. Pseudonyms
are not anonymity either: a platform's public map shows the same readings under the
real id. Share with the hosts' consent.

References
----------
.. [1] Krawczyk, Bellare & Canetti (1997) HMAC: Keyed-Hashing for Message
   Authentication, RFC 2104.
.. [2] NIST (2015) Secure Hash Standard (SHS), FIPS PUB 180-4 (SHA-256).
.. [3] Zandbergen (2014) Ensuring confidentiality of geocoded health data: assessing
   geographic masking strategies for individual-level data, Advances in Medicine
   2014:567049 (aggregation to grid cells as a masking method, and its limits).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from ._errors import CoordinateError, ToolkitError
from .history import History, Step
from .ledger import FileRecord, Ledger

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from .sensordata import SensorData

__all__ = [
    "KEPT_SENSOR_COLUMNS",
    "METRES_PER_DEGREE",
    "PrivacyError",
    "coarsen",
    "pseudonyms",
    "share",
]

#: Metres per degree of latitude used for the grid (the equatorial length of one degree,
#: 6 378 137 m × π / 180 = 111 319.5 m, rounded; a degree of latitude is 110.6-111.7 km).
METRES_PER_DEGREE = 111_320.0
#: Sensor columns :func:`share` keeps; every other column is dropped.
KEPT_SENSOR_COLUMNS = (
    "sensor_id",
    "name",
    "source",
    "latitude",
    "longitude",
    "model",
    "location_type",
    "timezone",
    "location_precision_m",
)
_LOCATION = "[location removed]"
_REMOVED = "[removed]"
_HEX_DIGITS = 8
#: Shortest text that is searched for and replaced in free text (shorter ids, such as
#: "7", would match ordinary numbers).
_MIN_TERM = 3
#: Endings of data files kept in shared ledger paths.
_SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".dat", ".json", ".geojson", ".gz", ".zip", ".xlsx", ".xls"}
)
_CITATION = (
    "Grid aggregation as geographic masking (Zandbergen 2014, Advances in Medicine "
    "2014:567049); keyed pseudonyms: HMAC (RFC 2104) with SHA-256 (FIPS 180-4)"
)


class PrivacyError(ToolkitError, ValueError):
    """A privacy option that cannot be used (grid size, key or prefix)."""


# --------------------------------------------------------------------------- checks


def _check_precision(precision_m: Any) -> float:
    if (
        isinstance(precision_m, bool)
        or not isinstance(precision_m, int | float)
        or not math.isfinite(precision_m)
        or precision_m <= 0
    ):
        raise PrivacyError(
            "The grid size precision_m must be a positive number of metres.",
            found=f"precision_m={precision_m!r}",
            fix="Give the size of the grid cells in metres, for example precision_m=500 "
            "(a town) or precision_m=2000 (villages).",
        )
    return float(precision_m)


def _check_key(key: Any) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key:
        raise PrivacyError(
            "The pseudonym key must be a non-empty secret text.",
            found="an empty text" if key == "" else f"a {type(key).__name__}",
            fix="Keep a long random secret in an environment variable and pass it, for "
            "example key=os.environ['SENSOR_KEY']; or leave key=None for numbered "
            "pseudonyms.",
        )
    return key


def _check_prefix(prefix: Any) -> str:
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", prefix):
        raise PrivacyError(
            "The pseudonym prefix must be a short word of letters, digits, '-', '_' or '.'.",
            found=f"prefix={prefix!r}",
            fix="Use for example prefix='sensor' (the default) or prefix='site'.",
        )
    return prefix


# --------------------------------------------------------------------------- coarsen


def coarsen(
    latitude: Any,
    longitude: Any,
    *,
    precision_m: float = 500.0,
) -> tuple[Any, Any]:
    """Snap positions to the centre of their cell in a grid of about ``precision_m`` metres.

    Method: latitude is cut into bands ``precision_m / 111 320`` degrees high, counted
    from the equator; a point in band ``i = floor(latitude / Δφ)`` goes to the band's
    centre ``(i + 0.5) × Δφ``. Each band is cut into cells ``precision_m / (111 320 ×
    cos(centre latitude))`` degrees wide, counted from the Greenwich meridian, so that
    cells are about ``precision_m`` metres wide at every latitude; the point goes to its
    cell's centre. Points in the same cell get the same output, and the output is the
    input only for a point already on a centre (so coarsening twice with the same grid
    changes nothing). Near the poles, where one cell would be wider than the globe, a
    band is one cell (centre longitude 0); centres are kept within ±90° and ±180°.

    Parameters
    ----------
    latitude, longitude
        Degrees (WGS 84), numbers or array-likes of the same shape; NaN stays NaN.
    precision_m
        Cell size in metres (default 500).

    Returns
    -------
    tuple
        ``(latitude, longitude)`` of the cell centres: floats for number inputs, NumPy
        arrays otherwise.

    Raises
    ------
    PrivacyError
        If ``precision_m`` is not a positive, finite number.
    CoordinateError
        If a latitude is outside ±90° or a longitude outside ±180°.

    Notes
    -----
    Coarsening is not anonymisation: a sensor alone in its cell is still located to the
    cell (see the module's documentation).

    Examples
    --------
    The cell north-east of (0°, 0°) in a 1 km grid is 1000 / 111 320 = 0.008983° high,
    so its centre is 0.004492° north:

    >>> lat, lon = coarsen(0.001, 0.001, precision_m=1000)
    >>> round(lat, 6), round(lon, 6)
    (0.004492, 0.004492)
    """
    import numpy as np

    size = _check_precision(precision_m)
    lat = np.asarray(latitude, dtype="float64")
    lon = np.asarray(longitude, dtype="float64")
    if lat.shape != lon.shape:
        raise CoordinateError(
            "latitude and longitude have different shapes.",
            found=f"{lat.shape} and {lon.shape}",
            fix="Give one longitude per latitude.",
        )
    with np.errstate(invalid="ignore"):
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        shown = ", ".join(
            f"({a}, {b})" for a, b in zip(lat[bad].ravel()[:3], lon[bad].ravel()[:3], strict=True)
        )
        raise CoordinateError(
            "Impossible coordinates: latitude must be within ±90° and longitude within ±180°.",
            found=shown,
            fix="Check whether latitude and longitude were swapped.",
        )
    step_lat = size / METRES_PER_DEGREE
    centre_lat = np.clip((np.floor(lat / step_lat) + 0.5) * step_lat, -90.0, 90.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        step_lon = size / (METRES_PER_DEGREE * np.cos(np.radians(centre_lat)))
        whole_band = ~(step_lon < 360.0) & ~np.isnan(lat)
        centre_lon = np.clip((np.floor(lon / step_lon) + 0.5) * step_lon, -180.0, 180.0)
    centre_lon = np.where(whole_band & ~np.isnan(lon), 0.0, centre_lon)
    if lat.ndim == 0:
        return float(centre_lat), float(centre_lon)
    return centre_lat, centre_lon


# --------------------------------------------------------------------------- pseudonyms


def _original_ids(data: SensorData) -> list[str]:
    ids = {str(s) for s in data.sensors["sensor_id"].dropna()}
    column = data.readings["sensor_id"]
    if hasattr(column, "cat"):
        ids |= {str(c) for c in column.cat.categories}
    else:
        ids |= {str(c) for c in column.dropna().unique()}
    for record in data.ledger:
        ids |= {str(s) for s in record.sensors}
    return sorted(ids)


def _mapping(ids: list[str], *, key: str | None, prefix: str) -> dict[str, str]:
    if key is None:
        width = max(2, len(str(len(ids))))
        return {original: f"{prefix}-{i:0{width}d}" for i, original in enumerate(ids, 1)}
    import hashlib
    import hmac

    digests = {
        original: hmac.new(key.encode("utf-8"), original.encode("utf-8"), hashlib.sha256)
        .hexdigest()
        .lower()
        for original in ids
    }
    short = {original: digest[:_HEX_DIGITS] for original, digest in digests.items()}
    counts: dict[str, int] = {}
    for value in short.values():
        counts[value] = counts.get(value, 0) + 1
    return {
        original: f"{prefix}-"
        + (value if counts[value] == 1 else digests[original][: 2 * _HEX_DIGITS])
        for original, value in short.items()
    }


def pseudonyms(
    data: SensorData,
    *,
    key: str | None = None,
    prefix: str = "sensor",
) -> pd.DataFrame:
    """Return the table from original sensor ids to the pseudonyms :func:`share` gives.

    Keep this table privately (it undoes the pseudonyms); do not publish it.

    Parameters
    ----------
    data
        The original data.
    key, prefix
        As for :func:`share`.

    Returns
    -------
    pandas.DataFrame
        Columns ``original_id`` and ``pseudonym``, one row per sensor id found in the
        sensors table, the readings or the ledger, sorted by ``original_id``.

    Raises
    ------
    PrivacyError
        If ``key`` is an empty text or ``prefix`` is not a short word.
    """
    import pandas as pd

    mapping = _mapping(_original_ids(data), key=_check_key(key), prefix=_check_prefix(prefix))
    return pd.DataFrame(
        {
            "original_id": pd.Series(list(mapping), dtype="str"),
            "pseudonym": pd.Series(list(mapping.values()), dtype="str"),
        }
    )


# --------------------------------------------------------------------------- scrubbing


def _trie_pattern(words: Iterable[str]) -> str:
    """Return a regular expression matching any of ``words``, longest first (a trie).

    A trie keeps matching fast with thousands of words (Python's ``re`` would otherwise
    try every alternative at every position).
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class _Scrubber:
    """Replace known identifying texts (whole words only) by their replacements."""

    def __init__(self, terms: dict[str, str], coordinates: set[float]) -> None:
        self.terms = {t: r for t, r in terms.items() if len(t) >= _MIN_TERM and t != r}
        self.coordinates = coordinates
        self.pattern = (
            re.compile(r"(?<![0-9A-Za-z])(?:" + _trie_pattern(self.terms) + r")(?![0-9A-Za-z])")
            if self.terms
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.terms[m.group(0)], value)

    def value(self, value: Any) -> Any:
        """Scrub a history parameter: texts, numbers equal to a coordinate, containers."""
        import numpy as np

        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool | np.bool_) or value is None:
            return value
        if isinstance(value, int | np.integer):
            return self.terms.get(str(int(value)), value)
        if isinstance(value, float | np.floating):
            return _LOCATION if float(value) in self.coordinates else value
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self.value(v) for v in value)
        return value


def _coordinate_texts(value: float) -> set[str]:
    texts = {repr(value), str(value)}
    texts |= {f"{value:.{n}f}" for n in range(3, 9)}
    return texts


def _path_terms(path: str) -> list[str]:
    from pathlib import PurePosixPath

    parts = path.replace("\\", "/").split("::")
    terms = [path, path.replace("\\", "/"), *parts]
    for part in parts:
        pure = PurePosixPath(part)
        terms += [pure.name, str(pure.parent)]
    return [t for t in terms if t not in (".", "/", "")]


def _safe_suffix(path: str) -> str:
    from pathlib import PurePosixPath

    name = PurePosixPath(path.replace("\\", "/").split("::")[-1]).name
    kept: list[str] = []
    for suffix in reversed(PurePosixPath(name).suffixes):
        if suffix.lower() not in _SUFFIXES:
            break
        kept.insert(0, suffix.lower())
    return "".join(kept)


def _scrubber(
    data: SensorData,
    mapping: dict[str, str],
    dropped: list[str],
    paths: dict[str, str],
) -> _Scrubber:
    """Collect every identifying text with its replacement."""
    import pandas as pd

    terms: dict[str, str] = {}

    def add(term: Any, replacement: str) -> None:
        if isinstance(term, str) and term.strip() and term not in terms:
            terms[term] = replacement

    for original, pseudonym in mapping.items():
        add(original, pseudonym)
    for original, pseudonym in mapping.items():  # the platform's own number or name
        if ":" in original:
            add(original.split(":", 1)[1], pseudonym)
    sensors = data.sensors
    names = sensors["name"] if "name" in sensors.columns else pd.Series([], dtype=object)
    shared_names = set(names[names.duplicated(keep=False)].dropna().astype(str))
    for sensor_id, name in zip(sensors["sensor_id"], names, strict=True):
        if isinstance(name, str):
            own = mapping.get(str(sensor_id), "[name removed]")  # no id: no pseudonym
            add(name, "[name removed]" if name in shared_names else own)
    for original, replacement in paths.items():
        for term in _path_terms(original):
            add(term, replacement)
    coordinates: set[float] = set()
    for column in ("latitude", "longitude"):
        if column in sensors.columns:
            values = pd.to_numeric(sensors[column], errors="coerce").dropna()
            coordinates |= {float(v) for v in values}
    for value in sorted(coordinates):
        for text in _coordinate_texts(value):
            add(text, _LOCATION)
    import numpy as np

    for column in dropped:
        for value in sensors[column].dropna().unique():
            if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
                value = str(int(value))
            add(value, _REMOVED)
    return _Scrubber(terms, coordinates)


# --------------------------------------------------------------------------- parts


def _share_readings(
    readings: pd.DataFrame, mapping: dict[str, str], scrub: _Scrubber
) -> pd.DataFrame:
    import pandas as pd

    from .sensordata import READING_COLUMNS

    out = readings.copy(deep=False)
    ids = out["sensor_id"]
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        ids = ids.astype("category")
    renamed = [mapping[str(c)] for c in ids.cat.categories]
    categories = pd.Index(renamed, dtype="str")
    ids = ids.cat.rename_categories(categories)
    out["sensor_id"] = ids.cat.reorder_categories(categories.sort_values())
    for column in out.columns:
        if column not in READING_COLUMNS:
            out[column] = _scrub_column(out[column], scrub)
    return out


def _scrub_column(values: pd.Series, scrub: _Scrubber) -> pd.Series:
    """Scrub the texts of one readings column (categories, or each distinct text)."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
        cleaned = [scrub.text(c) if isinstance(c, str) else c for c in categories]
        if cleaned == categories:
            return values
        if len(set(cleaned)) == len(cleaned):
            index = pd.Index(cleaned, dtype=values.cat.categories.dtype)
            return values.cat.rename_categories(index)
        return (
            values.astype(object)
            .map(dict(zip(categories, cleaned, strict=True)))
            .astype("category")
        )
    if values.dtype == "str" or values.dtype == object:
        table = {u: scrub.text(u) for u in values.dropna().unique() if isinstance(u, str)}
        if any(k != v for k, v in table.items()):
            return values.map(lambda v: table.get(v, v)).astype(values.dtype)
    return values


def _share_sensors(
    sensors: pd.DataFrame,
    mapping: dict[str, str],
    scrub: _Scrubber,
    precision_m: float,
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    kept = [c for c in sensors.columns if c in KEPT_SENSOR_COLUMNS]
    out = sensors[kept].copy()
    ids = [mapping.get(str(s), s) if pd.notna(s) else s for s in sensors["sensor_id"]]
    out["sensor_id"] = pd.Series(ids, index=out.index, dtype=sensors["sensor_id"].dtype)
    if "name" in out.columns:
        out["name"] = pd.Series(ids, index=out.index, dtype=sensors["name"].dtype)
    lat = pd.to_numeric(out["latitude"], errors="coerce").to_numpy(dtype="float64")
    lon = pd.to_numeric(out["longitude"], errors="coerce").to_numpy(dtype="float64")
    lat, lon = coarsen(lat, lon, precision_m=precision_m)
    out["latitude"] = lat
    out["longitude"] = lon
    previous = (
        pd.to_numeric(out["location_precision_m"], errors="coerce").to_numpy(dtype="float64")
        if "location_precision_m" in out.columns
        else np.full(len(out), np.nan)
    )
    located = ~(np.isnan(lat) | np.isnan(lon))
    out["location_precision_m"] = np.where(located, np.fmax(previous, precision_m), np.nan)
    for column in ("source", "model", "location_type"):
        if column in out.columns:
            out[column] = out[column].map(lambda v: scrub.text(v) if isinstance(v, str) else v)
    return out.sort_values("sensor_id", kind="stable").reset_index(drop=True)


def _share_record(
    record: FileRecord, path: str, mapping: dict[str, str], scrub: _Scrubber
) -> FileRecord:
    out = record.copy()
    out.path = path
    out.sha256 = ""
    out.exception = None
    out.error = None if record.error is None else scrub.text(record.error)
    out.notes = [scrub.text(n) for n in record.notes]
    out.conversions = [scrub.text(c) for c in record.conversions]
    out.timezone_reason = scrub.text(record.timezone_reason)
    out.time_label = scrub.text(record.time_label)
    out.row_examples = {
        scrub.text(k): [scrub.text(e) for e in v] for k, v in record.row_examples.items()
    }
    out.reading_examples = {
        scrub.text(k): [scrub.text(e) for e in v] for k, v in record.reading_examples.items()
    }
    out.rows_dropped = {scrub.text(k): v for k, v in record.rows_dropped.items()}
    out.readings_dropped = {scrub.text(k): v for k, v in record.readings_dropped.items()}
    out.columns_ignored = {scrub.text(k): scrub.text(v) for k, v in record.columns_ignored.items()}
    out.sensors = [mapping.get(s, scrub.text(s)) for s in record.sensors]
    out.sensor_zones = {
        mapping.get(s, scrub.text(s)): (zone, scrub.text(how))
        for s, (zone, how) in record.sensor_zones.items()
    }
    return out


# --------------------------------------------------------------------------- share


def share(
    data: SensorData,
    *,
    precision_m: float = 500.0,
    key: str | None = None,
    prefix: str = "sensor",
) -> SensorData:
    """Return a copy fit to share: pseudonymous ids, coarse positions, no identifying text.

    See the module documentation for exactly what changes and why; in short: sensor ids
    and names become pseudonyms, positions go to the centre of a grid cell of about
    ``precision_m`` metres, sensor columns other than ``source``, ``model``,
    ``location_type`` and ``timezone`` are dropped, the ledger loses file paths and
    hashes, and identifying text is replaced in the ledger and the history. Readings
    (times, values, flags) are unchanged. Sharing shared data again works (numbered
    pseudonyms and grid centres stay as they are).

    Parameters
    ----------
    data
        The data to share; it is not changed.
    precision_m
        Grid cell size in metres (default 500). Coarsening is not anonymisation: a
        sensor alone in its cell is still located to the cell.
    key
        A secret text for keyed pseudonyms (HMAC-SHA-256), stable across datasets
        shared with the same key; ``None`` (default) numbers the sensors instead.
        Read it from an environment variable; it is never stored.
    prefix
        The word before each pseudonym (default ``"sensor"``).

    Returns
    -------
    SensorData
        The shared copy, with a ``share`` step in its history.

    Raises
    ------
    PrivacyError
        If ``precision_m`` is not a positive, finite number, ``key`` is an empty text or
        ``prefix`` is not a short word.

    Examples
    --------
    >>> from toolkit.sensordata import SensorData
    >>> share(SensorData.empty()).history[-1].name
    'share'
    """
    size = _check_precision(precision_m)
    secret = _check_key(key)
    word = _check_prefix(prefix)
    mapping = _mapping(_original_ids(data), key=secret, prefix=word)
    dropped = [c for c in data.sensors.columns if c not in KEPT_SENSOR_COLUMNS]
    width = max(2, len(str(len(data.ledger))))
    paths = {
        record.path: f"file-{i:0{width}d}{_safe_suffix(record.path)}"
        for i, record in enumerate(data.ledger, 1)
    }
    scrub = _scrubber(data, mapping, dropped, paths)
    readings = _share_readings(data.readings, mapping, scrub)
    sensors = _share_sensors(data.sensors, mapping, scrub, size)
    ledger = Ledger(
        _share_record(record, paths[record.path], mapping, scrub) for record in data.ledger
    )
    history = History(
        Step(
            name=step.name,
            description=scrub.text(step.description),
            parameters=scrub.value(step.parameters),
            citation=step.citation,
            touched=step.touched,
        )
        for step in data.history
    )
    method = (
        "keyed HMAC-SHA-256 pseudonyms (the key is not stored)"
        if secret
        else "pseudonyms numbered in the sorted order of the original ids"
    )
    step = Step(
        name="share",
        description=(
            f"Prepared for sharing: {len(mapping)} sensor id(s) replaced by {method}; "
            f"positions snapped to the centres of a {size:g} m grid; "
            f"{len(dropped)} identifying sensor column(s) dropped"
            + (f" ({', '.join(map(str, dropped))})" if dropped else "")
            + "; file paths and hashes removed from the ledger."
        ),
        parameters={
            "precision_m": size,
            "keyed": secret is not None,
            "prefix": word,
            "method": method,
            "columns_dropped": [str(c) for c in dropped],
        },
        citation=_CITATION,
        touched=len(readings),
    )
    from .sensordata import SensorData

    return SensorData(readings, sensors, ledger, history.then(step))
