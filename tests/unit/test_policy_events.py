"""Tests for ingest.policy_events.reader: the packaged register and the register reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from repo_paths import FIXTURES

from ingest._result import SourceRead
from ingest.policy_events import reader as policy_events
from ingest.policy_events.reader import (
    PolicyRegisterError,
    default_register_path,
    read_policy_folder,
    read_policy_register,
    validate_register,
)
from ingest.reference.lookup import MINERALS, commodities, critical_hs6_codes
from warehouse.access import writer
from warehouse.load import ensure_raw_schema, load_source_read

FIXTURES = FIXTURES / "policy_events"
OCTOBER_2025_IDS = (
    "CHN-2025-055-superhard-materials",
    "CHN-2025-056-rare-earth-equipment-raw-materials",
    "CHN-2025-057-medium-heavy-rare-earths-ho-er-tm-eu-yb",
    "CHN-2025-058-lithium-battery-graphite-anode",
    "CHN-2025-061-foreign-related-rare-earth-items",
    "CHN-2025-062-rare-earth-technologies",
)
# DuckDB type names (as information_schema reports them) for the polars dtypes the reader emits.
DUCKDB_TYPE_OF = {
    pl.Utf8(): "VARCHAR",
    pl.Date(): "DATE",
    pl.Int64(): "BIGINT",
    pl.List(pl.Utf8()): "VARCHAR[]",
}


@pytest.fixture(scope="module")
def packaged() -> SourceRead:
    return read_policy_register(default_register_path())


def _events(packaged: SourceRead) -> pl.DataFrame:
    return packaged.tables["policy_events"]


def _event(packaged: SourceRead, event_id: str) -> dict[str, Any]:
    rows = _events(packaged).filter(pl.col("event_id") == event_id).to_dicts()
    assert len(rows) == 1, f"expected one event {event_id!r}, found {len(rows)}"
    return rows[0]


def _hs6_of(read: SourceRead, event_id: str) -> set[str]:
    table = read.tables["policy_event_hs6"]
    return set(table.filter(pl.col("event_id") == event_id)["hs6"].to_list())


def _targets_of(read: SourceRead, event_id: str) -> list[str]:
    table = read.tables["policy_event_targets"]
    return table.filter(pl.col("event_id") == event_id)["target_iso3"].to_list()


def _valid_event(event_id: str = "CHN-2025-018-heavy-rare-earths", **overrides: Any) -> dict:
    event = {
        "event_id": event_id,
        "imposing_country": "CHN",
        "legal_reference": "MOFCOM/GACC Announcement 2025 No. 18",
        "title": "Export control on certain medium and heavy rare-earth items",
        "measure_type": "export_licensing",
        "announced_date": "2025-04-04",
        "effective_date": "2025-04-04",
        "elements": ["Sm", "Dy"],
        "minerals": ["rare_earths"],
        "hs6": ["284690", "850511"],
        "target_countries": ["USA"],
        "status": "in_force",
    }
    event.update(overrides)
    return event


def _write_register(folder: Path, events: list[dict], name: str = "register.yaml") -> Path:
    path = folder / name
    text = yaml.safe_dump(
        {"register_version": "2026-11-26", "events": events}, sort_keys=False, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")
    return path


def _assert_rows_in_invariant(read: SourceRead) -> None:
    for file_read in read.files:
        loaded = read.tables["policy_events"].filter(pl.col("source_file") == file_read.source_file)
        rejected = read.rejects.filter(pl.col("source_file") == file_read.source_file)
        assert file_read.rows_loaded == loaded.height
        assert file_read.rows_rejected == rejected.height
        assert file_read.rows_in == file_read.rows_loaded + file_read.rows_rejected


# --- the packaged register ---------------------------------------------------------------------


def test_packaged_register_validates_with_zero_rejects(packaged: SourceRead) -> None:
    validate_register(default_register_path())
    assert packaged.rejects.height == 0
    (file_read,) = packaged.files
    assert file_read.source_file == "policy_events.yaml"
    assert file_read.rows_in == _events(packaged).height == file_read.rows_loaded
    assert _events(packaged)["event_id"].is_unique().all()


def test_packaged_register_has_every_listed_real_event(packaged: SourceRead) -> None:
    events = _events(packaged)
    by_reference = dict(zip(events["legal_reference"], events["event_id"], strict=True))
    for number in ("2023 No. 23", "2023 No. 39", "2024 No. 33", "2024 No. 46", "2025 No. 10"):
        assert any(number in reference for reference in by_reference), number
    for number in ("2025 No. 18", "2025 No. 55", "2025 No. 56", "2025 No. 57", "2025 No. 58"):
        assert any(number in reference for reference in by_reference), number
    for number in ("2025 No. 61", "2025 No. 62", "2025 No. 70"):
        assert any(number in reference for reference in by_reference), number
    effective = dict(zip(events["event_id"], events["effective_date"], strict=True))
    assert effective["CHN-2023-023-gallium-germanium"] == date(2023, 8, 1)
    assert effective["CHN-2023-039-graphite"] == date(2023, 12, 1)
    assert effective["CHN-2024-033-antimony-superhard"] == date(2024, 9, 15)
    assert effective["CHN-2025-010-tungsten-tellurium-bismuth-molybdenum-indium"] == date(
        2025, 2, 4
    )
    assert effective["CHN-2025-057-medium-heavy-rare-earths-ho-er-tm-eu-yb"] == date(2025, 11, 8)
    assert effective["IDN-2020-01-nickel-ore-export-ban"] == date(2020, 1, 1)
    assert _hs6_of(packaged, "IDN-2020-01-nickel-ore-export-ban") == {"260400"}
    technology_ban = _event(packaged, "CHN-2023-12-rare-earth-technology-export-ban")
    assert technology_ban["measure_type"] == "technology_export_ban"
    assert technology_ban["announced_date"] == date(2023, 12, 21)
    assert _event(packaged, "IND-2025-01-national-critical-mineral-mission")["measure_type"] == (
        "policy_programme"
    )


def test_packaged_april_2025_event_has_the_seven_elements(
    packaged: SourceRead,
) -> None:
    event = _event(packaged, "CHN-2025-018-heavy-rare-earths")
    assert event["elements"] == ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]
    assert event["effective_date"] == date(2025, 4, 4)
    assert event["announced_date"] == date(2025, 4, 4)
    assert event["imposing_iso3"] == "CHN"
    assert event["minerals"] == ["rare_earths"]
    assert event["status"] == "in_force"
    assert {"280530", "284690", "850511"} <= _hs6_of(packaged, "CHN-2025-018-heavy-rare-earths")
    assert _targets_of(packaged, "CHN-2025-018-heavy-rare-earths") == []


def test_packaged_no_46_targets_the_united_states_only(
    packaged: SourceRead,
) -> None:
    event_id = "CHN-2024-046-dual-use-united-states"
    assert _targets_of(packaged, event_id) == ["USA"]
    assert _event(packaged, event_id)["legal_reference"] == "MOFCOM Announcement 2024 No. 46"
    assert {"811292", "261710"} <= _hs6_of(packaged, event_id)


def test_packaged_october_2025_measures_are_suspended_until_2026_11_10(
    packaged: SourceRead,
) -> None:
    for event_id in OCTOBER_2025_IDS:
        event = _event(packaged, event_id)
        assert event["announced_date"] == date(2025, 10, 9), event_id
        assert event["suspended_until"] == date(2026, 11, 10), event_id
        assert event["status"] == "suspended", event_id
    assert _event(packaged, "CHN-2025-018-heavy-rare-earths")["suspended_until"] is None


def test_packaged_cooperation_events_name_india_and_the_five_partners(
    packaged: SourceRead,
) -> None:
    partners = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    for event_id in (
        "IND-2024-09-central-asia-rare-earth-forum",
        "IND-2025-06-central-asia-dialogue-joint-exploration",
    ):
        event = _event(packaged, event_id)
        assert event["imposing_iso3"] == "IND"
        assert event["measure_type"] == "cooperation_agreement"
        assert sorted(_targets_of(packaged, event_id)) == partners


def test_packaged_source_lines_point_at_each_event_start(
    packaged: SourceRead,
) -> None:
    lines = default_register_path().read_text(encoding="utf-8").splitlines()
    for event_id, line in _events(packaged).select("event_id", "source_line").rows():
        assert lines[line - 1].strip() == f"- event_id: {event_id}"


def test_packaged_hs6_codes_are_critical_mineral_codes(
    packaged: SourceRead,
) -> None:
    codes = set(packaged.tables["policy_event_hs6"]["hs6"].to_list())
    assert codes and codes <= critical_hs6_codes()


def test_every_packaged_event_resolves_to_its_minerals_and_codes(packaged: SourceRead) -> None:
    """Every event loads (none rejected), names only minerals of the reference, and each of its
    HS6 codes is a code of one of the minerals it names, so its scope is no other mineral's."""
    assert packaged.rejects.height == 0
    events = _events(packaged)
    assert {m for minerals in events["minerals"].to_list() for m in minerals} <= set(MINERALS)
    minerals_of_code: dict[str, set[str]] = {}
    for hs6, mineral in commodities().select("hs6", "mineral").iter_rows():
        minerals_of_code.setdefault(hs6, set()).add(mineral)
    named = dict(zip(events["event_id"].to_list(), events["minerals"].to_list(), strict=True))
    stray = [
        (event_id, hs6)
        for event_id, hs6 in packaged.tables["policy_event_hs6"]
        .select("event_id", "hs6")
        .iter_rows()
        if not minerals_of_code[hs6] & set(named[event_id])
    ]
    assert stray == []
    # China's 2025-02-04 controls name five minerals, each with an HS6 scope.
    tungsten_event = events.filter(
        pl.col("event_id") == "CHN-2025-010-tungsten-tellurium-bismuth-molybdenum-indium"
    ).row(0, named=True)
    assert tungsten_event["minerals"] == [
        "tungsten",
        "tellurium",
        "bismuth",
        "molybdenum",
        "indium",
    ]
    scope = packaged.tables["policy_event_hs6"].filter(
        pl.col("event_id") == tungsten_event["event_id"]
    )
    covered = set().union(*(minerals_of_code[code] for code in scope["hs6"].to_list()))
    assert set(tungsten_event["minerals"]) <= covered


