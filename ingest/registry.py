"""Every source of the warehouse, in one list: what lists sources elsewhere derives from it.

Adding a source is one package `ingest/<source>/` exporting a `SPEC` (see `ingest.source`), one
line here, and its dbt staging models with a sources YAML matching the spec's raw tables
(checked by tests/dagster/test_registry.py).
"""

from __future__ import annotations

from ingest import baci, comtrade, policy_events, reference, usgs_mcs, wgi, world_mining_data
from ingest.source import RawTable, SourceSpec

SOURCES: tuple[SourceSpec, ...] = (
    baci.SPEC,
    usgs_mcs.SPEC,
    comtrade.SPEC,
    policy_events.SPEC,
    wgi.SPEC,
    world_mining_data.SPEC,
    reference.SPEC,
)


def source(name: str) -> SourceSpec:
    """The spec of the source `name`; KeyError naming the known sources otherwise."""
    for spec in SOURCES:
        if spec.name == name:
            return spec
    raise KeyError(f"no source {name!r}; the sources are {[s.name for s in SOURCES]}")


def landing_folders() -> tuple[str, ...]:
    """The folders of a landing directory, one per source read from it."""
    return tuple(spec.folder for spec in SOURCES if spec.folder is not None)


def landing_layout(prefix: str = "DIR/") -> str:
    """`DIR/baci/, DIR/usgs_mcs/, ...`: the landing layout as help text shows it."""
    return ", ".join(f"{prefix}{folder}/" for folder in landing_folders())


def raw_tables() -> tuple[RawTable, ...]:
    """Every source's raw tables, in source order."""
    return tuple(table for spec in SOURCES for table in spec.tables)


def raw_table_names() -> frozenset[str]:
    return frozenset(table.name for table in raw_tables())


def owner(table: str) -> SourceSpec:
    """The source whose reader fills raw table `table`."""
    for spec in SOURCES:
        if table in spec.table_names:
            return spec
    raise KeyError(f"no source fills raw.{table}")
