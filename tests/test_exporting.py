import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import timeseries
from toolkit._errors import DataFormatError
from toolkit.exporting import ExportError, ExportExistsError, export
from toolkit.history import History, Step
from toolkit.ledger import FileRecord, Ledger
from toolkit.privacy import share
from toolkit.sensordata import SensorData, normalise_readings

# Values whose text must be written in full to come back exactly.
AWKWARD = [0.1 + 0.2, 1e-300, 123456.78901234567, -0.0, 2.5e17, np.nan, 1 / 3, 8.7]


def _hand_made() -> SensorData:
    """Two PurpleAir-like channels, a second sensor, flags, nanosecond times."""
    base = pd.Timestamp("2024-10-27T00:59:59.123456789Z")  # the clock change day
    times = [base + pd.Timedelta(seconds=120 * i) for i in range(len(AWKWARD))]
    rows = []
    for i, (t, v) in enumerate(zip(times, AWKWARD, strict=True)):
        rows.append(("purpleair:990001", t, "pm25_cf1", v, "µg/m³", "A", i == 2))
        rows.append(("purpleair:990001", t, "pm25_cf1", v * 2, "µg/m³", "B", False))
        rows.append(("sensorcommunity:5331", t, "temperature", -5.25 + i, "°C", None, False))
    readings = pd.DataFrame(
        rows,
        columns=["sensor_id", "time", "variable", "value", "unit", "channel", "flag_ab"],
    )
    readings["flag_range"] = readings["value"] > 1e10
    readings = normalise_readings(readings)
    sensors = pd.DataFrame(
        {
            "sensor_id": pd.Series(["purpleair:990001", "sensorcommunity:5331"], dtype="str"),
            "name": pd.Series(['Back garden, "north" side', ""], dtype="str"),
            "source": pd.Series(["PurpleAir", "Sensor.Community"], dtype="str"),
            "latitude": [51.4545, np.nan],
            "longitude": [-2.5879, np.nan],
            "model": pd.Series(["PA-II", None], dtype=object),
            "location_type": pd.Series([None, "outdoor"], dtype=object),
            "timezone": pd.Series(["Europe/London", np.nan], dtype=object),
            "mobile": pd.Series([False, None], dtype=object),
            "elevation_m": [12.5, np.nan],
            "firmware": pd.Series(["7.04", np.nan], dtype="str"),
        }
    )
    record = FileRecord(
        path="exports/purpleair_990001.csv",
        sha256="0" * 64,
        format="purpleair/api_history_csv",
        rows_read=9,
        rows_kept=8,
        rows_dropped={"no measurement values": 1},
        values_read=16,
        readings_kept=16,
        notes=["a note"],
        sensors=["purpleair:990001"],
    )
    history = History(
        [
            Step(
                "flag_ab",
                "Compared A and B.",
                {"threshold": (5.0, 0.7), "missing": np.nan, "per": {"a": [1, 2]}},
                citation="Barkjohn et al. (2021)",
                touched=1,
            )
        ]
    )
    return SensorData(readings, sensors, Ledger([record]), history)


def _assert_same(back: SensorData, data: SensorData) -> None:
    pd.testing.assert_frame_equal(back.readings, data.readings)
    pd.testing.assert_frame_equal(back.sensors, data.sensors)
    assert back.history == data.history
    assert back.ledger.balanced
    assert sum(r.readings_kept for r in back.ledger) == len(back.readings)


def _validate(descriptor):
    import frictionless

    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_round_trip_of_hand_made_data_through_parquet_and_csv(tmp_path):
    data = _hand_made()
    descriptor = export(data, tmp_path / "out")
    assert descriptor == tmp_path / "out" / "datapackage.json"
    assert sorted(p.name for p in descriptor.parent.iterdir()) == [
        "README.md",
        "datapackage.json",
        "ledger.csv",
        "readings.csv",
        "readings.parquet",
        "sensors.csv",
        "sensors.geojson",
    ]
    _assert_same(toolkit.load(tmp_path / "out"), data)
    _assert_same(toolkit.load(descriptor), data)
    (tmp_path / "out" / "readings.parquet").unlink()
    back = toolkit.load(tmp_path / "out")
    _assert_same(back, data)
    assert back.ledger[1].format == "datapackage/csv"
    assert back.ledger[1].path.endswith("readings.csv")


