"""Preparing a report's data: clocks read as documented, zones, periods, privacy first."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit import datasets, load
from toolkit._errors import ToolkitError
from toolkit.report import ReportParameterError
from toolkit.report._build import prepare
from toolkit.report._parameters import resolve

SC_FILE = datasets.path("S01")  # Sensor.Community archive: timestamps documented as UTC
DATASTREAM = {
    "@iot.id": 1,
    "name": "PM2.5",
    "unitOfMeasurement": {"name": "microgram per cubic meter", "symbol": "µg/m³", "definition": ""},
}


def zoneless(tmp_path):
    """A SensorThings file whose timestamps have no offset (its format documents none)."""
    path = tmp_path / "observations.json"
    observations = [
        {"phenomenonTime": f"2024-10-14T{h:02d}:00:00", "result": 10 + h, "Datastream": DATASTREAM}
        for h in range(6)
    ]
    path.write_text(json.dumps({"value": observations}), encoding="utf-8")
    return path


def test_the_report_zone_does_not_change_how_a_file_clock_is_read():
    plain = load(SC_FILE, progress=False)
    prepared = prepare(resolve({"data": str(SC_FILE), "timezone": "Europe/London", "share": False}))
    assert prepared.data.readings["time"].min() == plain.readings["time"].min()
    assert prepared.timezone == "Europe/London"
    assert set(prepared.data.sensors["timezone"]) == {"Europe/London"}
    assert prepared.notes == []


def test_files_without_a_zone_are_read_in_the_report_zone(tmp_path):
    files = [str(zoneless(tmp_path)), str(SC_FILE)]
    prepared = prepare(resolve({"data": files, "timezone": "Europe/Berlin", "share": False}))
    note = (
        "1 file(s) had timestamps without a time zone; they were read as local times in "
        "Europe/Berlin (see the ledger)."
    )
    assert prepared.notes == [note]
    pm = prepared.data.readings
    mine = pm[~pm["sensor_id"].astype(str).str.startswith("sensorcommunity")]
    # 2024-10-14 00:00 in Berlin (CEST, UTC+2) is 22:00 UTC the day before
    assert str(mine["time"].iloc[0]) == "2024-10-13 22:00:00+00:00"
    sc = load(SC_FILE, progress=False)
    assert prepared.data.readings["time"].max() == sc.readings["time"].max()
    assert len(prepared.data.ledger) == 2
    assert not prepared.data.ledger.failed


def test_only_zoneless_files(tmp_path):
    prepared = prepare(
        resolve({"data": str(zoneless(tmp_path)), "timezone": "Europe/Berlin", "share": False})
    )
    assert "were read as local times in Europe/Berlin" in prepared.notes[0]
    with pytest.raises(ToolkitError, match="time zone"):
        prepare(resolve({"data": str(zoneless(tmp_path)), "share": False}))


def test_no_zone_anywhere_means_utc_days():
    path = datasets.path("S01")
    prepared = prepare(resolve({"data": str(path), "share": False}))
    assert prepared.timezone == "UTC"
    assert "days are UTC days" in prepared.notes[0]


def test_period_is_local_days_in_the_report_zone():
    prepared = prepare(
        resolve(
            {
                "data": str(SC_FILE),
                "timezone": "Europe/London",
                "period": "2024-10-27/2024-10-27",  # the day the clocks go back: 25 hours
                "share": False,
            }
        )
    )
    times = prepared.data.readings["time"]
    assert times.min() >= pd.Timestamp("2024-10-26T23:00Z")  # 00:00 BST
    assert times.max() < pd.Timestamp("2024-10-28T00:00Z")  # 00:00 GMT the next day
    assert times.max() - times.min() > pd.Timedelta("24h")
    assert prepared.data.history[-1].name == "select"


def test_a_period_without_data():
    with pytest.raises(ReportParameterError) as caught:
        prepare(resolve({"data": str(SC_FILE), "timezone": "UTC", "period": "2023-01-01"}))
    assert "no readings in the chosen period" in str(caught.value)
    assert "2024-10-07/2024-11-03" in str(caught.value)


def test_sharing_happens_before_the_template_sees_the_data():
    prepared = prepare(
        resolve({"data": str(SC_FILE), "timezone": "Europe/London", "precision_m": 1000})
    )
    sensors = prepared.data.sensors
    assert sensors["sensor_id"].tolist() == ["sensor-01"]
    assert prepared.data.history[0].name == "share"
    assert prepared.data.history[0].parameters["precision_m"] == 1000.0
    assert [i["name"] for i in prepared.inputs] == ["input-01"]
    assert "900101" not in repr(prepared.data.ledger)


def test_unreadable_files_are_left_out_with_a_warning(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.warns(UserWarning, match=r"1 of 2 file\(s\) could not be read"):
        prepared = prepare(resolve({"data": [str(SC_FILE), str(empty)], "timezone": "UTC"}))
    assert [r.status for r in prepared.data.ledger] == ["ok", "failed"]
    assert [i["name"] for i in prepared.inputs] == ["input-01", "input-02"]


def test_an_exported_package_counts_all_its_files(tmp_path):
    """A Data Package is read through its descriptor: every file of it is an input."""
    from toolkit.exporting import export
    from toolkit.report._build import _original_paths

    data = load(SC_FILE, progress=False).select(start="2024-10-14", end="2024-10-15")
    descriptor = export(data, tmp_path / "package", share=True)
    listed = {p.rsplit("/", 1)[-1] for p in _original_paths([str(descriptor.parent)])}
    assert {"datapackage.json", "readings.csv", "readings.parquet", "sensors.csv"} <= listed
    assert listed == {p.name for p in descriptor.parent.iterdir()}
