import io
import json
import warnings

import pandas as pd
import pytest

import toolkit
from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError, UnknownLayoutError
from toolkit.exporting import export
from toolkit.readers import read_sensor_community
from toolkit.readers._io import RawFile
from toolkit.readers.datapackage import (
    detect,
    package_ledger,
    package_members,
    read_datapackage,
)

ARCHIVE = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:29:51;unavailable;;;3.10;;\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:32:18;9.90;;;3.20;;\n"
)
OTHER = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    "8;SDS011;71;48.200;11.600;2017-08-30T11:28:00;20.0;;;10.0;;\n"
)


def _archive(text=ARCHIVE):
    return read_sensor_community(io.BytesIO(text.encode()))


def _raw(name: str, text: str) -> RawFile:
    return RawFile(name, text.encode())


def test_detect_recognises_descriptors_only():
    descriptor = '{\n  "name": "x",\n  "resources": [{"name": "readings"}]\n}'
    assert detect(_raw("anything.json", descriptor), descriptor) == "descriptor"
    assert detect(_raw("datapackage.json", '{"resources": []}'), '{"resources": []}') == (
        "descriptor"
    )
    other = '[{"sensordatavalues": []}]'
    assert detect(_raw("data.json", other), other) is None
    unrelated = '{"resources": ["not ours"]}'
    assert detect(_raw("config.json", unrelated), unrelated) is None


def test_load_reads_a_package_in_a_folder_as_one_dataset(tmp_path):
    export(_archive(), tmp_path / "exports" / "package")
    (tmp_path / "exports" / "other.csv").write_text(OTHER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no file of the package is tried on its own
        data = toolkit.load(tmp_path / "exports")
    assert sorted(data.sensor_ids) == ["sensorcommunity:5331", "sensorcommunity:8"]
    assert len(data) == 5 + 2
    formats = [r.format for r in data.ledger]
    assert formats == [
        "sensor_community/archive_csv",
        "datapackage/toolkit",
        "datapackage/parquet",
        "datapackage/csv",
    ] or formats == [
        "datapackage/toolkit",
        "datapackage/parquet",
        "datapackage/csv",
        "sensor_community/archive_csv",
    ]
    assert all(r.status == "ok" for r in data.ledger)
    assert_balanced(data)


def test_package_members_are_the_files_beside_a_toolkit_descriptor(tmp_path):
    export(_archive(), tmp_path / "package")
    (tmp_path / "loose.csv").write_text(OTHER)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    members = package_members(files)
    assert {p.name for p in members} == {
        "README.md",
        "ledger.csv",
        "readings.csv",
        "readings.parquet",
        "sensors.csv",
        "sensors.geojson",
    }
    assert tmp_path / "loose.csv" not in members


def test_read_datapackage_takes_the_folder_or_the_descriptor(tmp_path):
    data = _archive()
    export(data, tmp_path / "p")
    for source in (tmp_path / "p", tmp_path / "p" / "datapackage.json", str(tmp_path / "p")):
        back = read_datapackage(source)
        pd.testing.assert_frame_equal(back.readings, data.readings)
        pd.testing.assert_frame_equal(back.sensors, data.sensors)


def test_package_ledger_restores_the_original_load(tmp_path):
    data = _archive()
    export(data, tmp_path / "p")
    original = package_ledger(tmp_path / "p")
    assert list(original) == list(data.ledger)
    assert original[0].readings_dropped == data.ledger[0].readings_dropped
    assert sum(original[0].readings_dropped.values()) == 1  # 'unavailable'


def test_a_changed_file_is_noted_and_a_broken_one_is_an_error(tmp_path):
    export(_archive(), tmp_path / "p", formats=("csv",))
    path = tmp_path / "p" / "readings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",9.53,", ",9.54,"), "utf-8")
    back = toolkit.load(tmp_path / "p")
    assert back.readings["value"].iloc[0] == 9.54
    assert any("changed since the export" in n for n in back.ledger[1].notes)
    path.write_text(path.read_text(encoding="utf-8").replace(",9.54,", ",lots,"), "utf-8")
    with pytest.raises(DataFormatError) as info:
        toolkit.load(tmp_path / "p")
    message = str(info.value)
    assert "could not be read as its descriptor describes it" in message
    assert "readings.csv" in message
    assert "export the data again" in message


def test_a_missing_file_is_a_friendly_error(tmp_path):
    export(_archive(), tmp_path / "p")
    (tmp_path / "p" / "sensors.csv").unlink()
    with pytest.raises(DataFormatError) as info:
        read_datapackage(tmp_path / "p")
    assert "The sensors file named by the descriptor is missing." in str(info.value)
    assert "Copy the whole export folder" in str(info.value)


def test_a_newer_format_is_a_friendly_error(tmp_path):
    descriptor = export(_archive(), tmp_path / "p")
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    content["toolkit"]["format_version"] = 99
    descriptor.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(DataFormatError, match="written by a newer version") as info:
        read_datapackage(descriptor)
    assert "pip install --upgrade urban-data-toolkit" in str(info.value)


def test_a_descriptor_without_its_folder_is_a_friendly_error(tmp_path):
    descriptor = export(_archive(), tmp_path / "p")
    with pytest.raises(DataFormatError, match="without its folder") as info:
        read_datapackage(io.BytesIO(descriptor.read_bytes()))
    assert "toolkit.load('folder/')" in str(info.value)


def test_a_bad_resource_format_is_a_friendly_error(tmp_path):
    export(_archive(), tmp_path / "p")
    with pytest.raises(DataFormatError, match="resource_format must be") as info:
        read_datapackage(tmp_path / "p", resource_format="xlsx")
    assert "resource_format='auto'" in str(info.value)


# ----------------------------------------------------------------------------- others' packages

TIDY = (
    "sensor_id,time,variable,value,unit\n"
    "school-roof,2024-03-01T10:00:00,temperature,50,°F\n"
    "school-roof,2024-03-01T11:00:00,temperature,n/a,°F\n"
    "school-roof,2024-03-01T12:00:00,pm2.5,7,ug/m3\n"
    "market,2024-03-01T10:00:00,pm25,12.5,µg/m³\n"
    "market,not a time,pm25,13.5,µg/m³\n"
)


def _tidy_package(folder, *, sensors=True):
    folder.mkdir()
    (folder / "observations.csv").write_text(TIDY, encoding="utf-8")
    resources = [{"name": "observations", "path": "observations.csv", "format": "csv"}]
    if sensors:
        (folder / "stations.csv").write_text(
            "sensor_id,name,latitude,longitude\nschool-roof,School roof,38.72,-9.14\n",
            encoding="utf-8",
        )
        resources.append({"name": "sensors", "path": "stations.csv"})
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "city-air", "title": "City air", "resources": resources}),
        encoding="utf-8",
    )


