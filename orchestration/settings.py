"""critmin's settings: where a run reads and writes, and how dbt runs, resolved in one place.

`resolve_settings` is the one function that reads them: a value given on the command line wins,
else its environment variable, else the default. The Dagster definitions (`build_defs`) and
`critmin run` take the resulting `Settings` as an argument; nothing else reads the environment
for them, and nothing writes it. The one variable left is the one dbt's profile reads
(`CRITMIN_BUILD_WAREHOUSE`), which a dbt subprocess gets in its own environment
(`orchestration/defs/transform.py`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from warehouse.paths import (
    BUILD_WAREHOUSE_ENV,
    DATA_DIR_ENV,
    DEFAULT_WAREHOUSE,
    EXPORT_DIR_ENV,
    LOCAL_HOME,
    WAREHOUSE_ENV,
    build_path,
    run_log_dir,
)

DBT_THREADS_ENV = "CRITMIN_DBT_THREADS"
# One dbt thread per core: each DuckDB query already runs on every core, so more dbt threads
# only add contention (real starter data, 2 cores: dbt build 44.9 s on 2 threads, 54.4 s on 4).
DEFAULT_DBT_THREADS = os.cpu_count() or 1
ENGINE_ENV = "CRITMIN_ENGINE"
SPARK_DIR_ENV = "CRITMIN_SPARK_DIR"
# The engines dbt builds on, and the target of `dbt_project/profiles.yml` each one uses.
ENGINE_TARGETS = {"duckdb": "dev", "spark": "spark"}
DEFAULT_ENGINE = "duckdb"
DEFAULT_DBT_TARGET = ENGINE_TARGETS[DEFAULT_ENGINE]
# What `critmin fetch starter` writes, and `make dev` loads.
DEFAULT_LANDING = LOCAL_HOME / "starter"


@dataclass(frozen=True)
class Settings:
    """Where a run reads the landing files, builds, publishes, exports and logs; how dbt runs."""

    landing_dir: Path
    serving_warehouse: Path
    build_warehouse: Path
    export_dir: Path
    log_dir: Path
    dbt_target: str = DEFAULT_DBT_TARGET
    dbt_threads: int = DEFAULT_DBT_THREADS
    # Where the spark engine keeps its Parquet tables, table catalog and dbt artifacts
    # (`orchestration.spark.SparkFolder`); unused by the duckdb engine.
    spark_dir: Path | None = None

    @property
    def engine(self) -> str:
        """`duckdb` or `spark`: what dbt builds the models on."""
        return next(
            (engine for engine, target in ENGINE_TARGETS.items() if target == self.dbt_target),
            self.dbt_target,
        )

    def absolute(self) -> Settings:
        """The same settings with every path made absolute (the run may change directory)."""
        return replace(
            self,
            landing_dir=self.landing_dir.resolve(),
            serving_warehouse=self.serving_warehouse.resolve(),
            build_warehouse=self.build_warehouse.resolve(),
            export_dir=self.export_dir.resolve(),
            log_dir=self.log_dir.resolve(),
            spark_dir=self.spark_dir.resolve() if self.spark_dir else None,
        )

    def building(self, build: Path) -> Settings:
        """The same settings writing the build file `build` (a run's own copy of it)."""
        return replace(self, build_warehouse=build)


def resolve_settings(
    *,
    data_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    build_warehouse: str | Path | None = None,
    export_dir: str | Path | None = None,
    dbt_threads: int | None = None,
    engine: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings from explicit values (the command line), else `environ` (default: the
    process environment, only read), else the defaults.

    Paths that go together stay together: a serving file given explicitly brings its own build
    file (`.build/<name>` beside it) unless a build file is given explicitly too; the logs are
    `logs/` beside the serving file and the Parquet export `parquet/` unless
    `$CRITMIN_EXPORT_DIR` says otherwise. The engine (`--engine`, else `$CRITMIN_ENGINE`, else
    duckdb) picks the dbt target; the spark engine works in `<build file name>.spark/` beside
    the build file unless `$CRITMIN_SPARK_DIR` says otherwise.
    """
    env = os.environ if environ is None else environ
    serving = Path(warehouse or env.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)
    if build_warehouse:
        build = Path(build_warehouse)
    elif warehouse:
        build = build_path(serving)
    else:
        build = Path(env.get(BUILD_WAREHOUSE_ENV) or build_path(serving))
    threads = dbt_threads or env.get(DBT_THREADS_ENV) or DEFAULT_DBT_THREADS
    try:
        threads = int(threads)
    except ValueError as error:
        raise ValueError(
            f"${DBT_THREADS_ENV} is {threads!r}: set it to a whole number of dbt threads"
        ) from error
    # The spark engine's folder is scratch of the build, like the build file: beside it.
    spark_default = build.with_suffix(".spark")
    spark_dir = spark_default if warehouse else Path(env.get(SPARK_DIR_ENV) or spark_default)
    engine = engine or env.get(ENGINE_ENV) or DEFAULT_ENGINE
    if engine not in ENGINE_TARGETS:
        raise ValueError(
            f"unknown engine {engine!r} (from --engine or ${ENGINE_ENV}): choose one of "
            + ", ".join(ENGINE_TARGETS)
        )
    return Settings(
        landing_dir=Path(data_dir or env.get(DATA_DIR_ENV) or DEFAULT_LANDING),
        serving_warehouse=serving,
        build_warehouse=build,
        export_dir=Path(export_dir or env.get(EXPORT_DIR_ENV) or serving.parent / "parquet"),
        log_dir=run_log_dir(serving),
        dbt_threads=threads,
        dbt_target=ENGINE_TARGETS[engine],
        spark_dir=spark_dir,
    )
