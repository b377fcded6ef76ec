"""toolkit.indices: AQI values at the band edges, truncation, rounding, overall indices,
exceedances; expected values are derived by hand from the standards' documents."""

import math

import numpy as np
import pandas as pd
import pytest

from toolkit import indices, standards
from toolkit._errors import DataFormatError, MissingColumnError
from toolkit.indices import aqi, exceedances, sub_index
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.standards import UnknownStandardError

START = pd.Timestamp("2024-07-01T00:00Z")
# Molar volume at 25 °C and 1013.25 hPa (the US convention), R·T/p [L/mol]: 24.4654.
MOLAR_VOLUME_25C = 8.314462618 * 298.15 / 101325 * 1000
O3_MOLAR_MASS = 47.997  # g/mol, toolkit/data/variables.csv
EPA = "US EPA AQI (2024, EPA-454/B-24-002)"


def ppm_to_ugm3(ppm, molar_mass=O3_MOLAR_MASS):
    return ppm * 1000 * molar_mass / MOLAR_VOLUME_25C


def _data(readings, zone="UTC"):
    readings = readings.copy()
    sensors = pd.DataFrame({"sensor_id": pd.unique(readings["sensor_id"]), "timezone": zone})
    return SensorData(normalise_readings(readings), sensors)


def _averages(
    values, *, variable="pm25", period="day", step="1D", unit=None, valid=None, start=START
):
    """Hand-made averages (as toolkit.timeseries would give them), one per step."""
    values = np.asarray(values, dtype=float)
    valid = np.ones(len(values), dtype=bool) if valid is None else np.asarray(valid)
    unit = unit or ("mg/m³" if variable == "co" else "µg/m³")
    return pd.DataFrame(
        {
            "sensor_id": "s",
            "time": start + pd.to_timedelta(np.arange(len(values)) * pd.Timedelta(step)),
            "variable": variable,
            "value": np.where(valid, values, np.nan),
            "unit": unit,
            "period": period,
            "valid": valid,
        }
    )


def _sub(result, pollutant=None):
    readings = result.readings
    rows = readings[readings["pollutant"] != "overall"]
    if pollutant is not None:
        rows = rows[rows["pollutant"] == pollutant]
    return rows.reset_index(drop=True)


def _overall(result):
    readings = result.readings
    return readings[readings["pollutant"] == "overall"].reset_index(drop=True)


# --- acceptance: both edges of every band, 2024 PM2.5 ---------------------------------
# EPA-454/B-24-002 Table 6: C_lo -> I_lo and C_hi -> I_hi in every band.
PM25_2024_EDGES = [
    (0.0, 0),
    (9.0, 50),
    (9.1, 51),
    (35.4, 100),
    (35.5, 101),
    (55.4, 150),
    (55.5, 151),
    (125.4, 200),
    (125.5, 201),
    (225.4, 300),
    (225.5, 301),
    (325.4, 500),
]


@pytest.mark.parametrize(("concentration", "expected"), PM25_2024_EDGES)
def test_pm25_2024_band_edges_by_hand(concentration, expected):
    assert sub_index(concentration, standard="us_epa_2024")["index"].iloc[0] == expected


def test_pm25_2024_band_edges_end_to_end():
    concentrations = [c for c, _ in PM25_2024_EDGES]
    result = aqi(_data(_averages(concentrations)), overall=False)
    rows = _sub(result)
    assert rows["value"].tolist() == [float(i) for _, i in PM25_2024_EDGES]
    assert rows["category"].tolist() == [
        "Good",
        "Good",
        "Moderate",
        "Moderate",
        "Unhealthy for Sensitive Groups",
        "Unhealthy for Sensitive Groups",
        "Unhealthy",
        "Unhealthy",
        "Very Unhealthy",
        "Very Unhealthy",
        "Hazardous",
        "Hazardous",
    ]
    assert rows["colour"].tolist()[::2] == [
        "#00E400",
        "#FFFF00",
        "#FF7E00",
        "#FF0000",
        "#8F3F97",
        "#7E0023",
    ]
    assert rows["concentration"].tolist() == concentrations
    assert set(rows["standard"]) == {EPA}
    assert not rows["beyond_table"].any()


# --- acceptance: both edges of every band, 2024 ozone 8-hour and 1-hour ---------------
O3_8H_EDGES = [
    (0.000, 0),
    (0.054, 50),
    (0.055, 51),
    (0.070, 100),
    (0.071, 101),
    (0.085, 150),
    (0.086, 151),
    (0.105, 200),
    (0.106, 201),
    (0.200, 300),
]
O3_1H_EDGES = [
    (0.125, 101),
    (0.164, 150),
    (0.165, 151),
    (0.204, 200),
    (0.205, 201),
    (0.404, 300),
    (0.405, 301),
    (0.604, 500),
]