# --- output shape --------------------------------------------------------------------------------


def test_output_dtypes_match_the_raw_schema(packaged: SourceRead, tmp_path: Path) -> None:
    with writer(tmp_path / "warehouse.duckdb") as con:
        ensure_raw_schema(con)
        for table, frame in packaged.tables.items():
            declared = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            emitted = [(name, DUCKDB_TYPE_OF[dtype]) for name, dtype in frame.schema.items()]
            assert emitted == declared, table
        load = load_source_read(con, packaged)
        assert load.table_rows["policy_events"] == _events(packaged).height
        (elements,) = con.execute(
            "select elements from raw.policy_events where event_id = ?",
            ["CHN-2025-018-heavy-rare-earths"],
        ).fetchone()
    assert elements == ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]


def test_fixture_with_names_and_unquoted_codes_reads_with_lines_and_rejects() -> None:
    read = read_policy_register(FIXTURES / "register_with_quirks.yaml")
    _assert_rows_in_invariant(read)
    events = read.tables["policy_events"]
    assert events.select("event_id", "imposing_iso3", "source_line").rows() == [
        ("CHN-2025-018-heavy-rare-earths", "CHN", 6)
    ]
    assert events["source"].to_list() == ["policy_register"]
    assert events["source_file"].to_list() == ["register_with_quirks.yaml"]
    assert _hs6_of(read, "CHN-2025-018-heavy-rare-earths") == {"280530", "284690", "850511"}
    assert _targets_of(read, "CHN-2025-018-heavy-rare-earths") == ["USA", "JPN"]
    (reject,) = read.rejects.to_dicts()
    assert reject["source_file"] == "register_with_quirks.yaml"
    assert reject["source_line"] == 18
    assert reject["reason"].startswith("event 'XXX-2025-001-bad-country': ")
    assert "field imposing_country: 'Atlantis' is not a known country" in reject["reason"]
    assert reject["raw_record"].startswith("event_id: XXX-2025-001-bad-country")
    assert "imposing_country: Atlantis" in reject["raw_record"]
    # the rejected event's hs6 / target rows are not emitted
    assert read.tables["policy_event_hs6"]["event_id"].unique().to_list() == [
        "CHN-2025-018-heavy-rare-earths"
    ]
    assert "IND" not in read.tables["policy_event_targets"]["target_iso3"].to_list()


