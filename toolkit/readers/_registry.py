"""The readers :func:`toolkit.load` can choose from, in the order they are asked.

Each entry names a module of :mod:`toolkit.readers` with a ``detect(raw, head)`` function
(which recognises its formats from a file's first characters) and its public reader.
A reader that needs to be told the layout (:func:`~toolkit.readers.read_csv_mapped`) is
not here: it is what the error message proposes when nothing matches.
"""

from __future__ import annotations

__all__ = ["READERS"]

#: (source name, module, reader function), in detection order.
READERS: tuple[tuple[str, str, str], ...] = (
    ("sensor_community", "toolkit.readers.sensor_community", "read_sensor_community"),
    ("purpleair", "toolkit.readers.purpleair", "read_purpleair"),
    ("openaq", "toolkit.readers.openaq", "read_openaq"),
    ("smart_citizen", "toolkit.readers.smart_citizen", "read_smart_citizen"),
    ("airgradient", "toolkit.readers.airgradient", "read_airgradient"),
    ("telraam", "toolkit.readers.telraam", "read_telraam"),
    # After every platform's own reader (OpenAQ's CSVs are long tables too), before the
    # generic JSON formats.
    ("long_csv", "toolkit.readers.long_csv", "read_long_csv"),
    ("sensorthings", "toolkit.readers.sensorthings", "read_sensorthings"),
    ("datapackage", "toolkit.readers.datapackage", "read_datapackage"),
)
