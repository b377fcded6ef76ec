"""Charts without internet: SVG, PNG and self-contained HTML, and the notebook renderer.

Altair's default renderer loads Vega's JavaScript from a CDN, which fails offline (a
workshop on a closed network, a report opened on a train). Here:

* :func:`use_offline_renderer` makes JupyterLab draw charts without the internet: the
  ``"jupyter"`` renderer with ``offline=True`` (an interactive widget whose JavaScript
  comes from vl-convert-python; it needs the ``anywidget`` package), or, without
  anywidget, the ``"svg"`` renderer (a static picture made by vl-convert-python).
* :func:`to_svg`, :func:`to_png` render with vl-convert-python (no browser, no network).
  The SVG carries the chart's title and description as ``<title>`` and ``<desc>``, so
  screen readers find the alt text.
* :func:`save` writes ``.html`` with the JavaScript inline (no CDN links), ``.svg``,
  ``.png`` or ``.json`` (the Vega-Lite spec).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError

if TYPE_CHECKING:
    import altair as alt

__all__ = ["SAVE_FORMATS", "chart_caption", "save", "to_png", "to_svg", "use_offline_renderer"]

#: File endings :func:`save` writes.
SAVE_FORMATS = (".html", ".svg", ".png", ".json")


class ChartFormatError(ToolkitError, ValueError):
    """A chart cannot be saved in the format asked for."""


def chart_caption(chart: alt.TopLevelMixin) -> str:
    """Return the plain-language caption of a chart made by :mod:`toolkit.charts`.

    Raises
    ------
    ChartFormatError
        For a chart that has no caption (not made by the toolkit).
    """
    meta = getattr(chart, "usermeta", None)
    if isinstance(meta, dict) and "caption" in meta:
        return str(meta["caption"])
    raise ChartFormatError(
        "This chart has no caption.",
        found=f"{type(chart).__name__} without usermeta['caption']",
        fix="Make charts with toolkit.charts (they carry a caption), or write one yourself.",
    )


def _title_and_description(chart: Any) -> tuple[str, str]:
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    if isinstance(text, list | tuple):
        text = " ".join(map(str, text))
    description = getattr(chart, "description", None)
    return (
        "" if text is None or not isinstance(text, str) else text,
        description if isinstance(description, str) else "",
    )


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG text, offline (vl-convert-python).

    The chart's title and description are added as the SVG's ``<title>`` and ``<desc>``
    (vl-convert does not write the description), and ``role="img"``.

    Returns
    -------
    str
        The SVG document.
    """
    import io

    buffer = io.StringIO()
    chart.save(buffer, format="svg")
    svg = buffer.getvalue()
    title, description = _title_and_description(chart)
    end = svg.index(">", svg.index("<svg")) + 1
    head = svg[:end]
    if "role=" not in head:
        head = head[:-1] + ' role="img">'
    extra = ""
    if title:
        extra += f"<title>{html.escape(title)}</title>"
    if description:
        extra += f"<desc>{html.escape(description)}</desc>"
    return head + extra + svg[end:]


def to_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """Render a chart to PNG bytes, offline (vl-convert-python).

    Parameters
    ----------
    chart
        Any Altair chart.
    scale
        Pixels per chart pixel (2: sharp on high-density screens and in print).
    """
    import io

    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=scale)
    return buffer.getvalue()


def save(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Save a chart for a report: HTML (JavaScript inline, no CDN), SVG, PNG or JSON.

    Parameters
    ----------
    chart
        Any Altair chart.
    path
        File to write; the ending decides the format (:data:`SAVE_FORMATS`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ChartFormatError
        For another file ending.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".html":
        chart.save(str(target), format="html", inline=True)
    elif suffix == ".svg":
        target.write_text(to_svg(chart), encoding="utf-8")
    elif suffix == ".png":
        target.write_bytes(to_png(chart))
    elif suffix == ".json":
        target.write_text(chart.to_json(), encoding="utf-8")
    else:
        raise ChartFormatError(
            f"Cannot save a chart as {suffix or 'a file without an ending'}.",
            found=str(target),
            fix=f"End the file name with one of {', '.join(SAVE_FORMATS)} "
            "(.html opens anywhere, offline).",
        )
    return target


def use_offline_renderer() -> str:
    """Make notebooks draw Altair charts without the internet.

    Uses Altair's ``"jupyter"`` renderer with ``offline=True`` when ``anywidget`` is
    installed (interactive; JavaScript from vl-convert-python), otherwise the ``"svg"``
    renderer (static pictures, which also suit papermill reports).

    Returns
    -------
    str
        The renderer enabled: ``"jupyter"`` or ``"svg"``.
    """
    import importlib.util

    import altair as alt

    if importlib.util.find_spec("anywidget") is not None:
        try:
            alt.renderers.enable("jupyter", offline=True)
        except ImportError:  # anywidget present but not usable: fall back
            pass
        else:
            return "jupyter"
    alt.renderers.enable("svg")
    return "svg"
