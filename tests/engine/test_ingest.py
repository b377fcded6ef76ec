"""The DuckDB engine's ingest: same ledger, readings and sensors as the pandas readers.

Every comparison loads the same files through both paths (``engine="pandas"``, the
readers as they are, and ``engine="duckdb"``) and compares every ledger field, the
sorted readings (ids, UTC times, variables, values, units) and the sensors table. The
engine adds one note per record saying which path read the file; it is compared apart.
"""

from __future__ import annotations

import dataclasses
import gzip
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from tests.engine.archive import HEADERS, write_archive
from toolkit._errors import EmptyFileError
from toolkit.engine import LazySensorData
from toolkit.engine._ingest import ENGINE_NOTE, FALLBACK_NOTE

DATA = Path(__file__).parent.parent / "data"
ROOT = Path(__file__).parent.parent.parent
COLUMNS = ["sensor_id", "time", "variable", "value", "unit"]

pytestmark = pytest.mark.filterwarnings("ignore:.*partly read:UserWarning")


def _engine_notes(record) -> list[str]:
    return [n for n in record.notes if n.startswith((ENGINE_NOTE, FALLBACK_NOTE))]


def _without_engine_notes(record):
    notes = [n for n in record.notes if not n.startswith((ENGINE_NOTE, FALLBACK_NOTE))]
    return dataclasses.replace(record, notes=notes, exception=None)


