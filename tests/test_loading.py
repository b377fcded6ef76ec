"""toolkit.load: detection by content, folders and globs, mixed sources, failures."""

import gzip
import io
import shutil
import zipfile

import pandas as pd
import pytest

import toolkit
from tests.conftest import DATA, assert_balanced
from toolkit._errors import (
    DataFormatError,
    EmptyFileError,
    SourceNotFoundError,
    UnknownLayoutError,
)

SC_ARCHIVE = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;\n"
)

# --- conformance: every CSV and JSON real sample through load(), auto-detected ---------
REAL = [
    # (file, detected format, first UTC time, {variable: unit})
    (
        "sensor_community/2017-08-30_sds011_sensor_5331.csv",
        "sensor_community/archive_csv",
        "2017-08-30T11:27:23Z",
        {"pm10": "µg/m³", "pm25": "µg/m³"},
    ),
    (
        "sensor_community/2017-08-30_dht22_sensor_5332.csv",
        "sensor_community/archive_csv",
        "2017-08-30T11:29:51Z",
        {"temperature": "°C", "humidity": "%"},
    ),
    (
        "sensor_community/data-esp8266-3654427-2018-07-24.csv",
        "sensor_community/madavi_csv",
        "2018-07-24T00:00:55Z",
        {"pm10": "µg/m³", "temperature": "°C"},
    ),
    (
        "smart_citizen/example.csv",
        "smart_citizen/sd_card_csv",
        "2020-09-02T15:35:19Z",
        {"temperature": "°C", "pressure": "hPa", "laeq": "dB(A)"},
    ),
    (
        "purpleair/example_pat_data_derived.csv",
        "purpleair/airsensor2_csv",
        "2024-03-01T08:00:31Z",
        {"temperature": "°C", "pressure": "hPa", "pm25_atm": "µg/m³"},
    ),
]


@pytest.mark.real_samples
@pytest.mark.parametrize(("name", "fmt", "first", "units"), REAL, ids=[r[0] for r in REAL])
def test_real_samples_load_with_auto_detection(real_samples, name, fmt, first, units):
    data = toolkit.load(real_samples / name)
    assert [r.format for r in data.ledger] == [fmt]
    assert data.readings["time"].min() == pd.Timestamp(first)
    assert str(data.readings["time"].dtype) == "datetime64[ns, UTC]"
    got = data.readings.groupby("variable", observed=True)["unit"].first().astype(str)
    for variable, unit in units.items():
        assert got[variable] == unit
    assert_balanced(data)
    assert len(data.ledger[0].sha256) == 64


@pytest.mark.real_samples
def test_real_purpleair_temperature_is_converted_to_celsius(real_samples):
    data = toolkit.load(real_samples / "purpleair/example_pat_data_derived.csv")
    first = data.readings[data.readings["variable"] == "temperature"].iloc[0]
    assert first["value"] == pytest.approx((34 - 32) * 5 / 9)  # the file says 34 °F


@pytest.mark.real_samples
def test_real_purpleair_metadata_loads_as_a_sensor(real_samples):
    data = toolkit.load(real_samples / "purpleair/example_pat_meta_derived.csv")
    assert len(data) == 0
    assert data.sensors.loc[0, "latitude"] == pytest.approx(48.47197)
    assert data.sensors.loc[0, "timezone"] == "America/Los_Angeles"


@pytest.mark.real_samples
def test_real_quirks_are_reported_not_fixed_silently(real_samples):
    sds = toolkit.load(real_samples / "sensor_community/2017-08-30_sds011_sensor_5331.csv")
    record = sds.ledger[0]
    assert record.rows_dropped == {"empty row repeating the timestamp of a row with values": 1}
    assert record.row_examples["empty row repeating the timestamp of a row with values"] == [
        "2017-08-30 11:27:23"
    ]
    madavi = toolkit.load(real_samples / "sensor_community/data-esp8266-3654427-2018-07-24.csv")
    note = " ".join(madavi.ledger[0].notes)
    assert "header lists 20 columns but the data rows have 22 fields" in note


@pytest.mark.real_samples
def test_every_csv_and_json_real_sample_loads(real_samples):
    files = sorted(p for p in real_samples.rglob("*") if p.suffix in (".csv", ".json"))
    assert files
    data = toolkit.load(files)
    assert not data.ledger.failed
    assert len(data.ledger) == len(files)
    assert_balanced(data)


@pytest.mark.real_samples
def test_a_folder_of_mixed_sources_becomes_one_sensordata(real_samples, tmp_path):
    for name in ("sensor_community/2017-08-30_dht22_sensor_5332.csv", "smart_citizen/example.csv"):
        shutil.copy(real_samples / name, tmp_path / name.split("/")[1])
    (tmp_path / "notes.md").write_text("not data")
    data = toolkit.load(tmp_path)
    sources = set(data.sensors["source"])
    assert len(sources) == 2
    assert {r.status for r in data.ledger} == {"ok", "skipped"}
    skipped = [r for r in data.ledger if r.status == "skipped"]
    assert skipped[0].path.endswith("notes.md")
    assert_balanced(data)


