"""Where the tests find the repository, their fixtures and the real data beside the clone."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
# Real public files the project may not commit (UN Comtrade records) or keeps beside the clone:
# `../shared/realdata/`. Tests that need them skip with a reason when they are absent.
REALDATA = REPO.parent / "shared" / "realdata"


def load_script(name: str) -> ModuleType:
    """A script of `scripts/` (`spark_parity`, `check_dbt_project`, ...) imported as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a script's dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
