"""Tests of the OpenAQ reader: five variants, mixed units, offsets, codes, errors, ledger.

Expected gas values are computed by hand from µg/m³ = ppb × M / Vm, with the molar volume
Vm = R·T/p = 8.314462618 × 298.15 / 101325 = 24.4654 L/mol at 25 °C (24.0551 L/mol at
20 °C): NO2 (46.0055 g/mol) 1.88043 µg/m³ per ppb, O3 (47.997) 1.96183, CO (28.010)
1.14488 mg/m³ per ppm.
"""

from __future__ import annotations

import gzip
import io
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError, EmptyFileError, TimestampError
from toolkit.readers import openaq
from toolkit.readers._io import RawFile
from toolkit.readers.openaq import read_openaq


@pytest.fixture
def folder(data_dir):
    return data_dir / "openaq"


def values_of(data, variable):
    return data.readings.loc[data.readings["variable"] == variable, "value"].tolist()


# -- legacy v1/v2 CSV -----------------------------------------------------------------
def test_legacy_mixed_units_are_converted_row_by_row(folder):
    data = read_openaq(folder / "legacy_v2.csv")
    # 0.040 ppm = 40 ppb × 1.88043 = 75.217 µg/m³; the next hour is already 51.3 µg/m³.
    assert values_of(data, "no2") == pytest.approx([75.217, 51.3], abs=0.001)
    assert set(data.readings.loc[data.readings["variable"] == "no2", "unit"]) == {"µg/m³"}
    # CO: 0.5 ppm × 1.14488 = 0.57244 mg/m³; 450 µg/m³ = 0.45 mg/m³.
    assert values_of(data, "co") == pytest.approx([0.57244, 0.45], abs=1e-5)
    assert values_of(data, "o3") == pytest.approx([58.855], abs=0.001)  # 30 ppb × 1.96183
    assert values_of(data, "pm25") == [8.5]
    assert values_of(data, "bc") == [0.7]
    record = data.ledger[0]
    assert record.format == "openaq/legacy_csv"
    assert any("ppm → µg/m³" in c and "25 °C" in c for c in record.conversions)
    assert any("co: µg/m³ → mg/m³" in c for c in record.conversions)
    assert_balanced(data)


def test_legacy_uses_utc_column_and_ignores_local(folder):
    data = read_openaq(folder / "legacy_v2.csv")
    assert str(data.readings["time"].iloc[0]) == "2019-01-01 08:00:00+00:00"
    record = data.ledger[0]
    assert "local" in record.columns_ignored
    assert record.time_label.startswith("end of the averaging period")


def test_legacy_attribution_with_doubled_quotes_is_parsed(folder):
    sensors = read_openaq(folder / "legacy_v2.csv").sensors
    assert sensors["sensor_id"].tolist() == ["openaq:Del Norte"]
    row = sensors.iloc[0]
    assert row["attribution"] == "EPA AirNow DOS"
    assert (row["city"], row["country"]) == ("Albuquerque", "US")
    assert (row["latitude"], row["longitude"]) == (35.1353, -106.5847)


def test_minus_999_is_a_missing_value_code(folder):
    record = read_openaq(folder / "legacy_v2.csv").ledger[0]
    assert record.readings_dropped == {"missing-value code '-999'": 1}
    assert record.rows_read == 8
    assert record.rows_kept == 8  # the row stays; its value is what is dropped


def test_gas_reference_temperature_20c(folder):
    data = read_openaq(folder / "legacy_v2.csv", gas_reference_temperature_c=20.0)
    # 40 ppb × 46.0055 / 24.0551 = 76.500 µg/m³ (EU convention).
    assert values_of(data, "no2")[0] == pytest.approx(76.500, abs=0.001)
    assert any("20 °C" in c for c in data.ledger[0].conversions)


# -- AWS archive ----------------------------------------------------------------------
def test_archive_offsets_converted_to_utc(folder):
    data = read_openaq(folder / "location-2178-20230222.csv")
    times = data.readings["time"].astype(str).tolist()
    # 01:00 at UTC-7 is 08:00 UTC.
    assert times[:2] == ["2023-02-22 08:00:00+00:00"] * 2
    assert times[2] == "2023-02-22 09:00:00+00:00"
    assert data.ledger[0].timezone == "offsets"


def test_archive_real_column_names_and_sensor_ids(folder):
    data = read_openaq(folder / "location-2178-20230222.csv")
    assert data.ledger[0].format == "openaq/archive_csv"
    assert data.sensors["sensor_id"].tolist() == ["openaq:2178"]
    assert data.sensors["openaq_sensors_ids"].iloc[0] == "3917,3918,3919"
    assert values_of(data, "no2") == pytest.approx([75.217, 39.489], abs=0.001)  # 21 ppb


def test_archive_negative_values_are_kept(folder):
    data = read_openaq(folder / "location-2178-20230222.csv")
    assert values_of(data, "pm25") == [6.2, -1.5]