@pytest.mark.parametrize(("ppm", "expected"), O3_8H_EDGES)
def test_ozone_8h_band_edges_by_hand(ppm, expected):
    table = sub_index(ppm, standard="us_epa_2024", pollutant="o3", averaging="8h")
    assert table["index"].iloc[0] == expected
    assert table["table_unit"].iloc[0] == "ppm"


@pytest.mark.parametrize(("ppm", "expected"), O3_1H_EDGES)
def test_ozone_1h_band_edges_by_hand(ppm, expected):
    table = sub_index(ppm, standard="us_epa_2024", pollutant="o3", averaging="1h")
    assert table["index"].iloc[0] == expected


@pytest.mark.parametrize(
    ("edges", "period", "averaging"),
    [(O3_8H_EDGES, "8h rolling", "8h"), (O3_1H_EDGES, "1h", "1h")],
)
def test_ozone_band_edges_from_ugm3_at_25c(edges, period, averaging):
    # The toolkit stores ozone in µg/m³: ppm × 1000 × 47.997 / 24.4654 (25 °C, 1 atm).
    ugm3 = [ppm_to_ugm3(ppm) for ppm, _ in edges]
    data = _data(_averages(ugm3, variable="o3", period=period, step="1h"))
    rows = _sub(aqi(data, overall=False))
    rows = rows[rows["averaging"] == averaging]
    assert rows["value"].tolist() == [float(i) for _, i in edges]
    assert rows["concentration"].tolist() == pytest.approx([ppm for ppm, _ in edges])
    assert set(rows["concentration_unit"]) == {"ppm"}


def test_ozone_1h_below_its_table_has_no_index():
    table = sub_index(0.124, standard="us_epa_2024", pollutant="o3", averaging="1h")
    assert math.isnan(table["index"].iloc[0])
    assert "below this table's lowest breakpoint (0.125 ppm)" in table["note"].iloc[0]


# --- truncation and rounding ---------------------------------------------------------
def test_truncation_before_the_lookup():
    # 35.45 truncates to 35.4 (AQI 100); only 35.5 reaches the next band (AQI 101).
    table = sub_index([35.4, 35.45, 35.49, 35.5], standard="us_epa_2024")
    assert table["concentration_used"].tolist() == [35.4, 35.4, 35.4, 35.5]
    assert table["index"].tolist() == [100, 100, 100, 101]


def test_truncation_of_each_pollutant():
    # O3 0.0549 ppm -> 0.054 (50); PM10 54.9 -> 54 (50); CO 4.49 ppm -> 4.4 (50);
    # NO2 53.9 ppb -> 53 (50); SO2 35.9 ppb -> 35 (50).
    cases = [("o3", "8h", 0.0549), ("pm10", "24h", 54.9), ("co", "8h", 4.49)]
    cases += [("no2", "1h", 53.9), ("so2", "1h", 35.9)]
    for pollutant, averaging, value in cases:
        table = sub_index(value, pollutant=pollutant, averaging=averaging)
        assert table["index"].iloc[0] == 50, pollutant


def test_index_rounds_halves_up():
    # O3 8 h 0.153 ppm: 201 + (300 - 201) / (0.200 - 0.106) × (0.153 - 0.106)
    # = 201 + 99 × 0.047 / 0.094 = 250.5 -> 251 (nearest integer, halves up; the
    # TAD's "round to the nearest integer"). Banker's rounding would give 250.
    table = sub_index(0.153, pollutant="o3", averaging="8h")
    assert table["index"].iloc[0] == 251
    # O3 8 h 0.078 ppm: 101 + 49 × 0.007 / 0.014 = 125.5 -> 126.
    assert sub_index(0.078, pollutant="o3", averaging="8h")["index"].iloc[0] == 126


def test_gases_are_converted_at_25c():
    # CO 10.0 mg/m³ = 10 / (28.010 / 24.4654) = 8.73 ppm -> 8.7 -> 51 + 49/4.9 × 4.2 = 93.
    co = _averages([10.0], variable="co", period="8h rolling", step="1h")
    result = aqi(_data(co), overall=False)
    rows = _sub(result)
    assert result.history[-1].parameters["reference_temperature_c"] == 25.0
    assert rows["value"].tolist() == [93.0]
    assert rows["concentration"].tolist() == [8.7]
    # NO2 100 µg/m³ = 100 / (46.0055 / 24.4654) = 53.2 ppb -> 53 -> 50; 101.6 -> 54.03 -> 54 -> 51.
    no2 = _averages([100.0, 101.6], variable="no2", period="1h", step="1h")
    assert _sub(aqi(_data(no2), overall=False))["value"].tolist() == [50.0, 51.0]


