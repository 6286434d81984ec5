"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check.

Nothing here runs at import: `prepared_dbt_project` parses the project (when its manifest is
missing or stale, and on every load under `dagster dev`) when the definitions are built, and
`dbt_models` makes the assets from the parsed manifest.
"""

import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed
from pathlib import Path
from typing import Any

import duckdb
import yaml
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Output,
    TableColumn,
    TableSchema,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    DbtProjectPreparer,
    dbt_assets,
)
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_shared import record
from dbt.version import __version__ as DBT_VERSION
from packaging import version

from ingest import registry
from orchestration import dbt_docs, expectations, progress, spark
from orchestration.resources import WarehouseResource
from orchestration.settings import DEFAULT_DBT_TARGET, SPARK_DIR_ENV, Settings
from warehouse import access, build_state
from warehouse.paths import (
    BUILD_WAREHOUSE_ENV,
    DBT_PROJECT_DIR,
    DEFAULT_WAREHOUSE,
    build_path,
    work_file,
)

# The dbt installed beside this Python, whether or not the virtual environment is on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# The profile in `dbt_project/profiles.yml`.
DBT_PROFILE = "critmin"
# Files whose change makes the parsed manifest stale.
_DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}
_DBT_SOURCE_DIRS = ("models", "macros", "tests", "seeds", "analyses", "snapshots")


def dbt_code_digest(project_dir: Path, target: str | None = None) -> str:
    """A digest of what the models are built with besides the data: the project's files (models,
    macros, seeds, tests, `dbt_project.yml`), the target and the versions of dbt, its DuckDB
    adapter and DuckDB. A build whose digest differs from the last one is a full refresh."""
    digest = hashlib.sha256(
        f"{target}|{DBT_VERSION}|{installed('dbt-duckdb')}|{duckdb.__version__}".encode()
    )
    files = [project_dir / "dbt_project.yml"]
    for folder in _DBT_SOURCE_DIRS:
        files += sorted(
            path
            for path in (project_dir / folder).rglob("*")
            if path.suffix in _DBT_SOURCE_SUFFIXES
        )
    for path in files:
        digest.update(f"\n{path.relative_to(project_dir)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _newest_dbt_source_mtime(project_dir: Path) -> float:
    newest = (project_dir / "dbt_project.yml").stat().st_mtime
    for folder in _DBT_SOURCE_DIRS:
        for path in (project_dir / folder).rglob("*"):
            if path.suffix in _DBT_SOURCE_SUFFIXES:
                newest = max(newest, path.stat().st_mtime)
    return newest


class CritminDbtPreparer(DbtProjectPreparer):
    """How the project is parsed when it needs to be: `dbt parse` with the dbt installed beside
    this Python, in a subprocess whose environment names a placeholder build file (parsing opens
    no database). dagster-dbt's own preparer runs `dbt` from PATH in this process's environment,
    where neither is set."""

    def prepare_if_dev(self, project: DbtProject) -> None:
        """Under `dagster dev`, parse on every load, so that an edited model shows up."""
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        """`dbt parse` into the project's target folder. On DuckDB it parses with the profile a
        run writes for the default build file (`PARSED_BUILD_NAME`), written to the folder of
        `build_parse_file`, and keeps the saved parse there beside it: the first build of a new
        warehouse starts from it (`seed_partial_parse`) instead of parsing the whole project
        again (3 to 5 s). The target folder's own copy is not used: any dbt command run in the
        project (by hand, or SQLFluff's dbt templater in `make lint`) replaces it with a parse
        made for the committed profile."""
        env = {
            **os.environ,
            BUILD_WAREHOUSE_ENV: str(project.project_dir / "target" / "parse.duckdb"),
        }
        args = ["parse", "--quiet", "--target-path", str(project.target_path)]
        saved = build_parse_file(project)
        profiles_dir = None
        if saved is not None:
            target = project.target or DEFAULT_DBT_TARGET
            profiles_dir = write_build_profile(saved.parent, Path(PARSED_BUILD_NAME), 1, target)
            args += ["--target", target]
        _run_dbt(args, env, project, profiles_dir)
        manifest = project.manifest_path
        if not manifest.exists():
            raise RuntimeError(f"dbt parse of {project.project_dir} wrote no {manifest}")
        if saved is not None:
            shutil.copyfile(manifest.parent / PARTIAL_PARSE_FILE, saved)


def dbt_project(target: str = DEFAULT_DBT_TARGET) -> DbtProject:
    """The dbt project in `dbt_project/`, with its committed profile and `CritminDbtPreparer`."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=target)
    return record.replace(project, preparer=CritminDbtPreparer())


def prepared_dbt_project(settings: Settings) -> DbtProject:
    """The dbt project with a manifest to build the assets from: under `dagster dev` it is
    parsed on every load (`prepare_if_dev`); otherwise only when its manifest is missing or
    older than a project file (`ensure_manifest`)."""
    project = dbt_project(settings.dbt_target)
    project.prepare_if_dev()
    ensure_manifest(project)
    return project


def ensure_manifest(project: DbtProject) -> Path:
    """Parse the dbt project when its manifest is missing or older than any model file, or
    (on DuckDB) when its parse for builds is missing."""
    manifest = project.manifest_path
    saved = build_parse_file(project)
    if (
        not manifest.exists()
        or manifest.stat().st_mtime < _newest_dbt_source_mtime(project.project_dir)
        or (saved is not None and not saved.exists())
    ):
        project.preparer.prepare(project)
    return manifest


def _run_dbt(
    args: list[str],
    env: dict[str, str],
    project: DbtProject | None = None,
    profiles_dir: Path | None = None,
) -> None:
    """Run one dbt command in a subprocess (with the project's profile unless `profiles_dir`
    is given); raise with dbt's own output when it fails."""
    project = project if project is not None else dbt_project()
    completed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            *args,
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(profiles_dir or project.profiles_dir),
        ],
        env={**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"dbt {args[0]} in {project.project_dir} failed (exit {completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


# The build file a run writes for the default warehouse: the name the project's own parse is
# made for.
PARSED_BUILD_NAME = work_file(build_path(DEFAULT_WAREHOUSE)).name
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def build_parse_file(project: DbtProject) -> Path | None:
    """Where the project's parse for builds is kept, beside the profile it was made with; None
    on the spark target, whose builds are not seeded."""
    if (project.target or DEFAULT_DBT_TARGET) == spark.SPARK_TARGET:
        return None
    return project.manifest_path.parent / "build-parse" / PARTIAL_PARSE_FILE


def seed_partial_parse(project: DbtProject, target: Path) -> None:
    """Give the artifacts folder `target` of a build that has none the project's saved parse.

    dbt reuses a saved parse only when the profile, the target, the variables, its version and
    the project's `dbt_project.yml` are those it was made with (else it parses the whole project,
    as without one), and re-parses the files changed since."""
    saved = build_parse_file(project)
    seeded = target / PARTIAL_PARSE_FILE
    if saved is None or seeded.exists() or not saved.is_file():
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, seeded)


