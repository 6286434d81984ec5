"""The dbt documentation of a built warehouse, written in this process.

`dbt docs generate --static` starts a dbt process that parses the project again (about 9 s) to run
one catalog query. The run's `dbt build` has already written the manifest, so this module writes
the same three files from it directly:

- `catalog.json`: dbt's catalog artifact (dbt's own classes), filled by the query dbt-duckdb's
  `get_catalog` macro runs (`duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`), matched to
  the manifest's models, seeds and sources on (database, schema, identifier) as dbt matches them;
- `manifest.json`: the manifest of the run's build;
- `index.html`: dbt's documentation page with both artifacts inlined, as `--static` writes it.

`tests/e2e/test_serving.py` compares the catalog with the one `dbt docs generate` writes for the
same warehouse.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dbt.artifacts.schemas.catalog import (
    CatalogArtifact,
    CatalogTable,
    ColumnMetadata,
    StatsItem,
    TableMetadata,
)

from warehouse import access

# dbt-duckdb's `duckdb__get_catalog`; rows are matched to the manifest's nodes in Python.
CATALOG_SQL = """
with tables as (
    select database_name, schema_name, table_name, 'BASE TABLE' as table_type, comment
    from duckdb_tables()
    union all
    select database_name, schema_name, view_name, 'VIEW', comment
    from duckdb_views()
)
select
    tables.database_name, tables.schema_name, tables.table_name, tables.table_type,
    tables.comment, c.column_name, c.column_index, c.data_type, c.comment
from tables
join duckdb_columns() as c using (database_name, schema_name, table_name)
where tables.database_name not in ('system', 'temp')
order by tables.schema_name, tables.table_name, c.column_index
"""


def _no_stats() -> dict[str, StatsItem]:
    # dbt always adds `has_stats`; DuckDB's catalog query returns no statistics.
    return {
        "has_stats": StatsItem(
            id="has_stats",
            label="Has Stats?",
            value=False,
            description="Indicates whether there are statistics for this table",
            include=False,
        )
    }


def _key(database: str | None, schema: str, identifier: str) -> tuple[str | None, str, str]:
    return (database.lower() if database else None, schema.lower(), identifier.lower())


def catalog_tables(database: Path) -> dict[tuple[str | None, str, str], CatalogTable]:
    """Every table and view of `database` with its columns, keyed as dbt keys its catalog."""
    tables: dict[tuple[str | None, str, str], CatalogTable] = {}
    with access.reader(database) as con:
        rows = con.execute(CATALOG_SQL).fetchall()
    for db, schema, name, kind, comment, column, index, data_type, column_comment in rows:
        key = (db, schema, name)
        if key not in tables:
            metadata = TableMetadata(
                type=kind, schema=schema, name=name, database=db, comment=comment, owner=None
            )
            tables[key] = CatalogTable(metadata=metadata, columns={}, stats=_no_stats())
        tables[key].columns[column] = ColumnMetadata(
            type=data_type, index=int(index), name=column, comment=column_comment
        )
    return tables


def build_catalog(database: Path, manifest: dict[str, Any]) -> CatalogArtifact:
    """dbt's catalog artifact for the nodes and sources of `manifest` found in `database`
    (dbt's `Catalog.make_unique_id_map`: a relation is a node's when (database, schema, alias)
    match, compared in lower case, and every source's whose (database, schema, identifier)
    match)."""
    node_ids = {
        _key(node.get("database"), node["schema"], node["alias"]): unique_id
        for unique_id, node in manifest["nodes"].items()
    }
    source_ids: dict[tuple[str | None, str, str], list[str]] = {}
    for unique_id, source in manifest["sources"].items():
        key = _key(source["database"], source["schema"], source["identifier"])
        source_ids.setdefault(key, []).append(unique_id)
    nodes: dict[str, CatalogTable] = {}
    sources: dict[str, CatalogTable] = {}
    for (db, schema, name), table in catalog_tables(database).items():
        key = _key(db, schema, name)
        if key in node_ids:
            nodes[node_ids[key]] = _with_id(table, node_ids[key])
        for unique_id in source_ids.get(key, []):
            sources[unique_id] = _with_id(table, unique_id)
    return CatalogArtifact.from_results(
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        nodes=nodes,
        sources=sources,
        compile_results=None,
        errors=None,
    )


def _with_id(table: CatalogTable, unique_id: str) -> CatalogTable:
    return CatalogTable(
        metadata=table.metadata, columns=table.columns, stats=table.stats, unique_id=unique_id
    )


def _index_template() -> Path:
    from dbt.task.docs import DOCS_INDEX_FILE_PATH

    return Path(DOCS_INDEX_FILE_PATH)


def write_docs(database: Path, manifest_path: Path, out_dir: Path) -> Path:
    """Write `catalog.json`, `manifest.json` and the static `index.html` of `database` to
    `out_dir` (created); return the page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_text = manifest_path.read_text(encoding="utf-8")
    catalog = build_catalog(database, json.loads(manifest_text))
    catalog.write(str(out_dir / "catalog.json"))
    shutil.copyfile(manifest_path, out_dir / "manifest.json")
    catalog_text = (out_dir / "catalog.json").read_text(encoding="utf-8")
    page = _index_template().read_text(encoding="utf-8")
    page = page.replace('"MANIFEST.JSON INLINE DATA"', manifest_text)
    page = page.replace('"CATALOG.JSON INLINE DATA"', catalog_text)
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
