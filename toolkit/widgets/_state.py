"""The explorer's state: what is shown and by which rules, without any widget.

:class:`ExploreState` holds the choices a person makes in :func:`toolkit.widgets.explore`
(variable, sensors, averaging period, data-capture threshold, standard, correction, kind
of chart) and turns them into a chart and a caption with the toolkit's own functions. The
widgets only copy control values into :meth:`ExploreState.update` and show the result, so
everything here can be tested without a browser or a kernel.

Keeping the choices consistent
------------------------------
Controls offer only what fits the data (:meth:`ExploreState.choices`):

* **variables** present in the readings;
* **sensors** that measured the chosen variable;
* **standards** for the chosen pollutant: guidelines and limit values
  (:func:`toolkit.indices.exceedances`), and indices (:func:`toolkit.indices.aqi`) for
  variables named like an index pollutant (``pm25``, ``pm10``, ``no2``, ``o3``, ``so2``,
  ``co``). Raw PurpleAir values (``pm25_atm``, ``pm25_cf1``) and corrected values
  (``pm25_corrected``) are compared with PM2.5 guidelines, with a note saying so;
* **corrections** (:mod:`toolkit.corrections`) whose input is the chosen variable, made
  for one of the data's makers, with the humidity they need, for hourly or daily means
  (what they were fitted on).

A choice that no longer fits after another changed (a standard for PM2.5 after switching
to temperature) is switched off, and :attr:`ExploreState.messages` says why.

Heavy work is cached: averaging (and correcting) happens once per variable, period,
data-capture threshold, correction and time zone; choosing sensors, standards or charts
reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .._errors import DataFormatError, MissingColumnError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from ..sensordata import SensorData

__all__ = [
    "CORRECTION_PERIODS",
    "PERIODS",
    "VIEWS",
    "Choices",
    "ExploreState",
    "Settings",
    "corrections_for",
    "pollutant_of",
    "standards_for",
]

#: Averaging periods the explorer offers, with their names in plain words.
PERIODS = {
    "10min": "10 minutes",
    "1h": "hour",
    "8h": "8 hours",
    "day": "day (local)",
    "week": "week (Monday to Sunday)",
    "month": "month",
}
#: Kinds of chart, with what each shows.
VIEWS = {
    "timeseries": "time series",
    "calendar": "calendar of daily means",
    "daily cycle": "daily cycle (hour of day)",
    "weekly cycle": "weekly cycle (day of week)",
    "distribution": "distribution",
}
#: Periods the published corrections were fitted on (see :mod:`toolkit.corrections`).
CORRECTION_PERIODS = ("1h", "day")
#: Index pollutants: the variable names the index tables use.
INDEX_POLLUTANTS = ("pm25", "pm10", "no2", "o3", "so2", "co", "nh3")
# Raw and corrected particle variables compared with the guidelines of their pollutant.
_SIBLINGS = {
    "pm25": ("pm25_atm", "pm25_cf1", "pm25_alt", "pm25_corrected"),
    "pm10": ("pm10_atm", "pm10_cf1"),
}
# Averaged results kept per state; a few are enough for going back and forth.
_CACHE_SIZE = 8
_NONE_STANDARD = "none"
_NONE_CORRECTION = "none (raw values)"


@dataclass(frozen=True)
class Settings:
    """The choices behind one chart (see :class:`ExploreState`).

    Attributes
    ----------
    variable
        Canonical variable of the readings (the correction's input when one is chosen).
    sensors
        Sensor ids to show; empty means every sensor with the variable.
    period
        Averaging period (a key of :data:`PERIODS`, or any period
        :func:`toolkit.timeseries.average` accepts).
    min_coverage
        Data capture (0-1) a period needs to be valid.
    standard
        A guideline or index name (``toolkit.standards.list()``), or ``None``.
    correction
        A correction key (``toolkit.corrections.CORRECTIONS``), or ``None``.
    view
        Kind of chart, a key of :data:`VIEWS`.
    timezone
        ``"local"`` (each sensor's zone) or an IANA name such as ``"UTC"``.
    """

    variable: str
    sensors: tuple[str, ...] = ()
    period: str = "1h"
    min_coverage: float = 0.75
    standard: str | None = None
    correction: str | None = None
    view: str = "timeseries"
    timezone: str = "local"


@dataclass(frozen=True)
class Choices:
    """What each control may offer now: lists of ``(label, value)`` pairs.

    Attributes
    ----------
    variables, sensors, periods, standards, corrections, views
        Options in display order; ``standards`` and ``corrections`` start with a
        "none" option whose value is ``None``.
    """

    variables: list[tuple[str, str]]
    sensors: list[tuple[str, str]]
    periods: list[tuple[str, str]]
    standards: list[tuple[str, str | None]]
    corrections: list[tuple[str, str | None]]
    views: list[tuple[str, str]]


# -- what fits a variable -------------------------------------------------------------
def pollutant_of(variable: str) -> str | None:
    """Return the pollutant whose guidelines apply to ``variable``, or ``None``.

    Examples
    --------
    >>> pollutant_of("pm25"), pollutant_of("pm25_corrected"), pollutant_of("humidity")
    ('pm25', 'pm25', None)
    """
    if variable in INDEX_POLLUTANTS:
        return variable
    for pollutant, siblings in _SIBLINGS.items():
        if variable in siblings:
            return pollutant
    return None


def standards_for(variable: str) -> list[tuple[str, str]]:
    """Return the standards that can judge ``variable``, as ``(label, name)`` pairs.

    Indices come first (only for variables named like an index pollutant: an index of
    raw sensor values should be a choice made in code, see :func:`toolkit.indices.aqi`),
    then guidelines and limit values of the pollutant that
    :func:`toolkit.indices.exceedances` can count (not WHO's ozone peak season).

    Parameters
    ----------
    variable
        A canonical variable name.

    Returns
    -------
    list of (str, str)
        Labels (e.g. ``"index: US EPA AQI (2024, EPA-454/B-24-002)"``) and names.

    Examples
    --------
    >>> names = [name for _, name in standards_for("pm25")]
    >>> "us_epa_2024" in names, "who_2021_pm25_24h" in names
    (True, True)
    >>> standards_for("temperature")
    []
    """
    from .. import standards

    pollutant = pollutant_of(variable)
    if pollutant is None:
        return []
    table = standards.list()
    fits = table["variables"].str.split(", ").map(lambda names: pollutant in names)
    out: list[tuple[str, str]] = []
    if variable == pollutant:
        for row in table[fits & (table["kind"] != "guideline")].itertuples():
            out.append((f"index: {row.label}", str(row.name)))
    guidelines = table[
        fits & (table["kind"] == "guideline") & (table["averaging"] != "peak season")
    ]
    for row in guidelines.itertuples():
        out.append((f"{row.label}", str(row.name)))
    return out


def corrections_for(data: SensorData, variable: str) -> list[tuple[str, str]]:
    """Return the corrections that apply to ``variable`` in ``data``, as ``(name, key)``.

    A correction fits when its input is ``variable``, at least one sensor with that
    variable is of the maker it was made for (``sensors.source``), and the humidity it
    needs is in the data.

    Examples
    --------
    >>> from toolkit.sensordata import SensorData
    >>> corrections_for(SensorData.empty(), "pm25_cf1")
    []
    """
    from .. import corrections

    readings = data.readings
    present = set(data.variables)
    if variable not in present:
        return []
    mine = readings.loc[readings["variable"] == variable, "sensor_id"].unique()
    with_variable = {str(s) for s in mine}
    table = data.sensors
    sources = {
        str(source).strip().lower()
        for sensor, source in zip(table["sensor_id"], table.get("source", []), strict=False)
        if str(sensor) in with_variable
    }
    out = []
    for key, item in corrections.CORRECTIONS.items():
        if item.input != variable or not sources & {m.lower() for m in item.sources}:
            continue
        if item.needs_humidity and "humidity" not in present:
            continue
        out.append((item.name, key))
    return out


# -- the state ----------------------------------------------------------------------------
class ExploreState:
    """The explorer without widgets: settings in, chart, caption and table out.

    Parameters
    ----------
    data
        Readings as loaded (not averaged; the state averages them). Not changed.
    **settings
        Initial choices, the fields of :class:`Settings`; ``variable`` defaults to the
        first of PM2.5, PM10, NO2, O3 (raw PurpleAir PM2.5 after them) in the data, else
        the first variable; ``timezone`` to ``"local"`` when every sensor has a zone,
        else ``"UTC"``.

    Attributes
    ----------
    settings : Settings
        The current, consistent choices.
    messages : list of str
        Why a choice was switched off or means something else than it may seem, in
        plain words; empty when there is nothing to say.

    Raises
    ------
    DataFormatError
        For data without readings, or averages (pass the readings as loaded).
    MissingColumnError
        For an initial variable that is not in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, normalise_readings
    >>> readings = normalise_readings(pd.DataFrame({"sensor_id": "s", "variable": "pm25",
    ...     "time": pd.date_range("2024-01-01", periods=120, freq="1min", tz="UTC"),
    ...     "value": 10.0, "unit": "µg/m³"}))
    >>> state = ExploreState(SensorData(readings, pd.DataFrame({"sensor_id": ["s"]})))
    >>> state.settings.variable, state.settings.timezone
    ('pm25', 'UTC')
    >>> state.table()["value"].tolist()
    [10.0, 10.0]
    """

    def __init__(self, data: SensorData, **settings: Any) -> None:
        from ..timeseries import AVERAGED_COLUMNS

        if data.readings.empty:
            raise DataFormatError(
                "There are no readings to explore.",
                found="0 readings",
                fix="Load some data first, e.g. data = toolkit.load('my_files/').",
            )
        averaged = [c for c in AVERAGED_COLUMNS if c in data.readings.columns]
        if averaged:
            raise DataFormatError(
                "The explorer averages the readings itself, and these are averages already.",
                found=f"columns {averaged}",
                fix="Pass the readings as loaded (before toolkit.timeseries.average).",
            )
        self.data = data
        self.messages: list[str] = []
        self._averages: dict[tuple[Any, ...], SensorData] = {}
        self._charts: dict[Settings, Any] = {}
        variable = settings.pop("variable", None) or _default_variable(data.variables)
        self._check_variable(variable)
        zone = settings.pop("timezone", None) or self._default_timezone()
        self.settings = Settings(variable=variable, timezone=zone)
        self.update(**settings)

    # -- choosing ------------------------------------------------------------------------
    def update(self, **changes: Any) -> Settings:
        """Change some settings; others that no longer fit are switched off, with a message.

        Parameters
        ----------
        **changes
            Fields of :class:`Settings`. ``sensors`` may be a list; an empty list (or
            ``None``) means every sensor.

        Returns
        -------
        Settings
            The new settings (also in :attr:`settings`).

        Raises
        ------
        MissingColumnError
            For a variable that is not in the data.
        ValueError
            For an unknown field, period or view, or a ``min_coverage`` outside 0-1.
        """
        from .._periods import parse_period

        unknown = sorted(set(changes) - set(Settings.__dataclass_fields__))
        if unknown:
            msg = (
                f"Unknown setting(s) {', '.join(unknown)}; the explorer's settings are "
                f"{', '.join(Settings.__dataclass_fields__)}."
            )
            raise ValueError(msg)
        if "sensors" in changes:
            chosen = changes["sensors"]
            changes["sensors"] = tuple(
                () if chosen is None else [chosen] if isinstance(chosen, str) else chosen
            )
        if "variable" in changes:
            self._check_variable(changes["variable"])
        if "period" in changes:
            changes["period"] = parse_period(changes["period"]).name
        if "min_coverage" in changes:
            share = float(changes["min_coverage"])
            if not 0 <= share <= 1:
                msg = f"min_coverage must be a share from 0 to 1 (0.75 is 75 %), not {share}."
                raise ValueError(msg)
            changes["min_coverage"] = share
        if changes.get("view", "timeseries") not in VIEWS:
            msg = f"view must be one of {', '.join(map(repr, VIEWS))}, not {changes['view']!r}."
            raise ValueError(msg)
        self.settings = self._consistent(replace(self.settings, **changes))
        return self.settings

    def choices(self) -> Choices:
        """Return what each control may offer for the current settings."""
        from .. import variables as _variables
        from ..captions import variable_label

        settings = self.settings
        variables = [
            (f"{variable_label(v)} [{_variables.get(v).unit}]", v) for v in self.data.variables
        ]
        sensors = [(self._sensor_label(s), s) for s in self._sensors_with(settings.variable)]
        standards = [(_NONE_STANDARD, None), *standards_for(self.shown_variable)]
        corrections: list[tuple[str, str | None]] = [(_NONE_CORRECTION, None)]
        if settings.period in CORRECTION_PERIODS:
            corrections += corrections_for(self.data, settings.variable)
        return Choices(
            variables=variables,
            sensors=sensors,
            periods=[(label, name) for name, label in PERIODS.items()],
            standards=standards,  # type: ignore[arg-type]
            corrections=corrections,
            views=[(label, name) for name, label in VIEWS.items()],
        )

    @property
    def shown_variable(self) -> str:
        """The variable the chart shows: the correction's output, or the variable."""
        from .. import corrections

        correction = self.settings.correction
        return corrections.get(correction).output if correction else self.settings.variable

    @property
    def is_index(self) -> bool:
        """True when the chosen standard is an index (the chart then shows index bands)."""
        from .. import standards

        name = self.settings.standard
        return name is not None and not isinstance(standards.get(name), standards.Guideline)

    # -- results ---------------------------------------------------------------------------
    def averaged(self, period: str | None = None) -> SensorData:
        """Return the averages of every sensor with the variable (cached).

        Parameters
        ----------
        period
            The period to average over; the settings' period when ``None``.

        Returns
        -------
        SensorData
            Made by :func:`toolkit.timeseries.average` with the settings' data capture
            and time zone, then corrected with :func:`toolkit.corrections.correct` when
            a correction is chosen (its output beside the raw values). The history
            records every step.
        """
        from .. import corrections
        from ..timeseries import average

        settings = self.settings
        period = period or settings.period
        key = (
            settings.variable,
            period,
            settings.min_coverage,
            settings.correction,
            settings.timezone,
        )
        if key in self._averages:
            return self._averages[key]
        wanted = [settings.variable]
        if settings.correction and corrections.get(settings.correction).needs_humidity:
            wanted.append("humidity")
        part = self.data.select(variables=wanted)
        result = average(
            part, period, timezone=settings.timezone, min_coverage=settings.min_coverage
        )
        if settings.correction:
            result = corrections.correct(result, settings.correction, timezone=settings.timezone)
        if len(self._averages) >= _CACHE_SIZE:
            self._averages.pop(next(iter(self._averages)))
        self._averages[key] = result
        return result

    def selection(self) -> SensorData:
        """Return what the chart draws from: the shown variable of the chosen sensors.

        A time series and a distribution use the chosen period, a calendar daily means,
        the daily and weekly cycles hourly means; an index uses the readings as loaded
        (the index averages them as its standard says).
        """
        settings = self.settings
        sensors = list(settings.sensors) or None
        if self.is_index:
            return self.data.select(variables=self.shown_variable, sensors=sensors)
        period = {"calendar": "day", "daily cycle": "1h", "weekly cycle": "1h"}.get(
            settings.view, settings.period
        )
        return self.averaged(period).select(variables=self.shown_variable, sensors=sensors)

    def table(self) -> pd.DataFrame:
        """Return the numbers behind the chart.

        Returns
        -------
        pandas.DataFrame
            The averaged readings (time series, calendar, distribution), the profile
            table of :func:`toolkit.timeseries.profile` (cycles), or the index of
            :func:`toolkit.indices.aqi` (an index standard).
        """
        from .. import indices
        from ..timeseries import profile

        settings = self.settings
        chosen = self.selection()
        if self.is_index:
            return indices.aqi(
                chosen, standard=str(settings.standard), timezone=settings.timezone
            ).readings
        if settings.view in ("daily cycle", "weekly cycle"):
            by = "hour" if settings.view == "daily cycle" else "weekday"
            return profile(chosen, by=by, timezone=settings.timezone)
        return chosen.readings

    def chart(self) -> Any:
        """Return the chart for the current settings (cached), made by :mod:`toolkit.charts`."""
        if self.settings not in self._charts:
            if len(self._charts) >= _CACHE_SIZE:
                self._charts.pop(next(iter(self._charts)))
            self._charts[self.settings] = draw(self)
        return self._charts[self.settings]

    def caption(self) -> str:
        """Return the chart's caption in plain words (:func:`toolkit.captions.caption`)."""
        return describe(self, self.chart())

    # -- helpers ---------------------------------------------------------------------------
    def _check_variable(self, variable: str) -> None:
        if variable not in self.data.variables:
            raise MissingColumnError(
                f"The variable {variable!r} is not in this data.",
                found=f"variables {', '.join(self.data.variables)}",
                fix="Choose one of those, e.g. explore(data, variable="
                f"{_default_variable(self.data.variables)!r}).",
            )

    def _default_timezone(self) -> str:
        zones = self.data.sensors.get("timezone")
        used = {str(s) for s in self.data.readings["sensor_id"].unique()}
        known = (
            {
                str(s)
                for s, z in zip(self.data.sensors["sensor_id"], zones, strict=True)
                if isinstance(z, str) and z
            }
            if zones is not None
            else set()
        )
        return "local" if used <= known else "UTC"

    def _sensors_with(self, variable: str) -> list[str]:
        readings = self.data.readings
        present = readings.loc[readings["variable"] == variable, "sensor_id"]
        return sorted({str(s) for s in present.unique()})

    def _sensor_label(self, sensor: str) -> str:
        table = self.data.sensors
        if "name" not in table.columns:
            return sensor
        names = table.loc[table["sensor_id"].astype(str) == sensor, "name"]
        name = str(names.iloc[0]) if len(names) and isinstance(names.iloc[0], str) else ""
        return f"{name} ({sensor})" if name and name != sensor else sensor

    def _consistent(self, settings: Settings) -> Settings:
        """Switch off what no longer fits, and say why in :attr:`messages`."""
        from .. import corrections, standards
        from ..captions import period_words

        notes: list[str] = []
        with_variable = self._sensors_with(settings.variable)
        kept = tuple(s for s in settings.sensors if s in with_variable)
        if len(kept) < len(settings.sensors):
            left = sorted(set(settings.sensors) - set(kept))
            notes.append(
                f"{', '.join(left)} ha{'s' if len(left) == 1 else 've'} no "
                f"{settings.variable} readings and {'is' if len(left) == 1 else 'are'} left out."
            )
        settings = replace(settings, sensors=kept)
        if settings.correction is not None:
            fits = {k: n for n, k in corrections_for(self.data, settings.variable)}
            if settings.correction not in fits:
                notes.append(
                    f"The correction {settings.correction!r} does not apply to "
                    f"{settings.variable} in this data, so it is switched off "
                    f"(corrections that apply: {', '.join(fits) or 'none'})."
                )
                settings = replace(settings, correction=None)
            elif settings.period not in CORRECTION_PERIODS:
                notes.append(
                    "Corrections were fitted on hourly or daily means, so none is applied to "
                    f"{period_words(settings.period)[0]} means; choose the hour or the day "
                    "to correct."
                )
                settings = replace(settings, correction=None)
        shown = (
            corrections.get(settings.correction).output
            if settings.correction
            else settings.variable
        )
        if settings.standard is not None:
            fits_standard = [name for _, name in standards_for(shown)]
            if settings.standard not in fits_standard:
                standards.get(settings.standard)  # an unknown name is an error, not a note
                notes.append(
                    f"{settings.standard!r} does not judge {shown}, so no standard is shown."
                )
                settings = replace(settings, standard=None)
        if settings.standard is not None:
            found = standards.get(settings.standard)
            if isinstance(found, standards.Guideline):
                if shown != found.variable:
                    notes.append(
                        f"{found.label} is set for {found.variable}; {shown} is compared with "
                        "it as it is."
                    )
                wanted = {"1h": "1h", "24h": "day", "year": "year"}.get(found.averaging)
                if settings.view not in ("timeseries", "calendar"):
                    notes.append(
                        f"The {VIEWS[settings.view]} chart draws no guideline; choose the "
                        "time series or the calendar to compare with it."
                    )
                elif settings.view == "timeseries" and wanted != settings.period:
                    notes.append(
                        f"The guideline is for {found.averaging} means and the chart shows "
                        f"{period_words(settings.period)[0]} means: compare with care"
                        f"{f' (choose {wanted!r})' if wanted else ''}."
                    )
            else:
                notes.append(
                    f"{found.label} averages the readings as its standard says, so the "
                    "period, data-capture and chart choices do not apply to it."
                )
        if self._default_timezone() == "UTC" and settings.timezone in ("UTC", "local"):
            notes.append(
                "Some sensors have no time zone, so days and hours are in UTC; say where "
                "they are with data = data.with_timezone('Europe/London') (your zone)."
            )
            settings = replace(settings, timezone="UTC")
        self.messages = notes
        return settings


def _default_variable(present: Sequence[str]) -> str:
    """Return the variable to show first: a pollutant people know, else the first one."""
    for name in ("pm25", "pm10", "no2", "o3", "pm25_atm", "pm25_cf1", "laeq"):
        if name in present:
            return name
    return present[0]


# -- drawing: the only place that knows the chart functions --------------------------------
def draw(state: ExploreState) -> Any:
    """Make the chart for ``state`` with :mod:`toolkit.charts` (see :meth:`ExploreState.chart`).

    The chart gets the state's own averages (made with its data-capture threshold), so
    that what is drawn is what :meth:`ExploreState.table` holds. Where averages over a
    short period are more than a chart can show (many sensors, ten-minute means over
    months), the readings are handed over instead and the chart chooses a longer period
    and says so.
    """
    from .. import charts, standards

    settings = state.settings
    data = state.selection()
    variable = state.shown_variable
    zone = settings.timezone
    if state.is_index:
        return charts.index_bands(data, standard=str(settings.standard), timezone=zone)
    guideline = None
    if settings.standard is not None and isinstance(
        standards.get(settings.standard), standards.Guideline
    ):
        guideline = settings.standard
    if settings.view == "calendar":
        return charts.calendar(data, variable=variable, guideline=guideline, timezone=zone)
    if settings.view in ("daily cycle", "weekly cycle"):
        by = "hour" if settings.view == "daily cycle" else "weekday"
        return charts.profile(data, variable=variable, by=by, timezone=zone)
    if settings.view == "distribution":
        return charts.distribution(data, variable=variable)
    try:
        return charts.timeseries(
            data, variable=variable, period=settings.period, guideline=guideline, timezone=zone
        )
    except charts.ChartSizeError:
        if settings.correction:
            raise
        raw = state.data.select(variables=variable, sensors=list(settings.sensors) or None)
        return charts.timeseries(
            raw, variable=variable, period=settings.period, guideline=guideline, timezone=zone
        )


def describe(state: ExploreState, chart: Any) -> str:
    """Return the caption of ``chart`` (see :meth:`ExploreState.caption`)."""
    from ..captions import caption

    return caption(chart)
