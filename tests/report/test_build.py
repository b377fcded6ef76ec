"""Reports end to end: the teaching city (the main job), privacy, secrets, escaping,
determinism, failures, batches, real exports and the command line."""

from __future__ import annotations

import gzip
import hashlib
import json
import platform
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from tests.report.test_content import tables
from toolkit import datasets, privacy
from toolkit.cli import main
from toolkit.report import DEFAULTS, ReportFailedError, build
from toolkit.report._content import Html
from toolkit.report._html import external_references

REPO = Path(__file__).resolve().parents[2]
OUTPUTS = ("report.html", "report.ipynb", "provenance.json")
SECTIONS = (
    "In short",
    "What the numbers mean",
    "The data",
    "Can we trust it? Data quality",
    "Patterns in time",
    "How often was the air unhealthy?",
    "Corrections: what they change",
    "Where are the sensors, and who is not measured?",
    "Appendix: methods",
    "How to make this report again",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the city


def test_city_report_has_three_files_and_a_small_page(city_report):
    folder = city_report.folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS)
    assert city_report.result.html_bytes == (folder / "report.html").stat().st_size
    assert city_report.result.html_bytes < 5_000_000
    # nothing left beside it: no partial or failed folder
    assert [p.name for p in folder.parent.iterdir() if p.name != "tmp"] == ["quayford"]


def test_city_report_folder_has_ordinary_permissions(city_report):
    # built in a private temporary folder (0o700), published like any new folder
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert city_report.folder.stat().st_mode & 0o777 == 0o777 & ~umask


def test_city_page_is_self_contained_and_has_no_code(city_report):
    page = city_report.text("report.html")
    assert external_references(page) == []
    lower = page.lower()
    for absent in ("<script", "<link", "cdnjs", "unpkg", "jsdelivr", "mathjax", "require.js"):
        assert absent not in lower, absent
    for code in ("from toolkit.report import", "report.summary()", "data.pickle"):
        assert code not in page, code
    # health, daily profile, calendar, days above WHO, index bands, corrections, map
    assert page.count("<figure><svg") == 7
    for heading in SECTIONS:
        assert heading in page, heading
    assert "Quayford is a <b>synthetic</b> teaching city" in page


def test_city_headlines(city_report):
    page = city_report.text("report.html")
    # Quayford covers 7 October to 3 November 2024: 28 local days (datasets/README.md)
    assert re.search(r"On <b>\d+ of 28 days</b> the US EPA AQI \(2024, EPA-454/B-24-002\)", page)
    assert re.search(r"On <b>\d+ of 28 days</b> the daily mean PM2.5 at one or more sensors", page)
    assert "local days in Europe/London" in page
    assert "PurpleAir PM2.5 was corrected with the EPA US-wide 2021" in page


def test_city_coverage_counts_exact_positions(city_report):
    """Counts per neighbourhood match the stations table, though positions were coarsened."""
    stations = pd.read_csv(datasets.path("stations"))
    pm = stations[stations["measures"].str.contains("pm25")]
    expected = pm.groupby("neighbourhood_name").size()
    page = Html(city_report.text("report.html"))
    table = next(t for t in tables(page) if "PM2.5 sensors" in t.columns)
    counts = table.set_index("neighbourhood")["PM2.5 sensors"].astype(int)
    assert counts.to_dict() == {n: int(expected.get(n, 0)) for n in counts.index}
    assert int(counts.sum()) == len(pm)


