"""OpenAQ files as found in the wild (issue 13), from hand-written minimal reproductions:
the legacy CSV saved without its header line, and OpenAQ's "latest" table exported from
the OpenDataSoft portal. Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

import toolkit
from tests.conftest import assert_balanced


def load_text(text: str, name: str) -> toolkit.SensorData:
    buffer = io.BytesIO(text.encode("utf-8"))
    buffer.name = name
    data = toolkit.load(buffer)
    assert_balanced(data)
    return data


ATTRIBUTION = '"[{""name"":""EPA AirNow DOS""}]"'


def test_legacy_csv_without_its_header_line():
    rows = [
        (
            "US Diplomatic Post: Kabul,Kabul,AF,2019-12-01T21:30:00.000Z,"
            f"2019-12-02T02:00:00+04:30,pm25,556,µg/m³,34.535812,69.190514,{ATTRIBUTION}"
        ),
        (
            "US Diplomatic Post: Kabul,Kabul,AF,2019-12-01T20:30:00.000Z,"
            f"2019-12-02T01:00:00+04:30,pm25,-999,µg/m³,34.535812,69.190514,{ATTRIBUTION}"
        ),
        (
            "Netley,Adelaide,AU,2019-12-01T21:00:00.000Z,2019-12-02T07:30:00+10:30,"
            f"o3,0.02,ppm,-34.943,138.549,{ATTRIBUTION}"
        ),
    ]
    data = load_text("\n".join(rows) + "\n", "kabul.csv")
    record = data.ledger[0]
    assert record.format == "openaq/legacy_noheader_csv"
    # Every line is data (no header to skip): 3 rows, one -999 (OpenAQ's missing code).
    assert record.rows_read == record.rows_kept == 3
    assert record.readings_dropped == {"missing-value code '-999'": 1}
    assert record.status == "ok"
    pm = data.readings[data.readings["variable"] == "pm25"]
    assert pm["time"].tolist() == [pd.Timestamp("2019-12-01T21:30Z")]
    assert pm["value"].tolist() == [556.0]
    # 0.02 ppm O3 at 25 °C: 0.02 × 1000 ppb × 48.00 / 24.465 = 39.24 µg/m³.
    o3 = data.readings[data.readings["variable"] == "o3"]["value"].iloc[0]
    assert o3 == pytest.approx(0.02 * 1000 * 47.997 / 24.465, rel=2e-3)
    assert any("no header line" in note for note in record.notes)


def test_a_line_that_is_not_openaq_is_not_taken_for_a_headerless_file():
    from toolkit.readers._io import RawFile
    from toolkit.readers.openaq import detect

    # 11 fields, but the fourth is no UTC time: not the legacy layout.
    line = "a,b,c,d,e,f,g,h,i,j,k\n"
    assert detect(RawFile("x.csv", line.encode()), line) is None


HEADER_COORDINATES = (
    "\ufeffCountry Code;City;Location;Coordinates;Pollutant;Source Name;Unit;Value;"
    "Last Updated;Country Label"
)
HEADER_LATLON = (
    "Country Code;City;Location;Latitude;Longitude;Pollutant;Source Name;Unit;Value;"
    "Last Updated;Country Label"
)


def test_opendatasoft_export_with_coordinates_in_one_column():
    rows = [
        (
            "LT;Klaipeda;LT00031;55.7077, 21.1411;PM10;EEA Lithuania;µg/m³;22.38;"
            "2023-11-12T06:00:00+02:00;Lithuania"
        ),
        (
            "LT;Klaipeda;LT00031;55.7077, 21.1411;PM2.5;EEA Lithuania;µg/m³;7.79;"
            "2023-11-12T06:00:00+02:00;Lithuania"
        ),
        # CO in µg/m³: the canonical unit is mg/m³, so 250 µg/m³ = 0.25 mg/m³.
        (
            "LT;Vilnius;LT00001;54.68, 25.27;CO;EEA Lithuania;µg/m³;250;"
            "2023-11-12T05:00:00+02:00;Lithuania"
        ),
    ]
    data = load_text("\n".join([HEADER_COORDINATES, *rows]) + "\n", "openaq.csv")
    record = data.ledger[0]
    assert record.format == "openaq/opendatasoft_csv"
    assert record.rows_kept == 3
    assert record.status == "ok"
    got = {
        (s, v): (t, x)
        for s, v, t, x in data.readings[["sensor_id", "variable", "time", "value"]].itertuples(
            index=False
        )
    }
    # 06:00 at +02:00 is 04:00 UTC.
    assert got[("openaq:LT00031", "pm25")] == (pd.Timestamp("2023-11-12T04:00Z"), 7.79)
    assert got[("openaq:LT00031", "pm10")][1] == 22.38
    assert got[("openaq:LT00001", "co")] == (pd.Timestamp("2023-11-12T03:00Z"), 0.25)
    sensors = data.sensors.set_index("sensor_id")
    assert sensors.loc["openaq:LT00031", "latitude"] == 55.7077
    assert sensors.loc["openaq:LT00031", "longitude"] == 21.1411


def test_opendatasoft_export_with_latitude_and_longitude_columns():
    row = (
        "LT;Klaipeda;LT00031;55.7077;21.1411;NO2;EEA Lithuania;µg/m³;5.16;"
        "2023-11-12T06:00:00+02:00;Lithuania"
    )
    data = load_text(f"{HEADER_LATLON}\n{row}\n", "openaq.csv")
    assert data.readings["variable"].astype(str).tolist() == ["no2"]
    assert data.readings["value"].tolist() == [5.16]
    assert data.sensors["latitude"].tolist() == [55.7077]