def dbt_target_dir(build: Path) -> Path:
    """Where `dbt build` of the build file `build` writes its artifacts and its log: one folder
    beside the build file, kept between runs (partial parsing, and the manifest the docs use)."""
    return build.parent / "dbt-target"


def generate_docs(database: Path, out_dir: Path, run_target: Path | None = None) -> Path:
    """Write the dbt documentation of `database` (models, columns, lineage, catalog) to a staging
    folder beside `out_dir` and return it (`switch_docs` puts it in place).

    The manifest is the one the run's `dbt build` wrote to `run_target` (compiled SQL included),
    or the parsed project's when there is none; the catalog is read from `database` in this
    process (`orchestration.dbt_docs`). `index.html` is dbt's self-contained static page;
    `manifest.json` and `catalog.json` are the artifacts other documentation tools read.
    """
    staged = out_dir.with_name(f".{out_dir.name}.incoming")
    shutil.rmtree(staged, ignore_errors=True)
    manifest = run_target / "manifest.json" if run_target is not None else None
    if manifest is None or not manifest.is_file():
        manifest = ensure_manifest(dbt_project())
    dbt_docs.write_docs(database, manifest, staged)
    return staged


def switch_docs(staged: Path, out_dir: Path) -> Path:
    """Replace the published documentation with the staged one."""
    shutil.rmtree(out_dir, ignore_errors=True)
    staged.rename(out_dir)
    return out_dir / "index.html"


class CritminDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (`marts/mart_import_dependency`); sources keep the
    `meta.dagster.asset_key` that points at the ingest asset producing them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


def dbt_models(project: DbtProject) -> AssetsDefinition:
    """Every model of the prepared `project` an asset, every dbt test a check."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=CritminDbtTranslator(),
        pool="duckdb_writer",
    )
    def critmin_dbt_models(
        context: AssetExecutionContext, dbt: CritminDbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        """`dbt build`: staging views, intermediate models and marts, each followed by its tests.

        dbt's unit tests check the SQL on fixed inputs, not the data loaded: the test suite runs
        them on every change of the project, so a run leaves them out. Its artifacts and log go
        to `dbt_target_dir` beside the build file."""
        if dbt.target == spark.SPARK_TARGET:
            yield from build_on_spark(context, dbt, warehouse)
            return
        target = dbt_target_dir(warehouse.file)
        # Recorded only when every model was built: a selection leaves the others as they were.
        whole = set(context.selected_asset_keys) == set(context.assets_def.keys)
        with warehouse.writer() as con:
            plan = build_state.plan_build(con, dbt_code_digest(DBT_PROJECT_DIR, dbt.target))
        # Only trade years changed: what does not descend from the trade rows (or the loader's
        # own tables) was built from the same inputs by the last complete build, and is kept.
        # No trade year changed: only the loader's tables did, and what reads trade is kept too.
        # The project's manifest as the assets were defined from it (not read again: 2 MB).
        manifest = get_manifest_and_translator_from_dbt_assets([context.assets_def])[0]
        changing, reading = (
            (CHANGING_SOURCES, "trade") if plan.years else (LOADER_SOURCES, "the loader's tables")
        )
        kept = [] if plan.full_refresh or not whole else kept_nodes(manifest, changing)
        note = f"; {len(kept)} nodes not reading {reading} kept" if kept else ""
        progress.active().line("dbt plan", plan.describe() + note)
        # dbt runs what is not kept, named by the selector of the same sources.
        selection = ["--selector", BUILD_SELECTORS[changing]] if kept else []
        seed_partial_parse(project, target)
        built = False
        try:
            # The kept models' outputs are yielded first (a kept model never reads a rebuilt
            # one, and a multi-asset yields its outputs in the order of their dependencies),
            # while dbt starts in its own process.
            events = yield from dbt_build(
                context,
                dbt.building(warehouse.file, target),
                target,
                plan.full_refresh,
                selection,
                first=kept_outputs(context, kept),
            )
            built = True
        finally:
            with warehouse.writer() as con:
                if built and whole:
                    build_state.record_build(con, plan)
                else:
                    build_state.drop_years_to_build(con)
        yield from with_table_metadata(events, warehouse.file, manifest)

    return critmin_dbt_models


# The sources whose changed rows a build after changed trade years follows: the trade rows, and
# the loader's own tables (quarantine, load log), which every run changes.
LOADER_SOURCES: tuple[tuple[str, str | None], ...] = (("warehouse", None),)
CHANGING_SOURCES = (("baci", "baci_trade"), *LOADER_SOURCES)
# The selector of dbt_project/selectors.yml naming the nodes such a build runs: those `kept_nodes`
# does not keep (tests/e2e/test_trade_years.py compares the two on a run's results).
BUILD_SELECTORS = {
    CHANGING_SOURCES: "critmin_trade_years_changed",
    LOADER_SOURCES: "critmin_loader_tables_changed",
}


def kept_nodes(
    manifest: Mapping[str, Any], changing: Sequence[tuple[str, str | None]] = CHANGING_SOURCES
) -> list[dict[str, Any]]:
    """The models, seeds and data tests of `manifest` that do not descend from the sources
    `changing` ((source name, table or None for all its tables)), dependencies first: what a
    build after changed trade years keeps (`CHANGING_SOURCES`), or one after a load that changed
    no trade year (`LOADER_SOURCES`).

    A staging view is kept too (it reads only sources and seeds): it stores no rows, and its
    definition is the project's code, which such a build has not changed. Its tests, which read
    the changed rows, run."""
    roots = [
        unique_id
        for unique_id, source in manifest["sources"].items()
        if any(
            source["source_name"] == name and table in (None, source["name"])
            for name, table in changing
        )
    ]
    descendants: set[str] = set()
    stack = list(roots)
    while stack:
        for child in manifest["child_map"].get(stack.pop(), []):
            if child not in descendants:
                descendants.add(child)
                stack.append(child)
    nodes = manifest["nodes"]
    descendants -= {unique_id for unique_id in descendants if _staging_view(nodes.get(unique_id))}
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(unique_id: str) -> None:
        if unique_id in placed or unique_id not in nodes or unique_id in descendants:
            return
        placed.add(unique_id)
        for parent in nodes[unique_id].get("depends_on", {}).get("nodes", []):
            place(parent)
        if nodes[unique_id]["resource_type"] in ("model", "seed", "test"):
            ordered.append(nodes[unique_id])

    for unique_id in sorted(nodes):
        place(unique_id)
    return ordered


def _staging_view(node: Mapping[str, Any] | None) -> bool:
    return (
        node is not None
        and node["resource_type"] == "model"
        and node["config"].get("materialized") == "view"
        and node["original_file_path"].startswith("models/staging/")
    )


def kept_outputs(
    context: AssetExecutionContext, kept: Iterable[Mapping[str, Any]]
) -> Iterator[Output]:
    """An output for each selected model or seed of `kept` (the build does not run them), as the
    last complete build left it: the steps reading it (the checks, the publish) run as after a
    build of every model."""
    translator = CritminDbtTranslator()
    selected = set(context.selected_asset_keys)
    for node in kept:
        if node["resource_type"] == "test":
            continue
        key = translator.get_asset_key(node)
        if key in selected:
            yield Output(
                value=None,
                output_name=context.assets_def.get_output_name_for_asset_key(key),
                metadata={"critmin/kept": "no input changed since the last complete build"},
            )


def dbt_build(
    context: AssetExecutionContext,
    dbt: "CritminDbtCliResource",
    target: Path,
    full_refresh: bool = False,
    selection: Sequence[str] = (),
    first: Iterable[Any] = (),
) -> Generator[Any, None, list[Any]]:
    """Run `dbt build` (unit tests left out; `--full-refresh` when asked; with the selection
    arguments `selection`) with its artifacts in `target`, showing its progress, and return its
    events once it has ended, for the caller to add the tables' metadata. The events `first`
    are yielded once dbt has started, while it runs. When dbt fails, the events of the nodes
    that finished are yielded and dbt's error is raised."""
    started = time.perf_counter()
    args = ["build", "--exclude-resource-type", "unit_test", *selection]
    with progress.dbt_output():
        build = dbt.cli(
            [*args, "--full-refresh"] if full_refresh else args,
            context=context,
            target_path=target,
        )
        try:
            yield from first
        except BaseException:
            end_process(build.process)
            raise
        # Once the events `first` are handled: the warm-up's imports would hold the interpreter
        # that handling them needs; dbt runs in its own process meanwhile.
        expectations.warm_up()
        events, failure = collect_to_the_end(build)
    if failure is not None:
        yield from events
        raise failure
    report_dbt_build(target / "run_results.json", time.perf_counter() - started)
    return events


