"""Tests of the long (tidy) CSV reader: header spellings, aliases, units, times, ledger.

Fixtures are written by hand from the description of the shape (one value per row:
sensor, time, variable, value, unit). Expected values are computed by hand:

* 77 °F = (77 - 32) × 5/9 = 25 °C; 32 °F = 0 °C; 212 °F = 100 °C; 300 K = 26.85 °C.
* 101.3 kPa × 10 = 1013 hPa; 98 765 Pa ÷ 100 = 987.65 hPa; 1013 mbar = 1013 hPa.
* 0.012 mg/m³ × 1000 = 12 µg/m³; 0.5 ppm × 1000 = 500 ppb (TVOC).
* 0.05 ppm NO2 = 50 ppb; at 25 °C and 1013.25 hPa the molar volume is
  R·T/p = 8.314462618 × 298.15 / 101325 = 24.4654 L/mol, so 50 ppb × 46.0055 / 24.4654
  = 94.0215 µg/m³ (20 °C: 24.0551 L/mol, 95.6252 µg/m³).
* 2 ppm CO × 28.010 / 24.4654 = 2.28977 mg/m³.
"""

from __future__ import annotations

import ast
import io
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from tests.conftest import DATA, assert_balanced
from toolkit import variables
from toolkit._errors import (
    DataFormatError,
    EmptyFileError,
    MissingColumnError,
    TimestampError,
    UnitError,
    UnknownVariableError,
)
from toolkit.loading import detect_source
from toolkit.readers import long_csv
from toolkit.readers._io import RawFile
from toolkit.readers.long_csv import read_long_csv


def buffer(text: str, name: str | None = None) -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    if name:
        data.name = name
    return data


def read(text: str, **options) -> toolkit.SensorData:
    data = read_long_csv(buffer(text), **options)
    assert_balanced(data)
    return data


def rows_of(data) -> list[tuple]:
    frame = data.readings
    return [
        (str(s), str(t), str(v), round(float(x), 6), str(u))
        for s, t, v, x, u in zip(
            frame["sensor_id"],
            frame["time"],
            frame["variable"],
            frame["value"],
            frame["unit"],
            strict=True,
        )
    ]


def only_value(text: str, **options) -> tuple[str, float, str]:
    data = read(text, **options)
    assert len(data.readings) == 1, data.ledger[0]
    row = data.readings.iloc[0]
    return str(row["variable"]), float(row["value"]), str(row["unit"])


# -- header spellings and detection ---------------------------------------------------
HEADERS = [
    "sensor_id,time,variable,value,unit",
    "site,timestamp,parameter,measurement,units",
    "station;datetime;pollutant;reading;uom",
    "device\tdate_time\tmeasurand\tconcentration\tunit",
    "Location,Date,Quantity,Value,Unit",
    "ID,Time_UTC,Name,Value,Units",
    "Sensor|UTC|Variable|Value|Unit",
    "sensor,time (UTC),variable,value,unit",
]


@pytest.mark.parametrize("header", HEADERS)
def test_header_spellings_are_recognised(header):
    delimiter = next(d for d in (";", "\t", "|", ",") if d in header)
    lines = [
        header,
        delimiter.join(["north", "2024-03-01 10:00:00Z", "pm25", "12.5", "µg/m³"]),
        delimiter.join(["north", "2024-03-01 10:00:00Z", "temperature", "8", "°C"]),
    ]
    text = "\n".join(lines) + "\n"
    raw = RawFile("a.csv", text.encode())
    assert detect_source(raw) == ("long_csv", "csv")
    data = read(text)
    assert rows_of(data) == [
        ("north", "2024-03-01 10:00:00+00:00", "pm25", 12.5, "µg/m³"),
        ("north", "2024-03-01 10:00:00+00:00", "temperature", 8.0, "°C"),
    ]
    assert data.ledger[0].format == "long_csv/csv"
    assert data.ledger[0].status == "ok"


def test_load_reads_a_long_file(tmp_path):
    path = tmp_path / "garden.csv"
    path.write_text(
        "sensor_id,time,variable,value,unit\n"
        "garden,2024-03-01T10:00:00+01:00,PM2.5,7.5,ug/m3\n"
        "garden,2024-03-01T10:00:00+01:00,RH,55,%\n",
        encoding="utf-8",
    )
    data = toolkit.load(path)
    assert_balanced(data)
    assert rows_of(data) == [
        ("garden", "2024-03-01 09:00:00+00:00", "pm25", 7.5, "µg/m³"),
        ("garden", "2024-03-01 09:00:00+00:00", "humidity", 55.0, "%"),
    ]
    assert data.sensors["sensor_id"].tolist() == ["garden"]
    assert data.sensors["source"].tolist() == [long_csv.SOURCE]


