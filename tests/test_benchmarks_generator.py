"""Smoke test of the scale benchmarks' generator (benchmarks/_archive.py): a few files."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import toolkit

GENERATOR = Path(__file__).parents[1] / "benchmarks" / "_archive.py"

# The archive's headers, as written by feinstaub-api's export_as_csv.py.
HEADERS = {
    "sds011": "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2",
    "bme280": "sensor_id;sensor_type;location;lat;lon;timestamp;"
    "pressure;altitude;pressure_sealevel;temperature;humidity",
    "dht22": "sensor_id;sensor_type;location;lat;lon;timestamp;temperature;humidity",
}


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("_archive", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def archive(generator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale") / "archive"
    info = generator.write_archive_case(folder, stations=4, days=2, seed=3, quiet=True)
    return folder, info


def test_archive_layout(archive):
    folder, info = archive
    files = sorted(folder.glob("*/*.csv"))
    assert len(files) == info["files"]
    # 4 stations x 2 sensors x 2 days, less the days a sensor has no file (2 % each).
    assert 6 <= len(files) <= 16
    assert {p.parent.name for p in files} == {"2024-01-01", "2024-01-02"}
    names = re.compile(r"(2024-01-0[12])_(sds011|bme280|dht22)_sensor_(\d+)\.csv")
    kinds = set()
    for path in files:
        match = names.fullmatch(path.name)
        assert match, path.name
        assert match.group(1) == path.parent.name
        kinds.add(match.group(2))
        lines = path.read_text().splitlines()
        assert lines[0] == HEADERS[match.group(2)]
        # 145-150 s +- 2 s: at most 86400 / 143 rows, and an outage takes at most 6 hours.
        assert 400 <= len(lines) - 1 <= 605
        fields = lines[1].split(";")
        assert fields[0] == match.group(3)
        assert fields[1] == match.group(2).upper()
        assert fields[5].startswith(match.group(1) + "T")
        stamps = [line.split(";")[5] for line in lines[1:]]
        assert stamps == sorted(stamps)
    assert kinds == {"sds011", "bme280", "dht22"}  # station 4 of 4 has a DHT22


def test_archive_reused(generator, archive):
    folder, info = archive
    again = generator.write_archive_case(folder, stations=4, days=2, seed=3, quiet=True)
    assert again["reused"] is True
    assert again["files"] == info["files"]


def test_toolkit_loads_every_reading(archive):
    folder, info = archive
    data = toolkit.load(folder, progress=False)
    assert data.ledger.balanced
    assert len(data) == info["readings"]
    assert set(data.variables) == {"pm10", "pm25", "temperature", "humidity", "pressure"}
    pressure = data.readings.loc[data.readings["variable"] == "pressure", "value"]
    assert pressure.between(990, 1040).all()  # written in Pa, read in hPa
    assert set(data.sensors["timezone"]) == {"Europe/Berlin"}  # around Stuttgart


def test_wide_csv(generator, tmp_path):
    from toolkit.readers import read_csv_mapped

    path = tmp_path / "wide.csv"
    info = generator.write_wide_csv(path, rows=300, seed=2, chunk=120)
    lines = path.read_text().splitlines()
    assert lines[0] == "date,ws,wd,nox,no2,o3,pm10,so2,co,pm25,no"
    assert len(lines) == 301
    assert lines[1].startswith("2020-01-01 00:00:00,")
    assert lines[-1].startswith("2020-01-01 04:59:00,")  # one-minute cadence
    data = read_csv_mapped(
        path, time="date", values=generator.WIDE_VARIABLES, file_timezone="UTC", sensor_id="s"
    )
    assert len(data) == info["readings"]
    assert 2_950 <= info["readings"] <= 3_000  # about 0.3 % of 3,000 cells empty
