"""The dbt project's naming, layering and documentation rules (scripts/check_dbt_project.py)."""

from __future__ import annotations

import copy

import pytest
from repo_paths import load_script

checker = load_script("check_dbt_project")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return checker.load_manifest()


def _model(manifest: dict, name: str) -> dict:
    return manifest["nodes"][f"model.critmin.{name}"]


def test_the_project_follows_its_rules(manifest: dict) -> None:
    assert checker.violations(manifest) == []


def test_each_rule_catches_its_violation(manifest: dict) -> None:
    broken = copy.deepcopy(manifest)
    # An intermediate model reading a mart, a mart reading a source, a mart reading a mart.
    _model(broken, "int_dependency__usgs_published_nir")["depends_on"]["nodes"].append(
        "model.critmin.fct_us_salient_statistics"
    )
    _model(broken, "mart_supply_risk")["depends_on"]["nodes"].append(
        "source.critmin.raw.baci_trade"
    )
    _model(broken, "mart_supply_risk_by_importer")["depends_on"]["nodes"].append(
        "model.critmin.mart_supply_risk"
    )
    # A staging model reading another model.
    _model(broken, "stg_baci__trade")["depends_on"]["nodes"].append(
        "model.critmin.stg_reference__countries"
    )
    # A mart named like an intermediate model, without its contract.
    renamed = _model(broken, "mart_supply_shock")
    renamed["name"] = "int_supply_shock"
    renamed["original_file_path"] = "models/marts/dependency/int_supply_shock.sql"
    renamed["patch_path"] = "critmin://models/marts/dependency/int_supply_shock.yml"
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

    # A mart outside a domain folder, an intermediate model in a folder that is no domain, a
    # model whose properties sit in a shared file, a unit test away from its model's file.
    _model(broken, "fct_reserves")["original_file_path"] = "models/marts/fct_reserves.sql"
    _model(broken, "fct_reserves")["patch_path"] = "critmin://models/marts/fct_reserves.yml"
    misplaced = _model(broken, "int_dependency__supply_risk_parameters")
    misplaced["original_file_path"] = "models/intermediate/misc/" + misplaced["name"] + ".sql"
    misplaced["patch_path"] = "critmin://models/intermediate/misc/" + misplaced["name"] + ".yml"
    _model(broken, "dim_country")["patch_path"] = "critmin://models/marts/reference/_models.yml"
    unit_test = next(
        test
        for test in broken["unit_tests"].values()
        if test["depends_on"]["nodes"] == ["model.critmin.int_dependency__supply_risk"]
    )
    unit_test["original_file_path"] = "models/intermediate/dependency/_unit_tests.yml"

    found = checker.violations(broken)
    expected = [
        "int_dependency__usgs_published_nir (intermediate) reads marts model "
        "fct_us_salient_statistics",
        "mart_supply_risk: reads source raw.baci_trade; only staging may",
        "mart_supply_risk_by_importer: reads mart mart_supply_risk; build both on an "
        "intermediate model",
        "stg_baci__trade: a staging model reads model stg_reference__countries",
        "int_supply_shock: a marts model is named fct_ or dim_ or bridge_ or mart_*",
        "int_supply_shock: a mart without an enforced contract",
        "mart_policy_exposure: hard-coded relation raw.baci_trade; use ref() or source()",
        "dim_country.country_iso3: no description",
        "stg_wgi__governance: no description",
        "dim_mineral: no unique or unique_combination_of_columns test",
        "fct_reserves: directly under models/marts/, not in a sub-folder",
        "int_dependency__supply_risk_parameters: in models/intermediate/misc/, not a domain folder "
        "(reference, trade, production, policy, dependency)",
        "dim_country: properties in models/marts/reference/_models.yml, not "
        "models/marts/reference/dim_country.yml",
        f"{unit_test['name']}: a unit test of int_dependency__supply_risk in "
        "models/intermediate/dependency/_unit_tests.yml, not "
        "models/intermediate/dependency/int_dependency__supply_risk.yml",
    ]
    assert sorted(found) == sorted(expected)
