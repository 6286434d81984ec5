"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Definitions
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from warehouse.paths import DBT_PROJECT_DIR, WAREHOUSE_ENV

# The dbt installed beside this Python, whether or not the virtual environment is on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Files whose change makes the parsed manifest stale.
_DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}
_DBT_SOURCE_DIRS = ("models", "macros", "tests", "seeds", "analyses", "snapshots")


def _newest_dbt_source_mtime(project_dir: Path) -> float:
    newest = (project_dir / "dbt_project.yml").stat().st_mtime
    for folder in _DBT_SOURCE_DIRS:
        for path in (project_dir / folder).rglob("*"):
            if path.suffix in _DBT_SOURCE_SUFFIXES:
                newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Parse the dbt project when its manifest is missing or older than any model file.

    Parsing needs no database: the warehouse variable is given a placeholder when unset.
    """
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_dbt_source_mtime(
        project.project_dir
    ):
        return manifest
    dbt = DBT_EXECUTABLE
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.setdefault(WAREHOUSE_ENV, str(project.project_dir / "target" / "parse.duckdb"))
    completed = subprocess.run(
        [
            str(dbt),
            "parse",
            "--quiet",
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
            "--target-path",
            str(project.target_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"dbt parse of {project.project_dir} failed (exit {completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )
    return manifest


class CritminDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (`marts/mart_import_dependency`); sources keep the
    `meta.dagster.asset_key` that points at the ingest asset producing them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


@dbt_assets(
    manifest=ensure_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=CritminDbtTranslator(),
    pool="duckdb_writer",
)
def critmin_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build`: staging views, intermediate models and marts, each followed by its tests."""
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(DBT_EXECUTABLE),
    )


defs = Definitions(assets=[critmin_dbt_models], resources={"dbt": dbt_resource()})