def test_round_trip_keeps_nanoseconds_and_full_float_precision_in_the_csv(tmp_path):
    data = _hand_made()
    export(data, tmp_path / "out", formats=("csv",))
    text = (tmp_path / "out" / "readings.csv").read_text(encoding="utf-8")
    assert "2024-10-27T00:59:59.123456789Z" in text
    assert ",0.30000000000000004," in text
    assert ",123456.78901234567," in text
    plain = pd.read_csv(tmp_path / "out" / "readings.csv")
    assert plain["value"].iloc[0] == 0.1 + 0.2  # exact, even for plain pandas
    back = toolkit.load(tmp_path / "out")
    assert back.readings["time"].iloc[0] == pd.Timestamp("2024-10-27T00:59:59.123456789Z")
    _assert_same(back, data)


def test_the_loaded_ledger_records_each_file_read_with_its_hash(tmp_path):
    import hashlib

    data = _hand_made()
    export(data, tmp_path / "out")
    back = toolkit.load(tmp_path / "out")
    descriptor, readings, sensors = back.ledger
    assert descriptor.format == "datapackage/toolkit"
    assert readings.format == "datapackage/parquet"
    assert sensors.format == "datapackage/csv"
    for record in back.ledger:
        content = (tmp_path / "out" / record.path.rsplit("/", 1)[-1]).read_bytes()
        assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert readings.rows_read == readings.rows_kept == len(data.readings) == 24
    assert readings.readings_kept == 24
    assert sensors.rows_kept == 2
    assert any("The original load read 1 file(s): 16 readings kept" in n for n in descriptor.notes)


