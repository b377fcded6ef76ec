"""The report's sections on small hand-made data, with numbers worked out by hand.

No kernel is started here: the sections are methods of ``Report``, called directly.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from tests.charts.helpers import make, series
from toolkit.report._content import Html, Report, figure, table_html
from toolkit.sensordata import SensorData, normalise_sensors

PER_DAY = 144  # readings every 10 minutes


def alternating(mean: float, n: int, step: float = 1.0) -> np.ndarray:
    """mean - step, mean + step, ... (n values): every hour of 6 readings averages to mean."""
    return mean + step * np.where(np.arange(n) % 2 == 0, -1.0, 1.0)


def two_sensors() -> SensorData:
    """Sensor a: daily means 10, 20, 36 µg/m³; sensor b: 5, 5, then only 10 hours.

    Worked out by hand (US EPA AQI 2024 breakpoints, EPA-454/B-24-002 Table 6):
    a: 10.0 Moderate (9.1-35.4), 20.0 Moderate, 36.0 Unhealthy for Sensitive Groups
    (35.5-55.4); b: 5.0 Good (0-9.0) twice; b's third day has 10 of 24 hours (< 18): not
    valid. WHO 2021 (15 µg/m³): days above at any sensor: day 2 and day 3 (a).
    """
    a = np.concatenate(
        [alternating(10, PER_DAY), alternating(20, PER_DAY), alternating(36, PER_DAY)]
    )
    b = np.concatenate([alternating(5, PER_DAY), alternating(5, PER_DAY), alternating(5, 60)])
    return make(series(a, sensor="a"), series(b, sensor="b"))


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: Html) -> list[pd.DataFrame]:
    parser = _Rows()
    parser.feed(html.text)
    return [pd.DataFrame(t[1:], columns=t[0]) for t in parser.tables if t]


def plain(html: Html) -> str:
    return re.sub(r"\s+", " ", html.plain)


@pytest.fixture(scope="module")
def report() -> Report:
    return Report(
        two_sensors(), timezone="UTC", correction=None, created="2024-12-01", title="Test street"
    )


def test_headlines_worked_out_by_hand(report):
    text = plain(report.summary())
    assert (
        "On 1 of 3 days the US EPA AQI (2024, EPA-454/B-24-002) for PM2.5 (from daily means) "
        "reached ‘Unhealthy for Sensitive Groups’ or worse at one or more sensors"
    ) in text
    assert (
        "On 2 of 3 days the daily mean PM2.5 at one or more sensors was above the WHO 2021 "
        "guideline of 15 µg/m³"
    ) in text
    assert "a day counts for a sensor when at least 75 % of its hours (18 of 24)" in text
    assert "780 readings" in text  # 3 × 144 + 2 × 144 + 60
    assert "0 readings (0.0%) were flagged" in text


def test_exceedance_table_worked_out_by_hand(report):
    table = tables(report.exceedances())[0].set_index("sensor")
    assert table.loc["a", "days with enough data"] == "3"
    assert table.loc["a", "days above WHO 15 µg/m³"] == "2"
    assert table.loc["a", "days Good"] == "0"
    assert table.loc["a", "days Moderate"] == "2"
    assert table.loc["a", "days Unhealthy for Sensitive Groups"] == "1"
    assert table.loc["b", "days with enough data"] == "2"
    assert table.loc["b", "days above WHO 15 µg/m³"] == "0"
    assert table.loc["b", "days Good"] == "2"
    assert "days Unhealthy" not in table.columns  # nobody reached it: column left out


def test_index_values_worked_out_by_hand(report):
    r = report.index.readings
    a = r[r["sensor_id"].astype(str) == "a"].sort_values("time")
    # I = (I_hi - I_lo) / (C_hi - C_lo) × (C - C_lo) + I_lo, rounded (EPA-454/B-24-002)
    assert a["value"].tolist() == [53.0, 71.0, 102.0]
    b = r[(r["sensor_id"].astype(str) == "b") & r["valid"].astype(bool)]
    assert b["value"].tolist() == [28.0, 28.0]


def test_daily_means_and_which_pm25(report):
    daily = report.daily.readings
    valid = daily[daily["valid"].astype(bool)].sort_values(["sensor_id", "time"])
    assert valid["value"].round(6).tolist() == [10.0, 20.0, 36.0, 5.0, 5.0]
    assert report.pm25_sources == {"a": "pm25 as measured", "b": "pm25 as measured"}
    assert report.daily.history[-1].name == "report_pm25"


@pytest.mark.parametrize(
    ("standard", "category", "band"),
    [
        ("us_epa_2024", "Unhealthy for Sensitive Groups", 3),
        ("us_epa_2018", "Unhealthy for Sensitive Groups", 3),
        ("eaqi_2024", "Moderate", 3),
        ("uk_daqi_2013", "Moderate", 4),  # DAQI Moderate is 4-6 (Defra 2013)
        ("in_naqi_2014", "Moderately Polluted", 3),
    ],
)
def test_headline_category_per_index(standard, category, band):
    assert Report(SensorData.empty(), standard=standard).concern == (category, band)


def test_other_index_with_hourly_table():
    report = Report(
        two_sensors(), timezone="UTC", standard="eaqi_2024", correction=None, created="2024-12-01"
    )
    text = plain(report.summary())
    assert (
        "European Air Quality Index (revised, ETC HE Report 2024/17) for PM2.5 (from hourly" in text
    )
    # EAQI 2024 PM2.5 hourly bands: Moderate is 15-50 µg/m³: a's hours of day 2 (20) and 3 (36)
    assert "On 2 of 3 days" in text


def purpleair() -> SensorData:
    """One PurpleAir: cf_1 A and B alternate around 20, ATM A around 15 and B around 18,
    humidity around 50 %. EPA 2021: 0.524 × 20 − 0.0862 × 50 + 5.75 = 11.92 µg/m³;
    without a correction, the A/B mean of ATM is (15 + 18) / 2 = 16.5 µg/m³."""
    n = 2 * PER_DAY
    frames = [
        series(alternating(20, n), sensor="p", variable="pm25_cf1", channel="A"),
        series(alternating(20, n, -1.0), sensor="p", variable="pm25_cf1", channel="B"),
        series(alternating(15, n), sensor="p", variable="pm25_atm", channel="A"),
        series(alternating(18, n), sensor="p", variable="pm25_atm", channel="B"),
        series(alternating(50, n), sensor="p", variable="humidity"),
    ]
    return make(*frames, source="PurpleAir")


def test_purpleair_corrected_by_hand():
    report = Report(purpleair(), timezone="UTC", correction="epa_2021", created="2024-12-01")
    daily = report.daily.readings
    assert daily["value"].round(6).tolist() == [11.92, 11.92]
    assert report.pm25_sources == {"p": "pm25_corrected (EPA US-wide 2021 (Barkjohn et al. 2021))"}
    text = plain(report.summary())
    assert "On 0 of 2 days the daily mean PM2.5" in text
    assert "PurpleAir PM2.5 was corrected with the EPA US-wide 2021" in text
    corrections = tables(report.corrections())[0]
    assert corrections.loc[0, "raw mean (µg/m³)"] == "20"
    assert corrections.loc[0, "corrected mean (µg/m³)"] == "11.9"


def test_purpleair_without_correction_uses_the_channel_mean():
    report = Report(purpleair(), timezone="UTC", correction=None, created="2024-12-01")
    assert report.daily.readings["value"].round(6).tolist() == [16.5, 16.5]
    assert report.pm25_sources == {"p": "pm25_atm, mean of channels A and B (uncorrected)"}
    assert "On 2 of 2 days the daily mean PM2.5" in plain(report.summary())
    assert "No correction was chosen" in plain(report.corrections())


def test_a_correction_that_does_not_apply_is_said_so():
    report = Report(two_sensors(), timezone="UTC", correction="epa_2021", created="2024-12-01")
    assert report.correction_note
    assert "was not applied" in plain(report.summary())
    assert "was not applied" in plain(report.corrections())
    # the headline still counts, from the values as measured
    assert "On 2 of 3 days the daily mean PM2.5" in plain(report.summary())


def _every_section(report: Report) -> str:
    parts = [
        report.header(), report.summary(), report.sensors(), report.quality(),
        report.patterns(), report.exceedances(), report.corrections(), report.places(),
        report.methods(), report.reproduce(),
    ]  # fmt: skip
    return " ".join(plain(p) for p in parts)


def test_without_pm25_every_section_says_so():
    data = make(series(alternating(12, 2 * PER_DAY), sensor="t", variable="temperature"))
    text = _every_section(Report(data, timezone="UTC", created="2024-12-01"))
    assert "These files hold no PM2.5" in text
    assert "so this section shows temperature" in text
    assert "Not counted: there is no PM2.5 in these files." in text
    assert "Not applicable: there is no PM2.5 in these files." in text
    assert "No neighbourhood boundaries were given" in text


def test_without_positions_there_is_no_map():
    data = two_sensors()
    sensors = data.sensors.copy()
    sensors[["latitude", "longitude"]] = np.nan
    data = SensorData(data.readings, normalise_sensors(sensors))
    text = _every_section(Report(data, timezone="UTC", correction=None, created="2024-12-01"))
    assert "The files give no positions for the sensors, so there is no map." in text


def test_user_text_is_escaped():
    data = two_sensors()
    sensors = data.sensors.copy()
    sensors["name"] = ["<script>alert(1)</script>", "Ana's <b>garden</b> & co"]
    data = SensorData(data.readings, normalise_sensors(sensors))
    report = Report(
        data,
        timezone="UTC",
        correction=None,
        created="2024-12-01",
        title="<b>Elm</b> Street <img src=x onerror=alert(2)>",
        command="urban-toolkit report --title '<b>Elm</b>'",
        inputs=[{"role": "data", "name": "<i>f</i>.csv", "sha256": "0" * 64, "size_bytes": 1}],
        unit="<u>sensor</u>",
    )
    page = " ".join(p.text for p in (report.header(), report.sensors(), report.reproduce()))
    for raw in ("<script>", "<b>Elm</b>", "<img", "<b>garden</b>", "<i>f</i>", "<u>sensor"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Elm&lt;/b&gt; Street &lt;img src=x onerror=alert(2)&gt;" in page
    assert "Ana&#x27;s &lt;b&gt;garden&lt;/b&gt; &amp; co" in page


def test_table_html_escapes_and_formats():
    frame = pd.DataFrame({"a": ["<x>", None], "n": [1234567, np.nan], "f": [2.25, 3.0]})
    text = table_html(frame, numeric=("n",))
    assert "&lt;x&gt;" in text
    assert '<td class="num">1,234,567</td>' in text
    assert '<td class="num">–</td>' in text
    assert "<td>2.2</td>" in text or "<td>2.3</td>" in text
    long = table_html(pd.DataFrame({"p": ["x" * 500]}), fold=("p",))
    assert "<details><summary>" in long


def test_figure_is_inline_svg_with_escaped_caption():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "s": ["<script>", "b"]})).mark_point()
    chart = chart.encode(x="x:Q", color="s:N").properties(title="<b>t</b>")
    html = figure(chart, caption="Caption <i>here</i>")
    assert html.text.startswith("<figure><svg")
    assert "<figcaption>Caption &lt;i&gt;here&lt;/i&gt;</figcaption>" in html.text
    assert "<script>" not in html.text
    assert "<b>t</b>" not in html.text


def test_the_ledger_shows_files_that_could_not_be_read(tmp_path):
    from toolkit.ledger import FileRecord, Ledger
    from toolkit.report._build import Prepared
    from toolkit.report._content import load_data

    data = two_sensors()
    good = FileRecord(
        "exports/a.csv",
        format="sensor_community/archive_csv",
        rows_read=2,
        rows_kept=2,
        values_read=4,
        readings_kept=4,
    )
    bad = FileRecord(
        "exports/notes.csv",
        status="failed",
        error="The file is empty.\n  What to do: remove it",
        exception=ValueError("The file is empty."),
    )
    data = SensorData(data.readings, data.sensors, Ledger([good, bad]), data.history)
    prepared = Prepared(data=data, timezone="UTC", inputs=[])
    summary = prepared.hand_over(tmp_path)
    assert prepared.data is None
    assert summary["files"] == 2
    assert summary["files_failed"] == 1
    handed = load_data(str(tmp_path / "data.pickle"))
    assert handed.ledger[1].exception is None
    assert handed.ledger[1].error.startswith("The file is empty.")
    report = Report(handed, timezone="UTC", correction=None, created="2024-12-01")
    files = tables(report.quality())[0].set_index("file")
    assert files.loc["notes.csv", "status"] == "failed"
    assert files.loc["notes.csv", "why left out"] == "The file is empty."
    assert "from 2 files (1 could not be read)" in plain(report.summary())


def test_the_summary_counts_dropped_rows_and_partly_read_files():
    from toolkit.ledger import FileRecord, Ledger

    data = two_sensors()
    # 100 rows read: 90 kept, 10 did not fit the header (structural: 10 % > 1 %), plus
    # 2 empty values among the 180 read.
    partial = FileRecord(
        "exports/resaved.csv",
        format="purpleair/api_csv",
        rows_read=100,
        rows_kept=90,
        rows_dropped={"row does not have the header's 10 fields": 10},
        values_read=180,
        readings_kept=178,
        readings_dropped={"empty field": 2},
    )
    partial.assess()
    assert partial.status == "partial"
    good = FileRecord("exports/a.csv", rows_read=3, rows_kept=3, values_read=3, readings_kept=3)
    data = SensorData(data.readings, data.sensors, Ledger([partial, good]), data.history)
    report = Report(data, timezone="UTC", correction=None, created="2024-12-01")
    text = plain(report.summary())
    assert "from 2 files (1 could be read only in part)" in text
    assert "10 rows and 2 empty or unreadable values were left out" in text
    files = tables(report.quality())[0].set_index("file")
    assert files.loc["resaved.csv", "status"] == "partial"
    assert files.loc["resaved.csv", "rows left out"] == "10"


def test_a_batch_unit_does_not_count_coverage():
    from toolkit import datasets

    report = Report(
        two_sensors(),
        timezone="UTC",
        correction=None,
        created="2024-12-01",
        neighbourhoods=str(datasets.path("neighbourhoods")),
        demographics=str(datasets.path("demographics")),
        unit="Harbourside",
    )
    assert "neighbourhoods have no PM2.5 sensor" not in plain(report.summary())
    assert "does not count sensors per neighbourhood" in plain(report.places())
