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
    # A view on the trade rows or the loader's tables stores no rows: kept, and its tests run.
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