def test_descriptor_is_a_valid_data_package(tmp_path):
    data = _hand_made()
    descriptor = export(data, tmp_path / "out", title="Our air: Harbour Street")
    _validate(descriptor)
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    assert content["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert content["name"] == "our-air-harbour-street"
    assert content["title"] == "Our air: Harbour Street"
    assert content["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert pd.Timestamp(content["created"]).tzinfo is not None
    resources = {r["name"]: r for r in content["resources"]}
    assert set(resources) == {
        "readings",
        "readings-parquet",
        "sensors",
        "ledger",
        "sensors-geojson",
    }
    fields = {f["name"]: f for f in resources["readings"]["schema"]["fields"]}
    assert [f["name"] for f in resources["readings"]["schema"]["fields"]] == list(
        data.readings.columns
    )
    assert fields["time"]["type"] == "datetime"
    assert fields["value"]["type"] == "number"
    assert "unit column" in fields["value"]["description"]
    assert fields["flag_ab"]["type"] == "boolean"
    assert "true when the rule doubts the value" in fields["flag_ab"]["description"]
    sensors = {f["name"]: f for f in resources["sensors"]["schema"]["fields"]}
    assert sensors["latitude"]["unit"] == "degree"
    assert resources["sensors"]["schema"]["primaryKey"] == ["sensor_id"]
    # Temperature has no channel (an empty key cell): the readings declare no key.
    assert "primaryKey" not in resources["readings"]["schema"]
    assert resources["readings"]["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "sensors",
        "fields": ["sensor_id"],
    }
    # Sub-microsecond times cannot be checked by Frictionless in Parquet: a plain file.
    assert resources["readings-parquet"]["type"] == "file"
    section = content["toolkit"]
    assert section["format"] == "urban-data-toolkit/export"
    assert section["history"][0]["parameters"] == {
        "threshold": {"$tuple": [5.0, 0.7]},
        "missing": {"$float": "nan"},
        "per": {"a": [1, 2]},
    }
    assert section["ledger"]["summary"]["readings_kept"] == 16
    assert section["ledger"]["records"][0]["path"] == "exports/purpleair_990001.csv"
    assert {v["name"]: v["unit"] for v in section["variables"]} == {
        "pm25_cf1": "µg/m³",
        "temperature": "°C",
    }


def test_averaged_data_round_trips_and_validates(tmp_path):
    times = pd.date_range("2024-10-07T00:00Z", periods=90, freq="2min")
    readings = normalise_readings(
        pd.DataFrame(
            {
                "sensor_id": "s:1",
                "time": times,
                "variable": "pm25",
                "value": np.linspace(3.0, 12.0, len(times)),
                "unit": "µg/m³",
            }
        )
    )
    sensors = pd.DataFrame(
        {"sensor_id": ["s:1"], "name": ["one"], "source": ["test"], "timezone": ["UTC"]}
    )
    hourly = timeseries.average(SensorData(readings, sensors), "1h")
    assert {"period", "end", "n_readings", "coverage", "valid"} <= set(hourly.readings.columns)
    descriptor = export(hourly, tmp_path / "hourly")
    _validate(descriptor)
    _assert_same(toolkit.load(tmp_path / "hourly"), hourly)
    _assert_same(toolkit.load(descriptor, resource_format="csv"), hourly)
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    assert {r["name"]: r["type"] for r in content["resources"]}["readings-parquet"] == "table"
    schema = content["resources"][0]["schema"]
    assert schema["primaryKey"] == ["sensor_id", "time", "variable"]
    # A repeated value (kept and flagged by the quality checks) means no key.
    doubled = SensorData(
        normalise_readings(pd.concat([readings, readings.iloc[:1]], ignore_index=True)), sensors
    )
    content = json.loads(export(doubled, tmp_path / "doubled").read_text(encoding="utf-8"))
    assert "primaryKey" not in content["resources"][0]["schema"]


@pytest.fixture(scope="module")
def city_week():
    city = toolkit.datasets.load_city()
    return city.data.select(
        sensors=["purpleair:990001", "sensorcommunity:900101", "openaq:99000001"],
        start="2024-10-21",
        end="2024-10-28",
    )


def test_a_week_of_the_teaching_city_round_trips(tmp_path, city_week):
    export(city_week, tmp_path / "week")
    _assert_same(toolkit.load(tmp_path / "week"), city_week)
    _assert_same(toolkit.load(tmp_path / "week", resource_format="csv"), city_week)


def test_a_few_hours_of_the_teaching_city_validate(tmp_path, city_week):
    hours = city_week.select(start="2024-10-27T00:00Z", end="2024-10-27T03:00Z")
    _validate(export(hours, tmp_path / "hours"))


def test_shared_export_holds_no_original_id_or_exact_coordinate(tmp_path, city_week):
    data = city_week
    export(data, tmp_path / "shared", share=True)
    secrets = set(data.sensor_ids) | {s.split(":", 1)[1] for s in data.sensor_ids}
    secrets |= {str(n) for n in data.sensors["name"].dropna()}
    secrets |= {r.path for r in data.ledger} | {r.sha256 for r in data.ledger}
    coordinates = set()
    for value in pd.concat([data.sensors["latitude"], data.sensors["longitude"]]).dropna():
        coordinates |= {repr(value), f"{value:.4f}", f"{value:.5f}", f"{value:.6f}"}
    # One search for all secrets, and one for every coordinate as a whole number
    # (50.316 must not match inside 50.3166546..., a cell centre).
    any_secret = re.compile(b"|".join(re.escape(s.encode()) for s in sorted(secrets)))
    any_coordinate = re.compile(
        rb"(?<![0-9])(?:"
        + b"|".join(re.escape(t.encode()) for t in sorted(coordinates, key=len, reverse=True))
        + rb")(?![0-9])"
    )
    for path in (tmp_path / "shared").iterdir():
        content = path.read_bytes()
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            content += pq.read_table(path).to_pandas().to_csv().encode()
        assert not any_secret.search(content), (path.name, any_secret.search(content))
        assert not any_coordinate.search(content), (path.name, any_coordinate.search(content))
    back = toolkit.load(tmp_path / "shared")
    _assert_same(back, share(data))
    readme = (tmp_path / "shared" / "README.md").read_text(encoding="utf-8")
    assert "This is a **shared** copy" in readme
    assert "Coarsening is not anonymisation" in readme
    descriptor = json.loads((tmp_path / "shared" / "datapackage.json").read_text("utf-8"))
    assert descriptor["toolkit"]["shared"]["precision_m"] == 500.0
    assert "shared" in descriptor["keywords"]


def test_shared_export_with_a_key_round_trips(tmp_path):
    data = _hand_made()
    export(data, tmp_path / "keyed", share=True, key="our secret", precision_m=1000)
    back = toolkit.load(tmp_path / "keyed")
    _assert_same(back, share(data, key="our secret", precision_m=1000))
    assert "our secret" not in (tmp_path / "keyed" / "datapackage.json").read_text("utf-8")


def test_geojson_has_lon_lat_points_and_null_geometry_without_a_position(tmp_path):
    export(_hand_made(), tmp_path / "out")
    collection = json.loads((tmp_path / "out" / "sensors.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    bristol = features["purpleair:990001"]
    # RFC 7946: longitude first. The sensor is at 51.4545 N, 2.5879 W.
    assert bristol["geometry"] == {"type": "Point", "coordinates": [-2.5879, 51.4545]}
    assert bristol["properties"]["name"] == 'Back garden, "north" side'
    assert bristol["properties"]["mobile"] is False
    unplaced = features["sensorcommunity:5331"]
    assert unplaced["geometry"] is None
    assert unplaced["properties"]["elevation_m"] is None


def test_csv_files_open_with_plain_pandas_with_the_documented_columns(tmp_path):
    data = _hand_made()
    descriptor = export(data, tmp_path / "out")
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in content["resources"]:
        if resource.get("format") != "csv":
            continue
        frame = pd.read_csv(tmp_path / "out" / resource["path"])
        assert list(frame.columns) == [f["name"] for f in resource["schema"]["fields"]]
    readings = pd.read_csv(tmp_path / "out" / "readings.csv", parse_dates=["time"])
    assert str(readings["time"].dtype) == "datetime64[ns, UTC]"
    assert readings["unit"].iloc[0] == "µg/m³"
    sensors = pd.read_csv(tmp_path / "out" / "sensors.csv")
    assert sensors["name"].iloc[0] == 'Back garden, "north" side'
    ledger = pd.read_csv(tmp_path / "out" / "ledger.csv")
    assert ledger["rows_dropped"].tolist() == [1]


def test_readme_explains_the_files_units_licence_and_how_to_load(tmp_path):
    export(_hand_made(), tmp_path / "out", licence="CC0-1.0", title="Our <b>air</b>")
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Our \\<b>air\\</b>\n")
    assert "Creative Commons Zero v1.0 Universal" in readme
    assert "| `readings.parquet` |" in readme
    assert "| `pm25_cf1` | µg/m³ |" in readme
    assert 'toolkit.load("this-folder")' in readme
    assert "1. **flag_ab**: Compared A and B. Source: Barkjohn et al. (2021)" in readme
    assert "shared" not in readme.lower().split("## files")[0]


def test_the_same_creation_time_gives_identical_exports(tmp_path):
    data = _hand_made()
    for name in ("a", "b"):
        export(data, tmp_path / name, created="2024-11-05T12:00:00Z")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


# ----------------------------------------------------------------------------- folders


def test_a_non_empty_folder_is_not_overwritten_by_default(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(ExportExistsError) as info:
        export(_hand_made(), tmp_path / "out")
    message = str(info.value)
    assert "The export folder is not empty." in message
    assert "notes.txt" in message
    assert "overwrite=True" in message
    assert isinstance(info.value, FileExistsError)
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


def test_overwrite_replaces_an_earlier_export_but_never_another_folder(tmp_path):
    data = _hand_made()
    export(data, tmp_path / "out")
    smaller = data.select(variables="temperature")
    export(smaller, tmp_path / "out", overwrite=True)
    _assert_same(toolkit.load(tmp_path / "out"), smaller)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(ExportExistsError, match="not an earlier export") as info:
        export(data, tmp_path / "mine", overwrite=True)
    assert "Choose a new or empty folder" in str(info.value)
    assert (tmp_path / "mine" / "thesis.docx").read_bytes() == b"years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "out"]


def test_an_empty_folder_is_used_and_a_file_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    export(_hand_made(), tmp_path / "empty")
    assert (tmp_path / "empty" / "datapackage.json").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportExistsError, match="taken by a file"):
        export(_hand_made(), tmp_path / "file")


def test_a_failure_midway_leaves_no_export_behind(tmp_path, monkeypatch):
    import toolkit.exporting as exporting

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exporting, "_readme", broken)  # after every data file is written
    with pytest.raises(OSError, match="disk full"):
        export(_hand_made(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_overwriting_keeps_the_earlier_export(tmp_path, monkeypatch):
    import toolkit.exporting as exporting

    data = _hand_made()
    export(data, tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(exporting, "_geojson", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        export(data.select(variables="temperature"), tmp_path / "out", overwrite=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# ----------------------------------------------------------------------------- options


def test_only_csv_or_only_parquet(tmp_path):
    data = _hand_made()
    export(data, tmp_path / "csv", formats=("csv",))
    assert not (tmp_path / "csv" / "readings.parquet").exists()
    export(data, tmp_path / "parquet", formats=["parquet"])
    assert not (tmp_path / "parquet" / "readings.csv").exists()
    _assert_same(toolkit.load(tmp_path / "parquet"), data)
    _assert_same(toolkit.load(tmp_path / "csv"), data)
    with pytest.raises(DataFormatError, match="no readings file in the format asked for"):
        toolkit.load(tmp_path / "parquet", resource_format="csv", errors="raise")


@pytest.mark.parametrize(
    ("options", "problem", "fix"),
    [
        ({"formats": ("xlsx",)}, "written as CSV, Parquet or both", 'formats=("csv", "parquet")'),
        ({"formats": ()}, "written as CSV, Parquet or both", '("csv",) or ("parquet",)'),
        ({"licence": "MIT-ish"}, "licence is not one the toolkit knows", "CC-BY-4.0"),
        ({"title": "  "}, "title must be a non-empty text", "title="),
    ],
)
def test_bad_options_are_friendly_errors(tmp_path, options, problem, fix):
    with pytest.raises(ExportError) as info:
        export(_hand_made(), tmp_path / "out", **options)
    assert problem in str(info.value)
    assert fix in str(info.value)
    assert isinstance(info.value, ValueError)
    assert not (tmp_path / "out").exists()


def test_licence_ids_are_case_insensitive(tmp_path):
    descriptor = export(_hand_made(), tmp_path / "out", licence="odbl-1.0")
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    assert content["licenses"][0]["name"] == "ODbL-1.0"


def test_export_does_not_change_its_input(tmp_path):
    data = _hand_made()
    readings, sensors = data.readings.copy(), data.sensors.copy()
    export(data, tmp_path / "out", share=True)
    pd.testing.assert_frame_equal(data.readings, readings)
    pd.testing.assert_frame_equal(data.sensors, sensors)


def test_empty_data_exports_and_loads(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export(SensorData.empty(), tmp_path / "empty")
    back = toolkit.load(tmp_path / "empty")
    assert len(back) == 0
    pd.testing.assert_frame_equal(back.readings, SensorData.empty().readings)


def test_history_parameters_survive_json_with_their_types():
    from datetime import datetime

    from toolkit.exporting import to_json
    from toolkit.readers.datapackage import from_json

    value = {
        "pair": (1, 2.5, float("inf")),
        "by_number": {1: "x"},
        "dollar": {"$x": 1},
        "when": pd.Timestamp("2024-10-27T01:00Z"),
        "naive": datetime(2024, 10, 27, 1, 0),
        "gap": pd.Timedelta("1h"),
        "set": {3, 1},
        "numbers": [np.int64(3), np.float64(0.1)],
        "missing": np.nan,
    }
    text = json.dumps(to_json(value), allow_nan=False)  # valid JSON: no NaN or Infinity
    back = from_json(json.loads(text))
    assert back == value
    assert isinstance(back["pair"], tuple)
    assert isinstance(back["set"], set)
    assert back["missing"] is np.nan
