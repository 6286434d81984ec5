"""Publishing: the build warehouse becomes the serving warehouse, atomically.

DuckDB lets one process write a file or many read it, never both. So a run writes a separate
build file, and only when every check has passed is it published: the build file is stamped with
a version, checkpointed and closed, copied to a new file beside the serving one, and renamed over
it. A reader that opened the old file keeps reading that complete version; a reader that opens
the path afterwards gets the new one. Nothing ever writes to the serving file in place, so no
reader can see a half-built or failed version.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.landing import read_landing_info
from warehouse import access

VERSION_TABLE = "meta.warehouse_version"
MARTS_SCHEMA = "marts"
_KEEP_EXPORT_VERSIONS = 2


@dataclass(frozen=True)
class Published:
    version_id: str
    serving: Path
    built_at: datetime
    # Where an unreadable serving file this version replaced was kept, if there was one.
    replaced_unreadable: Path | None = None


def stamp_version(con: duckdb.DuckDBPyConnection, run_id: str, landing_dir: str) -> str:
    """Record the version id of the build about to be published in `meta.warehouse_version`,
    with what its landing directory says it covers and lacks (its `landing.toml`)."""
    version_id = uuid.uuid4().hex
    info = read_landing_info(Path(landing_dir))
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.warehouse_version ("
        "version_id varchar not null, built_at timestamp not null, run_id varchar, "
        "landing_dir varchar, landing_label varchar, landing_coverage varchar, "
        "landing_lacks varchar)"
    )
    con.execute(
        "insert into meta.warehouse_version values (?, ?, ?, ?, ?, ?, ?)",
        [
            version_id,
            datetime.now(UTC).replace(tzinfo=None),
            run_id,
            landing_dir,
            info.label or None,
            info.description or None,
            info.lacks or None,
        ],
    )
    con.execute(
        "comment on table meta.warehouse_version is "
        "'The published build: one row; every table in this file belongs to this version. "
        "landing_coverage and landing_lacks say what the landing directory covers and lacks.'"
    )
    return version_id


def prepare(build: Path, run_id: str, landing_dir: str) -> str:
    """Stamp `build` with a new version id and checkpoint it, ready to be exported and published."""
    with access.writer(build) as con:
        version_id = stamp_version(con, run_id, landing_dir)
        con.execute("checkpoint")
    return version_id


class StagedCopy:
    """A copy of the closed, checkpointed build file being written beside the serving file (in
    a thread of its own: the copy is the kernel's work, so the export and the docs are written
    meanwhile), then renamed over it by `swap_in`. `discard` waits for the copy and removes it
    when it was not swapped in; call it in every case (`staged_copy` does)."""

    def __init__(self, build: Path, serving: Path, version_id: str) -> None:
        serving.parent.mkdir(parents=True, exist_ok=True)
        self.serving = serving
        self.version_id = version_id
        self.incoming = serving.with_name(f".{serving.name}.{version_id}.incoming")
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._copy, args=(build,), name="critmin-serving-copy", daemon=True
        )
        self._thread.start()

    def _copy(self, build: Path) -> None:
        try:
            shutil.copyfile(build, self.incoming)
            _fsync(self.incoming)
        except BaseException as error:  # noqa: BLE001 - raised again by swap_in
            self._error = error

    def swap_in(self) -> Published:
        """Wait for the copy, then replace the serving file with it in one rename."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        kept = None
        if serving_problem(self.serving) is not None:
            # Keep the damaged file for inspection (a hard link: the rename below stays atomic).
            kept = set_aside(
                self.serving, self.serving.with_name(f"{self.serving.name}.broken"), link=True
            )
        os.replace(self.incoming, self.serving)
        _fsync(self.serving.parent)
        return Published(
            version_id=self.version_id,
            serving=self.serving,
            built_at=datetime.now(UTC),
            replaced_unreadable=kept,
        )

    def discard(self) -> None:
        """Wait for the copy and remove it, unless `swap_in` put it in place."""
        self._thread.join()
        self.incoming.unlink(missing_ok=True)


@contextmanager
def staged_copy(build: Path, serving: Path, version_id: str) -> Iterator[StagedCopy]:
    """A `StagedCopy` of `build` for `serving`, discarded on leaving unless swapped in."""
    copy = StagedCopy(build, serving, version_id)
    try:
        yield copy
    finally:
        copy.discard()


def swap_in(build: Path, serving: Path, version_id: str) -> Published:
    """Replace `serving` with a copy of the closed, checkpointed `build`, in one rename."""
    with staged_copy(build, serving, version_id) as copy:
        return copy.swap_in()


def set_aside(path: Path, kept: Path, link: bool = False) -> Path:
    """Keep `path` as `kept` (replacing the one kept before), with its DuckDB write-ahead log.

    With `link`, the file stays at `path` too (a hard link), so that a rename over `path` can
    follow atomically; otherwise it is moved.
    """
    kept.unlink(missing_ok=True)
    wal = path.with_name(f"{path.name}.wal")
    kept_wal = kept.with_name(f"{kept.name}.wal")
    kept_wal.unlink(missing_ok=True)
    if link:
        os.link(path, kept)
    else:
        os.replace(path, kept)
        if wal.exists():
            os.replace(wal, kept_wal)
    return kept


