"""The whole runs the end-to-end tests share: one per landing directory per session.

A `critmin run` takes most of a minute on a busy 2-core machine, so the tests that only read a
published warehouse share one run of each landing directory (`tiny_run`, `demo_run`), and the
tests that run again on a warehouse, break it or add a year start from a copy of it
(`tiny_run_copy`) instead of a run of their own. No test writes to a shared run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from landing_fixtures import tiny_landing

from critmin.demo_data import write_demo_data
from critmin.pipeline import PipelineOutcome, run_pipeline
from orchestration.settings import resolve_settings
from warehouse import publish


@dataclass(frozen=True)
class Run:
    """A green, published run: its landing directory and serving file under `root`
    (`root/landing`, `root/warehouse/critmin.duckdb`, the build file, Parquet export, docs and
    logs beside it), and what the run reported (paths of the original run)."""

    root: Path
    outcome: PipelineOutcome

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def serving(self) -> Path:
        return self.root / "warehouse" / "critmin.duckdb"


def _shared_run(root: Path) -> Iterator[Run]:
    """Build and publish `root/landing`; after the session, check that no test published over
    the shared run (a test that runs again must work on a copy)."""
    settings = resolve_settings(
        data_dir=root / "landing", warehouse=root / "warehouse" / "critmin.duckdb"
    )
    outcome = run_pipeline(settings, echo=lambda _: None)
    assert outcome.success and outcome.published, outcome.summary(0)
    run = Run(root=root, outcome=outcome)
    yield run
    assert publish.serving_version(run.serving) == outcome.published_version, (
        f"a test published over the shared run in {root}; it must work on a copy"
    )


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The tiny landing directory of `landing_fixtures.tiny_landing` (hand-computed answers),
    built and published once. Read it; copy it (`tiny_run_copy`) to change it."""
    root = tmp_path_factory.mktemp("tiny_run")
    tiny_landing(root / "landing")
    yield from _shared_run(root)


@pytest.fixture
def tiny_run_copy(tiny_run: Run, tmp_path: Path) -> Run:
    """A copy of the whole tiny run (landing directory, serving and build files, export, docs,
    logs) in this test's directory, for a test that runs again on it or changes it."""
    root = tmp_path / "tiny_run"
    shutil.copytree(tiny_run.root, root, symlinks=True)
    return Run(root=root, outcome=tiny_run.outcome)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The synthetic demo landing directory (`critmin demo-data`), built and published once."""
    root = tmp_path_factory.mktemp("demo_run")
    write_demo_data(root / "landing")
    yield from _shared_run(root)
