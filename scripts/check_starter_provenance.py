"""Check the committed starter files against `starter/PROVENANCE.tsv` (size and SHA-256).

Each file is an unmodified copy of the file named by the row's `source_repo`, `source_path` and
commit; to regenerate one, take that file at that commit. Exits 1 listing every file that is
missing, differs, or is not listed.

    python scripts/check_starter_provenance.py
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

STARTER_USGS = Path(__file__).resolve().parents[1] / "starter" / "usgs_mcs"
PROVENANCE = STARTER_USGS.parent / "PROVENANCE.tsv"


def problems(root: Path = STARTER_USGS, provenance: Path = PROVENANCE) -> list[str]:
    """Every committed file that does not match its provenance row, and every unlisted file."""
    found: list[str] = []
    listed: set[str] = set()
    with provenance.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            listed.add(row["local_path"])
            path = root / row["local_path"]
            if not path.is_file():
                found.append(f"{row['local_path']}: missing")
                continue
            data = path.read_bytes()
            if len(data) != int(row["bytes"]) or hashlib.sha256(data).hexdigest() != row["sha256"]:
                found.append(f"{row['local_path']}: differs from {row['source_path']}")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.relative_to(root).as_posix() not in listed:
            found.append(f"{path.relative_to(root)}: not in {provenance.name}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) in {STARTER_USGS}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
