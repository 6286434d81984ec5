"""The pieces of the spark engine and of its parity check that run without Spark: the raw tables
written as Parquet for the Spark target, the tables Spark writes copied back into DuckDB, and the
row-for-row comparison of the marts of two published warehouses.

The Spark build itself (`critmin run --engine spark`) runs in `make spark-parity` (CI), which
needs Java and the Spark extras.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from repo_paths import load_script

from orchestration.spark import (
    BuiltTable,
    SparkFolder,
    built_tables,
    export_raw_parquet,
    load_spark_tables,
)

parity = load_script("spark_parity")


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.baci_trade as select * from (values"
            " (2022, 156, 699, '280530', 10.5, 'BACI_HS17_Y2022_V202501.csv', 2),"
            " (2022, 842, 699, '280530', 2.25, 'BACI_HS17_Y2022_V202501.csv', 3),"
            " (2023, 156, 699, '280530', 7.0, 'BACI_HS17_Y2023_V202501.csv', 2))"
            " v(year, exporter_code, importer_code, hs6, value_usd, source_file, source_line)"
        )
        con.execute(
            "create table raw.policy_events as select * from (values"
            " ('E1', ['dysprosium', 'terbium']), ('E2', []::varchar[]), ('E3', null))"
            " v(event_id, elements)"
        )


def test_raw_tables_are_written_as_parquet_folders_with_baci_by_year(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _warehouse(warehouse)
    folder = SparkFolder(tmp_path / "spark")

    written = export_raw_parquet(warehouse, folder, echo=lambda line: None)

    assert written == {"baci_trade": 3, "policy_events": 3}
    years = sorted(path.name for path in (folder.raw / "baci_trade").iterdir())
    assert years == ["year=2022", "year=2023"]
    assert [path.name for path in (folder.raw / "policy_events").iterdir()] == ["part-0.parquet"]
    with duckdb.connect() as con:
        trade = con.execute(
            f"select year, exporter_code, value_usd, source_line from read_parquet("
            f"'{folder.raw}/baci_trade/*/*.parquet', hive_partitioning = true) order by all"
        ).fetchall()
        events = con.execute(
            f"select event_id, elements from read_parquet('{folder.raw}/policy_events/*.parquet')"
            " order by event_id"
        ).fetchall()
    assert trade == [(2022, 156, 10.5, 2), (2022, 842, 2.25, 3), (2023, 156, 7.0, 2)]
    assert events == [("E1", ["dysprosium", "terbium"]), ("E2", []), ("E3", None)]

    # A second export replaces the folders whole: a year no longer in raw leaves no folder.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw.baci_trade where year = 2023")
    export_raw_parquet(warehouse, folder, echo=lambda line: None)
    assert sorted(path.name for path in (folder.raw / "baci_trade").iterdir()) == ["year=2022"]


def _spark_wrote(folder: SparkFolder, schema: str, name: str, rows_sql: str, parts: int) -> None:
    """Parquet files as Spark writes a table: `parts` part files in `<schema>.db/<name>/`, beside
    a `_SUCCESS` marker."""
    location = folder.table(schema, name)
    location.mkdir(parents=True)
    (location / "_SUCCESS").write_text("")
    with duckdb.connect() as con:
        con.execute(f"create table t as {rows_sql}")
        total = con.execute("select count(*) from t").fetchone()[0]
        for part in range(parts):
            con.execute(
                f"copy (select * from t limit {total // parts + 1} offset "
                f"{part * (total // parts + 1)}) to "
                f"'{location}/part-{part:05d}-c000.snappy.parquet' (format parquet)"
            )


def test_the_tables_spark_wrote_are_copied_into_the_build_file_with_their_descriptions(tmp_path):
    folder = SparkFolder(tmp_path / "spark")
    _spark_wrote(
        folder,
        "marts",
        "m",
        "select * from (values ('IND', 2022, 0.25::double, ['CHN', 'USA']),"
        " ('IND', 2023, null, []), ('USA', 2023, 1.5, null))"
        " v(importer_iso3, year, share, suppliers)",
        parts=2,
    )
    _spark_wrote(folder, "seeds", "s", "select 'it''s' as label", parts=1)
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.m as select 'stale' as importer_iso3")
        con.execute("create schema raw")
        con.execute("create table raw.r as select 1 as x")

    copied = load_spark_tables(
        build,
        folder,
        [
            BuiltTable("marts", "m", "Shares by importer.", {"share": "The share, 0..1."}),
            BuiltTable("seeds", "s", "", {"label": "", "gone": "not in the table"}),
        ],
    )

    assert copied == {"marts.m": 3, "seeds.s": 1}
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute("select * from marts.m order by year, importer_iso3").fetchall()
        types = con.execute("select column_name, column_type from (describe marts.m)").fetchall()
        comments = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where schema_name in ('marts', 'seeds') order by all"
        ).fetchall()
        column_comments = con.execute(
            "select column_name, comment from duckdb_columns() "
            "where table_name = 'm' and comment is not null"
        ).fetchall()
        raw = con.execute("select x from raw.r").fetchall()
    assert rows == [
        ("IND", 2022, 0.25, ["CHN", "USA"]),
        ("IND", 2023, None, []),
        ("USA", 2023, 1.5, None),
    ]
    assert types == [
        ("importer_iso3", "VARCHAR"),
        ("year", "INTEGER"),
        ("share", "DOUBLE"),
        ("suppliers", "VARCHAR[]"),
    ]
    assert comments == [("marts", "m", "Shares by importer."), ("seeds", "s", None)]
    assert column_comments == [("share", "The share, 0..1.")]
    assert raw == [(1,)]  # what Spark did not build is left alone


def test_a_table_spark_did_not_write_is_an_error_that_names_it_and_changes_nothing(tmp_path):
    folder = SparkFolder(tmp_path / "spark")
    _spark_wrote(folder, "marts", "m", "select 1 as x", parts=1)
    folder.table("marts", "empty").mkdir(parents=True)
    build = tmp_path / "build.duckdb"
    duckdb.connect(str(build)).close()

    with pytest.raises(RuntimeError, match=r"wrote no Parquet files for marts\.empty"):
        load_spark_tables(build, folder, [BuiltTable("marts", "m"), BuiltTable("marts", "empty")])
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from duckdb_tables()").fetchone()[0] == 0


def test_the_tables_a_build_writes_are_its_seeds_and_its_models_built_as_tables():
    def node(kind: str, name: str, materialized: str, **extra: object) -> dict:
        return {
            "resource_type": kind,
            "name": name,
            "schema": {"seed": "seeds", "model": "marts"}.get(kind, "main"),
            "config": {"materialized": materialized},
            **extra,
        }

    manifest = {
        "nodes": {
            "seed.critmin.s": node("seed", "s", "seed", description="A seed."),
            "model.critmin.v": node("model", "v", "view"),
            "model.critmin.m": node(
                "model",
                "m",
                "table",
                alias="m_alias",
                columns={"a": {"description": "A."}, "b": {}},
            ),
            "model.critmin.e": node("model", "e", "ephemeral"),
            "test.critmin.t": node("test", "t", "test"),
        }
    }
    assert list(built_tables(manifest)) == [
        BuiltTable("seeds", "s", "A seed.", {}),
        BuiltTable("marts", "m_alias", "", {"a": "A.", "b": ""}),
    ]


def _two_runs(tmp_path: Path, spark_rows: str, spark_types: str = "") -> tuple[Path, Path]:
    """The warehouses published by a DuckDB run (marts.m) and a Spark run (marts.m holding
    `spark_rows`, columns in another order)."""
    duck, spark = tmp_path / "duckdb.duckdb", tmp_path / "spark.duckdb"
    with duckdb.connect(str(duck)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.m as select * from (values"
            " ('IND', 2022, 0.25, ['CHN', 'USA']), ('IND', 2023, 1.0 / 3, ['CHN']),"
            " ('USA', 2023, null, []::varchar[]))"
            " v(importer_iso3, year, share, suppliers)"
        )
    with duckdb.connect(str(spark)) as con:
        con.execute("create schema marts")
        con.execute(
            f"create table marts.m as select * {spark_types} from (select year::integer as year,"
            " importer_iso3, suppliers::varchar[] as suppliers, share::double as share"
            f" from (values {spark_rows}) v(year, importer_iso3, suppliers, share))"
        )
    return duck, spark


def _compare(duck: Path, spark: Path, mart: str = "m") -> str | None:
    with duckdb.connect(str(duck), read_only=True) as con:
        con.execute(f"attach '{spark}' as {parity.SPARK} (read_only)")
        return parity.compare_table(con, mart)


SAME_ROWS_SHUFFLED = (
    "(2023, 'USA', []::varchar[], null),"
    " (2023, 'IND', ['CHN'], 0.33333333333333337),"  # 1e-16 off: within 1e-9 relative
    " (2022, 'IND', ['CHN', 'USA'], 0.25)"
)


def test_marts_holding_the_same_rows_in_another_order_are_identical(tmp_path):
    assert _compare(*_two_runs(tmp_path, SAME_ROWS_SHUFFLED)) is None


@pytest.mark.parametrize(
    ("spark_rows", "expected"),
    [
        (
            "(2023, 'USA', []::varchar[], null), (2023, 'IND', ['CHN'], 0.3333334::double),"
            " (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "differs in share: DuckDB 0.3333333333333333, Spark 0.3333334",
        ),
        (
            "(2023, 'USA', []::varchar[], 0.0), (2023, 'IND', ['CHN'], 1.0 / 3),"
            " (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "differs in share: DuckDB None, Spark 0.0",
        ),
        (
            "(2023, 'USA', []::varchar[], null), (2023, 'IND', ['CHN'], 1.0 / 3),"
            " (2022, 'IND', ['USA', 'CHN'], 0.25)",
            "differs in suppliers: DuckDB ['CHN', 'USA'], Spark ['USA', 'CHN']",
        ),
        (
            "(2023, 'IND', ['CHN'], 1.0 / 3), (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "3 rows on DuckDB, 2 on Spark",
        ),
    ],
)
def test_a_mart_that_differs_on_spark_is_reported_with_the_column_and_values(
    tmp_path, spark_rows, expected
):
    problem = _compare(*_two_runs(tmp_path, spark_rows))
    assert problem is not None and expected in problem


def test_a_column_of_another_type_on_spark_is_reported(tmp_path):
    # The same values, but the year as BIGINT (Spark's type of an uncast row_number()).
    duck, spark = _two_runs(tmp_path, SAME_ROWS_SHUFFLED, "replace (year::bigint as year)")
    problem = _compare(duck, spark)
    assert problem is not None and "('year', 'BIGINT')" in problem


def test_a_mart_missing_on_spark_is_reported(tmp_path):
    duck, spark = _two_runs(tmp_path, SAME_ROWS_SHUFFLED)
    with duckdb.connect(str(duck)) as con:
        con.execute("create table marts.other as select 1 as x")
    assert "no table other in the Spark run's warehouse" in _compare(duck, spark, "other")
    assert parity.compare_marts(duck, spark, "t") == 1


def _ingest_on_the_spark_engine(landing: Path, serving: Path, engine: str = "spark") -> Path:
    """Run the ingest assets of the full-refresh job with the settings of `critmin run --engine
    spark` (no Spark needed: ingest writes Parquet with polars); returns the build file."""
    import dagster as dg

    from orchestration.definitions import build_defs
    from orchestration.defs import ingest
    from orchestration.defs.schedules import FULL_REFRESH_JOB, refresh_request
    from orchestration.settings import resolve_settings

    settings = resolve_settings(data_dir=landing, warehouse=serving, engine=engine)
    with dg.DagsterInstance.ephemeral() as instance:
        job = build_defs(settings).resolve_job_def(FULL_REFRESH_JOB)
        raw = [key for key in job.asset_layer.executable_asset_keys if key.path[0] == "raw"]
        request = refresh_request(instance, landing, raw)
        if ingest.TRADE_KEY in raw and not request.tags:
            raw.remove(ingest.TRADE_KEY)
        result = job.execute_in_process(instance=instance, tags=request.tags, asset_selection=raw)
    assert result.success
    return settings.build_warehouse


def _parquet_equals_duckdb(build: Path, raw_dir: Path) -> dict[str, int]:
    """Assert that every raw table of the registry is in `raw_dir` as Parquet with the rows and
    column types of the DuckDB raw table; returns the rows per table."""
    from ingest import registry

    rows = {}
    with duckdb.connect(str(build), read_only=True) as con:
        for table in registry.raw_tables():
            files = f"{raw_dir}/{table.name}/**/*.parquet"
            parquet = f"read_parquet('{files}', hive_partitioning = true, union_by_name = true)"
            columns = [row[0] for row in con.execute(f"describe raw.{table.name}").fetchall()]
            selected = ", ".join(f'"{c}"' for c in columns)
            duck_types = con.execute(f"describe select {selected} from raw.{table.name}").fetchall()
            file_types = con.execute(f"describe select {selected} from {parquet}").fetchall()
            # The partition column is read from the folder name, typed by DuckDB's own guess.
            skip = {table.partitioned_by}
            assert [t[:2] for t in duck_types if t[0] not in skip] == [
                t[:2] for t in file_types if t[0] not in skip
            ], table.name
            duck_sql = f"select {selected} from raw.{table.name}"
            file_sql = f"select {selected} from {parquet}"
            for first, second in ((duck_sql, file_sql), (file_sql, duck_sql)):
                extra = con.execute(f"({first}) except all ({second})").fetchall()
                assert extra == [], (table.name, extra[:3])
            rows[table.name] = con.execute(f"select count(*) from ({file_sql})").fetchone()[0]
    return rows


def test_ingest_on_the_spark_engine_writes_every_raw_table_as_parquet_as_loaded(tmp_path):
    """The tiny landing directory: one BACI year (2023: 6 rows in the critical-mineral scope of
    7, one quarantined), the USGS rare-earth file, the register; no Comtrade, WGI or World Mining
    Data folder, whose tables are written empty. Then 2022 lands and 2023 leaves: 2022 gets its
    folder, 2023's is removed."""
    from landing_fixtures import BACI_ROWS, tiny_landing

    landing = tiny_landing(tmp_path / "landing")
    serving = tmp_path / "critmin.duckdb"
    build = _ingest_on_the_spark_engine(landing, serving)
    raw_dir = SparkFolder(resolve_spark_dir(serving)).raw

    rows = _parquet_equals_duckdb(build, raw_dir)
    assert rows["baci_trade"] == 5  # 7 data rows: the horses are out of scope, 999 quarantined
    assert rows["comtrade_records"] == 0 and (raw_dir / "comtrade_records").is_dir()
    trade = raw_dir / "baci_trade"
    assert sorted(p.name for p in trade.iterdir()) == ["year=2023"]
    assert not (raw_dir / "baci_trade" / "year=2023" / "year").exists()

    # A run on the duckdb engine reloads a republished 2023 into the build file only; the next
    # run on the spark engine sees that the Parquet of 2023 was written from the old file.
    baci_file = landing / "baci" / "BACI_HS17_Y2023_V202501.csv"
    baci_file.write_text(baci_file.read_text().replace("600.000", "650.000"))
    _ingest_on_the_spark_engine(landing, serving, engine="duckdb")
    _ingest_on_the_spark_engine(landing, serving)
    _parquet_equals_duckdb(build, raw_dir)
    with duckdb.connect() as con:
        assert con.execute(
            f"select max(value_usd) from '{trade}/year=2023/*.parquet'"
        ).fetchone() == (650_000.0,)

    # A year lands, another leaves: only the new year is read; the gone year's folder goes.
    (landing / "baci" / "BACI_HS17_Y2023_V202501.csv").rename(
        landing / "baci" / "BACI_HS17_Y2022_V202501.csv"
    )
    rows_2022 = [BACI_ROWS[0], *(row.replace("2023,", "2022,", 1) for row in BACI_ROWS[1:])]
    (landing / "baci" / "BACI_HS17_Y2022_V202501.csv").write_text("\n".join(rows_2022) + "\n")
    _ingest_on_the_spark_engine(landing, serving)
    assert sorted(p.name for p in trade.iterdir()) == ["year=2022"]
    assert _parquet_equals_duckdb(build, raw_dir)["baci_trade"] == 5

    # No year left: the table is one file of no rows, with every column.
    (landing / "baci" / "BACI_HS17_Y2022_V202501.csv").unlink()
    _ingest_on_the_spark_engine(landing, serving)
    assert sorted(p.name for p in trade.iterdir()) == ["part-0.parquet"]
    assert _parquet_equals_duckdb(build, raw_dir)["baci_trade"] == 0


def resolve_spark_dir(serving: Path) -> Path:
    from orchestration.settings import resolve_settings

    return resolve_settings(warehouse=serving, engine="spark").spark_dir