def _sorted_readings(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[COLUMNS].astype({"sensor_id": str, "variable": str, "unit": str})
    return out.sort_values(COLUMNS).reset_index(drop=True)


def _both(paths, tmp_path: Path, **options):
    pandas_data = toolkit.load(paths, engine="pandas", progress=False, **options)
    lazy = toolkit.load(
        paths, engine="duckdb", progress=False, dataset=tmp_path / "dataset", **options
    )
    return pandas_data, lazy


def assert_same(pandas_data, lazy) -> dict[str, list[str]]:
    """Assert both paths agree; return each file's engine note (which path read it)."""
    assert isinstance(lazy, LazySensorData)
    assert [r.path for r in lazy.ledger] == [r.path for r in pandas_data.ledger]
    paths = {}
    for got, want in zip(lazy.ledger, pandas_data.ledger, strict=True):
        notes = _engine_notes(got)
        assert len(notes) == 1 or got.status in ("failed", "skipped"), got
        assert _without_engine_notes(got) == dataclasses.replace(want, exception=None), (
            f"{got}\n---- pandas reader:\n{want}"
        )
        paths[got.path] = notes
    pd.testing.assert_frame_equal(
        _sorted_readings(lazy.to_pandas().readings), _sorted_readings(pandas_data.readings)
    )
    left = lazy.sensors.sort_values("sensor_id").reset_index(drop=True)
    right = pandas_data.sensors.sort_values("sensor_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    return paths


def _fast(notes: dict[str, list[str]]) -> list[str]:
    return [p for p, n in notes.items() if n and n[0].startswith(ENGINE_NOTE)]


# -- equality with the pandas readers -------------------------------------------------
def test_real_archive_files_read_in_one_pass_equal_pandas(tmp_path):
    folder = DATA / "real" / "sensor_community"
    pandas_data, lazy = _both(folder, tmp_path)
    notes = assert_same(pandas_data, lazy)
    archive = [p for p in notes if not p.endswith(".json")]
    # Every real archive CSV (LF, CRLF and .csv.gz) is taken by the fast pass.
    assert sorted(_fast(notes)) == sorted(archive)
    assert len(archive) == 48


def test_synthetic_sensor_community_files_equal_pandas(tmp_path):
    pandas_data, lazy = _both(DATA / "sensor_community", tmp_path)
    notes = assert_same(pandas_data, lazy)
    # The 2018 archive file is plain; the 2016 one has offsets (+00:00) and
    # microseconds, madavi.de and JSON are other formats: those go to the readers.
    assert [Path(p).name for p in _fast(notes)] == ["2018-07-08_bme280_sensor_4711.csv"]
    slow = {Path(p).name: n[0] for p, n in notes.items() if n and n[0].startswith(FALLBACK_NOTE)}
    assert "2016-07-14_sds011_sensor_133.csv" in slow
    assert "not an archive CSV" in slow["data.json"]


def test_generated_files_with_quirks_equal_pandas(tmp_path):
    sensors = [(101, "SDS011", 48.137, 11.575), (102, "BME280", 48.137, 11.575)]
    sensors += [(103, "DHT22", 52.52, 13.405)]
    write_archive(tmp_path / "in", sensors, days=5, quirks=True, seed=7)
    write_archive(tmp_path / "in" / "gz", [(201, "SDS011", -33.45, -70.66)], days=2, gz=True)
    pandas_data, lazy = _both(tmp_path / "in", tmp_path)
    notes = assert_same(pandas_data, lazy)
    assert len(_fast(notes)) == len(notes) > 10
    reasons = {r for rec in lazy.ledger for r in rec.readings_dropped}
    rows = {r for rec in lazy.ledger for r in rec.rows_dropped}
    # The quirks really are there, so the comparison covers them.
    assert {"empty field", "missing-value code 'nan'", "missing-value code 'NaN'"} <= reasons
    assert {"missing-value code 'unavailable'", "not a number"} <= reasons
    assert "empty row repeating the timestamp of a row with values" in rows
    assert "no measurement values (all fields empty or missing codes)" in rows
    assert any("repeat the timestamp" in n for rec in lazy.ledger for n in rec.notes)
    pressure = lazy.select(variables="pressure").to_pandas().readings
    assert set(pressure["unit"]) == {"hPa"}
    assert 900 < pressure["value"].median() < 1100  # Pa -> hPa


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


SDS = HEADERS["SDS011"]


@pytest.mark.parametrize(
    ("name", "content", "fast"),
    [
        # Hand-written from the archive's description: what the fast pass takes ...
        ("plain.csv", f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.53;;;2.83;;\n", True),
        (
            "moved.csv",
            (
                f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n"
                "7;SDS011;10;1.6;2.5;2024-03-01T00:03:30;9.1;;;2.1;;\n"
            ),
            True,
        ),
        (
            "two_sensors.csv",
            (
                f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n"
                "8;SDS011;11;;;2024-03-01T00:01:02;unavailable;;;;;\n"
                "8;SDS011;11;;;2024-03-01T00:02:02;abc;;;1;;\n"
            ),
            True,
        ),
        (
            "crlf.csv",
            f"{SDS}\r\n7;SDS011;9;0;0;2024-03-01T00:01:02;1;;;2;;\r\n",
            True,
        ),
        (
            "blank_lines.csv",
            (
                f"{SDS}\n\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n\n\n"
                "7;SDS011;9;1.5;2.5;2024-03-01T00:03:02;9.1;;;2.1;;\n\n"
            ),
            True,
        ),
        ("no_newline.csv", f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;", True),
        (
            "crlf_blank.csv",
            f"{SDS}\r\n7;SDS011;9;0;0;2024-03-01T00:01:02;1;;;2;;\r\n\r\n",
            True,
        ),
        (
            "spaces_line.csv",
            f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n  \n",
            False,
        ),
        # ... and what it leaves to the pandas reader.
        ("comma.csv", f"{SDS}\n7;SDS011;9;1,5;2,5;2024-03-01T00:01:02;9,53;;;2,83;;\n", False),
        ("wide.csv", f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;;;\n", False),
        ("short.csv", f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5\n", False),
        (
            "joined.csv",
            (
                f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n"
                f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-02T00:01:02;9.1;;;2.1;;\n"
            ),
            False,
        ),
        ("sorted.csv", f"7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n{SDS}\n", False),
        (
            "latin1.csv",
            f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n".encode()
            + b"7;SDS011;9;1.5;2.5;2024-03-01T00:03:02;\xe9;;;2.8;;\n",
            False,
        ),
        ("spaces.csv", f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02; 9.5;;;2.8;;\n", False),
        ("ppd.csv", f"{SDS}\n7;PPD42NS;9;1.5;2.5;2024-03-01T00:01:02;900;;;280;;\n", False),
        ("header_only.csv", f"{SDS}\n", False),
        (
            "bad_time.csv",
            (
                f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n"
                "7;SDS011;9;1.5;2.5;2024-13-01T00:01:02;9.5;;;2.8;;\n"
            ),
            False,
        ),
        (
            "utf16.csv",
            f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.5;;;2.8;;\n".encode("utf-16"),
            False,
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:.*could not be read:UserWarning")
def test_each_quirk_is_read_as_the_pandas_reader_reads_it(tmp_path, name, content, fast):
    good = _write(
        tmp_path / "in" / "a_good.csv", f"{SDS}\n5;SDS011;1;1;1;2024-03-01T00:00:00;1;;;2;;\n"
    )
    odd = _write(tmp_path / "in" / name, content)
    pandas_data, lazy = _both([good, odd], tmp_path)
    notes = assert_same(pandas_data, lazy)
    assert str(good) in _fast(notes)
    assert (str(odd) in _fast(notes)) is fast, notes[str(odd)]


def test_files_in_many_batches_and_headers_equal_pandas(tmp_path, monkeypatch):
    import toolkit.engine._ingest as ingest_module

    sensors = [(101, "SDS011", 48.137, 11.575), (102, "BME280", 48.137, 11.575)]
    sensors += [(103, "DHT22", 52.52, 13.405)]
    write_archive(tmp_path / "in", sensors, start=date(2024, 1, 28), days=6, quirks=True, seed=3)
    write_archive(tmp_path / "in" / "gz", [(201, "SDS011", -33.45, -70.66)], days=2, gz=True)
    _write(tmp_path / "in" / "crlf.csv", f"{SDS}\r\n7;SDS011;9;0;0;2024-03-01T00:01:02;1;;;2;;\r\n")
    # A batch holds a file or two: every batch and header is read and written apart.
    monkeypatch.setattr(ingest_module, "_BATCH_BYTES", 20_000)
    pandas_data, lazy = _both(tmp_path / "in", tmp_path)
    notes = assert_same(pandas_data, lazy)
    assert len(_fast(notes)) == len(notes) > 15
    files = list((tmp_path / "dataset" / "readings").rglob("*.parquet"))
    months = {f.parent for f in files}
    assert len(files) > 2 * len(months)
    assert not (tmp_path / "dataset" / "_staged").exists()


def test_rows_numbered_by_duckdb_give_the_same_result(tmp_path, monkeypatch):
    """The fallback of the row order check (explicit row numbers) reads as pandas does."""
    import toolkit.engine._ingest as ingest_module

    def numbered(con, names, path):
        con.execute(ingest_module._stage_sql(str(path), names, numbered=True))
        return "rn"

    write_archive(
        tmp_path / "in",
        [(101, "SDS011", 48.1, 11.5), (102, "BME280", 48.1, 11.5)],
        days=3,
        quirks=True,
        seed=11,
    )
    monkeypatch.setattr(ingest_module, "_stage", numbered)
    notes = assert_same(*_both(tmp_path / "in", tmp_path))
    assert len(_fast(notes)) == len(notes) > 4


def test_a_block_duckdb_cannot_read_is_split_until_the_file_is_found(tmp_path, monkeypatch):
    import duckdb

    import toolkit.engine._ingest as ingest_module

    write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], days=4, seed=4)
    culprit = _write(
        tmp_path / "in" / "x_culprit.csv",
        f"{SDS}\n666;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9;;;2;;\n",
    )
    stage = ingest_module._stage

    def failing(con, names, path):
        if b";666;SDS011" in Path(path).read_bytes():
            raise duckdb.InvalidInputException("a line DuckDB cannot read")
        return stage(con, names, path)

    monkeypatch.setattr(ingest_module, "_stage", failing)
    notes = assert_same(*_both(tmp_path / "in", tmp_path))
    assert str(culprit) not in _fast(notes)
    assert "DuckDB could not read it (a line DuckDB cannot read)" in notes[str(culprit)][0]
    assert len(_fast(notes)) == len(notes) - 1 >= 3


def test_every_readings_file_has_the_same_schema(tmp_path):
    import pyarrow.parquet as pq

    folder = DATA / "sensor_community"  # fast-pass and pandas-read files
    lazy = toolkit.load(folder, engine="duckdb", progress=False, dataset=tmp_path / "ds")
    notes = {r.path: _engine_notes(r) for r in lazy.ledger}
    assert any(n and n[0].startswith(FALLBACK_NOTE) for n in notes.values())
    assert _fast(notes)
    schemas = {str(pq.read_schema(f)) for f in (tmp_path / "ds" / "readings").rglob("*.parquet")}
    assert len(schemas) == 1, schemas
    assert "not null" not in schemas.pop()


def test_gz_archive_file_equal_pandas(tmp_path):
    text = f"{SDS}\n7;SDS011;9;1.5;2.5;2024-03-01T00:01:02;9.53;;;nan;;\n"
    path = _write(tmp_path / "in" / "day.csv.gz", gzip.compress(text.encode()))
    damaged = _write(tmp_path / "in" / "cut.csv.gz", gzip.compress(text.encode())[:30])
    with pytest.warns(UserWarning, match="could not be read"):
        pandas_data = toolkit.load(tmp_path / "in", engine="pandas", progress=False)
    with pytest.warns(UserWarning, match="could not be read"):
        lazy = toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    notes = assert_same(pandas_data, lazy)
    assert _fast(notes) == [str(path)]
    assert lazy.ledger[0].path.endswith(damaged.name)
    assert lazy.ledger[0].status == "failed"


def test_sensor_timezone_and_history_say_which_path_ran(tmp_path):
    write_archive(tmp_path / "in", [(101, "SDS011", 48.137, 11.575)], days=2)
    pandas_data, lazy = _both(tmp_path / "in", tmp_path, sensor_timezone="Asia/Tokyo")
    assert_same(pandas_data, lazy)
    assert set(lazy.sensors["timezone"]) == {"Asia/Tokyo"}
    assert len(pandas_data.history) == 0
    assert [s.name for s in lazy.history] == ["load"]
    assert lazy.history[0].parameters["engine"] == "duckdb"


def test_file_timezone_goes_to_the_pandas_reader(tmp_path):
    write_archive(tmp_path / "in", [(101, "SDS011", 48.137, 11.575)], days=2)
    pandas_data, lazy = _both(tmp_path / "in", tmp_path, file_timezone="Europe/Berlin")
    notes = assert_same(pandas_data, lazy)
    assert not _fast(notes)


# -- the dataset ----------------------------------------------------------------------
def test_dataset_layout_is_hive_partitioned_by_source_and_month(tmp_path):
    write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], start=date(2024, 1, 30), days=3)
    lazy = toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    months = sorted(p.name for p in (tmp_path / "ds" / "readings").glob("source=*/month=*"))
    assert months == ["month=2024-01", "month=2024-02"]
    assert (tmp_path / "ds" / "readings" / "source=Sensor.Community").is_dir()
    for name in ("sensors.parquet", "ledger.json", "history.json", "manifest.json"):
        assert (tmp_path / "ds" / name).is_file()
    types = dict(zip(lazy.relation().columns, map(str, lazy.relation().types), strict=True))
    assert types == {
        "sensor_id": "VARCHAR",
        "time": "TIMESTAMP WITH TIME ZONE",
        "variable": "VARCHAR",
        "value": "DOUBLE",
        "unit": "VARCHAR",
        "channel": "VARCHAR",
    }


def test_second_load_reuses_the_dataset_and_a_changed_file_is_read_again(tmp_path, monkeypatch):
    files = write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], days=3, seed=2)
    first = toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    import toolkit.engine._ingest as ingest_module

    def refuse(*args, **kwargs):
        raise AssertionError("a CSV was read again")

    with monkeypatch.context() as patch:
        patch.setattr(ingest_module, "_scan", refuse)
        patch.setattr(ingest_module, "_stage", refuse)
        again = toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    assert len(again) == len(first)
    assert [dataclasses.replace(r, exception=None) for r in again.ledger] == [
        dataclasses.replace(r, exception=None) for r in first.ledger
    ]
    # Change one file: one row fewer; the dataset is rebuilt from the files.
    lines = files[0].read_text().splitlines()
    files[0].write_text("\n".join(lines[:-1]) + "\n")
    changed = toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    assert changed.ledger[0].rows_read == first.ledger[0].rows_read - 1
    assert len(changed) < len(first)


def test_default_dataset_goes_under_the_toolkit_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("URBAN_TOOLKIT_CACHE", str(tmp_path / "cache"))
    write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], days=1)
    lazy = toolkit.load(tmp_path / "in", engine="duckdb")
    assert lazy.folder.is_relative_to(tmp_path / "cache")
    assert toolkit.load(tmp_path / "in", engine="duckdb").folder == lazy.folder


def test_auto_uses_the_engine_only_for_large_inputs(tmp_path, monkeypatch):
    import toolkit.loading

    write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], days=3)
    small = toolkit.load(tmp_path / "in", progress=False)
    assert type(small).__name__ == "SensorData"
    monkeypatch.setattr(toolkit.loading, "ENGINE_FROM_FILES", 2)
    large = toolkit.load(tmp_path / "in", progress=False, dataset=tmp_path / "ds")
    assert isinstance(large, LazySensorData)
    monkeypatch.setattr(toolkit.loading, "ENGINE_FROM_FILES", 1000)
    monkeypatch.setattr(toolkit.loading, "ENGINE_FROM_BYTES", 100)
    assert isinstance(toolkit.load(tmp_path / "in", dataset=tmp_path / "ds2"), LazySensorData)


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be"):
        toolkit.load(DATA / "sensor_community", engine="spark")