def test_archive_empty_value_is_a_dropped_value_of_a_kept_row(folder):
    record = read_openaq(folder / "location-2178-20230222.csv").ledger[0]
    assert record.rows_read == record.rows_kept == 5
    assert record.readings_dropped == {"empty field": 1}


def test_archive_csv_gz(folder, tmp_path):
    path = tmp_path / "location-2178-20230222.csv.gz"
    path.write_bytes(gzip.compress((folder / "location-2178-20230222.csv").read_bytes()))
    data = read_openaq(path)
    assert len(data) == 4
    assert data.ledger[0].path.endswith("location-2178-20230222.csv.gz")


def test_archive_documented_column_names_are_read_too():
    text = (
        "location_id,sensor_id,location,datetime,lat,lon,parameter,unit,value\n"
        "2178,3918,Del Norte,2023-02-22T01:00:00-07:00,35.1,-106.5,pm25,µg/m³,6.2\n"
    )
    data = read_openaq(io.BytesIO(text.encode()))
    assert values_of(data, "pm25") == [6.2]


def test_archive_later_layout_with_summary_and_short_offsets(folder):
    data = read_openaq(folder / "location-2178-20260328.csv")
    assert data.readings["time"].astype(str).tolist() == [
        "2026-03-28 05:00:00+00:00",
        "2026-03-28 06:00:00+00:00",
    ]
    assert set(data.ledger[0].columns_ignored) == {"summary", "coverage"}


# -- Explorer download ----------------------------------------------------------------
def test_explorer_timezone_goes_to_sensors_table(folder):
    data = read_openaq(folder / "explorer_1612333.csv")
    row = data.sensors.iloc[0]
    assert row["sensor_id"] == "openaq:1612333"
    assert row["timezone"] == "America/Toronto"
    assert row["name"] == "AQ-Toronto-Annex"
    assert row["provider"] == "AirGradient"
    assert row["model"] is None  # isMonitor is blank


def test_explorer_parameters_mapped_and_unknown_dropped_by_name(folder):
    data = read_openaq(folder / "explorer_1612333.csv")
    assert values_of(data, "humidity") == [71.25]
    assert values_of(data, "temperature") == [19.5]
    record = data.ledger[0]
    assert record.rows_dropped == {"parameter 'um003' is not a variable the toolkit knows": 1}
    assert record.readings_dropped == {"empty field": 1}
    assert str(data.readings["time"].iloc[0]) == "2025-09-01 01:00:00+00:00"
    assert "datetimeLocal" in record.columns_ignored
    assert_balanced(data)


# -- v2 JSON --------------------------------------------------------------------------
def test_v2_json_codes_negatives_and_paging(folder):
    data = read_openaq(folder / "v2_measurements.json")
    record = data.ledger[0]
    assert record.format == "openaq/v2_json"
    assert record.readings_dropped == {"missing-value code '-999'": 1}
    assert values_of(data, "pm25") == [-2.1]
    assert values_of(data, "o3") == pytest.approx([58.855], abs=0.001)
    assert any("found 9 results" in n and "page=2" in n for n in record.notes)
    row = data.sensors.iloc[0]
    assert (row["sensor_id"], row["model"]) == ("openaq:2178", "reference grade")
    assert_balanced(data)


# -- v3 JSON --------------------------------------------------------------------------
def test_v3_json_time_is_period_start(folder):
    data = read_openaq(folder / "sensor-3917-hours.json")
    assert str(data.readings["time"].iloc[0]) == "2023-02-22 08:00:00+00:00"  # datetimeFrom
    record = data.ledger[0]
    assert record.time_label.startswith("start of the averaging period")
    assert "1hour (01:00:00)" in record.time_label


def test_v3_json_sensor_id_from_file_name_or_option(folder):
    data = read_openaq(folder / "sensor-3917-hours.json")
    assert data.sensors["sensor_id"].tolist() == ["openaq:sensor-3917"]
    assert any("taken from the file name" in n for n in data.ledger[0].notes)
    other = read_openaq(folder / "sensor-3917-hours.json", sensor_id="42")
    assert other.sensors["sensor_id"].tolist() == ["openaq:sensor-42"]


def test_v3_json_flags_null_and_code(folder):
    data = read_openaq(folder / "sensor-3917-hours.json")
    record = data.ledger[0]
    assert any(n.startswith("1 value(s) carry OpenAQ flags") for n in record.notes)
    assert record.readings_dropped == {"empty field": 1, "missing-value code '-999'": 1}
    # 21 ppb and 35 ppb × 1.88043
    assert values_of(data, "no2") == pytest.approx([39.489, 65.815], abs=0.001)
    assert_balanced(data)


# -- rows that cannot be read ---------------------------------------------------------
ARCHIVE_HEAD = "location_id,sensors_id,location,datetime,lat,lon,parameter,units,value\n"


