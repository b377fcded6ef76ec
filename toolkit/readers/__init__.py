"""Readers: one module per data source, each ``read_<source>(path_or_buffer, ...)``.

Every reader returns a :class:`toolkit.SensorData` with canonical variables and units,
UTC times and a ledger record per file. :func:`toolkit.load` picks the right reader from
a file's content.
"""

from .sensor_community import read_sensor_community

__all__ = ["read_sensor_community"]