def test_a_wide_file_is_not_taken_for_a_long_one():
    for text in (
        "time,PM2.5,RH\n2024-03-01 10:00,12,40\n",
        "sensor_id,name,source,latitude,longitude\nx,x,y,52.5,13.4\n",  # a sensors table
        "time,value\n2024-03-01 10:00,12\n",  # no variable column
    ):
        assert long_csv.detect(RawFile("a.csv", text.encode()), text) is None, text


def test_openaq_csvs_stay_with_the_openaq_reader():
    for path in sorted((DATA / "openaq").glob("*.csv")):
        raw = RawFile(str(path), path.read_bytes())
        head = path.read_text(encoding="utf-8-sig")[:65536]
        assert long_csv.detect(raw, head) is None, path.name
        assert detect_source(raw)[0] == "openaq", path.name
    # Also a legacy OpenAQ file written by hand: location,parameter,value,unit are there.
    text = (
        "location,city,country,utc,local,parameter,value,unit,latitude,longitude,attribution\n"
        "Del Norte,Albuquerque,US,2019-01-01T08:00:00.000Z,2019-01-01T01:00:00-07:00,no2,"
        "0.040,ppm,35.1353,-106.5847,\n"
    )
    raw = RawFile("legacy.csv", text.encode())
    assert long_csv.detect(raw, text) is None
    assert detect_source(raw)[0] == "openaq"


def test_no_fixture_of_another_reader_is_taken():
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or path.parent.name == "long_csv":
            continue
        raw = RawFile(str(path), path.read_bytes())
        try:
            head = path.read_bytes()[:65536].decode("utf-8-sig", errors="replace")
        except UnicodeDecodeError:  # pragma: no cover
            continue
        assert long_csv.detect(raw, head) is None, path


# -- variables ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pm2_5", "pm25"),
        ("PM2.5", "pm25"),
        ("pm2.5", "pm25"),
        ("pm25", "pm25"),
        ("PM 2,5", "pm25"),
        ("PM10", "pm10"),
        ("pm10_0", "pm10"),
        ("pm1", "pm1"),
        ("PM1.0", "pm1"),  # not PM10
        ("NO2", "no2"),
        ("nitrogen dioxide", "no2"),
        ("O3", "o3"),
        ("Ozone", "o3"),
        ("temperature", "temperature"),
        ("Temp", "temperature"),
        ("humidity", "humidity"),
        ("RH", "humidity"),
        ("relativehumidity", "humidity"),
        ("Pressure", "pressure"),
        ("noise", "laeq"),
        ("LAeq", "laeq"),
        ("LA_max", "la_max"),
        ("pm25_atm", "pm25_atm"),
    ],
)
def test_variable_names_are_understood(name, expected):
    assert variables.resolve(name) == expected
    unit = variables.get(expected).unit
    cell = f'"{name}"' if "," in name else name
    text = f"sensor_id,time,variable,value,unit\ns,2024-01-01T00:00Z,{cell},1,{unit}\n"
    data = read(text)
    assert data.readings["variable"].astype(str).tolist() == [expected]


def test_alias_table_names_only_canonical_variables_without_clashes():
    known = set(variables.names())
    table = pd.read_csv(DATA.parent.parent / "toolkit" / "data" / "variable_aliases.csv", dtype=str)
    assert table["variable"].isin(known).all(), table[~table["variable"].isin(known)]
    keys = [variables.alias_key(n) for n in known]
    assert len(set(keys)) == len(keys)  # no two canonical names compare equal
    for alias, variable in zip(table["alias"], table["variable"], strict=True):
        assert variables.resolve(alias) == variable, alias
    assert variables.resolve("P2") is None
    assert variables.resolve("") is None


def test_translated_variables_are_noted():
    data = read("site,time,variable,value,unit\na,2024-01-01T00:00Z,PM2.5,3,ug/m3\n")
    assert "Variables read as: 'PM2.5' → pm25." in data.ledger[0].notes


# -- units ------------------------------------------------------------------------------
UNIT_CASES = [
    ("pm25", "12", "µg/m³", "pm25", 12.0, "µg/m³"),
    ("pm25", "12", "ug/m3", "pm25", 12.0, "µg/m³"),
    ("pm25", "12", "μg/m3", "pm25", 12.0, "µg/m³"),  # Greek mu, not the micro sign
    ("PM2.5", "0.012", "mg/m3", "pm25", 12.0, "µg/m³"),
    ("pm10", "0.02", "mg/m³", "pm10", 20.0, "µg/m³"),
    ("temperature", "20", "degC", "temperature", 20.0, "°C"),
    ("temperature", "20", "C", "temperature", 20.0, "°C"),
    ("temperature", "20", "°C", "temperature", 20.0, "°C"),
    ("temp", "77", "degF", "temperature", 25.0, "°C"),
    ("temp", "212", "F", "temperature", 100.0, "°C"),
    ("temp", "32", "°F", "temperature", 0.0, "°C"),
    ("temperature", "300", "K", "temperature", 26.85, "°C"),
    ("pressure", "1013.2", "hPa", "pressure", 1013.2, "hPa"),
    ("pressure", "101.3", "kPa", "pressure", 1013.0, "hPa"),
    ("pressure", "98765", "Pa", "pressure", 987.65, "hPa"),
    ("pressure", "1013", "mbar", "pressure", 1013.0, "hPa"),
    ("rh", "55", "%", "humidity", 55.0, "%"),
    ("noise", "55.5", "dBA", "laeq", 55.5, "dB(A)"),
    ("LAeq", "55.5", "dB(A)", "laeq", 55.5, "dB(A)"),
    ("LAeq", "55.5", "dB", "laeq", 55.5, "dB(A)"),  # the name says A-weighted
    ("tvoc", "0.5", "ppm", "tvoc", 500.0, "ppb"),
    ("no2", "0.05", "ppm", "no2", 94.0215, "µg/m³"),
    ("no2", "50", "ppb", "no2", 94.0215, "µg/m³"),
    ("co", "2", "ppm", "co", 2.28977, "mg/m³"),
]


