"""The dbt project's naming, layering and documentation rules (scripts/check_dbt_project.py)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_dbt_project.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_dbt_project", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


@pytest.fixture(scope="module")
def manifest() -> dict:
    return checker.load_manifest()


def _model(manifest: dict, name: str) -> dict:
    return manifest["nodes"][f"model.critmin.{name}"]


def test_the_project_follows_its_rules(manifest: dict) -> None:
    assert checker.violations(manifest) == []


def test_each_rule_catches_its_violation(manifest: dict) -> None:
    broken = copy.deepcopy(manifest)
    # An intermediate model reading a mart, and a mart reading a source.
    _model(broken, "int_dependency__usgs_published_nir")["depends_on"]["nodes"].append(
        "model.critmin.fct_us_salient_statistics"
    )
    _model(broken, "mart_supply_risk")["depends_on"]["nodes"].append(
        "source.critmin.raw.baci_trade"
    )
    # A staging model reading another model.
    _model(broken, "stg_baci__trade")["depends_on"]["nodes"].append(
        "model.critmin.stg_reference__countries"
    )
    # A mart named like an intermediate model, without its contract.
    renamed = _model(broken, "mart_supply_shock")
    renamed["name"] = "int_supply_shock"
    renamed["config"]["contract"]["enforced"] = False
    # A hard-coded relation, an undocumented column and an undocumented model.
    policy = _model(broken, "mart_policy_exposure")
    policy["raw_code"] += "\n-- naming raw.baci_trade in a comment is fine\n"
    policy["raw_code"] += "select * from raw.baci_trade"
    _model(broken, "dim_country")["columns"]["country_iso3"]["description"] = ""
    _model(broken, "stg_wgi__governance")["description"] = " "
    # A mart whose grain test is gone.
    for node in broken["nodes"].values():
        if (
            node.get("attached_node") == "model.critmin.dim_mineral"
            and node.get("test_metadata", {}).get("name") in checker.GRAIN_TESTS
        ):
            node["test_metadata"]["name"] = "not_null"

    found = checker.violations(broken)
    expected = [
        "int_dependency__usgs_published_nir (intermediate) reads marts model "
        "fct_us_salient_statistics",
        "mart_supply_risk: reads source raw.baci_trade; only staging may",
        "stg_baci__trade: a staging model reads model stg_reference__countries",
        "int_supply_shock: a marts model is named fct_ or dim_ or bridge_ or mart_*",
        "int_supply_shock: a mart without an enforced contract",
        "mart_policy_exposure: hard-coded relation raw.baci_trade; use ref() or source()",
        "dim_country.country_iso3: no description",
        "stg_wgi__governance: no description",
        "dim_mineral: no unique or unique_combination_of_columns test",
    ]
    assert sorted(found) == sorted(expected)