def test_unknown_and_missing_units_drop_the_row():
    text = ARCHIVE_HEAD + (
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm25,furlongs,3\n"
        "1,2,X,2023-01-01T00:00:00Z,1,1,no2,,3\n"
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm25,ppm,3\n"
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm10,ug/m3,3\n"
    )
    data = read_openaq(io.BytesIO(text.encode()))
    assert data.ledger[0].rows_dropped == {
        "unit 'furlongs' cannot be converted to pm25 [µg/m³]": 1,
        "unit missing for no2 (the unit cannot be guessed)": 1,
        "unit 'ppm' cannot be converted to pm25 [µg/m³]": 1,
    }
    assert values_of(data, "pm10") == [3.0]


def test_unreadable_time_and_wrong_field_count_drop_rows():
    text = ARCHIVE_HEAD + (
        "1,2,X,yesterday,1,1,pm25,µg/m³,3\n"
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm25,µg/m³\n"
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm25,µg/m³,4\n"
    )
    record = read_openaq(io.BytesIO(text.encode())).ledger[0]
    assert record.rows_dropped == {
        "timestamp could not be read": 1,
        "row does not have the header's 9 fields": 1,
    }
    assert record.rows_kept == 1


# -- detection and errors -------------------------------------------------------------
def test_detect_variants(folder):
    for name, variant in [
        ("legacy_v2.csv", "legacy_csv"),
        ("location-2178-20230222.csv", "archive_csv"),
        ("location-2178-20260328.csv", "archive_csv"),
        ("explorer_1612333.csv", "explorer_csv"),
        ("v2_measurements.json", "v2_json"),
        ("sensor-3917-hours.json", "v3_json"),
    ]:
        text = (folder / name).read_text(encoding="utf-8")
        assert openaq.detect(RawFile(name, b"", ""), text) == variant


def test_detect_does_not_claim_other_sources(data_dir):
    others = [
        "sensor_id;sensor_type;location;lat;lon;timestamp;P1;P2\n",
        '[{"sensordatavalues": [{"value_type": "P1", "value": "1"}]}]',
        '{"value": [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1}]}',
        "time,pm25\n2024-01-01T00:00:00Z,3\n",
    ]
    for text in others:
        assert openaq.detect(RawFile("x", b"", ""), text) is None


def test_not_openaq_error():
    with pytest.raises(
        DataFormatError,
        match=r"not an OpenAQ file(.|\n)*Found: first line: "
        r"'time,pm25'(.|\n)*location_id,sensors_id",
    ):
        read_openaq(io.BytesIO(b"time,pm25\n2024-01-01,3\n"))


def test_header_only_error():
    with pytest.raises(EmptyFileError, match=r"header but no data rows(.|\n)*location_id"):
        read_openaq(io.BytesIO(ARCHIVE_HEAD.encode()))


def test_empty_results_error():
    payload = {"meta": {"name": "openaq-api", "page": 1, "limit": 100, "found": 0}, "results": []}
    with pytest.raises(EmptyFileError, match=r"holds no results(.|\n)*Widen the date range"):
        read_openaq(io.BytesIO(json.dumps(payload).encode()))


def test_broken_json_error(folder):
    text = (folder / "v2_measurements.json").read_text(encoding="utf-8")[:600]
    with pytest.raises(DataFormatError, match=r"could not be parsed(.|\n)*cut short"):
        read_openaq(io.BytesIO(text.encode()))


def test_mixed_offset_and_plain_times_error():
    text = ARCHIVE_HEAD + (
        "1,2,X,2023-01-01T00:00:00Z,1,1,pm25,µg/m³,3\n1,2,X,2023-01-01 01:00:00,1,1,pm25,µg/m³,3\n"
    )
    with pytest.raises(TimestampError, match="mixes timestamps with a UTC offset"):
        read_openaq(io.BytesIO(text.encode()))


# -- the ledger always balances -------------------------------------------------------
_VALUE = st.sampled_from(["3.5", "-2", "", "-999", "abc", "0.04", "NaN", "null"])
_TIME = st.sampled_from(
    [
        "2023-02-22T01:00:00-07:00",
        "2023-02-22T02:00:00-07:00",
        "",
        "not a time",
        "2023-02-22 09:00:00+00",
    ]
)
_PARAM = st.sampled_from(["pm25", "no2", "um003", "", "relativehumidity", "co"])
_UNIT = st.sampled_from(["µg/m³", "ppm", "ppb", "", "%", "particles/cm³"])
_ROW = st.one_of(
    st.tuples(_TIME, _PARAM, _UNIT, _VALUE).map(
        lambda r: f"2178,3917,Del Norte,{r[0]},35.1,-106.5,{r[1]},{r[2]},{r[3]}"
    ),
    st.just(""),  # blank line
    st.just("2178,3917,cut short"),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, min_size=1, max_size=25))
def test_ledger_balances_for_any_mix_of_rows(rows):
    anchor = "2178,3917,Del Norte,2023-02-22T00:00:00-07:00,35.1,-106.5,pm25,µg/m³,1"
    text = ARCHIVE_HEAD + "\n".join([anchor, *rows]) + "\n"
    data = read_openaq(io.BytesIO(text.encode()))
    assert_balanced(data)
    record = data.ledger[0]
    assert record.rows_read == sum(1 for r in rows if r) + 1
    assert pd.api.types.is_float_dtype(data.readings["value"])