@pytest.mark.parametrize(("name", "raw", "unit", "variable", "value", "canonical"), UNIT_CASES)
def test_units_are_converted(name, raw, unit, variable, value, canonical):
    text = f"sensor_id,time,variable,value,unit\ns,2024-01-01T00:00Z,{name},{raw},{unit}\n"
    got = only_value(text)
    assert got[0] == variable
    assert got[1] == pytest.approx(value, abs=1e-4)
    assert got[2] == canonical


def test_gas_reference_temperature_is_an_option():
    text = "sensor_id,time,variable,value,unit\ns,2024-01-01T00:00Z,NO2,0.05,ppm\n"
    _, value, _ = only_value(text, gas_reference_temperature_c=20)
    assert value == pytest.approx(95.6252, abs=1e-3)


def test_conversions_are_written_in_the_ledger():
    data = read(
        "sensor_id,time,variable,value,unit\n"
        "s,2024-01-01T00:00Z,temp,77,degF\n"
        "s,2024-01-01T00:00Z,pressure,101.3,kPa\n"
    )
    conversions = data.ledger[0].conversions
    assert any(c.startswith("temperature: °F → °C") for c in conversions)
    assert any(c.startswith("pressure: kPa → hPa") for c in conversions)


# -- nothing dropped silently -----------------------------------------------------------
MIXED = (
    "sensor_id,time,variable,value,unit\n"
    "s,2024-01-01T00:00Z,pm25,5,µg/m³\n"  # line 2: kept
    "s,2024-01-01T00:00Z,P2,3,µg/m³\n"  # line 3: unknown variable
    "s,2024-01-01T00:00Z,humidity,55,furlongs\n"  # line 4: unknown unit
    "s,2024-01-01T00:00Z,pm10,7,°C\n"  # line 5: a unit that is not one of PM10
    "s,2024-01-01T00:00Z,pm10,8,\n"  # line 6: no unit
    ",2024-01-01T00:00Z,pm10,9,µg/m³\n"  # line 7: no sensor
    "s,yesterday,pm10,9,µg/m³\n"  # line 8: time unreadable
    "s,2024-01-01T00:10Z,pm25,,µg/m³\n"  # line 9: empty value
    "s,2024-01-01T00:20Z,pm25,NA,µg/m³\n"  # line 10: missing-value code
    "s,2024-01-01T00:30Z,pm25,-999,µg/m³\n"  # line 11: missing-value code
    "s,2024-01-01T00:40Z,pm25,lots,µg/m³\n"  # line 12: not a number
    "s,2024-01-01T00:50Z,pm25,6,µg/m³,extra\n"  # line 13: too many fields
)


def test_every_row_and_value_is_accounted_for():
    data = read(MIXED)
    record = data.ledger[0]
    assert record.rows_read == 12
    assert record.rows_kept == 5  # lines 2 and 9-12
    dropped = record.rows_dropped
    unknown = next(r for r in dropped if "'P2'" in r)
    assert "variable_map" in unknown
    assert record.row_examples[unknown] == ["line 3"]
    furlongs = next(r for r in dropped if "'furlongs'" in r)
    assert "humidity" in furlongs
    assert record.row_examples[furlongs] == ["line 4"]
    assert any("'°C'" in r and "pm10" in r for r in dropped)
    assert dropped["unit missing for pm10 (the unit cannot be guessed)"] == 1
    assert dropped["sensor id is empty (column 'sensor_id')"] == 1
    assert dropped["timestamp could not be read"] == 1
    assert dropped["row does not have the header's 5 fields"] == 1
    assert record.row_examples["row does not have the header's 5 fields"] == ["line 13: 6 fields"]
    assert sum(dropped.values()) == 7
    assert record.values_read == 5
    assert record.readings_kept == 1
    assert record.readings_dropped == {
        "empty field": 1,
        "missing-value code 'NA'": 1,
        "missing-value code '-999'": 1,
        "not a number": 1,
    }
    assert record.reading_examples["not a number"] == ["pm25='lots' at line 12"]
    assert data.readings["value"].tolist() == [5.0]


