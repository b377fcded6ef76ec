"""Widgets for notebooks: an explorer and guided questions, built on the toolkit's own steps.

:func:`explore`
    Controls for the variable, sensors, averaging period, data capture, standard,
    correction and kind of chart, updating a chart (:mod:`toolkit.charts`) and its
    caption. The logic is :class:`ExploreState`, usable (and tested) without widgets.
:func:`guide`
    A menu of guided questions, each answered with a chart and a caption in plain words:

    * "Is the air worse on weekdays?" (:func:`weekday_vs_weekend`)
    * "Which sensor disagrees with its neighbours?" (:func:`disagreeing_sensors`)
    * "How many unhealthy days were there, by each standard?" (:func:`unhealthy_days`)

    Each function returns an :class:`Answer` (``.chart``, ``.caption``, ``.table``,
    ``.widget()``), so a lesson or a report can use the answer without widgets.

Typical use::

    from toolkit import datasets, widgets
    city = datasets.load_city()
    widgets.explore(city.data)
    widgets.weekday_vs_weekend(city.data).caption
    widgets.guide(city.data)

Widgets need ``ipywidgets`` (the ``lab`` extra); the states and answers do not. Widgets
live only in a running kernel: a report rendered to HTML should show answers' charts
and captions, not widgets.
"""

from __future__ import annotations

from ._explore import AnswerView, Explorer, Guide, explore, guide
from ._presets import (
    QUESTIONS,
    UNHEALTHY_FROM,
    Answer,
    ask,
    disagreeing_sensors,
    unhealthy_days,
    weekday_vs_weekend,
)
from ._state import (
    PERIODS,
    VIEWS,
    Choices,
    ExploreState,
    Settings,
    corrections_for,
    pollutant_of,
    standards_for,
)

__all__ = [
    "PERIODS",
    "QUESTIONS",
    "UNHEALTHY_FROM",
    "VIEWS",
    "Answer",
    "AnswerView",
    "Choices",
    "ExploreState",
    "Explorer",
    "Guide",
    "Settings",
    "ask",
    "corrections_for",
    "disagreeing_sensors",
    "explore",
    "guide",
    "pollutant_of",
    "standards_for",
    "unhealthy_days",
    "weekday_vs_weekend",
]
