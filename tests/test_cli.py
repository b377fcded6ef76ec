"""The urban-toolkit command: inspect, variables, sources, exit codes."""

import subprocess
import sys

import pytest

from toolkit.cli import main

SC_ARCHIVE = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;\n"
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;;;;;;\n"
)


def test_inspect_prints_summary_and_ledger(tmp_path, capsys):
    path = tmp_path / "2017-08-30_sds011_sensor_5331.csv"
    path.write_text(SC_ARCHIVE)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 readings from 1 sensor(s)" in out
    assert "rows: 2 read = 1 kept + 1 dropped (empty row repeating the timestamp" in out
    assert "sensor_community/archive_csv" in out


def test_inspect_fails_loudly_on_unreadable_files(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert main(["inspect", str(path)]) == 1
    err = capsys.readouterr().err
    assert "The file is empty." in err
    assert "What to do" in err


def test_inspect_reports_partial_failures_with_exit_code_1(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(SC_ARCHIVE)
    (tmp_path / "bad.csv").write_text("")
    assert main(["inspect", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "failed" in captured.out
    assert "could not be read" in captured.err


def test_variables_and_sources(capsys):
    assert main(["variables"]) == 0
    out = capsys.readouterr().out
    assert "pm25_cf1" in out
    assert "energy_mean" in out
    assert main(["sources"]) == 0
    assert "sensor_community" in capsys.readouterr().out


def test_datasets_lists_the_teaching_city(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "streets" in out
    assert "neighbourhoods" in out


def test_bad_command_line_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2


def test_console_script_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("urban-toolkit ")