def test_unknown_names_make_the_file_partial_and_load_warns(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "sensor_id,time,variable,value,unit\n"
        "s,2024-01-01T00:00Z,pm25,5,µg/m³\n"
        "s,2024-01-01T00:00Z,P2,3,µg/m³\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning, match="partly read"):
        data = toolkit.load(path)
    record = data.ledger[0]
    assert record.status == "partial"
    assert any("'P2'" in note for note in record.notes)


def test_variable_map_reads_unknown_names_and_gives_units():
    text = (
        "sensor_id,time,variable,value,unit\n"
        "s,2024-01-01T00:00Z,P2,3,µg/m³\n"
        "s,2024-01-01T00:00Z,noise,55,dB\n"
    )
    data = read(text)
    noise = next(r for r in data.ledger[0].rows_dropped if "'dB'" in r)
    assert "variable_map={'noise': ('laeq', 'dB(A)')}" in noise
    data = read(text, variable_map={"p2": "pm25", "Noise": ("laeq", "dB(A)")})
    assert rows_of(data) == [
        ("s", "2024-01-01 00:00:00+00:00", "pm25", 3.0, "µg/m³"),
        ("s", "2024-01-01 00:00:00+00:00", "laeq", 55.0, "dB(A)"),
    ]


def test_variable_map_is_checked_before_reading():
    with pytest.raises(UnknownVariableError):
        read_long_csv(buffer("x"), variable_map={"P2": "pm2.5"})
    with pytest.raises(UnitError):
        read_long_csv(buffer("x"), variable_map={"P2": ("pm25", "°C")})


def test_no_unit_column_asks_for_units():
    text = (
        "site,date_utc,pollutant,value\n"
        "north,2024-01-01 00:00,pm25,5\n"
        "north,2024-01-01 00:00,ws,2\n"
    )
    with pytest.raises(UnitError) as err:
        read_long_csv(buffer(text))
    message = str(err.value)
    assert "no unit column" in message
    assert "variable_map={'pm25': ('pm25', 'µg/m³'), 'ws': ('wind_speed', 'm/s')}" in message
    data = read(text, variable_map={"pm25": ("pm25", "µg/m³"), "ws": ("wind_speed", "m/s")})
    assert [v for *_, v, _ in rows_of(data)] == [5.0, 2.0]


def test_unit_in_the_value_header_serves_every_row():
    data = read("site,time,variable,value (ug/m3)\na,2024-01-01T00:00Z,pm10,0.5e1\n")
    assert rows_of(data) == [("a", "2024-01-01 00:00:00+00:00", "pm10", 5.0, "µg/m³")]


# -- numbers --------------------------------------------------------------------------
def test_decimal_commas_with_semicolons_in_values_and_coordinates():
    data = read(
        "sensor_id;time;variable;value;unit;lat;lon\n"
        "s;2024-01-01T00:00Z;pm25;12,5;µg/m³;52,52;13,405\n"
        "s;2024-01-01T00:00Z;pressure;1.013,2;hPa;52,52;13,405\n"
        "s;2024-01-01T00:00Z;humidity;55;%;52,52;13,405\n"
    )
    assert [v for *_, v, _ in rows_of(data)] == [12.5, 1013.2, 55.0]
    assert data.sensors[["latitude", "longitude"]].values.tolist() == [[52.52, 13.405]]
    assert "Decimal commas were read as decimal points in column 'value'." in data.ledger[0].notes


def test_a_column_mixing_decimal_commas_and_points_is_not_guessed():
    data = read(
        "sensor_id;time;variable;value;unit\n"
        "s;2024-01-01T00:00Z;pm25;12,5;µg/m³\n"
        "s;2024-01-01T00:00Z;pm10;20.5;µg/m³\n"
    )
    assert [v for *_, v, _ in rows_of(data)] == [20.5]
    reason = next(iter(data.ledger[0].readings_dropped))
    assert reason.startswith("decimal separator unclear")
    assert data.ledger[0].reading_examples[reason] == ["pm25='12,5' at line 2"]
    # Told which it is, the reader does not guess.
    data = read(
        "sensor_id;time;variable;value;unit\ns;2024-01-01T00:00Z;pm25;1.234;µg/m³\n",
        decimal=",",
    )
    assert [v for *_, v, _ in rows_of(data)] == [1234.0]


def test_decimal_points_in_a_semicolon_file_are_read_as_they_are():
    data = read("sensor_id;time;variable;value;unit\ns;2024-01-01T00:00Z;pm25;1.234;µg/m³\n")
    assert [v for *_, v, _ in rows_of(data)] == [1.234]


def test_commas_are_not_decimals_in_a_comma_file():
    data = read('sensor_id,time,variable,value,unit\ns,2024-01-01T00:00Z,pm25,"12,5",µg/m³\n')
    assert data.readings.empty
    assert data.ledger[0].readings_dropped == {"not a number": 1}


# -- times ----------------------------------------------------------------------------
def test_offsets_are_converted_each_with_its_own():
    data = read(
        "sensor_id,time,variable,value,unit\n"
        "s,2024-03-31T01:30:00+01:00,pm25,1,µg/m³\n"
        "s,2024-03-31T03:30:00+02:00,pm25,2,µg/m³\n"
    )
    assert [t for _, t, *_ in rows_of(data)] == [
        "2024-03-31 00:30:00+00:00",
        "2024-03-31 01:30:00+00:00",
    ]


def test_times_without_offset_need_the_files_clock():
    text = "sensor_id,time,variable,value,unit\ns,2024-01-15 10:00,pm25,1,µg/m³\n"
    with pytest.raises(TimestampError, match="no time zone"):
        read_long_csv(buffer(text))
    data = read(text, file_timezone="Europe/Berlin")
    assert [t for _, t, *_ in rows_of(data)] == ["2024-01-15 09:00:00+00:00"]
    assert "file_timezone='Europe/Berlin'" in data.ledger[0].timezone_reason


def test_old_timezone_name_still_works_and_warns():
    text = "sensor_id,time,variable,value,unit\ns,2024-01-15 10:00,pm25,1,µg/m³\n"
    with pytest.warns(DeprecationWarning, match="file_timezone"):
        data = read_long_csv(buffer(text), timezone="Europe/Berlin")
    assert str(data.readings["time"].iloc[0]) == "2024-01-15 09:00:00+00:00"


def test_a_utc_named_time_column_is_utc():
    data = read("sensor_id,time_utc,variable,value,unit\ns,2024-01-15 10:00,pm25,1,µg/m³\n")
    assert [t for _, t, *_ in rows_of(data)] == ["2024-01-15 10:00:00+00:00"]
    assert data.ledger[0].timezone == "UTC"
    assert "time_utc" in data.ledger[0].timezone_reason


def test_a_time_zone_column_gives_each_rows_clock_and_the_sensors_zone():
    data = read(
        "sensor_id,time,timezone,variable,value,unit\n"
        "berlin,2024-07-01 12:00,Europe/Berlin,pm25,1,µg/m³\n"
        "nyc,2024-07-01 12:00,America/New_York,pm25,2,µg/m³\n"
        "mars,2024-07-01 12:00,Mars/Olympus,pm25,3,µg/m³\n"
    )
    assert rows_of(data) == [
        ("berlin", "2024-07-01 10:00:00+00:00", "pm25", 1.0, "µg/m³"),  # CEST = UTC+2
        ("nyc", "2024-07-01 16:00:00+00:00", "pm25", 2.0, "µg/m³"),  # EDT = UTC-4
    ]
    record = data.ledger[0]
    reason = "time zone 'Mars/Olympus' (column 'timezone') is not an IANA zone name"
    assert record.rows_dropped == {reason: 1}
    zones = dict(zip(data.sensors["sensor_id"], data.sensors["timezone"], strict=True))
    assert zones["berlin"] == "Europe/Berlin"
    assert zones["nyc"] == "America/New_York"


def test_separate_date_and_clock_columns_are_joined():
    data = read(
        "site,date,time,variable,value,unit\na,2024-01-15,10:30,pm25,1,µg/m³\n",
        file_timezone="UTC",
    )
    assert [t for _, t, *_ in rows_of(data)] == ["2024-01-15 10:30:00+00:00"]


# -- sensors, channels, odd columns ---------------------------------------------------
def test_a_file_without_sensor_column_is_one_sensor():
    text = "time,variable,value,unit\n2024-01-01T00:00Z,pm25,1,µg/m³\n"
    data = read_long_csv(buffer(text, name="balcony.csv"))
    assert data.sensors["sensor_id"].tolist() == ["balcony"]
    data = read_long_csv(buffer(text, name="balcony.csv"), sensor_id="kitchen")
    assert data.readings["sensor_id"].astype(str).tolist() == ["kitchen"]


def test_coordinates_give_the_sensors_last_position():
    data = read(
        "sensor_id,time,variable,value,unit,latitude,longitude\n"
        "a,2024-01-01T00:00Z,pm25,1,µg/m³,52.50,13.40\n"
        "a,2024-01-01T01:00Z,pm25,1,µg/m³,52.52,13.41\n"
        "b,2024-01-01T00:00Z,pm25,1,µg/m³,,\n"
    )
    sensors = data.sensors.set_index("sensor_id")
    assert sensors.loc["a", ["latitude", "longitude"]].tolist() == [52.52, 13.41]
    assert sensors.loc["b", ["latitude", "longitude"]].isna().all()
    assert any("a is at 2 positions" in n for n in data.ledger[0].notes)


def test_channel_column_is_kept():
    data = read(
        "sensor_id,time,variable,value,unit,channel\n"
        "pa,2024-01-01T00:00Z,pm25_atm,5,µg/m³,A\n"
        "pa,2024-01-01T00:00Z,pm25_atm,6,µg/m³,B\n"
        "pa,2024-01-01T00:00Z,humidity,40,%,\n"
    )
    assert data.readings["channel"].tolist()[:2] == ["A", "B"]
    assert pd.isna(data.readings["channel"].iloc[2])


def test_columns_not_read_are_listed_and_unnamed_ones_explained():
    data = read(
        ",sensor_id,time,variable,value,unit,flag,flag\n0,s,2024-01-01T00:00Z,pm25,1,µg/m³,x,y\n"
    )
    ignored = data.ledger[0].columns_ignored
    assert "pandas or R" in ignored["(unnamed column 1)"]
    assert set(ignored) == {"(unnamed column 1)", "flag (1)", "flag (2)"}


def test_a_trailing_delimiter_on_data_rows_loses_nothing():
    data = read("sensor_id,time,variable,value,unit\ns,2024-01-01T00:00Z,pm25,1,µg/m³,\n")
    assert len(data.readings) == 1
    assert any("trailing" in n for n in data.ledger[0].notes)


def test_columns_can_be_named_when_the_header_is_not_recognised():
    text = "Messstelle;Zeitpunkt;Messgröße;Wert;Einheit\nMitte;2024-01-01T00:00Z;NO2;40;µg/m³\n"
    with pytest.raises(MissingColumnError) as err:
        read_long_csv(buffer(text))
    assert "columns=" in str(err.value)
    assert "'Zeitpunkt'" in str(err.value)
    data = read(
        text,
        columns={
            "time": "Zeitpunkt",
            "variable": "Messgröße",
            "value": "Wert",
            "unit": "Einheit",
            "sensor": "Messstelle",
        },
    )
    assert rows_of(data) == [("Mitte", "2024-01-01 00:00:00+00:00", "no2", 40.0, "µg/m³")]
    with pytest.raises(MissingColumnError, match="Did you mean 'Zeitpunkt'"):
        read_long_csv(buffer(text), columns={"time": "Zeitpunk"})
    with pytest.raises(MissingColumnError, match="unknown role"):
        read_long_csv(buffer(text), columns={"when": "Zeitpunkt"})


def test_a_repeated_column_that_is_read_is_refused():
    with pytest.raises(DataFormatError, match="more than once"):
        read_long_csv(buffer("sensor_id,time,variable,value,value,unit\ns,t,pm25,1,2,x\n"))


def test_header_only_is_an_empty_file():
    with pytest.raises(EmptyFileError):
        read_long_csv(buffer("sensor_id,time,variable,value,unit\n"))


# -- round trips ------------------------------------------------------------------------
def _same_readings(a: pd.DataFrame, b: pd.DataFrame) -> None:
    columns = [c for c in ("sensor_id", "time", "variable", "value", "unit", "channel") if c in a]
    assert list(b.columns) == columns
    left = a[columns].astype({c: str for c in columns if c not in ("time", "value")})
    right = b[columns].astype({c: str for c in columns if c not in ("time", "value")})
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))


