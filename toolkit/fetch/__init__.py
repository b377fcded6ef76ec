"""Download open sensor data (needs internet: Binder has it) into a local cache.

==========================  ==========================================================
function                    downloads
==========================  ==========================================================
get_sensor_community        daily archive files of one Sensor.Community sensor
get_sensor_community_near   the latest readings of the Sensor.Community sensors near a
                            point (to find sensor ids and types)
get_openaq                  hourly means or measurements of one OpenAQ sensor (v3 API)
get_purpleair               the history of one PurpleAir sensor (API v1, CSV)
get_telraam                 the traffic report of one Telraam segment
==========================  ==========================================================

Each returns a :class:`~toolkit.SensorData` read by the matching reader (``load=True``,
the default) or the list of downloaded files (``load=False``). The ledger of the
``SensorData`` says, for each file, the URL it came from (never a key) and when.

Files are kept in an absolute cache folder (see :mod:`toolkit.fetch.settings`) and
reused: run a notebook once online, and it runs again offline. Downloads are polite
(a pause between requests to one host), retried a few times when a server is busy,
resumed when they break off, and written so that a half-downloaded file never looks
like a whole one.

API keys
--------
OpenAQ, PurpleAir and Telraam need a free API key, read **only** from an environment
variable: ``OPENAQ_API_KEY``, ``PURPLEAIR_API_KEY``, ``TELRAAM_API_KEY``. No function
takes a key as a parameter, so a key never ends up in a notebook, a report or a log.
Set it in a terminal before starting Jupyter (``export PURPLEAIR_API_KEY=...``), or in
a notebook without saving it::

    import getpass, os
    os.environ["PURPLEAIR_API_KEY"] = getpass.getpass("PurpleAir key: ")

Without internet or keys, the bundled teaching data (:mod:`toolkit.datasets`) has
files of every one of these platforms.
"""

from __future__ import annotations

from . import settings
from ._cache import cache_folder
from ._errors import ApiKeyError, FetchError, OfflineError
from ._keys import KEY_VARIABLES
from .openaq import get_openaq
from .purpleair import get_purpleair
from .sensor_community import get_sensor_community, get_sensor_community_near
from .telraam import get_telraam

__all__ = [
    "KEY_VARIABLES",
    "ApiKeyError",
    "FetchError",
    "OfflineError",
    "cache_folder",
    "get_openaq",
    "get_purpleair",
    "get_sensor_community",
    "get_sensor_community_near",
    "get_telraam",
    "settings",
]
