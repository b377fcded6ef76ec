"""The report page: no code, nothing fetched, and the check that proves it."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from toolkit.report import ReportFailedError
from toolkit.report._html import check, external_references, notebook_for_html, to_html


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<script src="https://cdn.example.org/require.js"></script>', "a <script> element"),
        ("<script>alert(1)</script>", "a <script> element"),
        ('<link rel="stylesheet" href="https://fonts.example.org/a.css">', "a <link> element"),
        ('<img src="http://example.org/logo.png">', "<img src='http://example.org/logo.png'>"),
        ('<img src="logo.png">', "<img src='logo.png'>"),
        ('<iframe src="https://example.org"></iframe>', "a <iframe> element"),
        ('<svg><image href="https://tiles.example.org/1.png"/></svg>', "<image href="),
        ('<svg><use xlink:href="https://example.org/s.svg#a"/></svg>', "<use xlink:href="),
        ("<style>@import 'https://example.org/x.css';</style>", "an @import in a <style>"),
        ("<style>body{background:url(https://example.org/b.png)}</style>", "url(https://"),
        ("<div style=\"background: url('//example.org/b.png')\"></div>", "url(//example.org"),
        ('<object data="https://example.org/movie.swf"></object>', "a <object> element"),
        ('<p onclick="steal()">x</p>', "an event handler <p onclick=...>"),
    ],
)
def test_external_references_are_found(page, expected):
    problems = external_references(page)
    assert problems
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "page",
    [
        '<p>See <a href="https://www.who.int/publications/i/item/9789240034228">WHO 2021</a></p>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<svg xmlns="http://www.w3.org/2000/svg"><g clip-path="url(#clip1)"></g></svg>',
        '<a href="#methods">methods</a><h2 id="methods">Methods</h2>',
        "<style>td { color: #333; }</style><p>https://example.org in plain text</p>",
    ],
)
def test_self_contained_pages_pass(page):
    assert external_references(page) == []


def test_check_raises_with_the_problems():
    with pytest.raises(ReportFailedError) as caught:
        check('<script src="https://cdn.example.org/x.js"></script>')
    assert "not self-contained" in str(caught.value)
    assert "cdn.example.org" in str(caught.value)


def _executed_notebook():
    nb = new_notebook()
    params = new_code_cell('data = "x"')
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell('data = "data.pickle"')
    injected.metadata["tags"] = ["injected-parameters"]
    injected.id = "f00dfeed"
    about = new_markdown_cell("# Template notes")
    about.metadata["tags"] = ["remove-cell"]
    shown = new_code_cell("report.header()")
    shown.outputs = [
        new_output("display_data", data={"text/html": "<h1>Title</h1>", "text/plain": "Title"}),
        new_output("stream", name="stderr", text="DeprecationWarning: something internal\n"),
        new_output("stream", name="stdout", text="printed for readers\n"),
    ]
    text = new_markdown_cell("## What the numbers mean\n\nPM2.5 is ...")
    nb.cells = [about, params, injected, shown, text]
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "input_path": "/tmp/x"}
    return nb


def test_page_has_outputs_and_text_but_no_code():
    nb = _executed_notebook()
    page = to_html(nb, title="<b>Our</b> report", generator="Urban Data Toolkit 0.1.0")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>&lt;b&gt;Our&lt;/b&gt; report</title>" in page
    assert "<h1>Title</h1>" in page
    assert "What the numbers mean" in page
    assert "printed for readers" in page
    assert "report.header()" not in page
    assert 'data = "data.pickle"' not in page
    assert "Template notes" not in page
    assert "DeprecationWarning" not in page
    assert "f00dfeed" not in page
    assert "2026-01-01" not in page
    assert external_references(page) == []
    assert "<script" not in page
    # the executed notebook itself is not changed
    assert nb.cells[2].id == "f00dfeed"
    assert len(nb.cells) == 5


def test_page_copy_numbers_cells():
    page_nb = notebook_for_html(_executed_notebook())
    assert [c.id for c in page_nb.cells] == ["cell-1", "cell-2"]
    assert page_nb.metadata == {"language_info": {"name": "python"}}
    nbformat.validate(page_nb)
