"""Settings are resolved in one place (command line over environment over defaults), and the
Dagster definitions are built from them when asked for, never at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from repo_paths import REPO

from orchestration.defs.transform import write_build_profile
from orchestration.settings import (
    DBT_THREADS_ENV,
    ENGINE_ENV,
    SPARK_DIR_ENV,
    Settings,
    resolve_settings,
)
from warehouse.paths import (
    BUILD_WAREHOUSE_ENV,
    DATA_DIR_ENV,
    DEFAULT_WAREHOUSE,
    EXPORT_DIR_ENV,
    WAREHOUSE_ENV,
)

ENVIRON = {
    DATA_DIR_ENV: "/env/landing",
    WAREHOUSE_ENV: "/env/serving/critmin.duckdb",
    BUILD_WAREHOUSE_ENV: "/env/build/critmin.duckdb",
    EXPORT_DIR_ENV: "/env/parquet",
    DBT_THREADS_ENV: "2",
}


def test_command_line_values_win_over_the_environment() -> None:
    settings = resolve_settings(
        data_dir="/cli/landing", warehouse="/cli/serving/w.duckdb", environ=ENVIRON
    )
    assert settings.landing_dir == Path("/cli/landing")
    assert settings.serving_warehouse == Path("/cli/serving/w.duckdb")
    # A serving file named on the command line brings its own build file and log folder, not
    # the environment's (they belong to the environment's serving file).
    assert settings.build_warehouse == Path("/cli/serving/.build/w.duckdb")
    assert settings.log_dir == Path("/cli/serving/logs")
    # What the command line leaves out comes from the environment.
    assert settings.export_dir == Path("/env/parquet")
    assert settings.dbt_threads == 2
    explicit = resolve_settings(
        warehouse="/cli/w.duckdb",
        build_warehouse="/cli/b.duckdb",
        export_dir="/cli/parquet",
        dbt_threads=8,
        environ=ENVIRON,
    )
    assert (explicit.build_warehouse, explicit.export_dir, explicit.dbt_threads) == (
        Path("/cli/b.duckdb"),
        Path("/cli/parquet"),
        8,
    )


def test_the_environment_and_then_the_defaults() -> None:
    assert resolve_settings(environ=ENVIRON) == Settings(
        landing_dir=Path("/env/landing"),
        serving_warehouse=Path("/env/serving/critmin.duckdb"),
        build_warehouse=Path("/env/build/critmin.duckdb"),
        export_dir=Path("/env/parquet"),
        log_dir=Path("/env/serving/logs"),
        dbt_threads=2,
        spark_dir=Path("/env/build/critmin.spark"),
    )
    defaults = resolve_settings(environ={})
    assert defaults.serving_warehouse == DEFAULT_WAREHOUSE
    assert defaults.build_warehouse == DEFAULT_WAREHOUSE.parent / ".build" / "critmin.duckdb"
    assert defaults.export_dir == DEFAULT_WAREHOUSE.parent / "parquet"
    assert defaults.landing_dir == Path(".critmin/starter")
    assert (defaults.dbt_target, defaults.dbt_threads) == ("dev", os.cpu_count())
    assert defaults.engine == "duckdb"
    assert defaults.spark_dir == DEFAULT_WAREHOUSE.parent / ".build" / "critmin.spark"


def test_the_engine_picks_the_dbt_target_and_the_spark_folder_goes_with_the_build() -> None:
    spark = resolve_settings(engine="spark", environ={})
    assert (spark.engine, spark.dbt_target) == ("spark", "spark")
    from_env = resolve_settings(environ={ENGINE_ENV: "spark", SPARK_DIR_ENV: "/env/spark"})
    assert (from_env.engine, from_env.spark_dir) == ("spark", Path("/env/spark"))
    # The command line wins; a serving file named there brings its own Spark folder.
    cli = resolve_settings(
        engine="duckdb",
        warehouse="/cli/w.duckdb",
        environ={ENGINE_ENV: "spark", SPARK_DIR_ENV: "/env/spark"},
    )
    assert (cli.engine, cli.dbt_target) == ("duckdb", "dev")
    assert cli.spark_dir == Path("/cli/.build/w.spark")
    with pytest.raises(ValueError, match="unknown engine 'trino'.*duckdb, spark"):
        resolve_settings(environ={ENGINE_ENV: "trino"})


def test_resolving_reads_the_environment_and_never_writes_it(monkeypatch) -> None:
    monkeypatch.setenv(WAREHOUSE_ENV, "/from/process/critmin.duckdb")
    monkeypatch.delenv(BUILD_WAREHOUSE_ENV, raising=False)
    before = dict(os.environ)
    settings = resolve_settings()
    assert settings.serving_warehouse == Path("/from/process/critmin.duckdb")
    assert settings.build_warehouse == Path("/from/process/.build/critmin.duckdb")
    assert dict(os.environ) == before


def test_the_build_profile_is_the_committed_one_pointed_at_the_build_file(tmp_path: Path) -> None:
    folder = write_build_profile(tmp_path / "profile", tmp_path / "b.duckdb", 3, "dev")
    written = yaml.safe_load((folder / "profiles.yml").read_text())
    committed = yaml.safe_load((REPO / "dbt_project" / "profiles.yml").read_text())
    output = written["critmin"]["outputs"]["dev"]
    assert output == {
        **committed["critmin"]["outputs"]["dev"],
        "path": str(tmp_path / "b.duckdb"),
        "threads": 3,
    }
    assert written["critmin"]["target"] == "dev"


def test_the_spark_profile_names_the_spark_folder_and_no_duckdb_file(tmp_path: Path) -> None:
    folder = write_build_profile(
        tmp_path / "profile", tmp_path / "b.duckdb", 2, "spark", {SPARK_DIR_ENV: "/w/s"}
    )
    output = yaml.safe_load((folder / "profiles.yml").read_text())["critmin"]["outputs"]["spark"]
    params = output["server_side_parameters"]
    assert params["spark.sql.warehouse.dir"] == "/w/s/warehouse"
    assert params["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        "jdbc:derby:;databaseName=/w/s/metastore_db;create=true"
    )
    assert "CRITMIN_SPARK_DIR" not in json.dumps(output)
    # A variable not given is left for dbt to read, with its default.
    assert params["spark.driver.memory"] == "{{ env_var('CRITMIN_SPARK_DRIVER_MEMORY', '4g') }}"
    assert "path" not in output and output["threads"] == 2


# In a fresh interpreter: record every subprocess started and every dbt-assets definition made
# while `orchestration.definitions` is imported.
_IMPORT_PROBE = """
import json, subprocess, sys
import dagster_dbt

