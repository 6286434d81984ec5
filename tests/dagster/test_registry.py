"""The source registry (`ingest.registry`) and what is derived from it.

Each source's spec is the one place that lists its raw tables and their columns; these tests
check that the other places that must agree with it do: the dbt sources YAML of each staging
folder, the raw DDL, the readers' output frames, the Dagster ingest assets, the freshness
checks and the landing layout the `critmin` command prints.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from repo_paths import REPO

from ingest import registry
from ingest.source import RawTable
from warehouse.load import ensure_raw_schema
from warehouse.raw_schema import create_table_sql, duckdb_type

STAGING = REPO / "dbt_project" / "models" / "staging"
SOURCES_YAML = sorted(STAGING.glob("*/_*__sources.yml"))
# Tables of the raw schema the loader writes itself (warehouse/raw_schema.sql), not a source, and
# declared to dbt (source `warehouse`) for the models that report on loads.
LOADER_TABLES = {
    "quarantine": [
        "source", "source_file", "source_line", "reason", "raw_record", "loaded_at"
    ],
    "load_log": [
        "run_id", "source", "source_file", "checksum_sha256", "rows_in", "rows_loaded",
        "rows_rejected", "rows_out_of_scope", "loaded_at",
    ],
}  # fmt: skip
# The loader's own bookkeeping, which no model reads: what each trade year and each other
# source was loaded from.
LOADER_STATE_TABLES = {"trade_year_state", "source_state"}


def _dbt_sources() -> dict[str, dict[str, list[str]]]:
    """dbt source name -> raw table -> its columns, as the sources YAML files declare them."""
    declared: dict[str, dict[str, list[str]]] = {}
    for path in SOURCES_YAML:
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            assert source.get("schema") == "raw", f"{path}: source {source['name']} not in raw"
            declared.setdefault(source["name"], {}).update(
                {
                    table["name"]: [column["name"] for column in table.get("columns", [])]
                    for table in source["tables"]
                }
            )
    return declared


def _spec_sources() -> dict[str, dict[str, list[str]]]:
    """dbt source name -> raw table -> its columns, as the specs declare them."""
    expected: dict[str, dict[str, list[str]]] = {}
    for spec in registry.SOURCES:
        for table in spec.tables:
            expected.setdefault(table.dbt_source or spec.dbt_source, {})[table.name] = list(
                table.columns
            )
    return expected


def test_sources_yaml_files_are_found() -> None:
    assert len(SOURCES_YAML) >= len(registry.SOURCES), SOURCES_YAML


@pytest.mark.parametrize("dbt_source", sorted(_spec_sources()))
def test_each_dbt_sources_yaml_matches_its_specs_raw_tables(dbt_source: str) -> None:
    """The dbt sources YAML of each source declares exactly the spec's raw tables, each with
    the spec's columns in the spec's order."""
    declared = _dbt_sources().get(dbt_source)
    assert declared is not None, f"no dbt sources YAML declares source {dbt_source!r}"
    expected = _spec_sources()[dbt_source]
    assert sorted(declared) == sorted(expected), f"source {dbt_source}: tables differ"
    for table, columns in expected.items():
        assert declared[table] == columns, f"{dbt_source}.{table}: columns differ from the spec"


def test_the_spark_partitioning_of_each_raw_table_is_its_specs() -> None:
    """A raw table's Parquet copy is split by the column its spec names (`RawTable.partitioned_by`,
    read by `orchestration.spark.export_raw_parquet`); its dbt source must say the same
    (`meta.spark_partitioned_by`, read on Spark by `register_raw_source`)."""
    declared = {
        table["name"]: (table.get("config", {}).get("meta") or {}).get("spark_partitioned_by")
        for path in SOURCES_YAML
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
        for table in source["tables"]
    }
    specs = {table.name: table.partitioned_by for table in registry.raw_tables()}
    assert {name: declared[name] for name in specs} == specs
    assert specs["baci_trade"] == "year"


def test_every_dbt_source_on_raw_is_a_spec_or_the_loaders_tables() -> None:
    declared = _dbt_sources()
    assert declared.pop("warehouse") == LOADER_TABLES
    assert sorted(declared) == sorted(_spec_sources())


def test_each_raw_table_has_one_source() -> None:
    names = [table.name for table in registry.raw_tables()]
    assert len(names) == len(set(names)), names
    assert len({spec.name for spec in registry.SOURCES}) == len(registry.SOURCES)
    folders = registry.landing_folders()
    assert len(folders) == len(set(folders))


def test_the_raw_ddl_creates_each_spec_table_with_its_types_and_not_nulls() -> None:
    with duckdb.connect() as con:
        ensure_raw_schema(con)
        ensure_raw_schema(con)  # idempotent
        for table in registry.raw_tables():
            described = con.execute(
                "select column_name, data_type, is_nullable from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table.name],
            ).fetchall()
            assert described == [
                (name, duckdb_type(dtype).upper(), "NO" if name in table.not_null else "YES")
                for name, dtype in table.schema.items()
            ], table.name
        loader = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        } - registry.raw_table_names()
    assert loader == set(LOADER_TABLES) | LOADER_STATE_TABLES


def test_duckdb_types_of_polars_dtypes() -> None:
    assert duckdb_type(pl.Int32()) == "integer"
    assert duckdb_type(pl.Int64()) == "bigint"
    assert duckdb_type(pl.List(pl.Utf8())) == "varchar[]"
    with pytest.raises(TypeError, match="UInt8"):
        duckdb_type(pl.UInt8())


def test_a_column_added_later_reaches_an_older_build_file() -> None:
    table = RawTable(
        "toy_table",
        {"a": pl.Int32(), "b": pl.Utf8()},
        not_null=frozenset({"a"}),
        added_columns=("b",),
    )
    with duckdb.connect() as con:
        con.execute("create schema raw; create table raw.toy_table (a integer not null)")
        con.execute("insert into raw.toy_table values (1)")
        con.execute(create_table_sql(table))
        assert con.execute("select * from raw.toy_table").fetchall() == [(1, None)]


def test_a_spec_naming_an_unknown_column_is_refused() -> None:
    with pytest.raises(ValueError, match=r"raw.toy: columns \['c'\]"):
        RawTable("toy", {"a": pl.Int32()}, not_null=frozenset({"c"}))


@pytest.mark.parametrize("spec", registry.SOURCES, ids=lambda spec: spec.name)
def test_each_reader_returns_its_specs_tables_with_their_schemas(spec, tmp_path: Path) -> None:
    """An absent landing folder still gives every raw table of the spec, with the spec's polars
    schema (the reference source reads its packaged tables)."""
    read = spec.read(tmp_path / "absent")
    assert sorted(read.tables) == sorted(spec.table_names)
    for table in spec.tables:
        assert dict(read.tables[table.name].schema) == dict(table.schema), table.name
    if spec.folder is not None:
        assert read.files == ()
        assert all(frame.height == 0 for frame in read.tables.values())


def test_the_dagster_ingest_assets_fill_every_raw_table_once() -> None:
    from orchestration.defs import ingest

    filled = [key.path[1] for asset in ingest.SOURCE_ASSETS for key in asset.keys]
    assert sorted(filled) == sorted(registry.raw_table_names())
    names = {asset.node_def.name for asset in ingest.SOURCE_ASSETS}
    assert {f"ingest_{spec.name}" for spec in registry.SOURCES} - names == {"ingest_baci"}


def test_every_landed_source_has_a_freshness_check() -> None:
    """WGI included: the list used to be written out by hand and forgot it."""
    from orchestration.defs import quality

    watched = {key.path[1] for key in quality.SOURCE_TABLES}
    assert watched == {
        "baci_trade",
        "usgs_mcs_world",
        "comtrade_records",
        "policy_events",
        "wgi_governance",
        "world_mining_data_production",
    }


def test_the_landing_layout_names_every_landed_source() -> None:
    from critmin.cli import LANDING_LAYOUT

    assert LANDING_LAYOUT == (
        "DIR/baci/, DIR/usgs_mcs/, DIR/comtrade/, DIR/policy_events/, DIR/wgi/, "
        "DIR/world_mining_data/"
    )


def test_listing_the_sources_loads_no_reader() -> None:
    """The `critmin` command prints the landing layout without loading polars or a reader."""
    import subprocess
    import sys

    code = (
        "import sys; from ingest import registry; registry.landing_layout(); "
        "print(sorted(m for m in sys.modules if m == 'polars' or m.endswith('.reader')))"
    )
    root = REPO
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(root)},
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


TOY_PACKAGE = {
    "__init__.py": """
