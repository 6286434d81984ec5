"""The test tiers, by folder:

- `unit/`: readers, downloads against recorded responses, the command line, pure functions;
- `dbt/`: dbt builds and unit tests of the models on fixed landing data;
- `dagster/`: the Dagster definitions (snapshot of assets, checks, jobs, schedules and sensors),
  settings, ingest assets, progress output;
- `e2e/`: whole `critmin run`s (marked `slow`; `faults` also kill and damage real runs).

`pytest -m "not slow"` runs the first three. The shared helpers (`repo_paths`,
`landing_fixtures`, `dbt_fixtures`, `mart_fingerprints`, `wheel_data`) live beside this file,
which puts this folder on the import path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TIERS = ("unit", "dbt", "dagster", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its tier, and the end-to-end tier `slow`."""
    here = Path(__file__).parent
    for item in items:
        parts = Path(item.fspath).relative_to(here).parts
        tier = parts[0] if parts and parts[0] in TIERS else None
        if tier is not None:
            item.add_marker(getattr(pytest.mark, tier))
        if tier == "e2e":
            item.add_marker(pytest.mark.slow)
