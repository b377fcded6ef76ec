"""Tests of the Sensor.Community reader: archive CSV, madavi.de CSV and JSON API.

Fixtures are written from the documented formats (formats-and-formulas.md 1.1, 1.2);
expected values are computed by hand in the comments.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError, EmptyFileError, UnknownLayoutError
from toolkit.readers._io import RawFile
from toolkit.readers.sensor_community import detect, read_sensor_community

HEAD = "sensor_id;sensor_type;location;lat;lon;timestamp;"
SDS = HEAD + "P1;durP1;ratioP1;P2;durP2;ratioP2\n"
DHT = HEAD + "temperature;humidity\n"
MADAVI_HEADER = (
    "Time;durP1;ratioP1;P1;durP2;ratioP2;P2;SDS_P1;SDS_P2;Temp;Humidity;BMP_temperature;"
    "BMP_pressure;BME280_temperature;BME280_humidity;BME280_pressure;Samples;Min_cycle;"
    "Max_cycle;Signal\n"
)
T0 = "2017-08-30T11:27:23"


def read(text: str | bytes, name: str | None = None, **options):
    buffer = io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text)
    if name:
        buffer.name = name
    data = read_sensor_community(buffer, **options)
    assert_balanced(data)
    return data


def values(data) -> dict[str, float]:
    """variable -> value of a one-row file."""
    return dict(zip(data.readings["variable"].astype(str), data.readings["value"], strict=True))


def units(data) -> dict[str, str]:
    return dict(
        zip(data.readings["variable"].astype(str), data.readings["unit"].astype(str), strict=True)
    )


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# -- archive CSV: every sensor type ---------------------------------------------------
@pytest.mark.parametrize(
    ("sensor_type", "columns", "row", "expected"),
    [
        (
            "SDS011",
            "P1;durP1;ratioP1;P2;durP2;ratioP2",
            "9.53;;;2.83;;",
            {"pm10": (9.53, "µg/m³"), "pm25": (2.83, "µg/m³")},
        ),
        *[
            (
                model,
                "P1;P2;P0",
                "12.00;8.00;5.00",
                {"pm10": (12.0, "µg/m³"), "pm25": (8.0, "µg/m³"), "pm1": (5.0, "µg/m³")},
            )
            for model in ("PMS1003", "PMS3003", "PMS5003", "PMS6003", "PMS7003")
        ],
        ("HPM", "P1;P2", "20.10;15.30", {"pm10": (20.1, "µg/m³"), "pm25": (15.3, "µg/m³")}),
        (
            "SPS30",
            "P1;P4;P2;P0;N10;N4;N25;N1;N05;TS",
            "10.50;9.80;8.10;6.20;60.10;59.90;59.40;57.80;49.30;0.55",
            {
                "pm10": (10.5, "µg/m³"),
                "pm4": (9.8, "µg/m³"),
                "pm25": (8.1, "µg/m³"),
                "pm1": (6.2, "µg/m³"),
                "pn10": (60.1, "#/cm³"),
                "pn4": (59.9, "#/cm³"),
                "pn25": (59.4, "#/cm³"),
                "pn1": (57.8, "#/cm³"),
                "pn05": (49.3, "#/cm³"),
                "particle_size": (0.55, "µm"),
            },
        ),
        *[
            (
                model,
                "temperature;humidity",
                "21.30;55.20",
                {"temperature": (21.3, "°C"), "humidity": (55.2, "%")},
            )
            for model in ("DHT22", "HTU21D", "SHT11", "SHT31")
        ],
        ("DS18B20", "temperature", "-3.50", {"temperature": (-3.5, "°C")}),
        # Pressure is in Pa: 98765.43 Pa = 987.6543 hPa; 102500.14 Pa = 1025.0014 hPa.
        *[
            (
                model,
                "pressure;altitude;pressure_sealevel;temperature",
                "98765.43;250.5;102500.14;12.30",
                {
                    "pressure": (987.6543, "hPa"),
                    "altitude": (250.5, "m"),
                    "pressure_sealevel": (1025.0014, "hPa"),
                    "temperature": (12.3, "°C"),
                },
            )
            for model in ("BMP180", "BMP280")
        ],
        (
            "BME280",
            "pressure;altitude;pressure_sealevel;temperature;humidity",
            "101325.00;;102500.14;-1.20;81.00",
            {
                "pressure": (1013.25, "hPa"),
                "pressure_sealevel": (1025.0014, "hPa"),
                "temperature": (-1.2, "°C"),
                "humidity": (81.0, "%"),
            },
        ),
        (
            "Laerm",
            "noise_LAeq;noise_LA_min;noise_LA_max;noise_LA01;noise_LA95",
            "55.30;41.20;78.90;70.10;43.00",
            {
                "laeq": (55.3, "dB(A)"),
                "la_min": (41.2, "dB(A)"),
                "la_max": (78.9, "dB(A)"),
                "la01": (70.1, "dB(A)"),
                "la95": (43.0, "dB(A)"),
            },
        ),
    ],
)
def test_archive_sensor_types(sensor_type, columns, row, expected):
    text = f"{HEAD}{columns}\n1234;{sensor_type};99;48.123;9.456;{T0};{row}\n"
    data = read(text, name=f"2017-08-30_{sensor_type.lower()}_sensor_1234.csv")
    got = values(data)
    assert set(got) == set(expected)
    for variable, (value, unit) in expected.items():
        assert got[variable] == pytest.approx(value, rel=1e-12)
        assert units(data)[variable] == unit
    assert set(data.readings["time"]) == {utc(T0)}
    assert list(data.readings["sensor_id"].astype(str).unique()) == ["sensorcommunity:1234"]
    sensor = data.sensors.iloc[0]
    assert (sensor["model"], sensor["latitude"], sensor["longitude"]) == (
        sensor_type,
        48.123,
        9.456,
    )
    assert sensor["location_type"] == "outdoor"
    assert data.ledger[0].format == "sensor_community/archive_csv"


def test_archive_pressure_conversion_is_recorded():
    text = (
        f"{HEAD}pressure;altitude;pressure_sealevel;temperature\n1;BMP280;2;;;{T0};;;102500.14;9\n"
    )
    record = read(text).ledger[0]
    assert any("Pa → hPa" in c for c in record.conversions)


def test_ppd42ns_counts_are_not_pm_and_raw_signals_are_ignored():
    text = (
        f"{HEAD}P1;durP1;ratioP1;P2;durP2;ratioP2\n"
        f"77;PPD42NS;5;48.1;9.2;{T0};512.34;15200;0.51;93.20;4100;0.14\n"
    )
    data = read(text)
    assert values(data) == {"ppd42ns_p1": 512.34, "ppd42ns_p2": 93.2}
    assert set(units(data).values()) == {"#/0.01 ft³"}
    record = data.ledger[0]
    assert set(record.columns_ignored) == {"durP1", "ratioP1", "durP2", "ratioP2"}
    # dur/ratio are never counted as values.
    assert record.values_read == 2


def test_sds011_dur_ratio_columns_are_recorded_as_not_read():
    data = read(f"{SDS}5331;SDS011;2688;57.128;-2.130;{T0};9.53;;;2.83;;\n")
    assert "PPD42NS" in data.ledger[0].columns_ignored["durP1"]
    assert data.ledger[0].values_read == 2


# -- archive CSV: time ----------------------------------------------------------------
def test_2016_timestamps_with_microseconds_and_offset(data_dir):
    data = read_sensor_community(data_dir / "sensor_community" / "2016-07-14_sds011_sensor_133.csv")
    assert_balanced(data)
    times = sorted(set(data.readings["time"]))
    assert times == [
        utc("2016-07-14 13:02:46.949036"),
        utc("2016-07-14 13:05:13.000125"),
    ]
    assert values(read(f"{SDS}133;SDS011;61;;;2016-07-14T13:02:46.949036+00:00;1;;;2;;\n")) == {
        "pm10": 1.0,
        "pm25": 2.0,
    }


def test_timestamps_without_offset_are_utc():
    data = read(f"{DHT}1;DHT22;2;;;2018-07-08T00:01:26;20;50\n")
    assert set(data.readings["time"]) == {utc("2018-07-08 00:01:26")}
    record = data.ledger[0]
    assert record.timezone == "UTC"
    assert "feinstaub-api issue #25" in record.timezone_reason
    assert "end" in record.time_label


def test_archive_fixture_on_disk(data_dir):
    path = data_dir / "sensor_community" / "2018-07-08_bme280_sensor_4711.csv"
    data = read_sensor_community(path)
    assert_balanced(data)
    record = data.ledger[0]
    assert record.path == str(path)
    # Row 2 has empty altitude and humidity: 2 values dropped as empty fields.
    assert (record.rows_read, record.rows_kept) == (2, 2)
    assert record.readings_dropped == {"empty field": 2}
    second = data.readings[data.readings["time"] == utc("2018-07-08 00:03:53")]
    got = dict(zip(second["variable"].astype(str), second["value"], strict=True))
    # 98760.00 Pa = 987.6 hPa; 102495.00 Pa = 1024.95 hPa.
    assert got == pytest.approx(
        {"pressure": 987.6, "pressure_sealevel": 1024.95, "temperature": 12.2}
    )


# -- archive CSV: compressed and zipped -----------------------------------------------
def test_csv_gz(tmp_path):
    text = f"{DHT}5332;DHT22;2688;57.128;-2.130;{T0};23.50;57.20\n"
    path = tmp_path / "2017-08-30_dht22_sensor_5332.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    data = read_sensor_community(path)
    assert_balanced(data)
    assert values(data) == {"temperature": 23.5, "humidity": 57.2}
    # The ledger names the file as it is on disk (it says where to find it).
    assert data.ledger[0].path == str(tmp_path / "2017-08-30_dht22_sensor_5332.csv.gz")


def test_monthly_zip_one_record_per_member_and_broken_member_fails(tmp_path):
    path = tmp_path / "2017-08_sds011.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "2017-08-30_sds011_sensor_5331.csv", f"{SDS}5331;SDS011;2688;;;{T0};9.53;;;2.83;;\n"
        )
        archive.writestr("2017-08-31_sds011_sensor_5331.csv", SDS)  # header only: broken
        archive.writestr(
            "2017-08-31_sds011_sensor_5333.csv",
            f"{SDS}5333;SDS011;2689;;;2017-08-31T00:00:10;4.00;;;3.00;;\n",
        )
    data = read_sensor_community(path)
    assert_balanced(data)
    records = {r.path: r for r in data.ledger}
    assert set(records) == {
        f"{path}::2017-08-30_sds011_sensor_5331.csv",
        f"{path}::2017-08-31_sds011_sensor_5331.csv",
        f"{path}::2017-08-31_sds011_sensor_5333.csv",
    }
    broken = records[f"{path}::2017-08-31_sds011_sensor_5331.csv"]
    assert broken.status == "failed"
    assert "no data rows" in broken.error
    assert [r.status for r in data.ledger].count("ok") == 2
    assert len(data.readings) == 4
    assert set(data.sensors["sensor_id"]) == {"sensorcommunity:5331", "sensorcommunity:5333"}
    # Each member's checksum is of the member's own bytes.
    member = records[f"{path}::2017-08-31_sds011_sensor_5333.csv"]
    expected = f"{SDS}5333;SDS011;2689;;;2017-08-31T00:00:10;4.00;;;3.00;;\n".encode()
    assert member.sha256 == hashlib.sha256(expected).hexdigest()


# -- archive CSV: quirks --------------------------------------------------------------
def test_rows_where_every_value_is_empty_are_dropped_with_reason():
    text = f"{SDS}1;SDS011;2;;;{T0};;;;;;\n1;SDS011;2;;;2017-08-30T11:29:50;21.63;;;6.90;;\n"
    record = read(text).ledger[0]
    assert record.rows_read == 2
    assert record.rows_dropped == {"no measurement values (all fields empty or missing codes)": 1}
    assert record.readings_kept == 2


def test_duplicate_timestamp_with_empty_second_row():
    text = (
        f"{SDS}5331;SDS011;2688;57.128;-2.130;{T0};9.53;;;2.83;;\n"
        f"5331;SDS011;2688;57.128;-2.130;{T0};;;;;;\n"
    )
    data = read(text)
    record = data.ledger[0]
    reason = "empty row repeating the timestamp of a row with values"
    assert record.rows_dropped == {reason: 1}
    assert "repeating the timestamp" in reason
    assert values(data) == {"pm10": 9.53, "pm25": 2.83}


@pytest.mark.parametrize("code", ["unavailable", "%.1f", "nan", "NaN"])
def test_missing_value_codes_are_dropped_with_reason(code):
    text = f"{SDS}1;SDS011;2;;;{T0};{code};;;2.83;;\n"
    data = read(text)
    assert values(data) == {"pm25": 2.83}
    record = data.ledger[0]
    assert record.readings_dropped == {f"missing-value code '{code}'": 1}
    assert record.reading_examples[f"missing-value code '{code}'"] == [f"P1={code!r} at {T0}"]


def test_missing_codes_and_garbage_text_together():
    text = (
        f"{DHT}1;DHT22;2;;;{T0};unavailable;50.5\n"
        f"1;DHT22;2;;;2017-08-30T11:29:50;21.5;%.1f\n"
        f"1;DHT22;2;;;2017-08-30T11:32:19;warm;52.0\n"
        f"1;DHT22;2;;;2017-08-30T11:34:47;nan;51.0\n"
    )
    data = read(text)
    record = data.ledger[0]
    assert record.readings_dropped == {
        "missing-value code 'unavailable'": 1,
        "missing-value code '%.1f'": 1,
        "missing-value code 'nan'": 1,
        "not a number": 1,
    }
    assert data.readings["value"].tolist() == [50.5, 21.5, 52.0, 51.0]


def test_rows_with_wrong_number_of_fields_are_dropped_with_reason():
    text = (
        f"{SDS}1;SDS011;2;;;{T0};9.53;;;2.83;;\n"
        f"1;SDS011;2;;;2017-08-30T11:29:50;21.63;;\n"
        f"1;SDS011;2;;;2017-08-30T11:32:19;20.20;;;5.80;;;;\n"
    )
    data = read(text)
    record = data.ledger[0]
    assert record.rows_read == 3
    assert record.rows_dropped == {"row does not have the header's 12 fields": 2}
    examples = record.row_examples["row does not have the header's 12 fields"]
    assert any("11:29:50;21.63" in e for e in examples)
    assert values(data) == {"pm10": 9.53, "pm25": 2.83}


def test_double_quote_is_an_ordinary_character():
    # The writer quotes nothing: a stray " must not swallow the following lines.
    text = f'{DHT}1;DHT22;2;;;{T0};"21.5;50\n1;DHT22;2;;;2017-08-30T11:29:50;22.0;51.0\n'
    data = read(text)
    record = data.ledger[0]
    assert record.rows_read == 2
    assert record.readings_dropped == {"not a number": 1}
    assert data.readings["value"].tolist() == [50.0, 22.0, 51.0]


def test_latin1_bytes_are_read_and_noted():
    text = f"{DHT}1;DHT22;2;;;{T0};21.5\xb0;50\n".encode("latin-1")
    data = read(text)
    record = data.ledger[0]
    assert "text decoded as latin-1 (not UTF-8)" in record.notes
    assert record.readings_dropped == {"not a number": 1}
    assert values(data) == {"humidity": 50.0}


def test_odd_values_in_a_file_read_from_disk(tmp_path):
    # Files on disk may be parsed straight from the path: the text fallbacks must hold.
    text = (
        f"{DHT}1;DHT22;2;;;{T0};nan;50\n"
        "1;DHT22;2;;;2017-08-30T11:29:50;21.5\xb0;51\n"
        "1;DHT22;2;;;2017-08-30T11:32:19;22.0\n"
    )
    path = tmp_path / "2017-08-30_dht22_sensor_1.csv"
    path.write_bytes(text.encode("latin-1"))
    data = read_sensor_community(path)
    assert_balanced(data)
    record = data.ledger[0]
    assert record.rows_dropped == {"row does not have the header's 8 fields": 1}
    assert record.readings_dropped == {"missing-value code 'nan'": 1, "not a number": 1}
    assert "text decoded as latin-1 (not UTF-8)" in record.notes
    assert data.readings["value"].tolist() == [50.0, 51.0]
    # Only 'nan' as odd text: pyarrow reads it as a float NaN, the reader reads it again.
    path.write_text(f"{DHT}1;DHT22;2;;;{T0};nan;50\n", encoding="utf-8")
    record = read_sensor_community(path).ledger[0]
    assert record.readings_dropped == {"missing-value code 'nan'": 1}


def test_empty_lat_lon_means_position_unknown():
    data = read(f"{DHT}1;DHT22;2;;;{T0};21.5;50\n")
    sensor = data.sensors.iloc[0]
    assert np.isnan(sensor["latitude"])
    assert np.isnan(sensor["longitude"])
    assert len(data.readings) == 2


def test_sensor_moving_between_locations_is_noted():
    text = (
        f"{DHT}1;DHT22;2688;57.128;-2.130;{T0};21.5;50\n"
        f"1;DHT22;3001;57.200;-2.100;2017-08-30T11:29:50;21.6;51\n"
    )
    data = read(text)
    notes = data.ledger[0].notes
    assert any("sensorcommunity:1 reported from 2 locations (2688, 3001)" in n for n in notes)
    sensor = data.sensors.iloc[0]
    assert (sensor["location_id"], sensor["latitude"], sensor["longitude"]) == (
        "3001",
        57.2,
        -2.1,
    )


def test_several_sensors_in_one_file_get_one_row_each():
    text = (
        f"{DHT}1;DHT22;10;50.1;8.1;{T0};21.5;50\n"
        f"2;DHT22;20;50.2;8.2;{T0};19.0;60\n"
        f"1;DHT22;10;50.1;8.1;2017-08-30T11:29:50;21.6;51\n"
    )
    data = read(text)
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:1", "sensorcommunity:2"]
    assert data.sensors["latitude"].tolist() == [50.1, 50.2]
    assert data.sensors["name"].tolist() == ["DHT22 1", "DHT22 2"]
    assert data.ledger[0].sensors == ["sensorcommunity:1", "sensorcommunity:2"]


def test_unreadable_timestamp_row_is_dropped_with_reason():
    text = f"{DHT}1;DHT22;2;;;yesterday;21.5;50\n1;DHT22;2;;;{T0};22.0;51\n"
    record = read(text).ledger[0]
    assert record.rows_dropped == {"timestamp could not be read": 1}
    assert record.row_examples["timestamp could not be read"] == ["yesterday"]


# -- madavi.de CSV --------------------------------------------------------------------
def test_madavi_22_fields_under_20_column_header(data_dir):
    path = data_dir / "sensor_community" / "data-esp8266-3654427-2018-07-24.csv"
    data = read_sensor_community(path)
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "sensor_community/madavi_csv"
    assert any("20 columns but the data rows have 22 fields" in n for n in record.notes)
    first = data.readings[data.readings["time"] == utc("2018-07-24 00:00:50")]
    got = dict(zip(first["variable"].astype(str), first["value"], strict=True))
    # Temp/Humidity sit at fields 12/13, under the header's BMP_temperature/BMP_pressure.
    assert got == {"pm10": 5.20, "pm25": 3.10, "temperature": 21.40, "humidity": 64.20}
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:esp8266-3654427"]
    # Third row: only device status fields, so no measurement at all.
    assert record.rows_dropped == {"no measurement values (all fields empty or missing codes)": 1}
    assert record.columns_ignored["Signal"].startswith("device status")
    assert "PMS_P1" in record.columns_ignored


def test_madavi_rows_matching_header(data_dir):
    data = read_sensor_community(
        data_dir / "sensor_community" / "data-esp8266-13601-2017-03-02.csv"
    )
    assert_balanced(data)
    assert values(data) == {"pm10": 8.2, "pm25": 5.1, "temperature": 7.4, "humidity": 88.1}
    assert not any("22 fields" in n for n in data.ledger[0].notes)
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:esp8266-13601"]


def test_madavi_unknown_field_count_raises():
    row = "2018/07/24 00:00:50" + ";" * 20 + "\n"  # 21 fields
    with pytest.raises(
        UnknownLayoutError, match="do not match its header or any known layout"
    ) as info:
        read(MADAVI_HEADER + row, name="data-esp8266-1-2018-07-24.csv")
    message = str(info.value)
    assert "rows of 21 fields" in message
    assert "read_csv_mapped" in message


def test_madavi_22_fields_whose_last_field_is_not_a_signal_raises():
    row = "2018/07/24 00:00:50;;;;;;;5.2;3.1;;;21.4;64.2;;;;;;612000;230;25010;40\n"
    with pytest.raises(UnknownLayoutError, match="known newer layout does not fit") as info:
        read(MADAVI_HEADER + row)
    assert "WiFi signal" in str(info.value)


def test_madavi_bad_row_dropped_timezone_and_sensor_id_options():
    text = (
        MADAVI_HEADER
        + "2018/07/24 00:00:50;;;;;;;5.2;3.1;;;21.4;64.2;;;;;;612000;230;25010;-78\n"
        + "2018/07/24 00:03:19;;;;\n"
    )
    data = read(
        text,
        name="data-esp8266-1-2018-07-24.csv",
        file_timezone="Europe/Berlin",
        sensor_id="balcony",
    )
    record = data.ledger[0]
    assert record.rows_dropped == {"row does not have the layout's 22 fields": 1}
    # 00:00:50 in Berlin summer time (UTC+2) is 22:00:50 UTC the day before.
    assert set(data.readings["time"]) == {utc("2018-07-23 22:00:50")}
    assert record.timezone == "Europe/Berlin"
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:balcony"]


def test_madavi_device_id_from_file_name():
    text = MADAVI_HEADER + "2017/03/02 10:00:12;;;;;;;8.2;5.1;7.4;88.1;;;;;;512003;210;25000;-70\n"
    data = read(text, name="some/folder/data-esp8266-3654427-2018-07-24.csv")
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:esp8266-3654427"]


# -- JSON API -------------------------------------------------------------------------
def record_json(
    sensor_id=17241,
    sensor_type="SDS011",
    timestamp="2019-11-28 15:38:54",
    pairs=(("P1", "0.80"), ("P2", "0.60")),
    indoor=0,
    altitude="285.6",
):
    return {
        "id": 1,
        "sampling_rate": None,
        "timestamp": timestamp,
        "location": {
            "id": 8737,
            "latitude": "49.576",
            "longitude": "10.988",
            "altitude": altitude,
            "country": "DE",
            "exact_location": 0,
            "indoor": indoor,
        },
        "sensor": {"id": sensor_id, "pin": "1", "sensor_type": {"id": 14, "name": sensor_type}},
        "sensordatavalues": [{"value": v, "value_type": k} for k, v in pairs],
    }


def test_json_fixture(data_dir):
    data = read_sensor_community(data_dir / "sensor_community" / "data.json")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "sensor_community/json_api"
    assert (record.rows_read, record.rows_kept) == (4, 4)
    # 2 + 2 + 4 + 2 measurement values; samples and signal are not measurements.
    assert (record.values_read, record.readings_kept) == (10, 10)
    assert record.readings_dropped == {}
    assert set(record.columns_ignored) == {"samples", "signal"}
    r = data.readings
    bme = r[r["sensor_id"] == "sensorcommunity:17243"]
    got = dict(zip(bme["variable"].astype(str), bme["value"], strict=True))
    # 95500.00 Pa = 955 hPa; pressure_at_sealevel 101612.50 Pa = 1016.125 hPa.
    assert got == pytest.approx(
        {"pressure": 955.0, "pressure_sealevel": 1016.125, "temperature": 4.2, "humidity": 77.0}
    )
    # Space-separated timestamps are UTC.
    sds = r[r["sensor_id"] == "sensorcommunity:17241"]
    assert sorted(set(sds["time"])) == [utc("2019-11-28 15:38:54"), utc("2019-11-28 15:41:24")]
    assert len(sds) == 4  # the sensor appears twice
    sensors = data.sensors.set_index("sensor_id")
    assert len(sensors) == 3
    assert sensors.loc["sensorcommunity:17242", "location_type"] == "indoor"
    assert sensors.loc["sensorcommunity:17241", "location_type"] == "outdoor"
    assert np.isnan(sensors.loc["sensorcommunity:17242", "altitude_m"])
    assert sensors.loc["sensorcommunity:17241", "altitude_m"] == 285.6
    assert sensors.loc["sensorcommunity:17241", "latitude"] == 49.576


def test_json_mixed_types_do_not_count_missing_pm():
    payload = [
        record_json(),
        record_json(17242, "DHT22", pairs=(("temperature", "21.3"), ("humidity", "45.1"))),
    ]
    data = read(json.dumps(payload))
    record = data.ledger[0]
    assert record.values_read == 4
    assert record.readings_dropped == {}
    assert record.rows_dropped == {}


def test_json_null_value_is_counted_as_dropped():
    payload = [record_json(pairs=(("P1", "1.5"), ("P2", None)))]
    record = read(json.dumps(payload)).ledger[0]
    assert (record.values_read, record.readings_kept) == (2, 1)
    assert record.readings_dropped == {"empty field": 1}


def test_json_only_unknown_value_types():
    payload = [record_json(pairs=(("signal", "-70"), ("samples", "1200")))]
    data = read(json.dumps(payload))
    record = data.ledger[0]
    assert record.rows_dropped == {
        "record holds no known measurement value type (see columns not read)": 1
    }
    assert len(data.readings) == 0
    assert set(record.columns_ignored) == {"signal", "samples"}


def test_json_malformed_records_are_dropped_with_reason():
    payload = [record_json(), {"id": 5, "timestamp": "2019-11-28 15:40:00"}, "junk", [1, 2]]
    data = read(json.dumps(payload))
    record = data.ledger[0]
    assert record.rows_read == 4
    assert record.rows_dropped == {"record lacks 'sensor' or 'sensordatavalues'": 3}
    assert values(data) == {"pm10": 0.8, "pm25": 0.6}


def test_json_ppd42ns_is_not_read_as_pm_beside_sds011():
    payload = [
        record_json(),
        record_json(99, "PPD42NS", pairs=(("P1", "512.3"), ("durP1", "15200"), ("P2", "93.2"))),
    ]
    r = read(json.dumps(payload)).readings
    ppd = r[r["sensor_id"] == "sensorcommunity:99"]
    assert ppd["variable"].astype(str).tolist() == ["ppd42ns_p1", "ppd42ns_p2"]
    sds = r[r["sensor_id"] == "sensorcommunity:17241"]
    assert sds["variable"].astype(str).tolist() == ["pm10", "pm25"]


def test_json_repeated_value_type_is_accounted():
    payload = [record_json(pairs=(("P1", "1.0"), ("P1", "2.0"), ("P2", "3.0")))]
    data = read(json.dumps(payload))
    record = data.ledger[0]
    assert record.readings_dropped == {
        "value type repeated within a record (the last one was read)": 1
    }
    assert values(data) == {"pm10": 2.0, "pm25": 3.0}


def test_json_empty_list_raises():
    with pytest.raises(EmptyFileError, match="holds no records") as info:
        read("[]")
    assert "empty list when no sensor matched" in str(info.value)
    with pytest.raises(EmptyFileError, match="holds no records"):
        read("[ \n ]")


def test_json_cut_short_raises():
    text = json.dumps([record_json()])[:-20]
    with pytest.raises(DataFormatError, match="could not be parsed") as info:
        read(text)
    assert "Download the file again" in str(info.value)


# -- detection ------------------------------------------------------------------------
def test_detect_variants_and_refuses_others():
    raw = RawFile("x", b"", "")
    assert detect(raw, SDS) == "archive_csv"
    assert detect(raw, MADAVI_HEADER) == "madavi_csv"
    assert detect(raw, json.dumps([record_json()])) == "json_api"
    assert detect(raw, "created_at,entry_id,PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3\n") is None
    assert detect(raw, "location_id,sensors_id,location,datetime,lat,lon,parameter\n") is None
    assert detect(raw, "[]") is None
    assert detect(raw, '[{"time_stamp": 1}]') is None


# -- errors ---------------------------------------------------------------------------
def test_not_a_sensor_community_file():
    text = "time_stamp,sensor_index,pm2.5_atm\n2024-01-01T00:00:00Z,1,3\n"
    with pytest.raises(DataFormatError, match=r"not a Sensor\.Community file") as info:
        read(text, name="purpleair.csv")
    message = str(info.value)
    assert "purpleair.csv" in message
    assert "time_stamp,sensor_index" in message
    assert "toolkit.load" in message


def test_empty_file():
    with pytest.raises(EmptyFileError, match="The file is empty") as info:
        read(b"", name="2017-08-30_sds011_sensor_1.csv")
    assert "Download or export the file again" in str(info.value)


def test_header_only_file():
    with pytest.raises(EmptyFileError, match="header but no data rows") as info:
        read(SDS, name="2017-08-30_sds011_sensor_1.csv")
    message = str(info.value)
    assert "sensor_id;sensor_type" in message
    assert "choose other dates" in message


def test_madavi_header_only_file():
    with pytest.raises(EmptyFileError, match="header but no data rows"):
        read(MADAVI_HEADER)


def test_binary_garbage():
    garbage = bytes(range(256)) * 20
    with pytest.raises(DataFormatError, match="not text") as info:
        read(garbage, name="picture.csv")
    assert "binary content" in str(info.value)
    assert "picture.csv" in str(info.value)


# -- contract: no mutation, dtypes ----------------------------------------------------
def test_inputs_are_not_mutated(tmp_path):
    text = f"{DHT}1;DHT22;2;;;{T0};21.5;50\n".encode()
    original = bytes(text)
    read_sensor_community(text)
    assert text == original
    buffer = io.BytesIO(text)
    read_sensor_community(buffer)
    assert buffer.getvalue() == original
    path = tmp_path / "2017-08-30_dht22_sensor_1.csv"
    path.write_bytes(text)
    read_sensor_community(path)
    assert path.read_bytes() == original


def test_readings_dtypes(data_dir):
    for name in (
        "2018-07-08_bme280_sensor_4711.csv",
        "data-esp8266-3654427-2018-07-24.csv",
        "data.json",
    ):
        readings = read_sensor_community(data_dir / "sensor_community" / name).readings
        assert list(readings.columns[:5]) == ["sensor_id", "time", "variable", "value", "unit"]
        for column in ("sensor_id", "variable", "unit"):
            assert isinstance(readings[column].dtype, pd.CategoricalDtype), (name, column)
        assert str(readings["time"].dtype) == "datetime64[ns, UTC]"
        assert readings["value"].dtype == np.float64


# -- conformance on the real samples --------------------------------------------------
@pytest.mark.real_samples
def test_real_sds011(real_samples):
    path = real_samples / "sensor_community" / "2017-08-30_sds011_sensor_5331.csv"
    if not path.exists():
        pytest.skip(f"{path} absent")
    data = read_sensor_community(path)
    assert_balanced(data)
    first = data.readings.iloc[0]
    assert first["time"] == utc("2017-08-30 11:27:23")
    assert (first["variable"], first["value"], first["unit"]) == ("pm10", 9.53, "µg/m³")
    record = data.ledger[0]
    reason = "empty row repeating the timestamp of a row with values"
    assert record.rows_dropped.get(reason) == 1
    assert [e.replace("T", " ") for e in record.row_examples[reason]] == ["2017-08-30 11:27:23"]
    assert record.rows_read == record.rows_kept + 1


@pytest.mark.real_samples
def test_real_dht22(real_samples):
    path = real_samples / "sensor_community" / "2017-08-30_dht22_sensor_5332.csv"
    if not path.exists():
        pytest.skip(f"{path} absent")
    data = read_sensor_community(path)
    assert_balanced(data)
    first = data.readings.iloc[0]
    assert first["time"] == utc("2017-08-30 11:29:51")
    assert set(data.variables) == {"temperature", "humidity"}


@pytest.mark.real_samples
def test_real_madavi(real_samples):
    path = real_samples / "sensor_community" / "data-esp8266-3654427-2018-07-24.csv"
    if not path.exists():
        pytest.skip(f"{path} absent")
    data = read_sensor_community(path)
    assert_balanced(data)
    record = data.ledger[0]
    assert any("20 columns but the data rows have 22 fields" in n for n in record.notes)
    assert data.readings["time"].min() >= utc("2018-07-24 00:00:00")
    assert data.readings["time"].max() < utc("2018-07-25 00:00:00")
    assert data.readings.iloc[0]["time"] == utc("2018-07-24 00:00:55")
    assert set(data.variables) == {"pm10", "pm25", "temperature", "humidity"}
    humidity = data.readings.loc[data.readings["variable"] == "humidity", "value"]
    assert humidity.between(0, 100).all()
    assert data.sensors["sensor_id"].tolist() == ["sensorcommunity:esp8266-3654427"]


# -- property-based -------------------------------------------------------------------
BME = HEAD + "pressure;altitude;pressure_sealevel;temperature;humidity\n"
_VARIABLES = ["pressure", "altitude", "pressure_sealevel", "temperature", "humidity"]
_FACTOR = {"pressure": 0.01, "pressure_sealevel": 0.01}

numbers = st.decimals(min_value=-1000, max_value=120000, places=2, allow_nan=False)
cells = st.one_of(
    numbers.map(lambda d: ("number", f"{d:.2f}")),
    st.just(("empty", "")),
    st.sampled_from(["nan", "unavailable", "%.1f"]).map(lambda c: ("code", c)),
    st.text(alphabet="xyzqw# !?", min_size=1, max_size=6)
    .filter(lambda s: s.strip())
    .map(lambda s: ("garbage", s)),
)
rows = st.one_of(
    st.tuples(st.just("row"), st.lists(cells, min_size=5, max_size=5), st.booleans()),
    st.just(("blank", None, False)),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=0, max_size=25))
def test_property_archive_rows(generated):
    lines = ["1;BME280;7;48.1;9.2;2020-01-01T00:00:00;101325.00;;;20.50;"]
    expected = [
        (pd.Timestamp("2020-01-01", tz="UTC"), "pressure", 1013.25),
        (pd.Timestamp("2020-01-01", tz="UTC"), "temperature", 20.5),
    ]
    n_rows = 1
    for i, (kind, row_cells, bad_time) in enumerate(generated, start=1):
        if kind == "blank":
            lines.append("")
            continue
        n_rows += 1
        time = pd.Timestamp("2020-01-01", tz="UTC") + pd.Timedelta(minutes=i)
        stamp = "yesterday" if bad_time else time.strftime("%Y-%m-%dT%H:%M:%S")
        lines.append(f"1;BME280;7;48.1;9.2;{stamp};" + ";".join(c for _, c in row_cells))
        if bad_time:
            continue
        for variable, (what, text) in zip(_VARIABLES, row_cells, strict=True):
            if what == "number":
                expected.append((time, variable, float(text) * _FACTOR.get(variable, 1.0)))
    data = read(BME + "\n".join(lines) + "\n")
    record = data.ledger[0]
    assert record.rows_read == n_rows
    got = list(
        zip(
            data.readings["time"],
            data.readings["variable"].astype(str),
            data.readings["value"],
            strict=True,
        )
    )
    assert [(t, v) for t, v, _ in got] == [(t, v) for t, v, _ in expected]
    np.testing.assert_allclose([x for *_, x in got], [x for *_, x in expected], rtol=1e-12)