# --- behaviour on fixtures -------------------------------------------------------------
def test_detection_is_by_content_not_by_name(tmp_path):
    misleading = tmp_path / "purpleair_export.txt"
    misleading.write_text(SC_ARCHIVE)
    data = toolkit.load(misleading)
    assert data.ledger[0].format == "sensor_community/archive_csv"


def test_globs_gz_and_zip(tmp_path):
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(SC_ARCHIVE.encode()))
    with zipfile.ZipFile(tmp_path / "month.zip", "w") as archive:
        archive.writestr("b.csv", SC_ARCHIVE.replace("5331", "5332"))
    data = toolkit.load(str(tmp_path / "*"))
    assert sorted(data.sensor_ids) == ["sensorcommunity:5331", "sensorcommunity:5332"]
    paths = [r.path for r in data.ledger]
    assert any(p.endswith("month.zip::b.csv") for p in paths)


def test_buffers_and_lists():
    data = toolkit.load([io.BytesIO(SC_ARCHIVE.encode()), SC_ARCHIVE.encode()])
    assert len(data.ledger) == 2
    assert len(data) == 4


def test_a_failing_file_does_not_stop_the_others(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(SC_ARCHIVE)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.warns(UserWarning, match=r"1 of 2 file\(s\) could not be read"):
        data = toolkit.load([good, empty])
    assert len(data) == 2
    failed = data.ledger.failed
    assert [f.path for f in failed] == [str(empty)]
    assert "The file is empty." in failed[0].error


def test_errors_raise_stops_at_the_first_problem(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    good = tmp_path / "good.csv"
    good.write_text(SC_ARCHIVE)
    with pytest.raises(EmptyFileError, match="The file is empty"):
        toolkit.load([empty, good], errors="raise")


def test_a_single_bad_file_raises_its_own_error(tmp_path):
    garbage = tmp_path / "photo.csv"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(DataFormatError, match="not text") as err:
        toolkit.load(garbage)
    assert str(garbage) in str(err.value)


def test_unknown_layout_shows_columns_and_a_mapping(tmp_path):
    path = tmp_path / "station.csv"
    path.write_text("Date,PM2.5 (ug/m3),Temp\n2024-03-01 10:00,12.5,9.1\n")
    with pytest.raises(UnknownLayoutError) as err:
        toolkit.load(path)
    message = str(err.value)
    assert "PM2.5 (ug/m3)" in message  # the columns found
    assert "read_csv_mapped(" in message  # a ready-to-edit call
    assert str(path) in message


def test_all_files_failing_is_an_error_that_lists_them(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("")
    with pytest.raises(DataFormatError, match="None of the 2 file") as err:
        toolkit.load(tmp_path)
    assert "a.csv" in str(err.value)
    assert "b.csv" in str(err.value)


def test_missing_paths_and_empty_globs(tmp_path):
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        toolkit.load(tmp_path / "nope.csv")
    with pytest.raises(SourceNotFoundError, match="matches no file"):
        toolkit.load(str(tmp_path / "*.csv"))


def test_unknown_source_and_option_are_explained(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(SC_ARCHIVE)
    with pytest.raises(DataFormatError, match="'purple_air' is not a source") as err:
        toolkit.load(path, source="purple_air")
    assert "purpleair" in str(err.value)
    with pytest.raises(TypeError, match=r"unknown option.*'timezon'.*Did you mean 'timezone'"):
        toolkit.load(path, timezon="UTC")


def test_a_named_source_is_used_for_every_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(SC_ARCHIVE)
    assert toolkit.load(path, source="sensor_community").ledger[0].status == "ok"
    with pytest.raises(DataFormatError):
        toolkit.load(path, source="telraam")


def test_options_reach_the_readers_that_take_them(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(SC_ARCHIVE.replace("2017-08-30T11:27:23", "2017-08-30T13:27:23"))
    data = toolkit.load(path, file_timezone="Europe/Berlin")  # CEST, UTC+2
    assert data.readings["time"].iloc[0] == pd.Timestamp("2017-08-30T11:27:23Z")
    assert "Europe/Berlin" in data.ledger[0].timezone


def test_progress_bar_for_many_files(tmp_path, capsys):
    for i in range(6):
        (tmp_path / f"{i}.csv").write_text(SC_ARCHIVE.replace("5331", str(i)))
    data = toolkit.load(tmp_path)
    assert len(data.sensor_ids) == 6
    assert "Reading files" in capsys.readouterr().err


def test_every_fixture_is_claimed_by_at_most_one_reader():
    from toolkit.loading import _modules
    from toolkit.readers._io import check_text, open_files

    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        for raw in open_files(path):
            try:
                head = check_text(raw)
            except (DataFormatError, EmptyFileError):
                continue
            claims = [name for name, module, _ in _modules() if module.detect(raw, head)]
            assert len(claims) <= 1, (path, claims)