@pytest.mark.parametrize("index", [True, False])
def test_readings_written_by_pandas_load_back_unchanged(tmp_path, index):
    original = toolkit.load(DATA / "sensor_community" / "2018-07-08_bme280_sensor_4711.csv")
    path = tmp_path / "readings.csv"
    original.readings.to_csv(path, index=index)
    data = toolkit.load(path)
    assert_balanced(data)
    assert data.ledger[0].format == "long_csv/csv"
    assert data.ledger[0].status == "ok"
    _same_readings(original.readings, data.readings)


def test_readings_with_channels_load_back_unchanged(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fixture's own quirks are not tested here
        original = toolkit.load(DATA / "purpleair" / "api_history_epoch.csv")
    assert "channel" in original.readings
    path = tmp_path / "readings.csv"
    original.readings.to_csv(path)
    data = toolkit.load(path)
    _same_readings(original.readings, data.readings)


def test_an_exported_readings_csv_loads_alone_and_the_package_as_a_package(tmp_path):
    original = toolkit.load(DATA / "sensor_community" / "2018-07-08_bme280_sensor_4711.csv")
    toolkit.export(original, tmp_path / "out")
    alone = toolkit.load(tmp_path / "out" / "readings.csv")
    assert alone.ledger[0].format == "long_csv/csv"
    _same_readings(original.readings, alone.readings)
    package = toolkit.load(tmp_path / "out")
    assert {r.format.split("/")[0] for r in package.ledger} == {"datapackage"}
    for name in ("sensors.csv", "ledger.csv"):
        path = tmp_path / "out" / name
        assert long_csv.detect(RawFile(str(path), path.read_bytes()), path.read_text()) is None


# -- property: every valid value is kept, the ledger balances ---------------------------
_GOOD = [
    ("pm25", "µg/m³", 1.0),
    ("PM2.5", "ug/m3", 1.0),
    ("temp", "degF", None),
    ("pressure", "kPa", 10.0),
    ("rh", "%", 1.0),
]
_BAD_NAMES = ["P2", "", "foo"]
_BAD_UNITS = ["furlongs", ""]
_CELLS = st.one_of(
    st.integers(0, 9999).map(lambda n: f"{n / 10:.1f}"), st.sampled_from(["", "NA", "x", "-999"])
)
_ROWS = st.one_of(
    st.tuples(st.just("good"), st.sampled_from(range(len(_GOOD))), _CELLS),
    st.tuples(st.just("bad_name"), st.sampled_from(_BAD_NAMES), _CELLS),
    st.tuples(st.just("bad_unit"), st.sampled_from(_BAD_UNITS), _CELLS),
    st.tuples(st.just("bad_time"), st.just("soon"), _CELLS),
    st.tuples(st.just("short"), st.just(""), _CELLS),
)


def _is_number(cell: str) -> bool:
    try:
        return float(cell) != -999
    except ValueError:
        return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(_ROWS, max_size=30), delimiter=st.sampled_from([",", ";", "\t"]))
