"""charts.health: sensor x day statuses from toolkit.quality.health."""

import numpy as np
import pytest

from toolkit import charts
from toolkit.charts import _health

from .helpers import dataset, make, series, views

DAY = 144  # readings a day every 10 minutes


def _data():
    # s1: three complete days. s2: complete, then half a day (72 of 144 readings:
    # completeness 0.5, "check"), then 30 readings (0.21, "poor").
    s1 = series(np.ones(3 * DAY), sensor="s1")
    s2 = series(np.ones(3 * DAY), sensor="s2")
    keep = np.r_[np.arange(DAY), DAY + np.arange(72), 2 * DAY + np.arange(30)]
    return make(s1, s2.iloc[keep])


def _view(spec, mark):
    return next(v for v in views(spec) if (v.get("mark") or {}).get("type") == mark)


def test_statuses_by_sensor_and_day_with_colour_and_text():
    chart = charts.health(_data())
    spec = chart.to_dict()
    rows = dataset(spec, _view(spec, "rect"))
    status = {(r["sensor"], r["day"]): (r["status"], r["mark"]) for r in rows}
    day = [r["day"] for r in rows if r["sensor"] == "s1"]
    assert [status[("s1", d)] for d in day] == [("good", "")] * 3
    assert [status[("s2", d)] for d in day] == [("good", ""), ("check", "?"), ("poor", "x")]
    colour = _view(spec, "rect")["encoding"]["color"]["scale"]
    assert colour == {
        "domain": ["good", "check", "poor", "no data"],
        "range": ["#0072B2", "#E69F00", "#D55E00", "#DDDDDD"],
    }
    assert _view(spec, "text")["encoding"]["text"]["field"] == "mark"
    assert chart.usermeta["caption"] == (
        "Of 6 sensor-days at 2 sensors: 4 good, 1 to check and 1 poor. A good day has at "
        "least 75 % of its expected readings and at most 5 % flagged by quality rules; a "
        "poor day has under 50 % or more than 25 % flagged."
    )
    assert "toolkit.quality.health" in spec["description"]


def test_too_many_cells_show_the_worst_day_of_each_week(monkeypatch):
    monkeypatch.setattr(_health, "MAX_ROWS", 4)
    chart = charts.health(_data())
    spec = chart.to_dict()
    rows = dataset(spec, _view(spec, "rect"))
    assert [(r["sensor"], r["status"]) for r in rows] == [("s1", "good"), ("s2", "poor")]
    assert chart.usermeta["choices"] == {"cell": "week"}
    assert spec["title"]["subtitle"][0].startswith("Too many sensor-days to show one by one")


def test_health_errors():
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the health chart"):
        charts.health(make(series([1.0]).iloc[:0]))
    with pytest.raises(charts.NothingToDrawError, match="every reading value is missing"):
        charts.health(make(series([np.nan, np.nan])))
