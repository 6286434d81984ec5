"""The curated policy-event register: export restrictions, suspensions and cooperation events.

No official machine-readable register of critical-mineral policy events exists, so the project
keeps one in `ingest/data/policy_events.yaml`: a top-level `register_version` (ISO date) and an
`events` list. Each event is one announcement (a notice that differs in scope or dates from its
neighbours is its own event) with the fields in `EVENT_FIELDS`.

Field meanings:
- `imposing_country` (name or ISO3): for trade measures, the country whose measure restricts or
  relaxes exports/imports; for `cooperation_agreement` and `policy_programme` events, the country
  that initiates the cooperation or programme (the importer seeking supply).
- `target_countries`: for trade measures, the destinations the measure applies to, empty = all
  destinations; for cooperation events, the partner countries.
- `hs6`: the HS6 codes in scope, each listed in `ingest/data/commodities.csv`. HS6 is often broader
  than the controlled items (850511 covers every metal permanent magnet); the event's `notes` say
  so. Technology-only measures have no HS6 scope.
- dates are ISO `YYYY-MM-DD` or empty; a date known only to the month uses the first of the month
  and says so in `notes`.

The reader returns three raw tables (`policy_events`, `policy_event_hs6`, `policy_event_targets`,
see docs/architecture.md). One event is one data row: `source_line` is the YAML line where the
event's mapping starts, and every event is either loaded (with its hs6/target rows) or rejected
with a reason naming the event id, the field and what was expected. Comments and blank lines are
not rows. A file that is not valid YAML, or has no `events` list, raises `PolicyRegisterError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import yaml

from ingest._result import FileRead, SourceRead, empty_rejects, rejects_frame
from ingest.policy_events.schema import (
    POLICY_EVENT_HS6_SCHEMA,
    POLICY_EVENT_TARGETS_SCHEMA,
    POLICY_EVENTS_SCHEMA,
)
from ingest.reference.lookup import (
    DATA_DIR,
    MINERALS,
    countries,
    country_iso3_from_name,
    critical_hs6_codes,
)

REGISTER_YAML = DATA_DIR / "policy_events.yaml"
SOURCE = "policy_register"

MEASURE_TYPES: tuple[str, ...] = (
    "export_licensing",
    "export_ban",
    "export_quota",
    "export_tax",
    "technology_export_ban",
    "import_ban",
    "stockpile",
    "cooperation_agreement",
    "policy_programme",
    "suspension",
)
STATUSES: tuple[str, ...] = ("in_force", "suspended", "revoked", "announced", "completed")

REQUIRED_TEXT_FIELDS: tuple[str, ...] = ("event_id", "imposing_country", "measure_type", "status")
OPTIONAL_TEXT_FIELDS: tuple[str, ...] = ("legal_reference", "title", "source_url", "notes")
DATE_FIELDS: tuple[str, ...] = (
    "announced_date",
    "effective_date",
    "suspended_from",
    "suspended_until",
    "revoked_date",
)
LIST_FIELDS: tuple[str, ...] = ("elements", "minerals", "hs6", "target_countries")
EVENT_FIELDS: tuple[str, ...] = (
    *REQUIRED_TEXT_FIELDS,
    *OPTIONAL_TEXT_FIELDS,
    *DATE_FIELDS,
    *LIST_FIELDS,
)
# (earlier, later): when both dates are given, earlier <= later.
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("announced_date", "effective_date"),
    ("suspended_from", "suspended_until"),
    ("effective_date", "revoked_date"),
)

TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "policy_events": POLICY_EVENTS_SCHEMA,
    "policy_event_hs6": POLICY_EVENT_HS6_SCHEMA,
    "policy_event_targets": POLICY_EVENT_TARGETS_SCHEMA,
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HS6 = re.compile(r"\d{6}")
_ELEMENT_SYMBOL = re.compile(r"[A-Z][a-z]?")
_NULL_TAG = "tag:yaml.org,2002:null"


class PolicyRegisterError(ValueError):
    """The register file cannot be read as a register, or (validate_register) has invalid events."""


class _RegisterLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps every scalar a string except null.

    HS codes stay as written (`012345` is not read as octal, `850511` not as an int) and dates
    stay strings, so an impossible date such as `2025-02-30` is reported for its event instead of
    failing the whole file.
    """


_RegisterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == _NULL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class _RawEvent:
    """One item of the `events` list: its value, first line and YAML text."""

    value: object
    line: int
    text: str


@dataclass(frozen=True)
class _Event:
    """A validated event: its `policy_events` row (without source columns), HS6 codes, targets."""

    row: dict[str, object]
    hs6: tuple[str, ...]
    targets: tuple[str, ...]


def default_register_path() -> Path:
    """The register shipped with the package, `ingest/data/policy_events.yaml`."""
    return REGISTER_YAML


def read_policy_register(path: Path, source: str = SOURCE) -> SourceRead:
    """Read one register file into the three raw policy tables plus rejects.

    Raises PolicyRegisterError (naming the file and line) when the file is not valid YAML or has
    no `events` list. Invalid events are rejected, not raised: see `validate_register`.
    """
    return _read_register(Path(path), source, {})


def validate_register(path: Path) -> None:
    """Raise PolicyRegisterError listing every invalid event of the register at `path`."""
    path = Path(path)
    rejects = read_policy_register(path).rejects
    if rejects.height:
        problems = [
            f"line {line}: {reason}"
            for line, reason in rejects.select("source_line", "reason").rows()
        ]
        raise PolicyRegisterError(
            f"{path}: {rejects.height} invalid event(s):\n" + "\n".join(problems)
        )


def read_policy_folder(folder: Path, source: str = SOURCE) -> SourceRead:
    """Read every `*.yaml` / `*.yml` register in `folder` (sorted by name).

    An event id already loaded from an earlier file is rejected as a duplicate. An absent or empty
    folder gives zero-row frames of the three tables.
    """
    folder = Path(folder)
    paths = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml"))
        if folder.is_dir()
        else []
    )
    known_ids: dict[str, str] = {}
    reads = [_read_register(path, source, known_ids) for path in paths]
    if not reads:
        return SourceRead(source=source, tables=_empty_tables(), rejects=empty_rejects(), files=())
    return SourceRead(
        source=source,
        tables={name: pl.concat([read.tables[name] for read in reads]) for name in TABLE_SCHEMAS},
        rejects=pl.concat([read.rejects for read in reads]),
        files=tuple(file for read in reads for file in read.files),
    )


def _read_register(path: Path, source: str, known_ids: dict[str, str]) -> SourceRead:
    """Read one register; `known_ids` (event id -> where it was loaded) is updated in place."""
    raw_events = _raw_events(path)
    events: list[tuple[_Event, int]] = []
    rejects: list[dict[str, object]] = []
    for raw in raw_events:
        event, problems = _parse_event(raw.value, raw.line)
        event_id = event.row["event_id"] if event else _event_id_of(raw.value)
        if isinstance(event_id, str) and event_id in known_ids:
            problems.append(
                f"field event_id: duplicate of the event at {known_ids[event_id]}, "
                "expected a unique id"
            )
        if event is None or problems:
            rejects.append(
                {
                    "source_file": path.name,
                    "source_line": raw.line,
                    "reason": f"{_event_label(raw.value, raw.line)}: " + "; ".join(problems),
                    "raw_record": raw.text,
                }
            )
            continue
        known_ids[str(event_id)] = f"{path.name} line {raw.line}"
        events.append((event, raw.line))
    tables = _tables(events, source, path.name)
    file_read = FileRead(
        path=path,
        rows_in=len(raw_events),
        rows_loaded=len(events),
        rows_rejected=len(rejects),
    )
    return SourceRead(
        source=source, tables=tables, rejects=rejects_frame(rejects), files=(file_read,)
    )


