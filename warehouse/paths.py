"""Where the warehouse files, the landing directory and the dbt project live.

Two DuckDB files, so that analysts can query while a run builds:
- the **serving** warehouse (`$CRITMIN_WAREHOUSE`, default `.critmin/critmin.duckdb`): what
  `critmin query`, BI tools and notebooks read, read-only. Only a run whose checks all passed
  replaces it, atomically.
- the **build** warehouse (`$CRITMIN_BUILD_WAREHOUSE`, default `.build/<name>` beside the serving
  file): what the ingest assets and dbt write. The dbt profile and the Dagster resources read this
  one variable.
Defaults are relative to the working directory, so a checkout run with `make run` keeps
everything under `.critmin/`.
"""

from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_ENV = "CRITMIN_WAREHOUSE"
BUILD_WAREHOUSE_ENV = "CRITMIN_BUILD_WAREHOUSE"
DATA_DIR_ENV = "CRITMIN_DATA_DIR"
EXPORT_DIR_ENV = "CRITMIN_EXPORT_DIR"

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
LOCAL_HOME = Path(".critmin")
DEFAULT_WAREHOUSE = LOCAL_HOME / "critmin.duckdb"
DEFAULT_DEMO_DIR = LOCAL_HOME / "demo"


def warehouse_path(explicit: str | Path | None = None) -> Path:
    """The serving DuckDB file: the explicit path, else `$CRITMIN_WAREHOUSE`, else the default."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(WAREHOUSE_ENV)
    return Path(from_env) if from_env else DEFAULT_WAREHOUSE


def build_path(serving: Path) -> Path:
    """The build DuckDB file that goes with a serving file: `.build/<name>` beside it."""
    return serving.parent / ".build" / serving.name


def work_file(build: Path) -> Path:
    """The name under which a run writes `build`: the same in every run, so that dbt, whose
    profile names it, keeps its parsed project from one run to the next (a profile that changes
    makes dbt parse the whole project again). dbt ends with the run that started it, even when
    that run is killed (`orchestration.defs.transform.write_dbt_launcher`), so no process of an
    earlier run writes this file while a later one does."""
    return build.with_name(f"{build.name}.run")


def export_dir(serving: Path) -> Path:
    """Where the Parquet copies of the marts go: `$CRITMIN_EXPORT_DIR`, else `parquet/` beside
    the serving file."""
    from_env = os.environ.get(EXPORT_DIR_ENV)
    return Path(from_env) if from_env else serving.parent / "parquet"


def run_log_dir(serving: Path) -> Path:
    """Where `critmin run` writes the full error report of a failed run: `logs/` beside the
    serving file."""
    return serving.parent / "logs"


def docs_dir(serving: Path) -> Path:
    """Where the generated dbt documentation of the serving warehouse goes."""
    return serving.parent / "docs"