# --- validation rules ----------------------------------------------------------------------------

INVALID_CASES = [
    pytest.param(
        {"imposing_country": "Atlantis"},
        "field imposing_country: 'Atlantis' is not a known country, expected an ISO3 code",
        id="unknown-imposing-country",
    ),
    pytest.param(
        {"target_countries": ["USA", "Narnia"]},
        "field target_countries: 'Narnia' is not a known country, expected ISO3 codes",
        id="unknown-target-country",
    ),
    pytest.param(
        {"hs6": ["28469"]},
        "field hs6: '28469', expected a 6-digit HS code",
        id="hs6-five-digits",
    ),
    pytest.param(
        {"hs6": ["2846.90"]},
        "field hs6: '2846.90', expected a 6-digit HS code",
        id="hs6-dotted",
    ),
    pytest.param(
        {"hs6": ["999999"]},
        "field hs6: '999999' is not in ingest/data/commodities.csv",
        id="hs6-not-critical",
    ),
    pytest.param(
        {"minerals": ["rare_earths", "unobtainium"]},
        "field minerals: 'unobtainium', expected a mineral of ingest/data/minerals.csv",
        id="unknown-mineral",
    ),
    pytest.param(
        {"measure_type": "embargo"},
        "field measure_type: 'embargo', expected one of export_licensing, export_ban",
        id="unknown-measure-type",
    ),
    pytest.param(
        {"status": "active"},
        "field status: 'active', expected one of in_force, suspended, revoked",
        id="unknown-status",
    ),
    pytest.param(
        {"effective_date": "2025-02-30"},
        "field effective_date: '2025-02-30', expected an ISO date YYYY-MM-DD or empty",
        id="impossible-date",
    ),
    pytest.param(
        {"announced_date": "04/04/2025"},
        "field announced_date: '04/04/2025', expected an ISO date YYYY-MM-DD or empty",
        id="non-iso-date",
    ),
    pytest.param(
        {"announced_date": "2025-04-05", "effective_date": "2025-04-04"},
        "field effective_date: 2025-04-04 is before announced_date 2025-04-05, "
        "expected announced_date <= effective_date",
        id="effective-before-announced",
    ),
    pytest.param(
        {"suspended_from": "2026-11-10", "suspended_until": "2025-11-07"},
        "field suspended_until: 2025-11-07 is before suspended_from 2026-11-10, "
        "expected suspended_from <= suspended_until",
        id="suspension-ends-before-it-starts",
    ),
    pytest.param(
        {"revoked_date": "2025-01-01"},
        "field revoked_date: 2025-01-01 is before effective_date 2025-04-04, "
        "expected effective_date <= revoked_date",
        id="revoked-before-effective",
    ),
    pytest.param(
        {"measure_type": None},
        "field measure_type: missing, expected a non-empty string",
        id="missing-measure-type",
    ),
    pytest.param(
        {"elements": "Sm, Dy"},
        "field elements: 'Sm, Dy', expected a list of strings",
        id="elements-not-a-list",
    ),
    pytest.param(
        {"elements": ["Sm", "dysprosium"]},
        "field elements: 'dysprosium', expected a chemical element symbol",
        id="element-not-a-symbol",
    ),
    pytest.param(
        {"efective_date": "2025-04-04"},
        "unknown field 'efective_date', expected one of event_id",
        id="misspelt-field",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), INVALID_CASES)
