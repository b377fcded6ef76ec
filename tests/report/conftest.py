"""Fixtures of the report tests: the teaching-city report, built once per session."""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Variables a report must never leak: the fetchers' API keys and another secret.
SECRET_VARIABLES = (
    "PURPLEAIR_API_KEY",
    "OPENAQ_API_KEY",
    "TELRAAM_API_KEY",
    "COMMUNITY_DATABASE_PASSWORD",
)


@dataclass
class CityReport:
    result: object
    secrets: dict[str, str]
    temp: Path

    @property
    def folder(self) -> Path:
        return self.result.folder

    def text(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def city_report(tmp_path_factory) -> CityReport:
    """The main job: `urban-toolkit report --city quayford`, sharing on (the default).

    Built with secret-looking environment variables set to random values and with the
    temporary folder redirected, so that tests can look for the values in every output
    and check that the private work folder is gone.
    """
    from toolkit import report

    folder = tmp_path_factory.mktemp("city")
    temp = folder / "tmp"
    temp.mkdir()
    values = {name: f"s3cr3t-{secrets.token_hex(16)}" for name in SECRET_VARIABLES}
    saved = {name: os.environ.get(name) for name in [*SECRET_VARIABLES, "TMPDIR"]}
    saved_tempdir = tempfile.tempdir
    os.environ.update(values)
    os.environ["TMPDIR"] = str(temp)
    tempfile.tempdir = str(temp)
    try:
        result = report.build(city=True, out=folder / "quayford", progress=False)
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return CityReport(result=result, secrets=values, temp=temp)
