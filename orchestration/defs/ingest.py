"""Ingest assets: one per source of `ingest.registry`, each loading its raw tables.

Every asset reads its folder of the landing directory with its source's reader (the spec's), then
replaces its raw tables, quarantine rows and load-log lines in one DuckDB transaction
(`warehouse.load`). A source whose folder is absent loads zero rows. A source whose landed files
and reading code are those it was last loaded from (`landed_digest`, `raw.source_state`) keeps
its rows without being read again (not on the spark engine, which writes each load's Parquet).
BACI is the exception: its
trade table is partitioned by year (`baci_trade`) and its code files load apart (`baci_codes`).
On the spark engine each asset also writes its raw tables as Parquet, from the frames its reader
produced (`orchestration.spark.write_raw_table`; BACI trade one folder per year).
"""

import hashlib
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    DynamicPartitionsDefinition,
    MaterializeResult,
    asset,
    multi_asset,
)

import ingest as ingest_package
import warehouse as warehouse_package
from ingest import baci, registry
from ingest._result import SourceRead
from ingest.baci import reader as baci_reader
from ingest.source import SourceSpec
from orchestration import progress, spark
from orchestration.resources import LandingResource, WarehouseResource
from warehouse.load import (
    SourceLoad,
    file_checksum,
    load_source_read,
    load_trade_years,
    loaded_source_digest,
    loaded_trade_year_digests,
    prune_trade_years,
    raw_table_rows,
)

RAW_GROUP = "raw"


def raw_key(table: str) -> AssetKey:
    return AssetKey([RAW_GROUP, table])


def _materializations(loaded: SourceLoad) -> Iterator[MaterializeResult]:
    for table, rows in loaded.table_rows.items():
        yield MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "rows": rows,
                "source_rows_in": loaded.rows_in,
                "source_rows_rejected": loaded.rows_rejected,
                "files": len(loaded.files),
                "load_run_id": loaded.run_id,
            },
        )


def _log_load(
    context: AssetExecutionContext, loaded: SourceLoad, started: float, note: str = ""
) -> None:
    tables = ", ".join(f"{table} {rows:,}" for table, rows in loaded.table_rows.items())
    context.log.info(
        f"{loaded.source}: {len(loaded.files)} file(s), {loaded.rows_in:,} rows read, "
        f"{loaded.rows_rejected:,} quarantined; raw rows: {tables}{note}"
    )
    progress.active().phase(
        f"ingest {loaded.source}",
        f"{len(loaded.files)} file(s), {loaded.rows_in:,} rows read, "
        f"{loaded.rows_rejected:,} quarantined, {sum(loaded.table_rows.values()):,} raw rows"
        f"{note}",
        time.perf_counter() - started,
    )
    for f in loaded.files:
        if f.rows_rejected:
            context.log.warning(
                f"{loaded.source}: {f.source_file}: {f.rows_rejected:,} row(s) quarantined; "
                "see raw.quarantine for the line and reason of each"
            )


@cache
def reader_code_digest() -> str:
    """A SHA-256 of the code and reference data that decide which rows a landed file gives: every
    file of the `ingest` and `warehouse` packages. A new critmin (or an edited scope list) reads
    every trade year again."""
    digest = hashlib.sha256()
    for package in (ingest_package, warehouse_package):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(root.parent)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


UNCHANGED_NOTE = "; unchanged since loaded, kept"


def landed_digest(folder: Path, key: str) -> str:
    """A SHA-256 of `key` and of the path and SHA-256 of every file under `folder`: it changes
    when a file is added, removed, renamed or rewritten, or when `key` (the reading code and the
    label rows get) changes."""
    digest = hashlib.sha256(f"{key}\n".encode())
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(folder)} {file_checksum(path)}\n".encode())
    return digest.hexdigest()


class LandingChangedError(RuntimeError):
    """A landing file changed while a reader read it: what was read may mix two versions."""


FileState = tuple[int, int, int]


