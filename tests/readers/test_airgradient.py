"""AirGradient reader: local server JSON, firmware JSON, cloud JSON and dashboard CSV [M]."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError, EmptyFileError, TimestampError, UnitError
from toolkit.readers._io import RawFile
from toolkit.readers.airgradient import detect, read_airgradient

NOON = "2024-03-01T12:00:00Z"


def _read(text: str, **options):
    return read_airgradient(io.BytesIO(text.encode()), **options)


def _values(data) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for variable, value in zip(data.readings["variable"], data.readings["value"], strict=True):
        out.setdefault(str(variable), []).append(value)
    return out


# -- local server JSON ----------------------------------------------------------------
def test_local_server_snapshot(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "local_current.json", time=NOON)
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "airgradient/local_json"
    assert data.sensor_ids == ["airgradient:ecda3b1eaaaf"]
    values = _values(data)
    # pm02 is PM2.5 (not PM0.2), raw as reported by the sensor.
    assert values["pm25"] == [7.0]
    assert values["pm1"] == [3.0]
    assert values["pc_gt03"] == [442.0]
    assert values["co2"] == [447.0]
    assert values["temperature"] == [25.87]
    assert values["humidity"] == [43.0]
    assert values["voc_index"] == [100.0]
    assert values["nox_index"] == [1.0]
    assert set(data.readings["time"]) == {pd.Timestamp(NOON)}
    assert "snapshot" in record.time_label


def test_local_server_numbers_as_strings(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "local_current.json", time=NOON)
    assert _values(data)["pm10"] == [8.0]  # written "8" in the file


def test_compensated_values_are_kept_apart_from_raw(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "local_current.json", time=NOON)
    values = _values(data)
    assert values["temperature"] == [25.87]
    assert values["temperature_compensated"] == [24.47]
    assert values["humidity"] == [43.0]
    assert values["humidity_compensated"] == [49.0]
    assert any("kept apart" in n for n in data.ledger[0].notes)


def test_newer_firmware_fields():
    snapshot = {
        "serialno": "a",
        "pm02": 7,
        "pm02Compensated": 6.78,
        "pm01Standard": 3,
        "pm02Standard": 8,
        "pm10Standard": 9,
        "pm005Count": 300,
        "pm01Count": 50,
        "pm02Count": 5,
        "pm50Count": 1,
        "pm10Count": 0,
        "rco2": 482.33,
    }
    values = _values(_read(json.dumps(snapshot), time=NOON))
    assert values["pm25"] == [7.0]
    assert values["pm25_airgradient_corrected"] == [6.78]
    # "standard particle" masses are the Plantower CF=1 values.
    assert values["pm1_cf1"] == [3.0]
    assert values["pm25_cf1"] == [8.0]
    assert values["pm10_cf1"] == [9.0]
    # Counts per decilitre above 0.5, 1, 2.5, 5 and 10 µm.
    assert values["pc_gt05"] == [300.0]
    assert values["pc_gt1"] == [50.0]
    assert values["pc_gt25"] == [5.0]
    assert values["pc_gt5"] == [1.0]
    assert values["pc_gt10"] == [0.0]
    assert values["co2"] == [482.33]


def test_local_server_status_fields_are_not_read(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "local_current.json", time=NOON)
    ignored = data.ledger[0].columns_ignored
    assert "WiFi" in ignored["wifi"]
    assert "ticks" in ignored["tvocRaw"]
    assert "ticks" in ignored["noxRaw"]
    assert "bootCount" in ignored
    row = data.sensors.iloc[0]
    assert row["model"] == "I-9PSL"
    assert row["firmware"] == "3.1.3"


def test_snapshot_without_time_raises(data_dir):
    with pytest.raises(
        TimestampError,
        match=r"(?s)no timestamp.*current reading.*"
        r"local json snapshot.*time='2024-03-01T14:00:00\+01:00'",
    ):
        read_airgradient(data_dir / "airgradient" / "local_current.json")


def test_time_without_zone_raises(data_dir):
    with pytest.raises(
        TimestampError,
        match=r"(?s)no time zone.*time='2024-03-01 12:00'.*"
        r"file_timezone=",
    ):
        read_airgradient(data_dir / "airgradient" / "local_current.json", time="2024-03-01 12:00")


def test_unreadable_time_raises(data_dir):
    with pytest.raises(TimestampError, match=r"(?s)could not be read.*'noon'.*ISO 8601"):
        read_airgradient(data_dir / "airgradient" / "local_current.json", time="noon")


def test_time_with_timezone_option(data_dir):
    # 15:00 in Berlin in March (UTC+1) is 14:00 UTC.
    data = read_airgradient(
        data_dir / "airgradient" / "firmware_post.json",
        time="2024-03-01 15:00",
        file_timezone="Europe/Berlin",
        sensor_id="ab12",
    )
    assert set(data.readings["time"]) == {pd.Timestamp("2024-03-01T14:00:00Z")}


# -- firmware JSON --------------------------------------------------------------------
def test_firmware_snake_case(data_dir):
    data = read_airgradient(
        data_dir / "airgradient" / "firmware_post.json", time=NOON, sensor_id="ab12"
    )
    assert_balanced(data)
    assert data.ledger[0].format == "airgradient/firmware_json"
    assert data.sensor_ids == ["airgradient:ab12"]
    values = _values(data)
    assert values["pc_gt03"] == [1536.0]
    assert values["voc_index"] == [90.0]
    assert values["nox_index"] == [2.0]
    assert values["co2"] == [547.0]  # written "547"
    assert values["pm25"] == [16.0]


def test_firmware_without_serial_is_unknown(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "firmware_post.json", time=NOON)
    assert data.sensor_ids == ["airgradient:unknown"]
    assert any("sensor_id=" in n for n in data.ledger[0].notes)


# -- cloud JSON -----------------------------------------------------------------------
def test_cloud_past(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "cloud_past.json")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "airgradient/cloud_json"
    assert record.rows_read == 2
    assert record.rows_kept == 2
    assert data.sensor_ids == ["airgradient:84fce612eff4"]
    values = _values(data)
    assert values["pm25"] == [12.5, 13.5]  # the second written "13.5"
    assert values["pm25_airgradient_corrected"] == [9.1, 9.8]
    assert values["pm1_airgradient_corrected"] == [4.0]
    assert values["temperature"] == [24.3]
    assert values["temperature_compensated"] == [23.9]
    assert values["humidity_compensated"] == [44.0]
    assert values["co2"] == [612.0]
    assert values["co2_airgradient_corrected"] == [615.0]
    # 15 measurement fields per record; the second has 12 nulls.
    assert record.values_read == 30
    assert record.readings_dropped == {"empty field": 12}
    assert sorted(set(data.readings["time"])) == [
        pd.Timestamp("2024-03-01T14:00:00Z"),
        pd.Timestamp("2024-03-01T14:05:00Z"),
    ]
    assert "tvoc" in record.columns_ignored
    sensor = data.sensors.iloc[0]
    assert sensor["name"] == "Classroom 1"
    assert sensor["location_id"] == "12345"


def test_cloud_record_without_timestamp_value_is_dropped():
    records = [
        {"locationId": 1, "timestamp": NOON, "pm02": 5, "rco2": 400},
        {"locationId": 1, "timestamp": None, "pm02": 6, "rco2": 410},
    ]
    data = _read(json.dumps(records))
    assert data.ledger[0].rows_dropped == {"timestamp missing": 1}
    assert data.sensor_ids == ["airgradient:location-1"]


def test_cloud_non_object_record_is_dropped():
    records = [{"serialno": "a", "timestamp": NOON, "pm02": 5, "rco2": 400}, "oops"]
    data = _read(json.dumps(records))
    assert data.ledger[0].rows_dropped == {"record is not a JSON object": 1}
    assert_balanced(data)


def test_empty_cloud_answer_raises():
    with pytest.raises(EmptyFileError, match=r"(?s)no records.*online"):
        _read("[ ]")


def test_broken_json_raises():
    with pytest.raises(DataFormatError, match=r"(?s)could not be parsed.*cut short"):
        _read('{"pm02": 1, "rco2": 2')


# -- dashboard CSV [M] ----------------------------------------------------------------
def test_dashboard_csv(data_dir):
    data = read_airgradient(data_dir / "airgradient" / "dashboard.csv")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "airgradient/dashboard_csv"
    assert data.sensor_ids == ["airgradient:ecda3b1eaaaf"]
    values = _values(data)
    assert values["pm25"] == [10.5]
    assert values["pm25_airgradient_corrected"] == [8.2]
    assert values["pc_gt03"] == [1500.0]
    assert values["co2_airgradient_corrected"] == [612.0]
    assert values["temperature_compensated"] == pytest.approx([25.0])  # 77 °F = 25 °C
    assert values["humidity_compensated"] == [45.0]
    assert values["voc_index"] == [100.0]
    assert values["nox_index"] == [1.0]
    # Uses UTC Date/Time (14:00), not Local Date/Time (15:00).
    assert set(data.readings["time"]) == {pd.Timestamp("2024-03-01T14:00:00Z")}
    assert "Local Date/Time" in record.columns_ignored
    assert "TVOC (ppb)" in record.columns_ignored
    assert "Heat Index (°C)" in record.columns_ignored
    assert record.rows_dropped == {"no measurement values (all fields empty or missing codes)": 1}
    assert data.sensors.iloc[0]["location_type"] == "indoor"


def test_dashboard_unknown_unit_raises():
    text = (
        "Location ID,Location Name,UTC Date/Time,PM2.5 (grains/ft3) raw\n"
        "1,A,2024-03-01 14:00:00,3\n"
    )
    with pytest.raises(
        UnitError,
        match=r"(?s)Column 'PM2.5 \(grains/ft3\) raw'.*"
        r"'grains/ft3'.*read_csv_mapped",
    ):
        _read(text)


def test_dashboard_semicolons_and_unknown_column():
    text = (
        "Location ID;Location Name;UTC Date/Time;PM2.5 (µg/m³) raw;Mystery\n"
        "7;A;2024-03-01T14:00:00Z;3,5;x\n"
    ).replace("3,5", "3.5")
    data = _read(text)
    assert _values(data) == {"pm25": [3.5]}
    assert data.sensor_ids == ["airgradient:location-7"]
    assert "not a known" in data.ledger[0].columns_ignored["Mystery"]


def test_other_file_raises():
    with pytest.raises(DataFormatError, match=r"(?s)not an AirGradient file.*'pm02'"):
        _read('{"temperature": 20}')


# -- detection ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"serialno": "a", "pm02": 7, "pm003Count": 4, "tvocIndex": 1}', "local_json"),
        ('{"pm02": 7, "pm003_count": 4, "tvoc_index": 1, "rco2": 400}', "firmware_json"),
        ('[{"locationId": 1, "pm02": 7, "rco2": 400, "timestamp": "x"}]', "cloud_json"),
        ("Location ID,Location Name,UTC Date/Time,PM2.5 (μg/m³) raw\n", "dashboard_csv"),
        ('[{"sensordatavalues": [], "timestamp": "x"}]', None),
        ('{"pm2.5_atm": 3, "temperature": 70}', None),
        ("TIME,TEMP\nISO 8601,C\n", None),
    ],
)
def test_detect(head, expected):
    assert detect(RawFile("x", head.encode(), ""), head) == expected


# -- property -------------------------------------------------------------------------
_VALUE = st.one_of(
    st.floats(-100, 5000, allow_nan=False),
    st.integers(-10, 5000),
    st.floats(0, 500, allow_nan=False).map(lambda v: f"{v:.1f}"),
    st.sampled_from([None, "", "null", "abc", "NaN", [1, 2], {"a": 1}]),
)
_TIME = st.one_of(
    st.integers(0, 59).map(lambda m: f"2024-03-01T12:{m:02d}:00.000Z"),
    st.sampled_from([None, "", "garbage"]),
)
_RECORD = st.one_of(
    st.fixed_dictionaries(
        {"serialno": st.sampled_from(["a1", "b2", None]), "timestamp": _TIME},
        optional={
            "pm02": _VALUE,
            "pm02_corrected": _VALUE,
            "rco2": _VALUE,
            "atmp": _VALUE,
            "pm003Count": _VALUE,
            "noxIndex": _VALUE,
            "wifi": _VALUE,
        },
    ),
    st.sampled_from(["text", 3, None]),
)


@settings(max_examples=50, deadline=None)
@given(records=st.lists(_RECORD, max_size=12))
def test_any_mix_of_records_balances(records):
    first = {"serialno": "a1", "timestamp": NOON, "pm02": 5, "rco2": 400}
    data = _read(json.dumps([first, *records]))
    assert_balanced(data)