from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="toy",
    folder="toy",
    label="toy_publisher",
    description="A toy source: one CSV of widget counts",
    reader="toy_source.reader:read_toy_folder",
    tables_from="toy_source.schema:RAW_TABLES",
    dbt_source="toy",
)
""",
    "schema.py": """
import polars as pl

from ingest.source import RawTable

TOY_SCHEMA = {
    "widget": pl.Utf8(),
    "count": pl.Int64(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}
RAW_TABLES = (RawTable("toy_widgets", TOY_SCHEMA, not_null=frozenset({"widget", "source"})),)
""",
    "reader.py": """
import polars as pl

from ingest._result import FileRead, SourceRead, empty_rejects
from toy_source.schema import TOY_SCHEMA


def read_toy_folder(folder, source):
    frames, files = [], []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        rows = pl.read_csv(path).with_row_index("source_line", offset=2)
        frames.append(
            rows.with_columns(
                pl.lit(source).alias("source"), pl.lit(path.name).alias("source_file")
            ).select(list(TOY_SCHEMA)).cast(TOY_SCHEMA)
        )
        files.append(FileRead(path, rows.height, rows.height, 0))
    table = pl.concat(frames) if frames else pl.DataFrame(schema=TOY_SCHEMA)
    return SourceRead(source, {"toy_widgets": table}, empty_rejects(), tuple(files))
""",
}


def test_a_new_source_is_one_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A toy source written as one package (spec, schema, reader) and added to the registry
    gets its raw table, its Dagster ingest asset, its load-log lines and its landing folder in
    the help text, with no other file changed."""
    import sys

    from dagster import materialize

    from orchestration.defs import ingest
    from orchestration.resources import LandingResource, WarehouseResource
    from warehouse import raw_schema

    package = tmp_path / "code" / "toy_source"
    package.mkdir(parents=True)
    for name, text in TOY_PACKAGE.items():
        (package / name).write_text(text.lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    for module in [m for m in sys.modules if m.startswith("toy_source")]:
        monkeypatch.delitem(sys.modules, module)
    import toy_source

    monkeypatch.setattr(registry, "SOURCES", (*registry.SOURCES, toy_source.SPEC))
    raw_schema.raw_ddl.cache_clear()
    try:
        landing = tmp_path / "landing"
        (landing / "toy").mkdir(parents=True)
        (landing / "toy" / "widgets.csv").write_text("widget,count\nsprocket,3\ngear,4\n")
        assert registry.landing_layout().endswith(", DIR/toy/")
        asset = ingest.landing_source_asset(toy_source.SPEC)
        build = tmp_path / "build.duckdb"
        result = materialize(
            [asset],
            resources={
                "landing": LandingResource(data_dir=str(landing)),
                "warehouse": WarehouseResource(path=str(build)),
            },
        )
        assert result.success
        with duckdb.connect(str(build)) as con:
            rows = con.execute(
                "select widget, count, source, source_file, source_line "
                "from raw.toy_widgets order by source_line"
            ).fetchall()
            logged = con.execute(
                "select source, source_file, rows_in, rows_loaded from raw.load_log"
            ).fetchall()
    finally:
        raw_schema.raw_ddl.cache_clear()
    assert rows == [
        ("sprocket", 3, "toy_publisher", "widgets.csv", 2),
        ("gear", 4, "toy_publisher", "widgets.csv", 3),
    ]
    assert logged == [("toy", "widgets.csv", 2, 2)]
