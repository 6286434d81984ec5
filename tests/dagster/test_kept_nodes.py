"""What a build after changed trade years keeps (orchestration.defs.transform.kept_nodes): the
models, seeds and tests that do not descend from the trade rows or the loader's tables, in the
order of their dependencies, on the project's parsed manifest."""

from __future__ import annotations

import json

from orchestration.defs import transform


def _manifest() -> dict:
    path = transform.ensure_manifest(transform.dbt_project())
    return json.loads(path.read_text(encoding="utf-8"))


def test_kept_nodes_are_those_not_reading_trade_dependencies_first() -> None:
    manifest = _manifest()
    kept = transform.kept_nodes(manifest)
    names = [node["name"] for node in kept]
    # Built from production, the register and the reference tables only: kept.
    assert {"dim_country", "fct_production", "mart_production_concentration"} <= set(names)
    # A staging view on the trade rows or the loader's tables stores no rows: kept, and its
    # tests run.
    assert {"stg_baci__trade", "stg_warehouse__quarantine", "stg_warehouse__load_log"} <= set(names)
    tests = [node["name"] for node in kept if node["resource_type"] == "test"]
    assert not [name for name in tests if "stg_baci__trade" in name or "stg_warehouse" in name]
    # Reading trade, directly or through another model, or the loader's tables: rebuilt.
    for rebuilt in (
        "fct_trade_flows",
        "mart_alternative_suppliers",
        "mart_supply_shock",
        "mart_event_trade_response",
        "int_trade_flows__by_mineral",
    ):
        assert rebuilt not in names, rebuilt
    # A test of a rebuilt mart against a kept dimension runs: it checks the new rows.
    assert not [name for name in names if name.startswith("relationships_fct_trade_flows_")]
    # Every kept node's parents are kept and come before it.
    position = {node["unique_id"]: i for i, node in enumerate(kept)}
    nodes = manifest["nodes"]
    for node in kept:
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in nodes and nodes[parent]["resource_type"] in ("model", "seed"):
                assert parent in position, (node["name"], parent)
                assert position[parent] < position[node["unique_id"]], (node["name"], parent)
    assert {node["resource_type"] for node in kept} == {"model", "seed", "test"}


def test_after_a_load_that_changed_no_trade_year_only_the_loaders_tables_are_read() -> None:
    """No trade year changed (a run with no new files): what reads trade was built from the same
    rows by the last complete build and is kept; only the tests of the loader's own tables, which
    every run writes, run."""
    manifest = _manifest()
    kept = {node["unique_id"] for node in transform.kept_nodes(manifest, transform.LOADER_SOURCES)}
    run = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test") and unique_id not in kept
    }
    names = {manifest["nodes"][unique_id]["name"] for unique_id in run}
    assert names and all("stg_warehouse__" in name for name in names), names
    assert {manifest["nodes"][u]["resource_type"] for u in run} == {"test"}
    kept_names = {manifest["nodes"][u]["name"] for u in kept}
    assert {"fct_trade_flows", "mart_alternative_suppliers", "stg_baci__trade"} <= kept_names