def _raw_events(path: Path) -> list[_RawEvent]:
    """Parse the file and return the items of its `events` list with their lines and text."""
    text = path.read_text(encoding="utf-8-sig")
    loader = _RegisterLoader(text)
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        raise PolicyRegisterError(
            f"{path}: {where}: not valid YAML ({error.problem}); expected a register mapping "
            "with `register_version` and an `events` list"
        ) from error
    except yaml.YAMLError as error:
        raise PolicyRegisterError(f"{path}: not valid YAML ({error})") from error
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode) or not isinstance(document, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise PolicyRegisterError(
            f"{path}: line {line}: expected a mapping with `register_version` and an `events` list"
        )
    _check_register_version(path, root, document)
    events_node = _value_node(root, "events")
    events = document.get("events")
    if events_node is None or not isinstance(events_node, yaml.SequenceNode):
        line = (events_node or root).start_mark.line + 1
        raise PolicyRegisterError(
            f"{path}: line {line}: field events: expected a list of events, found "
            f"{_describe(events_node, events)}"
        )
    return [
        _RawEvent(
            value=value,
            line=node.start_mark.line + 1,
            text=text[node.start_mark.index : node.end_mark.index].rstrip(),
        )
        for node, value in zip(events_node.value, events or [], strict=True)
    ]


def _describe(node: yaml.Node | None, value: object) -> str:
    if node is None:
        return "no events field"
    return "an empty value" if value is None else f"a {type(value).__name__}"


def _check_register_version(path: Path, root: yaml.MappingNode, document: dict) -> None:
    version = document.get("register_version")
    if version is None:
        return
    if not isinstance(version, str) or _parse_date(version) is None:
        node = _value_node(root, "register_version")
        line = node.start_mark.line + 1 if node is not None else 1
        raise PolicyRegisterError(
            f"{path}: line {line}: field register_version: {version!r}, "
            "expected an ISO date YYYY-MM-DD"
        )


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _parse_event(value: object, line: int) -> tuple[_Event | None, list[str]]:
    """Validate one event mapping; return the event, or None and the problems found."""
    if not isinstance(value, dict):
        return None, [f"expected a mapping of event fields, found {type(value).__name__}"]
    problems = [
        f"unknown field {key!r}, expected one of {', '.join(EVENT_FIELDS)}"
        for key in value
        if key not in EVENT_FIELDS
    ]
    texts = {field: _text_field(value, field, True, problems) for field in REQUIRED_TEXT_FIELDS}
    texts |= {field: _text_field(value, field, False, problems) for field in OPTIONAL_TEXT_FIELDS}
    dates = {field: _date_field(value, field, problems) for field in DATE_FIELDS}
    lists = {field: _list_field(value, field, problems) for field in LIST_FIELDS}
    imposing = _imposing_iso3(texts["imposing_country"], problems)
    _check_choice(texts["measure_type"], "measure_type", MEASURE_TYPES, problems)
    _check_choice(texts["status"], "status", STATUSES, problems)
    problems += _date_order_problems(dates)
    problems += _element_problems(lists["elements"])
    problems += _mineral_problems(lists["minerals"])
    hs6 = _hs6_codes(lists["hs6"], problems)
    targets = _target_iso3s(lists["target_countries"], problems)
    if problems:
        return None, problems
    row: dict[str, object] = {
        "event_id": texts["event_id"],
        "imposing_iso3": imposing,
        "legal_reference": texts["legal_reference"],
        "title": texts["title"],
        "measure_type": texts["measure_type"],
        **dates,
        "elements": lists["elements"],
        "minerals": lists["minerals"],
        "status": texts["status"],
        "source_url": texts["source_url"],
        "notes": texts["notes"],
    }
    return _Event(row=row, hs6=tuple(hs6), targets=tuple(targets)), []


def _event_id_of(value: object) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("event_id"), str):
        return value["event_id"].strip() or None
    return None


def _event_label(value: object, line: int) -> str:
    event_id = _event_id_of(value)
    return f"event {event_id!r}" if event_id else f"event at line {line} (no event_id)"


def _text_field(event: Mapping, field: str, required: bool, problems: list[str]) -> str | None:
    value = event.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"field {field}: missing, expected a non-empty string")
        return None
    if not isinstance(value, str):
        problems.append(f"field {field}: {value!r}, expected a string")
        return None
    return value.strip()


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_field(event: Mapping, field: str, problems: list[str]) -> date | None:
    value = event.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = _parse_date(value.strip()) if isinstance(value, str) else None
    if parsed is None:
        problems.append(f"field {field}: {value!r}, expected an ISO date YYYY-MM-DD or empty")
    return parsed


def _list_field(event: Mapping, field: str, problems: list[str]) -> list[str]:
    value = event.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"field {field}: {value!r}, expected a list of strings")
        return []
    return [item.strip() for item in value]


