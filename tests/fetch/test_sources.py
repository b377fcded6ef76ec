"""Each fetcher against a local server speaking the platform's documented format.

Fixtures are written by hand from ../shared/reference/formats-and-formulas.md (1.1, 1.2,
1.3(c), 1.4, 1.7). Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import urllib.parse

import pandas as pd
import pytest

from tests.conftest import assert_balanced
from tests.fetch.conftest import KEY, LOCAL, Reply, gz
from toolkit._errors import CoordinateError, SourceNotFoundError, TimestampError
from toolkit.fetch import (
    FetchError,
    get_openaq,
    get_purpleair,
    get_sensor_community,
    get_sensor_community_near,
    get_telraam,
    openaq,
)
from toolkit.sensordata import SensorData

HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"


def _archive_day(day: str, p1: str, p2: str) -> bytes:
    return (HEADER + f"5331;SDS011;2688;57.128;-2.130;{day}T00:01:26;{p1};;;{p2};;\n").encode()


def _values(data: SensorData, variable: str) -> list[float]:
    rows = data.readings[data.readings["variable"] == variable].sort_values("time")
    return rows["value"].tolist()


def _only_local(server) -> None:
    assert server.requests, "no request reached the local server"
    assert all(r.headers["Host"].startswith(f"{LOCAL}:") for r in server.requests)


# -- Sensor.Community archive ---------------------------------------------------------
@pytest.fixture
def archive(server):
    name = "_sds011_sensor_5331.csv"
    server.add(
        f"/2024-03-01/2024-03-01{name}", Reply(body=_archive_day("2024-03-01", "9.5", "2.5"))
    )
    # 2 March: no file anywhere (the sensor was off).
    # 3 March: only in the year folder, gzipped (how past years are kept [C]).
    server.add(
        f"/2024/2024-03-03/2024-03-03{name}.gz",
        Reply(body=gz(_archive_day("2024-03-03", "11.0", "4.0"))),
    )
    return server


def test_sensor_community_archive_days_load_with_their_source(archive, cache):
    data = get_sensor_community(
        5331, "SDS011", "2024-03-01", "2024-03-04", base_url=archive.url, progress=False
    )
    assert_balanced(data)
    assert data.sensor_ids == ["sensorcommunity:5331"]
    assert _values(data, "pm10") == [9.5, 11.0]  # P1 is PM10
    assert _values(data, "pm25") == [2.5, 4.0]  # P2 is PM2.5
    assert sorted(data.readings["time"].unique()) == [
        pd.Timestamp("2024-03-01T00:01:26Z"),
        pd.Timestamp("2024-03-03T00:01:26Z"),
    ]
    ok = [r for r in data.ledger if r.status == "ok"]
    assert len(ok) == 2
    assert f"Downloaded from {archive.url}/2024-03-01/2024-03-01_sds011_sensor_5331.csv at " in (
        " ".join(ok[0].notes)
    )
    assert "(downloaded now;" in " ".join(ok[0].notes)
    assert "/2024/2024-03-03/2024-03-03_sds011_sensor_5331.csv.gz" in " ".join(ok[1].notes)
    (skipped,) = [r for r in data.ledger if r.status == "skipped"]
    assert skipped.path == f"{archive.url}/2024-03-02/2024-03-02_sds011_sensor_5331.csv"
    assert "no archive file for 2024-03-02" in skipped.error
    _only_local(archive)
    # Day 3 was found in the year folder on the second try; the year is remembered.
    tried = [r.path for r in archive.requests]
    assert tried[:1] == ["/2024-03-01/2024-03-01_sds011_sensor_5331.csv"]
    assert len(tried) == 1 + 3 + 2


def test_sensor_community_second_call_uses_the_cache(archive, cache):
    kwargs = {"base_url": archive.url, "progress": False}
    get_sensor_community(5331, "sds011", "2024-03-01", **kwargs)
    before = len(archive.requests)
    data = get_sensor_community(5331, "sds011", "2024-03-01", **kwargs)
    assert len(archive.requests) == before  # nothing asked again
    assert "reused from the download cache" in " ".join(data.ledger[0].notes)
    paths = get_sensor_community(5331, "sds011", "2024-03-01", load=False, **kwargs)
    assert paths == [cache / "sensor_community" / "archive" / "2024-03-01_sds011_sensor_5331.csv"]
    assert paths[0].is_absolute()


def test_sensor_community_files_load_with_toolkit_load(archive):
    import toolkit

    paths = get_sensor_community(
        5331, "sds011", "2024-03-01", "2024-03-04", base_url=archive.url, load=False
    )
    data = toolkit.load(paths)
    assert {r.format for r in data.ledger} == {"sensor_community/archive_csv"}
    assert len(data.readings) == 4


def test_sensor_community_nothing_in_the_archive_is_a_friendly_error(server):
    with pytest.raises(SourceNotFoundError) as info:
        get_sensor_community(99, "bme280", "2024-03-01", "2024-03-03", base_url=server.url)
    message = str(info.value)
    assert "no file for sensor 99 (bme280)" in message
    assert "2 day(s) from 2024-03-01 to 2024-03-02" in message
    assert "maps.sensor.community" in message
    assert len(server.requests) == 6  # three addresses for each of two days


def test_sensor_community_days_not_archived_yet_are_not_asked_for(server):
    today = pd.Timestamp.now(tz="UTC").normalize()
    yesterday = f"{today - pd.Timedelta(days=1):%Y-%m-%d}"
    name = f"/{yesterday}/{yesterday}_sds011_sensor_5331.csv"
    server.add(name, Reply(body=_archive_day(yesterday, "1", "2")))
    data = get_sensor_community(
        5331, "sds011", yesterday, today + pd.Timedelta(days=2), base_url=server.url
    )
    assert [r.status for r in data.ledger] == ["ok", "skipped", "skipped"]
    assert all(r.error.startswith("not archived yet") for r in data.ledger[1:])
    assert [r.path for r in server.requests] == [name]  # today and tomorrow not asked


@pytest.mark.parametrize(
    ("sensor_id", "sensor_type", "expected"),
    [("abc", "sds011", "is a number"), (5331, "SDS 011!", "short name such as 'sds011'")],
)
def test_sensor_community_checks_id_and_type(sensor_id, sensor_type, expected):
    with pytest.raises(SourceNotFoundError, match=expected):
        get_sensor_community(sensor_id, sensor_type, "2024-03-01")


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(TimestampError, match="end of the period must be after its start"):
        get_sensor_community(5331, "sds011", "2024-03-02", "2024-03-01")
    with pytest.raises(TimestampError, match="is not a date or time"):
        get_sensor_community(5331, "sds011", "first of March")


# -- Sensor.Community JSON API --------------------------------------------------------
NEAR = [
    {
        "id": 5617052234,
        "sampling_rate": None,
        "timestamp": "2024-03-01 15:38:54",
        "location": {
            "id": 8737,
            "latitude": "48.778",
            "longitude": "9.180",
            "altitude": "",
            "country": "DE",
            "exact_location": 0,
            "indoor": 0,
        },
        "sensor": {
            "id": 17241,
            "pin": "1",
            "sensor_type": {"id": 14, "name": "SDS011", "manufacturer": "Nova Fitness"},
        },
        "sensordatavalues": [
            {"id": 1, "value": "0.80", "value_type": "P1"},
            {"id": 2, "value": "0.60", "value_type": "P2"},
        ],
    }
]


def test_sensors_near_a_point(server, cache):
    path = "/airrohr/v1/filter/area=48.77800,9.18000,2"
    server.add(path, Reply(body=json.dumps(NEAR).encode()))
    data = get_sensor_community_near(48.778, 9.18, radius_km=2, base_url=server.url)
    assert data.sensor_ids == ["sensorcommunity:17241"]
    assert data.sensors.loc[0, "model"] == "SDS011"
    assert _values(data, "pm10") == [0.8]
    assert f"Downloaded from {server.url}{path} at " in " ".join(data.ledger[0].notes)
    (saved,) = (cache / "sensor_community" / "near").glob("near_*.json")
    assert json.loads(saved.read_text()) == NEAR
    _only_local(server)


def test_no_sensor_near_a_point_is_a_friendly_error(server):
    server.add("/airrohr/v1/filter/area=0.00000,0.00000,1", Reply(body=b"[]"))
    with pytest.raises(SourceNotFoundError, match="Try a larger radius_km"):
        get_sensor_community_near(0, 0, base_url=server.url)
    with pytest.raises(CoordinateError, match="Latitude is between -90 and 90"):
        get_sensor_community_near(91, 0, base_url=server.url)


# -- OpenAQ v3 ------------------------------------------------------------------------
def _openaq_result(hour: int, value: float) -> dict:
    start, end = f"2024-03-01T{hour:02d}:00:00Z", f"2024-03-01T{hour + 1:02d}:00:00Z"
    return {
        "value": value,
        "flagInfo": {"hasFlags": False},
        "parameter": {"id": 2, "name": "pm25", "units": "µg/m³", "displayName": "PM2.5"},
        "period": {
            "label": "1hour",
            "interval": "01:00:00",
            "datetimeFrom": {"utc": start, "local": start},
            "datetimeTo": {"utc": end, "local": end},
        },
        "coordinates": None,
        "summary": None,
        "coverage": None,
    }


def _openaq_page(page: int, found: int, *results: dict) -> bytes:
    meta = {"name": "openaq-api", "website": "/", "page": page, "limit": 2, "found": found}
    return json.dumps({"meta": meta, "results": list(results)}).encode()


def test_openaq_pages_are_merged_and_loaded(server, monkeypatch, cache):
    monkeypatch.setenv("OPENAQ_API_KEY", KEY)
    monkeypatch.setattr(openaq, "PAGE_LIMIT", 2)
    server.add(
        "/v3/sensors/3917/hours",
        Reply(body=_openaq_page(1, 3, _openaq_result(0, 12.5), _openaq_result(1, 14.0))),
        Reply(body=_openaq_page(2, 3, _openaq_result(2, 9.0))),
    )
    data = get_openaq(3917, "2024-03-01", base_url=server.url)  # a bar over the 2 pages
    assert_balanced(data)
    assert data.sensor_ids == ["openaq:sensor-3917"]
    assert _values(data, "pm25") == [12.5, 14.0, 9.0]
    # Values are stored at the start of their hour (period.datetimeFrom).
    assert data.readings["time"].min() == pd.Timestamp("2024-03-01T00:00Z")
    queries = [urllib.parse.parse_qs(r.path.split("?", 1)[1]) for r in server.requests]
    assert [q["page"] for q in queries] == [["1"], ["2"]]
    assert queries[0]["datetime_from"] == ["2024-03-01T00:00:00Z"]
    assert queries[0]["datetime_to"] == ["2024-03-02T00:00:00Z"]
    assert queries[0]["limit"] == ["2"]
    assert all(r.headers["X-Api-Key"] == KEY for r in server.requests)
    note = " ".join(data.ledger[0].notes)
    assert f"Downloaded from {server.url}/v3/sensors/3917/hours?datetime_from=" in note
    assert "one page of a larger answer" not in note
    _only_local(server)
    # The period is over, so the merged file is reused without asking again.
    again = get_openaq(3917, "2024-03-01", base_url=server.url)
    assert len(server.requests) == 2
    assert _values(again, "pm25") == [12.5, 14.0, 9.0]


def test_openaq_without_results_is_a_friendly_error(server, monkeypatch):
    monkeypatch.setenv("OPENAQ_API_KEY", KEY)
    server.add("/v3/sensors/1/measurements", Reply(body=_openaq_page(1, 0)))
    with pytest.raises(SourceNotFoundError, match="sensor id \\(not a location id\\)"):
        get_openaq(1, "2024-03-01", kind="measurements", base_url=server.url)
    with pytest.raises(ValueError, match="kind must be one of 'hours', 'measurements'"):
        get_openaq(1, "2024-03-01", kind="days")


# -- PurpleAir history CSV ------------------------------------------------------------
PA_HEADER = "time_stamp,sensor_index,pm2.5_atm_a,pm2.5_atm_b,temperature\n"


def test_purpleair_long_periods_are_split_and_loaded(server, monkeypatch):
    monkeypatch.setenv("PURPLEAIR_API_KEY", KEY)
    server.add(
        "/v1/sensors/95189/history/csv",
        # Unsorted rows, as the API sends them.
        Reply(
            body=(PA_HEADER + "1709254800,95189,6.0,6.4,68\n1709251200,95189,5.0,5.2,77\n").encode()
        ),
        Reply(body=(PA_HEADER + "1710460800,95189,8.0,8.8,50\n").encode()),
    )
    data = get_purpleair(
        95189,
        "2024-03-01",
        "2024-03-21",
        fields=["pm2.5_atm_a", "pm2.5_atm_b", "temperature"],
        base_url=server.url,
        progress=False,
    )
    assert_balanced(data)
    # 20 days of hourly means: pieces of 14 days [M] -> 1 Mar-15 Mar and 15 Mar-21 Mar.
    # 2024-03-01T00:00Z = 1709251200 s; +14 days = 1710460800; 2024-03-21 = 1710979200.
    queries = [urllib.parse.parse_qs(r.path.split("?", 1)[1]) for r in server.requests]
    assert [(q["start_timestamp"], q["end_timestamp"]) for q in queries] == [
        (["1709251200"], ["1710460800"]),
        (["1710460800"], ["1710979200"]),
    ]
    assert queries[0]["average"] == ["60"]
    assert queries[0]["fields"] == ["pm2.5_atm_a,pm2.5_atm_b,temperature"]
    assert "fields=pm2.5_atm_a,pm2.5_atm_b,temperature" in server.requests[0].path
    assert all(r.headers["X-Api-Key"] == KEY for r in server.requests)
    assert data.sensor_ids == ["purpleair:95189"]
    a = data.readings[(data.readings["variable"] == "pm25_atm") & (data.readings["channel"] == "A")]
    assert a.sort_values("time")["value"].tolist() == [5.0, 6.0, 8.0]
    # 77 °F = 25 °C, 68 °F = 20 °C, 50 °F = 10 °C.
    assert _values(data, "temperature") == pytest.approx([25.0, 20.0, 10.0])
    assert len(data.ledger) == 2
    _only_local(server)


def test_purpleair_empty_piece_is_skipped_and_an_error_answer_is_clear(server, monkeypatch):
    monkeypatch.setenv("PURPLEAIR_API_KEY", KEY)
    server.add(
        "/v1/sensors/7/history/csv",
        Reply(body=PA_HEADER.encode()),
        Reply(body=(PA_HEADER + "1710460800,7,8.0,8.8,50\n").encode()),
    )
    data = get_purpleair(7, "2024-03-01", "2024-03-21", base_url=server.url, progress=False)
    assert [r.status for r in data.ledger] == ["ok", "skipped"]
    assert data.ledger[1].error == "PurpleAir has no rows for this period"
    server.add(
        "/v1/sensors/8/history/csv",
        Reply(body=b'{"error": "NotFoundError", "description": "Cannot find a sensor."}'),
    )
    with pytest.raises(FetchError, match="Cannot find a sensor"):
        get_purpleair(8, "2024-03-01", base_url=server.url)
    with pytest.raises(ValueError, match="average must be one of 0, 10, 30"):
        get_purpleair(8, "2024-03-01", average=15)


# -- Telraam --------------------------------------------------------------------------
def _telraam(*dates: str) -> bytes:
    report = [
        {
            "instance_id": -1,
            "segment_id": 9000001,
            "date": date,
            "interval": "hourly",
            "uptime": 0.5,
            "car": 120.0,
            "v85": 42.5,
            "timezone": "Europe/Brussels",
        }
        for date in dates
    ]
    return json.dumps({"status_code": 200, "message": "ok", "report": report}).encode()


def test_telraam_is_split_into_calls_of_at_most_three_months(server, monkeypatch):
    monkeypatch.setenv("TELRAAM_API_KEY", KEY)
    server.add(
        "/v1/reports/traffic",
        Reply(body=_telraam("2024-01-01T07:00:00.000Z")),
        Reply(body=_telraam()),  # an empty piece
        Reply(body=_telraam("2024-06-30T07:00:00.000Z")),
        method="POST",
    )
    data = get_telraam(9000001, "2024-01-01", "2024-07-01", base_url=server.url, progress=False)
    bodies = [json.loads(r.body) for r in server.requests]
    # 2024 is a leap year: 1 Jan + 3 months = 1 Apr is 91 days, so 90 days (31 Mar)
    # is the shorter limit; 31 Mar + 90 days = 29 Jun (3 months would be 30 Jun).
    assert [(b["time_start"], b["time_end"]) for b in bodies] == [
        ("2024-01-01 00:00:00Z", "2024-03-31 00:00:00Z"),
        ("2024-03-31 00:00:00Z", "2024-06-29 00:00:00Z"),
        ("2024-06-29 00:00:00Z", "2024-07-01 00:00:00Z"),
    ]
    assert {(b["level"], b["format"], b["id"]) for b in bodies} == {
        ("segments", "per-hour", "9000001")
    }
    assert all(r.method == "POST" and r.headers["X-Api-Key"] == KEY for r in server.requests)
    assert [r.status for r in data.ledger] == ["ok", "ok", "skipped"]
    assert data.sensor_ids == ["telraam:9000001"]
    assert _values(data, "count_car") == [120.0, 120.0]
    assert _values(data, "uptime") == [50.0, 50.0]
    assert "(POST {" in " ".join(data.ledger[0].notes)
    _only_local(server)


def test_telraam_answer_without_report_is_clear(server, monkeypatch):
    monkeypatch.setenv("TELRAAM_API_KEY", KEY)
    server.add(
        "/v1/reports/traffic", Reply(body=b'{"message": "Segment not found"}'), method="POST"
    )
    with pytest.raises(FetchError, match="Segment not found"):
        get_telraam(1, "2024-01-01", base_url=server.url)


# -- more friendly errors -------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: get_openaq("Del Norte", "2024-03-01"), "An OpenAQ sensor id is a number"),
        (lambda: get_purpleair("abc", "2024-03-01"), "A PurpleAir sensor index is a number"),
        (lambda: get_telraam("main-street", "2024-03-01"), "A Telraam segment id is a number"),
    ],
)
def test_ids_are_checked_before_anything_is_sent(call, expected, server):
    with pytest.raises(SourceNotFoundError, match=expected):
        call()
    assert server.requests == []


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: get_purpleair(1, "2024-03-01", fields=[]), "fields must name at least one"),
        (lambda: get_telraam(1, "2024-03-01", level="city"), "level must be one of"),
        (lambda: get_telraam(1, "2024-03-01", report="daily"), "report must be one of"),
    ],
)
def test_options_are_checked(call, expected):
    with pytest.raises(ValueError, match=expected):
        call()


def test_all_empty_pieces_are_a_friendly_error(server, monkeypatch):
    monkeypatch.setenv("PURPLEAIR_API_KEY", KEY)
    monkeypatch.setenv("TELRAAM_API_KEY", KEY)
    server.add("/v1/sensors/3/history/csv", Reply(body=PA_HEADER.encode()))
    with pytest.raises(SourceNotFoundError, match="PurpleAir has no history for sensor 3"):
        get_purpleair(3, "2024-03-01", base_url=server.url)
    server.add("/v1/reports/traffic", Reply(body=_telraam()), method="POST")
    with pytest.raises(SourceNotFoundError, match="Telraam has no traffic report for segment 3"):
        get_telraam(3, "2024-03-01", base_url=server.url)


def test_answers_that_are_not_json_are_clear(server, monkeypatch):
    monkeypatch.setenv("OPENAQ_API_KEY", KEY)
    server.add("/v3/sensors/1/hours", Reply(body=b"<html>Bad gateway</html>"))
    with pytest.raises(FetchError, match="OpenAQ did not answer with a JSON object"):
        get_openaq(1, "2024-03-01", base_url=server.url)
    server.add("/v3/sensors/2/hours", Reply(body=b'{"detail": "odd"}'))
    with pytest.raises(FetchError, match="The OpenAQ answer has no 'results' list"):
        get_openaq(2, "2024-03-01", base_url=server.url)
    server.add("/airrohr/v1/filter/area=1.00000,1.00000,1", Reply(body=b"<html>"))
    with pytest.raises(FetchError, match="did not answer with JSON"):
        get_sensor_community_near(1, 1, base_url=server.url)


def test_openaq_stops_at_the_page_guard(server, monkeypatch):
    monkeypatch.setenv("OPENAQ_API_KEY", KEY)
    monkeypatch.setattr(openaq, "PAGE_LIMIT", 1)
    monkeypatch.setattr(openaq, "MAX_PAGES", 2)
    server.add("/v3/sensors/4/hours", Reply(body=_openaq_page(1, 5, _openaq_result(0, 1.0))))
    with pytest.raises(FetchError, match="more than 2 values in this period"):
        get_openaq(4, "2024-03-01", base_url=server.url, progress=False)
    assert len(server.requests) == 2


def test_a_server_that_never_answers_is_a_clear_error(monkeypatch, sleeps, cache):
    import socket

    from toolkit.fetch import _http, settings

    monkeypatch.setattr(settings, "timeout", 0.05)
    monkeypatch.setattr(settings, "max_retries", 1)
    with socket.socket() as silent:
        silent.bind((LOCAL, 0))
        silent.listen(8)  # connections wait in the queue; nobody ever answers
        url = f"http://{LOCAL}:{silent.getsockname()[1]}/x"
        with pytest.raises(FetchError, match="failed") as info:
            _http.fetch_bytes(_http.Request(url, label="Slow"))
    assert "no answer within 0.05 s (2 tries)" in str(info.value)
    assert "settings.timeout" in str(info.value)


def test_a_cache_folder_that_cannot_be_written_is_clear(server, tmp_path):
    from toolkit.fetch import _http

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="could not be written to the cache folder") as info:
        _http.download(_http.Request(server.url + "/x"), blocker / "sub" / "x.csv")
    assert "Free some disk space" in str(info.value)
    assert server.requests == []
