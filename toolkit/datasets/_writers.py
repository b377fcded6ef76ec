"""Writers for the real export formats, byte for byte the same for the same input.

Each writer returns the file's bytes; :func:`gzip_bytes` compresses them with a fixed
header (no file name, time 0, "unknown" operating system), so that the compressed files
depend only on their content and on the zlib library that deflates them.

Formats (see ``formats-and-formulas.md`` PART 1 in the project's reference notes):

* Sensor.Community archive CSV (section 1.1): ``;``-separated, no quoting, header
  ``sensor_id;sensor_type;location;lat;lon;timestamp;`` then the type's columns,
  coordinates to 3 decimals, UTC timestamps without offset, values with 2 decimals,
  empty fields for missing values.
* PurpleAir API v1 history CSV (section 1.3 c): ``time_stamp,sensor_index,`` then the
  requested fields; ISO times ending in ``Z``; rows not in time order.
* OpenAQ Explorer download CSV (section 1.4, variant 3): text quoted, datetimes UTC and
  local, the hour's END as OpenAQ labels its hours.
* Telraam traffic report JSON (section 1.7): ``{"report": [...]}``, one record an hour.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "SC_COLUMNS",
    "csv_bytes",
    "geojson_bytes",
    "gzip_bytes",
    "iso_utc",
    "openaq_explorer_csv",
    "purpleair_history_csv",
    "purpleair_sensors_csv",
    "sensor_community_csv",
    "telraam_json",
]

#: Archive value columns by sensor type (file name uses the type in lower case).
SC_COLUMNS: dict[str, tuple[str, ...]] = {
    "SDS011": ("P1", "durP1", "ratioP1", "P2", "durP2", "ratioP2"),
    "BME280": ("pressure", "altitude", "pressure_sealevel", "temperature", "humidity"),
    "DHT22": ("temperature", "humidity"),
    "Laerm": ("noise_LAeq", "noise_LA_min", "noise_LA_max", "noise_LA01", "noise_LA95"),
}
_COMPRESSION_LEVEL = 9


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` (RFC 1952) with a fixed header: no name, no time, OS 255 (unknown)."""
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
    deflate = zlib.compressobj(_COMPRESSION_LEVEL, zlib.DEFLATED, -15, 9)
    body = deflate.compress(data) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return header + body + trailer


def iso_utc(seconds: np.ndarray, *, suffix: str = "") -> np.ndarray:
    """Format Unix seconds as ``YYYY-MM-DDTHH:MM:SS`` (UTC) plus ``suffix``."""
    import numpy as np

    text = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    return np.char.add(text, suffix) if suffix else text


def csv_bytes(frame: pd.DataFrame, **options: Any) -> bytes:
    """Write a table as CSV text (UTF-8, Unix line ends, no index)."""
    return frame.to_csv(index=False, lineterminator="\n", **options).encode("utf-8")


def sensor_community_csv(
    frame: pd.DataFrame,
    *,
    sensor_id: int,
    sensor_type: str,
    location: int,
    lat: float,
    lon: float,
) -> bytes:
    """One sensor's rows in the archive layout; ``frame`` has ``time`` and value columns."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    columns = SC_COLUMNS[sensor_type]
    table = pd.DataFrame(
        {
            "sensor_id": np.full(n, str(sensor_id), dtype=object),
            "sensor_type": sensor_type,
            "location": str(location),
            "lat": f"{lat:.3f}",
            "lon": f"{lon:.3f}",
            "timestamp": iso_utc(frame["time"].to_numpy()),
        }
    )
    for column in columns:
        table[column] = frame[column].to_numpy(dtype=float) if column in frame else np.nan
    return csv_bytes(table, sep=";", na_rep="", float_format="%.2f")


def purpleair_history_csv(frame: pd.DataFrame, *, sensor_index: int, seed_order: int) -> bytes:
    """One sensor's API history (``average=0``) as downloaded in two-day requests.

    The API does not sort rows by time [reference notes 1.3 c]; each two-day request
    here comes back in a scrambled order (fixed by ``seed_order``), one after the other.
    """
    import numpy as np
    import pandas as pd

    times = frame["time"].to_numpy()
    chunk = (times - times.min()) // (2 * 86400)
    rng = np.random.default_rng([seed_order, sensor_index])
    order = np.lexsort((rng.random(len(frame)), chunk))
    table = pd.DataFrame(
        {
            "time_stamp": iso_utc(times[order], suffix="Z"),
            "sensor_index": sensor_index,
        }
    )
    for column in frame.columns.drop("time"):
        table[column] = frame[column].to_numpy()[order]
    return csv_bytes(table)


def purpleair_sensors_csv(rows: list[dict[str, object]]) -> bytes:
    """Write the sensors' metadata, with the field names of the API's sensor list."""
    import pandas as pd

    return csv_bytes(pd.DataFrame(rows))


def _quote(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def openaq_explorer_csv(
    frame: pd.DataFrame,
    *,
    location_id: int,
    name: str,
    lat: float,
    lon: float,
    timezone: str,
    owner: str,
    provider: str,
) -> bytes:
    """Hourly values in the OpenAQ Explorer download layout.

    ``frame`` has ``time`` (start of the hour, UTC) and one column per parameter. Rows
    are labelled with the END of the hour, as OpenAQ does (its "time-ending standard").
    """
    import pandas as pd

    header = (
        "location_id,location_name,parameter,value,unit,datetimeUtc,datetimeLocal,timezone,"
        "latitude,longitude,country_iso,isMobile,isMonitor,owner_name,provider"
    )
    lines = [header]
    ends = pd.DatetimeIndex(frame["time"]) + pd.Timedelta(hours=1)
    local = ends.tz_convert(timezone)
    utc_text = ends.strftime("%Y-%m-%dT%H:%M:%SZ")
    local_text = local.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
        r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True
    )
    parameters = [c for c in frame.columns if c != "time"]
    for k in range(len(frame)):
        for parameter in parameters:
            value = frame[parameter].iloc[k]
            fields = [
                location_id,
                name,
                parameter,
                f"{value:.1f}",
                "µg/m³",
                utc_text[k],
                local_text[k],
                timezone,
                f"{lat:.6f}",
                f"{lon:.6f}",
                "",
                "false",
                "true",
                owner,
                provider,
            ]
            lines.append(
                ",".join(_quote(f) if i not in (3, 8, 9) else str(f) for i, f in enumerate(fields))
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


def telraam_json(records: list[dict[str, object]]) -> bytes:
    """Write a Telraam traffic report: ``{"status_code", "message", "report": [records]}``."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    text = (
        '{"status_code": 200, "message": "ok (SYNTHETIC teaching data, toolkit.datasets)", '
        '"report": [\n' + body + "\n]}\n"
    )
    return text.encode("utf-8")


def geojson_bytes(collection: dict[str, object]) -> bytes:
    """Write a GeoJSON FeatureCollection, one feature per line (readable, diff-friendly)."""
    features = collection["features"]
    head = {k: v for k, v in collection.items() if k != "features"}
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)  # type: ignore[attr-defined]
    return (opening + body + "\n]}\n").encode("utf-8")
