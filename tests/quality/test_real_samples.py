"""Acceptance: the rules and the health table on real exports, checked against hand counts.

Every expected number below was counted on the raw files with small independent scripts
(csv module / awk), not with the code under test; the comments say how.
"""

from __future__ import annotations

import csv
import itertools
import statistics
from datetime import datetime

import pandas as pd
import pytest

import toolkit
from toolkit import quality

pytestmark = pytest.mark.real_samples

SDS = "sensor_community/2017-08-30_sds011_sensor_5331.csv"
DHT = "sensor_community/2017-08-30_dht22_sensor_5332.csv"
MADAVI = "sensor_community/data-esp8266-3654427-2018-07-24.csv"
SMART = "smart_citizen/example.csv"
PURPLE = "purpleair/example_pat_data_derived.csv"
NOW = {"now": "2026-01-01"}


def test_sds011_after_the_reader_dropped_the_empty_duplicate(real_samples):
    data = toolkit.load(real_samples / SDS)
    # 306 data rows; row 2 repeats 11:27:23 with every value empty and is dropped by the
    # reader (ledger), so 305 timestamps x (P1, P2) = 610 readings, no duplicates left.
    (record,) = data.ledger
    assert record.rows_dropped == {"empty row repeating the timestamp of a row with values": 1}
    assert len(data) == 610
    checked = quality.check(data, clock=NOW)
    counts = {s.name: s.touched for s in checked.history}
    # By hand: P1 1.13-38.47, P2 0.90-8.50 (no code, nothing out of range or negative);
    # intervals 147-153 s plus one of 277 s (< 2.5 x 148 = 370 s: no gap); the longest run
    # of equal values is 3 readings (P2 1.7 and 1.1, about 5 minutes): not stuck.
    for rule in ("duplicates", "clock", "sentinel", "range", "negative", "stuck", "gaps"):
        assert counts[f"flag_{rule}"] == 0, rule
    assert quality.gaps(data).empty
    assert_hampel_matches_a_plain_loop(real_samples / SDS, data)
    # Health (UTC day 2017-08-30): 610 readings; cadence 148 s for pm10 and pm25, so
    # expected = 2 x 86400 / 148 = 1167.57 and completeness = 610 / 1167.57 = 0.5225.
    row = quality.health(checked, timezone="UTC").iloc[0]
    assert row["day"] == pd.Timestamp("2017-08-30")
    assert row["readings"] == 610
    assert row["expected"] == pytest.approx(2 * 86400 / 148)
    assert row["completeness"] == pytest.approx(610 / (2 * 86400 / 148))
    assert row["status"] == "check"  # 52 % of the day: between 50 % and 75 %


def _rows(path, delimiter=",") -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _naive_hampel(values: list[float], floor: float) -> list[bool]:
    """A plain, loop-by-loop Hampel test (window 7, 3 sigma), written for the test."""
    out = []
    for i, x in enumerate(values):
        window = values[max(0, i - 3) : i + 4]
        if len(window) < 4:
            out.append(False)
            continue
        median = statistics.median(window)
        mad = statistics.median(abs(v - median) for v in window)
        out.append(abs(x - median) > max(3 * 1.4826 * mad, floor))
    return out


def assert_hampel_matches_a_plain_loop(path, data) -> None:
    """With a low floor the spike rule finds exactly what a plain loop finds on the raw file."""
    rows = _rows(path, ";")
    pm10 = [float(r["P1"]) for r in rows if r["P1"]]
    expected = sum(_naive_hampel(pm10, floor=2.0))
    out = quality.flag_spikes(data, floor={"pm10": 2.0, "pm25": 1e9})
    assert out.readings["flag_spikes"].sum() == expected
    assert expected > 0  # the comparison means something


def test_dht22_stuck_and_health(real_samples):
    data = toolkit.load(real_samples / DHT)
    assert len(data) == 608  # 304 rows x (temperature, humidity)
    checked = quality.check(data, clock=NOW)
    assert not checked.flagged.any()
    # The longest runs of one temperature: 18.4 °C x 26 readings (16:54:27-17:55:57,
    # 61.5 min), 17.5 x 19 (44 min), 17.6 x 18 (42 min). With a 1-hour threshold only
    # the first is stuck.
    stuck = quality.flag_stuck(data, min_repeats=10, min_duration="1h")
    flagged = stuck.readings[stuck.readings["flag_stuck"]]
    assert len(flagged) == 26
    assert set(flagged["value"]) == {18.4}
    assert flagged["time"].min() == pd.Timestamp("2017-08-30T16:54:27Z")
    assert flagged["time"].max() == pd.Timestamp("2017-08-30T17:55:57Z")
    row = quality.health(checked, timezone="UTC").iloc[0]
    assert row["readings"] == 608
    assert row["expected"] == pytest.approx(2 * 86400 / 148)  # median interval 148 s
    assert row["completeness"] == pytest.approx(608 / (2 * 86400 / 148))


