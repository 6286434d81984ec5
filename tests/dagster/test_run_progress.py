"""What `critmin run` shows and how its checks stay cheap: dbt's output goes to the log with a
progress count, GX validates only the rows that decide each rule (same verdict as every row), and
the dbt documentation's catalog is read in this process and matched to the manifest as dbt does."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest

from orchestration import dbt_docs, expectations, progress

FRAME_SQL = "select * from marts.t"


def _suite():
    return expectations._suite(
        "deciding_rows_test",
        [
            *expectations._not_null(["k", "share"]),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["k", "year"]),
            gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=["ore", "metal"]),
            expectations._between("share", 0, 1),
            expectations._between("hhi_gap", -expectations.TOLERANCE, None),
        ],
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """10,000 rows that meet every rule: k 0..9999, year 2000..2009, shares in [0.1, 0.9]."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select i as k, 2000 + i % 10 as year, "
        "case when i % 2 = 0 then 'ore' else 'metal' end as stage, "
        "0.1 + (i % 81) / 100 as share, (i % 7) / 10 as hhi_gap from range(10000) as r(i)"
    )
    return con


def _outcomes(con: duckdb.DuckDBPyConnection):
    suite = _suite()
    every_row = expectations.validate(con.sql(FRAME_SQL).df(), suite)
    deciding = con.sql(expectations.deciding_rows_sql(FRAME_SQL, suite)).df()
    return every_row, expectations.validate(deciding, suite), len(deciding)


def _rules(outcome: expectations.SuiteOutcome) -> list[str]:
    return [failure.split(":")[0] for failure in outcome.failures]


def test_deciding_rows_pass_like_every_row_and_are_few(con: duckdb.DuckDBPyConnection) -> None:
    every_row, deciding, rows = _outcomes(con)
    assert every_row.success and deciding.success
    # 2 extremes x 2 range columns + 2 stages, some of them the same rows: at most 6 of 10,000.
    assert 1 <= rows <= 6


@pytest.mark.parametrize(
    ("breakage", "rule"),
    [
        (
            "update marts.t set share = 1.5 where k = 5123",
            "expect_column_values_to_be_between on share",
        ),
        (
            "update marts.t set hhi_gap = -0.2 where k = 77",
            "expect_column_values_to_be_between on hhi_gap",
        ),
        (
            "update marts.t set stage = 'oxide' where k = 4242",
            "expect_column_values_to_be_in_set on stage",
        ),
        (
            "update marts.t set share = null where k = 9000",
            "expect_column_values_to_not_be_null on share",
        ),
        (
            "update marts.t set k = 12 where k = 22",
            "expect_compound_columns_to_be_unique on ['k', 'year']",
        ),
    ],
)
def test_one_bad_row_among_many_fails_the_same_rule(
    con: duckdb.DuckDBPyConnection, breakage: str, rule: str
) -> None:
    con.execute(breakage)
    every_row, deciding, _ = _outcomes(con)
    assert _rules(every_row) == [rule]
    assert _rules(deciding) == [rule]


def test_dbt_output_counts_nodes_logs_every_line_and_shows_failures_in_full(tmp_path: Path) -> None:
    out, log = io.StringIO(), io.StringIO()
    display = progress.Display(out=out, log=log, bars=False)
    sink = progress.DbtOutput(display)
    sink.write(
        "Running with dbt=1.11.16\n"
        "1 of 3 START sql view model staging.a ........ [RUN]\n"
        "1 of 3 OK created sql view model staging.a ... [\x1b[32mOK\x1b[0m in 0.1s]\n"
        "2 of 3 START test not_null_a_x ............... [RUN]\n"
        "2 of 3 FAIL 2 not_null_a_x ................... [\x1b[31mFAIL 2\x1b[0m in 0.1s]\n"
        "3 of 3 START test unique_a_k ................. [RUN]\n3 of 3 PASS unique_a_k"
    )
    sink.write(
        " .... [PASS in 0.1s]\n\nCompleted with 1 error, 0 partial successes, and 0 warnings:\n"
    )
    sink.write(
        "\nFailure in test not_null_a_x (models/a.yml)\n"
        "  Got 2 results, configured to fail if != 0\n"
    )
    sink.write("\nDone. PASS=2 WARN=0 ERROR=1 SKIP=0 NO-OP=0 TOTAL=3\n")
    assert (sink.finished, sink.total) == (3, 3)
    assert sink.problems == ["2 of 3 FAIL 2 not_null_a_x ................... [FAIL 2 in 0.1s]"]
    shown = out.getvalue()
    assert "START" not in shown and "unique_a_k" not in shown
    assert "FAIL 2 not_null_a_x" in shown
    assert "Got 2 results, configured to fail if != 0" in shown
    logged = log.getvalue()
    assert logged.count("START") == 3 and "Done. PASS=2" in logged


def test_bars_only_on_a_terminal() -> None:
    out = io.StringIO()
    progress.Display(out=out, bars=False).bar("dbt build", 1, 3)
    assert out.getvalue() == ""
    progress.Display(out=out, bars=True).bar("dbt build", 1, 3)
    assert out.getvalue().endswith("] 1/3")