# --- pre-2024 against 2024 -----------------------------------------------------------
@pytest.mark.parametrize(
    ("concentration", "old", "new"),
    [
        # old: 12.0 is the top of Good -> 50;
        # new: 51 + (100 - 51) / (35.4 - 9.1) × (12.0 - 9.1) = 51 + 5.40 = 56.40 -> 56.
        (12.0, 50, 56),
        # old: 51 + 49 / 23.3 × (12.1 - 12.1) = 51; new: 51 + 49 / 26.3 × 3.0 = 56.59 -> 57.
        (12.1, 51, 57),
        # unchanged bands: 35.5 -> 101 and 55.5 -> 151 in both.
        (35.5, 101, 101),
        (55.5, 151, 151),
        # old: top of Unhealthy -> 200; new: 201 + 99 / 99.9 × (150.4 - 125.5) = 225.68 -> 226.
        (150.4, 200, 226),
        # old: 301 + 99 / 99.9 × (300 - 250.5) = 350.05 -> 350;
        # new: 301 + 199 / 99.9 × (300 - 225.5) = 449.40 -> 449.
        (300.0, 350, 449),
    ],
)
def test_pre_2024_table_differs_where_it_should(concentration, old, new):
    assert sub_index(concentration, standard="us_epa_2018")["index"].iloc[0] == old
    assert sub_index(concentration, standard="us_epa_2024")["index"].iloc[0] == new


def test_pre_2024_result_names_its_version():
    result = aqi(_data(_averages([12.0])), standard="us_epa_2018", overall=False)
    rows = _sub(result)
    assert rows["value"].tolist() == [50.0]
    assert "2018" in rows["standard"].iloc[0]
    assert result.history[-1].parameters["standard"] == "us_epa_2018"


# --- beyond and below the tables -----------------------------------------------------
def test_beyond_the_aqi():
    # 325.5: 301 + 199 / 99.9 × 100.0 = 500.2 -> 500; 400: 301 + 199 / 99.9 × 174.5 = 648.6.
    table = sub_index([325.4, 325.5, 400.0], standard="us_epa_2024")
    assert table["index"].tolist() == [500, 500, 649]
    assert table["category"].tolist() == ["Hazardous", "Beyond the AQI", "Beyond the AQI"]
    assert table["colour"].tolist() == ["#7E0023"] * 3
    assert table["beyond_table"].tolist() == [False, True, True]
    assert "above the top breakpoint (325.4 µg/m³)" in table["note"].iloc[2]
    capped = sub_index([400.0], beyond="cap")
    assert capped["index"].tolist() == [500]
    missing = sub_index([400.0], beyond="missing")
    assert math.isnan(missing["index"].iloc[0])
    assert missing["category"].iloc[0] == "Beyond the AQI"


def test_beyond_option_in_aqi():
    result = aqi(_data(_averages([400.0])), beyond="cap", overall=False)
    assert _sub(result)["value"].tolist() == [500.0]
    assert result.history[-1].parameters["beyond"] == "cap"
    with pytest.raises(ValueError, match="beyond must be one of extrapolate, cap, missing"):
        aqi(_data(_averages([400.0])), beyond="clip")


def test_negative_concentration_has_no_index():
    table = sub_index(-1.0)
    assert math.isnan(table["index"].iloc[0])
    assert table["note"].iloc[0] == "negative concentration: no index"


def test_ozone_8h_above_its_table_uses_the_1h_value_overall():
    # 8-hour 0.250 ppm: not indexed (8-hour values do not define AQI 301+).
    # 1-hour 0.300 ppm: 201 + (300 - 201) / (0.404 - 0.205) × (0.300 - 0.205) = 248.26 -> 248.
    eight = _averages([ppm_to_ugm3(0.250)], variable="o3", period="8h rolling", step="1h")
    one = _averages([ppm_to_ugm3(0.300)], variable="o3", period="1h", step="1h")
    result = aqi(_data(pd.concat([eight, one], ignore_index=True)))
    rows = _sub(result)
    by_averaging = dict(zip(rows["averaging"], rows["value"], strict=True))
    assert math.isnan(by_averaging["8h"])
    assert by_averaging["1h"] == 248
    note = rows.loc[rows["averaging"] == "8h", "note"].iloc[0]
    assert "above 0.2 ppm this table defines no index" in note
    total = _overall(result)
    assert total["value"].tolist() == [248.0]
    assert total["dominant"].tolist() == ["o3"]


