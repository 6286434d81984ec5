"""Ingest assets: one per landing source, each loading its raw tables into the warehouse.

Every asset reads its folder of the landing directory with the pure readers of `ingest/`, then
replaces its raw tables, quarantine rows and load-log lines in one DuckDB transaction
(`warehouse.load`). A source whose folder is absent loads zero rows.
"""

import time
from collections.abc import Callable, Iterator
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

from ingest import baci, comtrade, policy_events, usgs_mcs, wgi, world_mining_data
from ingest._result import SourceRead, empty_rejects
from orchestration import progress
from orchestration.resources import LandingResource, WarehouseResource
from warehouse.load import (
    SourceLoad,
    load_source,
    load_source_read,
    load_trade_years,
    prune_trade_years,
    reference_tables,
)

RAW_GROUP = "raw"

FolderReader = Callable[[Path, str], SourceRead]


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


def _log_load(context: AssetExecutionContext, loaded: SourceLoad, started: float) -> None:
    tables = ", ".join(f"{table} {rows:,}" for table, rows in loaded.table_rows.items())
    context.log.info(
        f"{loaded.source}: {len(loaded.files)} file(s), {loaded.rows_in:,} rows read, "
        f"{loaded.rows_rejected:,} quarantined; raw rows: {tables}"
    )
    progress.active().phase(
        f"ingest {loaded.source}",
        f"{len(loaded.files)} file(s), {loaded.rows_in:,} rows read, "
        f"{loaded.rows_rejected:,} quarantined, {sum(loaded.table_rows.values()):,} raw rows",
        time.perf_counter() - started,
    )
    for f in loaded.files:
        if f.rows_rejected:
            context.log.warning(
                f"{loaded.source}: {f.source_file}: {f.rows_rejected:,} row(s) quarantined; "
                "see raw.quarantine for the line and reason of each"
            )


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


