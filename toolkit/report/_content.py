"""What the community report says: every section, computed and written in plain words.

The report template (``templates/community.ipynb``) stays short: it sets its parameters
and calls one method of :class:`Report` per section. The numbers come from the toolkit's
own steps (quality checks, averages with data capture, corrections, indices, guidelines,
coverage), each recorded in the history that becomes the methods appendix.

Every piece of text that comes from users or their files (titles, sensor ids and names,
file names, parameter values) is escaped with :func:`html.escape` before it is put into
HTML; charts are inline SVG made by vl-convert, which escapes its text as XML. A section
that does not apply to the data (no PM2.5, no PurpleAir channels, no humidity, no
positions, no boundaries) says so in a sentence instead of failing.

PM2.5 in the report
-------------------
Each sensor contributes one PM2.5 series, taken in this order of preference:

1. ``pm25_corrected``: the chosen correction (EPA's 2021 US-wide correction by default)
   applied to the sensors it was made for (PurpleAir), to hourly or daily averages;
2. ``pm25``: PM2.5 as the sensor reports it (Sensor.Community, reference monitors...);
3. ``pm25_atm``: PurpleAir's uncorrected value, the mean of channels A and B for each
   hour or day in which both channels are valid (only when no correction applies).

The choice is recorded as a history step (``report_pm25``). Days are local days in the
report's time zone; a day is valid with at least 75 % of its hours (18 of 24), an hour
with at least 75 % of its expected readings (:func:`toolkit.timeseries.average`);
flagged readings are left out of every average.
"""

from __future__ import annotations

import html
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pandas as pd

    from ..history import Step
    from ..sensordata import SensorData

__all__ = [
    "CONCERN_CATEGORY",
    "FOLD_AT",
    "PM25_VARIABLES",
    "WHO_GUIDELINE",
    "Html",
    "Report",
    "figure",
    "load_data",
    "table_html",
]

#: The WHO 2021 24-hour guideline for PM2.5 (15 µg/m³), counted in every report.
WHO_GUIDELINE = "who_2021_pm25_24h"
#: PM2.5 variables the report can use, in order of preference (see the module docstring).
PM25_VARIABLES = ("pm25_corrected", "pm25", "pm25_atm")
#: Per index: the first category whose health messages address people sensitive to air
#: pollution; the headline counts days in it or worse. Other scales: their third band.
CONCERN_CATEGORY = {
    "us_epa_2024": "Unhealthy for Sensitive Groups",
    "us_epa_2018": "Unhealthy for Sensitive Groups",
    "eaqi_2024": "Moderate",
    "eaqi_2017": "Moderate",
    "uk_daqi_2013": "Moderate",
    "in_naqi_2014": "Moderately Polluted",
}
#: Variables shown in "patterns in time" when there is no PM2.5, in order of preference.
_FALLBACK_VARIABLES = ("pm10", "no2", "laeq", "temperature", "humidity")
#: Texts longer than this (characters) are folded in tables that allow it.
FOLD_AT = 240
#: Sensor columns that may be shown in the sensors table, with their headings.
_SENSOR_COLUMNS = {"source": "source", "model": "model", "location_type": "outdoor/indoor"}


class Html:
    """HTML text that shows itself in a notebook (and in the report page).

    Parameters
    ----------
    text
        HTML built with escaped user text.
    plain
        What ``repr`` shows outside a notebook.
    """

    def __init__(self, text: str, plain: str = "") -> None:
        self.text = text
        self.plain = plain or _strip_tags(text)

    def _repr_html_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.plain

    def __add__(self, other: Html) -> Html:
        return Html(self.text + other.text, self.plain + "\n" + other.plain)


def _strip_tags(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def _e(value: Any) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(value), quote=True)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _p(text: str, cls: str | None = None) -> str:
    return f'<p class="{cls}">{text}</p>' if cls else f"<p>{text}</p>"