def test_so2_1h_held_at_200():
    # 1100 µg/m³ = 1100 / (64.066 / 24.4654) = 420.1 ppb -> 420: above 304 ppb, held at 200.
    rows = _sub(aqi(_data(_averages([1100.0], variable="so2", period="1h", step="1h"))))
    one_hour = rows[rows["averaging"] == "1h"]
    assert one_hour["value"].tolist() == [200.0]
    assert "held at 200" in one_hour["note"].iloc[0]


# --- the overall index ---------------------------------------------------------------
def test_overall_is_the_worst_sub_index_of_the_day():
    # PM2.5 day mean 35.5 -> 101; O3 8-hour means 0.071 ppm (101) and 0.086 ppm (151).
    pm = _averages([35.5])
    o3 = _averages(
        [ppm_to_ugm3(0.071), ppm_to_ugm3(0.086)], variable="o3", period="8h rolling", step="1h"
    )
    result = aqi(_data(pd.concat([pm, o3], ignore_index=True)))
    total = _overall(result)
    assert total["value"].tolist() == [151.0]
    assert total["dominant"].tolist() == ["o3"]
    assert total["category"].tolist() == ["Unhealthy"]
    assert total["period"].tolist() == ["day"]
    assert total["time"].tolist() == [START]
    assert total["end"].tolist() == [START + pd.Timedelta("1D")]
    assert total["n_readings"].tolist() == [2]  # two pollutants with an index
    assert total["standard"].tolist() == [EPA]
    # only 8-hour ozone means were handed in: the 1-hour ozone table is skipped, and said so
    assert result.history[-1].parameters["tables_skipped"] == {
        "o3 1h": "no averages of that period given"
    }


def test_overall_days_are_local_days():
    # Berlin (UTC+2 in July): a PM2.5 day mean labelled 2024-06-30T22:00Z is the local
    # day of 1 July; the overall value of that local day starts there too.
    days = _averages([20.0], start=pd.Timestamp("2024-06-30T22:00Z"))
    total = _overall(aqi(_data(days, zone="Europe/Berlin")))
    assert total["time"].tolist() == [pd.Timestamp("2024-06-30T22:00Z")]


def test_india_overall_needs_three_pollutants_one_of_them_pm():
    # PM2.5 40 -> 51 + 49/29 × 9 = 66.2 -> 66; NO2 100 -> 101 + 99/99 × 19 = 120;
    # SO2 30 -> 50/40 × 30 = 37.5 -> 38.
    pm = _averages([40.0])
    no2 = _averages([100.0], variable="no2")
    so2 = _averages([30.0], variable="so2")
    two = aqi(_data(pd.concat([pm, no2], ignore_index=True)), standard="in_naqi_2014")
    assert sorted(_sub(two)["value"].tolist()) == [66.0, 120.0]
    total = _overall(two)
    assert math.isnan(total["value"].iloc[0])
    assert not total["valid"].iloc[0]
    assert "at least three pollutants" in total["note"].iloc[0]
    three = aqi(_data(pd.concat([pm, no2, so2], ignore_index=True)), standard="in_naqi_2014")
    assert _overall(three)["value"].tolist() == [120.0]
    assert _overall(three)["dominant"].tolist() == ["no2"]
    without_pm = aqi(_data(pd.concat([no2, so2], ignore_index=True)), standard="in_naqi_2014")
    assert math.isnan(_overall(without_pm)["value"].iloc[0])


@pytest.mark.parametrize(
    ("concentration", "expected", "category"),
    [
        (30.0, 50, "Good"),
        (30.4, 50, "Good"),  # rounded to 30 µg/m³
        (30.5, 51, "Satisfactory"),  # rounded to 31 µg/m³
        (60.0, 100, "Satisfactory"),
        (90.0, 200, "Moderately Polluted"),
        (120.0, 300, "Poor"),
        (121.0, 301, "Very Poor"),
        (250.0, 400, "Very Poor"),
        # Severe has no published upper breakpoint: the Very Poor line continues,
        # 301 + 99 / 129 × (251 - 121) = 400.8, at least 401 -> 401.
        (251.0, 401, "Severe"),
    ],
)
def test_india_pm25_sub_index(concentration, expected, category):
    table = sub_index(concentration, standard="in_naqi_2014")
    assert table["index"].iloc[0] == expected
    assert table["category"].iloc[0] == category