def test_invalid_event_is_rejected_with_id_field_and_expectation(
    tmp_path: Path, overrides: dict[str, Any], expected: str
) -> None:
    bad_id = "TST-2025-001-invalid"
    path = _write_register(
        tmp_path,
        [_valid_event("TST-2025-000-valid"), _valid_event(bad_id, **overrides)],
    )
    read = read_policy_register(path)
    _assert_rows_in_invariant(read)
    assert read.tables["policy_events"]["event_id"].to_list() == ["TST-2025-000-valid"]
    (reason,) = read.rejects["reason"].to_list()
    assert reason.startswith(f"event '{bad_id}': ")
    assert expected in reason
    assert read.rejects["source_line"].to_list() == [_line_of(path, bad_id)]
    assert bad_id not in read.tables["policy_event_hs6"]["event_id"].to_list()
    assert bad_id not in read.tables["policy_event_targets"]["event_id"].to_list()


def _line_of(path: Path, event_id: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line == f"- event_id: {event_id}")


def test_event_without_id_is_rejected_naming_its_line(tmp_path: Path) -> None:
    nameless = _valid_event()
    del nameless["event_id"]
    path = _write_register(tmp_path, [_valid_event("TST-2025-000-valid"), nameless])
    read = read_policy_register(path)
    _assert_rows_in_invariant(read)
    (reject,) = read.rejects.to_dicts()
    line = reject["source_line"]
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("- imposing_country")
    assert reject["reason"] == (
        f"event at line {line} (no event_id): field event_id: missing, expected a non-empty string"
    )