def publish(build: Path, serving: Path, run_id: str, landing_dir: str) -> Published:
    """Stamp `build` with a new version and replace `serving` with a copy of it, atomically."""
    return swap_in(build, serving, prepare(build, run_id, landing_dir))


def serving_version(serving: Path) -> str | None:
    """The version id of the serving warehouse, or None when there is none to read (no file, a
    file without a version table, or a file DuckDB cannot read: see `serving_problem`)."""
    if not serving.exists():
        return None
    try:
        result = access.run_query(serving, f"select version_id from {VERSION_TABLE}")
    except (duckdb.CatalogException, access.WarehouseUnreadableError):
        return None
    return result.rows[0][0] if result.rows else None


def serving_problem(serving: Path) -> str | None:
    """Why the existing file `serving` cannot be read as a warehouse, or None when it can (or
    does not exist). A run publishes over such a file, keeping it as `<name>.broken`."""
    if not serving.exists():
        return None
    return access.open_problem(serving)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_marts_parquet(database: Path, export_root: Path, version_id: str) -> Path:
    """Write every mart of `database` to Parquet under `export_root/versions/<version_id>/`.

    Marts with a `year` column are hive-partitioned by year (`<mart>/year=2023/*.parquet`), the
    others are one file (`<mart>.parquet`). Readers follow `export_root/current`, which
    `switch_current_export` points at a version once that version is published.

    A year's partition whose rows are those of the same partition in the current export (the
    same columns, row count and sum of row hashes, recorded in `FINGERPRINTS`) is linked from
    there instead of written again: after one new trade year lands, the partitions of the other
    years are the ones already published.
    """
    target = export_root / "versions" / version_id
    target.mkdir(parents=True, exist_ok=False)
    previous_root = export_root / "current"
    previous = _read_fingerprints(previous_root)
    fingerprints: dict[str, dict[str, str]] = {}
    with access.reader(database, access.RUN_READ_MEMORY_LIMIT) as con:
        marts = con.execute(
            "select table_name, list(column_name || ' ' || data_type order by ordinal_position) "
            "from information_schema.columns where table_schema = ? group by table_name "
            "order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
        for table, columns in marts:
            if not any(column.startswith("year ") for column in columns):
                access.copy_to_parquet(con, MARTS_SCHEMA, table, target / f"{table}.parquet")
                continue
            years = _year_fingerprints(con, table, "|".join(columns))
            fingerprints[table] = years
            kept = {
                year
                for year, fingerprint in years.items()
                if year != "NULL" and previous.get(table, {}).get(year) == fingerprint
            }
            written = [year for year in years if year not in kept]
            if written:
                access.copy_to_parquet(
                    con, MARTS_SCHEMA, table, target / table, "year", _years_sql(written)
                )
            for year in kept:
                _link_tree(previous_root / table / f"year={year}", target / table / f"year={year}")
    (target / FINGERPRINTS).write_text(json.dumps(fingerprints, sort_keys=True), encoding="utf-8")
    return target


# Per mart partitioned by year, per year: what its rows were when exported (`_year_fingerprints`).
FINGERPRINTS = ".partitions.json"


def _year_fingerprints(con: duckdb.DuckDBPyConnection, table: str, columns: str) -> dict[str, str]:
    """Per year of `marts.<table>` ('NULL' for rows without one): its columns, row count and sum
    of row hashes."""
    source = f"{access.quote_identifier(MARTS_SCHEMA)}.{access.quote_identifier(table)}"
    rows = con.execute(
        f"select coalesce(cast(year as varchar), 'NULL'), count(*), sum(hash(t)::hugeint) "
        f"from {source} as t group by all"
    ).fetchall()
    return {year: f"{columns}|{count}|{hashed}" for year, count, hashed in rows}


def _years_sql(years: list[str]) -> str:
    """A predicate selecting the rows of `years` (as `_year_fingerprints` names them)."""
    known = [str(int(year)) for year in years if year != "NULL"]
    parts = [f"year in ({', '.join(known)})"] if known else []
    if "NULL" in years:
        parts.append("year is null")
    return " or ".join(parts)


def _read_fingerprints(export: Path) -> dict[str, dict[str, str]]:
    try:
        return json.loads((export / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of `source` into `target` (copy where links cannot be made)."""
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)


def switch_current_export(export_root: Path, version_id: str) -> Path:
    """Point `export_root/current` at an exported version in one rename; keep the last two."""
    current = export_root / "current"
    link = export_root / f".current.{version_id}"
    link.symlink_to(Path("versions") / version_id, target_is_directory=True)
    os.replace(link, current)
    _prune_versions(export_root / "versions", keep=version_id)
    return current


def _prune_versions(versions: Path, keep: str) -> None:
    others = sorted(
        (p for p in versions.iterdir() if p.is_dir() and p.name != keep),
        key=lambda p: p.stat().st_mtime,
    )
    for old in others[: max(0, len(others) - (_KEEP_EXPORT_VERSIONS - 1))]:
        shutil.rmtree(old, ignore_errors=True)
