"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Definitions
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from warehouse.paths import BUILD_WAREHOUSE_ENV, DBT_PROJECT_DIR

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
    env = {**os.environ}
    env.setdefault(BUILD_WAREHOUSE_ENV, str(project.project_dir / "target" / "parse.duckdb"))
    _run_dbt(["parse", "--quiet", "--target-path", str(project.target_path)], env, project)
    if not manifest.exists():
        raise RuntimeError(f"dbt parse of {project.project_dir} wrote no {manifest}")
    return manifest


def _run_dbt(args: list[str], env: dict[str, str], project: DbtProject = DBT_PROJECT) -> None:
    """Run one dbt command in a subprocess; raise with dbt's own output when it fails."""
    completed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            *args,
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
        ],
        env={**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"dbt {args[0]} in {project.project_dir} failed (exit {completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


def generate_docs(database: Path, out_dir: Path) -> Path:
    """Write the dbt documentation of `database` (models, columns, lineage, catalog) to a staging
    folder beside `out_dir` and return it; `switch_docs` puts it in place.

    `index.html` is dbt's self-contained static page; `manifest.json` and `catalog.json` are the
    artifacts other documentation tools read.
    """
    staged = out_dir.with_name(f".{out_dir.name}.incoming")
    with tempfile.TemporaryDirectory(prefix="critmin-docs-") as scratch:
        env = {**os.environ, BUILD_WAREHOUSE_ENV: str(database)}
        _run_dbt(["docs", "generate", "--static", "--quiet", "--target-path", scratch], env)
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        shutil.copyfile(Path(scratch) / "static_index.html", staged / "index.html")
        for artifact in ("manifest.json", "catalog.json"):
            shutil.copyfile(Path(scratch) / artifact, staged / artifact)
    return staged


def switch_docs(staged: Path, out_dir: Path) -> Path:
    """Replace the published documentation with the staged one."""
    shutil.rmtree(out_dir, ignore_errors=True)
    staged.rename(out_dir)
    return out_dir / "index.html"


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
