"""The bundled files: reproducible, compressed, labelled, documented, and readable."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import datasets
from toolkit._errors import SourceNotFoundError
from toolkit.datasets import _catalog, _generate, _sensors

ROOT = Path(datasets.__file__).resolve().parents[2] / "datasets"
MANIFEST = json.loads((ROOT / "checksums.json").read_text(encoding="utf-8"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_committed_files_match_their_checksums():
    on_disk = sorted(
        p.relative_to(ROOT).as_posix()
        for folder in _catalog.GENERATED_FOLDERS
        for p in (ROOT / folder).rglob("*")
        if p.is_file()
    )
    assert on_disk == sorted(MANIFEST["files"])
    for relative, entry in MANIFEST["files"].items():
        data = (ROOT / relative).read_bytes()
        assert _sha(data) == entry["sha256"], relative
        content = gzip.decompress(data) if relative.endswith(".gz") else data
        assert _sha(content) == entry["content_sha256"], relative


def test_the_same_seed_gives_the_same_files(tmp_path):
    made = MANIFEST["made_with"]
    if made["numpy"] != np.__version__:
        pytest.skip(
            f"the files were made with numpy {made['numpy']}; random draws may differ "
            f"with {np.__version__}"
        )
    files = datasets.generate(tmp_path, seed=MANIFEST["seed"])
    assert sorted(files) == sorted(MANIFEST["files"])
    same_zlib = made["zlib"] == zlib.ZLIB_RUNTIME_VERSION
    for relative, entry in MANIFEST["files"].items():
        assert files[relative]["content_sha256"] == entry["content_sha256"], relative
        if same_zlib:  # compressed bytes also depend on the zlib build
            assert files[relative]["sha256"] == entry["sha256"], relative
            assert (tmp_path / relative).read_bytes() == (ROOT / relative).read_bytes()
    assert MANIFEST["seed"] == datasets.DEFAULT_SEED


def test_gzip_files_carry_no_name_and_no_time():
    data = (ROOT / "city/demographics.csv.gz").read_bytes()
    assert data[:4] == b"\x1f\x8b\x08\x00"  # deflate, no FNAME flag
    assert data[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert data[9] == 255  # operating system: unknown


def test_everything_is_compressed_and_small():
    for relative in MANIFEST["files"]:
        # GeoJSON stays plain: geopandas cannot open .geojson.gz directly.
        assert relative.endswith(".gz") or relative.endswith(".geojson"), relative
    total = sum(p.stat().st_size for p in ROOT.rglob("*") if p.is_file())
    assert total < 25e6


def test_list_gives_names_paths_and_sizes():
    table = datasets.list()
    assert list(table.columns) == ["name", "path", "kind", "files", "size_bytes", "description"]
    assert table["name"].is_unique
    for row in table.itertuples():
        assert (ROOT / row.path).exists(), row.name
        assert row.size_bytes > 0, row.name
    codes = {s.code for s in _sensors.STATIONS}
    assert codes <= set(table["name"])
    assert table.set_index("name").loc["sensors", "files"] == 46


def test_path_finds_names_and_relative_paths():
    assert datasets.path("streets") == ROOT / "city/streets.osm.gz"
    assert datasets.path("S07_env").name.startswith("bme280_sensor_900207")
    assert datasets.path("sensors/purpleair") == ROOT / "sensors/purpleair"


def test_unknown_names_fail_clearly():
    with pytest.raises(datasets.UnknownDatasetError, match="called 'neighbourhood'") as info:
        datasets.path("neighbourhood")
    assert "Did you mean 'neighbourhoods'" in str(info.value)
    assert "toolkit.datasets.list()" in str(info.value)
    with pytest.raises(KeyError):  # the error is also a KeyError
        datasets.path("../pyproject.toml")
    with pytest.raises(datasets.UnknownDatasetError, match="not part of the ground truth"):
        datasets.ground_truth("stations")


def test_a_missing_data_folder_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENVIRONMENT_VARIABLE, str(tmp_path))
    with pytest.raises(SourceNotFoundError, match="'datasets/' was not found") as info:
        datasets.path("streets")
    message = str(info.value)
    assert "URBAN_TOOLKIT_DATASETS" in message
    assert "python -m toolkit.datasets --out DIR" in message
    with pytest.raises(FileNotFoundError):
        datasets.list()


def test_the_environment_variable_points_to_a_copy(tmp_path, monkeypatch):
    (tmp_path / "checksums.json").write_text("{}")
    monkeypatch.setenv(datasets.ENVIRONMENT_VARIABLE, str(tmp_path))
    assert datasets.path("streets") == tmp_path / "city/streets.osm.gz"


def test_everything_says_it_is_synthetic_and_cc0():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme
    assert "invented" in readme
    assert "CC0 1.0 Universal" in readme
    assert "INSTRUCTORS ONLY" in readme
    assert "CC0 1.0 Universal" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    for name in ("neighbourhoods", "stations_geojson"):
        collection = json.loads(datasets.path(name).read_text(encoding="utf-8"))
        assert "SYNTHETIC" in collection["name"]
        assert "CC0" in collection["name"]
    osm = gzip.decompress(datasets.path("streets").read_bytes()).decode()
    assert "SYNTHETIC" in osm.splitlines()[1]
    assert MANIFEST["licence"] == "CC0-1.0"
    names = pd.read_csv(datasets.path("purpleair_sensors"))["name"]
    assert names.str.contains("synthetic").all()


def _documented_as(name: str) -> str:
    """How the README names a file: sensor files by a pattern, others in full."""
    name = name.replace("_2024-10-07_2024-11-03", "_...")
    name = re.sub(
        r"(sds011_sensor_9001|bme280_sensor_9002|dht22_sensor_9002|telraam_segment_99990000)"
        r"\d\d",
        r"\1NN",
        name,
    )
    name = re.sub(r"purpleair_99000\d_", "purpleair_99000N_", name)
    return name.split("_...")[0] + "_..." if "_..." in name else name


def test_readme_documents_every_file_and_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for relative in MANIFEST["files"]:
        assert _documented_as(Path(relative).name) in readme, relative
        if relative.endswith(".csv.gz") and not relative.startswith("sensors/"):
            header = pd.read_csv(ROOT / relative, nrows=0).columns
            missing = [c for c in header if f"`{c}`" not in readme]
            assert not missing, (relative, missing)
    for platform in ("sensor_community", "purpleair", "openaq", "telraam"):
        assert f"sensors/{platform}/" in readme or f"{platform}/" in readme
    for column in ("P1", "P2", "pm2.5_cf_1_a", "pm2.5_atm_b", "datetimeUtc", "uptime", "v85"):
        assert f"`{column}`" in readme
    assert "python -m toolkit.datasets" in readme
    assert str(datasets.DEFAULT_SEED) in readme
    assert "UTC" in readme
    assert "Europe/London" in readme


def test_neighbourhoods_tile_the_city_and_join_the_demographics():
    geopandas = pytest.importorskip("geopandas")
    shapes = geopandas.read_file(datasets.path("neighbourhoods"))
    demographics = pd.read_csv(datasets.path("demographics"))
    assert len(shapes) == 10
    assert shapes.crs.to_epsg() == 4326
    assert shapes.is_valid.all()
    assert sorted(shapes["neighbourhood_id"]) == sorted(demographics["neighbourhood_id"])
    metric = shapes.to_crs(32630)  # UTM 30N: metres
    union = metric.union_all()
    assert metric.area.sum() == pytest.approx(union.area, rel=1e-6)  # no overlaps
    assert union.area / 1e6 == pytest.approx(27.0, abs=0.5)  # 6 km x 4.5 km
    # The generator's flat frame and UTM agree on areas to well under 0.1 %.
    km2 = (metric.area / 1e6).to_numpy()
    assert km2 == pytest.approx(demographics["area_km2"].to_numpy(), rel=1e-3)


def test_stations_lie_in_their_neighbourhoods():
    geopandas = pytest.importorskip("geopandas")
    shapes = geopandas.read_file(datasets.path("neighbourhoods"))
    points = geopandas.read_file(datasets.path("stations_geojson"))
    joined = points.sjoin(shapes[["neighbourhood_id", "geometry"]], how="left")
    assert (joined["neighbourhood_id_left"] == joined["neighbourhood_id_right"]).all()
    stations = pd.read_csv(datasets.path("stations"))
    assert len(stations) == len(points) == 45
    for relative in stations["file"]:
        assert (ROOT / relative).is_file()


def test_streets_read_offline_with_osmnx():
    osmnx = pytest.importorskip("osmnx")
    graph = osmnx.graph_from_xml(datasets.path("streets"), simplify=False)
    assert 300 <= graph.number_of_nodes() <= 3000
    edges = osmnx.graph_to_gdfs(graph, nodes=False)
    assert {"primary", "secondary", "tertiary", "residential", "service"} <= set(edges["highway"])
    names = set(edges["name"])
    assert {
        "Harbour Road",
        "Port Road",
        "Northern Avenue",
        "Eastern Bypass",
        "High Street",
    } <= names
    stations = pd.read_csv(datasets.path("stations")).set_index("station_code")
    geopandas = pytest.importorskip("geopandas")
    metric = edges.to_crs(32630)
    for code, road in (("T01", "Harbour Road"), ("T02", "Oak Grove")):
        lon, lat = stations.loc[code, ["longitude", "latitude"]]
        point = geopandas.GeoSeries.from_xy([lon], [lat], crs=4326).to_crs(32630).iloc[0]
        nearest = metric.iloc[int(np.argmin(metric.distance(point).to_numpy()))]
        assert nearest["name"] == road, code
    import networkx

    assert networkx.is_weakly_connected(graph)


def test_the_design_check_refuses_a_city_that_lost_its_story():
    flat = {n.id: (np.full(3, 10.0), np.full(3, 15.0)) for n in datasets._city.NEIGHBOURHOODS}
    flat["N05"] = (np.full(3, 20.0), np.full(3, 25.0))
    stations = pd.read_csv(datasets.path("stations"))
    with pytest.raises(ValueError, match=r"highest true PM2.5 \(found N05\)"):
        _generate._check_story(flat, stations)


def test_a_station_outside_its_neighbourhood_is_refused(monkeypatch):
    geometry = datasets._city.build_geometry(datasets.DEFAULT_SEED)
    wrong = _sensors.Station("S99", "purpleair", "N08", ("xy", 100.0, 100.0), "PA-II", "x", "y", 1)
    monkeypatch.setattr(_sensors, "STATIONS", (wrong,))
    with pytest.raises(ValueError, match=r"Station S99 .* is in N01 neighbourhood"):
        _sensors.positions(geometry)


def test_the_command_line_regenerates_with_a_seed(monkeypatch, capsys, tmp_path):
    from toolkit.datasets import __main__ as cli

    calls = []

    def fake(folder, *, seed):
        calls.append((folder, seed))
        return {"city/demographics.csv.gz": {"bytes": 2_500_000}}

    monkeypatch.setattr(datasets, "generate", fake)
    assert cli.main(["--out", str(tmp_path), "--seed", "7"]) == 0
    assert calls == [(str(tmp_path), 7)]
    assert "Wrote 1 files, 2.5 MB, seed 7" in capsys.readouterr().out
    assert cli.main([]) == 0
    assert calls[-1] == (None, datasets.DEFAULT_SEED)
