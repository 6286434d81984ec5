"""The `critmin` command as a user runs it: help, query formats, errors that say what to do, and
the quick start is in test_starter.py."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from critmin import cli

REPO = Path(__file__).resolve().parents[2]


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.t as select * from (values "
            "(2023, 'IND', 0.5, date '2025-04-04'), (2024, 'USA', null, null)) "
            "as v(year, importer_iso3, share, effective_date)"
        )
    return path


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "demo-data", "query", "docs", "fetch", "report"):
        assert f"    {command}" in out


def test_version_names_critmin_and_its_stack(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith(f"critmin {metadata.version('critmin')} (")
    assert f"dbt-core {metadata.version('dbt-core')}" in printed
    assert f"duckdb {metadata.version('duckdb')}" in printed


def test_query_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    sql = "select * from marts.t order by year"
    assert cli.main(["query", sql, "--warehouse", str(warehouse)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["year", "importer_iso3", "share", "effective_date"]
    assert table[2].split() == ["2023", "IND", "0.5", "2025-04-04"]
    assert table[3].split() == ["2024", "USA", "NULL", "NULL"]
    assert table[-1] == "(2 rows)"

    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["year", "importer_iso3", "share", "effective_date"],
        ["2023", "IND", "0.5", "2025-04-04"],
        ["2024", "USA", "", ""],
    ]

    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"year": 2023, "importer_iso3": "IND", "share": 0.5, "effective_date": "2025-04-04"},
        {"year": 2024, "importer_iso3": "USA", "share": None, "effective_date": None},
    ]


def test_query_is_read_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    assert cli.main(["query", "drop table marts.t", "--warehouse", str(warehouse)]) == 1
    assert "read-only" in capsys.readouterr().err.lower()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.t").fetchone() == (2,)


def test_errors_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.duckdb"
    assert cli.main(["query", "select 1", "--warehouse", str(missing)]) == 2
    assert "critmin run" in capsys.readouterr().err
    assert cli.main(["run", "--data-dir", str(tmp_path / "absent")]) == 2
    assert "baci/" in capsys.readouterr().err
    assert cli.main(["docs", "--warehouse", str(missing)]) == 2
    assert "critmin run" in capsys.readouterr().err
    bad_sql = cli.main(["query", "select * from nowhere", "--warehouse", str(_warehouse(missing))])
    assert bad_sql == 1
    assert "nowhere" in capsys.readouterr().err


def test_the_command_ends_with_its_exit_code_and_all_of_its_output(tmp_path: Path) -> None:
    """`python -m critmin.cli` (as the installed `critmin` script, `critmin.cli:entry`) ends the
    process without tearing the interpreter down: what it printed into a pipe still arrives
    whole (100,000 rows: far more than one buffer), the exit code is `main`'s, and the exit
    handlers still run (an empty temporary folder that `tempfile` removes at exit is gone)."""
    warehouse = _warehouse(tmp_path / "w.duckdb")
    command = [sys.executable, "-m", "critmin.cli", "query", "--warehouse", str(warehouse)]
    done = subprocess.run(
        [*command, "select range as n from range(100000)", "--format", "csv"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "n" and lines[-1] == "99999" and len(lines) == 100_001

    failed = subprocess.run(
        [*command, "select no_such_column"], capture_output=True, text=True, cwd=REPO
    )
    assert failed.returncode == 1
    assert "no_such_column" in failed.stderr

    script = (
        "import sys, tempfile; from critmin import cli; "
        "held = tempfile.TemporaryDirectory(dir=sys.argv[1]); "
        "sys.argv[1:] = ['query', 'select 7 as n', '--warehouse', sys.argv[2]]; cli.entry()"
    )
    ended = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), str(warehouse)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert ended.returncode == 0 and "7" in ended.stdout, ended.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["w.duckdb"]
