"""Sensor.Community files as they are found in the wild (issue 13), from hand-written
minimal reproductions: newer madavi.de headers, layouts that change within a file, and
archive files re-saved by a spreadsheet set to a European language.

Expected values are read off the fixtures by hand (comments give the arithmetic).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

import toolkit
from tests.conftest import assert_balanced
from toolkit._errors import UnknownLayoutError
from toolkit.readers.sensor_community import read_sensor_community

MADAVI_20 = (
    "Time;durP1;ratioP1;P1;durP2;ratioP2;P2;SDS_P1;SDS_P2;Temp;Humidity;BMP_temperature;"
    "BMP_pressure;BME280_temperature;BME280_humidity;BME280_pressure;Samples;Min_cycle;"
    "Max_cycle;Signal"
)
# The 22-field layout adds PMS_P1;PMS_P2 after SDS_P2; a newer header also names the
# Honeywell HPM's columns, for which the rows carry no field (24 names, 22 fields).
MADAVI_24 = (
    "Time;durP1;ratioP1;P1;durP2;ratioP2;P2;SDS_P1;SDS_P2;PMS_P1;PMS_P2;Temp;Humidity;"
    "BMP_temperature;BMP_pressure;BME280_temperature;BME280_humidity;BME280_pressure;"
    "Samples;Min_cycle;Max_cycle;Signal;HPM_P1;HPM_P2"
)
# 22 fields: Time, 6 PPD42NS fields, SDS 5.2/3.1, PMS empty, Temp 21.4, Humidity 64.2,
# 5 BMP/BME fields empty, then Samples, Min_cycle, Max_cycle and the signal -78 dBm.
ROW_22 = "2024/03/05 10:00:50;;;;;;;5.2;3.1;;;21.4;64.2;;;;;;612000;230;25010;-78"
ROW_20 = "2024/03/05 10:03:19;;;;;;;6.0;4.0;19.5;70.0;;;;;;612000;230;25010;-80"


def read(text: str, name: str = "data-esp8266-42-2024-03-05.csv"):
    buffer = io.BytesIO(text.encode("utf-8"))
    buffer.name = name
    data = read_sensor_community(buffer)
    assert_balanced(data)
    return data


def by_variable(data, time: str) -> dict[str, float]:
    rows = data.readings[data.readings["time"] == pd.Timestamp(time, tz="UTC")]
    return dict(zip(rows["variable"].astype(str), rows["value"], strict=True))


def test_madavi_24_name_header_over_22_field_rows_is_read_not_a_key_error():
    data = read(f"{MADAVI_24}\n{ROW_22}\n{ROW_22.replace('10:00:50', '10:03:19')}\n")
    record = data.ledger[0]
    assert record.status == "ok"
    assert record.rows_read == record.rows_kept == 2
    assert by_variable(data, "2024-03-05 10:00:50") == {
        "pm10": 5.2,
        "pm25": 3.1,
        "temperature": 21.4,
        "humidity": 64.2,
    }
    assert any("HPM_P1, HPM_P2" in note and "22 fields" in note for note in record.notes)
    assert "HPM_P1" in record.columns_ignored


def test_madavi_rows_of_two_layouts_in_one_file_are_each_read_with_their_own():
    # The firmware was updated during the day: first 20-field rows, then 22-field rows.
    text = f"{MADAVI_20}\n{ROW_20}\n{ROW_22.replace('10:00:50', '11:00:50')}\n"
    data = read(text)
    record = data.ledger[0]
    assert record.rows_kept == 2
    assert not record.rows_dropped
    # 20-field row: Temp/Humidity are fields 10/11 (19.5, 70.0).
    assert by_variable(data, "2024-03-05 10:03:19") == {
        "pm10": 6.0,
        "pm25": 4.0,
        "temperature": 19.5,
        "humidity": 70.0,
    }
    # 22-field row: Temp/Humidity are fields 12/13 (21.4, 64.2), not BMP_*.
    assert by_variable(data, "2024-03-05 11:00:50") == {
        "pm10": 5.2,
        "pm25": 3.1,
        "temperature": 21.4,
        "humidity": 64.2,
    }
    assert any("change layout within the file" in note for note in record.notes)


def test_madavi_header_of_unknown_length_is_a_toolkit_error_that_load_collects(tmp_path):
    header = MADAVI_24 + ";Extra1"  # 25 names
    row = "2024/03/05 10:00:50" + ";" * 20  # 21 fields: no layout has 21
    bad = tmp_path / "data-esp8266-1-2024-03-05.csv"
    bad.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(UnknownLayoutError, match="do not match its header or any known layout"):
        read_sensor_community(bad)
    good = tmp_path / "data-esp8266-2-2024-03-05.csv"
    good.write_text(f"{MADAVI_24}\n{ROW_22}\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="1 of 2 file"):
        data = toolkit.load(tmp_path)
    assert [r.status for r in data.ledger] == ["failed", "ok"]
    assert len(data.readings) == 4


def test_madavi_rows_that_fit_no_layout_are_dropped_and_the_file_is_partial(tmp_path):
    rows = [ROW_22.replace("10:00", f"10:{m:02d}") for m in range(10, 60)]  # 50 good rows
    rows.append("2024/03/05 11:00:00;1;2")  # 3 fields: cut short
    path = tmp_path / "data-esp8266-3-2024-03-05.csv"
    path.write_text("\n".join([MADAVI_24, *rows]) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="partly read") as caught:
        data = toolkit.load(path)
    assert path.name in str(caught[0].message)
    record = data.ledger[0]
    assert record.rows_dropped == {"row does not have the layout's 22 fields": 1}
    # 1 of 51 rows (2.0 %) is more than 1 %: partial, with the reason in a note.
    assert record.status == "partial"
    assert any("1 of 51 rows (2.0 %)" in note for note in record.notes)


# -- archive files re-saved by a spreadsheet in a European locale ---------------------
SDS_HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2"


def test_decimal_commas_in_values_and_coordinates_are_read():
    text = (
        f"{SDS_HEADER}\r\n"
        "5331;SDS011;2688;57,128;-2,130;2017-08-30T11:27:23;9,53;;;2,83;;\r\n"
        "5331;SDS011;2688;57,128;-2,130;2017-08-30T11:29:50;10;;;3,1;;\r\n"
    )
    data = read(text, name="2017-08-30_sds011_sensor_5331.csv")
    record = data.ledger[0]
    assert record.status == "ok"
    assert record.readings_kept == 4
    assert not record.readings_dropped
    assert by_variable(data, "2017-08-30 11:27:23") == {"pm10": 9.53, "pm25": 2.83}
    assert by_variable(data, "2017-08-30 11:29:50") == {"pm10": 10.0, "pm25": 3.1}
    assert data.sensors["latitude"].tolist() == [57.128]
    assert data.sensors["longitude"].tolist() == [-2.13]
    assert any("Decimal commas" in note and "lat" in note for note in record.notes)


def test_decimal_commas_with_grouped_thousands_and_reformatted_dates():
    # A spreadsheet may also write 1.001,5 for 1001.5 and its own date format.
    text = (
        f"{SDS_HEADER}\n"
        "5331;SDS011;2688;57,128;-2,13;30.08.2017 11:27;1.001,5;;;2,83;;\n"
        "5331;SDS011;2688;57,128;-2,13;30.08.2017 11:29;12,25;;;3,1;;\n"
    )
    data = read(text)
    assert by_variable(data, "2017-08-30 11:27") == {"pm10": 1001.5, "pm25": 2.83}
    assert by_variable(data, "2017-08-30 11:29") == {"pm10": 12.25, "pm25": 3.1}


def test_a_column_with_decimal_points_is_never_changed():
    # P1 mixes 9.53 and a stray "9,53": the comma cell is not a number, the rest stay.
    text = (
        f"{SDS_HEADER}\n"
        "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;\n"
        "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:29:50;9,53;;;2.90;;\n"
    )
    data = read(text)
    record = data.ledger[0]
    assert record.readings_dropped == {"not a number": 1}
    assert by_variable(data, "2017-08-30 11:27:23") == {"pm10": 9.53, "pm25": 2.83}
    assert not any("Decimal commas" in note for note in record.notes)
    # 1 of 4 values is a structural loss (text where a number should be): partial.
    assert record.status == "partial"


# -- archive files joined together or sorted ------------------------------------------
DHT_HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;temperature;humidity"
SDS_ROWS = [
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T00:01:10;9.53;;;2.83;;",
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T00:03:40;8.10;;;2.50;;",
]
SDS_NEXT_DAY = [
    "5331;SDS011;2688;57.128;-2.130;2017-08-31T00:01:12;7.00;;;2.00;;",
]
DHT_ROWS = ["5332;DHT22;2688;57.128;-2.130;2017-08-30T00:02:00;14.2;88.0"]


def test_daily_files_joined_with_their_headers_repeated():
    text = "\n".join([SDS_HEADER, *SDS_ROWS, SDS_HEADER, *SDS_NEXT_DAY]) + "\n"
    data = read(text, name="joined.csv")
    record = data.ledger[0]
    assert record.status == "ok"
    # 4 lines after the first header: 3 data rows and 1 repeated header (not data).
    assert record.rows_read == 4
    assert record.rows_kept == 3
    assert record.rows_dropped == {"repeated header line": 1}
    assert by_variable(data, "2017-08-31 00:01:12") == {"pm10": 7.0, "pm25": 2.0}
    assert len(data.readings) == 6


def test_files_of_two_sensor_types_joined_are_each_read_with_their_own_header():
    text = "\n".join([SDS_HEADER, *SDS_ROWS, DHT_HEADER, *DHT_ROWS]) + "\n"
    data = read(text, name="joined.csv")
    record = data.ledger[0]
    assert record.status == "ok"
    assert record.rows_dropped == {"header line of another file joined to it": 1}
    assert by_variable(data, "2017-08-30 00:02:00") == {"temperature": 14.2, "humidity": 88.0}
    assert sorted(data.sensors["model"]) == ["DHT22", "SDS011"]


def test_a_file_sorted_by_a_spreadsheet_has_its_header_last(tmp_path):
    # Sorting puts "sensor_id;..." after the rows that start with digits.
    path = tmp_path / "2017-08-30_sds011_sensor_5331.csv"
    path.write_text("\n".join([*SDS_ROWS, SDS_HEADER]) + "\n", encoding="utf-8")
    data = toolkit.load(path)
    record = data.ledger[0]
    assert record.format == "sensor_community/archive_csv"
    assert record.status == "ok"
    assert record.rows_read == record.rows_kept == 2
    assert by_variable(data, "2017-08-30 00:01:10") == {"pm10": 9.53, "pm25": 2.83}
    assert any("header line is not the first line" in note for note in record.notes)


def test_repeated_header_lines_of_other_csv_formats_are_not_data():
    # OpenAQ's Explorer download, two downloads appended one after the other.
    from toolkit.readers.openaq import read_openaq

    header = (
        "location_id,location_name,parameter,value,unit,datetimeUtc,datetimeLocal,timezone,"
        "latitude,longitude,country_iso,isMobile,isMonitor,owner_name,provider"
    )
    row = (
        '1612333,"Annex","pm25",{v},"µg/m³","2025-09-01T0{h}:00:00Z",'
        '"2025-08-31T2{h}:00:00-04:00","America/Toronto",43.66,-79.40,,,,"Org","AirGradient"'
    )
    text = "\n".join([header, row.format(v=4.5, h=1), header, row.format(v=6.0, h=2)]) + "\n"
    buffer = io.BytesIO(text.encode("utf-8"))
    data = read_openaq(buffer)
    assert_balanced(data)
    record = data.ledger[0]
    assert record.rows_dropped == {"repeated header line": 1}
    assert record.status == "ok"
    assert sorted(data.readings["value"]) == [4.5, 6.0]


def test_a_joined_file_whose_first_part_is_only_a_header():
    # A header with no rows (a day without data), then another day's file.
    text = "\n".join([DHT_HEADER, SDS_HEADER, *SDS_ROWS]) + "\n"
    data = read(text, name="joined.csv")
    record = data.ledger[0]
    assert record.rows_kept == 2
    assert record.rows_dropped == {"header line of another file joined to it": 1}
    assert by_variable(data, "2017-08-30 00:03:40") == {"pm10": 8.1, "pm25": 2.5}
