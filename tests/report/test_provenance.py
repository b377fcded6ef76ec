"""Provenance: checksums, versions, the command that makes the report again."""

from __future__ import annotations

import hashlib
import os
import shlex
from pathlib import Path

import pytest

from toolkit import datasets
from toolkit.report._build import kernel_environment
from toolkit.report._parameters import resolve
from toolkit.report._provenance import (
    command,
    created_time,
    file_digest,
    input_records,
    package_versions,
)

ONE_FILE = str(datasets.path("S01"))


def test_file_digest_matches_the_fips_example(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    assert file_digest(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        3,
    )


def test_input_records_hide_names_when_sharing(tmp_path):
    a = tmp_path / "elm_street_5331.csv"
    a.write_bytes(b"x" * 10)
    b = tmp_path / "areas.geojson"
    b.write_bytes(b"{}")
    shared = input_records([("data", a), ("neighbourhoods", b)], share=True)
    assert [r["name"] for r in shared] == ["input-01", "input-02"]
    assert [r["role"] for r in shared] == ["data", "neighbourhoods"]
    assert shared[0]["sha256"] == hashlib.sha256(b"x" * 10).hexdigest()
    assert shared[0]["size_bytes"] == 10
    private = input_records([("data", a)], share=False, base=tmp_path)
    assert private[0]["name"] == "elm_street_5331.csv"


def test_command_for_the_city():
    params = resolve({"city": True, "out": "reports/quayford"})
    assert command(params) == "urban-toolkit report --city quayford --out quayford"


def test_command_lists_every_non_default_and_hides_paths_when_sharing():
    params = resolve(
        {
            "data": ONE_FILE,
            "timezone": "Europe/Berlin",
            "period": "2024-10-07/2024-10-13",
            "standard": "eaqi_2024",
            "correction": None,
            "neighbourhoods": str(datasets.path("neighbourhoods")),
            "demographics": str(datasets.path("demographics")),
            "title": "Elm Street's air",
            "precision_m": 1000,
            "timeout": 900,
            "out": "/somewhere/private/elm",
        }
    )
    words = shlex.split(command(params))
    assert words == [
        "urban-toolkit", "report", "--data", "FILES", "--timezone", "Europe/Berlin",
        "--period", "2024-10-07/2024-10-13", "--standard", "eaqi_2024",
        "--correction", "none", "--neighbourhoods", "NEIGHBOURHOODS",
        "--demographics", "DEMOGRAPHICS", "--title", "Elm Street's air",
        "--precision-m", "1000", "--timeout", "900", "--out", "elm",
    ]  # fmt: skip


def test_command_without_sharing_gives_the_paths(monkeypatch):
    monkeypatch.chdir(Path(ONE_FILE).parents[2])
    params = resolve({"data": "sensors/sensor_community", "share": False, "by": "sensor"})
    words = shlex.split(command(params))
    assert words[:4] == ["urban-toolkit", "report", "--data", "sensors/sensor_community"]
    assert "--no-share" in words
    assert words[-4:] == ["--by", "sensor", "--out", "report"]


def test_created_time_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1730000000")
    assert created_time().isoformat() == "2024-10-27T03:33:20+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert created_time().tzinfo is not None


def test_versions_of_what_makes_numbers_and_charts():
    versions = package_versions()
    for name in (
        "urban-data-toolkit",
        "pandas",
        "numpy",
        "altair",
        "vl-convert-python",
        "papermill",
        "nbconvert",
        "osmnx",
        "geopandas",
    ):
        assert versions[name] != "not installed", name


def test_kernel_environment_has_no_secrets(monkeypatch):
    monkeypatch.setenv("PURPLEAIR_API_KEY", "abc123")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x")
    monkeypatch.setenv("DB_PASSWORD", "hunter2")
    monkeypatch.setenv("MY_SECRET", "s")
    monkeypatch.setenv("URBAN_TOOLKIT_DATASETS", "/data")
    env = kernel_environment()
    for name in ("PURPLEAIR_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "MY_SECRET"):
        assert name not in env
    assert "hunter2" not in env.values()
    assert env["URBAN_TOOLKIT_DATASETS"] == "/data"
    assert env["PATH"] == os.environ["PATH"]
    assert env["PYTHONHASHSEED"] == "0"


@pytest.mark.parametrize("name", ["PWD"])
def test_harmless_names_pass(monkeypatch, name):
    monkeypatch.setenv(name, "/work")
    assert kernel_environment()[name] == "/work"
