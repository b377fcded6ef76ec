"""charts.corrections: published corrections side by side, from toolkit.corrections.compare."""

import numpy as np
import pytest

from toolkit import charts

from .helpers import dataset, make, series, views


def _purpleair(cf1=20.0, humidity=50.0, hours=3):
    n = 30 * hours  # every 2 minutes
    return make(
        series(np.full(n, cf1), variable="pm25_cf1", freq="2min", channel="A"),
        series(np.full(n, cf1), variable="pm25_cf1", freq="2min", channel="B"),
        series(np.full(n, humidity), variable="humidity", freq="2min"),
        source="PurpleAir",
    )


def test_mean_before_and_after_each_correction():
    chart = charts.corrections(_purpleair(), corrections=("epa_2021",))
    spec = chart.to_dict()
    dots = next(v for v in views(spec) if (v.get("mark") or {}).get("type") == "point")
    rows = dataset(spec, dots)
    # EPA 2021 (Barkjohn et al. 2021): 0.524·20 − 0.0862·50 + 5.75 = 11.92 µg/m³.
    assert [(r["kind"], r["value"]) for r in rows] == [("raw input", 20.0), ("corrected", 11.92)]
    assert dots["encoding"]["shape"]["scale"]["range"] == ["circle", "square"]
    assert dots["encoding"]["color"]["scale"]["range"] == [charts.OKABE_ITO[1], charts.OKABE_ITO[0]]
    assert "Barkjohn" in spec["description"]
    assert chart.usermeta["caption"] == (
        "EPA US-wide 2021 (Barkjohn et al. 2021) changed the mean of 3 hourly values of PM2.5 "
        "(CF=1, raw) from 20.0 to 11.9 µg/m³."
    )


def test_a_correction_that_does_not_apply_is_named():
    chart = charts.corrections(_purpleair())  # EPA's smoke correction needs pm25_atm
    subtitle = " ".join(chart.to_dict()["title"]["subtitle"])
    assert "Not drawn: EPA extended for smoke" in subtitle


def test_corrections_errors():
    with pytest.raises(charts.NothingToDrawError, match="no correction gave a value") as e:
        charts.corrections(
            make(series(np.ones(30), variable="pm25_cf1", freq="2min"), source="Sensor.Community"),
            corrections=("epa_2021",),
        )
    assert "toolkit.corrections.table()" in str(e.value)
