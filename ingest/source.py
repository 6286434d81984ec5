"""What a source declares about itself: the `SourceSpec` each `ingest/<source>/` package exports.

A spec names the source, its landing folder, the label its rows carry, its reader and the raw
tables it fills (each with its polars schema). Everything else that lists sources is derived
from the specs gathered in `ingest.registry`: the raw DDL, the Dagster ingest assets, the
landing-layout help text and the freshness checks.

A spec is cheap to import: the reader and the schemas (which load polars and the readers'
reference data) are imported when first used, so the `critmin` command can list the landing
folders without loading them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from ingest._result import SourceRead


@dataclass(frozen=True)
class RawTable:
    """One table of the warehouse's `raw` schema, as a reader produces it.

    `schema` is the polars schema of the reader's frame, in column order; the DuckDB table has
    the same columns with the matching types (`warehouse.raw_ddl`), NOT NULL where listed in
    `not_null`. `added_columns` were added after the table first shipped: build files made
    before gain them (`alter table ... add column if not exists`). `dbt_source` is the dbt
    source that declares the table when it is not the source's own (`SourceSpec.dbt_source`).
    `partitioned_by` names the column whose values split the table's Parquet copy into one folder
    each (`year=2024/`); its dbt source declares the same in `meta.spark_partitioned_by`.
    """

    name: str
    schema: Mapping[str, pl.DataType]
    not_null: frozenset[str] = frozenset()
    description: str = ""
    added_columns: tuple[str, ...] = ()
    dbt_source: str | None = None
    comment: str = ""
    partitioned_by: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.schema)

    def __post_init__(self) -> None:
        named = set(self.not_null) | set(self.added_columns)
        if self.partitioned_by is not None:
            named.add(self.partitioned_by)
        unknown = sorted(named - set(self.schema))
        if unknown:
            raise ValueError(f"raw.{self.name}: columns {unknown} are not in its schema")


def _resolve(target: str) -> object:
    """`"package.module:attribute"` -> the attribute, importing the module."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class SourceSpec:
    """One source of the warehouse.

    - `name`: the source kind; keys its quarantine rows and load-log lines, and names its
      Dagster ingest asset `ingest_<name>`.
    - `folder`: its folder beneath the landing directory; None for data shipped with critmin.
    - `label`: the `source` value its rows carry (the publisher's name).
    - `description`: one line on what it is, shown in Dagster and the help text.
    - `reader`: `"module:function"` of `function(folder, label) -> SourceRead`.
    - `tables`: `"module:attribute"` of its tuple of RawTable (imported when first used).
    - `dbt_source`: the dbt source (`models/staging/<dbt_source>/_<dbt_source>__sources.yml`)
      declaring its raw tables.
    - `labelled_by_landing`: whether a synthetic landing directory (`landing.toml`) relabels its
      rows; False for sources a synthetic directory carries as published (or not at all).
    - `fresh_table`: the raw table whose last load the freshness check watches (None: none).
    """

    name: str
    folder: str | None
    label: str
    description: str
    reader: str
    tables_from: str
    dbt_source: str
    labelled_by_landing: bool = True
    fresh_table: str | None = None

    @cached_property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(_resolve(self.tables_from))  # type: ignore[arg-type]

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(table.name for table in self.tables)

    def table(self, name: str) -> RawTable:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"source {self.name} has no raw table {name!r}; it has {self.table_names}")

    @property
    def read_function(self) -> Callable[[Path, str], SourceRead]:
        return _resolve(self.reader)  # type: ignore[return-value]

    def read(self, folder: Path, label: str | None = None) -> SourceRead:
        """Read `folder` (this source's landing folder) into its raw tables and rejects."""
        return self.read_function(folder, self.label if label is None else label)
