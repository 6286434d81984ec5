"""The Dagster definitions a run and `dagster dev` load, against a committed snapshot: every asset
(with its group and partitions), every asset check, job, schedule and sensor. A change to any of
them (a renamed dbt test, a source added, a check lost) shows as a diff to review; when it is
meant, write the snapshot anew:

    CRITMIN_WRITE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from dagster import DagsterInstance
from repo_paths import FIXTURES

from orchestration.definitions import build_defs
from orchestration.settings import resolve_settings

SNAPSHOT = FIXTURES / "dagster_definitions.txt"


def describe_definitions(tmp_path: Path) -> str:
    """The definitions as sorted text lines, one section per kind."""
    settings = resolve_settings(data_dir=tmp_path / "landing", warehouse=tmp_path / "w.duckdb")
    with DagsterInstance.ephemeral():
        defs = build_defs(settings)
        graph = defs.resolve_asset_graph()
        assets = []
        for key in graph.get_all_asset_keys():
            node = graph.get(key)
            partitions = type(node.partitions_def).__name__ if node.partitions_def else "-"
            assets.append(f"{key.to_user_string()}  group={node.group_name}  {partitions}")
        checks = [f"{c.asset_key.to_user_string()}  {c.name}" for c in graph.asset_check_keys]
        jobs = [job.name for job in defs.resolve_all_job_defs()]
        schedules = [f"{s.name}  {s.cron_schedule}  job={s.job_name}" for s in defs.schedules or []]
        sensors = [sensor.name for sensor in defs.sensors or []]
    sections = {
        "assets": assets,
        "asset checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
    }
    lines = []
    for title, items in sections.items():
        lines.append(f"# {title} ({len(items)})")
        lines += sorted(items)
    return "\n".join(lines) + "\n"


def test_definitions_match_the_committed_snapshot(tmp_path: Path) -> None:
    found = describe_definitions(tmp_path)
    if os.environ.get("CRITMIN_WRITE_SNAPSHOT"):
        SNAPSHOT.write_text(found, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            found.splitlines(keepends=True),
            "committed snapshot",
            "definitions now",
        )
    )
    assert not diff, (
        f"The Dagster definitions differ from {SNAPSHOT.name}; if the change is meant, run "
        "CRITMIN_WRITE_SNAPSHOT=1 .venv/bin/python -m pytest "
        f"tests/dagster/{Path(__file__).name}\n{diff}"
    )
