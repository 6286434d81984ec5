"""Where the warehouse, the landing directory and the dbt project live.

One environment variable names the DuckDB file (`CRITMIN_WAREHOUSE`); the dbt profile and the
Dagster resources read the same variable. Defaults are relative to the working directory, so a
checkout run with `make run` keeps everything under `.critmin/`.
"""

from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_ENV = "CRITMIN_WAREHOUSE"
DATA_DIR_ENV = "CRITMIN_DATA_DIR"

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
LOCAL_HOME = Path(".critmin")
DEFAULT_WAREHOUSE = LOCAL_HOME / "critmin.duckdb"
DEFAULT_DEMO_DIR = LOCAL_HOME / "demo"


def warehouse_path(explicit: str | Path | None = None) -> Path:
    """The DuckDB file: the explicit path, else `$CRITMIN_WAREHOUSE`, else the local default."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(WAREHOUSE_ENV)
    return Path(from_env) if from_env else DEFAULT_WAREHOUSE
