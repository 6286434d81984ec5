"""Dagster resources: where the landing files are, which DuckDB file is written and which one
is served. `resources(settings)` makes them from the resolved `Settings`; none reads the
environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from ingest.landing import read_landing_info
from orchestration.settings import Settings
from orchestration.spark import SparkFolder
from warehouse import access, paths


class LandingResource(ConfigurableResource):
    """The landing directory: one folder per source beneath it, named by the source's spec
    (`ingest.registry.landing_folders()`: `baci/`, `usgs_mcs/`, `comtrade/`, ...)."""

    data_dir: str

    def folder(self, folder: str) -> Path:
        """The landing folder `folder` (a spec's `folder`) of this directory."""
        return Path(self.data_dir) / folder

    def data_label(self, published_source: str) -> str:
        """The `source` value rows carry: the publisher's name, unless the directory's
        `landing.toml` declares it synthetic (then its label, e.g. `demo`)."""
        return read_landing_info(Path(self.data_dir)).row_source(published_source)


class WarehouseResource(ConfigurableResource):
    """The build DuckDB file the pipeline writes (one writer at a time), and on the spark engine
    the folder where ingest also writes the raw tables as Parquet (`raw_parquet_dir`)."""

    path: str
    raw_parquet_dir: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path)

    @property
    def raw_parquet(self) -> Path | None:
        """Where ingest writes the raw tables as Parquet, or None (the duckdb engine)."""
        return Path(self.raw_parquet_dir) if self.raw_parquet_dir else None

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with access.writer(self.file) as con:
            yield con

    @contextmanager
    def reader(self, limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; DuckDB's buffers capped at `limit` (see `access.reader`)."""
        with access.reader(self.file, limit) as con:
            yield con


class ServingResource(ConfigurableResource):
    """The serving DuckDB file analysts read, and where its Parquet export and docs go."""

    path: str
    export_dir: str = ""
    log_dir: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path)

    @property
    def export_root(self) -> Path:
        return Path(self.export_dir) if self.export_dir else paths.export_dir(self.file)

    @property
    def logs(self) -> Path:
        """Where the traces of failed runs go: `logs/` beside the serving file by default."""
        return Path(self.log_dir) if self.log_dir else paths.run_log_dir(self.file)

    @property
    def docs_dir(self) -> Path:
        return paths.docs_dir(self.file)


def resources(settings: Settings) -> dict[str, object]:
    """The landing, build and serving resources of `settings`."""
    return {
        "landing": LandingResource(data_dir=str(settings.landing_dir)),
        "warehouse": WarehouseResource(
            path=str(settings.build_warehouse),
            raw_parquet_dir=(
                str(SparkFolder(settings.spark_dir).raw)
                if settings.engine == "spark" and settings.spark_dir
                else ""
            ),
        ),
        "serving": ServingResource(
            path=str(settings.serving_warehouse),
            export_dir=str(settings.export_dir),
            log_dir=str(settings.log_dir),
        ),
    }
