"""Telraam reader: API traffic report JSON and CSV export."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError, EmptyFileError, UnitError
from toolkit.readers._io import RawFile
from toolkit.readers.telraam import detect, read_telraam


def _read(text: str, **options):
    return read_telraam(io.BytesIO(text.encode()), **options)


def _at(data, time: str) -> dict[str, float]:
    rows = data.readings[data.readings["time"] == pd.Timestamp(time)]
    return dict(zip(rows["variable"].astype(str), rows["value"], strict=True))


def _report(*records: dict) -> str:
    return json.dumps({"status_code": 200, "message": "ok", "report": list(records)})


def _record(**fields) -> dict:
    base = {
        "instance_id": -1,
        "segment_id": 9000001,
        "date": "2022-06-01T07:00:00.000Z",
        "interval": "hourly",
        "uptime": 0.8,
        "car": 10.0,
        "v85": 40.0,
        "timezone": "Europe/Brussels",
    }
    return {**base, **fields}


# -- API JSON -------------------------------------------------------------------------
def test_api_report_values(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "telraam/api_json"
    assert data.sensor_ids == ["telraam:9000001"]
    hour = _at(data, "2022-06-01T07:00:00Z")
    assert hour["count_car"] == 250.0
    assert hour["count_car_left"] == 100.0
    assert hour["count_car_right"] == 150.0
    assert hour["count_heavy"] == 12.5
    assert hour["count_heavy_left"] == 5.0
    assert hour["count_heavy_right"] == 7.5
    assert hour["count_bike"] == 30.0
    assert hour["count_bike_left"] == 12.5
    assert hour["count_bike_right"] == 17.5
    assert hour["count_pedestrian"] == 5.0
    assert hour["count_pedestrian_left"] == 2.5
    assert hour["count_pedestrian_right"] == 2.5
    assert hour["speed_v85"] == 48.5
    assert hour["uptime"] == pytest.approx(80.0)  # 0.8 -> 80 %
    units = dict(zip(data.readings["variable"].astype(str), data.readings["unit"], strict=True))
    assert units["uptime"] == "%"
    assert units["count_car"] == "count"
    assert units["speed_v85"] == "km/h"
    assert any("fraction → %" in c for c in record.conversions)


def test_date_marks_the_start_of_the_interval_in_utc(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    record = data.ledger[0]
    assert record.time_label.startswith("start of the interval")
    assert pd.Timestamp("2022-06-01T07:00:00Z") in set(data.readings["time"])
    assert "Interval length: hourly." in record.notes


def test_uptime_zero_rows_are_kept_and_counted(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    record = data.ledger[0]
    night = _at(data, "2022-06-01T02:00:00Z")
    assert night["uptime"] == 0.0
    assert night["count_car"] == 0.0
    assert "speed_v85" not in night  # null when no cars
    assert record.rows_kept == 3
    assert any(
        n.startswith("1 interval(s) have uptime 0") and "not measured" in n for n in record.notes
    )


def test_low_uptime_is_noted(data_dir):
    record = read_telraam(data_dir / "telraam" / "report_hourly.json").ledger[0]
    assert any(n.startswith("1 interval(s) have an uptime between 0 and 0.5") for n in record.notes)


def test_counts_are_kept_as_scaled_floats(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    # Uptime 0.25 and 40 cars: already scaled up by Telraam, kept as given.
    assert _at(data, "2022-06-01T05:00:00Z")["count_car"] == 40.0
    assert any("already scaled up" in n for n in data.ledger[0].notes)


def test_v85_null_is_an_empty_field(data_dir):
    record = read_telraam(data_dir / "telraam" / "report_hourly.json").ledger[0]
    # 3 records x 14 measurement fields; only the night's v85 is null.
    assert record.values_read == 42
    assert record.readings_dropped == {"empty field": 1}


def test_speed_histograms_and_metadata_are_not_read(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    ignored = data.ledger[0].columns_ignored
    assert "8 bins" in ignored["car_speed_hist_0to70plus"]
    assert "25 bins" in ignored["car_speed_hist_0to120plus"]
    assert "sensors table" in ignored["direction"]
    assert "sensors table" in ignored["timezone"]


def test_sensor_table(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    row = data.sensors.iloc[0]
    assert row["timezone"] == "Europe/Brussels"
    assert row["segment_id"] == "9000001"
    assert row["location_type"] == "outdoor"
    assert pd.isna(row["latitude"])
    assert any("no coordinates" in n for n in data.ledger[0].notes)


def test_instance_id_is_part_of_the_sensor_id():
    data = _read(_report(_record(instance_id=1234), _record(segment_id=-1, instance_id=77)))
    assert data.sensor_ids == ["telraam:9000001:1234", "telraam:instance-77"]


def test_percentage_uptime_raises():
    # More cases (uptime just above 1, other scales) in test_telraam_wild.py.
    with pytest.raises(
        UnitError,
        match=r"(?s)fraction from 0 to 1.*looks like a percentage.*uptime 80 \(1 value.*"
        r"Divide the uptime column by 100",
    ):
        _read(_report(_record(uptime=80)))


def test_unreadable_date_drops_the_row():
    data = _read(_report(_record(), _record(date="soon")))
    assert data.ledger[0].rows_dropped == {"timestamp could not be read": 1}


def test_non_object_record_is_dropped():
    data = _read(_report(_record(), "junk"))
    assert data.ledger[0].rows_dropped == {"record is not a JSON object": 1}
    assert_balanced(data)


def test_unknown_field_is_ignored_with_reason():
    data = _read(_report(_record(mode_tractor=1.0)))
    assert data.ledger[0].columns_ignored["mode_tractor"] == "not a known Telraam field"


def test_empty_report_raises():
    with pytest.raises(EmptyFileError, match=r"(?s)no intervals.*time_start.*3 months"):
        _read(_report())


def test_broken_json_raises():
    with pytest.raises(DataFormatError, match=r"(?s)could not be parsed.*cut short"):
        _read('{"report": [{"segment_id": 1')


def test_other_file_raises():
    with pytest.raises(
        DataFormatError,
        match=r"(?s)not a Telraam traffic report.*"
        r"'segment_id'",
    ):
        _read("a,b\n1,2\n")


# -- CSV ------------------------------------------------------------------------------
def test_csv_export(data_dir):
    data = read_telraam(data_dir / "telraam" / "report.csv")
    assert_balanced(data)
    record = data.ledger[0]
    assert record.format == "telraam/csv"
    hour = _at(data, "2022-06-01T07:00:00Z")
    assert hour["count_car"] == 250.0
    assert hour["count_heavy_right"] == 7.5
    assert hour["uptime"] == pytest.approx(80.0)
    assert hour["speed_v85"] == 48.5
    # v85 is written NA for the night hour without cars.
    assert record.readings_dropped == {"missing-value code 'NA'": 1}
    assert data.sensors.iloc[0]["timezone"] == "Europe/Brussels"


def test_csv_with_semicolons_and_naive_dates():
    text = (
        "segment_id;instance_id;date;uptime;car;v85\n9000001;-1;2022-06-01 07:00:00;0,5;12;NA\n"
    ).replace("0,5", "0.5")
    data = _read(text)
    assert _at(data, "2022-06-01T07:00:00Z") == {"uptime": 50.0, "count_car": 12.0}
    assert data.ledger[0].timezone == "UTC"


# -- detection ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"report": [{"segment_id": 1, "date": "x", "uptime": 1}]}', "api_json"),
        ('{"status_code": 200, "report": []}', "api_json"),
        ("instance_id,segment_id,date,interval,uptime,car\n", "csv"),
        ('"segment_id";"date";"uptime";"car"\n', "csv"),
        ('{"readings": [], "device_id": 1}', None),
        ("date,uptime,car\n", None),
    ],
)
def test_detect(head, expected):
    assert detect(RawFile("x", head.encode(), ""), head) == expected


# -- property -------------------------------------------------------------------------
_VALUE = st.one_of(
    st.floats(0, 1000, allow_nan=False),
    st.floats(0, 1000, allow_nan=False).map(lambda v: f"{v:.1f}"),
    st.sampled_from([None, "", "NA", "abc"]),
)
_RECORD = st.one_of(
    st.fixed_dictionaries(
        {
            "segment_id": st.sampled_from([9000001, 42, -1, None]),
            "instance_id": st.sampled_from([-1, 5]),
            "date": st.one_of(
                st.integers(0, 23).map(lambda h: f"2022-06-01T{h:02d}:00:00.000Z"),
                st.sampled_from([None, "", "garbage"]),
            ),
            "uptime": st.one_of(st.floats(0, 1, allow_nan=False), st.sampled_from([None, "x"])),
        },
        optional={
            "car": _VALUE,
            "car_lft": _VALUE,
            "heavy": _VALUE,
            "bike_rgt": _VALUE,
            "pedestrian": _VALUE,
            "v85": _VALUE,
        },
    ),
    st.sampled_from(["junk", 1, None]),
)


@settings(max_examples=50, deadline=None)
@given(records=st.lists(_RECORD, max_size=12))
def test_any_mix_of_records_balances(records):
    data = _read(_report(_record(), *records))
    assert_balanced(data)