def test_ledger_balances_and_every_valid_value_is_kept(body, delimiter):
    lines = [delimiter.join(["site", "time", "variable", "value", "unit"])]
    lines.append(delimiter.join(["a", "2024-01-01T00:00Z", "pm25", "1.0", "µg/m³"]))
    expected = [1.0]
    for i, (kind, what, cell) in enumerate(body, start=1):
        time = f"2024-01-01T{i // 60:02d}:{i % 60:02d}Z"
        if kind == "good":
            name, unit, factor = _GOOD[what]
            lines.append(delimiter.join(["a", time, name, cell, unit]))
            if _is_number(cell):
                number = float(cell)
                expected.append(number * factor if factor else (number - 32) * 5 / 9)
        elif kind == "bad_name":
            lines.append(delimiter.join(["a", time, what, cell, "µg/m³"]))
        elif kind == "bad_unit":
            lines.append(delimiter.join(["a", time, "humidity", cell, what]))
        elif kind == "bad_time":
            lines.append(delimiter.join(["a", what, "pm25", cell, "µg/m³"]))
        else:
            lines.append(delimiter.join(["a", time, "pm25", cell]))
    data = read_long_csv(buffer("\n".join(lines) + "\n"))
    assert_balanced(data)
    record = data.ledger[0]
    assert record.rows_read == len(body) + 1
    assert data.readings["value"].tolist() == pytest.approx(expected)


