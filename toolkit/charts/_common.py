"""What every chart shares: palettes, limits, errors, local time and the finishing touch.

Colours
-------
* Categories (sensors, series): the Okabe–Ito palette [1]_, eight colours told apart
  with every common colour-vision deficiency, always with a second cue (line dashes,
  point shapes or text) so that colour is never the only one.
* Amounts: the ``viridis`` scale [2]_ (perceptually uniform, readable in grey and with
  colour-blindness); no red/green pairs.
* Official index colours (US AQI green to maroon...) are kept as published, because
  people know them, and always come with the category names as text.

Limits
------
A chart embeds its data in the page, so it shows what it can: at most
:data:`MAX_ROWS` rows (Altair refuses more than 5,000 by default) and at most
:data:`MAX_SERIES` lines or colours. Beyond that a chart averages to longer periods,
pools sensors into a median and a band, or bins points, and says so in its subtitle,
description and caption.

References
----------
.. [1] Okabe, M. & Ito, K. (2002/2008) Color Universal Design (CUD): how to make figures
   and presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
.. [2] van der Walt, S. & Smith, N. (2015) A better default colormap for matplotlib
   (viridis), SciPy 2015.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import altair as alt
    import numpy as np
    import pandas as pd

    from ..history import History
    from ..sensordata import SensorData

__all__ = [
    "DASHES",
    "MAX_ROWS",
    "MAX_SERIES",
    "OKABE_ITO",
    "SEQUENTIAL",
    "ChartSizeError",
    "NothingToDrawError",
]

#: Rows of data one chart embeds at most (Altair's MaxRowsError starts above 5,000).
MAX_ROWS = 4000
#: Lines (or colours) one chart tells apart; more sensors are pooled.
MAX_SERIES = 8
#: Okabe–Ito colours in the order used (blue first; yellow last, as it is pale on white).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
    "#F0E442",  # yellow
)
#: Line dashes paired with the colours above (a second cue besides colour).
DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4], [4, 2, 1, 2], [12, 3])
#: Shapes paired with the colours above.
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "arrow")
#: Sequential colour scheme for amounts.
SEQUENTIAL = "viridis"
#: Longest legend or axis label drawn in full [px].
LABEL_LIMIT = 420
#: Neutral grey for "no data" and reference lines.
GREY = "#BBBBBB"
DAY_MS = 86_400_000


class NothingToDrawError(ToolkitError, ValueError):
    """The data holds nothing a chart can show: no readings, or every value missing."""


class ChartSizeError(ToolkitError, ValueError):
    """Averages given as they are hold more than a chart can show, and cannot be re-made."""


# -- checking the input -----------------------------------------------------------------
def refuse_empty(data: SensorData, what: str) -> None:
    """Raise :class:`NothingToDrawError` when ``data`` has no readings."""
    if data.readings.empty:
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: the data has no readings.",
            found="0 readings",
            fix="Check what was loaded (data.summary()) and any selection made before "
            "(data.select(...)).",
        )


def choose_variable(data: SensorData, variable: str | None, what: str) -> str:
    """Return the variable to draw: the one asked for, or the only one there is."""
    from .. import variables as _variables

    refuse_empty(data, what)
    present = data.variables
    if variable is None:
        if len(present) == 1:
            return present[0]
        raise NothingToDrawError(
            f"Which variable should the {what} show? The data has several.",
            found=f"variables {', '.join(present)}",
            fix=f"Name one, for example variable={present[0]!r}.",
        )
    _variables.get(variable)  # an unknown name raises with close matches
    if variable not in present:
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: the data has no {variable} values.",
            found=f"variables {', '.join(present)}",
            fix=f"Use one of them, for example variable={present[0]!r}.",
        )
    return variable


def refuse_all_missing(values: pd.Series, what: str, label: str) -> None:
    """Raise :class:`NothingToDrawError` when every value is missing."""
    if not values.notna().any():
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: every {label} value is missing.",
            found=f"{len(values):,} values, all missing (NaN)",
            fix="Check the file and the loading ledger (data.ledger): the values may have "
            "been dropped or flagged as error codes.",
        )


def refuse_no_valid(readings: pd.DataFrame, what: str, period: str, min_coverage: float) -> None:
    """Raise when averages exist but none had enough data to be valid."""
    ok = readings["valid"].astype(bool) & readings["value"].notna()
    if not ok.any():
        raise NothingToDrawError(
            f"There is nothing to draw for the {what}: no {period} value had enough data.",
            found=f"{len(readings):,} {period} values, none with at least "
            f"{min_coverage * 100:.0f} % data capture",
            fix="Look at the readings with show_raw=True, or average with a lower "
            "threshold yourself: toolkit.timeseries.average(data, '1h', min_coverage=0.5), "
            "and chart that.",
        )


def with_variable(data: SensorData, variable: str) -> SensorData:
    """Keep only ``variable`` (a recorded ``select``; ``data`` itself if it is alone)."""
    if data.variables == [variable]:
        return data
    return data.select(variables=[variable])


def is_averaged(data: SensorData) -> bool:
    """Tell whether the readings are averages made by :func:`toolkit.timeseries.average`."""
    return "period" in data.readings.columns and "valid" in data.readings.columns


def min_coverage_of(history: History, default: float = 0.75) -> float:
    """Return the data capture the last averaging step used (``default`` if none says)."""
    for step in reversed(history):
        if step.name in ("average", "rolling_mean", "aqi") and "min_coverage" in step.parameters:
            return float(step.parameters["min_coverage"])
    return default


# -- time -------------------------------------------------------------------------------
def zones_of(data: SensorData, timezone: str) -> dict[str, str]:
    """Sensor id -> the zone whose wall clock the chart shows (friendly error if unknown)."""
    from .._periods import sensor_timezones

    return sensor_timezones(data, timezone)


def wall_clock_ms(times: pd.Series, sensor_ids: pd.Series, zones: dict[str, str]) -> np.ndarray:
    """Milliseconds since 1970 of each UTC time on its sensor's local wall clock.

    Charts draw these numbers on a UTC time scale, so that the axis shows the local wall
    clock whatever the reader's own zone (Vega would otherwise use the browser's zone).
    """
    import numpy as np
    import pandas as pd

    stamps = pd.DatetimeIndex(times).tz_convert("UTC")
    out = stamps.tz_localize(None).as_unit("ms").asi8.copy()
    ids = (
        sensor_ids
        if isinstance(sensor_ids.dtype, pd.CategoricalDtype)
        else (sensor_ids.astype(str).astype("category"))
    )
    names = [str(n) for n in ids.cat.categories]
    zone_names = sorted({zones.get(n, "UTC") for n in names} - {"UTC", "Etc/UTC"})
    if not zone_names:
        return out
    zone_of_code = np.array(
        [zone_names.index(zones[n]) if zones.get(n) in zone_names else -1 for n in names] + [-1]
    )
    zone_of_row = zone_of_code[ids.cat.codes.to_numpy()]
    for z, zone in enumerate(zone_names):  # a loop over zones, not readings
        rows = zone_of_row == z
        if rows.all():
            return stamps.tz_convert(zone).tz_localize(None).as_unit("ms").asi8.copy()
        out[rows] = stamps[rows].tz_convert(zone).tz_localize(None).as_unit("ms").asi8
    return out


def period_start_ms(wall_ms: np.ndarray, period: str) -> np.ndarray:
    """Return the wall-clock start [ms] of the period each wall-clock time is in."""
    import numpy as np

    from .._periods import parse_period

    spec = parse_period(period)
    if spec.fixed is not None:
        length = int(spec.fixed.total_seconds() * 1000)
        return wall_ms - wall_ms % length
    days = wall_ms.astype("datetime64[ms]").astype("datetime64[D]")
    if spec.calendar == "day":
        start = days
    elif spec.calendar == "week":  # weeks start on Monday; 1970-01-01 was a Thursday
        start = days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    elif spec.calendar == "month":
        start = days.astype("datetime64[M]")
    else:
        start = days.astype("datetime64[Y]")
    return start.astype("datetime64[ms]").astype(np.int64)


def clock_words(zones: Iterable[str]) -> str:
    """Name the clock: a zone such as "Europe/London", or "each sensor's local time"."""
    unique = sorted(set(zones))
    if len(unique) == 1:
        return unique[0]
    return "each sensor's local time" if unique else "UTC"


# -- series -----------------------------------------------------------------------------
def series_label(readings: pd.DataFrame) -> pd.Series:
    """Sensor id, with the channel where a device has two (``"purpleair:1 A"``)."""
    label = readings["sensor_id"].astype(str)
    if "channel" in readings.columns and readings["channel"].notna().any():
        channel = readings["channel"].astype(str).where(readings["channel"].notna(), "")
        label = (label + " " + channel).str.strip()
    return label


def count_series(readings: pd.DataFrame) -> int:
    """How many series (sensor, and channel where there is one) the readings hold."""
    import numpy as np
    import pandas as pd

    sensor = readings["sensor_id"].astype("category").cat.codes.to_numpy().astype(np.int64)
    if "channel" not in readings.columns:
        return len(pd.unique(sensor))
    channel = readings["channel"].astype("category").cat.codes.to_numpy().astype(np.int64)
    return len(pd.unique(sensor * 1024 + channel + 1))


def series_encodings(domain: Sequence[str], title: str) -> dict[str, Any]:
    """Colour and dash (two cues) for up to :data:`MAX_SERIES` named series."""
    import altair as alt

    n = len(domain)
    scale_colour = alt.Scale(domain=list(domain), range=list(OKABE_ITO[:n]))
    scale_dash = alt.Scale(domain=list(domain), range=[list(d) for d in DASHES[:n]])
    legend = alt.Legend(labelLimit=LABEL_LIMIT)
    return {
        "color": alt.Color("series:N", scale=scale_colour, title=title, legend=legend),
        "strokeDash": alt.StrokeDash("series:N", scale=scale_dash, title=title, legend=legend),
    }


# -- labels -----------------------------------------------------------------------------
def unit_of(variable: str) -> str:
    """Return the canonical unit of a variable."""
    from .. import variables as _variables

    return _variables.get(variable).unit


def with_unit(text: str, unit: str) -> str:
    """Add the unit to an axis title: ``"Hourly mean PM2.5 (µg/m³)"``."""
    return f"{text} ({unit})"


def capital(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]


def averaging_words(history: History) -> str:
    """How the averages were made, from the last ``average`` step, for descriptions."""
    for step in reversed(history):
        if step.name == "average":
            p = step.parameters
            share = float(p.get("min_coverage", 0.75)) * 100
            left_out = (
                "flagged readings left out"
                if p.get("exclude_flagged", True)
                else ("flagged readings kept")
            )
            return (
                f"Averages by toolkit.timeseries.average ({p.get('period')}, "
                f"{p.get('timezone')} time): a period counts with at least {share:.0f} % "
                f"data capture, {left_out}; each variable by its own rule "
                f"({_rules(p.get('rules', {}))}). Source: {step.citation}"
            )
    return "Averages as given (their own 'valid' column decides which count)."


def _rules(rules: dict[str, str]) -> str:
    return ", ".join(f"{v}: {r.replace('_', ' ')}" for v, r in rules.items()) or "mean"


def flag_words(data: SensorData) -> str:
    """Which quality rules flagged readings, for descriptions ("" when none were run)."""
    from ..sensordata import FLAG_PREFIX

    rules = [c[len(FLAG_PREFIX) :] for c in data.flag_columns]
    if not rules:
        return "No quality rules were run on these readings."
    return f"Quality rules run: {', '.join(rules)} (toolkit.quality)."


def steps_of(history: History) -> list[str]:
    """Return the history as short lines (name, description, source) for ``usermeta``."""
    lines = []
    for step in history:
        line = f"{step.name}: {step.description}"
        lines.append(f"{line} Source: {step.citation}" if step.citation else line)
    return lines


# -- finishing --------------------------------------------------------------------------
def finish(
    chart: Any,
    *,
    title: str,
    subtitle: Sequence[str] = (),
    description: str,
    caption: str,
    rules: Sequence[str] = (),
    choices: dict[str, Any] | None = None,
) -> Any:
    """Give a chart its title, alt text, caption and the rules behind it.

    The caption and rules go into the spec's ``usermeta`` (``chart.usermeta["caption"]``,
    ``["rules"]``, ``["choices"]``: what the chart decided for the reader, such as a
    longer period to fit the data).
    """
    import altair as alt

    heading = alt.Title(title, subtitle=list(subtitle)) if subtitle else alt.Title(title)
    meta = {"caption": caption, "rules": list(rules), "choices": dict(choices or {})}
    return chart.properties(title=heading, description=description, usermeta=meta)


def datetime_tooltip(field: str, title: str) -> Any:
    """Return a tooltip showing a wall-clock time stored as UTC milliseconds."""
    import altair as alt

    return alt.Tooltip(f"{field}:T", title=title, format="%Y-%m-%d %H:%M", formatType="utc")


def utc_axis(field: str, title: str, *, date_only: bool = False, days: float = 0.0) -> alt.X:
    """Return an x encoding of wall-clock milliseconds drawn as they are (a UTC scale).

    With ``date_only``, ticks fall on whole days when the span is ``days`` <= 31 long, so
    that no date is labelled twice.
    """
    import altair as alt

    ticks: Any = alt.Undefined
    if date_only and days <= 31:
        ticks = {"interval": "day", "step": max(1, int(days // 8) + 1)}
    axis = alt.Axis(
        title=title,
        format="%d %b %Y" if date_only else alt.Undefined,
        labelOverlap=True,
        tickCount=ticks,
    )
    return alt.X(f"{field}:T", scale=alt.Scale(type="utc"), axis=axis)


def span_days(wall_ms: Any) -> float:
    """Return the days from the first to the last of some wall-clock times [ms]."""
    import numpy as np

    values = np.asarray(wall_ms, dtype=float)
    values = values[~np.isnan(values)]
    return float((values.max() - values.min()) / DAY_MS) if len(values) else 0.0


def rounded(values: Any, digits: int = 3) -> np.ndarray:
    """Values rounded for the embedded data (smaller specs; no false precision)."""
    import numpy as np

    return np.round(np.asarray(values, dtype=float), digits)
