"""Urban Data Toolkit: load, check and question the data of community sensors.

The main entry points::

    import toolkit
    data = toolkit.load("my_sensor_files/")   # any supported export, detected by content
    data                                       # sensors, period, variables, ledger
    data.ledger                                # what happened to every row of every file
    data.to_wide()                             # one column per variable

Importing the package is cheap: pandas and the readers load the first time they are used.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exporting import export
    from .loading import load
    from .sensordata import SensorData, concat

try:
    __version__ = version("urban-data-toolkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "SensorData",
    "__version__",
    "cadence",
    "captions",
    "charts",
    "concat",
    "corrections",
    "datasets",
    "equity",
    "evaluation",
    "export",
    "fetch",
    "history",
    "indices",
    "ledger",
    "load",
    "noise",
    "places",
    "privacy",
    "quality",
    "readers",
    "report",
    "standards",
    "timeseries",
    "traffic",
    "units",
    "variables",
    "widgets",
]

# Public name -> module that defines it; imported on first use to keep `import toolkit` fast.
_LAZY = {
    "SensorData": "toolkit.sensordata",
    "concat": "toolkit.sensordata",
    "export": "toolkit.exporting",
    "load": "toolkit.loading",
}
# Every other public name is a module of the package.
_SUBMODULES = set(__all__) - set(_LAZY) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"toolkit.{name}")
    msg = f"module 'toolkit' has no attribute {name!r}; public names are {', '.join(__all__)}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