def table_html(
    frame: pd.DataFrame, *, numeric: Sequence[str] = (), fold: Sequence[str] = ()
) -> str:
    """Return a table as HTML with every cell escaped.

    Parameters
    ----------
    frame
        Any table; its index is not shown.
    numeric
        Columns aligned right.
    fold
        Columns whose long texts (over :data:`FOLD_AT` characters) are folded into a
        ``<details>`` element showing their beginning.

    Examples
    --------
    >>> import pandas as pd
    >>> table_html(pd.DataFrame({"name": ["<b>x</b>"]}))
    '<table><thead><tr><th>name</th></tr></thead><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>'
    """
    head = "".join(
        f'<th class="num">{_e(c)}</th>' if c in numeric else f"<th>{_e(c)}</th>"
        for c in frame.columns
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            text = _cell(value)
            shown = _e(text)
            if column in fold and len(text) > FOLD_AT:
                shown = f"<details><summary>{_e(text[: FOLD_AT // 2])}…</summary>{shown}</details>"
            cls = ' class="num"' if column in numeric else ""
            cells.append(f"<td{cls}>{shown}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(value: Any) -> str:
    import math
    import numbers

    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    text = str(value)
    return "–" if text in ("nan", "NaT", "<NA>", "None") else text


def figure(chart: Any, *, caption: str | None = None) -> Html:
    """Render a chart as inline SVG in a ``<figure>`` with its caption.

    Parameters
    ----------
    chart
        An Altair chart from :mod:`toolkit.charts`.
    caption
        The caption; the chart's own plain-language caption
        (:func:`toolkit.captions.caption`) when ``None``.

    Returns
    -------
    Html
        ``<figure><svg ...>...</svg><figcaption>...</figcaption></figure>``: no
        JavaScript, nothing fetched.
    """
    from .. import captions, charts

    svg = charts.to_svg(chart)
    start = svg.find("<svg")
    svg = svg[start:] if start > 0 else svg
    text = caption if caption is not None else captions.caption(chart)
    return Html(
        f"<figure>{svg}<figcaption>{_e(text)}</figcaption></figure>",
        plain=f"[chart] {text}",
    )


def load_data(path: str) -> SensorData:
    """Load the private copy of the data the report builder prepared.

    Parameters
    ----------
    path
        The ``*.pickle`` file :func:`toolkit.report.build` wrote into its temporary,
        private work folder (deleted after the build).

    Returns
    -------
    SensorData
    """
    import pickle
    from pathlib import Path

    from ..sensordata import SensorData

    with Path(path).open("rb") as handle:
        data = pickle.load(handle)  # written by this toolkit's builder, read once
    if not isinstance(data, SensorData):
        raise TypeError(f"{path} does not hold a SensorData.")
    return data


def _dedupe(steps: Iterable[Step]) -> list[Step]:
    seen: list[Step] = []
    for step in steps:
        if step not in seen:
            seen.append(step)
    return seen


class Report:
    """The community report: each method returns one section as :class:`Html`.

    Parameters
    ----------
    data
        The data to report on (already shared, time zone set, period selected).
    timezone
        IANA zone for sensors whose own zone is unknown (empty in ``data.sensors``).
        Every other sensor's local days and hours follow its own zone, so a report on
        sensors in several countries shows each sensor's local days (the page names the
        zones used).
    standard
        The air-quality index (``toolkit.standards`` name).
    correction
        The PM2.5 correction key, or ``None``.
    title
        The report's title.
    created
        The date the report is made (ISO ``YYYY-MM-DD``); the clock check counts
        readings after the end of this day (UTC) as "in the future".
    share
        Whether the data was pseudonymised and coarsened (:mod:`toolkit.privacy`).
    precision_m
        The grid size positions were rounded to [m].
    neighbourhoods, demographics
        Paths of the boundaries (GeoJSON) and the table of residents, or ``""``.
    city
        True for the bundled synthetic teaching city.
    command
        The command that makes this report again.
    inputs
        The input files (role, name, SHA-256, size) as in ``provenance.json``.
    unit
        For one report of a batch: the sensor or neighbourhood it is about.
    """

    def __init__(
        self,
        data: SensorData,
        *,
        timezone: str = "UTC",
        standard: str = "us_epa_2024",
        correction: str | None = "epa_2021",
        title: str = "Community air-quality report",
        created: str = "",
        share: bool = True,
        precision_m: float = 500.0,
        neighbourhoods: str = "",
        demographics: str = "",
        city: bool = False,
        command: str = "",
        inputs: Sequence[dict[str, Any]] = (),
        unit: str = "",
    ) -> None:
        import datetime as dt

        self.data = data
        self.timezone = timezone
        self.standard = standard
        self.correction = correction or None
        self.title = title
        self.created = created or dt.datetime.now(tz=dt.UTC).date().isoformat()
        self.share = share
        self.precision_m = precision_m
        self.neighbourhoods_path = neighbourhoods
        self.demographics_path = demographics
        self.city = city
        self.command = command
        self.inputs = list(inputs)
        self.unit = unit
        self.notes: list[str] = []

    @classmethod
    def from_parameters(
        cls,
        *,
        data: str,
        timezone: str,
        neighbourhoods: str = "",
        demographics: str = "",
        share: bool = True,
        precision_m: float = 500.0,
        city: bool = False,
        notes: Sequence[str] = (),
        **options: Any,
    ) -> Report:
        """Make the report from the template's parameters.

        ``data`` is the ``*.pickle`` the builder prepared; any other value (files,
        folders, ``""`` with ``city=True`` for the teaching city) is read and prepared
        here exactly as the builder does, so the template also runs by hand.

        Parameters
        ----------
        data, timezone, neighbourhoods, demographics, share, precision_m, city
            The template's parameters.
        notes
            Sentences from the builder for the summary.
        **options
            The other arguments of :class:`Report`.
        """
        if data.endswith(".pickle"):
            loaded = load_data(data)
        else:
            from ._build import prepare
            from ._parameters import resolve

            params = resolve(
                {
                    "data": data or None,
                    "city": city and not data,
                    "timezone": timezone or None,
                    "share": share,
                    "precision_m": precision_m,
                    "neighbourhoods": neighbourhoods or None,
                    "demographics": demographics or None,
                }
            )
            prepared = prepare(params)
            loaded, timezone = prepared.data, prepared.timezone
            neighbourhoods = str(params.neighbourhoods or "")
            demographics = str(params.demographics or "")
            notes = [*notes, *prepared.notes]
        report = cls(
            loaded,
            timezone=timezone,
            neighbourhoods=neighbourhoods,
            demographics=demographics,
            share=share,
            precision_m=precision_m,
            city=city,
            **options,
        )
        report.notes.extend(_e(n) for n in notes)
        return report

    # -- the numbers --------------------------------------------------------------------
    @cached_property
    def now(self) -> str:
        """The moment the clock check treats as "now": the end of the report's day (UTC)."""
        import datetime as dt

        day = dt.date.fromisoformat(self.created)
        return f"{day + dt.timedelta(days=1)}T00:00:00+00:00"

    @cached_property
    def checked(self) -> SensorData:
        """The data with every quality rule's flags (nothing removed)."""
        from .. import quality

        if len(self.data) == 0:
            return self.data
        return quality.check(self.data, clock={"now": self.now})

    @cached_property
    def pm_variables(self) -> list[str]:
        """The PM2.5 variables in the data (``pm25``, ``pm25_cf1``, ``pm25_atm``...)."""
        return [v for v in self.data.variables if v == "pm25" or v.startswith("pm25_")]

    @cached_property
    def has_pm25(self) -> bool:
        """Whether the data holds any PM2.5 the report can use."""
        return any(v in ("pm25", "pm25_atm", "pm25_cf1") for v in self.pm_variables)

    @cached_property
    def _pm(self) -> SensorData:
        wanted = [*self.pm_variables]
        if "humidity" in self.data.variables:
            wanted.append("humidity")
        return self.checked.select(variables=wanted)

    def _raw_averages(self, period: str) -> SensorData:
        from .. import timeseries

        return timeseries.average(self._pm, period)

    @cached_property
    def _raw_hourly(self) -> SensorData:
        return self._raw_averages("1h")

    @cached_property
    def _raw_daily(self) -> SensorData:
        return self._raw_averages("day")

    @cached_property
    def _corrected(self) -> tuple[dict[str, SensorData], str | None]:
        """Hourly and daily averages with the correction applied, and why not if not."""
        from .. import corrections
        from .._errors import ToolkitError

        raw = {"1h": self._raw_hourly, "day": self._raw_daily}
        if self.correction is None:
            return raw, None
        try:
            return {p: corrections.correct(a, self.correction) for p, a in raw.items()}, None
        except ToolkitError as error:
            return raw, error.problem

    @property
    def correction_note(self) -> str | None:
        """Why the chosen correction could not be applied, or ``None`` when it was."""
        return self._corrected[1]

    @cached_property
    def _hourly_choice(self) -> tuple[SensorData, dict[str, str]]:
        return _choose_pm25(self._corrected[0]["1h"], self._correction_name)

    @cached_property
    def _daily_choice(self) -> tuple[SensorData, dict[str, str]]:
        return _choose_pm25(self._corrected[0]["day"], self._correction_name)

    @property
    def hourly(self) -> SensorData:
        """Hourly PM2.5, one series per sensor (see "PM2.5 in the report")."""
        return self._hourly_choice[0]

    @property
    def daily(self) -> SensorData:
        """Daily (local-day) PM2.5, one series per sensor."""
        return self._daily_choice[0]

    @cached_property
    def _correction_name(self) -> str:
        from .. import corrections

        return corrections.get(self.correction).name if self.correction else ""

    @property
    def pm25_sources(self) -> dict[str, str]:
        """Sensor id -> which values its PM2.5 is (corrected, as measured, channel mean)."""
        return self._daily_choice[1]

    @cached_property
    def index(self) -> SensorData | None:
        """The index's PM2.5 sub-index per sensor and period, or ``None`` (see notes)."""
        from .. import indices, standards, timeseries
        from .._errors import ToolkitError

        if not self.has_pm25 or len(self.daily) == 0:
            return None
        std = standards.get(self.standard)
        periods = {t.averaging for t in std.tables if t.variable == "pm25"}
        try:
            if "24h" in periods:
                source = self.daily
            elif "24h running" in periods:
                source = timeseries.rolling_mean(self.hourly, hours=24)
            else:
                source = self.hourly
            return indices.aqi(source, standard=self.standard, overall=False)
        except ToolkitError as error:
            self.notes.append(_e(f"No {std.label} could be computed: {error.problem}"))
            return None

    @cached_property
    def who(self) -> pd.DataFrame | None:
        """Days above the WHO 2021 24-hour guideline, per sensor (exceedances table)."""
        from .. import indices
        from .._errors import ToolkitError

        if not self.has_pm25 or len(self.daily) == 0:
            return None
        try:
            return indices.exceedances(self.daily, guideline=WHO_GUIDELINE)
        except ToolkitError as error:
            self.notes.append(
                _e(f"Days above the WHO guideline could not be counted: {error.problem}")
            )
            return None

    # -- helpers ------------------------------------------------------------------------
    @cached_property
    def zones(self) -> dict[str, str]:
        """Sensor id -> the IANA zone of its local days and hours (its own, if known)."""
        sensors = self.data.sensors
        zones = sensors["timezone"].astype("string").fillna("").str.strip()
        return {
            str(sid): (str(zone) or self.timezone)
            for sid, zone in zip(sensors["sensor_id"], zones, strict=True)
        }

    @cached_property
    def zone_words(self) -> str:
        """The zones of local time in words: one name, or each sensor's own with counts."""
        from collections import Counter

        counts = Counter(self.zones.values())
        if len(counts) <= 1:
            return next(iter(counts), self.timezone)
        listing = "; ".join(
            f"{zone}: {n} sensor{'s' if n != 1 else ''}" for zone, n in sorted(counts.items())
        )
        return f"each sensor's own time zone ({listing})"

    def _local(self, times: pd.Series, sensors: pd.Series) -> pd.Series:
        """Naive local wall-clock times, each in its sensor's zone."""
        import pandas as pd

        ids = sensors.astype(str)
        out = pd.Series(pd.NaT, index=times.index, dtype="datetime64[ns]")
        for zone, where in ids.groupby(ids.map(self.zones).fillna(self.timezone)).groups.items():
            out.loc[where] = times.loc[where].dt.tz_convert(zone).dt.tz_localize(None)
        return out

    def _zoned(self, data: SensorData) -> SensorData:
        """Give the report's zone to the sensors of ``data`` whose own zone is unknown."""
        zones = data.sensors["timezone"].astype("string").fillna("").str.strip()
        missing = data.sensors.loc[zones == "", "sensor_id"].astype(str).tolist()
        return data.with_timezone(self.timezone, sensors=missing) if missing else data

    def _local_dates(self, times: pd.Series, sensors: pd.Series) -> pd.Series:
        """Return the local date of each time, in its sensor's zone."""
        return self._local(times, sensors).dt.date

    @cached_property
    def _standard_label(self) -> str:
        from .. import standards

        return standards.get(self.standard).label

    @cached_property
    def concern(self) -> tuple[str, int]:
        """The headline category of the index and its band number."""
        from .. import standards

        std = standards.get(self.standard)
        bands = next(t.bands for t in std.tables if t.variable == "pm25")
        wanted = CONCERN_CATEGORY.get(self.standard)
        for band in bands:
            if band.category == wanted:
                return band.category, band.number
        third = bands[min(2, len(bands) - 1)]
        return third.category, third.number

    @cached_property
    def neighbourhoods(self) -> Any:
        """The neighbourhood boundaries (GeoDataFrame), or ``None``."""
        if not self.neighbourhoods_path:
            return None
        from .. import places

        return places.neighbourhoods_from_geojson(self.neighbourhoods_path)

    @cached_property
    def demographics(self) -> pd.DataFrame | None:
        """The table of residents per neighbourhood, or ``None``."""
        if not self.demographics_path:
            return None
        import pandas as pd

        return pd.read_csv(self.demographics_path)

    @cached_property
    def coverage(self) -> pd.DataFrame | None:
        """PM2.5 sensors per neighbourhood and per 10,000 residents, or ``None``."""
        if self.neighbourhoods is None or self.demographics is None:
            return None
        from .. import equity

        return equity.coverage(self._coverage_points(), self.neighbourhoods, self.demographics)

    def _coverage_points(self) -> pd.DataFrame:
        """PM2.5 sensors with a position for counting: the exact neighbourhood if known.

        With sharing on, the builder works out each sensor's neighbourhood from its exact
        position before positions are coarsened (column ``report_neighbourhood``); the
        sensor is then counted at a point inside that neighbourhood, so counts are exact
        although the published positions are not.
        """
        import pandas as pd

        sensors = self.data.sensors
        readings = self.data.readings
        pm_ids = set(
            readings.loc[readings["variable"].isin(self.pm_variables), "sensor_id"].astype(str)
        )
        sensors = sensors[sensors["sensor_id"].astype(str).isin(pm_ids)]
        table = pd.DataFrame(
            {
                "sensor_id": sensors["sensor_id"].astype(str).to_numpy(),
                "latitude": sensors["latitude"].to_numpy(dtype=float),
                "longitude": sensors["longitude"].to_numpy(dtype=float),
            }
        )
        if "report_neighbourhood" in sensors.columns:
            hoods = self.neighbourhoods
            key = "neighbourhood_id" if "neighbourhood_id" in hoods.columns else "name"
            inside = hoods.to_crs("EPSG:4326").set_index(key).geometry.representative_point()
            assigned = sensors["report_neighbourhood"].astype("string").to_numpy()
            points = [inside.get(a) if a is not None and not pd.isna(a) else None for a in assigned]
            table["latitude"] = [p.y if p is not None else float("nan") for p in points]
            table["longitude"] = [p.x if p is not None else float("nan") for p in points]
        return table

    def _period_words(self) -> str:
        r = self.data.readings
        if r.empty:
            return "no readings"
        local = self._local(r["time"], r["sensor_id"])
        first, last = local.min(), local.max()
        return f"{first:%d %B %Y} to {last:%d %B %Y}"

    # -- sections -----------------------------------------------------------------------
    def header(self) -> Html:
        """Title, what and when, who made it, and the privacy status."""
        from .. import __version__

        n = self.data.sensors.shape[0]
        lines = [f"<h1>{_e(self.title)}</h1>"]
        if self.unit:
            lines.append(_p(f"This report is about one part of the data: <b>{_e(self.unit)}</b>."))
        lines.append(
            _p(
                f"{n} sensor{'s' if n != 1 else ''}, readings from {_e(self._period_words())}; "
                f"times are local times in {_e(self.zone_words)}. Made on {_e(self.created)} with "
                f"the Urban Data Toolkit {_e(__version__)} (<code>urban-toolkit report</code>), "
                "an open-source tool; the last section says how to make this report again."
            )
        )
        if self.city:
            lines.append(
                _p(
                    "Quayford is a <b>synthetic</b> teaching city: its places, people and "
                    "sensors are invented, so that anyone may practise on it and share the "
                    "results.",
                    "note",
                )
            )
        if self.share:
            lines.append(
                _p(
                    "Shared version: sensors are called by code names (sensor-01, sensor-02...), "
                    "their names and hosts are left out, and positions are rounded to the centre "
                    f"of a {self.precision_m:,.0f} m grid square. Whoever made the report keeps "
                    "the key to the real names.",
                    "box",
                )
            )
        else:
            lines.append(
                _p(
                    "Private version: this report shows real sensor names, ids and exact "
                    "positions. Do not publish it; make a shareable one by leaving out "
                    "<code>--no-share</code>.",
                    "note",
                )
            )
        return Html("\n".join(lines))

    def summary(self) -> Html:
        """Give the headline numbers, each with the rule that made it."""
        items = []
        if not self.has_pm25:
            items.append(
                "These files hold no PM2.5 (fine particles) readings, so no air-quality "
                "index or WHO comparison could be made; the sections below show what the "
                "files do hold."
            )
        else:
            items.extend(self._headline_index())
            items.extend(self._headline_who())
        items.append(self._headline_quality())
        coverage = self._headline_coverage()
        if coverage:
            items.append(coverage)
        if self.has_pm25:
            items.append(self._headline_correction())
        items.extend(self.notes)
        body = "".join(f"<li>{item}</li>" for item in items)
        return Html(f'<h2>In short</h2><ul class="headline">{body}</ul>')

    def _days_text(self) -> str:
        return (
            f"local days in {_e(self.zone_words)}; a day counts for a sensor when at least 75 % "
            "of its hours (18 of 24) have enough valid readings"
        )

    def _headline_index(self) -> list[str]:
        index = self.index
        if index is None or len(index) == 0:
            return []
        r = index.readings
        r = r[r["valid"].astype(bool) & r["value"].notna()]
        if r.empty:
            return [f"No day had enough data for the {_e(self._standard_label)}."]
        category, number = self.concern
        std_bands = self._bands()
        level = (
            r["category"].astype(str).map({b.category: b.number for b in std_bands}).astype(float)
        )
        day = self._local_dates(r["time"], r["sensor_id"])
        worst = level.groupby(day).max()
        days = len(worst)
        bad = int((worst >= number).sum())
        hourly = "period" in r.columns and str(r["period"].iloc[0]) not in ("day",)
        what = "hourly or running values" if hourly else "daily means"
        correction = (
            f", after the {_e(self._correction_name)} correction for the sensors it is made for"
            if self.correction and self.correction_note is None
            else ""
        )
        sentence = (
            f"On <b>{bad} of {_days(days)}</b> the {_e(self._standard_label)} for PM2.5 "
            f"(from {what}{correction}) reached <b>\u2018{_e(category)}\u2019 or worse</b> "
            f"at one or more sensors ({self._days_text()})."
        )
        return [sentence]

    def _bands(self) -> tuple[Any, ...]:
        from .. import standards

        std = standards.get(self.standard)
        return next(t.bands for t in std.tables if t.variable == "pm25")

    def _headline_who(self) -> list[str]:
        from .. import standards

        r = self.daily.readings
        r = r[r["valid"].astype(bool) & r["value"].notna()]
        if r.empty:
            return ["No sensor had a day with enough PM2.5 data to compare with the WHO guideline."]
        guideline = standards.get(WHO_GUIDELINE)
        day = self._local_dates(r["time"], r["sensor_id"])
        above = (r["value"] > guideline.value).groupby(day).any()
        sentence = (
            f"On <b>{int(above.sum())} of {_days(len(above))}</b> the daily mean PM2.5 at one or "
            f"more sensors was above the WHO 2021 guideline of {guideline.value:g} "
            f"{_e(guideline.unit)} ({self._days_text()})."
        )
        return [sentence]

    def _headline_quality(self) -> str:
        ledger = self.data.ledger
        flagged = int(self.checked.flagged.sum()) if len(self.checked) else 0
        share = flagged / len(self.checked) if len(self.checked) else 0.0
        text = f"{len(self.data):,} readings"
        if len(ledger):
            dropped = sum(sum(r.readings_dropped.values()) for r in ledger)
            rows = sum(sum(r.rows_dropped.values()) for r in ledger)
            failed = len(ledger.failed)
            partial = len(ledger.partial)
            text += f" from {len(ledger)} file{'s' if len(ledger) != 1 else ''}"
            problems = [f"{failed} could not be read"] if failed else []
            problems += [f"{partial} could be read only in part"] if partial else []
            text += f" ({', '.join(problems)})" if problems else ""
            text += (
                f"; {rows:,} row{'s' if rows != 1 else ''} and {dropped:,} empty or unreadable "
                "values were left out while reading (each with its reason in the ledger)"
            )
        return (
            f"{text}; {flagged:,} readings ({share:.1%}) were flagged by the quality checks: "
            "kept, but left out of every average."
        )

    def _headline_coverage(self) -> str | None:
        table = self.coverage
        if table is None or self.unit:
            return None
        from .. import equity

        none = equity.unmeasured(table)
        total = float(table["population"].sum())
        if none.empty:
            return f"Every one of the {len(table)} neighbourhoods has at least one PM2.5 sensor."
        names = ", ".join(_e(n) for n in none.get("name", none.iloc[:, 0]))
        people = float(none["population"].sum())
        return (
            f"<b>{len(none)} of {len(table)} neighbourhoods have no PM2.5 sensor</b> ({names}); "
            f"{people:,.0f} people live there, {people / total:.0%} of the residents."
        )

    def _headline_correction(self) -> str:
        if self.correction is None:
            return (
                "No correction was applied to low-cost sensor readings (as chosen); PurpleAir "
                "values are the mean of channels A and B."
            )
        if self.correction_note:
            return f"The {_e(self._correction_name)} correction was not applied: " + _e(
                self.correction_note
            )
        return (
            f"PurpleAir PM2.5 was corrected with the {_e(self._correction_name)}: raw values "
            "are kept, and the section on corrections shows what it changed."
        )

    def sensors(self) -> Html:
        """Describe the data: which sensors, what they measure, when, which PM2.5 is used."""
        import pandas as pd

        s = self.data.sensors
        r = self.data.readings
        if s.empty:
            return Html("<h2>The data</h2>" + _p("There are no sensors in the data."))
        ids = s["sensor_id"].astype(str)
        grouped = r.groupby(r["sensor_id"].astype(str), observed=True)
        counts = grouped.size()
        first = grouped["time"].min()
        last = grouped["time"].max()
        variables = grouped["variable"].agg(lambda v: ", ".join(sorted(set(map(str, v)))))
        table = pd.DataFrame({"sensor": ids.to_numpy()})
        names = s["name"].astype("string").fillna("").to_numpy()
        if not (names == ids.to_numpy()).all():
            table["name"] = names
        for column, heading in _SENSOR_COLUMNS.items():
            if column in s.columns and s[column].notna().any():
                table[heading] = s[column].astype("string").fillna("").to_numpy()
        fmt = "%Y-%m-%d %H:%M"
        zone = [self.zones.get(i, self.timezone) for i in ids]
        table["time zone"] = zone
        table["first reading"] = [
            first[i].tz_convert(z).strftime(fmt) if i in first else ""
            for i, z in zip(ids, zone, strict=True)
        ]
        table["last reading"] = [
            last[i].tz_convert(z).strftime(fmt) if i in last else ""
            for i, z in zip(ids, zone, strict=True)
        ]
        table["readings"] = [int(counts.get(i, 0)) for i in ids]
        table["measures"] = [variables.get(i, "") for i in ids]
        if self.has_pm25:
            table["PM2.5 used in this report"] = [self.pm25_sources.get(i, "–") for i in ids]
        text = _p(
            f"{len(s)} sensor{'s' if len(s) != 1 else ''}, from {_e(self._period_words())} "
            f"(times in {_e(self.zone_words)}). Variables use the toolkit's names: pm25 is "
            "PM2.5, the mass of particles smaller than 2.5 micrometres in a cubic metre of "
            "air (µg/m³); pm25_cf1 and pm25_atm are PurpleAir's two raw versions of it; "
            "humidity is relative humidity (%)."
        )
        return Html("<h2>The data</h2>" + text + table_html(table, numeric=("readings",)))

    def quality(self) -> Html:
        """Show the ledger of the files and what the quality checks flagged."""
        import pandas as pd

        from .. import charts, quality

        parts = ["<h2>Can we trust it? Data quality</h2>"]
        ledger = self.data.ledger.to_frame()
        if not ledger.empty:
            files = pd.DataFrame(
                {
                    "file": [p.replace("\\", "/").rsplit("/", 1)[-1] for p in ledger["path"]],
                    "format": ledger["format"],
                    "status": ledger["status"],
                    "rows read": ledger["rows_read"],
                    "rows left out": ledger["rows_dropped"],
                    "readings kept": ledger["readings_kept"],
                    "values left out": ledger["readings_dropped"],
                    "why left out": [
                        (error.splitlines()[0] if error else reasons) or "–"
                        for error, reasons in zip(
                            ledger["error"], ledger["drop_reasons"], strict=True
                        )
                    ],
                }
            )
            parts.append(
                _p(
                    "<b>The ledger</b>: what happened to every file while it was read. Every "
                    "row and every value read is either kept or left out with a reason (an "
                    "empty field, a missing-value code, a line that does not fit the "
                    "header...). A file marked <i>partial</i> lost more than 1 % of its rows "
                    "or values for such reasons: check it before trusting its numbers."
                )
            )
            parts.append(
                table_html(
                    files,
                    numeric=("rows read", "rows left out", "readings kept", "values left out"),
                )
            )
        if len(self.checked) == 0:
            parts.append(_p("There are no readings to check."))
            return Html("".join(parts))
        summary = quality.summary(self.checked)
        shown = pd.DataFrame(
            {
                "check": summary["rule"],
                "what it looks for": summary["meaning"],
                "readings flagged": summary["flagged"],
                "share": [f"{v:.2%}" if v == v else "–" for v in summary["share"]],
                "sensors": summary["sensors"],
            }
        )
        parts.append(
            _p(
                "<b>Quality checks</b> flag readings that look wrong: a flag is a warning kept "
                "beside the value, nothing is deleted. Flagged readings are left out of every "
                "average in this report."
            )
        )
        parts.append(table_html(shown, numeric=("readings flagged", "share", "sensors")))
        parts.append(self._chart(lambda: charts.health(self._zoned(self.checked))).text)
        return Html("".join(parts))

    def _chart(self, make: Any, caption: str | None = None) -> Html:
        from .._errors import ToolkitError

        try:
            return figure(make(), caption=caption)
        except ToolkitError as error:
            return Html(_p(f"No chart here: {_e(error.problem)}"))

    def patterns(self) -> Html:
        """Patterns in time: the typical day and a calendar of daily means."""
        from .. import charts, timeseries

        parts = ["<h2>Patterns in time</h2>"]
        if self.has_pm25 and len(self.hourly):
            hourly, daily, variable = self.hourly, self.daily, "pm25"
            guideline = WHO_GUIDELINE
        else:
            variable = next(
                (v for v in _FALLBACK_VARIABLES if v in self.data.variables),
                self.data.variables[0] if self.data.variables else None,
            )
            if variable is None:
                return Html(parts[0] + _p("There are no readings to show."))
            chosen = self.checked.select(variables=variable)
            hourly = timeseries.average(chosen, "1h")
            daily = timeseries.average(chosen, "day")
            guideline = None
            parts.append(
                _p(f"There is no PM2.5 in these files, so this section shows {_e(variable)}.")
            )
        parts.append(
            _p(
                "<b>The typical day</b>: the mean of each hour of the day (local time) over the "
                "whole period, with its 95 % confidence band."
            )
        )
        parts.append(self._chart(lambda: charts.profile(hourly, variable=variable)).text)
        parts.append(
            _p(
                "<b>Every day</b>: each square is one local day"
                + ("; days above the WHO guideline are outlined." if guideline else ".")
            )
        )
        parts.append(
            self._chart(lambda: charts.calendar(daily, variable=variable, guideline=guideline)).text
        )
        return Html("".join(parts))

    def exceedances(self) -> Html:
        """Days above the WHO guideline and days in each category of the index."""
        import pandas as pd

        from .. import charts

        parts = ["<h2>How often was the air unhealthy?</h2>"]
        if not self.has_pm25:
            return Html(parts[0] + _p("Not counted: there is no PM2.5 in these files."))
        who = self.who
        rows = pd.DataFrame({"sensor": sorted(self.pm25_sources)})
        if who is not None and not who.empty:
            w = who.groupby(who["sensor_id"].astype(str), observed=True)[
                ["periods_valid", "periods_above"]
            ].sum()
            rows["days with enough data"] = [
                int(w["periods_valid"].get(s, 0)) for s in rows["sensor"]
            ]
            rows["days above WHO 15 µg/m³"] = [
                int(w["periods_above"].get(s, 0)) for s in rows["sensor"]
            ]
        index = self.index
        if index is not None and len(index):
            r = index.readings
            r = r[r["valid"].astype(bool) & r["value"].notna()]
            if not r.empty:
                day = self._local_dates(r["time"], r["sensor_id"])
                worst = (
                    pd.DataFrame(
                        {
                            "sensor": r["sensor_id"].astype(str).to_numpy(),
                            "day": day.to_numpy(),
                            "level": r["category"]
                            .astype(str)
                            .map({b.category: b.number for b in self._bands()})
                            .to_numpy(dtype=float),
                        }
                    )
                    .groupby(["sensor", "day"])["level"]
                    .max()
                    .reset_index()
                )
                names = {}
                for band in self._bands():
                    names.setdefault(band.number, band.category)
                for number, category in names.items():
                    label = f"days {category}"
                    if label in rows.columns:
                        continue
                    numbers = [n for n, c in names.items() if c == category]
                    per = worst[worst["level"].isin(numbers)].groupby("sensor").size()
                    if per.sum() == 0 and number > 3:
                        continue
                    rows[label] = [int(per.get(s, 0)) for s in rows["sensor"]]
        numeric = [c for c in rows.columns if c != "sensor"]
        parts.append(
            _p(
                f"For each sensor: days with enough PM2.5 data, days whose mean was above the "
                f"WHO 2021 guideline (15 µg/m³ as a 24-hour mean), and days by their worst "
                f"category in the {_e(self._standard_label)}. {_capital(self._days_text())}."
            )
        )
        parts.append(table_html(rows, numeric=numeric))
        parts.append(
            self._chart(lambda: charts.exceedances(self.daily, guideline=WHO_GUIDELINE)).text
        )
        if index is not None and len(index):
            parts.append(
                self._chart(lambda: charts.index_bands(index, standard=self.standard)).text
            )
        return Html("".join(parts))

    def corrections(self) -> Html:
        """Show what the correction changed (mean before and after), or why none applied."""
        import pandas as pd

        from .. import charts
        from .. import corrections as corr
        from .._errors import ToolkitError

        parts = ["<h2>Corrections: what they change</h2>"]
        parts.append(
            _p(
                "Low-cost particle sensors count light scattered by particles; humid air and "
                "the kind of particles change the count. Published corrections, fitted "
                "against reference monitors, turn the raw value into a better estimate. "
                "Raw values are always kept."
            )
        )
        if not self.has_pm25:
            return Html("".join(parts) + _p("Not applicable: there is no PM2.5 in these files."))
        if self.correction is None:
            return Html("".join(parts) + _p("No correction was chosen for this report."))
        if self.correction_note:
            return Html(
                "".join(parts)
                + _p(f"The {_e(self._correction_name)} was not applied: {_e(self.correction_note)}")
            )
        keys = [self.correction, *(k for k in ("epa_2021", "epa_smoke") if k != self.correction)]
        try:
            table = corr.compare(self._raw_hourly, keys)
        except ToolkitError as error:
            return Html("".join(parts) + _p(f"No comparison: {_e(error.problem)}"))
        table = table[table["values"] > 0]
        shown = pd.DataFrame(
            {
                "correction": table["correction"],
                "sensor-hours": table["values"],
                "corrected": table["corrected"],
                "raw mean (µg/m³)": table["raw_mean"].round(1),
                "corrected mean (µg/m³)": table["mean"].round(1),
                "note": table["note"].fillna(""),
            }
        )
        parts.append(
            _p(
                f"The report uses the {_e(self._correction_name)}; the table sets it beside "
                "other published corrections on the same hours."
            )
        )
        parts.append(
            table_html(
                shown,
                numeric=("sensor-hours", "corrected", "raw mean (µg/m³)", "corrected mean (µg/m³)"),
            )
        )
        parts.append(
            self._chart(
                lambda: charts.corrections(self._raw_hourly, corrections=list(table["key"]))
            ).text
        )
        return Html("".join(parts))

    def places(self) -> Html:
        """Where the sensors are and who is left unmeasured."""
        import pandas as pd

        from .. import charts, equity

        parts = ["<h2>Where are the sensors, and who is not measured?</h2>"]
        s = self.data.sensors
        placed = s["latitude"].notna() & s["longitude"].notna()
        if not placed.any():
            return Html(
                parts[0] + _p("The files give no positions for the sensors, so there is no map.")
            )
        table = self.coverage
        fill = None
        if table is not None and "name" in table.columns:
            fill = table.set_index("name")["sensors_per_10k"]
        caption = None
        if self.share:
            caption = (
                f"Where the sensors are: positions rounded to the centre of a "
                f"{self.precision_m:,.0f} m grid square, so a point may sit a few hundred metres "
                "from the sensor and even across a boundary."
                + (
                    " The shading and the table count each sensor in the neighbourhood of its "
                    "exact position."
                    if table is not None
                    else ""
                )
            )
        parts.append(
            self._chart(
                lambda: charts.sensor_map(
                    self.data,
                    neighbourhoods=self.neighbourhoods,
                    fill=fill,
                    fill_title="PM2.5 sensors per 10,000 residents" if fill is not None else None,
                ),
                caption=caption,
            ).text
        )
        if self.neighbourhoods is None:
            parts.append(
                _p(
                    "No neighbourhood boundaries were given, so sensors cannot be set against "
                    "where people live; add --neighbourhoods and --demographics."
                )
            )
            return Html("".join(parts))
        if table is None:
            parts.append(
                _p("No demographics were given, so sensors cannot be set against residents.")
            )
            return Html("".join(parts))
        if self.unit:
            parts.append(
                _p(
                    "This report covers one part of the data, so it does not count sensors "
                    "per neighbourhood; the report on all the data does."
                )
            )
            return Html("".join(parts))
        shown = pd.DataFrame(
            {
                "neighbourhood": table["name"] if "name" in table.columns else table.iloc[:, 0],
                "residents": table["population"],
                "PM2.5 sensors": table["sensors"],
                "per 10,000 residents": table["sensors_per_10k"].round(1),
            }
        )
        income = next((c for c in table.columns if c.startswith("median_income")), None)
        if income:
            shown["median income"] = table[income]
        parts.append(
            _p(
                "Sensors per neighbourhood and per 10,000 residents. A neighbourhood with no "
                "sensor is invisible in any network average, however polluted its air."
            )
        )
        parts.append(
            table_html(
                shown,
                numeric=("residents", "PM2.5 sensors", "per 10,000 residents", "median income"),
            )
        )
        gini = equity.gini(table)
        parts.append(
            _p(
                f"The Gini coefficient of sensors per resident is {gini:.2f} (0: every resident "
                "has the same share of sensors; towards 1: a few places have them all)."
            )
        )
        if income:
            rho = equity.against(table, income).attrs.get("spearman")
            if rho is not None and rho == rho:
                direction = "richer" if rho > 0 else "poorer"
                parts.append(
                    _p(
                        f"Sensors per resident against median income: Spearman's rank "
                        f"correlation is {rho:.2f}"
                        + (
                            f": {direction} neighbourhoods tend to have more sensors."
                            if abs(rho) >= 0.3
                            else ": no clear pattern."
                        )
                    )
                )
        return Html("".join(parts))

    def _steps(self) -> list[Step]:
        steps: list[Step] = list(self.checked.history)
        if self.has_pm25 and len(self.daily):
            steps += list(self.daily.history) + list(self.hourly.history)
            if self.index is not None:
                steps += list(self.index.history)
            if self.who is not None:
                steps += list(self.who.attrs.get("history", ()))
        return _dedupe(steps)

    def methods(self) -> Html:
        """List every step since loading, with parameters and sources (the methods appendix)."""
        import pandas as pd

        steps = self._steps()
        rows = pd.DataFrame(
            {
                "#": range(1, len(steps) + 1),
                "step": [s.name for s in steps],
                "what it did": [s.description for s in steps],
                "parameters": [
                    ", ".join(f"{k}={v!r}" for k, v in s.parameters.items()) for s in steps
                ],
                "source": [s.citation or "the toolkit's or the user's choice" for s in steps],
                "readings touched": [s.touched for s in steps],
            }
        )
        text = _p(
            "Every step that made the numbers above, in order: what it did, its parameters "
            "(including defaults) and the document it follows. Reading the files is "
            "recorded in the ledger (section on data quality). Times are stored in UTC and "
            f"shown in {_e(self.zone_words)}."
        )
        return Html(
            "<h2>Appendix: methods</h2>"
            + text
            + "<details open><summary>The steps</summary>"
            + table_html(rows, numeric=("#", "readings touched"), fold=("parameters",))
            + "</details>"
        )

    def reproduce(self) -> Html:
        """How to make this report again: the command, the version, the inputs."""
        import pandas as pd

        from .. import __version__

        parts = ["<h2>How to make this report again</h2>"]
        parts.append(
            '<div class="box">'
            + _p("With the same files, this command gives the same report:")
            + f"<pre><code>pip install urban-data-toolkit=={_e(__version__)}\n"
            + f"{_e(self.command)}</code></pre>"
            + (
                _p(
                    "FILES stands for the input files listed below by their SHA-256 "
                    "checksums; their names are left out of the shared version, because file "
                    "names often hold sensor ids or street names."
                )
                if self.share and not self.city
                else ""
            )
            + "</div>"
        )
        if self.inputs:
            frame = pd.DataFrame(self.inputs)
            shown = pd.DataFrame(
                {
                    "input": frame["name"],
                    "role": frame["role"],
                    "bytes": frame["size_bytes"],
                    "SHA-256": frame["sha256"],
                }
            )
            parts.append(
                _p(
                    f"{len(frame)} input file{'s' if len(frame) != 1 else ''}. A SHA-256 "
                    "checksum changes if a single byte of a file changes."
                )
            )
            listing = table_html(shown, numeric=("bytes",))
            if len(frame) > 10:
                listing = (
                    f"<details><summary>The {len(frame)} input files</summary>{listing}</details>"
                )
            parts.append(listing)
        parts.append(
            _p(
                "<code>provenance.json</code>, beside this page, records every parameter "
                "(including defaults), the checksums, the versions of the software used and "
                "the report template's checksum."
            )
        )
        return Html("".join(parts))


def _choose_pm25(averages: SensorData, correction_name: str) -> tuple[SensorData, dict[str, str]]:
    """One PM2.5 series per sensor, as variable ``pm25`` (see the module docstring).

    Returns the averages and, per sensor id, which values its PM2.5 is.
    """
    import pandas as pd

    from ..history import Step

    r = averages.readings
    keep = [
        "sensor_id",
        "time",
        "value",
        "unit",
        "period",
        "end",
        "n_readings",
        "n_expected",
        "coverage",
        "valid",
    ]
    keep = [c for c in keep if c in r.columns]
    ids = r["sensor_id"].astype(str)
    variable = r["variable"].astype(str)
    frames = []
    sources: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for sensor in sorted(set(ids[variable.isin(PM25_VARIABLES)])):
        mine = variable[ids == sensor]
        for name in PM25_VARIABLES:
            if (mine == name).any():
                break
        rows = r[(ids == sensor) & (variable == name)]
        if name == "pm25_atm" and "channel" in rows.columns and rows["channel"].notna().any():
            rows = _channel_mean(rows[keep])
            label = "pm25_atm, mean of channels A and B (uncorrected)"
        else:
            rows = rows[keep]
            label = {
                "pm25_corrected": f"pm25_corrected ({correction_name})",
                "pm25": "pm25 as measured",
                "pm25_atm": "pm25_atm (uncorrected)",
            }[name]
        frames.append(rows)
        sources[sensor] = label
        groups.setdefault(label, []).append(sensor)
    readings = pd.concat(frames, ignore_index=True) if frames else r.iloc[0:0][keep]
    readings.insert(2, "variable", "pm25")
    readings["variable"] = pd.Categorical(readings["variable"])
    readings["sensor_id"] = pd.Categorical(readings["sensor_id"].astype(str))
    readings["valid"] = readings["valid"].astype(bool) & readings["value"].notna()
    step = Step(
        "report_pm25",
        "Took one PM2.5 series per sensor for the report, in this order of preference: "
        "corrected values, values as measured, the mean of uncorrected channels A and B; "
        "named pm25 from here on.",
        parameters={"sources": groups},
        citation="",
        touched=len(readings),
    )
    return averages.replace(readings=readings, step=step), sources


def _channel_mean(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean of channels per sensor and period, valid only when every channel is valid."""
    grouped = rows.assign(valid=rows["valid"].astype(bool)).groupby(
        [rows["sensor_id"].astype(str), "time"], sort=True
    )
    out = grouped.agg(
        value=("value", "mean"),
        unit=("unit", "first"),
        **{c: (c, "first") for c in ("period", "end") if c in rows.columns},
        **{c: (c, "sum") for c in ("n_readings", "n_expected") if c in rows.columns},
        **({"coverage": ("coverage", "min")} if "coverage" in rows.columns else {}),
        valid=("valid", "all"),
        channels=("value", "size"),
    ).reset_index()
    out.loc[out["channels"] < 2, "valid"] = False
    return out.drop(columns="channels")