def test_humidity_of_the_dht22_applies_to_the_sds011_of_the_same_station(real_samples):
    data = toolkit.load([real_samples / SDS, real_samples / DHT])
    pairs = {"sensorcommunity:5331": "sensorcommunity:5332"}
    # By hand: each SDS011 row's nearest DHT22 humidity (always within 1-3 s); rows whose
    # humidity is >= 67 %: 98, times P1 and P2 = 196 readings. >= 68 %: 32 rows = 64.
    out = quality.flag_humidity(data, threshold=67, humidity_from=pairs)
    assert out.readings["flag_humidity"].sum() == 196
    assert quality.flag_humidity(data, threshold=68, humidity_from=pairs).history[-1].touched == 64
    assert "0 had no humidity" in out.history[-1].description
    assert quality.flag_humidity(data).history[-1].touched == 0  # humidity never >= 95 %


def test_madavi_gaps_humidity_and_health(real_samples):
    data = toolkit.load(real_samples / MADAVI)
    # Temp/Humidity are empty in 10 rows; intervals above 2.5 x 149 s = 372.5 s exist only
    # for them: 10:23:19 -> 10:30:53 (454 s) and 22:53:13 -> 23:00:55 (462 s).
    table = quality.gaps(data)
    assert sorted(zip(table["variable"], table["start"].dt.strftime("%H:%M:%S"), strict=True)) == [
        ("humidity", "10:23:19"),
        ("humidity", "22:53:13"),
        ("temperature", "10:23:19"),
        ("temperature", "22:53:13"),
    ]
    assert table["duration"].dt.total_seconds().tolist() == [454.0, 462.0, 454.0, 462.0]
    assert set(table["cadence_s"]) == {149.0}
    assert set(table["missing"]) == {2}
    checked = quality.check(data, clock=NOW)
    after = checked.readings[checked.readings["flag_gaps"]]
    assert sorted(after["time"].dt.strftime("%H:%M:%S")) == ["10:30:53"] * 2 + ["23:00:55"] * 2
    # PM readings whose nearest humidity is >= 75 %: 92 rows x (P1, P2) = 184.
    assert quality.flag_humidity(data, threshold=75).history[-1].touched == 184
    # Health: 568 x 2 PM + 558 x 2 temperature/humidity = 2252 readings; all four series
    # report every 149 s: expected = 4 x 86400 / 149 = 2319.46; 2252 / 2319.46 = 0.971.
    row = quality.health(checked, timezone="UTC").iloc[0]
    assert row["readings"] == 2252
    assert row["expected"] == pytest.approx(4 * 86400 / 149)
    assert row["completeness"] == pytest.approx(2252 / (4 * 86400 / 149))
    assert row["flagged"] == checked.flagged.sum()
    assert row["status"] == "good"
    assert row["top_rules"].startswith("gaps 4")


def test_smart_citizen_null_runs_batt_and_health(real_samples):
    data = toolkit.load(real_samples / SMART)
    # 1009 rows every 30 s. PM_1/PM_25/PM_10 are 'null' in every row, so there is no PM
    # at all; CCS811_VOCS and _ECO2 are 'null' in the first 10 rows only (15:35:19 to
    # 15:39:49), so those series start at 15:40:19 and have no gap inside. BATT is
    # device status (99, and -1 once: no battery) and is not read, so no -1 reaches the
    # rules.
    assert "pm25" not in data.variables
    tvoc = data.readings[data.readings["variable"] == "tvoc"]
    assert tvoc["time"].min() == pd.Timestamp("2020-09-02T15:40:19Z")
    assert quality.gaps(data).empty
    assert not (data.readings["value"] == -1).any()
    checked = quality.check(data, clock=NOW)
    assert not checked.flagged.any()
    # Long runs of one value exist but are zeros (skipped by default): LIGHT 0 x 829
    # (17:05:19-23:59:19, 6 h 54 min, night) and CCS811_VOCS 0.00 x 304 (16:49:19-
    # 19:20:49, 2 h 31.5 min); the longest non-zero run, eCO2 400 ppm, is 98 readings
    # (48.5 min). Without skipping zeros and with a 2-hour threshold: 829 + 304.
    found = quality.flag_stuck(data, min_duration="2h", skip_zeros=False)
    flagged = found.readings[found.readings["flag_stuck"]]
    assert flagged["variable"].astype(str).value_counts().to_dict() == {"light": 829, "tvoc": 304}
    # Health: 7043 readings on 2020-09-02 (UTC); 7 series every 30 s: 7 x 2880 = 20160
    # expected; 7043 / 20160 = 0.349 < 50 %: poor (the file covers 15:35 to 23:59 only).
    row = quality.health(checked, timezone="UTC").iloc[0]
    assert row["readings"] == 7043
    assert row["expected"] == pytest.approx(20160.0)
    assert row["completeness"] == pytest.approx(7043 / 20160)
    assert row["status"] == "poor"


