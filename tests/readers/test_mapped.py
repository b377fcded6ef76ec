"""Tests of the generic reader with an explicit column mapping (CSV and Excel).

Fixtures in tests/data/mapped/ were written by hand for these tests; Excel workbooks are
built in the tests with openpyxl. Expected values are computed by hand in the comments.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DATA, assert_balanced
from toolkit._errors import (
    CoordinateError,
    DataFormatError,
    EmptyFileError,
    MissingColumnError,
    TimestampError,
    UnitError,
    UnknownLayoutError,
    UnknownVariableError,
)
from toolkit.readers._io import RawFile
from toolkit.readers.mapped import DELIMITERS, detect, read_csv_mapped
from toolkit.readers.suggest import suggest_mapping, unknown_layout_error

MAPPED = DATA / "mapped"
UTC = "UTC"


def buffer(text: str, name: str | None = None) -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    if name:
        data.name = name
    return data


def values_of(data, variable: str) -> list[float]:
    r = data.readings
    return [round(v, 4) for v in r.loc[r["variable"] == variable, "value"]]


def times_of(data) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M") for t in data.readings["time"]]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading: the documented behaviour ---------------------------------------------------
def garden(**options):
    mapping = {"PM2.5 (ug/m3)": "pm25", "Temp_F": ("temperature", "°F"), "RH": "humidity"}
    return read_csv_mapped(
        MAPPED / "garden.csv",
        time=("Date", "Time"),
        file_timezone="Europe/Berlin",
        sensor_id="garden",
        values=mapping,
        skip_rows=2,
        **options,
    )


def test_semicolon_file_with_preamble_decimal_commas_and_split_date_time():
    data = garden()
    assert_balanced(data)
    rec = data.ledger[0]
    # Berlin is UTC+1 on 1 March: 14:00 local = 13:00 UTC.
    assert times_of(data) == ["2024-03-01 13:00"] * 3 + ["2024-03-01 13:10", "2024-03-01 13:20"]
    assert values_of(data, "pm25") == [12.5, 13.0]  # "12,5" is 12.5
    # 77 °F = (77 - 32) × 5/9 = 25 °C; "78,8" °F = 26 °C.
    assert values_of(data, "temperature") == [25.0, 26.0]
    assert values_of(data, "humidity") == [40.0]
    assert set(data.readings["unit"]) == {"µg/m³", "°C", "%"}
    assert rec.format == "mapped/csv"
    assert rec.rows_read == 4
    assert rec.rows_kept == 3
    assert rec.rows_dropped == {"timestamp could not be read": 1}
    assert rec.row_examples["timestamp could not be read"] == ["01.03.2024 xx:yy"]
    assert rec.values_read == 9
    assert rec.readings_dropped == {
        "missing-value code '-999'": 1,
        "missing-value code 'NA'": 1,
        "empty field": 1,
        "missing-value code 'null'": 1,
    }
    assert rec.columns_ignored == {"Battery": "not in the mapping"}
    assert any("Decimal commas" in n for n in rec.notes)
    assert any("skip_rows" in n for n in rec.notes)
    assert rec.timezone == "Europe/Berlin"
    assert "start, the end or the instant" in rec.time_label
    assert any("°F" in c for c in rec.conversions)


def test_sensor_id_prefix_and_sensors_table():
    data = garden(latitude=52.52, longitude=13.405)
    row = data.sensors.iloc[0]
    assert row["sensor_id"] == "csv:garden"
    assert set(data.readings["sensor_id"]) == {"csv:garden"}
    assert (row["latitude"], row["longitude"]) == (52.52, 13.405)
    assert row["timezone"] == "Europe/Berlin"
    assert row["source"] == "CSV/Excel (column mapping)"


def test_sensor_named_after_the_file_when_not_given():
    data = read_csv_mapped(
        MAPPED / "berlin_dst.csv", time="time", file_timezone=UTC, values={"laeq": "laeq"}
    )
    assert set(data.readings["sensor_id"]) == {"csv:berlin_dst"}
    assert any("named csv:berlin_dst after the file" in n for n in data.ledger[0].notes)


def test_sensor_column_coordinate_columns_ppb_and_impossible_coordinates():
    data = read_csv_mapped(
        MAPPED / "stations.csv",
        time="when",
        sensor_column="station",
        latitude="lat",
        longitude="lon",
        missing_values=[65535],
        values={"no2_ppb": ("no2", "ppb"), "pm10": ("pm10", "µg/m³")},
    )
    assert_balanced(data)
    rec = data.ledger[0]
    # NO2 at 25 °C: 46.0055 g/mol / 24.4654 L/mol = 1.88043 µg/m³ per ppb.
    assert values_of(data, "no2") == pytest.approx([18.8043, 37.6086], rel=1e-4)
    assert values_of(data, "pm10") == [20.0, 22.0, 30.0]
    assert rec.rows_dropped == {"sensor id missing": 1}
    assert rec.readings_dropped == {
        "missing-value code '65535'": 1,
        "empty field": 1,
        "missing-value code 'null'": 1,
    }
    sensors = data.sensors.set_index("sensor_id")
    assert list(sensors.index) == ["csv:north", "csv:south"]
    assert sensors.loc["csv:north", "latitude"] == 52.52
    # 152° is no latitude: the position is blanked, the readings stay.
    assert pd.isna(sensors.loc["csv:south", "latitude"])
    assert (data.readings["sensor_id"] == "csv:south").sum() == 2
    assert any("Impossible coordinates" in n and "152" in n for n in rec.notes)
    assert rec.timezone == "offsets"


def test_values_shorthand_means_the_canonical_unit():
    data = read_csv_mapped(buffer("t,x\n2024-01-01T00:00Z,5\n"), time="t", values={"x": "pm25"})
    assert data.readings["unit"].tolist() == ["µg/m³"]
    assert data.ledger[0].conversions == []


def test_columns_sharing_a_variable_get_their_names_as_channels():
    text = "t,pm25,pm25,pm25_b\n2024-01-01T00:00Z,1,2,3\n"
    data = read_csv_mapped(
        buffer(text),
        time="t",
        values={"pm25": "pm25", "pm25.1": "pm25", "pm25_b": ("pm25", "µg/m³", "B")},
    )
    assert data.readings["channel"].tolist() == ["pm25", "pm25.1", "B"]
    notes = " ".join(data.ledger[0].notes)
    assert "pm25.1" in notes
    assert "channel is the name of its column" in notes


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_delimiter_is_detected(delimiter):
    text = f"time{delimiter}PM10{delimiter}note\n2024-01-01T00:00Z{delimiter}7{delimiter}a b\n"
    data = read_csv_mapped(buffer(text), time="time", values={"PM10": "pm10"})
    assert values_of(data, "pm10") == [7.0]


def test_rows_that_do_not_fit_the_header_repeated_headers_and_trailing_delimiters():
    text = (
        "t;v;\n2024-01-01T00:00Z;1;\n2024-01-01T00:10Z;2\n2024-01-01T00:20Z;3;4;5\n"
        "t;v;\n2024-01-01T00:30Z;6;\n"
    )
    data = read_csv_mapped(buffer(text), time="t", values={"v": "pm25"})
    assert_balanced(data)
    rec = data.ledger[0]
    assert values_of(data, "pm25") == [1.0, 2.0, 6.0]
    assert rec.rows_dropped == {
        "row does not have the header's 3 fields": 1,
        "repeated header line": 1,
    }
    assert rec.row_examples["row does not have the header's 3 fields"] == ["line 4: 4 fields"]


def test_unix_times_in_seconds_and_milliseconds_are_utc():
    # 1709301600 s = 2024-03-01 14:00:00 UTC.
    seconds = read_csv_mapped(
        buffer("ts,v\n1709301600,1\n1709301660,2\nbroken,3\n,4\n"), time="ts", values={"v": "pm25"}
    )
    millis = read_csv_mapped(
        buffer("ts,v\n1709301600000,1\n1709301660000,2\n"), time="ts", values={"v": "pm25"}
    )
    assert times_of(seconds) == times_of(millis) == ["2024-03-01 14:00", "2024-03-01 14:01"]
    assert seconds.ledger[0].rows_dropped == {
        "timestamp could not be read": 1,
        "timestamp missing": 1,
    }
    assert seconds.ledger[0].row_examples["timestamp missing"] == ["line 5 (no time)"]
    assert "Unix time" in seconds.ledger[0].timezone_reason


def test_time_format_for_unusual_layouts():
    data = read_csv_mapped(
        buffer("t,v\n03/01/2024 2:00 PM,1\n"),
        time="t",
        file_timezone=UTC,
        time_format="%m/%d/%Y %I:%M %p",
        values={"v": "pm25"},
    )
    assert times_of(data) == ["2024-03-01 14:00"]


def test_latin1_file_is_read_and_noted():
    text = "Zeit;Temperatur (°C)\n2024-01-01 00:00;5,5\n"
    data = read_csv_mapped(
        io.BytesIO(text.encode("latin-1")),
        time="Zeit",
        file_timezone=UTC,
        values={"Temperatur (°C)": "temperature"},
    )
    assert values_of(data, "temperature") == [5.5]
    assert any("latin-1" in n for n in data.ledger[0].notes)


def test_zip_of_csvs_gives_one_record_per_file():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "t,v\n2024-01-01T00:00Z,1\n")
        z.writestr("b.csv", "t,v\n2024-01-01T00:00Z,2\n")
    data = read_csv_mapped(io.BytesIO(archive.getvalue()), time="t", values={"v": "pm25"})
    assert [r.path for r in data.ledger] == ["<buffer>::a.csv", "<buffer>::b.csv"]
    assert sorted(data.readings["sensor_id"]) == ["csv:a", "csv:b"]


def test_detect_never_claims_a_file():
    raw = RawFile("x.csv", b"time,pm25\n")
    assert detect(raw, "time,pm25\n") is None


# -- Excel --------------------------------------------------------------------------------
def test_excel_recognised_by_content_with_sheet_skip_rows_and_date_time_cells():
    data = workbook(
        {
            "About": [["Exported by a logger"]],
            "Data": [
                ["Garden station"],
                [],
                ["Date", "Time", "PM2.5", "Temp"],
                [dt.datetime(2024, 3, 1), dt.time(14, 0), 12.5, 20],
                [dt.datetime(2024, 3, 1), dt.time(14, 10), "NA", 21.5],
                [None, None, None, None],
                [dt.datetime(2024, 3, 1), dt.time(14, 20), 65535, 22],
            ],
        }
    )
    result = read_csv_mapped(
        io.BytesIO(data),
        sheet="Data",
        skip_rows=2,
        time=("Date", "Time"),
        file_timezone="Europe/Berlin",
        missing_values=[65535],
        values={"PM2.5": "pm25", "Temp": "temperature"},
    )
    assert_balanced(result)
    rec = result.ledger[0]
    assert rec.format == "mapped/excel"
    assert times_of(result) == [
        "2024-03-01 13:00",
        "2024-03-01 13:00",
        "2024-03-01 13:10",
        "2024-03-01 13:20",
    ]
    assert values_of(result, "pm25") == [12.5]
    assert values_of(result, "temperature") == [20.0, 21.5, 22.0]
    assert rec.readings_dropped == {"missing-value code 'NA'": 1, "missing-value code '65535'": 1}
    assert any("2 sheets" in n and "'Data'" in n for n in rec.notes)


def test_excel_sheet_by_position_and_xlsx_file(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        workbook(
            {
                "S1": [["t", "v"], ["2024-01-01T00:00Z", 1]],
                "S2": [["t", "v"], ["2024-01-01T00:00Z", 2]],
            }
        )
    )
    data = read_csv_mapped(path, sheet=1, time="t", values={"v": "pm25"})
    assert values_of(data, "pm25") == [2.0]
    assert data.ledger[0].path == str(path)
    assert data.sensors["sensor_id"].tolist() == ["csv:book"]


def test_excel_serial_day_numbers():
    # 45352 days after 1899-12-30 is 2024-03-01; .5 is noon, .75 is 18:00.
    data = workbook({"S": [["t", "v"], [45352.5, 1], [45352.75, 2]]})
    result = read_csv_mapped(io.BytesIO(data), time="t", file_timezone=UTC, values={"v": "pm25"})
    assert times_of(result) == ["2024-03-01 12:00", "2024-03-01 18:00"]
    assert any("serial day numbers" in n for n in result.ledger[0].notes)


def test_excel_unknown_sheet_lists_the_sheets():
    data = workbook({"Info": [["x"]], "Data": [["t", "v"]]})
    with pytest.raises(
        DataFormatError,
        match=r"(?s)no sheet 'data'.*File: <buffer>.*"
        r"sheets: 'Info', 'Data'.*Did you mean sheet='Data'",
    ):
        read_csv_mapped(io.BytesIO(data), sheet="data", time="t", values={"v": "pm25"})


def test_excel_header_only_and_empty_sheet():
    header_only = workbook({"S": [["t", "v"]]})
    with pytest.raises(EmptyFileError, match=r"(?s)header but no data rows.*Found: header"):
        read_csv_mapped(io.BytesIO(header_only), time="t", values={"v": "pm25"})
    empty = workbook({"S": []})
    with pytest.raises(
        EmptyFileError,
        match=r"(?s)no header line.*File: <buffer>.*Found:"
        r".*What to do",
    ):
        read_csv_mapped(io.BytesIO(empty), time="t", values={"v": "pm25"})


def test_broken_workbook():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("xl/workbook.xml", "<cut short")
    with pytest.raises(
        DataFormatError,
        match=r"(?s)workbook could not be opened.*"
        r"File: cut\.xlsx.*Found: KeyError.*save it again",
    ):
        read_csv_mapped(_named(archive.getvalue(), "cut.xlsx"), time="t", values={"v": "pm25"})


def test_old_binary_xls_is_refused():
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(
        DataFormatError,
        match=r"(?s)old binary Excel.*File: old\.xls.*"
        r"Found: Office binary.*save it as \.xlsx or as CSV",
    ):
        read_csv_mapped(_named(raw, "old.xls"), time="t", values={"v": "pm25"})


def _named(data: bytes, name: str) -> io.BytesIO:
    out = io.BytesIO(data)
    out.name = name
    return out


# -- the mapping is checked before the file is read ---------------------------------------
def test_unknown_variable():
    with pytest.raises(
        UnknownVariableError, match=r"(?s)Column 'PM' is mapped to 'pm2.5'.*Did you mean 'pm25'"
    ):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"PM": "pm2.5"})


def test_unit_that_cannot_be_converted():
    with pytest.raises(
        UnitError,
        match=r"(?s)Column 'PM'.*Cannot convert pm25 from °C.*"
        r"Found: values in '°C'.*What to do",
    ):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"PM": ("pm25", "°C")})


def test_unknown_unit_spelling():
    with pytest.raises(UnitError, match=r"(?s)Column 'PM'.*'furlongs' is not one.*known units"):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"PM": ("pm25", "furlongs")})


def test_malformed_mapping_and_empty_mapping():
    with pytest.raises(DataFormatError, match=r"(?s)not a variable or a \(variable, unit\)"):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"PM": ("pm25",)})
    with pytest.raises(DataFormatError, match=r"(?s)no measurement columns.*suggest_mapping"):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={})


def test_constant_impossible_coordinates_raise():
    with pytest.raises(
        CoordinateError,
        match=r"(?s)latitude given is impossible.*"
        r"Found: latitude=152.*swapped",
    ):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"x": "pm25"}, latitude=152)
    with pytest.raises(CoordinateError, match=r"longitude given is impossible"):
        read_csv_mapped(MAPPED / "garden.csv", time="t", values={"x": "pm25"}, longitude=-181)


def test_sensor_id_and_sensor_column_together():
    with pytest.raises(DataFormatError, match=r"(?s)either sensor_id=.*or sensor_column="):
        read_csv_mapped(
            MAPPED / "stations.csv",
            time="when",
            values={"pm10": "pm10"},
            sensor_id="a",
            sensor_column="station",
        )


def test_missing_column_lists_columns_and_close_matches():
    with pytest.raises(
        MissingColumnError,
        match=r"(?s)'pm2.5 \(ug/m3\)', 'temp' named in the "
        r"mapping are not in the file.*File: .*garden\.csv.*Found: the file's 6 "
        r"column\(s\): 'Date', 'Time', 'PM2.5 \(ug/m3\)'.*Did you mean "
        r"'pm2.5 \(ug/m3\)' -> 'PM2.5 \(ug/m3\)'; 'temp' -> 'Temp_F'",
    ):
        read_csv_mapped(
            MAPPED / "garden.csv",
            time=("Date", "Time"),
            skip_rows=2,
            values={"pm2.5 (ug/m3)": "pm25", "temp": "temperature"},
        )


def test_header_below_the_first_line_suggests_skip_rows():
    with pytest.raises(
        MissingColumnError,
        match=r"(?s)not the header.*on line 3.*"
        r"Found: first line: 'Exported by GardenLogger v2'.*skip_rows=2",
    ):
        read_csv_mapped(
            MAPPED / "garden.csv",
            time=("Date", "Time"),
            file_timezone=UTC,
            values={"RH": "humidity"},
        )


# -- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"  \n\n"])
def test_empty_file(content):
    with pytest.raises(
        EmptyFileError,
        match=r"(?s)The file is empty.*File: empty\.csv.*"
        r"Found: \d+ byte\(s\), no text.*What to do: Download or export",
    ):
        read_csv_mapped(_named(content, "empty.csv"), time="t", values={"v": "pm25"})


def test_header_only():
    with pytest.raises(
        EmptyFileError,
        match=r"(?s)header but no data rows.*File: h\.csv.*"
        r"Found: header: t,v.*What to do: Export a longer period",
    ):
        read_csv_mapped(_named(b"t,v\n\n", "h.csv"), time="t", values={"v": "pm25"})


def test_random_bytes_and_png_are_refused():
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(2000))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + b"\x00" * 40
    for content, name in ((noise, "noise.csv"), (png, "photo.csv")):
        with pytest.raises(
            DataFormatError,
            match=rf"(?s)not text.*File: {name}.*"
            r"Found: binary content \(first bytes.*What to do: Check that",
        ):
            read_csv_mapped(_named(content, name), time="t", values={"v": "pm25"})
        with pytest.raises(DataFormatError, match=r"not text"):
            suggest_mapping(_named(content, name))


def test_wrong_delimiter_names_the_right_one():
    text = "time;pm25;temp\n2024-01-01T00:00Z;1;2\n"
    with pytest.raises(
        DataFormatError,
        match=r"(?s)delimiter=',' the header splits into 1 "
        r"column.*File: semi\.csv.*Found: header 'time;pm25;temp'; split on "
        r"';' it gives 3 columns: time, pm25, temp.*Use delimiter=';'",
    ):
        read_csv_mapped(
            buffer(text, "semi.csv"), delimiter=",", time="time", values={"pm25": "pm25"}
        )


def test_all_timestamps_unreadable():
    with pytest.raises(
        TimestampError,
        match=r"(?s)Could not read the timestamps in column "
        r"'t'.*File: bad\.csv.*Found: 'soon', 'later' \(2 value\(s\), none "
        r"readable\).*time_format=",
    ):
        read_csv_mapped(
            buffer("t,v\nsoon,1\nlater,2\n", "bad.csv"),
            time="t",
            file_timezone=UTC,
            values={"v": "pm25"},
        )


def test_some_timestamps_unreadable_are_dropped_with_examples():
    text = "t,v\n2024-01-01 00:00,1\nsoon,2\n2024-01-01 00:20,3\n31/02/2024 00:30,4\n"
    data = read_csv_mapped(buffer(text), time="t", file_timezone=UTC, values={"v": "pm25"})
    assert_balanced(data)
    rec = data.ledger[0]
    assert values_of(data, "pm25") == [1.0, 3.0]
    assert rec.rows_dropped == {"timestamp could not be read": 2}
    assert rec.row_examples["timestamp could not be read"] == ["soon", "31/02/2024 00:30"]


def test_local_times_without_a_zone_ask_for_timezone():
    with pytest.raises(
        TimestampError,
        match=r"(?s)column 't' have no time zone.*"
        r"File: local\.csv.*Found: '2024-01-01 00:00' \(no offset.*"
        r"timezone='Europe/Berlin'",
    ):
        read_csv_mapped(
            buffer("t,v\n2024-01-01 00:00,1\n", "local.csv"), time="t", values={"v": "pm25"}
        )


def test_nonexistent_local_time():
    text = "t,v\n2024-03-31 01:30,1\n2024-03-31 02:30,2\n2024-03-31 03:30,3\n"
    with pytest.raises(
        TimestampError,
        match=r"(?s)do not exist in Europe/Berlin.*"
        r"File: spring\.csv.*Found: '2024-03-31 02:30:00' \(1 value.*"
        r"What to do: Check the logger's clock",
    ):
        read_csv_mapped(
            buffer(text, "spring.csv"),
            time="t",
            file_timezone="Europe/Berlin",
            values={"v": "pm25"},
        )


def test_ambiguous_local_time_that_order_cannot_place():
    text = "t,v\n2024-10-27 01:30,1\n2024-10-27 02:30,2\n2024-10-27 03:30,3\n"
    with pytest.raises(
        TimestampError,
        match=r"(?s)happen twice in Europe/Berlin.*"
        r"File: autumn\.csv.*Found: '2024-10-27 02:30:00' \(1 value.*"
        r"recording order",
    ):
        read_csv_mapped(
            buffer(text, "autumn.csv"),
            time="t",
            file_timezone="Europe/Berlin",
            values={"v": "pm25"},
        )


def test_ambiguous_local_times_in_recording_order_are_placed():
    data = read_csv_mapped(
        MAPPED / "berlin_dst.csv",
        time="time",
        file_timezone="Europe/Berlin",
        values={"laeq": "laeq"},
    )
    # CEST is UTC+2 until 03:00 local, then CET is UTC+1 and 02:00-02:59 repeats.
    assert times_of(data) == [
        "2024-10-26 23:30",
        "2024-10-27 00:00",
        "2024-10-27 00:30",
        "2024-10-27 01:00",
        "2024-10-27 01:30",
        "2024-10-27 02:00",
    ]
    assert values_of(data, "laeq") == [50.0, 51.0, 52.0, 53.0, 54.0, 55.0]


def test_ambiguous_times_of_interleaved_sensors_are_placed_per_sensor():
    lines = ["sensor,time,v"]
    for clock in ("01:30", "02:30", "02:30", "03:30"):
        lines += [f"A,2024-10-27 {clock},1", f"B,2024-10-27 {clock},2"]
    data = read_csv_mapped(
        buffer("\n".join(lines)),
        time="time",
        sensor_column="sensor",
        file_timezone="Europe/Berlin",
        values={"v": "pm25"},
    )
    readings = data.readings
    for sensor in ("csv:A", "csv:B"):
        times = readings.loc[readings["sensor_id"] == sensor, "time"]
        # 02:30 CEST = 00:30 UTC, then 02:30 CET = 01:30 UTC.
        assert [t.strftime("%d %H:%M") for t in times] == [
            "26 23:30",
            "27 00:30",
            "27 01:30",
            "27 02:30",
        ]
    assert any("sensor by sensor" in n for n in data.ledger[0].notes)


def test_offsets_that_change_across_dst_are_each_applied():
    # Denver, 10 March 2024: 01:30-07:00 = 08:30 UTC; 03:30-06:00 = 09:30 UTC.
    text = "t,v\n2024-03-10T01:30:00-07:00,1\n2024-03-10T03:30:00-06:00,2\n"
    data = read_csv_mapped(buffer(text), time="t", values={"v": "pm25"})
    assert times_of(data) == ["2024-03-10 08:30", "2024-03-10 09:30"]
    assert "2 different: -06:00, -07:00" in data.ledger[0].timezone_reason


def test_column_mixing_offsets_and_no_offsets():
    text = "t,v\n2024-03-10T01:30:00-07:00,1\n2024-03-10 03:30:00,2\n"
    with pytest.raises(
        TimestampError,
        match=r"(?s)mixes timestamps with a UTC offset and "
        r"timestamps without.*File: mixed\.csv.*with an offset: "
        r"'2024-03-10T01:30:00-07:00'; without: '2024-03-10 03:30:00'",
    ):
        read_csv_mapped(
            buffer(text, "mixed.csv"),
            time="t",
            file_timezone="America/Denver",
            values={"v": "pm25"},
        )


def test_numbers_that_are_not_unix_times():
    with pytest.raises(
        TimestampError,
        match=r"(?s)numbers that are not Unix times.*"
        r"File: digits\.csv.*Found: 202403011400.*time_format='%Y%m%d%H%M'",
    ):
        read_csv_mapped(
            buffer("t,v\n202403011400,1\n", "digits.csv"), time="t", values={"v": "pm25"}
        )


def test_day_month_order_that_values_cannot_tell():
    with pytest.raises(
        TimestampError,
        match=r"(?s)day/month or month/day.*"
        r"Found: '01/03/2024 14:00'.*time_format='%d/%m/%Y %H:%M'",
    ):
        read_csv_mapped(
            buffer("t,v\n01/03/2024 14:00,1\n"), time="t", file_timezone=UTC, values={"v": "pm25"}
        )


def test_sentinel_values_are_dropped_counted_and_the_rest_kept():
    text = (
        "t,a,b\n2024-01-01T00:00Z,-999,1\n2024-01-01T00:10Z,65535,2\n"
        "2024-01-01T00:20Z,null,3\n2024-01-01T00:30Z,NA,4\n2024-01-01T00:40Z,5,-999.0\n"
    )
    data = read_csv_mapped(
        buffer(text), time="t", missing_values=[65535], values={"a": "pm25", "b": "pm10"}
    )
    assert_balanced(data)
    rec = data.ledger[0]
    assert values_of(data, "pm25") == [5.0]
    assert values_of(data, "pm10") == [1.0, 2.0, 3.0, 4.0]
    assert rec.readings_dropped == {
        "missing-value code '-999'": 2,
        "missing-value code '65535'": 1,
        "missing-value code 'null'": 1,
        "missing-value code 'NA'": 1,
    }
    assert rec.rows_dropped == {}


def test_missing_values_may_be_text():
    data = read_csv_mapped(
        buffer("t,a,b\n2024-01-01T00:00Z,ERR,1\n2024-01-01T00:10Z,2,3\n"),
        time="t",
        missing_values=["ERR"],
        values={"a": "pm25", "b": "pm10"},
    )
    assert data.ledger[0].readings_dropped == {"missing-value code 'ERR'": 1}


# -- suggesting a mapping -----------------------------------------------------------------
def test_suggest_mapping_guesses_columns_and_is_valid_python():
    code = suggest_mapping(MAPPED / "garden.csv")
    ast.parse(code)
    assert f"{str(MAPPED / 'garden.csv')!r}" in code
    assert "time=('Date', 'Time')," in code
    assert "'PM2.5 (ug/m3)': ('pm25', 'µg/m³')," in code
    assert "'Temp_F': ('temperature', '°F')," in code
    assert "'RH': ('humidity', '%')," in code
    assert '# \'Battery\': ("VARIABLE", "UNIT")' in code
    assert "delimiter=';'," in code
    assert "skip_rows=2," in code
    assert "file_timezone=None,  # EDIT" in code
    assert "time_format='%d.%m.%Y %H:%M'" not in code  # dots are read day first as they are


def test_suggest_mapping_for_columns_of_ids_offsets_and_coordinates():
    code = suggest_mapping(MAPPED / "stations.csv")
    assert "time='when'," in code
    assert "# file_timezone= is not needed: the times carry their UTC offsets" in code
    assert "sensor_column='station'," in code
    assert "latitude='lat'," in code
    assert "longitude='lon'," in code
    assert "'no2_ppb': ('no2', 'ppb')," in code
    assert "'pm10': ('pm10', 'µg/m³')," in code


def test_suggest_mapping_proposes_a_time_format():
    # 01/03 and 02/03 could be day/month or month/day: the user is asked to check.
    code = suggest_mapping(buffer("Datum,pm25\n01/03/2024 14:00,1\n02/03/2024 14:00,2\n"))
    assert "time='Datum'," in code
    assert "time_format='%d/%m/%Y %H:%M',  # EDIT: day and month order: check it" in code
    # 13/03 can only be day first: read without a layout.
    code = suggest_mapping(buffer("Datum,pm25\n13/03/2024 14:00,1\n14/03/2024 14:00,2\n"))
    assert "time_format" not in code


def test_suggest_mapping_for_excel_picks_the_data_sheet():
    data = workbook(
        {
            "About": [["made by hand"]],
            "Data": [["Timestamp", "CO2 [ppm]", "Comment"], ["2024-01-01T00:00Z", 420, "ok"]],
        }
    )
    code = suggest_mapping(io.BytesIO(data))
    ast.parse(code)
    assert '"my_file.xlsx"' in code
    assert "sheet='Data'," in code
    assert "'CO2 [ppm]': ('co2', 'ppm')," in code
    assert "# 'Comment'" in code


def test_suggested_mapping_runs_once_the_zone_is_filled_in():
    code = suggest_mapping(MAPPED / "garden.csv").replace(
        "file_timezone=None,", "file_timezone='Europe/Berlin',"
    )
    scope: dict = {}
    exec(compile(code, "suggestion", "exec"), scope)
    data = scope["data"]
    assert_balanced(data)
    assert values_of(data, "temperature") == [25.0, 26.0]


def test_unknown_layout_error_from_columns_and_rows():
    error = unknown_layout_error(
        "weird.csv", ["when", "PM2.5", "battery"], [["2024-01-01 00:00", "3", "4.1"]]
    )
    assert isinstance(error, UnknownLayoutError)
    message = str(error)
    assert message.startswith("No reader recognises the layout of this file.")
    assert "File: weird.csv" in message
    assert "Found: 3 column(s): 'when', 'PM2.5', 'battery'" in message
    assert "What to do:" in message
    assert "read_csv_mapped(" in message
    code = message.split("run it:\n", 1)[1]
    ast.parse("\n".join(line[4:] for line in code.splitlines()))
    assert "'PM2.5': ('pm25', 'µg/m³')," in code


def test_unknown_layout_error_from_the_head_text_or_the_raw_file():
    raw = RawFile("exports/log.txt", b"# my logger\nts|noise\n1709301600|55.5\n")
    for error in (unknown_layout_error(raw, raw.data.decode()), unknown_layout_error(raw)):
        message = str(error)
        assert "File: exports/log.txt" in message
        assert "Found: 2 column(s): 'ts', 'noise'" in message
        assert "'noise': ('laeq', 'dB(A)')," in message
        assert "delimiter='|'," in message
        assert "skip_rows=1," in message
        assert "file_timezone= is not needed: Unix times are UTC" in message


# -- conformance with real files ----------------------------------------------------------
@pytest.mark.real_samples
def test_real_sensor_community_archive_through_a_mapping(real_samples):
    path = real_samples / "sensor_community" / "2017-08-30_sds011_sensor_5331.csv"
    data = read_csv_mapped(
        path,
        time="timestamp",
        file_timezone=UTC,
        sensor_column="sensor_id",
        latitude="lat",
        longitude="lon",
        values={"P1": "pm10", "P2": "pm25"},
    )
    assert_balanced(data)
    rec = data.ledger[0]
    assert rec.rows_read == 306
    assert data.sensors["sensor_id"].tolist() == ["csv:5331"]
    assert data.sensors["latitude"].tolist() == [57.128]
    first = data.readings.iloc[:2]
    assert first["value"].tolist() == [9.53, 2.83]
    assert str(first["time"].iloc[0]) == "2017-08-30 11:27:23+00:00"


@pytest.mark.real_samples
def test_suggestions_for_real_files_are_valid_python(real_samples):
    paths = sorted(real_samples.glob("*/*.csv"))
    assert paths
    for path in paths:
        code = suggest_mapping(path)
        ast.parse(code)
        assert "time=" in code


# -- property: nothing is lost ------------------------------------------------------------
_GARBAGE_TIMES = ("soon", "25:99", "2024-13-45 10:00", "not a time")
_CODES = ("", "-999", "NA", "null", "abc", "#err")

cells = st.one_of(st.integers(0, 99_999).map(lambda n: f"{n / 100:.2f}"), st.sampled_from(_CODES))
rows = st.one_of(
    st.tuples(st.just("valid"), st.just(None), cells, cells),
    st.tuples(st.just("bad_time"), st.sampled_from(_GARBAGE_TIMES), cells, cells),
    st.tuples(st.just("no_time"), st.just(""), cells, cells),
    st.tuples(st.just("blank"), st.just(None), st.just(""), st.just("")),
    st.tuples(st.just("short"), st.just(None), cells, st.just("")),
)


@settings(max_examples=50, deadline=None)
@given(body=st.lists(rows, max_size=25), delimiter=st.sampled_from(DELIMITERS), first=cells)
def test_ledger_balances_and_every_valid_value_is_kept(body, delimiter, first):
    lines = ["time", "PM2.5", "RH"]
    # The first row always has a time and a value, so the file is never all broken.
    text = [delimiter.join(lines), delimiter.join(["2024-01-01 00:00", "1.00", first])]
    expected = [("2024-01-01 00:00", "pm25", 1.0)]
    if _is_number(first):
        expected.append(("2024-01-01 00:00", "humidity", float(first)))
    for i, (kind, time, a, b) in enumerate(body, start=1):
        clock = f"2024-01-01 {i // 60:02d}:{i % 60:02d}"
        if kind == "blank":
            text.append("")
        elif kind == "short":
            text.append(delimiter.join([clock, a]))
        else:
            text.append(delimiter.join([time if time is not None else clock, a, b]))
        if kind == "valid":
            expected += [
                (clock, v, float(x)) for v, x in (("pm25", a), ("humidity", b)) if _is_number(x)
            ]
    data = read_csv_mapped(
        buffer("\n".join(text) + "\n"),
        time="time",
        file_timezone=UTC,
        values={"PM2.5": "pm25", "RH": "humidity"},
    )
    assert_balanced(data)
    got = [
        (t.strftime("%Y-%m-%d %H:%M"), v, x)
        for t, v, x in data.readings[["time", "variable", "value"]].itertuples(index=False)
    ]
    assert sorted(got) == sorted(expected)
    # Lines of only delimiters are blank lines, not data rows (as in split_table).
    assert data.ledger[0].rows_read == sum(
        any(cell.strip() for cell in line.split(delimiter)) for line in text[1:]
    )


def _is_number(text: str) -> bool:
    return text not in _CODES