started, dbt_assets_made = [], []
real_popen_init = subprocess.Popen.__init__

def spy_popen(self, args, *rest, **kwargs):
    started.append(str(args))
    return real_popen_init(self, args, *rest, **kwargs)

real_dbt_assets = dagster_dbt.dbt_assets

def spy_dbt_assets(*args, **kwargs):
    dbt_assets_made.append(str(kwargs.get("manifest")))
    return real_dbt_assets(*args, **kwargs)

subprocess.Popen.__init__ = spy_popen
dagster_dbt.dbt_assets = spy_dbt_assets
import orchestration.definitions as definitions
print(json.dumps({
    "started": started,
    "dbt_assets": dbt_assets_made,
    "defs": type(definitions.defs).__name__,
}))
"""


def _run_probe(tmp_path: Path, source: str) -> dict:
    """Run `source` in a fresh interpreter (no CRITMIN_ settings, the repository importable) and
    return the JSON object its last output line holds."""
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRITMIN_")}
    completed = subprocess.run(
        [sys.executable, str(probe)],
        env={**env, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_importing_the_definitions_runs_no_subprocess_and_no_dbt_parse(tmp_path: Path) -> None:
    """Old behaviour this catches: a module-level `defs` made the dbt assets at import, and
    parsed the dbt project in a `dbt parse` subprocess when the manifest was stale."""
    report = _run_probe(tmp_path, _IMPORT_PROBE)
    assert report["started"] == []
    assert report["dbt_assets"] == []
    # What `dagster dev` loads: a function that builds the definitions when called.
    assert report["defs"] == "LazyDefinitions"


def test_pyproject_points_dagster_at_the_definitions_function() -> None:
    """A plain `dagster dev` (no -m/-a) reads `[tool.dagster]` from pyproject.toml."""
    import importlib
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dagster"]
    module = importlib.import_module(config["module_name"])
    # What the @definitions decorator makes (Dagster calls it when it loads the code location).
    assert type(getattr(module, config["attribute"])).__name__ == "LazyDefinitions"


_START_UP_PROBE = """
import json, sys
from pathlib import Path
import dagster as dg
from orchestration.definitions import build_defs
from orchestration.defs.schedules import FULL_REFRESH_JOB
from orchestration.settings import resolve_settings

settings = resolve_settings(data_dir=Path("landing"), warehouse=Path("critmin.duckdb"))
with dg.DagsterInstance.ephemeral():
    build_defs(settings).resolve_job_def(FULL_REFRESH_JOB)
print(json.dumps({"great_expectations": "great_expectations" in sys.modules}))
"""


def test_a_run_starts_without_importing_great_expectations(tmp_path: Path) -> None:
    """Resolving the job, all a run does before its steps, leaves Great Expectations
    unimported (seconds of start-up): it loads with the first check."""
    assert _run_probe(tmp_path, _START_UP_PROBE) == {"great_expectations": False}
