"""The two time zones: the file's clock (``file_timezone=``) and each sensor's own zone.

Every fixture is written here by hand. The expected zones come from geography (Berlin
is in Europe/Berlin, Sydney in Australia/Sydney...), and the fixed-offset names from the
POSIX convention of the IANA database: ``Etc/GMT-2`` is two hours *ahead* of UTC.
"""

from __future__ import annotations

import html
import io
import json
import warnings

import pandas as pd
import pytest

import toolkit
from toolkit import quality, timeseries
from toolkit._errors import TimestampError
from toolkit._zones import TIMEZONE_DEPRECATED, fill_sensor_zones, offset_zone, zones_at
from toolkit.ledger import FileRecord
from toolkit.readers import read_csv_mapped, read_openaq, read_sensor_community
from toolkit.sensordata import SensorData, normalise_sensors

HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
#: Four sensors on four continents, in both hemispheres, one at UTC+05:45.
PLACES = {
    "1001": (52.520, 13.405, "Europe/Berlin"),
    "1002": (-33.870, 151.210, "Australia/Sydney"),
    "1003": (-33.450, -70.670, "America/Santiago"),
    "1004": (27.717, 85.324, "Asia/Kathmandu"),
}


def archive(places: dict[str, tuple[float, float, str]], hours: int = 3) -> str:
    """A Sensor.Community archive file: a reading every 10 minutes per sensor (UTC)."""
    lines = [HEADER]
    start = pd.Timestamp("2024-06-01T20:00:00")
    for sid, (lat, lon, _) in places.items():
        for step in range(hours * 6):
            stamp = (start + pd.Timedelta(minutes=10 * step)).strftime("%Y-%m-%dT%H:%M:%S")
            lines.append(f"{sid};SDS011;{sid};{lat:.3f};{lon:.3f};{stamp};12.0;;;8.0;;\n")
    return "".join(lines)


@pytest.fixture
def four_countries(tmp_path):
    path = tmp_path / "2024-06-01_sds011_sensor_1001.csv"
    path.write_text(archive(PLACES), encoding="utf-8")
    return path


def zone_of(data: SensorData) -> dict[str, str]:
    return dict(zip(data.sensors["sensor_id"], data.sensors["timezone"], strict=True))


# -- zones from coordinates -----------------------------------------------------------
def test_zone_from_coordinates_in_four_countries(four_countries):
    data = toolkit.load(four_countries)
    expected = {f"sensorcommunity:{sid}": zone for sid, (_, _, zone) in PLACES.items()}
    assert zone_of(data) == expected
    record = data.ledger[0]
    assert {s: z for s, (z, _) in record.sensor_zones.items()} == expected
    version = __import__("importlib.metadata").metadata.version("timezonefinder")
    assert {how for _, how in record.sensor_zones.values()} == {
        f"from its coordinates (timezonefinder {version})"
    }
    text = str(record)
    assert "sensors' time zone: Europe/Berlin (from its coordinates" in text
    assert "file's clock: UTC" in text
    frame = data.ledger.to_frame()
    assert "Asia/Kathmandu" in frame.loc[0, "sensor_timezones"]


def test_readme_chain_runs_with_defaults_on_an_archive_file(four_countries):
    data = toolkit.load(four_countries)
    hourly = timeseries.average(quality.check(data), "1h")
    assert len(hourly) > 0
    # Kathmandu is UTC+05:45: its local hours start at :15 UTC (20:15, 21:15...).
    kathmandu = hourly.readings[hourly.readings["sensor_id"] == "sensorcommunity:1004"]
    assert set(kathmandu["time"].dt.minute) == {15}
    berlin = hourly.readings[hourly.readings["sensor_id"] == "sensorcommunity:1001"]
    assert set(berlin["time"].dt.minute) == {0}


def test_local_days_follow_each_sensors_own_zone(four_countries):
    daily = timeseries.average(toolkit.load(four_countries), "day").readings
    starts = daily.groupby(daily["sensor_id"].astype(str), observed=True)["time"].min()
    # Readings 20:00-23:00 UTC on 1 June. Berlin (UTC+2 in summer): 22:00 UTC starts
    # 2 June, so the first local day is 1 June, from 31 May 22:00 UTC. Sydney (UTC+10,
    # winter there): 2 June local, from 1 June 14:00 UTC. Santiago (UTC-4 in June): 1 June,
    # from 1 June 04:00 UTC. Kathmandu (UTC+05:45): 2 June, from 1 June 18:15 UTC.
    assert starts["sensorcommunity:1001"] == pd.Timestamp("2024-05-31T22:00Z")
    assert starts["sensorcommunity:1002"] == pd.Timestamp("2024-06-01T14:00Z")
    assert starts["sensorcommunity:1003"] == pd.Timestamp("2024-06-01T04:00Z")
    assert starts["sensorcommunity:1004"] == pd.Timestamp("2024-06-01T18:15Z")


