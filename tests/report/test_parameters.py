"""Report parameters are checked before anything runs, with messages that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import datasets
from toolkit._errors import SourceNotFoundError, ToolkitError
from toolkit.report import DEFAULTS, ReportExistsError, ReportParameterError, read_config
from toolkit.report._build import check_out
from toolkit.report._parameters import resolve

ONE_FILE = str(datasets.path("S01"))


def test_defaults_are_filled_in():
    params = resolve({"data": ONE_FILE})
    assert params.standard == "us_epa_2024"
    assert params.correction == "epa_2021"
    assert params.share is True
    assert params.precision_m == 500.0
    assert params.out == Path("reports/report")
    assert params.timezone is None
    assert params.files == (Path(ONE_FILE),)


def test_the_city_brings_its_zone_and_boundaries():
    params = resolve({"city": "quayford"})
    assert params.city is True
    assert params.timezone == "Europe/London"
    assert params.neighbourhoods == datasets.path("neighbourhoods")
    assert params.demographics == datasets.path("demographics")
    assert params.out == Path("reports/quayford")


def test_default_out_is_the_title_as_a_folder_name():
    params = resolve({"data": ONE_FILE, "title": "Elm Street: air, 2024!"})
    assert params.out == Path("reports/elm-street-air-2024")


def test_unknown_standard_lists_the_indices():
    with pytest.raises(ReportParameterError) as caught:
        resolve({"data": ONE_FILE, "standard": "us_epa_2030"})
    message = str(caught.value)
    assert "'us_epa_2030' is not an air-quality index" in message
    for name in ("us_epa_2024", "us_epa_2018", "eaqi_2024", "uk_daqi_2013", "in_naqi_2014"):
        assert name in message
    assert isinstance(caught.value, ValueError)


def test_a_guideline_is_not_an_index():
    with pytest.raises(ReportParameterError, match="a guideline"):
        resolve({"data": ONE_FILE, "standard": "who_2021_pm25_24h"})


def test_unknown_correction_lists_the_corrections():
    with pytest.raises(ReportParameterError) as caught:
        resolve({"data": ONE_FILE, "correction": "epa_2099"})
    message = str(caught.value)
    assert "'epa_2099' is not a known PM2.5 correction" in message
    assert "epa_2021" in message
    assert "epa_smoke" in message
    assert "'none'" in message
    # temperature and humidity corrections are not PM2.5 corrections
    assert "airgradient_temperature" not in message


@pytest.mark.parametrize("value", [None, "none", "None", ""])
def test_no_correction(value):
    assert resolve({"data": ONE_FILE, "correction": value}).correction is None


def test_missing_files_are_all_named(tmp_path):
    missing_a = str(tmp_path / "a.csv")
    pattern = str(tmp_path / "exports" / "*.csv")
    with pytest.raises(SourceNotFoundError) as caught:
        resolve({"data": [ONE_FILE, missing_a, pattern]})
    message = str(caught.value)
    assert "do not exist" in message
    assert missing_a in message
    assert f"{pattern} (a pattern that matches no file)" in message
    assert ONE_FILE not in message
    assert isinstance(caught.value, FileNotFoundError)


def test_a_glob_is_expanded():
    folder = datasets.path("sensor_community")
    params = resolve({"data": str(folder / "sds011_sensor_90010[12]*")})
    assert [p.name[:20] for p in params.files] == [
        "sds011_sensor_900101",
        "sds011_sensor_900102",
    ]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2024-10-07/2024-11-03", ("2024-10-07", "2024-11-03")),
        ("2024-10-27", ("2024-10-27", "2024-10-27")),
        (" 2024-10-07 / 2024-10-13 ", ("2024-10-07", "2024-10-13")),
    ],
)
def test_periods(period, expected):
    params = resolve({"data": ONE_FILE, "period": period})
    assert params.period == expected
    assert params.period_text == "/".join(expected)


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("last week", "must be two dates, FIRST/LAST"),
        ("2024-10-07/2024-11-03/2024-12-01", "must be two dates"),
        ("07/10/2024", "must be two dates"),
        ("2024-02-30/2024-03-01", "a date that does not exist"),
        ("2024-11-03/2024-10-07", "ends before it starts"),
    ],
)
def test_bad_periods(period, words):
    with pytest.raises(ReportParameterError) as caught:
        resolve({"data": ONE_FILE, "period": period})
    assert words in str(caught.value)
    assert "What to do" in str(caught.value)


def test_ends_before_it_starts_suggests_the_swap():
    with pytest.raises(ReportParameterError, match="2024-10-07/2024-11-03"):
        resolve({"data": ONE_FILE, "period": "2024-11-03/2024-10-07"})


def test_bad_timezone():
    with pytest.raises(ReportParameterError, match="'Europe/Quayford' is not a time zone name"):
        resolve({"data": ONE_FILE, "timezone": "Europe/Quayford"})


def test_data_or_city_but_not_both_nor_neither():
    with pytest.raises(ReportParameterError, match="No data was given"):
        resolve({})
    with pytest.raises(ReportParameterError, match="Both data files and the bundled city"):
        resolve({"data": ONE_FILE, "city": True})
    with pytest.raises(ReportParameterError, match="no bundled city called 'atlantis'"):
        resolve({"city": "atlantis"})


def test_demographics_need_boundaries():
    with pytest.raises(ReportParameterError, match="Demographics were given without"):
        resolve({"data": ONE_FILE, "demographics": str(datasets.path("demographics"))})


def test_missing_boundary_file(tmp_path):
    with pytest.raises(SourceNotFoundError, match="The neighbourhoods file does not exist"):
        resolve({"data": ONE_FILE, "neighbourhoods": str(tmp_path / "areas.geojson")})


def test_by():
    with pytest.raises(ReportParameterError, match="cannot be split by 'street'"):
        resolve({"data": ONE_FILE, "by": "street"})
    with pytest.raises(ReportParameterError, match="needs the neighbourhood boundaries"):
        resolve({"data": ONE_FILE, "by": "neighbourhood"})
    assert resolve({"city": True, "by": "neighbourhood"}).by == "neighbourhood"


def test_templates(tmp_path):
    with pytest.raises(ReportParameterError) as caught:
        resolve({"data": ONE_FILE, "template": "glossy"})
    assert "Unknown report template 'glossy'" in str(caught.value)
    assert "community" in str(caught.value)
    bare = tmp_path / "bare.ipynb"
    bare.write_text('{"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1"}]}')
    with pytest.raises(ReportParameterError, match="no cell tagged 'parameters'"):
        resolve({"data": ONE_FILE, "template": str(bare)})
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not json")
    with pytest.raises(ReportParameterError, match="not a readable notebook"):
        resolve({"data": ONE_FILE, "template": str(broken)})


@pytest.mark.parametrize(
    ("name", "value"), [("precision_m", -5), ("precision_m", "far"), ("timeout", 0)]
)
def test_positive_numbers(name, value):
    with pytest.raises(ReportParameterError, match=f"{name} must be a positive number"):
        resolve({"data": ONE_FILE, name: value})


def test_booleans():
    with pytest.raises(ReportParameterError, match="share must be true or false"):
        resolve({"data": ONE_FILE, "share": "yes"})


def test_unknown_source_lists_the_sources():
    with pytest.raises(ReportParameterError) as caught:
        resolve({"data": ONE_FILE, "source": "airnow"})
    assert "sensor_community" in str(caught.value)
    assert "purpleair" in str(caught.value)


def test_unknown_parameters():
    with pytest.raises(ReportParameterError, match="colour"):
        resolve({"data": ONE_FILE, "colour": "red"})


def test_config_file(tmp_path):
    folder = tmp_path / "project"
    (folder / "exports").mkdir(parents=True)
    config = folder / "report.yaml"
    config.write_text(
        "data:\n  - exports/a.csv\n  - exports/b.csv\n"
        "timezone: Europe/Berlin\nprecision-m: 1000\nshare: false\nout: out/ours\n"
        "template: community\n",
        encoding="utf-8",
    )
    values = read_config(config)
    base = folder.resolve()
    assert values == {
        "data": [str(base / "exports/a.csv"), str(base / "exports/b.csv")],
        "timezone": "Europe/Berlin",
        "precision_m": 1000,
        "share": False,
        "out": str(base / "out/ours"),
        "template": "community",
    }


def test_config_unknown_keys_are_named(tmp_path):
    config = tmp_path / "report.yaml"
    config.write_text("timezone: UTC\ncolour: red\ntimezon: UTC\n", encoding="utf-8")
    with pytest.raises(ReportParameterError) as caught:
        read_config(config)
    message = str(caught.value)
    assert "keys that are not report parameters" in message
    assert "Found: colour, timezon" in message
    for key in DEFAULTS:
        assert key in message


def test_config_problems(tmp_path):
    with pytest.raises(ReportParameterError, match="does not exist"):
        read_config(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: [a, b\n", encoding="utf-8")
    with pytest.raises(ReportParameterError, match="not valid YAML"):
        read_config(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ReportParameterError, match="must hold 'key: value' lines"):
        read_config(listing)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert read_config(empty) == {}


def test_build_uses_the_config_and_checks_it(tmp_path):
    from toolkit import report

    config = tmp_path / "report.yaml"
    config.write_text("data: missing.csv\n", encoding="utf-8")
    with pytest.raises(SourceNotFoundError, match=r"missing\.csv"):
        report.build(config=config, progress=False)
    config.write_text(f"data: {ONE_FILE}\nstandard: eaqi_2030\n", encoding="utf-8")
    with pytest.raises(ReportParameterError, match="'eaqi_2030'"):
        report.build(config=config, progress=False)
    # a value given to build() wins over the file's: the error is about build's value
    with pytest.raises(ReportParameterError, match="'us_epa_2030'"):
        report.build(config=config, standard="us_epa_2030", progress=False)


def test_existing_output_folder(tmp_path):
    out = tmp_path / "report"
    check_out(out, overwrite=False)  # not there: fine
    out.mkdir()
    check_out(out, overwrite=True)  # empty: may be used
    (out / "notes.txt").write_text("my notes")
    with pytest.raises(ReportExistsError) as caught:
        check_out(out, overwrite=False)
    assert "already exists" in str(caught.value)
    assert "--overwrite" in str(caught.value)
    with pytest.raises(ReportExistsError, match="something other than a report"):
        check_out(out, overwrite=True)
    (out / "provenance.json").write_text("{}")
    check_out(out, overwrite=True)
    assert isinstance(caught.value, FileExistsError)
    assert isinstance(caught.value, ToolkitError)