def test_european_index_is_banded_and_the_worst_pollutant_counts():
    # Revised EAQI, hourly: PM2.5 5.0 Good (1), 5.01 Fair (2), 140 Very poor (5),
    # 140.1 Extremely poor (6); NO2 65 µg/m³ is Poor (4): above 60, at most 100.
    pm = _averages([5.0, 5.01, 140.0, 140.1], period="1h", step="1h")
    no2 = _averages([65.0], variable="no2", period="1h", step="1h")
    result = aqi(_data(pd.concat([pm, no2], ignore_index=True)), standard="eaqi_2024")
    rows = _sub(result, "pm25")
    assert rows["value"].tolist() == [1.0, 2.0, 5.0, 6.0]
    assert rows["category"].tolist() == ["Good", "Fair", "Very poor", "Extremely poor"]
    total = _overall(result)
    assert total["period"].tolist() == ["1h"] * 4
    assert total["value"].tolist() == [4.0, 2.0, 5.0, 6.0]
    assert total["dominant"].tolist() == ["no2", "pm25", "pm25", "pm25"]


def test_classic_european_index_uses_24h_running_pm():
    hourly = _averages([12.0] * 30, period="1h", step="1h")
    result = aqi(_data(hourly), standard="eaqi_2017", overall=False)
    rows = _sub(result)
    assert set(rows["averaging"]) == {"24h running"}
    assert set(rows.loc[rows["valid"], "value"]) == {2.0}  # 12 µg/m³: Fair (10-20)
    assert "rolling_mean" in [s.name for s in result.history]


@pytest.mark.parametrize(
    ("concentration", "expected", "category"),
    [
        (11.0, 1, "Low"),
        (11.49, 1, "Low"),
        (11.5, 2, "Low"),
        (70.0, 9, "High"),
        (70.5, 10, "Very High"),
    ],
)
def test_uk_daqi(concentration, expected, category):
    table = sub_index(concentration, standard="uk_daqi_2013")
    assert table["index"].iloc[0] == expected
    assert table["category"].iloc[0] == category