def _check_choice(
    value: str | None, field: str, choices: tuple[str, ...], problems: list[str]
) -> None:
    if value is not None and value not in choices:
        problems.append(f"field {field}: {value!r}, expected one of {', '.join(choices)}")


def _country_iso3(name: str) -> str | None:
    """ISO3 for an ISO3 code or a country name/alias, None when unknown."""
    code = name.strip().upper()
    if code in _iso3_codes():
        return code
    return country_iso3_from_name(name)


def _iso3_codes() -> frozenset[str]:
    return frozenset(countries()["country_iso3"].to_list())


def _imposing_iso3(name: str | None, problems: list[str]) -> str | None:
    if name is None:
        return None
    iso3 = _country_iso3(name)
    if iso3 is None:
        problems.append(
            f"field imposing_country: {name!r} is not a known country, "
            "expected an ISO3 code or a country name from ingest/data/countries.csv"
        )
    return iso3


def _target_iso3s(names: list[str], problems: list[str]) -> list[str]:
    iso3s: list[str] = []
    for name in names:
        iso3 = _country_iso3(name)
        if iso3 is None:
            problems.append(
                f"field target_countries: {name!r} is not a known country, "
                "expected ISO3 codes or country names from ingest/data/countries.csv"
            )
        elif iso3 in iso3s:
            problems.append(
                f"field target_countries: {name!r} repeats {iso3}, expected each country once"
            )
        else:
            iso3s.append(iso3)
    return iso3s


def _hs6_codes(codes: list[str], problems: list[str]) -> list[str]:
    known = critical_hs6_codes()
    valid: list[str] = []
    for code in codes:
        if not _HS6.fullmatch(code):
            problems.append(f"field hs6: {code!r}, expected a 6-digit HS code")
        elif code not in known:
            problems.append(
                f"field hs6: {code!r} is not in ingest/data/commodities.csv, "
                "expected a critical-mineral HS6 code"
            )
        elif code in valid:
            problems.append(f"field hs6: {code!r} listed twice, expected each code once")
        else:
            valid.append(code)
    return valid


def _mineral_problems(minerals: list[str]) -> list[str]:
    return [
        f"field minerals: {mineral!r}, expected a mineral of ingest/data/minerals.csv "
        "(rare_earths, copper, platinum, ...)"
        for mineral in minerals
        if mineral not in MINERALS
    ]


def _element_problems(elements: list[str]) -> list[str]:
    return [
        f"field elements: {element!r}, expected a chemical element symbol such as Dy"
        for element in elements
        if not _ELEMENT_SYMBOL.fullmatch(element)
    ]


def _date_order_problems(dates: Mapping[str, date | None]) -> list[str]:
    problems: list[str] = []
    for earlier, later in DATE_ORDER:
        first, second = dates[earlier], dates[later]
        if first is not None and second is not None and first > second:
            problems.append(
                f"field {later}: {second.isoformat()} is before {earlier} "
                f"{first.isoformat()}, expected {earlier} <= {later}"
            )
    return problems


def _tables(
    events: list[tuple[_Event, int]], source: str, source_file: str
) -> dict[str, pl.DataFrame]:
    event_rows = [
        {**event.row, "source": source, "source_file": source_file, "source_line": line}
        for event, line in events
    ]
    hs6_rows = [
        {"event_id": event.row["event_id"], "hs6": code, "source_file": source_file}
        for event, _ in events
        for code in event.hs6
    ]
    target_rows = [
        {"event_id": event.row["event_id"], "target_iso3": iso3, "source_file": source_file}
        for event, _ in events
        for iso3 in event.targets
    ]
    return {
        "policy_events": pl.DataFrame(event_rows, schema=POLICY_EVENTS_SCHEMA),
        "policy_event_hs6": pl.DataFrame(hs6_rows, schema=POLICY_EVENT_HS6_SCHEMA),
        "policy_event_targets": pl.DataFrame(target_rows, schema=POLICY_EVENT_TARGETS_SCHEMA),
    }


def _empty_tables() -> dict[str, pl.DataFrame]:
    return {name: pl.DataFrame(schema=schema) for name, schema in TABLE_SCHEMAS.items()}
