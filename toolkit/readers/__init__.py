"""Readers: one module per data source, each ``read_<source>(path_or_buffer, ...)``.

Every reader returns a :class:`toolkit.SensorData` with canonical variables and units,
UTC times and a ledger record per file. :func:`toolkit.load` picks the right reader from
each file's content; call a reader directly to pass options particular to its source.

=====================  ============================================================
reader                 formats
=====================  ============================================================
read_sensor_community  archive CSV (and .gz, monthly .zip), madavi.de CSV, JSON API
read_purpleair         API v1 history CSV/JSON, SD-card CSV, ThingSpeak downloads
read_openaq            v1/v2 CSV, AWS archive CSV, Explorer CSV, v2 and v3 JSON
read_smart_citizen     SD-card CSV, platform CSV, API v0 readings JSON
read_airgradient       local and cloud JSON, dashboard CSV
read_telraam           traffic report JSON and CSV
read_sensorthings      OGC SensorThings Observations JSON
read_long_csv          long (tidy) CSV: sensor, time, variable, value, unit per row
read_csv_mapped        any CSV or Excel file, with an explicit column mapping
read_datapackage       a Data Package written by toolkit.export (or any tidy one)
=====================  ============================================================
"""

from .airgradient import read_airgradient
from .datapackage import read_datapackage
from .long_csv import read_long_csv
from .mapped import read_csv_mapped
from .openaq import read_openaq
from .purpleair import read_purpleair
from .sensor_community import read_sensor_community
from .sensorthings import read_sensorthings
from .smart_citizen import read_smart_citizen
from .suggest import suggest_mapping
from .telraam import read_telraam

__all__ = [
    "read_airgradient",
    "read_csv_mapped",
    "read_datapackage",
    "read_long_csv",
    "read_openaq",
    "read_purpleair",
    "read_sensor_community",
    "read_sensorthings",
    "read_smart_citizen",
    "read_telraam",
    "suggest_mapping",
]