# --- averaging from raw readings and the NowCast -------------------------------------
def _raw(values_per_day, *, variable="pm25", zone_start, every="10min"):
    frames = []
    for day, value in enumerate(values_per_day):
        times = pd.date_range(zone_start + pd.Timedelta(days=day), periods=144, freq=every)
        frames.append(
            pd.DataFrame(
                {
                    "sensor_id": "s",
                    "time": times,
                    "variable": variable,
                    "value": value,
                    "unit": "µg/m³",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_raw_readings_are_averaged_over_local_days():
    # Berlin day of 1 July 2024 runs from 2024-06-30T22:00Z; 144 readings of 12.0 µg/m³.
    start = pd.Timestamp("2024-06-30T22:00Z")
    data = _data(_raw([12.0], zone_start=start), zone="Europe/Berlin")
    before = data.readings.copy()
    result = aqi(data)
    rows = _sub(result)
    assert rows["value"].tolist() == [56.0]
    assert rows["period"].tolist() == ["day"]
    assert rows["time"].tolist() == [start]
    assert [s.name for s in result.history] == ["average", "aqi"]
    assert result.history[0].parameters["period"] == "day"
    pd.testing.assert_frame_equal(data.readings, before)  # the input is unchanged
    assert len(data.readings) == 144


def test_nowcast_follows_epa_worked_example():
    # AirNow "Computing the NowCast": NowCast 17.4 µg/m³ ->
    # 51 + 49 / 26.3 × (17.4 - 9.1) = 66.46 -> 66.
    hours = [50.0, 80, 75, 90, 82, 53, 64, 74, 21, 10, 16, 13]
    result = aqi(_data(_averages(hours, period="1h", step="1h")), nowcast=True)
    rows = _sub(result)
    assert rows["averaging"].iloc[-1] == "nowcast"
    assert rows["concentration"].iloc[-1] == 17.4
    assert rows["value"].iloc[-1] == 66
    total = _overall(result)
    assert total["period"].iloc[-1] == "1h"
    assert total["value"].iloc[-1] == 66
    assert "nowcast" in [s.name for s in result.history]
    assert result.history[-1].parameters["nowcast"] is True


def test_channels_get_their_own_index():
    a = _averages([12.0]).assign(channel="A")
    b = _averages([35.5]).assign(channel="B")
    result = aqi(_data(pd.concat([a, b], ignore_index=True)))
    total = _overall(result).sort_values("channel")
    assert total["value"].tolist() == [56.0, 101.0]


# --- provenance, flags and inputs ----------------------------------------------------
def test_every_result_names_its_standard_and_the_history_records_it():
    data = _data(_averages([12.0, 40.0]))
    result = aqi(data)
    assert set(result.readings["standard"]) == {EPA}
    assert set(result.readings["variable"]) == {"aqi"}
    assert set(result.readings["unit"]) == {"index"}
    step = result.history[-1]
    assert step.name == "aqi"
    assert step.parameters["standard"] == "us_epa_2024"
    assert step.parameters["label"] == EPA
    assert step.parameters["min_coverage"] == 0.75
    assert step.parameters["tables"]["pm25 24h"].startswith("µg/m³; truncate to 1 decimals")
    assert "EPA-454/B-24-002" in step.citation
    assert step.touched == 2


def test_flagged_and_invalid_averages_keep_their_rows():
    days = _averages([12.0, 40.0, 60.0], valid=[True, True, False])
    days["flag_test"] = [False, True, False]
    data = _data(days)
    before = data.readings.copy()
    rows = _sub(aqi(data, overall=False))
    assert len(rows) == 3
    assert rows["value"].iloc[0] == 56
    assert math.isnan(rows["value"].iloc[1])
    assert rows["note"].iloc[1] == "flagged by a quality rule"
    assert math.isnan(rows["value"].iloc[2])
    assert not rows["valid"].iloc[2]
    pd.testing.assert_frame_equal(data.readings, before)


def test_mapped_pollutants():
    days = _averages([12.0], variable="pm25_corrected")
    with pytest.raises(DataFormatError, match="None of the pollutants") as err:
        aqi(_data(days))
    assert "pollutants={'pm25_corrected': 'pm25'}" in str(err.value)
    result = aqi(_data(days), pollutants={"pm25_corrected": "pm25"})
    assert _sub(result)["pollutant"].tolist() == ["pm25_corrected"]
    assert _sub(result)["value"].tolist() == [56.0]
    assert result.history[-1].parameters["pollutants"] == {"pm25_corrected": "pm25"}


def test_errors_say_what_to_do():
    days = _data(_averages([12.0]))
    with pytest.raises(DataFormatError, match="is a guideline") as err:
        aqi(days, standard="who_2021_pm25_24h")
    assert "exceedances" in str(err.value)
    with pytest.raises(UnknownStandardError, match="'epa' is not a standard"):
        aqi(days, standard="epa")
    with pytest.raises(DataFormatError, match="The NowCast belongs to the US EPA AQI"):
        aqi(days, standard="eaqi_2024", nowcast=True)
    with pytest.raises(DataFormatError, match="has no table for 'pm1'"):
        aqi(days, pollutants={"pm25": "pm1"})
    with pytest.raises(MissingColumnError, match="'pm10' is not in this data"):
        aqi(days, pollutants={"pm10": "pm10"})
    hourly = _data(_averages([12.0] * 24, period="1h", step="1h"))
    with pytest.raises(DataFormatError, match="averages over other periods") as err:
        aqi(hourly)
    assert "toolkit.timeseries.average(data, 'day')" in str(err.value)
    no_valid = _averages([12.0]).drop(columns="valid")
    with pytest.raises(DataFormatError, match="do not say which periods are valid"):
        aqi(_data(no_valid))
    with pytest.raises(DataFormatError, match="has more than one table for o3"):
        sub_index(0.07, pollutant="o3")
    with pytest.raises(DataFormatError, match="has no table for 'nh3'"):
        sub_index(10, pollutant="nh3")


# --- exceedances ---------------------------------------------------------------------
def test_who_24h_exceedances_with_completeness():
    # Days: 10, 15 (equal: not above), 15.1, 40, and a day without enough data.
    days = _averages([10.0, 15.0, 15.1, 40.0, 99.0], valid=[True, True, True, True, False])
    data = _data(days)
    before = data.readings.copy()
    table = exceedances(data, guideline="who_2021_pm25_24h")
    row = table.iloc[0]
    assert row["guideline_name"] == "who_2021_pm25_24h"
    assert row["guideline"].startswith("WHO global air quality guidelines (2021) AQG level")
    assert (row["threshold"], row["unit"], row["averaging"]) == (15.0, "µg/m³", "24h")
    assert row["periods_in_span"] == 5
    assert row["periods_with_data"] == 5
    assert row["periods_valid"] == 4
    assert row["periods_above"] == 2
    assert row["share_above"] == 0.5
    assert row["data_capture"] == 0.8
    assert math.isnan(row["allowed"])
    assert pd.isna(row["over_allowed"])
    assert row["year"] == 2024
    pd.testing.assert_frame_equal(data.readings, before)
    history = table.attrs["history"]
    assert history[-1].name == "exceedances"
    assert history[-1].parameters["guideline"] == "who_2021_pm25_24h"
    assert history[-1].parameters["comparison"] == "value > threshold"
    assert "WHO global air quality guidelines" in history[-1].citation


@pytest.mark.parametrize(("days_above", "over"), [(35, False), (36, True)])
def test_eu_pm10_allows_35_days(days_above, over):
    values = [51.0] * days_above + [20.0] * 10
    data = _data(_averages(values, variable="pm10", start=pd.Timestamp("2024-01-01T00:00Z")))
    row = exceedances(data, guideline="eu_2008_pm10_24h").iloc[0]
    assert row["periods_above"] == days_above
    assert row["allowed"] == 35
    assert bool(row["over_allowed"]) is over


def test_exceedances_are_counted_per_calendar_year():
    data = _data(_averages([20.0] * 4, start=pd.Timestamp("2023-12-30T00:00Z")))
    table = exceedances(data, guideline="eu_2024_pm25_24h")
    assert table["year"].tolist() == [2023, 2024]
    assert table["periods_above"].tolist() == [0, 0]
    assert table["allowed"].tolist() == [18.0, 18.0]


def test_exceedances_from_raw_readings():
    start = pd.Timestamp("2024-06-30T22:00Z")
    data = _data(_raw([20.0, 10.0], zone_start=start), zone="Europe/Berlin")
    table = exceedances(data, guideline="who_2021_pm25_24h")
    assert table["periods_valid"].tolist() == [2]
    assert table["periods_above"].tolist() == [1]
    assert [s.name for s in table.attrs["history"]] == ["average", "exceedances"]


def test_maximum_daily_8h_mean_by_the_eu_rule():
    # Hourly O3 from 16:00 on 31 May to 23:00 on 1 June (UTC), 100 µg/m³ except 130 from
    # 10:00 to 17:00 on 1 June. Windows belong to the day in which they end:
    # 31 May: one window (16:00-24:00): not enough (1 of 24).
    # 1 June: windows starting 17:00 (31 May) to 16:00, all complete: 24 of 24, valid;
    #   the highest is 10:00-18:00 at 130 > 120 -> one exceedance.
    # 2 June: windows starting 17:00 and 18:00 have 7 and 6 of 8 hours: 2 of 24, not valid.
    times = pd.date_range("2024-05-31T16:00Z", "2024-06-01T23:00Z", freq="1h")
    values = np.where((times >= "2024-06-01T10:00Z") & (times < "2024-06-01T18:00Z"), 130.0, 100.0)
    hourly = _averages(values, variable="o3", period="1h", step="1h", start=times[0])
    table = exceedances(_data(hourly), guideline="eu_2024_o3_8h_max_daily")
    row = table.iloc[0]
    assert row["periods_with_data"] == 3
    assert row["periods_in_span"] == 3
    assert row["periods_valid"] == 1
    assert row["periods_above"] == 1
    assert row["allowed"] == 18
    assert [s.name for s in table.attrs["history"]] == [
        "rolling_mean",
        "daily_max_8h",
        "exceedances",
    ]


def test_user_defined_threshold_end_to_end():
    ours = standards.custom("test pm25 school", "pm25", bands=[25], source="test PTA")
    data = _data(_averages([20.0, 26.0, 30.0, 25.0]))
    table = exceedances(data, guideline="test pm25 school")
    row = table.iloc[0]
    assert row["guideline_name"] == "test pm25 school"
    assert row["guideline"] == (
        "test pm25 school (user-defined): pm25 24h above 25 µg/m³ (above 25 µg/m³)"
    )
    assert (row["periods_valid"], row["periods_above"]) == (4, 2)
    step = table.attrs["history"][-1]
    assert step.parameters["guideline"] == "test pm25 school"
    assert step.citation == "test PTA"
    result = aqi(data, standard=ours)
    rows = _sub(result)
    assert rows["value"].tolist() == [1.0, 2.0, 2.0, 1.0]
    assert rows["category"].tolist() == [
        "at or below 25 µg/m³",
        "above 25 µg/m³",
        "above 25 µg/m³",
        "at or below 25 µg/m³",
    ]
    assert set(rows["standard"]) == {"test pm25 school (user-defined)"}
    assert result.history[-1].parameters["standard"] == "test pm25 school"


def test_user_scale_with_two_edges_counts_each():
    standards.custom("test two edges", "pm25", bands=[12, 35], allowed_exceedances=1)
    table = exceedances(_data(_averages([10.0, 20.0, 40.0])), guideline="test two edges")
    assert table["threshold"].tolist() == [12.0, 35.0]
    assert table["periods_above"].tolist() == [2, 1]
    assert table["over_allowed"].tolist() == [True, False]


def test_numeric_threshold_and_another_variable():
    days = _averages([10.0, 30.0], variable="pm25_corrected")
    table = exceedances(_data(days), guideline=25, variable="pm25_corrected", averaging="24h")
    assert table["guideline"].iloc[0] == "user threshold: pm25_corrected 24h 25 µg/m³"
    assert table["periods_above"].tolist() == [1]
    who = exceedances(_data(days), guideline="who_2021_pm25_24h", variable="pm25_corrected")
    assert who["variable"].tolist() == ["pm25_corrected"]
    assert who["periods_above"].tolist() == [1]


def test_exceedance_errors_say_what_to_do():
    days = _data(_averages([10.0]))
    with pytest.raises(DataFormatError, match="A numeric threshold needs to know"):
        exceedances(days, guideline=25)
    with pytest.raises(DataFormatError, match="is an index, not a threshold") as err:
        exceedances(days, guideline="us_epa_2024")
    assert "toolkit.indices.aqi" in str(err.value)
    with pytest.raises(DataFormatError, match="cannot compute the 'peak season'"):
        exceedances(_data(_averages([10.0], variable="o3")), guideline="who_2021_o3_peak_season")
    with pytest.raises(DataFormatError, match="'pm10' is not in this data"):
        exceedances(days, guideline="eu_2008_pm10_24h")
    with pytest.raises(ValueError, match="min_coverage must be a share"):
        exceedances(days, guideline="who_2021_pm25_24h", min_coverage=0)


def test_module_exports():
    assert set(indices.__all__) == {
        "BEYOND_RULES",
        "INDEX_COLUMNS",
        "aqi",
        "exceedances",
        "sub_index",
    }


# --- real exports --------------------------------------------------------------------
EPA_CATEGORY_RANGES = [
    ("Good", 0, 50),
    ("Moderate", 51, 100),
    ("Unhealthy for Sensitive Groups", 101, 150),
    ("Unhealthy", 151, 200),
    ("Very Unhealthy", 201, 300),
    ("Hazardous", 301, 500),
]


@pytest.mark.real_samples
def test_real_sensor_community_daily_aqi(real_samples):
    import toolkit

    data = toolkit.load(
        real_samples / "sensor_community" / "2017-08-30_sds011_sensor_5331.csv"
    ).with_timezone("Europe/Berlin")
    result = aqi(data)
    rows = _sub(result)
    assert set(rows["pollutant"]) <= {"pm25", "pm10"}
    for _, row in rows[rows["value"].notna()].iterrows():
        low, high = next((lo, hi) for c, lo, hi in EPA_CATEGORY_RANGES if c == row["category"])
        assert low <= row["value"] <= high
        assert row["concentration"] * 10 == pytest.approx(round(row["concentration"] * 10))
    assert result.history[-1].parameters["label"] == EPA


@pytest.mark.real_samples
def test_real_purpleair_channels_with_the_nowcast(real_samples):
    import toolkit

    data = toolkit.load(real_samples / "purpleair" / "example_pat_data_derived.csv")
    result = aqi(data, pollutants={"pm25_atm": "pm25"}, nowcast=True, timezone="UTC")
    rows = _sub(result)
    assert set(rows["channel"].dropna()) == {"A", "B"}
    assert set(rows["pollutant"]) == {"pm25_atm"}
    assert rows["value"].notna().any()


def test_annual_guideline_counts_local_years():
    # Berlin's year 2024 starts at 2023-12-31T23:00Z; an annual mean of 8 µg/m³ is above
    # the WHO 2021 annual AQG of 5 µg/m³.
    year = _averages([8.0], period="year", start=pd.Timestamp("2023-12-31T23:00Z"))
    table = exceedances(_data(year, zone="Europe/Berlin"), guideline="who_2021_pm25_year")
    assert table["year"].tolist() == [2024]
    assert table["periods_above"].tolist() == [1]
    assert table["threshold"].tolist() == [5.0]