def test_zone_given_in_the_file_is_kept():
    sensors = normalise_sensors(
        pd.DataFrame(
            {
                "sensor_id": ["a", "b"],
                "latitude": [52.52, 52.52],  # Berlin
                "longitude": [13.405, 13.405],
                "timezone": ["America/New_York", None],
            }
        )
    )
    record = FileRecord(path="x.csv")
    out = fill_sensor_zones(sensors, record)
    assert out["timezone"].tolist() == ["America/New_York", "Europe/Berlin"]
    assert record.sensor_zones["a"] == ("America/New_York", "given in the file")
    assert pd.isna(sensors["timezone"].tolist()[1])  # the input is not changed


def test_positions_at_sea():
    zones = zones_at(pd.Series([38.70, 50.30]), pd.Series([-9.85, -0.10]))
    # 38.70 N 9.85 W is a few km off Lisbon's coast: the nearest land's zone.
    assert zones[0][0] == "Europe/Lisbon"
    assert "at sea" in zones[0][1]
    # The middle of the English Channel, about 55 km from either coast: not guessed.
    assert zones[1][0] is None
    assert zones[1][1].startswith("unknown: its coordinates are at sea")


def test_null_island_is_not_a_position():
    sensors = normalise_sensors(
        pd.DataFrame({"sensor_id": ["z"], "latitude": [0.0], "longitude": [0.0]})
    )
    record = FileRecord(path="x.csv")
    assert fill_sensor_zones(sensors, record)["timezone"].tolist() == [None]
    assert "0°, 0°" in record.sensor_zones["z"][1]


# -- from the file's UTC offsets ------------------------------------------------------
@pytest.mark.parametrize(
    ("offsets", "zone"),
    [
        (["+02:00"], "Etc/GMT-2"),
        (["-06:00"], "Etc/GMT+6"),
        (["+14:00"], "Etc/GMT-14"),
        (["+05:45"], None),
        (["+00:00"], None),
        (["+01:00", "+02:00"], None),
        ([], None),
    ],
)
def test_offset_zone(offsets, zone):
    found, how = offset_zone(offsets)
    assert found == zone
    if zone:
        assert "fixed offset, daylight saving unknown" in how


def mapped(text: str, **options):
    return read_csv_mapped(
        io.BytesIO(text.encode()), time="t", values={"v": "pm25"}, sensor_id="s", **options
    )


def test_zone_from_the_offsets_when_there_are_no_coordinates():
    data = mapped("t,v\n2024-06-01T00:30:00+02:00,10\n2024-06-01T23:30:00+02:00,20\n")
    assert zone_of(data) == {"csv:s": "Etc/GMT-2"}
    how = data.ledger[0].sensor_zones["csv:s"][1]
    assert how.startswith("from the UTC offsets in the file (+02:00 throughout")
    # Both readings are in the local day of 1 June, which starts at 31 May 22:00 UTC.
    daily = timeseries.average(data, "day").readings
    assert daily["time"].tolist() == [pd.Timestamp("2024-05-31T22:00Z")]
    assert daily["n_readings"].tolist() == [2]


@pytest.mark.parametrize(
    ("times", "why"),
    [
        (["2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"], "written in UTC (+00:00)"),
        (["2024-03-30T10:00:00+01:00", "2024-03-31T10:00:00+02:00"], "daylight saving"),
        (["2024-06-01T10:00:00+05:30"], "no fixed-offset zone name"),
    ],
)
def test_offsets_that_do_not_name_a_zone(times, why):
    data = mapped("t,v\n" + "".join(f"{t},1\n" for t in times))
    zone, how = data.ledger[0].sensor_zones["csv:s"]
    assert zone == ""
    assert how.startswith("unknown: the file gives no coordinates")
    assert why in how


def test_openaq_v3_local_times_give_the_offset():
    results = [
        {
            "value": 6,
            "parameter": {"id": 2, "name": "pm25", "units": "µg/m³"},
            "period": {
                "label": "1hour",
                "interval": "01:00:00",
                "datetimeFrom": {
                    "utc": f"2023-10-16T{h}:00:00Z",
                    "local": f"2023-10-16T{h - 6:02d}:00:00-06:00",
                },
                "datetimeTo": {
                    "utc": f"2023-10-16T{h + 1}:00:00Z",
                    "local": f"2023-10-16T{h - 5:02d}:00:00-06:00",
                },
            },
            "coordinates": None,
        }
        for h in (12, 13)
    ]
    text = json.dumps({"meta": {"name": "openaq-api", "found": 2}, "results": results})
    data = read_openaq(io.BytesIO(text.encode()), sensor_id="7")
    assert zone_of(data) == {"openaq:sensor-7": "Etc/GMT+6"}  # six hours behind UTC


# -- given by the user, or unknown ----------------------------------------------------
def test_sensor_timezone_given_by_the_user(four_countries):
    default = toolkit.load(four_countries)
    data = toolkit.load(four_countries, sensor_timezone="Europe/London")
    assert set(data.sensors["timezone"]) == {"Europe/London"}
    assert set(data.ledger[0].sensor_zones.values()) == {
        ("Europe/London", "given by the user (sensor_timezone='Europe/London')")
    }
    # Saying where the sensors are does not move the readings: the clock was UTC.
    pd.testing.assert_frame_equal(data.readings, default.readings)
    with pytest.raises(TimestampError, match="'London' is not a time zone name"):
        toolkit.load(four_countries, sensor_timezone="London")