def test_city_provenance(city_report):
    record = json.loads(city_report.text("provenance.json"))
    assert set(record["parameters"]) == set(DEFAULTS)
    assert record["parameters"]["standard"] == "us_epa_2024"
    assert record["parameters"]["correction"] == "epa_2021"
    assert record["parameters"]["share"] is True
    assert record["command"] == "urban-toolkit report --city quayford --out quayford"
    assert record["toolkit_version"] == record["packages"]["urban-data-toolkit"]
    assert record["python"]["version"] == platform.python_version()
    for name in (
        "pandas",
        "numpy",
        "altair",
        "vl-convert-python",
        "papermill",
        "nbconvert",
        "osmnx",
        "geopandas",
    ):
        assert record["packages"][name] != "not installed"
    # every input, by its SHA-256 (names withheld when sharing)
    files = sorted(p for p in datasets.path("sensors").rglob("*") if p.is_file())
    files += [datasets.path("neighbourhoods"), datasets.path("demographics")]
    assert record["input_count"] == len(files) == len(record["inputs"])
    assert sorted(i["sha256"] for i in record["inputs"]) == sorted(sha256(p) for p in files)
    assert sum(i["size_bytes"] for i in record["inputs"]) == sum(p.stat().st_size for p in files)
    assert [i["name"] for i in record["inputs"]][:2] == ["input-01", "input-02"]
    template = REPO / "toolkit" / "report" / "templates" / "community.ipynb"
    assert record["template"] == {"name": "community", "sha256": sha256(template)}
    html = city_report.folder / "report.html"
    assert record["outputs"]["report.html"]["sha256"] == sha256(html)
    assert record["varying_fields"] == ["created", "duration_s"]
    assert record["data"]["sensors"] == 45
    assert record["data"]["timezone"] == "Europe/London"


