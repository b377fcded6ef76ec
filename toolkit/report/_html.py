"""The report as one self-contained HTML file: no code, no scripts, nothing fetched.

:func:`to_html` converts the executed notebook with nbconvert's ``basic`` template
(outputs only: ``exclude_input``, no prompts) and wraps it in a small page with its own
style sheet inline. Charts are already inline SVG in the notebook's outputs, so nothing
needs JavaScript, a CDN or the network; MathJax, require.js and widget managers, which
nbconvert's full templates load from CDNs, are never included.

:func:`external_references` then parses the page (``html.parser`` from the standard
library) and lists anything that would make a browser fetch something: any
``<script>``, ``<link>``, ``<iframe>``, ``<object>``, ``<embed>``, media sources,
``src``/``href``/``xlink:href``/``srcset``/``poster``/``background`` attributes on any
element other than ``<a>`` that do not start with ``#`` or ``data:``, and CSS ``url(...)``
or ``@import`` pointing anywhere but ``#`` or ``data:``. A build fails if the list is not
empty. Links in ``<a href>`` are allowed: they are citations a reader may follow (for
example to a standard's document), and a browser does not fetch them on opening the page.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

__all__ = ["STYLE", "check", "external_references", "notebook_for_html", "to_html"]

#: Tags that load something by themselves.
_LOADING_TAGS = {
    "script",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "audio",
    "video",
    "source",
    "track",
    "applet",
    "base",
    "portal",
}
#: Attributes that make a browser fetch a resource.
_RESOURCE_ATTRIBUTES = {
    "src",
    "href",
    "xlink:href",
    "srcset",
    "poster",
    "background",
    "data",
    "action",
    "formaction",
    "manifest",
    "ping",
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)
#: Cells of the template that never belong in the report page.
_HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}

#: The page's style sheet: readable, printable, no web fonts.
STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  line-height: 1.5; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.4rem; margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: 0.75rem 0; font-size: 0.9rem; display: block;
  overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; }
td:first-child { white-space: nowrap; }
figure { margin: 1rem 0; max-width: 100%; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.25rem; }
.headline { font-size: 1.1rem; background: #f5f7fa; border-left: 4px solid #0072b2;
  padding: 0.5rem 1rem; }
.note { background: #fff8e5; border-left: 4px solid #e69f00; padding: 0.5rem 1rem; }
.box { background: #f5f5f5; border: 1px solid #ccc; padding: 0.5rem 1rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.85rem; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5;
  padding: 0.5rem; }
details { margin: 0.5rem 0; }
.output_subarea, .output_area, .output, .output_wrapper, .cell { margin: 0; padding: 0; }
.anchor-link { display: none; }
@media print { main { max-width: none; } h2 { page-break-after: avoid; } }
"""


def notebook_for_html(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of the executed notebook ready for the report page.

    The parameters cells and cells tagged ``remove-cell`` are dropped; ``stderr``
    streams (warnings meant for whoever debugs the template; they stay in
    ``report.ipynb``) are dropped; cell ids are numbered, because papermill gives its
    injected cell a random id; the notebook metadata (papermill's timings and paths,
    widget state) is cleared. The executed notebook itself is not changed.
    """
    import copy

    page = copy.deepcopy(nb)
    cells = []
    for cell in page.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _HIDDEN_TAGS:
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
        cell["metadata"] = {}
        cell["id"] = f"cell-{len(cells) + 1}"
        cells.append(cell)
    page.cells = cells
    page.metadata = {"language_info": {"name": "python"}}
    return page


def to_html(nb: nbformat.NotebookNode, *, title: str, generator: str) -> str:
    """Convert an executed report notebook to a self-contained HTML page.

    Parameters
    ----------
    nb
        The executed notebook (not changed).
    title
        The page title (escaped here).
    generator
        Written into ``<meta name="generator">`` (escaped), e.g. the toolkit version.

    Returns
    -------
    str
        The whole page. Call :func:`external_references` to check it.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook_for_html(nb))
    body = re.sub(r"[ \t]+\n", "\n", body)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{html.escape(generator)}">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.problems.extend(_css_problems(data, "a <style> element"))

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LOADING_TAGS:
            shown = " ".join(f"{k}={v!r}" for k, v in attrs)[:120]
            self.problems.append(f"a <{tag}> element ({shown or 'no attributes'})")
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.problems.extend(_css_problems(value, f"the style of a <{tag}>"))
            if name in _RESOURCE_ATTRIBUTES and tag != "a" and not _local(value):
                self.problems.append(f"<{tag} {name}={value[:80]!r}>")
            if name.startswith("on"):
                self.problems.append(f"an event handler <{tag} {name}=...>")


def _local(value: str) -> bool:
    return value == "" or value.startswith(("#", "data:"))


def _css_problems(css: str, where: str) -> list[str]:
    found = []
    if _CSS_IMPORT.search(css):
        found.append(f"an @import in {where}")
    for match in _CSS_URL.finditer(css):
        if not _local(match.group(2).strip()):
            found.append(f"url({match.group(2)[:80]}) in {where}")
    return found


def external_references(page: str) -> list[str]:
    """List everything in an HTML page that a browser would fetch or run.

    Parameters
    ----------
    page
        HTML text.

    Returns
    -------
    list of str
        One description per problem (see the module docstring); empty when the page is
        self-contained.

    Examples
    --------
    >>> external_references('<p>hi <a href="https://www.who.int">WHO</a></p>')
    []
    >>> external_references('<script src="https://cdn.example/x.js"></script>')
    ["a <script> element (src='https://cdn.example/x.js')", "<script src='https://cdn.example/x.js'>"]
    >>> external_references('<div style="background: url(https://x.org/a.png)"></div>')
    ['url(https://x.org/a.png) in the style of a <div>']
    """
    finder = _Finder()
    finder.feed(page)
    finder.close()
    return finder.problems


def check(page: str) -> None:
    """Raise :class:`ReportFailedError` if the page would fetch or run anything."""
    from ._parameters import ReportFailedError

    problems = external_references(page)
    if problems:
        raise ReportFailedError(
            "The report's HTML is not self-contained: it would load things from elsewhere.",
            found="; ".join(problems[:5])
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""),
            fix="Show charts with toolkit.report._content.figure() (inline SVG) and tables "
            "as HTML; do not display widgets, images from URLs or JavaScript in a template.",
        )