def test_session_sends_printed_output_to_the_log(tmp_path: Path) -> None:
    out = io.StringIO()
    log_file = tmp_path / "logs" / "run.log"
    with progress.session(log_file, out=out) as display:
        print("a line dbt printed")
        display.phase("ingest baci", "1 file(s)", 0.25)
    assert "a line dbt printed" not in out.getvalue()
    assert out.getvalue().startswith("  ingest baci")
    assert "(0.2 s, peak" in out.getvalue() or "(0.3 s, peak" in out.getvalue()
    text = log_file.read_text(encoding="utf-8")
    assert "a line dbt printed" in text and "ingest baci" in text
    assert not progress.in_session()


def _manifest_node(schema: str, alias: str) -> dict:
    return {"resource_type": "model", "database": "critmin", "schema": schema, "alias": alias}


def test_docs_catalog_matches_tables_views_and_sources_to_the_manifest(tmp_path: Path) -> None:
    """A warehouse with a table mart (two columns, commented), a staging view, a raw table named
    by a source and a table no node names. The catalog has the mart and the view under their
    node ids (the mart's alias in another case), the raw table under its source id, and nothing
    else; columns keep DuckDB's types, 1-based positions and comments."""
    database = tmp_path / "critmin.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts; create schema staging; create schema raw")
        con.execute("create table marts.m (year integer, share double)")
        con.execute("comment on table marts.m is 'Shares by year'")
        con.execute("comment on column marts.m.share is 'Share of imports'")
        con.execute("create view staging.v as select year from marts.m")
        con.execute("create table raw.trade (k varchar)")
        con.execute("create table raw.unnamed (x integer)")
    manifest = {
        "nodes": {
            "model.critmin.m": _manifest_node("marts", "M"),
            "model.critmin.v": _manifest_node("staging", "v"),
        },
        "sources": {
            "source.critmin.raw.trade": {
                "database": "CRITMIN",
                "schema": "raw",
                "identifier": "trade",
            }
        },
    }
    catalog = dbt_docs.build_catalog(database, manifest).to_dict(omit_none=False)
    assert sorted(catalog["nodes"]) == ["model.critmin.m", "model.critmin.v"]
    assert sorted(catalog["sources"]) == ["source.critmin.raw.trade"]
    mart = catalog["nodes"]["model.critmin.m"]
    assert mart["metadata"] == {
        "type": "BASE TABLE",
        "schema": "marts",
        "name": "m",
        "database": "critmin",
        "comment": "Shares by year",
        "owner": None,
    }
    assert mart["columns"] == {
        "year": {"type": "INTEGER", "index": 1, "name": "year", "comment": None},
        "share": {"type": "DOUBLE", "index": 2, "name": "share", "comment": "Share of imports"},
    }
    assert mart["stats"]["has_stats"]["value"] is False
    assert catalog["nodes"]["model.critmin.v"]["metadata"]["type"] == "VIEW"
    assert catalog["sources"]["source.critmin.raw.trade"]["unique_id"] == (
        "source.critmin.raw.trade"
    )


def test_dbt_build_lines_count_models_and_tests_from_run_results(tmp_path: Path) -> None:
    """Three nodes on two threads: a model (2.0 s), a data test that passed (0.5 s) and a unit
    test that failed (0.25 s): models 2.0 s, tests 0.75 s of node time."""
    from orchestration.defs.transform import report_dbt_build

    def result(uid: str, status: str, seconds: float, thread: str) -> dict:
        return {"unique_id": uid, "status": status, "execution_time": seconds, "thread_id": thread}

    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        json.dumps(
            {
                "results": [
                    result("model.critmin.m", "success", 2.0, "Thread-1"),
                    result("test.critmin.not_null_m_x", "pass", 0.5, "Thread-2"),
                    result("unit_test.critmin.m.u", "fail", 0.25, "Thread-1"),
                ]
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    with progress.session(tmp_path / "run.log", out=out):
        report_dbt_build(run_results, 3.5)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == "dbt models 1 models, 0 seeds: 1 success; 2.0 s node time".split()
    assert lines[1].split() == (
        "dbt tests 1 data tests, 1 unit tests: 1 fail, 1 pass; 0.8 s node time".split()
    )
    assert lines[2].startswith("  dbt build              3 nodes on 2 thread(s) (3.5 s, peak ")


def test_warnings_reach_the_display_only_within_a_run(tmp_path: Path) -> None:
    from orchestration.console import _ToDisplay

    record = logging.LogRecord("critmin", logging.WARNING, __file__, 1, "a warning", None, None)
    record.dagster_meta = {"step_key": "ingest_baci", "orig_message": "3 rows quarantined"}
    quiet = logging.LogRecord("critmin", logging.INFO, __file__, 1, "info", None, None)
    _ToDisplay().emit(record)  # no run: nothing to show, no error
    out = io.StringIO()
    with progress.session(tmp_path / "run.log", out=out):
        _ToDisplay().emit(record)
        _ToDisplay().emit(quiet)
    assert out.getvalue() == "  WARNING [ingest_baci]: 3 rows quarantined\n"