def build_on_spark(
    context: AssetExecutionContext, dbt: "CritminDbtCliResource", warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build` on the spark target: the raw tables ingest wrote as Parquet, with the
    loader's own tables (quarantine, load log) written from the build file beside them,
    registered as the sources; the project built and tested by Spark; then every table Spark
    wrote (seeds, marts and the intermediate tables) copied into the build file, where the
    checks, the publish and the report read them. Spark's views stay in Spark's catalog."""
    folder = spark.SparkFolder(Path(dbt.spark_dir))
    folder.prepare()
    # The build file's tables will be Spark's: a later build on DuckDB starts with a full refresh.
    with warehouse.writer() as con:
        build_state.forget_build(con)
    display = progress.active()
    started = time.perf_counter()
    by_ingest = registry.raw_table_names()
    missing = sorted(name for name in by_ingest if not (folder.raw / name).is_dir())
    if missing:
        raise RuntimeError(
            f"ingest wrote no Parquet for the raw tables {', '.join(missing)} in {folder.raw}: "
            "run the whole job (`critmin run --engine spark`), which writes them"
        )
    written = spark.export_raw_parquet(
        warehouse.file, folder, echo=context.log.info, skip=by_ingest
    )
    display.phase(
        "spark: raw Parquet",
        f"{len(by_ingest)} tables written by ingest; {len(written)} loader tables, "
        f"{sum(written.values()):,} rows, from the build file",
        time.perf_counter() - started,
    )
    expectations.warm_up()  # while Spark starts for the operation below
    on_spark = dbt.building(warehouse.file, folder.target)
    on_spark.cli(
        spark.register_operation_args(folder), target_path=folder.target / "register"
    ).wait()
    events = yield from dbt_build(context, on_spark, folder.target)
    started = time.perf_counter()
    manifest = _manifest(folder.target)
    copied = spark.load_spark_tables(warehouse.file, folder, list(spark.built_tables(manifest)))
    display.phase(
        "spark: tables to DuckDB",
        f"{len(copied)} tables, {sum(copied.values()):,} rows into {warehouse.file.name}",
        time.perf_counter() - started,
    )
    yield from with_table_metadata(events, warehouse.file, manifest)


def _manifest(target: Path) -> dict[str, Any]:
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def with_table_metadata(
    events: Iterable[Any], database: Path, manifest: Mapping[str, Any]
) -> Iterator[Any]:
    """The events of a finished dbt build, each model's and seed's materialization with the
    metadata Dagster shows for a table: its row count (tables and seeds; not views) and its
    columns as built, with their types and descriptions (`dagster/column_schema`).

    dagster-dbt's `fetch_row_counts()` and `fetch_column_metadata()` query the warehouse while
    dbt still builds it, from this process; DuckDB lets no second process open a file dbt is
    writing, so the figures are read here, read-only, once dbt has ended."""
    events = list(events)
    nodes = manifest["nodes"]
    wanted = {}
    for event in events:
        unique_id = _metadata_text(event, "unique_id")
        node = nodes.get(unique_id or "")
        if node is not None and node["resource_type"] in ("model", "seed"):
            wanted[unique_id] = node
    figures = _table_figures(database, wanted.values()) if wanted else {}
    for event in events:
        node = wanted.get(_metadata_text(event, "unique_id") or "")
        found = figures.get((node["schema"], node.get("alias") or node["name"])) if node else None
        if found is None:
            yield event
            continue
        rows, columns = found
        described = node.get("columns", {})
        schema = TableSchema(
            columns=[
                TableColumn(
                    name=name,
                    type=kind,
                    description=(described.get(name) or {}).get("description") or None,
                )
                for name, kind in columns
            ]
        )
        metadata = {**event.metadata, "dagster/column_schema": schema}
        if rows is not None:
            metadata["dagster/row_count"] = rows
        yield event.with_metadata(metadata)


def _metadata_text(event: Any, key: str) -> str | None:
    value = (getattr(event, "metadata", None) or {}).get(key)
    return getattr(value, "value", value)


def _table_figures(
    database: Path, nodes: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, str], tuple[int | None, list[tuple[str, str]]]]:
    """Per (schema, name) present in `database`: its row count (None for a view) and columns."""
    with access.reader(database, access.RUN_READ_MEMORY_LIMIT) as con:
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, kind in con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database() order by schema_name, table_name, "
            "column_index"
        ).fetchall():
            columns.setdefault((schema, table), []).append((column, kind))
        relations = [(node["schema"], node.get("alias") or node["name"]) for node in nodes]
        rows = {
            schema: access.table_row_counts(con, schema)
            for schema in {schema for schema, _ in relations}
        }
    return {
        relation: (rows[relation[0]].get(relation[1]), columns[relation])
        for relation in relations
        if relation in columns
    }


DBT_STOP_GRACE_S = 30.0


def stream_to_the_end(invocation: DbtCliInvocation) -> Iterator[Any]:
    """The events of a running dbt command (`invocation.stream()`). When the step ends before
    dbt does (interrupted by SIGTERM or Ctrl+C, or failed), dbt is stopped and waited for: it
    holds the build file, which the run reads for its summary as soon as the step ends."""
    try:
        yield from invocation.stream()
    except BaseException:
        end_process(invocation.process)
        raise


def collect_to_the_end(invocation: DbtCliInvocation) -> tuple[list[Any], Exception | None]:
    """Every event of a dbt command once it has ended (`stream_to_the_end`), and the error that
    ended it if it failed: the caller reports the finished nodes' events, then raises it."""
    events: list[Any] = []
    try:
        for event in stream_to_the_end(invocation):
            events.append(event)
    except Exception as error:  # noqa: BLE001 - handed back, raised by the caller
        return events, error
    return events, None


def end_process(process: subprocess.Popen, grace_s: float = DBT_STOP_GRACE_S) -> int:
    """Stop `process` if it still runs and wait until it has exited; returns its exit code.

    dagster-dbt forwards an interrupt to dbt only when the interrupt reaches its own output
    loop, and waits a bounded time; an interrupt anywhere else in the step left dbt running,
    holding the build file. dbt gets SIGINT (it cancels its queries and exits), then SIGKILL
    after `grace_s` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def report_dbt_build(run_results: Path, seconds: float) -> None:
    """Phase lines for a finished `dbt build`: models and tests with their counts and the time
    their nodes took (summed over dbt's threads), then the build's wall time."""
    results = json.loads(run_results.read_text(encoding="utf-8"))
    kinds: dict[str, Counter[str]] = {}
    node_seconds: Counter[str] = Counter()
    for result in results["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        group = "tests" if kind in ("test", "unit_test") else "models"
        kinds.setdefault(kind, Counter())[result["status"]] += 1
        node_seconds[group] += result.get("execution_time") or 0.0

    def counted(kind: str) -> int:
        return sum(kinds.get(kind, Counter()).values())

    def statuses(*names: str) -> str:
        total: Counter[str] = Counter()
        for name in names:
            total.update(kinds.get(name, Counter()))
        return ", ".join(f"{n} {status}" for status, n in sorted(total.items()))

    display = progress.active()
    display.line(
        "dbt models",
        f"{counted('model')} models, {counted('seed')} seeds: {statuses('model', 'seed')}; "
        f"{node_seconds['models']:.1f} s node time",
    )
    display.line(
        "dbt tests",
        f"{counted('test')} data tests, {counted('unit_test')} unit tests: "
        f"{statuses('test', 'unit_test')}; {node_seconds['tests']:.1f} s node time",
    )
    threads = len({result.get("thread_id") for result in results["results"]})
    display.phase(
        "dbt build",
        f"{len(results['results'])} nodes on {threads} thread(s)",
        seconds,
        child_peak_mb=progress.child_peak_rss_mb(),
    )


class CritminDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking `dbt --version`: that
    command looks up the newest dbt release on the package index, tens of seconds per run. The
    executable is the one installed beside this Python, so its version is the imported one.

    Nor does it open a dbt adapter in this process before each command: dagster-dbt uses that
    adapter only for `fetch_row_counts()` and `fetch_column_metadata()`, which this project
    replaces (`with_table_metadata`), and creating it cost 3 to 8 s of every run (dbt's imports,
    its macros parsed again, and an `inspect.stack()` per behaviour flag).

    dagster-dbt gives dbt the environment of this process, where the build file is not named:
    `building` points the committed profile at the build file in a copy of its own."""

    threads: int = 4
    # The spark target's folder (`orchestration.spark.SparkFolder`); unused on DuckDB.
    spark_dir: str = ""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(DBT_VERSION)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    def building(self, build: Path, folder: Path) -> "CritminDbtCliResource":
        """This resource with a profile that builds `build` (on the spark target: in
        `spark_dir`) on `threads` threads, written to `folder/profile/profiles.yml`."""
        target = self.target or DEFAULT_DBT_TARGET
        given = {SPARK_DIR_ENV: self.spark_dir} if target == spark.SPARK_TARGET else {}
        dbt = Path(self.dbt_executable)
        launcher = write_dbt_launcher(folder / "profile", dbt, cwd=build.parent)
        # Started in the build file's folder, dbt is given the file by its name: the profile,
        # and so the state of dbt's saved parse, is then the same for every warehouse whose
        # build file has that name (`seed_partial_parse`).
        named = Path(build.name) if launcher != dbt else build
        profiles_dir = write_build_profile(folder / "profile", named, self.threads, target, given)
        return CritminDbtCliResource(
            project_dir=self.project_dir,
            profiles_dir=str(profiles_dir),
            dbt_executable=str(launcher),
            target=self.target,
            threads=self.threads,
            spark_dir=self.spark_dir,
        )


# Run by the launcher's Python: it dies with the process that started it, then has the run's dbt
# server fork dbt, or becomes dbt (`orchestration.dbt_server.launch`).
_LAUNCH_DBT = "from orchestration.dbt_server import launch; launch()"


def write_dbt_launcher(folder: Path, dbt: Path, cwd: Path | None = None) -> Path:
    """Write `folder/dbt`, which runs `dbt` (in the folder `cwd` when given) so that it ends
    with the process that started it.

    dbt writes the build file, and a run writes it under the same name every time (so that dbt
    reuses its parse, `warehouse.paths.work_file`): a dbt left running by a run that was killed
    would write into the next run's file. The launcher asks the kernel to kill dbt when the
    process that launched it ends (the parent-death signal, which the exec into dbt keeps). On
    other systems than Linux dbt is run as it is, in the caller's folder."""
    if sys.platform != "linux":
        return dbt
    folder.mkdir(parents=True, exist_ok=True)
    launcher = folder / "dbt"
    quoted = [shlex.quote(part) for part in (sys.executable, _LAUNCH_DBT, str(dbt))]
    enter = f"cd {shlex.quote(str(cwd))} || exit 1\n" if cwd is not None else ""
    launcher.write_text(
        f'#!/bin/sh\n{enter}exec {quoted[0]} -c {quoted[1]} "$PPID" {quoted[2]} "$@"\n',
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return launcher


def write_build_profile(
    folder: Path, build: Path, threads: int, target: str, given: Mapping[str, str] | None = None
) -> Path:
    """Write the committed profile (`dbt_project/profiles.yml`) with the values it reads from
    the environment given: the build file, the thread count, and each variable of `given` (the
    spark target's folder). Returns `folder`."""
    committed = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    profile = committed[DBT_PROFILE]
    output = {**_given_env_vars(profile["outputs"][target], given or {}), "threads": threads}
    if "path" in output:  # the DuckDB file (a Spark output has none)
        output["path"] = str(build)
    written = {DBT_PROFILE: {"target": target, "outputs": {target: output}}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(yaml.safe_dump(written, sort_keys=False), encoding="utf-8")
    return folder


def _given_env_vars(value: Any, given: Mapping[str, str]) -> Any:
    """`value` (a profile's output) with every `{{ env_var('NAME') }}` of a variable in `given`
    replaced by its value."""
    if isinstance(value, dict):
        return {key: _given_env_vars(item, given) for key, item in value.items()}
    if isinstance(value, str) and given:
        return _ENV_VAR_CALL.sub(lambda match: given.get(match.group(1), match.group(0)), value)
    return value


_ENV_VAR_CALL = re.compile(r"\{\{\s*env_var\('([A-Z_]+)'\)\s*\}\}")


def dbt_resource(settings: Settings, project: DbtProject) -> CritminDbtCliResource:
    return CritminDbtCliResource(
        project_dir=project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(DBT_EXECUTABLE),
        target=settings.dbt_target,
        threads=settings.dbt_threads,
        spark_dir=str(settings.spark_dir or ""),
    )