# -- the mapping suggestion -------------------------------------------------------------
def _suggest(text: str, name: str = "city.csv") -> str:
    from toolkit.readers import suggest_mapping

    code = suggest_mapping(buffer(text, name))
    ast.parse(code)
    return code


def test_suggestion_for_a_long_file_never_maps_variable_value_or_unit():
    code = _suggest(
        "sensor_id,time,variable,value,unit\n"
        "s,2024-01-01T00:00Z,pm25,1,µg/m³\n"
        "s,2024-01-01T00:00Z,P2,2,µg/m³\n"
    )
    assert "read_long_csv(" in code
    assert "read_csv_mapped" not in code
    assert "values=" not in code
    assert "toolkit.load(path) reads it as it is" in code
    assert "variable_map={'P2': 'VARIABLE'}" in code  # the name it does not know


def test_suggestion_names_columns_found_by_content_and_runs_once_edited(tmp_path):
    path = tmp_path / "berlin.csv"
    path.write_text(
        "Messstelle,Zeitpunkt,Komponente,Wert,Einheit\n"
        "Mitte,2024-01-15 10:00,NO2,40,µg/m³\n"
        "Mitte,2024-01-15 10:00,PM10,20,µg/m³\n",
        encoding="utf-8",
    )
    from toolkit.readers import suggest_mapping

    code = suggest_mapping(path)
    assert "read_long_csv(" in code
    assert "'variable': 'Komponente'" in code
    assert "'value': 'Wert'" in code
    assert "'unit': 'Einheit'" in code
    assert "'time': 'Zeitpunkt'" in code
    assert "reads it as it is" not in code  # load does not: the names are German
    code = code.replace("file_timezone=None,", "file_timezone='Europe/Berlin',")
    scope: dict = {}
    exec(compile(code, "suggestion", "exec"), scope)
    data = scope["data"]
    assert_balanced(data)
    assert [(v, x, t) for _, t, v, x, _ in rows_of(data)] == [
        ("no2", 40.0, "2024-01-15 09:00:00+00:00"),
        ("pm10", 20.0, "2024-01-15 09:00:00+00:00"),
    ]


