"""Charts of sensor data: each takes a SensorData and says how its numbers were made.

Every chart is an Altair chart with a title, a description (alt text), axis titles with
units, colours safe for colour-blind readers, and a plain-language caption
(:func:`chart_caption`, or ``chart.usermeta["caption"]``). Each one uses the toolkit's
own averaging, indices, corrections and quality checks, names the rules in its
description, and shows what it can: large data are averaged to longer periods, pooled
or binned (never more than :data:`MAX_ROWS` rows embedded), and the chart says so.

===================== ==================================================================
chart                 shows
===================== ==================================================================
:func:`timeseries`    averages over time, raw readings behind them, a guideline line
:func:`calendar`      daily means as a calendar heatmap, any span of years
:func:`profile`       the typical day or week, with a 95 % confidence band
:func:`index_bands`   an air-quality index over time in its official colours, labelled
:func:`distribution`  how values spread: histogram and per-sensor percentiles
:func:`scatter`       a sensor against a reference (or another sensor): fit and 1:1 lines
:func:`health`        sensor x day: complete and trusted, or not
:func:`exceedances`   periods above a guideline, with those that could not be counted
:func:`corrections`   what each published correction does to the mean
:func:`sensor_map`    sensors over neighbourhoods and streets, offline (no map tiles)
===================== ==================================================================

Rendering without internet: :func:`use_offline_renderer` in JupyterLab; :func:`to_svg`,
:func:`to_png` and :func:`save` (HTML with the JavaScript inline) for reports.
"""

from __future__ import annotations

from ._calendar import calendar
from ._common import (
    DASHES,
    MAX_ROWS,
    MAX_SERIES,
    OKABE_ITO,
    SEQUENTIAL,
    ChartSizeError,
    NothingToDrawError,
)
from ._corrections import corrections
from ._distribution import distribution
from ._exceedances import exceedances
from ._health import health
from ._index import index_bands
from ._lines import LADDER, timeseries
from ._map import sensor_map
from ._output import chart_caption, save, to_png, to_svg, use_offline_renderer
from ._profile import profile
from ._scatter import scatter

__all__ = [
    "DASHES",
    "LADDER",
    "MAX_ROWS",
    "MAX_SERIES",
    "OKABE_ITO",
    "SEQUENTIAL",
    "ChartSizeError",
    "NothingToDrawError",
    "calendar",
    "chart_caption",
    "corrections",
    "distribution",
    "exceedances",
    "health",
    "index_bands",
    "profile",
    "save",
    "scatter",
    "sensor_map",
    "timeseries",
    "to_png",
    "to_svg",
    "use_offline_renderer",
]
