"""Which landing files are new or changed since the last look, by checksum.

A file still being written must not trigger a run: a file counts only once it has settled (not
modified for `settle_seconds`) and is not a temporary name (`.`-prefixed, `.part`, `.tmp`,
`.incoming`). Checksums are computed only for files whose size or modification time moved, so a
tick over an unchanged landing directory reads no file contents.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from warehouse.load import file_checksum

TEMPORARY_SUFFIXES = (".part", ".tmp", ".incoming", ".crdownload")


@dataclass(frozen=True)
class LandingChanges:
    changed: tuple[str, ...]  # relative paths, new or with a new checksum
    unsettled: tuple[str, ...]  # relative paths still being written (looked at next time)
    cursor: str  # the state to remember

    @property
    def run_key(self) -> str:
        """Identical changes give the same run key, so they never start two runs."""
        return hashlib.sha256(self.cursor.encode()).hexdigest()[:20]


def _is_temporary(path: Path) -> bool:
    return any(part.startswith(".") for part in path.parts) or path.name.endswith(
        TEMPORARY_SUFFIXES
    )


def scan(
    landing: Path, cursor: str | None, settle_seconds: float = 60.0, now: float | None = None
) -> LandingChanges:
    """Compare the landing directory with the state remembered in `cursor`."""
    now = time.time() if now is None else now
    previous: dict[str, dict] = json.loads(cursor) if cursor else {}
    state: dict[str, dict] = {}
    changed: list[str] = []
    unsettled: list[str] = []
    files = sorted(p for p in landing.rglob("*") if p.is_file()) if landing.is_dir() else []
    for path in files:
        relative = path.relative_to(landing)
        if _is_temporary(relative):
            continue
        key = relative.as_posix()
        stat = path.stat()
        if now - stat.st_mtime < settle_seconds:
            unsettled.append(key)
            if key in previous:
                state[key] = previous[key]
            continue
        known = previous.get(key)
        if known and known["size"] == stat.st_size and known["mtime_ns"] == stat.st_mtime_ns:
            state[key] = known
            continue
        checksum = file_checksum(path)
        state[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": checksum}
        if not known or known["sha256"] != checksum:
            changed.append(key)
    return LandingChanges(
        changed=tuple(changed),
        unsettled=tuple(unsettled),
        cursor=json.dumps(state, sort_keys=True),
    )
