"""Ingest assets: one per landing source, each loading its raw tables into the warehouse.

Every asset reads its folder of the landing directory with the pure readers of `ingest/`, then
replaces its raw tables, quarantine rows and load-log lines in one DuckDB transaction
(`warehouse.load`). A source whose folder is absent loads zero rows.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Definitions,
    MaterializeResult,
    multi_asset,
)

from ingest import baci, comtrade, policy_events, usgs_mcs, wgi
from ingest._result import SourceRead, empty_rejects
from orchestration.resources import LandingResource, WarehouseResource
from warehouse.load import SourceLoad, load_source, load_source_read, reference_tables

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


def _log_load(context: AssetExecutionContext, loaded: SourceLoad) -> None:
    tables = ", ".join(f"{table} {rows:,}" for table, rows in loaded.table_rows.items())
    context.log.info(
        f"{loaded.source}: {len(loaded.files)} file(s), {loaded.rows_in:,} rows read, "
        f"{loaded.rows_rejected:,} quarantined; raw rows: {tables}"
    )
    for f in loaded.files:
        if f.rows_rejected:
            context.log.warning(
                f"{loaded.source}: {f.source_file}: {f.rows_rejected:,} row(s) quarantined; "
                "see raw.quarantine for the line and reason of each"
            )


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
        source_folder = landing.folder(folder)
        if not source_folder.is_dir():
            context.log.info(f"{name}: no folder {source_folder}; its raw tables will be empty")
        label = landing.data_label(published_source) if synthetic_in_demo else published_source
        read = reader(source_folder, label)
        with warehouse.writer() as con:
            loaded = load_source_read(con, read, run_id=context.run.run_id)
        _log_load(context, loaded)
        yield from _materializations(loaded)

    return _ingest


baci_trade = landing_source_asset(
    name="baci",
    folder="baci",
    published_source="baci",
    tables=("baci_trade", "baci_country_codes", "baci_product_codes"),
    reader=baci.read_baci_folder,
    description="CEPII BACI bilateral trade, critical-mineral HS6 codes only",
)

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
    description="World Bank Worldwide Governance Indicators (DataBank CSV export)",
)


@multi_asset(
    name="ingest_reference",
    specs=[
        AssetSpec(raw_key(table), group_name=RAW_GROUP, description=description)
        for table, description in (
            ("ref_countries", "Countries: ISO3, M49 and BACI codes, region"),
            ("ref_commodities", "Critical-mineral HS6 codes: mineral and value-chain stage"),
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
    with warehouse.writer() as con:
        loaded = load_source(
            con,
            "reference",
            reference_tables(),
            empty_rejects(),
            files=(),
            run_id=context.run.run_id,
        )
    _log_load(context, loaded)
    yield from _materializations(loaded)


defs = Definitions(
    assets=[
        baci_trade,
        usgs_production,
        comtrade_records,
        policy_register,
        wgi_governance,
        reference_data,
    ]
)
