"""Check the dbt project's naming, layering and documentation rules on its parsed manifest.

The rules are those of dbt-project-evaluator that apply to this project, checked offline (the
package itself would be downloaded from the dbt hub):

- naming: a model under `models/staging/` is named `stg_*`, under `models/intermediate/` `int_*`,
  under `models/marts/` `fct_*`, `dim_*`, `bridge_*` or `mart_*`;
- folders: a staging model lives in its source's folder (`models/staging/<source>/`), an
  intermediate model or a mart in its domain's (`models/<layer>/<domain>/`: reference, trade,
  production, policy, dependency);
- one YAML per model: a model's properties, tests and unit tests are in `<model>.yml` beside its
  SQL (sources keep their `_<source>__sources.yml`);
- layering: only staging models read sources, and they read nothing else but seeds; no model
  reads a model of a later layer (staging < intermediate < marts); a `mart_*` model reads no
  other `mart_*` model (marts build on intermediate models, facts and dimensions, so a published
  mart can change without changing another);
- no hard-coded relation: a model names other relations through `ref()` / `source()` only;
- documentation: every model has a description; every mart has an enforced contract, a
  description for each of its columns and a test of its grain (`unique` or
  `unique_combination_of_columns`).

Usage: `python scripts/check_dbt_project.py [--manifest target/manifest.json]`. Without
`--manifest` it reads the project's own manifest, parsed first when missing or stale. Exits 1
and lists every violation when there is one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

LAYERS = {"staging": 0, "intermediate": 1, "marts": 2}
PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_", "bridge_", "mart_"),
}
GRAIN_TESTS = {"unique", "unique_combination_of_columns"}
DOMAINS = ("reference", "trade", "production", "policy", "dependency")
# A schema-qualified name in SQL outside Jinja: `raw.baci_trade`, `marts.dim_country`, ...
HARD_CODED = re.compile(r"\b(raw|staging|intermediate|marts|seeds|main)\.[a-z_]+\b", re.IGNORECASE)


def load_manifest() -> dict:
    """The project's parsed manifest, parsed first when it is missing or stale (the same
    `ensure_manifest` a run uses, in a dbt subprocess with its own environment)."""
    from orchestration.defs.transform import dbt_project, ensure_manifest

    return json.loads(ensure_manifest(dbt_project()).read_text())


def _layer(node: dict) -> str | None:
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else None


def _folder_problem(node: dict, layer: str) -> str | None:
    """Why the model's file is not in its layer's sub-folder, or None."""
    parts = Path(node["original_file_path"]).parts
    if len(parts) != 4:
        return f"directly under models/{layer}/, not in a sub-folder"
    if layer != "staging" and parts[2] not in DOMAINS:
        return f"in models/{layer}/{parts[2]}/, not a domain folder ({', '.join(DOMAINS)})"
    return None


def _properties_file(node: dict) -> str:
    """The YAML file a model's properties must be in: `<model>.yml` beside its SQL."""
    return str(Path(node["original_file_path"]).with_name(f"{node['name']}.yml"))


def _sql_outside_jinja(code: str) -> str:
    code = re.sub(r"\{#.*?#\}", " ", code, flags=re.DOTALL)
    code = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", code, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", " ", code)


def violations(manifest: dict) -> list[str]:
    """Every rule broken by the project of `manifest`, one line each."""
    nodes = manifest["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    grain_tested: set[str] = set()
    for node in nodes.values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            if node["test_metadata"]["name"] in GRAIN_TESTS and node.get("attached_node"):
                grain_tested.add(node["attached_node"])
    found: list[str] = []
    for uid, model in sorted(models.items()):
        name = model["name"]
        layer = _layer(model)
        if layer is None:
            found.append(f"{name}: not under models/staging, models/intermediate or models/marts")
            continue
        if not name.startswith(PREFIXES[layer]):
            found.append(f"{name}: a {layer} model is named {' or '.join(PREFIXES[layer])}*")
        problem = _folder_problem(model, layer)
        if problem:
            found.append(f"{name}: {problem}")
        patch = (model.get("patch_path") or "").split("://", 1)[-1]
        if patch != _properties_file(model):
            found.append(
                f"{name}: properties in {patch or 'no file'}, not {_properties_file(model)}"
            )
        for dep in model["depends_on"]["nodes"]:
            kind = dep.split(".")[0]
            if kind == "source" and layer != "staging":
                found.append(f"{name}: reads source {dep.split('.', 2)[2]}; only staging may")
            elif kind == "model":
                upstream = models[dep]
                dep_layer = _layer(upstream)
                if layer == "staging":
                    found.append(f"{name}: a staging model reads model {upstream['name']}")
                elif dep_layer is not None and LAYERS[dep_layer] > LAYERS[layer]:
                    found.append(f"{name} ({layer}) reads {dep_layer} model {upstream['name']}")
                elif name.startswith("mart_") and upstream["name"].startswith("mart_"):
                    found.append(
                        f"{name}: reads mart {upstream['name']}; "
                        "build both on an intermediate model"
                    )
        for match in HARD_CODED.finditer(_sql_outside_jinja(model["raw_code"])):
            found.append(f"{name}: hard-coded relation {match.group(0)}; use ref() or source()")
        if not (model.get("description") or "").strip():
            found.append(f"{name}: no description")
        if layer == "marts":
            if not model["config"].get("contract", {}).get("enforced"):
                found.append(f"{name}: a mart without an enforced contract")
            for column, spec in model["columns"].items():
                if not (spec.get("description") or "").strip():
                    found.append(f"{name}.{column}: no description")
            if uid not in grain_tested:
                found.append(f"{name}: no unique or unique_combination_of_columns test")
    for _, test in sorted(manifest.get("unit_tests", {}).items()):
        tested = test["depends_on"]["nodes"]
        model = models.get(tested[0]) if tested else None
        if model is not None and test["original_file_path"] != _properties_file(model):
            found.append(
                f"{test['name']}: a unit test of {model['name']} in {test['original_file_path']}, "
                f"not {_properties_file(model)}"
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--manifest", type=Path, help="a manifest.json (default: the project's, parsed if stale)"
    )
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text()) if args.manifest else load_manifest()
    found = violations(manifest)
    models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    for line in found:
        print(line)
    print(f"{models} models checked: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
