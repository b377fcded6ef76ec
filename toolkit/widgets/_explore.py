"""The ipywidgets layer: controls wired to :class:`ExploreState` and to the guided answers.

Nothing here computes: each control's ``observe`` callback passes its value to the state
(:meth:`ExploreState.update`), then the controls are set to what the state now offers
and the chart and caption are redrawn. Errors the toolkit explains (too little data, a
missing time zone) are shown as a message instead of breaking the widget.

``ipywidgets`` is imported inside the functions, so that ``import toolkit.widgets``
works without it (it is in the ``lab`` extra).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..sensordata import SensorData
    from ._presets import Answer
    from ._state import ExploreState

__all__ = ["AnswerView", "Explorer", "Guide", "explore", "guide"]

# Dropdowns cannot show a selected ``None``: "no standard" and "no correction" are "".
_NONE = ""
_LABELS = {
    "variable": "Variable",
    "sensors": "Sensors",
    "period": "Average over",
    "min_coverage": "Min. data",
    "standard": "Standard",
    "correction": "Correction",
    "view": "Chart",
}


def explore(data: SensorData, **settings: Any) -> Explorer:
    """Explore data with controls: variable, sensors, period, data capture, standard, correction.

    Parameters
    ----------
    data
        Readings as loaded (the explorer averages them). Not changed.
    **settings
        Initial choices: ``variable``, ``sensors``, ``period`` (``"1h"``), ``min_coverage``
        (0.75), ``standard``, ``correction``, ``view`` (``"timeseries"``) and
        ``timezone`` (see :class:`toolkit.widgets.Settings`).

    Returns
    -------
    Explorer
        Shows itself in a notebook; ``.state`` holds the logic, ``.controls`` the widgets.

    Examples
    --------
    ::

        from toolkit import datasets, widgets
        city = datasets.load_city()
        widgets.explore(city.data, variable="pm25", period="day")
    """
    from ._state import ExploreState

    return Explorer(ExploreState(data, **settings))


class Explorer:
    """Controls, a chart, its caption and messages, all driven by an :class:`ExploreState`.

    Attributes
    ----------
    state : ExploreState
        The logic; ``state.settings`` are the current choices.
    controls : dict of str to ipywidgets.Widget
        One control per setting: ``variable``, ``sensors``, ``period``, ``min_coverage``,
        ``standard``, ``correction``, ``view``. Setting a control's ``value`` in code
        works as clicking it does.
    output : ipywidgets.Output
        Where the chart is shown.
    caption, message : ipywidgets.HTML
        The caption, and notes on choices that were switched off or failed.
    view : ipywidgets.VBox
        Everything, laid out.
    chart
        The chart shown, or ``None`` when it could not be made (see ``message``).
    """

    def __init__(self, state: ExploreState) -> None:
        import ipywidgets as w

        self.state = state
        self.chart: Any = None
        self._busy = False
        style = {"description_width": "initial"}
        self.controls: dict[str, Any] = {
            "variable": w.Dropdown(description=_LABELS["variable"], style=style),
            "sensors": w.SelectMultiple(description=_LABELS["sensors"], rows=5, style=style),
            "period": w.Dropdown(description=_LABELS["period"], style=style),
            "min_coverage": w.FloatSlider(
                min=0.0,
                max=1.0,
                step=0.05,
                readout_format=".0%",
                description=_LABELS["min_coverage"],
                style=style,
            ),
            "standard": w.Dropdown(description=_LABELS["standard"], style=style),
            "correction": w.Dropdown(description=_LABELS["correction"], style=style),
            "view": w.Dropdown(description=_LABELS["view"], style=style),
        }
        self.controls["sensors"].tooltip = "None selected: every sensor"
        self.output = w.Output()
        self.caption = w.HTML()
        self.message = w.HTML()
        self._sync()
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        c = self.controls
        self.view = w.VBox(
            [
                w.HBox([w.VBox([c["variable"], c["period"], c["min_coverage"]]), c["sensors"]]),
                w.HBox([c["view"], c["standard"], c["correction"]]),
                self.message,
                self.output,
                self.caption,
            ]
        )
        self.redraw()

    def _changed(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        name = next(k for k, v in self.controls.items() if v is change["owner"])
        value = change["new"]
        if name in ("standard", "correction") and value == _NONE:
            value = None
        try:
            self.state.update(**{name: value})
        except (ValueError, KeyError) as err:  # the toolkit's friendly errors
            self._say([str(err)])
            return
        self._sync()
        self.redraw()

    def _sync(self) -> None:
        """Set every control to what the state offers and holds, without callbacks."""
        choices = self.state.choices()
        settings = self.state.settings
        wanted = {
            "variable": (choices.variables, settings.variable),
            "sensors": (choices.sensors, settings.sensors),
            "period": (_with(choices.periods, settings.period), settings.period),
            "standard": (_blank(choices.standards), settings.standard or _NONE),
            "correction": (_blank(choices.corrections), settings.correction or _NONE),
            "view": (choices.views, settings.view),
        }
        self._busy = True
        try:
            for name, (options, value) in wanted.items():
                control = self.controls[name]
                if tuple(control.options) != tuple(options):
                    control.options = options
                if control.value != value:
                    control.value = value
            if self.controls["min_coverage"].value != settings.min_coverage:
                self.controls["min_coverage"].value = settings.min_coverage
            index = self.state.is_index
            for name in ("period", "min_coverage", "view"):
                self.controls[name].disabled = index
        finally:
            self._busy = False

    def redraw(self) -> None:
        """Make the chart and caption for the current settings and show them."""
        notes = list(self.state.messages)
        try:
            self.chart = self.state.chart()
            caption = self.state.caption()
        except (ValueError, KeyError) as err:  # too little data, a missing zone...
            self.chart = None
            caption = ""
            notes.append(str(err))
        show(self.output, self.chart)
        self.caption.value = f"<p>{html.escape(caption)}</p>" if caption else ""
        self._say(notes)

    def _say(self, notes: list[str]) -> None:
        self.message.value = _notes_html(notes)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:  # pragma: no cover - front end
        return self.view._repr_mimebundle_(**kwargs)


def _blank(options: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """Options with the ``None`` value written as ``""`` (see :data:`_NONE`)."""
    return [(label, _NONE if value is None else value) for label, value in options]


def _with(options: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """Options that include ``value`` (a period given in code but not offered, e.g. 15min)."""
    if any(v == value for _, v in options):
        return options
    return [*options, (value, value)]


def _notes_html(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n).replace(chr(10), '<br>')}</li>" for n in notes)
    return f"<ul style='color:#8a4b00'>{items}</ul>"


def show(output: Any, obj: Any) -> None:
    """Show ``obj`` (a chart or a table) in an ``ipywidgets.Output``, replacing what was there.

    In a kernel the object is displayed as usual (so the chart renders); without one
    (scripts, tests) a plain-text record is kept in ``output.outputs``.
    """
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:  # pragma: no cover
        from IPython.display import display

        output.clear_output(wait=True)
        if obj is not None:
            with output:
                display(obj)
        return
    if obj is None:
        output.outputs = ()
        return
    text = _text_of(obj)
    output.outputs = (
        {"output_type": "display_data", "data": {"text/plain": text}, "metadata": {}},
    )


def _text_of(obj: Any) -> str:
    """Return a short text standing in for a chart or table where nothing renders it."""
    if hasattr(obj, "to_string"):
        return str(obj.to_string())
    for name in ("description", "title"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return repr(obj)


# -- guided answers -------------------------------------------------------------------------
class AnswerView:
    """An :class:`Answer` shown with a variable chooser; choosing asks again.

    Attributes
    ----------
    answer : Answer
        The answer shown.
    variable : ipywidgets.Dropdown
        The variables the question can be asked of.
    output, table : ipywidgets.Output
        The chart, and the numbers (in a collapsed section).
    caption, message : ipywidgets.HTML
    view : ipywidgets.VBox
    """

    def __init__(self, answer: Answer) -> None:
        import ipywidgets as w

        self.answer = answer
        from ..captions import variable_label

        names = list(answer.details.get("variables", ())) or [answer.variable]
        options = [
            (f"{variable_label(v)} ({v})" if variable_label(v) != v else v, v) for v in names
        ]
        self.variable = w.Dropdown(options=options, value=answer.variable, description="Variable")
        self.variable.disabled = answer.redo is None
        self.output = w.Output()
        self.table = w.Output()
        self.caption = w.HTML()
        self.message = w.HTML()
        numbers = w.Accordion(children=[self.table])
        numbers.set_title(0, "The numbers")
        numbers.selected_index = None
        self.view = w.VBox(
            [
                w.HTML(f"<h4>{html.escape(answer.question)}</h4>"),
                self.variable,
                self.message,
                self.output,
                self.caption,
                numbers,
            ]
        )
        self.variable.observe(self._changed, names="value")
        self._show()

    def _changed(self, change: dict[str, Any]) -> None:
        if self.answer.redo is None or change["new"] == self.answer.variable:
            return
        try:
            self.answer = self.answer.redo(variable=change["new"])
        except (ValueError, KeyError) as err:
            self.message.value = _notes_html([str(err)])
            return
        self._show()

    def _show(self) -> None:
        self.message.value = ""
        show(self.output, self.answer.chart)
        show(self.table, self.answer.table)
        self.caption.value = f"<p>{html.escape(self.answer.caption)}</p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:  # pragma: no cover - front end
        return self.view._repr_mimebundle_(**kwargs)


def answer_view(answer: Answer) -> AnswerView:
    """Return the widget view of an answer (see :meth:`Answer.widget`)."""
    return AnswerView(answer)


class Guide:
    """Choose a guided question; its answer is shown below (see :func:`guide`).

    Attributes
    ----------
    question : ipywidgets.Dropdown
        The questions of :data:`toolkit.widgets.QUESTIONS`.
    answer : AnswerView or None
        The view of the current answer; ``None`` when the data cannot answer it.
    message : ipywidgets.HTML
        Why a question cannot be answered, if so.
    view : ipywidgets.VBox
    """

    def __init__(self, data: SensorData, **options: Any) -> None:
        import ipywidgets as w

        from ._presets import QUESTIONS

        self.data = data
        self.options = options
        self.question = w.Dropdown(
            options=[(text, key) for key, (text, _) in QUESTIONS.items()],
            description="Question",
            style={"description_width": "initial"},
        )
        self.message = w.HTML()
        self.answer: AnswerView | None = None
        self.view = w.VBox([self.question, self.message])
        self.question.observe(lambda _: self._ask(), names="value")
        self._ask()

    def _ask(self) -> None:
        from ._presets import ask

        try:
            answer = ask(self.data, self.question.value, **self.options)
        except (ValueError, KeyError) as err:
            self.answer = None
            self.message.value = _notes_html([str(err)])
            self.view.children = [self.question, self.message]
            return
        self.message.value = ""
        self.answer = AnswerView(answer)
        self.view.children = [self.question, self.message, self.answer.view]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:  # pragma: no cover - front end
        return self.view._repr_mimebundle_(**kwargs)


def guide(data: SensorData, **options: Any) -> Guide:
    """Ask the guided questions of :data:`toolkit.widgets.QUESTIONS` with a menu.

    Parameters
    ----------
    data
        Readings as loaded. Not changed.
    **options
        Passed to every question's function (e.g. ``timezone="UTC"``).

    Returns
    -------
    Guide
        Shows itself in a notebook.
    """
    return Guide(data, **options)
