"""Smart Citizen Kit reader: SD-card CSV, platform CSV [M] and API v0 readings [M]."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import (
    DataFormatError,
    EmptyFileError,
    UnitError,
    UnknownVariableError,
)
from toolkit.readers._io import RawFile
from toolkit.readers.smart_citizen import detect, read_smart_citizen

HEADER = (
    "TIME,TEMP,HUM,BATT,PRESS,PM_25\n"
    "ISO 8601,C,%,%,kPa,ug/m3\n"
    "Time,Temperature,Humidity,Battery,Barometric pressure,PM 2.5\n"
    ",55,56,10,58,87\n"
)


def _read(text: str, **options):
    return read_smart_citizen(io.BytesIO(text.encode()), **options)


def _values(data, variable: str) -> list[float]:
    rows = data.readings[data.readings["variable"] == variable]
    return rows["value"].tolist()


# -- SD-card CSV ----------------------------------------------------------------------
def test_sd_card_values_and_units(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "sd_card.csv", sensor_id="kit42")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "smart_citizen/sd_card_csv"
    assert set(data.readings["sensor_id"]) == {"smartcitizen:kit42"}
    # 101.53 kPa = 1015.3 hPa; 101.55 kPa = 1015.5 hPa.
    assert _values(data, "pressure") == pytest.approx([1015.3, 1015.5])
    assert _values(data, "temperature") == pytest.approx([26.92, 26.90])
    assert _values(data, "humidity") == pytest.approx([61.17, 61.18])
    assert _values(data, "light") == pytest.approx([5.0, 8.0])
    assert _values(data, "laeq") == pytest.approx([43.34, 46.94])
    assert _values(data, "tvoc") == pytest.approx([16.0])
    assert _values(data, "eco2") == pytest.approx([508.0])
    assert _values(data, "pm1") == [3.0]
    assert _values(data, "pm25") == [5.0]
    assert _values(data, "pm10") == [7.0]
    units = dict(zip(data.readings["variable"], data.readings["unit"], strict=True))
    assert units["pressure"] == "hPa"
    assert units["laeq"] == "dB(A)"
    assert units["tvoc"] == "ppb"
    assert units["eco2"] == "ppm"
    assert any("kPa → hPa" in c for c in record.conversions)
    assert data.readings["time"].iloc[0] == pd.Timestamp("2020-09-02T15:35:19Z")
    assert record.timezone == "offsets"


def test_sd_card_null_is_a_missing_value(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "sd_card.csv", sensor_id="kit42")
    record = data.ledger[0]
    # Row 1: CCS811_VOCS, CCS811_ECO2, PM_1, PM_25, PM_10 are null (5 values).
    # Row 3: every measurement is null, so the whole row is dropped.
    assert record.rows_read == 3
    assert record.rows_kept == 2
    assert record.rows_dropped == {"no measurement values (all fields empty or missing codes)": 1}
    assert record.values_read == 2 * 10
    assert record.readings_dropped == {"missing-value code 'null'": 5}
    assert len(data.readings) == 15


def test_sd_card_battery_and_adc_are_not_read(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "sd_card.csv", sensor_id="kit42")
    record = data.ledger[0]
    assert "device status" in record.columns_ignored["BATT"]
    assert "raw voltage" in record.columns_ignored["ADC_48_0"]
    assert not any(v.startswith("batt") for v in data.variables)
    assert any("BATT is -1 in 1 row(s)" in n and "without a battery" in n for n in record.notes)


def test_sd_card_sensor_table_keeps_platform_ids(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "sd_card.csv", sensor_id="kit42")
    row = data.sensors.iloc[0]
    assert row["source"] == "Smart Citizen"
    assert "PRESS=58" in row["platform_sensor_ids"]
    assert pd.isna(row["latitude"])


def test_sensor_id_defaults_to_file_name(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "sd_card.csv")
    assert data.sensor_ids == ["smartcitizen:sd_card"]
    assert any("file name ('sd_card')" in n for n in data.ledger[0].notes)


def test_columns_are_mapped_by_name_not_by_platform_id():
    # Another kit version: other platform ids and another column order.
    text = (
        "TIME,PM_25,PRESS\nISO 8601,ug/m3,kPa\nTime,PM 2.5,Barometric pressure\n"
        ",193,999\n2021-01-01T00:00:00Z,12,100.1\n"
    )
    data = _read(text, sensor_id="x")
    assert data.readings[["variable", "value"]].values.tolist() == [
        ["pm25", 12.0],
        ["pressure", pytest.approx(1001.0)],
    ]


def test_units_row_chooses_the_conversion():
    text = HEADER.replace("kPa", "hPa") + "2021-01-01T00:00:00Z,20,50,90,1015.3,4\n"
    data = _read(text, sensor_id="x")
    assert _values(data, "pressure") == [1015.3]
    assert any("PRESS is in hPa in this file" in n for n in data.ledger[0].notes)


def test_unknown_unit_raises():
    text = HEADER.replace("kPa", "bar") + "2021-01-01T00:00:00Z,20,50,90,1.013,4\n"
    with pytest.raises(
        UnitError, match=r"(?s)Column 'PRESS'.*'bar' in the units row.*Check the units row"
    ):
        _read(text, sensor_id="x")


def test_unit_that_does_not_fit_the_variable_raises():
    text = HEADER.replace("ISO 8601,C,", "ISO 8601,%,") + "2021-01-01T00:00:00Z,20,50,90,101,4\n"
    with pytest.raises(UnitError, match=r"(?s)Column 'TEMP'.*temperature.*'%'.*What to do"):
        _read(text, sensor_id="x")


def test_repeated_header_block_is_dropped():
    row = "2021-01-01T00:00:00Z,20,50,90,101.3,4\n"
    text = HEADER + row + HEADER + row.replace("00:00:00", "00:01:00")
    data = _read(text, sensor_id="x")
    record = data.ledger[0]
    assert record.rows_read == 6
    assert record.rows_kept == 2
    assert record.rows_dropped == {
        "repeated header row (as written again after a restart of the kit)": 4
    }
    assert_balanced(data)


def test_row_with_wrong_number_of_fields_is_dropped():
    text = HEADER + "2021-01-01T00:00:00Z,20,50,90,101.3,4\n2021-01-01T00:01:00Z,20,50\n"
    record = _read(text, sensor_id="x").ledger[0]
    assert record.rows_dropped == {"row does not have the header's 6 fields": 1}


def test_unreadable_timestamp_drops_the_row():
    text = HEADER + "2021-01-01T00:00:00Z,20,50,90,101.3,4\nyesterday,21,50,90,101.3,4\n"
    record = _read(text, sensor_id="x").ledger[0]
    assert record.rows_dropped == {"timestamp could not be read": 1}


def test_header_rows_only_raises():
    with pytest.raises(EmptyFileError, match=r"(?s)header rows but no data rows.*another"):
        _read(HEADER, sensor_id="x")


def test_empty_file_raises():
    with pytest.raises(EmptyFileError, match="The file is empty"):
        _read("")


def test_other_file_raises():
    with pytest.raises(DataFormatError, match=r"(?s)not a Smart Citizen file.*first line.*'TIME,'"):
        _read("a,b,c\n1,2,3\n")


# -- platform CSV [M] -----------------------------------------------------------------
def test_platform_csv(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "platform.csv", sensor_id="9999")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "smart_citizen/platform_csv"
    assert _values(data, "temperature") == [12.5, 12.6]
    assert _values(data, "laeq") == [55.0]
    # No unit in the header: kPa assumed as on the SD card; 99.5 kPa = 995 hPa.
    assert _values(data, "pressure") == pytest.approx([1000.0, 995.0])
    assert _values(data, "pm25") == [8.0, 9.0]
    assert any("assumed kPa" in n and "[M]" in n for n in record.notes)
    assert "Battery (%)" in record.columns_ignored


def test_platform_csv_reads_utc_suffix(data_dir):
    data = read_smart_citizen(data_dir / "smart_citizen" / "platform.csv", sensor_id="9999")
    times = sorted(set(data.readings["time"]))
    assert times == [pd.Timestamp("2021-03-01T10:00:00Z"), pd.Timestamp("2021-03-01T10:01:00Z")]


# -- API v0 readings [M] --------------------------------------------------------------
def test_api_readings(data_dir):
    data = read_smart_citizen(
        data_dir / "smart_citizen" / "api_readings.json", variable="pm25", unit="ug/m3"
    )
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "smart_citizen/api_readings"
    assert data.sensor_ids == ["smartcitizen:10972"]
    assert data.readings[["variable", "value", "unit"]].values.tolist() == [
        ["pm25", 9.5, "µg/m³"],
        ["pm25", 7.25, "µg/m³"],
    ]
    assert list(data.readings["time"]) == [
        pd.Timestamp("2021-03-01T02:00:00Z"),
        pd.Timestamp("2021-03-01T00:00:00Z"),
    ]
    assert record.rows_read == 3
    assert sum(record.rows_dropped.values()) == 1
    assert "1h" in record.time_label


def test_api_readings_converts_the_given_unit():
    payload = {"device_id": 5, "sensor_key": "bar", "readings": [["2021-03-01T00:00:00Z", 101.2]]}
    data = _read(json.dumps(payload), variable="pressure", unit="kPa")
    assert _values(data, "pressure") == pytest.approx([1012.0])


def test_api_readings_need_a_variable(data_dir):
    with pytest.raises(
        DataFormatError,
        match=r"(?s)does not say which quantity.*"
        r"sensor_key='pm_avg_2.5'.*variable='pm25'",
    ):
        read_smart_citizen(data_dir / "smart_citizen" / "api_readings.json")


def test_api_readings_need_a_unit(data_dir):
    with pytest.raises(UnitError, match=r"(?s)does not give the unit.*variable='pm25'.*unit="):
        read_smart_citizen(data_dir / "smart_citizen" / "api_readings.json", variable="pm25")


def test_api_readings_unknown_unit(data_dir):
    with pytest.raises(UnitError, match=r"(?s)Column 'pm_avg_2.5'.*'furlongs' in unit="):
        read_smart_citizen(
            data_dir / "smart_citizen" / "api_readings.json", variable="pm25", unit="furlongs"
        )


def test_platform_csv_bad_unit_in_column_name():
    text = "TIME,Temperature (K Pa)\n2021-03-01T10:00:00Z,12.5\n"
    with pytest.raises(UnitError, match=r"(?s)Column 'TEMP'.*in the column name"):
        _read(text, sensor_id="x")


def test_api_readings_unknown_variable(data_dir):
    with pytest.raises(UnknownVariableError):
        read_smart_citizen(
            data_dir / "smart_citizen" / "api_readings.json", variable="smog", unit="ppb"
        )


def test_api_readings_broken_entry_is_dropped():
    payload = {
        "device_id": 5,
        "sensor_key": "t",
        "readings": [["2021-03-01T00:00:00Z", 20.5], ["2021-03-01T01:00:00Z"], 7],
    }
    data = _read(json.dumps(payload), variable="temperature", unit="C")
    assert data.ledger[0].rows_dropped == {"entry is not a [time, value] pair": 2}
    assert _values(data, "temperature") == [20.5]
    assert_balanced(data)


def test_api_readings_empty_raises():
    payload = {"device_id": 5, "sensor_key": "t", "readings": []}
    with pytest.raises(EmptyFileError, match=r"(?s)no readings.*period"):
        _read(json.dumps(payload), variable="temperature", unit="C")


# -- detection ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (HEADER, "sd_card_csv"),
        ("TIME,TEMP,PM_25\n2021-01-01T00:00:00Z,1,2\n", "platform_csv"),
        ('{"device_id": 1, "sensor_key": "x", "readings": []}', "api_readings"),
        ("TIME,foo,bar\n2021-01-01T00:00:00Z,1,2\n", None),
        ("sensor_id;sensor_type;location;lat;lon;timestamp;P1\n", None),
        ('{"report": [{"segment_id": 1, "uptime": 1}]}', None),
    ],
)
def test_detect(head, expected):
    raw = RawFile("x", head.encode(), "")
    assert detect(raw, head) == expected


# -- real sample ----------------------------------------------------------------------
@pytest.mark.real_samples
def test_real_sd_card_file(real_samples):
    data = read_smart_citizen(real_samples / "smart_citizen" / "example.csv", sensor_id="sck")
    assert_balanced(data)
    record = data.ledger[0]
    # 1013 lines minus 4 header rows; 10 measurement columns per row.
    assert record.rows_read == 1009
    assert record.rows_kept == 1009
    assert record.values_read == 10090
    # null cells (counted with awk): 10 CCS811_VOCS + 10 CCS811_ECO2 + 3 x 1009 PM = 3047.
    assert record.readings_dropped == {"missing-value code 'null'": 3047}
    assert len(data.readings) == 10090 - 3047
    first = data.readings[data.readings["time"] == pd.Timestamp("2020-09-02T15:35:19Z")]
    values = dict(zip(first["variable"], first["value"], strict=True))
    assert values["pressure"] == pytest.approx(1015.3)
    assert values["temperature"] == pytest.approx(26.92)
    assert values["laeq"] == pytest.approx(43.34)
    assert any("BATT is -1 in 1 row(s)" in n for n in record.notes)


# -- property -------------------------------------------------------------------------
_TIMES = st.one_of(
    st.integers(0, 59).map(lambda m: f"2021-01-01T10:{m:02d}:00Z"),
    st.sampled_from(["", "garbage", "2021-13-45T99:00:00Z"]),
)
_VALUES = st.one_of(
    st.floats(-50, 2000, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["", "null", "NULL", "abc", "-1", " 7 "]),
)
_ROWS = st.one_of(
    st.tuples(_TIMES, st.lists(_VALUES, min_size=5, max_size=5)).map(
        lambda r: ",".join([r[0], *r[1]])
    ),
    st.sampled_from(["", ",,,", "2021-01-01T10:00:00Z,1,2"]),
)


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(_ROWS, max_size=15))
def test_any_mix_of_rows_balances(rows):
    text = HEADER + "2021-01-01T09:00:00Z,20,50,90,101.3,4\n" + "\n".join(rows) + "\n"
    data = _read(text, sensor_id="p")
    assert_balanced(data)
    assert set(data.readings["unit"]) <= {"°C", "%", "hPa", "µg/m³"}
