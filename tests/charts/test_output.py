"""Rendering without internet: SVG, PNG, self-contained HTML, the notebook renderer."""

import json

import altair as alt
import pytest

from toolkit import charts

from .helpers import make, pm_data, series


@pytest.fixture(scope="module")
def chart():
    return charts.timeseries(pm_data(1, 1))


@pytest.fixture
def renderer():
    """Restore altair's renderer after a test changes it."""
    before = alt.renderers.active
    yield
    alt.renderers.enable(before)


def test_svg_carries_title_and_description_for_screen_readers(chart):
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg[: svg.index(">") + 1]
    assert "<title>Hourly mean PM2.5, sensor s1</title>" in svg
    assert "<desc>Line chart of hourly mean PM2.5 (µg/m³) for sensor s1" in svg


def test_png_is_rendered_offline(chart):
    assert charts.to_png(chart).startswith(b"\x89PNG\r\n\x1a\n")


def test_saved_html_has_the_javascript_inline_and_no_cdn(chart, tmp_path):
    path = charts.save(chart, tmp_path / "chart.html")
    text = path.read_text(encoding="utf-8")
    assert "vegaEmbed" in text
    assert "cdn.jsdelivr.net" not in text
    assert '<script src="http' not in text
    assert 'src="https://' not in text


def test_save_svg_png_json(chart, tmp_path):
    assert charts.save(chart, tmp_path / "c.svg").read_text(encoding="utf-8").startswith("<svg")
    assert charts.save(chart, tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    spec = json.loads(charts.save(chart, tmp_path / "c.json").read_text(encoding="utf-8"))
    assert spec["usermeta"]["caption"] == chart.usermeta["caption"]


def test_save_refuses_other_endings(chart, tmp_path):
    with pytest.raises(ValueError, match=r"Cannot save a chart as \.pdf") as e:
        charts.save(chart, tmp_path / "chart.pdf")
    assert ".html, .svg, .png, .json" in str(e.value)


def test_offline_renderer_falls_back_to_svg_without_anywidget(monkeypatch, renderer):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "anywidget" else find_spec(name, *a),
    )
    assert charts.use_offline_renderer() == "svg"
    assert alt.renderers.active == "svg"


def test_offline_renderer_uses_the_jupyter_widget_when_anywidget_is_there(monkeypatch, renderer):
    import importlib.util

    calls = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    monkeypatch.setattr(
        alt.renderers, "enable", lambda name, **options: calls.append((name, options))
    )
    assert charts.use_offline_renderer() == "jupyter"
    assert calls == [("jupyter", {"offline": True})]


def test_chart_caption(chart):
    assert charts.chart_caption(chart) == chart.usermeta["caption"]
    assert charts.chart_caption(chart).startswith("Hourly mean PM2.5 at sensor s1")
    with pytest.raises(ValueError, match="This chart has no caption") as e:
        charts.chart_caption(alt.Chart(make(series([1.0])).readings).mark_point())
    assert "Make charts with toolkit.charts" in str(e.value)