def test_unknown_layout_error_for_a_long_table_proposes_read_long_csv(tmp_path):
    from toolkit._errors import UnknownLayoutError

    path = tmp_path / "berlin.csv"
    path.write_text(
        "Messstelle;Zeitpunkt;Komponente;Wert;Einheit\nMitte;2024-01-15 10:00;NO2;40;µg/m³\n",
        encoding="utf-8",
    )
    with pytest.raises(UnknownLayoutError) as err:
        toolkit.load(path)
    message = str(err.value)
    assert "It looks like a long table (one value per row)" in message
    assert "read_long_csv(" in message
    assert "delimiter=';'" in message
    assert "'Wert'" in message


def test_suggestion_asks_for_units_when_the_file_has_none():
    code = _suggest(
        "site;date;pollutant;value\nnorth;2024-01-15 10:00;pm25;5\nnorth;2024-01-15 10:00;ws;2\n"
    )
    assert "variable_map={'pm25': ('pm25', 'µg/m³'), 'ws': ('wind_speed', 'm/s')}" in code
    assert "no unit column" in code


def test_a_wide_file_still_gets_a_column_mapping():
    code = _suggest("name,time,pm25,temp\ngarden,2024-01-01 00:00,3,4\n")
    assert "read_csv_mapped(" in code
    assert "'pm25': ('pm25', 'µg/m³')," in code


def test_lines_above_the_header_are_noted_and_line_numbers_kept():
    data = read(
        "Exported by CityAir v2\r\nStation: Mitte\r\n\r\n"
        "site,time,parameter,value,unit\r\n"
        "mitte,2024-01-01T00:00Z,NO2,40,ug/m3\r\n"
        "mitte,2024-01-01T01:00Z,NO2,x,ug/m3\r\n"
    )
    record = data.ledger[0]
    assert any(n.startswith("2 line(s) above the header were not read") for n in record.notes)
    assert record.reading_examples["not a number"] == ["NO2='x' at line 6"]
    assert detect_source(RawFile("a.csv", b"Title\nsite,time,parameter,value,unit\n")) == (
        "long_csv",
        "csv",
    )


def test_time_format_for_layouts_the_reader_cannot_place():
    text = "sensor_id,time_utc,variable,value,unit\ns,03/01/2024 10:00,pm25,1,µg/m³\n"
    data = read(text, time_format="%m/%d/%Y %H:%M")
    assert [t for _, t, *_ in rows_of(data)] == ["2024-03-01 10:00:00+00:00"]
    data = read(text, time_format="%d/%m/%Y %H:%M")
    assert [t for _, t, *_ in rows_of(data)] == ["2024-01-03 10:00:00+00:00"]


def test_repeated_local_hour_at_the_dst_change_is_placed_per_variable():
    # Clocks go back at 03:00 CEST on 2024-10-27: 02:30 happens twice, first at +02:00
    # (00:30 UTC), then at +01:00 (01:30 UTC). Each variable repeats the time.
    lines = ["sensor_id,time,variable,value,unit"]
    for clock, value in (("01:30", 1), ("02:30", 2), ("02:30", 3), ("03:30", 4)):
        for name in ("pm25", "pm10"):
            lines.append(f"s,2024-10-27 {clock},{name},{value},µg/m³")
    data = read("\n".join(lines) + "\n", file_timezone="Europe/Berlin")
    pm25 = data.readings[data.readings["variable"] == "pm25"]
    assert pm25["time"].astype(str).tolist() == [
        "2024-10-26 23:30:00+00:00",
        "2024-10-27 00:30:00+00:00",
        "2024-10-27 01:30:00+00:00",
        "2024-10-27 02:30:00+00:00",
    ]
    assert pm25["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_a_large_regular_file_and_an_irregular_one_read_the_same():
    rows = [
        f"s{i % 3},2024-01-01T{i // 60 % 24:02d}:{i % 60:02d}:00Z,pm25,{i / 10:.1f},µg/m³"
        for i in range(3000)
    ]
    regular = "sensor_id,time,variable,value,unit\n" + "\n".join(rows) + "\n"
    irregular = regular.replace("\n", "\n\n", 1)  # a blank line: the general path
    a, b = read(regular), read(irregular)
    pd.testing.assert_frame_equal(a.readings, b.readings)
    assert a.ledger[0].rows_read == b.ledger[0].rows_read == 3000


def test_a_damaged_time_drops_its_row_with_a_reason():
    data = read(
        "sensor_id,time,variable,value,unit\n"
        "s,2024-10-27 00:30,pm25,1,µg/m³\n"
        "s,2024-10-27 02:3z,pm25,2,µg/m³\n",
        file_timezone="Europe/Berlin",
    )
    assert data.readings["value"].tolist() == [1.0]
    assert data.ledger[0].rows_dropped == {"timestamp could not be read": 1}