def test_the_clock_zone_given_by_the_user_places_a_sensor_without_coordinates():
    data = mapped("t,v\n2024-06-01 10:00,1\n", file_timezone="Europe/Lisbon")
    assert zone_of(data) == {"csv:s": "Europe/Lisbon"}
    assert "the zone of the file's clock" in data.ledger[0].sensor_zones["csv:s"][1]


def test_unknown_zone_says_what_to_do():
    data = mapped("t,v\n2024-06-01 10:00,1\n2024-06-01 10:10,2\n", file_timezone="UTC")
    assert data.sensors["timezone"].isna().all()  # a UTC clock says nothing of the place
    with pytest.raises(TimestampError) as caught:
        timeseries.average(data, "day")
    message = str(caught.value)
    assert "time zone of some sensors is unknown" in message
    assert "csv:s: the file gives no coordinates" in message
    assert "sensor_timezone='Europe/Berlin'" in message
    assert "data.with_timezone('Europe/Berlin')" in message
    assert "timezone='UTC'" in message
    assert len(timeseries.average(data, "day", timezone="UTC")) == 1


# -- file_timezone= and its old name --------------------------------------------------
def test_file_timezone_reads_the_clock(four_countries, tmp_path):
    path = tmp_path / "berlin_clock.csv"
    path.write_text(archive({"1001": PLACES["1001"]}, hours=1), encoding="utf-8")
    data = toolkit.load(path, file_timezone="Europe/Berlin")
    # 20:00 on a Berlin clock in June (UTC+2) is 18:00 UTC.
    assert data.readings["time"].min() == pd.Timestamp("2024-06-01T18:00Z")
    assert data.ledger[0].timezone == "Europe/Berlin"
    assert "file_timezone='Europe/Berlin'" in data.ledger[0].timezone_reason
    assert zone_of(data) == {"sensorcommunity:1001": "Europe/Berlin"}  # from coordinates


def test_old_name_on_load_warns_and_still_works(four_countries):
    with pytest.warns(DeprecationWarning, match="file's clock") as caught:
        old = toolkit.load(four_countries, timezone="Europe/Berlin")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message == TIMEZONE_DEPRECATED
    assert message.startswith(
        "timezone= on load means the zone of the file's clock; use file_timezone= for that, "
        "or sensor_timezone= to say where the sensors are."
    )
    assert caught[0].filename == __file__  # points at the caller's line
    new = toolkit.load(four_countries, file_timezone="Europe/Berlin")
    pd.testing.assert_frame_equal(old.readings, new.readings)


def test_old_name_on_a_reader_warns_and_still_works(four_countries):
    with pytest.warns(DeprecationWarning, match="use file_timezone= for that") as caught:
        old = read_sensor_community(four_countries, timezone="Europe/Berlin")
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = read_sensor_community(four_countries, file_timezone="Europe/Berlin")
    pd.testing.assert_frame_equal(old.readings, new.readings)


def test_both_names_with_different_zones_are_refused(four_countries):
    with (
        pytest.warns(DeprecationWarning, match="file's clock"),
        pytest.raises(TypeError, match="old name"),
    ):
        toolkit.load(four_countries, timezone="UTC", file_timezone="Europe/Berlin")


# -- the report -----------------------------------------------------------------------
def test_report_shows_each_sensors_zone(tmp_path):
    from toolkit.report._build import prepare
    from toolkit.report._content import Report
    from toolkit.report._parameters import resolve

    path = tmp_path / "two_countries.csv"
    two = {"1001": PLACES["1001"], "1003": PLACES["1003"]}
    path.write_text(archive(two, hours=6), encoding="utf-8")
    prepared = prepare(resolve({"data": str(path), "share": False}))
    zones = zone_of(prepared.data)
    assert zones == {
        "sensorcommunity:1001": "Europe/Berlin",
        "sensorcommunity:1003": "America/Santiago",
    }
    assert not any("UTC days" in n for n in prepared.notes)
    report = Report(prepared.data, timezone=prepared.timezone, correction=None)
    words = "each sensor's own time zone (America/Santiago: 1 sensor; Europe/Berlin: 1 sensor)"
    assert report.zone_words == words
    assert html.escape(words) in report.header().text
    table = report.sensors().text
    assert "<th>time zone</th>" in table
    assert "America/Santiago" in table
    assert "Europe/Berlin" in table
    # Santiago's first reading, 20:00 UTC, is 16:00 there (UTC-4); Berlin's is 22:00.
    assert "2024-06-01 16:00" in table
    assert "2024-06-01 22:00" in table
    times = pd.Series(pd.to_datetime(["2024-06-01T23:30Z", "2024-06-01T23:30Z"]))
    ids = pd.Series(["sensorcommunity:1001", "sensorcommunity:1003"])
    # 23:30 UTC is 01:30 on 2 June in Berlin (UTC+2) and 19:30 on 1 June in Santiago.
    assert [str(d) for d in report._local_dates(times, ids)] == ["2024-06-02", "2024-06-01"]
