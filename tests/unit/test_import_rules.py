"""The packages' layering and import-time rules (scripts/check_imports.py), and a fresh process
that imports every module and must start no process and leave the environment as it found it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from repo_paths import REPO, load_script

checker = load_script("check_imports")


def test_the_packages_follow_the_rules() -> None:
    assert checker.violations() == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))


def test_each_rule_catches_its_violation(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ingest/__init__.py": "",
            # A reader importing the orchestration layer (inside a function: still a violation).
            "ingest/reader.py": """
                def read():
                    from orchestration import settings
                    return settings
            """,
            "warehouse/__init__.py": "",
            # Two modules importing each other at module level; a third that imports one only
            # for type checking and calls a function at import.
            "warehouse/a.py": "from warehouse import b\n",
            "warehouse/b.py": "import warehouse.a\n",
            "warehouse/c.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from warehouse import a
                def prepare():
                    return 1
                prepare()
                if __name__ == "__main__":
                    prepare()
            """,
            "orchestration/__init__.py": "",
            # Writes of the environment outside the command line.
            "orchestration/settings.py": """
                import os
                os.environ["CRITMIN_DATA_DIR"] = "x"
                def setup():
                    os.environ.setdefault("CRITMIN_ENGINE", "duckdb")
                    del os.environ["CRITMIN_WAREHOUSE"]
            """,
            "critmin/__init__.py": "",
            # The command line may write the environment, and import every layer.
            "critmin/cli.py": """
                import os
                from orchestration import settings
                def main():
                    os.environ["CRITMIN_DATA_DIR"] = "x"
            """,
        },
    )
    assert sorted(checker.violations(tmp_path)) == sorted(
        [
            "ingest/reader.py:3: ingest.reader imports orchestration.settings, a higher layer",
            "warehouse/c.py:7: runs prepare() at import; call it from a function",
            "orchestration/settings.py:3: writes the process environment "
            "(os.environ['CRITMIN_DATA_DIR']); pass the value as an argument (only the "
            "entry points may)",
            "orchestration/settings.py:5: writes the process environment "
            "(os.environ.setdefault(...)); pass the value as an argument (only the entry "
            "points may)",
            "orchestration/settings.py:6: writes the process environment "
            "(os.environ['CRITMIN_WAREHOUSE']); pass the value as an argument (only the "
            "entry points may)",
            "import cycle: warehouse.a <-> warehouse.b",
        ]
    )


IMPORT_EVERY_MODULE = """
import importlib, json, os, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import check_imports
# Other projects' own import-time work (a scheduler library asking `file` for the interpreter's
# architecture, an allocator's settings in the environment) happens before the watch starts.
for name in check_imports.external_imports():
    importlib.import_module(name)
started = []
def audit(event, args):
    if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.fork"):
        started.append(event)
before = dict(os.environ)
sys.addaudithook(audit)
for name in check_imports.modules():
    importlib.import_module(name)
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
print(json.dumps({"started": started, "changed": changed}))
"""


def test_importing_every_module_starts_no_process_and_changes_no_variable() -> None:
    """Importing the Dagster definitions used to parse the dbt project in a subprocess, and the
    pipeline module to write settings into the environment; neither may happen at import. The
    modules of other projects the packages import are imported before the watch starts."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, str(REPO), str(REPO / "scripts")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"started": [], "changed": []}