def test_city_notebook_is_the_executed_template(city_report):
    nb = nbformat.read(city_report.folder / "report.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'data = "data.pickle"' in injected.source
    assert nb.metadata.papermill.input_path == "toolkit/report/templates/community.ipynb"
    assert nb.metadata.papermill.output_path == "report.ipynb"
    assert nb.metadata.papermill.environment_variables == {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", output.get("text")


def _originals() -> tuple[set[str], set[str]]:
    """Ids, names, file names and exact coordinates of the city's inputs."""
    from toolkit import load

    data = load(datasets.path("sensors"), progress=False)
    words = set(data.sensors["sensor_id"].astype(str)) | set(data.sensors["name"].astype(str))
    words |= {p.name for p in datasets.path("sensors").rglob("*") if p.is_file()}
    words |= {p.name.removesuffix(".gz") for p in datasets.path("sensors").rglob("*.gz")}
    words |= {datasets.path("neighbourhoods").name, datasets.path("demographics").name}
    for column in ("location_name", "owner", "location_id"):
        if column in data.sensors.columns:
            words |= {str(v) for v in data.sensors[column].dropna() if len(str(v)) > 3}
    stations = pd.read_csv(datasets.path("stations"))
    coordinates = set()
    for value in [
        *data.sensors["latitude"],
        *data.sensors["longitude"],
        *stations["latitude"],
        *stations["longitude"],
    ]:
        text = repr(float(value))
        if value == value and len(text.split(".")[-1]) >= 4:
            coordinates.add(text)
    return {w for w in words if len(w) >= 4}, coordinates


def test_city_shared_report_reveals_no_ids_names_files_or_positions(city_report):
    words, coordinates = _originals()
    assert "purpleair:990001" in words
    assert "P01 back garden (Quayford, synthetic)" in words
    assert "purpleair_990001_2024-10-07_2024-11-03.csv.gz" in words
    assert "50.3109" in coordinates
    for name in OUTPUTS:
        text = city_report.text(name)
        found = sorted(w for w in words if w in text or json.dumps(w)[1:-1] in text)
        assert not found, (name, found[:10])
        found = sorted(
            c for c in coordinates if re.search(rf"(?<![\d.]){re.escape(c)}(?!\d)", text)
        )
        assert not found, (name, found[:10])


def test_city_report_holds_no_secret_and_leaves_no_work_folder(city_report):
    for name in OUTPUTS:
        text = city_report.text(name)
        for variable, value in city_report.secrets.items():
            assert value not in text, (name, variable)
            assert variable not in text, (name, variable)
    leftovers = [p.name for p in city_report.temp.iterdir() if p.name.startswith("urban-toolkit")]
    assert leftovers == []
    for path in city_report.temp.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for value in city_report.secrets.values():
                assert value.encode() not in content, path


# --------------------------------------------------------------------------- a small report


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory) -> dict[str, Path]:
    """Two PurpleAir sensors whose names are markup, one Sensor.Community sensor."""
    folder = tmp_path_factory.mktemp("inputs")
    for code in ("P01", "P02", "S05"):
        source = datasets.path(code)
        shutil.copyfile(source, folder / source.name)
    meta = pd.read_csv(datasets.path("purpleair") / "purpleair_sensors.csv.gz")
    meta = meta[meta["sensor_index"].isin([990001, 990002])].copy()
    meta["name"] = ["<script>alert(1)</script>", "Ana's <b>garden</b> & co"]
    with gzip.open(folder / "purpleair_sensors.csv.gz", "wt", encoding="utf-8") as handle:
        meta.to_csv(handle, index=False)
    return {
        "folder": folder,
        "neighbourhoods": datasets.path("neighbourhoods"),
        "demographics": datasets.path("demographics"),
    }


TITLE = "<b>Elm Street</b> & the harbour"


@pytest.fixture(scope="module")
def private_pair(small_inputs, tmp_path_factory):
    """The same private report made twice: once from Python, once from the command line."""
    root = tmp_path_factory.mktemp("pair")
    options = {
        "timezone": "Europe/London",
        "period": "2024-10-14/2024-10-20",
        "neighbourhoods": str(small_inputs["neighbourhoods"]),
        "demographics": str(small_inputs["demographics"]),
        "title": TITLE,
    }
    first = build(
        str(small_inputs["folder"]), out=root / "a" / "elm", share=False, progress=False, **options
    )
    argv = [
        "report",
        "--data",
        str(small_inputs["folder"]),
        "--out",
        str(root / "b" / "elm"),
        "--no-share",
        "--quiet",
    ]
    for key, value in options.items():
        argv += [f"--{key}", value]
    assert main(argv) == 0
    return first.folder, root / "b" / "elm"


def test_user_text_is_escaped_in_the_page(private_pair):
    page = (private_pair[0] / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<b>Elm Street</b>" not in page
    assert "<b>garden</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;b&gt;Elm Street&lt;/b&gt; &amp; the harbour</title>" in page
    assert "&lt;b&gt;garden&lt;/b&gt; &amp; co" in page
    assert external_references(page) == []


def test_private_report_names_its_inputs(private_pair, small_inputs):
    record = json.loads((private_pair[0] / "provenance.json").read_text(encoding="utf-8"))
    names = {Path(i["name"]).name for i in record["inputs"]}
    assert "purpleair_sensors.csv.gz" in names
    assert record["privacy"]["share"] is False
    assert "--no-share" in record["command"]
    assert record["parameters"]["period"] == "2024-10-14/2024-10-20"
    page = (private_pair[0] / "report.html").read_text(encoding="utf-8")
    assert "Private version" in page
    assert "purpleair:990001" in page


def _without_date(text: str) -> str:
    return re.sub(r"20\d\d-\d\d-\d\d(T00:00:00\+00:00)?", "DATE", text)


def test_same_inputs_same_report(private_pair):
    """Built twice (Python, then the command line): identical but for documented fields."""
    a, b = private_pair
    page_a = (a / "report.html").read_text(encoding="utf-8")
    page_b = (b / "report.html").read_text(encoding="utf-8")
    if page_a != page_b:  # only when the two builds straddle midnight (UTC)
        assert _without_date(page_a) == _without_date(page_b)
    record_a = json.loads((a / "provenance.json").read_text(encoding="utf-8"))
    record_b = json.loads((b / "provenance.json").read_text(encoding="utf-8"))
    for record in (record_a, record_b):
        for field in record["varying_fields"]:
            record.pop(field)
    if page_a == page_b:
        assert record_a == record_b
    else:
        record_a["outputs"] = record_b["outputs"] = None
        assert record_a == record_b


def test_pinned_date_gives_identical_pages(small_inputs, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1730000000")  # 27 October 2024
    results = [
        build(
            str(small_inputs["folder"] / datasets.path("S05").name),
            out=tmp_path / name / "one",
            timezone="Europe/London",
            period="2024-10-14/2024-10-16",
            progress=False,
        )
        for name in ("a", "b")
    ]
    pages = [(r.folder / "report.html").read_bytes() for r in results]
    assert pages[0] == pages[1]
    assert b"Made on 2024-10-27" in pages[0]
    records = [json.loads(r.provenance.read_text(encoding="utf-8")) for r in results]
    assert records[0]["created"] == records[1]["created"] == "2024-10-27T03:33:20Z"
    records[0].pop("duration_s")
    records[1].pop("duration_s")
    assert records[0] == records[1]


# --------------------------------------------------------------------------- failing


FAILING_TEMPLATE = {
    "cells": [
        {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]},
         "execution_count": None, "outputs": [], "source": 'data = ""\ntitle = ""'},
        {"cell_type": "code", "id": "ok", "metadata": {}, "execution_count": None,
         "outputs": [], "source": "x = 1"},
        {"cell_type": "code", "id": "bad", "metadata": {}, "execution_count": None,
         "outputs": [], "source": 'raise ValueError("deliberate failure for the test")'},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}  # fmt: skip


def test_a_failing_template_writes_no_report(tmp_path):
    template = tmp_path / "failing.ipynb"
    template.write_text(json.dumps(FAILING_TEMPLATE), encoding="utf-8")
    out = tmp_path / "reports" / "broken"
    with pytest.raises(ReportFailedError) as caught:
        build(str(datasets.path("S01")), out=out, template=str(template), progress=False)
    message = str(caught.value)
    # cells: parameters, papermill's injected parameters, "x = 1", the failing one
    assert "failed in cell 4 of the executed notebook, with ValueError" in message
    assert "deliberate failure for the test" in message
    assert "the cell begins: raise ValueError(" in message
    assert "broken.failed/report-FAILED.ipynb" in message
    assert not out.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["broken.failed"]
    failed = nbformat.read(out.parent / "broken.failed" / "report-FAILED.ipynb", as_version=4)
    assert failed.cells[-1].outputs[0]["ename"] == "ValueError"
    assert "deliberate failure" in (out.parent / "broken.failed" / "error.txt").read_text()


def test_cli_says_what_went_wrong_without_a_traceback(tmp_path, capsys):
    assert main(["report", "--data", str(tmp_path / "none.csv"), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert "urban-toolkit: Some of the report's data files do not exist." in err
    assert "none.csv" in err
    assert "Traceback" not in err
    assert main(["report", "--city", "quayford", "--standard", "aqi"]) == 1
    err = capsys.readouterr().err
    assert "'aqi' is not an air-quality index" in err
    assert "us_epa_2024" in err
    config = tmp_path / "report.yaml"
    config.write_text("city: quayford\nstandrad: eaqi_2024\n", encoding="utf-8")
    assert main(["report", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "Found: standrad" in err


def test_cli_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    assert main(["report", "--city", "quayford", "--out", str(out), "--quiet"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["report", "--city", "quayford", "--out", str(out), "--overwrite"]) == 1
    assert "something other than a report" in capsys.readouterr().err
    assert (out / "mine.txt").read_text() == "keep me"


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--data",
        "--city",
        "--out",
        "--config",
        "--source",
        "--timezone",
        "--period",
        "--standard",
        "--correction",
        "--neighbourhoods",
        "--demographics",
        "--title",
        "--no-share",
        "--precision-m",
        "--template",
        "--by",
        "--overwrite",
        "--timeout",
        "--quiet",
    ):
        assert option in text, option


# --------------------------------------------------------------------------- batches


def test_batch_by_sensor_goes_on_after_a_failure(tmp_path, monkeypatch, capsys):
    from toolkit.report import _batch

    real_render = _batch.render

    def render(params, prepared, target, **options):
        if options["unit"] == "sensor-02":
            raise ReportFailedError("Deliberate failure of one unit.", found="for the test")
        return real_render(params, prepared, target, **options)

    monkeypatch.setattr(_batch, "render", render)
    files = [str(datasets.path(code)) for code in ("S01", "S02", "S03")]
    out = tmp_path / "batch"
    code = main(
        [
            "report",
            "--data",
            *files,
            "--by",
            "sensor",
            "--out",
            str(out),
            "--quiet",
            "--timezone",
            "Europe/London",
            "--period",
            "2024-10-14/2024-10-16",
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    assert "1 of 3 report(s) failed" in captured.err
    assert "Deliberate failure of one unit." in captured.out
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert summary["unit"].tolist() == ["sensor-01", "sensor-02", "sensor-03"]
    assert summary["status"].tolist() == ["ok", "failed", "ok"]
    assert summary.loc[1, "reason"] == "Deliberate failure of one unit. for the test"
    assert summary.loc[0, "path"] == "sensor-01/report.html"
    for unit in ("sensor-01", "sensor-03"):
        assert sorted(p.name for p in (out / unit).iterdir()) == sorted(OUTPUTS)
        page = (out / unit / "report.html").read_text(encoding="utf-8")
        assert f"This report is about one part of the data: <b>{unit}</b>" in page
        record = json.loads((out / unit / "provenance.json").read_text(encoding="utf-8"))
        assert record["unit"] == unit
        assert record["data"]["sensors"] == 1
    assert not (out / "sensor-02").exists()
    assert not list(tmp_path.glob("batch.partial-*"))


def test_neighbourhood_units_come_from_exact_positions():
    """Units of --by neighbourhood match the stations table (independent of the map)."""
    from toolkit.report._batch import units
    from toolkit.report._build import prepare
    from toolkit.report._parameters import resolve

    params = resolve({"city": True, "by": "neighbourhood"})
    prepared = prepare(params)
    found = dict(units(params, prepared))
    from toolkit import load

    data = load(datasets.path("sensors"), progress=False)
    placed = set(data.sensors.dropna(subset=["latitude", "longitude"])["sensor_id"].astype(str))
    table = privacy.pseudonyms(data)
    code = dict(zip(table["original_id"], table["pseudonym"], strict=True))
    stations = pd.read_csv(datasets.path("stations"))
    stations = stations[stations["sensor_id"].isin(placed)]
    expected = {
        name: sorted(code[s] for s in group["sensor_id"])
        for name, group in stations.groupby("neighbourhood_name")
    }
    assert found == expected
    assert len(placed) == 43  # the two Telraam counters have no position in their files


# --------------------------------------------------------------------------- real exports


@pytest.mark.real_samples
def test_report_on_real_sensor_community_files(real_samples, tmp_path):
    files = [
        real_samples / "sensor_community" / name
        for name in ("2017-08-30_sds011_sensor_5331.csv", "2017-08-30_dht22_sensor_5332.csv")
    ]
    result = build(
        [str(f) for f in files], out=tmp_path / "sc", timezone="Europe/London", progress=False
    )
    page = result.html.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert "No neighbourhood boundaries were given" in page
    assert "was not applied" in page  # no PurpleAir: the EPA correction does not apply
    assert "5331" not in page  # shared: the platform id is a pseudonym
    assert "57.128" not in page


@pytest.mark.real_samples
def test_report_on_a_real_purpleair_file(real_samples, tmp_path):
    folder = real_samples / "purpleair"
    result = build(
        [
            str(folder / "example_pat_data_derived.csv"),
            str(folder / "example_pat_meta_derived.csv"),
        ],
        out=tmp_path / "pa",
        timezone="America/Los_Angeles",
        progress=False,
    )
    page = result.html.read_text(encoding="utf-8")
    assert external_references(page) == []
    # this export has no CF=1 values: EPA's correction cannot be applied, and says why
    assert "needs pm25_cf1 readings" in page
    assert "pm25_atm, mean of channels A and B (uncorrected)" in page
    assert "times are local times in America/Los_Angeles" in page


def test_makefile_report_target():
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "report: $(STAMP)" in text
    assert "$(BIN)/urban-toolkit report --city quayford --out reports/quayford --overwrite" in text