def test_a_tidy_package_of_another_publisher_loads_with_reasons(tmp_path):
    _tidy_package(tmp_path / "pkg")
    with pytest.warns(UserWarning, match=r"1 of 2 file\(s\) were only partly read"):
        data = toolkit.load(tmp_path / "pkg")
    assert_balanced(data)
    assert data.ledger[1].status == "partial"  # 2 of 5 rows lost: > 1 %
    assert sorted(data.sensor_ids) == ["market", "school-roof"]
    readings = data.readings
    # 50 °F = (50 - 32) × 5/9 = 10 °C; times without an offset are UTC.
    temperature = readings[readings["variable"] == "temperature"]
    assert temperature["value"].tolist() == [10.0]
    assert temperature["time"].iloc[0] == pd.Timestamp("2024-03-01T10:00Z")
    pm = readings[readings["variable"] == "pm25"]
    assert pm["time"].tolist() == [pd.Timestamp("2024-03-01T10:00Z")]
    assert pm["value"].tolist() == [12.5]
    record = data.ledger[1]
    assert record.format == "datapackage/tidy_csv"
    assert record.rows_read == 5
    assert sum(record.rows_dropped.values()) == 2  # unknown variable, unreadable time
    assert any("canonical" in reason for reason in record.rows_dropped)
    assert sum(record.readings_dropped.values()) == 1  # n/a
    sensors = data.sensors.set_index("sensor_id")
    assert sensors.loc["school-roof", "name"] == "School roof"
    assert sensors.loc["school-roof", "latitude"] == 38.72
    assert pd.isna(sensors.loc["market", "latitude"])


def test_a_package_without_a_readings_table_is_an_unknown_layout(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "budget.csv").write_text("year,amount\n2024,5\n")
    (folder / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "budget",
                "resources": [
                    {
                        "name": "budget",
                        "path": "budget.csv",
                        "schema": {"fields": [{"name": "year"}, {"name": "amount"}]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(UnknownLayoutError) as info:
        read_datapackage(folder)
    message = str(info.value)
    assert "no readings table the toolkit can read" in message
    assert "budget (year, amount)" in message
    assert "sensor_id, time, variable, value and unit" in message


def test_a_damaged_toolkit_section_is_a_friendly_error(tmp_path):
    descriptor = export(_archive(), tmp_path / "p")
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    del content["toolkit"]["tables"]["sensors"]
    descriptor.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        read_datapackage(descriptor)
    assert "does not describe the sensors table" in str(info.value)
    assert "['readings']" in str(info.value)