def test_duplicate_event_id_rejects_the_later_event(tmp_path: Path) -> None:
    path = _write_register(
        tmp_path,
        [_valid_event("TST-2025-000-same"), _valid_event("TST-2025-000-same", status="revoked")],
    )
    read = read_policy_register(path)
    _assert_rows_in_invariant(read)
    assert read.tables["policy_events"]["status"].to_list() == ["in_force"]
    (reason,) = read.rejects["reason"].to_list()
    first_line = read.tables["policy_events"]["source_line"].item()
    assert reason == (
        "event 'TST-2025-000-same': field event_id: duplicate of the event at "
        f"register.yaml line {first_line}, expected a unique id"
    )
    assert read.tables["policy_event_hs6"].height == 2  # the first event's codes only


def test_every_problem_of_one_event_is_reported(tmp_path: Path) -> None:
    path = _write_register(
        tmp_path,
        [_valid_event("TST-2025-002", status="active", minerals=["unobtainium"], hs6=["1"])],
    )
    (reason,) = read_policy_register(path).rejects["reason"].to_list()
    assert "field status: 'active'" in reason
    assert "field minerals: 'unobtainium'" in reason
    assert "field hs6: '1'" in reason


def test_validate_register_lists_every_invalid_event(tmp_path: Path) -> None:
    path = _write_register(
        tmp_path,
        [
            _valid_event("TST-2025-000-valid"),
            _valid_event("TST-2025-001-bad-status", status="active"),
            _valid_event("TST-2025-002-bad-hs6", hs6=["999999"]),
        ],
    )
    with pytest.raises(PolicyRegisterError) as raised:
        validate_register(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: 2 invalid event(s)")
    assert "TST-2025-001-bad-status" in message and "field status" in message
    assert "TST-2025-002-bad-hs6" in message and "field hs6" in message
    assert "TST-2025-000-valid" not in message


def test_empty_dates_and_lists_are_null_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(
        "register_version: 2026-11-26\n"
        "events:\n"
        "  - event_id: IDN-2020-01-nickel-ore-export-ban\n"
        "    imposing_country: Indonesia\n"
        "    measure_type: export_ban\n"
        "    announced_date:\n"
        '    effective_date: "2020-01-01"\n'
        "    suspended_from: ''\n"
        "    hs6: [260400]\n"
        "    status: in_force\n"
        "    source_url:\n",
        encoding="utf-8",
    )
    read = read_policy_register(path)
    (event,) = read.tables["policy_events"].to_dicts()
    assert event["imposing_iso3"] == "IDN"
    assert event["announced_date"] is None and event["suspended_from"] is None
    assert event["effective_date"] == date(2020, 1, 1)
    assert event["elements"] == [] and event["source_url"] is None
    assert _targets_of(read, "IDN-2020-01-nickel-ore-export-ban") == []
    assert _hs6_of(read, "IDN-2020-01-nickel-ore-export-ban") == {"260400"}


# --- file-level errors ---------------------------------------------------------------------------


def test_yaml_syntax_error_raises_naming_file_and_line() -> None:
    with pytest.raises(PolicyRegisterError, match=r"syntax_error\.yaml: line \d+: not valid YAML"):
        read_policy_register(FIXTURES / "syntax_error.yaml")


def test_missing_events_list_raises_naming_file_and_field() -> None:
    with pytest.raises(
        PolicyRegisterError, match=r"no_events\.yaml: line 1: field events: expected a list"
    ):
        read_policy_register(FIXTURES / "no_events.yaml")


def test_events_that_are_not_a_list_raise(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text("register_version: 2026-11-26\nevents: none yet\n", encoding="utf-8")
    with pytest.raises(PolicyRegisterError, match=r"register\.yaml: line 2: field events"):
        read_policy_register(path)


def test_register_that_is_not_a_mapping_raises(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text("- event_id: X\n", encoding="utf-8")
    with pytest.raises(PolicyRegisterError, match=r"register\.yaml: line 1: expected a mapping"):
        read_policy_register(path)


def test_bad_register_version_raises(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text("register_version: 26/11/2026\nevents: []\n", encoding="utf-8")
    with pytest.raises(PolicyRegisterError, match=r"line 1: field register_version"):
        read_policy_register(path)


# --- folders -------------------------------------------------------------------------------------


def test_absent_folder_gives_empty_tables_of_the_right_schemas(tmp_path: Path) -> None:
    read = read_policy_folder(tmp_path / "absent")
    assert read.source == "policy_register"
    assert read.files == ()
    assert read.rejects.height == 0
    for name, schema in policy_events.TABLE_SCHEMAS.items():
        assert read.tables[name].height == 0
        assert read.tables[name].schema == pl.Schema(schema)


def test_folder_reads_yaml_and_yml_and_rejects_ids_repeated_across_files(tmp_path: Path) -> None:
    _write_register(tmp_path, [_valid_event("TST-2025-001-a")], name="a.yaml")
    _write_register(
        tmp_path,
        [_valid_event("TST-2025-002-b"), _valid_event("TST-2025-001-a")],
        name="b.yml",
    )
    (tmp_path / "notes.txt").write_text("not a register", encoding="utf-8")
    read = read_policy_folder(tmp_path, source="demo")
    _assert_rows_in_invariant(read)
    assert [f.source_file for f in read.files] == ["a.yaml", "b.yml"]
    events = read.tables["policy_events"]
    assert events.select("event_id", "source_file").rows() == [
        ("TST-2025-001-a", "a.yaml"),
        ("TST-2025-002-b", "b.yml"),
    ]
    assert events["source"].unique().to_list() == ["demo"]
    (reason,) = read.rejects["reason"].to_list()
    assert "duplicate of the event at a.yaml line 3" in reason
    assert read.tables["policy_event_hs6"]["source_file"].unique().sort().to_list() == [
        "a.yaml",
        "b.yml",
    ]