def landing_source_asset(
    name: str,
    folder: str,
    published_source: str,
    tables: tuple[str, ...],
    reader: FolderReader,
    description: str,
    synthetic_in_demo: bool = True,
):
    """A multi-asset that loads one landing folder into its raw tables.

    Rows are labelled `published_source`, or `demo` when the landing directory is the synthetic
    demo and the source is one the demo synthesises (`synthetic_in_demo`).
    """

    @multi_asset(
        name=f"ingest_{name}",
        specs=[
            AssetSpec(raw_key(table), group_name=RAW_GROUP, description=f"{description} ({table})")
            for table in tables
        ],
        pool="duckdb_writer",
    )
    def _ingest(
        context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        started = time.perf_counter()
        source_folder = landing.folder(folder)
        if not source_folder.is_dir():
            context.log.info(f"{name}: no folder {source_folder}; its raw tables will be empty")
        label = landing.data_label(published_source) if synthetic_in_demo else published_source
        read = read_steady(source_folder, lambda: reader(source_folder, label))
        with warehouse.writer() as con:
            loaded = load_source_read(con, read, run_id=context.run.run_id, source=name)
        _log_load(context, loaded, started)
        yield from _materializations(loaded)

    return _ingest


BACI_FOLDER = "baci"
TRADE_KEY = raw_key("baci_trade")
# One partition per BACI year, registered from the years of the trade files in the landing
# directory (`register_trade_years`): adding a year's file loads only that year, and re-loading a
# year replaces it. A refresh of every year runs as one run (single-run backfill policy).
BACI_YEARS = DynamicPartitionsDefinition(name="baci_year")
# Dagster's run tags for a run over a range of partitions.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


@asset(
    key=TRADE_KEY,
    group_name=RAW_GROUP,
    partitions_def=BACI_YEARS,
    backfill_policy=BackfillPolicy.single_run(),
    pool="duckdb_writer",
    description="CEPII BACI bilateral trade, critical-mineral HS6 codes only, one partition a year",
)
def baci_trade(
    context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
) -> MaterializeResult:
    started = time.perf_counter()
    years = sorted(int(key) for key in context.partition_keys)
    folder = landing.folder(BACI_FOLDER)
    read = read_steady(
        folder,
        lambda: baci.read_baci_folder(
            folder, landing.data_label("baci"), years=years, code_files=False
        ),
    )
    with warehouse.writer() as con:
        loaded = load_trade_years(con, read, years, run_id=context.run.run_id, source="baci")
    _log_load(context, loaded, started)
    return MaterializeResult(
        metadata={
            "years": ", ".join(map(str, years)),
            "rows": loaded.table_rows["baci_trade"],
            "rows_in": loaded.rows_in,
            "rows_rejected": loaded.rows_rejected,
            "files": len(loaded.files),
        }
    )


@multi_asset(
    name="ingest_baci_codes",
    specs=[
        AssetSpec(raw_key(table), group_name=RAW_GROUP, description=description)
        for table, description in (
            ("baci_country_codes", "CEPII BACI country codes file"),
            ("baci_product_codes", "CEPII BACI product codes file"),
        )
    ],
    pool="duckdb_writer",
)
def baci_codes(
    context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """The BACI code files; also removes trade years whose files left the landing directory."""
    started = time.perf_counter()
    folder = landing.folder(BACI_FOLDER)
    read = read_steady(
        folder, lambda: baci.read_baci_folder(folder, landing.data_label("baci"), years=())
    )
    tables = {name: read.tables[name] for name in ("baci_country_codes", "baci_product_codes")}
    read = SourceRead(source=read.source, tables=tables, rejects=read.rejects, files=read.files)
    with warehouse.writer() as con:
        loaded = load_source_read(con, read, run_id=context.run.run_id, source="baci_codes")
        removed = prune_trade_years(con, keep=baci.trade_years(folder))
    _log_load(context, loaded, started)
    if removed:
        context.log.info(f"baci: years {removed} are no longer landed; removed from raw.baci_trade")
    yield from _materializations(loaded)


def register_trade_years(instance: DagsterInstance, landing_dir: Path) -> list[str]:
    """Add a `baci_year` partition for every year with a trade file landed; return them all."""
    years = [str(year) for year in baci.trade_years(landing_dir / BACI_FOLDER)]
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


usgs_production = landing_source_asset(
    name="usgs_mcs",
    folder="usgs_mcs",
    published_source="usgs_mcs",
    tables=("usgs_mcs_world", "usgs_mcs_salient"),
    reader=usgs_mcs.read_usgs_folder,
    description="USGS MCS world production and reserves, and US salient statistics",
)

comtrade_records = landing_source_asset(
    name="comtrade",
    folder="comtrade",
    published_source="comtrade",
    tables=("comtrade_records",),
    reader=comtrade.read_comtrade_folder,
    description="UN Comtrade v1 records (API responses saved as JSON, or CSV extracts)",
    # The demo directory has no Comtrade data.
    synthetic_in_demo=False,
)

policy_register = landing_source_asset(
    name="policy_events",
    folder="policy_events",
    published_source="policy_register",
    tables=("policy_events", "policy_event_hs6", "policy_event_targets"),
    reader=policy_events.read_policy_folder,
    description="Curated register of export controls, bans, stockpiles and agreements",
    # The demo directory carries the real curated register, not a synthetic one.
    synthetic_in_demo=False,
)

wgi_governance = landing_source_asset(
    name="wgi",
    folder="wgi",
    published_source="wgi",
    tables=("wgi_governance",),
    reader=wgi.read_wgi_folder,
    description="World Bank Worldwide Governance Indicators (DataBank CSV export or wgi.db)",
)

world_mining_data_production = landing_source_asset(
    name="world_mining_data",
    folder="world_mining_data",
    published_source="world_mining_data",
    tables=("world_mining_data_production", "world_mining_data_materials"),
    reader=world_mining_data.read_world_mining_data_folder,
    description="World Mining Data production by mineral and country, HS codes and EoL-RIR",
    # The demo directory has no World Mining Data file.
    synthetic_in_demo=False,
)


@multi_asset(
    name="ingest_reference",
    specs=[
        AssetSpec(raw_key(table), group_name=RAW_GROUP, description=description)
        for table, description in (
            ("ref_countries", "Countries: ISO3, M49 and BACI codes, region"),
            ("ref_commodities", "Critical-mineral HS6 codes: mineral and value-chain stage"),
            ("ref_minerals", "Minerals: the official critical-mineral lists naming each"),
            ("ref_hs_concordance", "HS revisions concorded to HS 2017 for critical codes"),
            ("ref_baci_historical_codes", "Historical BACI country codes -> successor ISO3"),
        )
    ],
    pool="duckdb_writer",
)
def reference_data(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """The reference tables shipped with critmin (`ingest/data/`)."""
    started = time.perf_counter()
    with warehouse.writer() as con:
        loaded = load_source(
            con,
            "reference",
            reference_tables(),
            empty_rejects(),
            files=(),
            run_id=context.run.run_id,
        )
    _log_load(context, loaded, started)
    yield from _materializations(loaded)


defs = Definitions(
    assets=[
        baci_trade,
        baci_codes,
        usgs_production,
        comtrade_records,
        policy_register,
        wgi_governance,
        world_mining_data_production,
        reference_data,
    ]
)