def test_one_unreadable_file_raises_its_own_error_on_both_paths(tmp_path):
    path = _write(tmp_path / "only.csv", f"{SDS}\n")
    with pytest.raises(EmptyFileError, match="no data rows"):
        toolkit.load(path, engine="pandas")
    with pytest.raises(EmptyFileError, match="no data rows"):
        toolkit.load(path, engine="duckdb", dataset=tmp_path / "ds")


def test_progress_bars_while_ingesting(tmp_path, capsys):
    write_archive(tmp_path / "in", [(101, "SDS011", 48.1, 11.5)], days=7, seed=1)
    toolkit.load(tmp_path / "in", engine="duckdb", dataset=tmp_path / "ds")
    err = capsys.readouterr().err
    assert "Scanning files" in err
    assert "Reading with DuckDB" in err


# -- memory ---------------------------------------------------------------------------
def test_a_year_of_two_stations_ingests_under_1_gb(tmp_path):
    """2 stations x (SDS011 + BME280) x 365 days: about 1,400 files, 2 M readings."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from datetime import date
        from pathlib import Path
        from tests.engine.archive import write_archive
        import toolkit
        sensors = [(1, "SDS011", 48.10, 11.50), (2, "BME280", 48.10, 11.50),
                   (3, "SDS011", 48.20, 11.60), (4, "BME280", 48.20, 11.60)]
        files = write_archive(Path({str(tmp_path / "year")!r}), sensors,
                              start=date(2023, 1, 1), days=365, seed=5)
        data = toolkit.load(files, engine="duckdb", progress=False,
                            dataset={str(tmp_path / "ds")!r})
        print(len(files), len(data))
        """
    )
    script = tmp_path / "year.py"
    script.write_text(code)
    runner = textwrap.dedent(
        f"""
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, {str(script)!r}], capture_output=True,
                              text=True, env={{"URBAN_TOOLKIT_MEMORY": "600MB",
                              "URBAN_TOOLKIT_CACHE": {str(tmp_path / "cache")!r},
                              "PATH": ""}})
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(done.returncode, done.stdout.strip(), peak, done.stderr[-2000:])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", runner], capture_output=True, text=True, check=True, cwd=ROOT
    )
    returncode, n_files, n_readings, peak, *_ = result.stdout.split(maxsplit=4)
    assert returncode == "0", result.stdout
    assert int(n_files) > 1300
    assert int(n_readings) > 1_800_000
    assert int(peak) < 1_000_000_000, f"peak RSS {int(peak) / 1e6:.0f} MB"


def test_import_toolkit_loads_no_engine():
    code = (
        "import sys, toolkit, toolkit.engine; toolkit.load; "
        "print([m for m in ('duckdb', 'pandas') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