def _hourly_means_by_hand(path, hour: str) -> tuple[float, float, int]:
    rows = [r for r in _rows(path) if r["datetime"][:13] == hour]
    a = [float(r["pm2.5_atm_a"]) for r in rows]
    b = [float(r["pm2.5_atm_b"]) for r in rows]
    return sum(a) / len(a), sum(b) / len(b), len(rows)


def test_purpleair_ab_rule_on_pm25_atm(real_samples):
    path = real_samples / PURPLE
    data = toolkit.load(path)
    hours = quality.ab_hours(data, variable="pm25_atm")
    assert len(hours) == 48  # 2024-03-01 08:00 to 2024-03-03 07:59 UTC
    mean_a, mean_b, n = _hourly_means_by_hand(path, "2024-03-01 09")
    assert (mean_a, mean_b, n) == pytest.approx((5.186333, 4.058333, 30), abs=1e-6)
    row = hours.set_index("start").loc[pd.Timestamp("2024-03-01T09:00Z")]
    assert row["mean_a"] == pytest.approx(mean_a)
    assert row["mean_b"] == pytest.approx(mean_b)
    assert (row["n_a"], row["n_b"]) == (30, 30)
    assert row["expected_a"] == pytest.approx(30.0)  # 3600 s / median interval 120 s
    # EPA's thresholds: no hour disagrees (largest |A-B| is 1.73 µg/m³, at 2024-03-03 06:00)
    # and every hour has >= 27 of 30 readings in both channels.
    out = quality.flag_ab(data, variable="pm25_atm")
    assert not out.readings["flag_ab"].any()
    assert not out.readings["flag_ab_incomplete"].any()
    # Stricter thresholds single out that hour: A 6.025, B 4.295 -> |A-B| = 1.73 > 1.5 and
    # 2 x 1.73 / 10.32 = 0.335 > 0.30. The runner-up (03-02 05:00: 1.61, 0.24) fails the
    # relative test. All 30 rows of the hour: A, B and the combined pm2.5_atm = 90.
    mean_a, mean_b, n = _hourly_means_by_hand(path, "2024-03-03 06")
    assert (round(mean_a, 3), round(mean_b, 3), n) == (6.025, 4.295, 30)
    strict = quality.flag_ab(data, variable="pm25_atm", abs_threshold=1.5, rel_threshold=0.30)
    flagged = strict.readings[strict.readings["flag_ab"]]
    assert len(flagged) == 90
    assert set(flagged["time"].dt.floor("1h")) == {pd.Timestamp("2024-03-03T06:00Z")}


def test_purpleair_health(real_samples):
    data = toolkit.load(real_samples / PURPLE)
    checked = quality.check(data, clock=NOW)
    assert not checked.flagged.any()
    assert checked.history[8].parameters["variable"] == "pm25_atm"  # chosen by check()
    # Rows per UTC day (cut -c1-10 | uniq -c): 479, 720, 240; 6 readings a row
    # (humidity, temperature, pressure, pm25_atm combined, A, B); all series every 120 s:
    # 6 x 720 = 4320 expected a day.
    table = quality.health(checked, timezone="UTC")
    assert table["readings"].tolist() == [479 * 6, 720 * 6, 240 * 6]
    assert table["expected"].tolist() == [4320.0] * 3
    assert table["completeness"].tolist() == pytest.approx([479 / 720, 1.0, 240 / 720])
    assert table["status"].tolist() == ["check", "good", "poor"]


def test_rules_never_remove_or_change_readings_of_real_files(real_samples):
    for name in (SDS, DHT, MADAVI, SMART, PURPLE):
        data = toolkit.load(real_samples / name)
        before = data.readings.copy(deep=True)
        checked = quality.check(data, clock=NOW)
        pd.testing.assert_frame_equal(data.readings, before)
        pd.testing.assert_frame_equal(checked.readings[list(before.columns)], before)
        assert len(checked.history) == len(quality.DEFAULT_RULES)


def test_hand_count_helpers_agree_with_the_files(real_samples):
    """The raw-file facts the tests above lean on (counted with the csv module)."""
    rows = _rows(real_samples / SDS, ";")
    stamps = [datetime.fromisoformat(r["timestamp"]) for r in rows]
    assert len(rows) == 306
    assert len(set(stamps)) == 305
    steps = sorted((b - a).total_seconds() for a, b in itertools.pairwise(stamps))
    assert statistics.median([s for s in steps if s > 0]) == 148.0
    assert max(steps) == 277.0


def test_the_summary_also_reports_what_the_reader_dropped(real_samples):
    # The SDS011 file repeats 11:27:23 in an empty second row (counted by hand: rows 2
    # and 3 of the file); the reader drops it, and the quality summary says so.
    checked = quality.check(toolkit.load(real_samples / SDS), clock=NOW)
    table = quality.summary(checked)
    row = table[table["rule"] == "at load: empty row repeating the timestamp of a row with values"]
    assert row["flagged"].tolist() == [1]
    assert row["examples"].tolist() == ["2017-08-30 11:27:23"]
    text = str(quality.explain(checked))
    assert "Found when the files were read" in text
    assert "1 row(s) in 1 file(s)" in text
