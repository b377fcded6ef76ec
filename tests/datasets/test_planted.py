"""The teaching city teaches: its planted facts show through the toolkit's own functions.

Expected windows and places come from the design (``_sensors.PROBLEMS``, the README's
instructors' section), not from running the code under test.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import assert_balanced
from toolkit import corrections, datasets, quality
from toolkit.timeseries import average

START = pd.Timestamp("2024-10-07T00:00:00Z")
END = pd.Timestamp("2024-11-04T00:00:00Z")
PM = ["pm25", "pm10"]


def test_every_file_loads_with_its_format_recognised(city):
    formats = Counter(record.format for record in city.data.ledger)
    assert formats == {
        "sensor_community/archive_csv": 33,
        "purpleair/api_history_csv": 9,
        "purpleair/sensor_metadata": 1,
        "openaq/explorer_csv": 1,
        "telraam/api_json": 2,
    }
    expected = {
        "sensor_community": "sensor_community/archive_csv",
        "purpleair_sensors": "purpleair/sensor_metadata",
        "purpleair": "purpleair/api_history_csv",
        "openaq": "openaq/explorer_csv",
        "telraam": "telraam/api_json",
    }
    for record in city.data.ledger:
        name = record.path.replace("\\", "/").split("/sensors/")[1]
        kind = "purpleair_sensors" if "purpleair_sensors" in name else name.split("/")[0]
        assert record.format == expected[kind], record.path
        assert record.status == "ok", record.path
    assert_balanced(city.data)
    assert set(city.data.sensors["timezone"]) == {"Europe/London"}
    assert city.data.history[-1].name == "with_timezone"
    assert set(city.data.sensor_ids) == set(city.stations["sensor_id"])
    assert city.timezone == datasets.TIMEZONE == "Europe/London"
    assert len(city.demographics) == len(city.neighbourhoods) == 10
    first, last = city.data.period
    assert START <= first < START + pd.Timedelta(hours=1)
    assert last <= END + pd.Timedelta(hours=1)  # the fast clock of P08 runs over


def test_load_city_stays_under_400_mb():
    # The peak resident memory of a fresh Python process (VmHWM: counts only this process
    # image; ru_maxrss would also count the parent that forked it on Linux).
    status = Path("/proc/self/status")
    if not status.is_file():
        pytest.skip("peak memory is read from /proc/self/status (Linux only)")
    code = (
        "from pathlib import Path; from toolkit import datasets; datasets.load_city(); "
        "print(next(l for l in Path('/proc/self/status').read_text().splitlines() "
        "if l.startswith('VmHWM:')).split()[1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    peak_mb = int(result.stdout.strip()) / 1024  # kB -> MB
    assert peak_mb < 400


def test_the_stuck_sensor_is_flagged(city, problems):
    spec = problems["stuck"]
    checked = quality.flag_stuck(city.data.select(variables=PM))
    flagged = checked.readings[checked.readings["flag_stuck"]]
    assert set(flagged["sensor_id"].astype(str)) == {spec.sensor_id}
    # The run is the planted window plus the last good reading, whose value repeats.
    assert flagged["time"].min() >= spec.start - pd.Timedelta(minutes=3)
    assert flagged["time"].max() < spec.end
    assert flagged["time"].max() >= spec.end - pd.Timedelta(minutes=3)
    assert len(checked) == len(city.data.select(variables=PM))  # flags never remove


def test_quality_check_finds_the_stuck_sensor_and_dht22_saturation(city, problems):
    station = city.stations.set_index("sensor_id")
    data = city.data.select(sensors=[problems["stuck"].sensor_id, "sensorcommunity:900202"])
    checked = quality.check(data)
    stuck = checked.readings[checked.readings["flag_stuck"]]
    by_variable = stuck.groupby("variable", observed=True)["sensor_id"].unique()
    assert set(by_variable["pm25"]) == {problems["stuck"].sensor_id}
    assert set(by_variable["humidity"]) == {"sensorcommunity:900202"}  # the DHT22 look-alike
    assert station.loc["sensorcommunity:900202", "model"] == "DHT22"
    assert (stuck.loc[stuck["variable"] == "humidity", "value"] == 99.9).all()


def test_the_long_gap_is_visible(city, problems):
    spec = problems["long gap"]
    found = quality.gaps(city.data.select(variables=PM))
    longest = found.loc[found.groupby("sensor_id")["duration"].idxmax()].set_index("sensor_id")
    gap = longest.loc["sensorcommunity:900116"]
    assert gap["duration"] > pd.Timedelta(days=4)
    assert spec.start - pd.Timedelta(minutes=5) <= gap["start"] <= spec.start
    assert spec.end <= gap["end"] <= spec.end + pd.Timedelta(minutes=5)
    others = longest.drop(["sensorcommunity:900116", "openaq:99000001"])  # R01: serviced
    assert (others["duration"] < pd.Timedelta(hours=1)).all()
    # Harbourside's only sensor is missing right through the worst of the episode.
    truth = datasets.ground_truth("true_pm_neighbourhoods")
    harbour = truth[truth["neighbourhood_id"] == "N02"].set_index("time")["pm25"]
    assert spec.start <= harbour.idxmax() < spec.end


def test_ab_disagreement_is_flagged_on_one_purpleair(city, problems):
    spec = problems["A/B disagreement"]
    purple = city.data.select(sensors=[s for s in city.data.sensor_ids if "purpleair" in s])
    checked = quality.flag_ab(purple)
    flagged = checked.readings[checked.readings["flag_ab"]]
    assert set(flagged["sensor_id"].astype(str)) == {spec.sensor_id}
    assert flagged["time"].min() >= spec.start
    hours = quality.ab_hours(purple)
    broken = hours[(hours["sensor_id"] == spec.sensor_id) & (hours["start"] >= spec.start)]
    disagree = (broken["abs_diff"] > 5) & (broken["rel_diff"] > 0.7)
    assert disagree.mean() > 0.95
    before = hours[(hours["sensor_id"] == spec.sensor_id) & (hours["end"] <= spec.start)]
    assert not ((before["abs_diff"] > 5) & (before["rel_diff"] > 0.7)).any()


def test_humidity_inflates_raw_purpleair_and_epa_2021_shrinks_it(city, problems, truth):
    healthy = [
        s
        for s in city.data.sensor_ids
        if s.startswith("purpleair:")
        and s not in (problems["clock offset"].sensor_id, problems["A/B disagreement"].sensor_id)
    ]
    corrected = corrections.correct(city.data.select(sensors=healthy), "epa_2021")
    hourly = corrected.readings
    key = ["sensor_id", "time"]
    raw = hourly[hourly["variable"] == "pm25_cf1"].groupby(key, observed=True)["value"].mean()
    fixed = hourly[hourly["variable"] == "pm25_corrected"].set_index(key)["value"]
    humidity = hourly[hourly["variable"] == "humidity"].set_index(key)["value"]
    real = truth["true_pm_sensors"].set_index(key)["pm25"]
    table = pd.DataFrame({"raw": raw, "epa": fixed, "rh": humidity}).dropna()
    table.index = table.index.set_levels(table.index.levels[0].astype(str), level=0)
    table = table.join(real.rename("truth"), how="inner")
    humid = table[table["rh"] >= 85]
    dry = table[table["rh"] < 75]
    assert len(humid) > 200
    raw_error = (humid["raw"] - humid["truth"]).mean()
    assert raw_error > 2 * (dry["raw"] - dry["truth"]).mean()  # humidity makes it worse
    assert raw_error > 10  # µg/m³ too high in humid hours
    epa_error = (humid["epa"] - humid["truth"]).mean()
    assert abs(epa_error) < raw_error / 2  # the correction shrinks the humidity bias
    assert quality.flag_humidity(city.data.select(sensors=healthy)).readings["flag_humidity"].any()


def test_the_clock_offset_shows_as_a_one_hour_lag(city, problems):
    late = problems["clock offset"].sensor_id
    neighbour = "purpleair:990004"
    data = city.data.select(sensors=[late, neighbour], variables="pm25_cf1")
    hourly = average(data, "1h", timezone="UTC").readings
    wide = hourly.groupby(["time", "sensor_id"], observed=True)["value"].mean().unstack()
    change = wide.diff()
    at = {lag: change[late].corr(change[neighbour].shift(lag)) for lag in (-1, 0, 1, 2)}
    assert max(at, key=at.get) == 1
    assert at[1] > at[0] + 0.2
    times = data.readings.groupby("sensor_id", observed=True)["time"].agg(["min", "max"])
    assert times.loc[late, "min"] >= START + pd.Timedelta(hours=1)
    assert times.loc[late, "max"] > END


def test_the_drifting_sensor_reads_ever_higher(city, problems, truth):
    drifting = problems["drift"].sensor_id
    data = city.data.select(sensors=drifting, variables="pm25")
    hourly = average(data, "1h", timezone="UTC").readings.set_index("time")["value"]
    real = truth["true_pm_sensors"]
    real = real[real["sensor_id"] == drifting].set_index("time")["pm25"]
    ratio = (hourly / real).dropna()
    first, last = (
        ratio[ratio.index < START + pd.Timedelta(days=5)],
        ratio[ratio.index > END - pd.Timedelta(days=5)],
    )
    assert last.median() > 1.4 * first.median()  # planted: gain 1.00 -> 1.75


def test_the_most_exposed_neighbourhood_is_the_least_measured(city, truth):
    means = truth["true_pm_neighbourhoods"].groupby("neighbourhood_id")["pm25"].mean()
    assert means.idxmax() == "N02"
    pm = city.stations[
        city.stations["measures"].str.contains("pm25") & (city.stations["platform"] != "openaq")
    ]
    people = city.demographics.set_index("neighbourhood_id")["population"]
    per_person = pm.groupby("neighbourhood_id").size().reindex(people.index, fill_value=0) / people
    assert per_person.idxmin() == "N02"
    income = city.demographics.set_index("neighbourhood_id")["median_income_gbp"]
    assert income.idxmin() == "N02"
    assert per_person.idxmax() != "N02"
    assert len(pm) == 25  # low-cost PM sensors: 16 SDS011 + 9 PurpleAir


def test_traffic_makes_daily_and_weekly_cycles(city, truth):
    kerb = truth["true_pm_sensors"]  # S04: a shop front on Harbour Road
    kerb = kerb[kerb["station_code"] == "S04"].set_index("time")["pm25"].tz_convert("Europe/London")
    weekday = kerb[kerb.index.day_of_week < 5]
    sunday = kerb[kerb.index.day_of_week == 6]
    by_hour = weekday.groupby(weekday.index.hour).median()
    assert by_hour[7] > 1.3 * by_hour[3]  # the morning rush hour, in local time
    assert by_hour[7] > 1.3 * sunday.groupby(sunday.index.hour).median()[7]  # quiet Sundays
    telraam = city.data.select(sensors="telraam:9999000001", variables="count_car").readings
    telraam = telraam.set_index("time")["value"].tz_convert("Europe/London")
    counted = telraam[telraam.index.hour.isin([11, 12, 13])]
    weekdays = counted[counted.index.day_of_week < 5].mean()
    sundays = counted[counted.index.day_of_week == 6].mean()
    assert weekdays > sundays


def test_telraam_reports_night_as_zeros_with_no_uptime(city):
    data = city.data.select(sensors="telraam:9999000002").readings
    wide = data.pivot_table(index="time", columns="variable", values="value", observed=True)
    night = wide[wide["uptime"] == 0]
    assert len(night) > 200
    assert (night[["count_car", "count_bike", "count_heavy", "count_pedestrian"]] == 0).all().all()
    hours = night.index.tz_convert("Europe/London").hour
    assert set(hours) >= {0, 1, 2, 3, 22, 23}


def test_the_episode_and_the_reference_monitor(city, truth, problems):
    reference = city.data.select(sensors="openaq:99000001", variables="pm25").readings
    values = reference.set_index("time")["value"]
    # OpenAQ labels an hour by its end: the first value is at 01:00 UTC.
    assert values.index.min() == START + pd.Timedelta(hours=1)
    real = truth["true_pm_sensors"]
    real = real[real["station_code"] == "R01"].set_index("time")["pm25"]
    shifted = values.copy()
    shifted.index = shifted.index - pd.Timedelta(hours=1)
    pairs = shifted.rename("monitor").to_frame().join(real.rename("truth"), how="inner")
    assert pairs["monitor"].corr(pairs["truth"]) > 0.98
    daily = real.groupby(real.index.floor("D")).mean()
    episode = daily[(daily.index >= "2024-10-21") & (daily.index < "2024-10-25")]
    assert episode.min() > 2 * daily.drop(episode.index).median()
    spec = problems["reference maintenance"]
    missing = pd.date_range(spec.start, spec.end, freq="h", inclusive="left") + pd.Timedelta(
        hours=1
    )
    assert not values.index.isin(missing).any()