def _file_states(folder: Path) -> dict[str, FileState]:
    if not folder.is_dir():
        return {}
    states = {}
    for path in sorted(folder.rglob("*")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file():
            states[str(path.relative_to(folder))] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return states


def read_steady(folder: Path, read: Callable[[], SourceRead]) -> SourceRead:
    """`read()` the landing folder `folder`, refusing the result when a file in it was written,
    replaced, added or removed meanwhile (its inode, size or modification time changed): such
    a read may mix the old and the new bytes, and nothing of it is loaded."""
    before = _file_states(folder)
    result = read()
    after = _file_states(folder)
    changed = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    if changed:
        raise LandingChangedError(
            f"{folder}: {', '.join(changed)} changed while it was being read, so nothing from "
            "this folder was loaded and the raw tables keep their previous rows. Let the file "
            "be written completely (write under a temporary name and rename it into place), "
            "then run `critmin run` again."
        )
    return result


def _write_parquet(warehouse: WarehouseResource, spec: SourceSpec, read: SourceRead) -> None:
    """On the spark engine, write the raw tables `read` holds (all of them: an absent source
    writes empty tables) as Parquet, once they are loaded into the build file."""
    if warehouse.raw_parquet is None:
        return
    for name, frame in read.tables.items():
        spark.write_raw_table(warehouse.raw_parquet, spec.table(name), frame)


def _table_descriptions(spec: SourceSpec) -> dict[str, str]:
    return {
        table.name: table.description or f"{spec.description} ({table.name})"
        for table in spec.tables
    }


def _specs(spec: SourceSpec, tables: tuple[str, ...] | None = None) -> list[AssetSpec]:
    descriptions = _table_descriptions(spec)
    return [
        AssetSpec(raw_key(table), group_name=RAW_GROUP, description=descriptions[table])
        for table in (tables or spec.table_names)
    ]


def landing_source_asset(spec: SourceSpec):
    """A multi-asset `ingest_<name>` that loads one source's landing folder into its raw tables.

    Rows are labelled the spec's `label`, or the landing directory's label when it declares itself
    synthetic (`landing.toml`) and the spec is `labelled_by_landing`.
    """

    @multi_asset(name=f"ingest_{spec.name}", specs=_specs(spec), pool="duckdb_writer")
    def _ingest(
        context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        started = time.perf_counter()
        source_folder = landing.folder(spec.folder)
        if not source_folder.is_dir():
            context.log.info(
                f"{spec.name}: no folder {source_folder}; its raw tables will be empty"
            )
        label = landing.data_label(spec.label) if spec.labelled_by_landing else spec.label
        landed = landed_digest(source_folder, f"{reader_code_digest()}\n{label}")
        if warehouse.raw_parquet is None:  # the spark engine writes each load's Parquet too
            with warehouse.writer() as con:
                if loaded_source_digest(con, spec.name) == landed:
                    kept = SourceLoad(
                        source=spec.name,
                        run_id=context.run.run_id,
                        table_rows=raw_table_rows(con, spec.table_names),
                        files=(),
                    )
                    _log_load(context, kept, started, note=UNCHANGED_NOTE)
                    yield from _materializations(kept)
                    return
        read = read_steady(source_folder, lambda: spec.read(source_folder, label))
        with warehouse.writer() as con:
            loaded = load_source_read(
                con, read, run_id=context.run.run_id, source=spec.name, digest=landed
            )
        _write_parquet(warehouse, spec, read)
        _log_load(context, loaded, started)
        yield from _materializations(loaded)

    return _ingest


def packaged_source_asset(spec: SourceSpec):
    """A multi-asset `ingest_<name>` that loads data shipped with critmin (no landing folder)."""

    @multi_asset(name=f"ingest_{spec.name}", specs=_specs(spec), pool="duckdb_writer")
    def _ingest(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        started = time.perf_counter()
        read = spec.read(Path(), spec.label)  # the reader reads no folder
        with warehouse.writer() as con:
            loaded = load_source_read(con, read, run_id=context.run.run_id, source=spec.name)
        _write_parquet(warehouse, spec, read)
        _log_load(context, loaded, started)
        yield from _materializations(loaded)

    return _ingest


BACI_FOLDER = baci.SPEC.folder
TRADE_KEY = raw_key("baci_trade")
# One partition per BACI year, registered from the years of the trade files in the landing
# directory (`register_trade_years`): adding a year's file loads only that year, and re-loading a
# year replaces it. A refresh of every year runs as one run (single-run backfill policy).
BACI_YEARS = DynamicPartitionsDefinition(name="baci_year")
# Dagster's run tags for a run over a range of partitions.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
BACI_CODE_TABLES = ("baci_country_codes", "baci_product_codes")


@asset(
    key=TRADE_KEY,
    group_name=RAW_GROUP,
    partitions_def=BACI_YEARS,
    backfill_policy=BackfillPolicy.single_run(),
    pool="duckdb_writer",
    description=baci.SPEC.table("baci_trade").description,
)
def baci_trade(
    context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
) -> MaterializeResult:
    """The requested years whose landed files (or the code reading them) changed since they were
    loaded are read and replace their rows; the others keep theirs (`raw.trade_year_state`). On
    the spark engine a year is also read when its Parquet folder was not written from the same
    landed file (a run on the duckdb engine may have loaded it since)."""
    started = time.perf_counter()
    requested = sorted(int(key) for key in context.partition_keys)
    folder = landing.folder(BACI_FOLDER)
    label = landing.data_label(baci.SPEC.label)
    landed = baci_reader.trade_year_digests(folder, requested, f"{reader_code_digest()}\n{label}")
    with warehouse.writer() as con:
        loaded_digests = loaded_trade_year_digests(con)
    table = baci.SPEC.table("baci_trade")
    parquet = warehouse.raw_parquet
    unchanged = [
        year
        for year in requested
        if loaded_digests.get(year) == landed[year]
        and (parquet is None or spark.raw_year_digest(parquet, table, year) == landed[year])
    ]
    years = [year for year in requested if year not in unchanged]
    read = read_steady(
        folder,
        lambda: baci_reader.read_baci_folder(folder, label, years=years, code_files=False),
    )
    with warehouse.writer() as con:
        loaded = load_trade_years(
            con, read, years, run_id=context.run.run_id, source="baci", digests=landed
        )
    if parquet is not None:
        spark.write_raw_years(parquet, table, read.tables["baci_trade"], years, digests=landed)
    kept = f"; {len(unchanged)} year(s) unchanged since loaded, kept" if unchanged else ""
    _log_load(context, loaded, started, note=kept)
    return MaterializeResult(
        metadata={
            "years": ", ".join(map(str, years)),
            "years_unchanged": ", ".join(map(str, unchanged)),
            "rows": loaded.table_rows["baci_trade"],
            "rows_in": loaded.rows_in,
            "rows_rejected": loaded.rows_rejected,
            "files": len(loaded.files),
        }
    )


@multi_asset(
    name="ingest_baci_codes",
    specs=_specs(baci.SPEC, BACI_CODE_TABLES),
    pool="duckdb_writer",
)
def baci_codes(
    context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """The BACI code files; also removes trade years whose files left the landing directory."""
    started = time.perf_counter()
    folder = landing.folder(BACI_FOLDER)
    read = read_steady(
        folder,
        lambda: baci_reader.read_baci_folder(folder, landing.data_label(baci.SPEC.label), years=()),
    )
    tables = {name: read.tables[name] for name in BACI_CODE_TABLES}
    read = SourceRead(source=read.source, tables=tables, rejects=read.rejects, files=read.files)
    landed_years = baci_reader.trade_years(folder)
    with warehouse.writer() as con:
        loaded = load_source_read(con, read, run_id=context.run.run_id, source="baci_codes")
        removed = prune_trade_years(con, keep=landed_years)
    _write_parquet(warehouse, baci.SPEC, read)
    if warehouse.raw_parquet is not None:
        spark.remove_raw_years(warehouse.raw_parquet, baci.SPEC.table("baci_trade"), landed_years)
    _log_load(context, loaded, started)
    if removed:
        context.log.info(f"baci: years {removed} are no longer landed; removed from raw.baci_trade")
    yield from _materializations(loaded)


def register_trade_years(instance: DagsterInstance, landing_dir: Path) -> list[str]:
    """Add a `baci_year` partition for every year with a trade file landed; return them all."""
    years = [str(year) for year in baci_reader.trade_years(landing_dir / BACI_FOLDER)]
    known = list(instance.get_dynamic_partitions(BACI_YEARS.name))
    new = [year for year in years if year not in known]
    if not new:
        return years
    wanted = sorted({*known, *new})
    if known != wanted[: len(known)]:
        # Dynamic partitions keep the order they were added in, and a run over a range of
        # partitions takes the keys between its ends in that order: an earlier year landing
        # late would fall outside every range. Re-register them all, in year order.
        for key in known:
            instance.delete_dynamic_partition(BACI_YEARS.name, key)
        instance.add_dynamic_partitions(BACI_YEARS.name, wanted)
    else:
        instance.add_dynamic_partitions(BACI_YEARS.name, sorted(new))
    return years


def trade_year_range_tags(years: list[str]) -> dict[str, str]:
    """Run tags that load the trade years from the earliest to the latest of `years` in one run
    (years in between are reloaded too, which gives the same rows)."""
    return {
        PARTITION_RANGE_START_TAG: min(years),
        PARTITION_RANGE_END_TAG: max(years),
    }


def _source_assets() -> list:
    """One ingest asset per source of the registry; BACI's two are defined above."""
    assets = []
    for spec in registry.SOURCES:
        if spec is baci.SPEC:
            assets += [baci_trade, baci_codes]
        elif spec.folder is None:
            assets.append(packaged_source_asset(spec))
        else:
            assets.append(landing_source_asset(spec))
    return assets


SOURCE_ASSETS = _source_assets()
defs = Definitions(assets=SOURCE_ASSETS)
