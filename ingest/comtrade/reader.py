"""UN Comtrade v1 records (`/data/v1/get/C/{A|M}/HS`), saved as JSON response bodies or as CSV.

Two file forms are read, with the same field names (`typeCode, freqCode, refYear, refMonth,
period, reporterCode, flowCode, partnerCode, partner2Code, cmdCode, customsCode, motCode,
qtyUnitCode, qty, netWgt, cifvalue, fobvalue, primaryValue, isAggregate, isReported, ...`):

- `*.json`: a v1 response body `{"elapsedTime": ..., "count": N, "data": [record, ...],
  "error": ""}`, as `ingest.comtrade.download` saves it. One record is one data row; its
  `source_line` is the record's index in `data` + 1 (JSON has no useful physical line), and its
  rejected `raw_record` is the record re-serialised as compact JSON. A body that is not valid JSON
  (truncated), carries an error payload (`"error"` non-empty, or `statusCode`/`message` instead of
  `data`), or whose `count` disagrees with its `data` raises `ComtradeFormatError` (a ValueError)
  naming the file.
- `*.csv`: the records as CSV with a header line (the API's CSV export, or a saved extract).
  `source_line` is the physical line where the record starts, header = line 1; blank lines are
  not rows. Extra columns are ignored; a header lacking a required column raises
  `ComtradeFormatError`.

Annual records have `freqCode` A, `refMonth` 52 and `period` YYYY; monthly records have
`freqCode` M, `refMonth` 1-12 and `period` YYYYMM. `ref_month` is NULL for annual rows.

Reporter and partner codes are Comtrade's codes, which are UN M49 codes except for a few
countries Comtrade reports under its own code (842 USA, 699 India, 251 France, 757 Switzerland,
579 Norway, 490 "Other Asia, nes" = Taiwan; these are also CEPII BACI's codes). A code resolves
to a country through `reference.country_iso3_from_baci` first (Comtrade's own codes), then
`reference.country_iso3_from_m49` (note that `country_iso3_from_m49(490)` is None: ISO M49 gives
Taiwan 158). Codes in `COMTRADE_AREAS` (0 World, 899 "Areas, nes", 838 "Free Zones", 837
"Bunkers", regional "nes" groupings, ...) are areas, not countries: as a partner an area is
loaded with `partner_iso3` NULL (partner 0 also sets `is_world_partner`), because the World
total includes the value traded with it; as a reporter an area is rejected. Any other code is
rejected as unknown.

Rows are rejected (with the field, the value and what was expected) for: a missing required
field, a non-numeric or non-whole code, a negative quantity or value, an unknown reporter,
partner, flow (expected M, X, RM, RX) or frequency code, a commodity code that is not 2, 4 or 6
digits, and a period that disagrees with refYear/refMonth. Per file, records read = rows loaded +
rows rejected.

Folder layout read by `read_comtrade_folder(<landing>/comtrade)`: every `*.csv` and `*.json`
directly in the folder (extracts placed by hand) and in its `raw/` subfolder (responses saved by
the API client). Names starting with `_` or `.` (the client's `_manifest.json`, temporary files)
are not data files.

Totals: Comtrade publishes breakdowns by second partner, customs procedure and mode of transport
next to the totals; only `partner2Code = 0, customsCode = C00, motCode = 0` rows are totals
(`flow_totals`), summing all rows double counts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest._result import FileRead, SourceRead, empty_rejects
from ingest.comtrade.schema import COMTRADE_RECORDS_SCHEMA
from ingest.reference.lookup import country_iso3_from_baci, country_iso3_from_m49

SOURCE = "comtrade"
TABLE = "comtrade_records"
RAW_SUBFOLDER = "raw"
DATA_SUFFIXES = (".csv", ".json")

WORLD_CODE = 0
TOTAL_CUSTOMS_CODE = "C00"
TOTAL_MOT_CODE = 0
ANNUAL_REF_MONTH = 52
FREQ_CODES = ("A", "M")
FLOW_CODES = ("M", "X", "RM", "RX")
CMD_CODE_LENGTHS = (2, 4, 6)

# Comtrade partner codes that are areas, not countries. Partner values reported against them are
# part of the World total, so they are loaded (partner_iso3 NULL); an area is never a reporter.
COMTRADE_AREAS: dict[int, str] = {
    0: "World",
    97: "European Union",
    129: "Caribbean, nes",
    221: "Eastern Europe, nes",
    290: "Northern Africa, nes",
    471: "CACM, nes",
    472: "Africa CAMEU region, nes",
    473: "LAIA, nes",
    492: "Europe EU, nes",
    527: "Oceania, nes",
    536: "Neutral Zone",
    568: "Other Europe, nes",
    577: "Other Africa, nes",
    636: "Rest of America, nes",
    637: "North America and Central America, nes",
    697: "Europe EFTA, nes",
    837: "Bunkers",
    838: "Free Zones",
    839: "Special Caribbean",
    879: "Western Asia, nes",
    899: "Areas, nes",
}


# API field -> output column, for fields copied after validation.
REQUIRED_FIELDS: tuple[str, ...] = (
    "freqCode",
    "refYear",
    "period",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "primaryValue",
)
OPTIONAL_FIELDS: tuple[str, ...] = (
    "refMonth",
    "qtyUnitCode",
    "qty",
    "netWgt",
    "cifvalue",
    "fobvalue",
    "isAggregate",
    "isReported",
    "classificationCode",
)
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
WHOLE_NUMBER_FIELDS = (
    "refYear",
    "refMonth",
    "reporterCode",
    "partnerCode",
    "partner2Code",
    "motCode",
    "qtyUnitCode",
)
AMOUNT_FIELDS = ("qty", "netWgt", "cifvalue", "fobvalue", "primaryValue")
NON_NEGATIVE_CODE_FIELDS = ("partner2Code", "motCode")
BOOLEAN_FIELDS = ("isAggregate", "isReported")

_LINE = "_source_line"
_RAW = "_raw_record"


class ComtradeFormatError(ValueError):
    """A Comtrade file that cannot be read at all: truncated JSON, error payload, bad header."""


class TruncatedBodyError(ComtradeFormatError):
    """A response body that is not valid JSON or holds fewer records than its `count`."""


@dataclass(frozen=True)
class ApiBody:
    """A parsed v1 response body: the `count` it announces and its `data` records."""

    count: int
    records: list[dict[str, object]]


@dataclass(frozen=True)
class _RawRecord:
    line: int
    fields: dict[str, object]
    text: str


def comtrade_country_iso3(code: int) -> str | None:
    """ISO3 for a Comtrade reporter/partner country code (842 -> USA, 490 -> TWN), None when the
    code is an area (`COMTRADE_AREAS`) or unknown."""
    if code in COMTRADE_AREAS:
        return None
    return country_iso3_from_baci(code) or country_iso3_from_m49(code)


def parse_api_body(text: str, where: str) -> ApiBody:
    """Parse a v1 response body; raise ComtradeFormatError naming `where` when it is not one.

    Not a body: invalid JSON (e.g. truncated), a JSON error payload (`{"statusCode": 429,
    "message": ...}` or a non-empty `error`), a missing `data` list, or a `count` that disagrees
    with the number of records.
    """
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise TruncatedBodyError(
            f"{where}: not valid JSON ({error.msg} at character {error.pos}); the body is "
            "probably truncated, download it again"
        ) from None
    if not isinstance(body, dict):
        raise ComtradeFormatError(
            f"{where}: expected a JSON object with `count` and `data`, found {type(body).__name__}"
        )
    error_text = body.get("error")
    is_error_payload = "data" not in body and ("statusCode" in body or "message" in body)
    if error_text or is_error_payload:
        message = error_text or body.get("message") or "no message"
        status = body.get("statusCode")
        status_text = f" (statusCode {status})" if status is not None else ""
        raise ComtradeFormatError(
            f"{where}: the API returned an error payload{status_text}: {message}; "
            "expected a response with `data` records"
        )
    records = body.get("data")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ComtradeFormatError(f"{where}: expected `data` to be a list of record objects")
    count = body.get("count", len(records))
    if not isinstance(count, int) or count != len(records):
        raise TruncatedBodyError(
            f"{where}: `count` is {count!r} but `data` holds {len(records)} records; "
            "the body is incomplete, download it again"
        )
    return ApiBody(count=count, records=records)


def comtrade_files(folder: Path) -> list[Path]:
    """Data files of a Comtrade landing folder: `*.csv`/`*.json` in it and in its `raw/`."""
    folder = Path(folder)
    found: list[Path] = []
    for directory in (folder, folder / RAW_SUBFOLDER):
        if directory.is_dir():
            found += sorted(
                p
                for p in directory.iterdir()
                if p.is_file()
                and p.suffix.lower() in DATA_SUFFIXES
                and not p.name.startswith(("_", "."))
            )
    names: dict[str, Path] = {}
    for path in found:
        if path.name in names:
            raise ComtradeFormatError(
                f"{path} and {names[path.name]} have the same file name; rename one, file names "
                "identify files in the load log"
            )
        names[path.name] = path
    return found


def read_comtrade_folder(folder: Path, source: str = SOURCE) -> SourceRead:
    """Read every Comtrade file of `folder` (see `comtrade_files`) into `comtrade_records`.

    An absent or empty folder gives a zero-row frame.
    """
    reads = [read_comtrade_file(path, source) for path in comtrade_files(folder)]
    if not reads:
        return SourceRead(
            source=source,
            tables={TABLE: pl.DataFrame(schema=COMTRADE_RECORDS_SCHEMA)},
            rejects=empty_rejects(),
            files=(),
        )
    return SourceRead(
        source=source,
        tables={TABLE: pl.concat([read.tables[TABLE] for read in reads])},
        rejects=pl.concat([read.rejects for read in reads]),
        files=tuple(file for read in reads for file in read.files),
    )


def read_comtrade_file(path: Path, source: str = SOURCE) -> SourceRead:
    """Read one `*.json` response body or `*.csv` extract into rows and rejects."""
    path = Path(path)
    raw = _json_records(path) if path.suffix.lower() == ".json" else _csv_records(path)
    rows, rejects = _validate(raw, source, path.name)
    file_read = FileRead(
        path=path, rows_in=len(raw), rows_loaded=rows.height, rows_rejected=rejects.height
    )
    return SourceRead(source=source, tables={TABLE: rows}, rejects=rejects, files=(file_read,))


def flow_totals(records: pl.DataFrame) -> pl.DataFrame:
    """Only the total rows: `partner2_m49 = 0, customs_code = 'C00', mot_code = 0`.

    The other rows break the same flow down by second partner, customs procedure or mode of
    transport; adding them to the totals counts the flow twice or more.
    """
    return records.filter(
        (pl.col("partner2_m49") == WORLD_CODE)
        & (pl.col("customs_code") == TOTAL_CUSTOMS_CODE)
        & (pl.col("mot_code") == TOTAL_MOT_CODE)
    )


SHARE_KEYS = ("reporter_m49", "flow_code", "freq_code", "period", "cmd_code")


def partner_shares(records: pl.DataFrame) -> pl.DataFrame:
    """Each partner's share of a reporter's flow, per reporter x flow x period x commodity.

    Computed on `flow_totals(records)`, on `primary_value_usd` (CIF for imports, FOB for exports,
    as reported). The denominator is the reporter's partner-0 (World) total when that row is
    present (`denominator = 'world_total'`), else the sum over the partners loaded
    (`'sum_of_partners'`). Area partners (899 "Areas, nes", ...) are partners like any other, with
    `partner_iso3` NULL. `share` is NULL when the denominator is 0. The World row itself is not
    a partner row of the result.
    """
    totals = flow_totals(records)
    keys = list(SHARE_KEYS)
    world = (
        totals.filter(pl.col("is_world_partner"))
        .group_by(keys)
        .agg(pl.col("primary_value_usd").sum().alias("world_total_usd"))
    )
    partners = totals.filter(~pl.col("is_world_partner"))
    partner_sums = partners.group_by(keys).agg(
        pl.col("primary_value_usd").sum().alias("partner_sum_usd")
    )
    has_world = pl.col("world_total_usd").is_not_null()
    denominator = pl.when(has_world).then("world_total_usd").otherwise("partner_sum_usd")
    return (
        partners.join(world, on=keys, how="left")
        .join(partner_sums, on=keys, how="left")
        .select(
            "reporter_m49",
            "reporter_iso3",
            "flow_code",
            "freq_code",
            "period",
            "ref_year",
            "ref_month",
            "cmd_code",
            "partner_m49",
            "partner_iso3",
            pl.col("primary_value_usd").alias("value_usd"),
            denominator.alias("denominator_usd"),
            pl.when(has_world)
            .then(pl.lit("world_total"))
            .otherwise(pl.lit("sum_of_partners"))
            .alias("denominator"),
        )
        .with_columns(
            pl.when(pl.col("denominator_usd") > 0)
            .then(pl.col("value_usd") / pl.col("denominator_usd"))
            .otherwise(None)
            .alias("share")
        )
        .sort(keys + ["partner_m49"])
    )


def _json_records(path: Path) -> list[_RawRecord]:
    body = parse_api_body(path.read_text(encoding="utf-8-sig"), str(path))
    return [
        _RawRecord(
            line=index + 1,
            fields=record,
            text=json.dumps(record, ensure_ascii=False, separators=(",", ":")),
        )
        for index, record in enumerate(body.records)
    ]


def _csv_records(path: Path) -> list[_RawRecord]:
    text = path.read_text(encoding="utf-8-sig")
    physical_lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    header = [name.strip() for name in header]
    missing = [field for field in REQUIRED_FIELDS if field not in header]
    if missing:
        raise ComtradeFormatError(
            f"{path}: line 1: header lacks the Comtrade field(s) {', '.join(missing)}; expected "
            "the columns of a Comtrade v1 record (freqCode, refYear, period, reporterCode, ...)"
        )
    records: list[_RawRecord] = []
    end = reader.line_num
    for values in reader:
        start, end = end + 1, reader.line_num
        if not any(value.strip() for value in values):
            continue
        text_of_record = "".join(physical_lines[start - 1 : end]).rstrip("\r\n")
        fields: dict[str, object] = dict(zip(header, values, strict=False))
        if len(values) != len(header):
            fields["_field_count"] = f"{len(values)} fields, header has {len(header)}"
        records.append(_RawRecord(line=start, fields=fields, text=text_of_record))
    return records


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _raw_frame(records: Iterable[_RawRecord]) -> pl.DataFrame:
    records = list(records)
    columns: dict[str, list[object]] = {
        field: [_text(r.fields.get(field)) for r in records] for field in FIELDS
    }
    columns["_field_count"] = [_text(r.fields.get("_field_count")) for r in records]
    columns[_LINE] = [r.line for r in records]
    columns[_RAW] = [r.text for r in records]
    schema = {name: pl.Utf8() for name in FIELDS} | {
        "_field_count": pl.Utf8(),
        _LINE: pl.Int64(),
        _RAW: pl.Utf8(),
    }
    return pl.DataFrame(columns, schema=schema)


def _number(field: str) -> pl.Expr:
    return pl.col(field).cast(pl.Float64, strict=False)


def _problem(condition: pl.Expr, message: str, *values: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(pl.format(message, *values) if values else pl.lit(message))


def _country_codes(frame: pl.DataFrame, field: str) -> dict[int, str | None]:
    codes = frame.select(_number(field).drop_nulls().unique()).to_series().to_list()
    return {int(c): comtrade_country_iso3(int(c)) for c in codes if float(c).is_integer()}


def _problems(frame: pl.DataFrame) -> list[pl.Expr]:
    problems: list[pl.Expr] = [
        _problem(pl.col("_field_count").is_not_null(), "line has {}", pl.col("_field_count"))
    ]
    problems += [
        _problem(pl.col(f).is_null(), f"field {f}: missing, expected a value")
        for f in REQUIRED_FIELDS
    ]
    for field in WHOLE_NUMBER_FIELDS + AMOUNT_FIELDS:
        number = _number(field)
        problems.append(
            _problem(
                pl.col(field).is_not_null() & (number.is_null() | ~number.is_finite()),
                f"field {field}: '{{}}' is not a number",
                pl.col(field),
            )
        )
        if field in WHOLE_NUMBER_FIELDS:
            problems.append(
                _problem(
                    number.is_finite() & (number != number.floor()),
                    f"field {field}: {{}} is not a whole number, expected a code",
                    pl.col(field),
                )
            )
    for field in AMOUNT_FIELDS + NON_NEGATIVE_CODE_FIELDS:
        problems.append(
            _problem(
                _number(field) < 0,
                f"field {field}: {{}} is negative, expected a value >= 0",
                pl.col(field),
            )
        )
    for field in BOOLEAN_FIELDS:
        problems.append(
            _problem(
                pl.col(field).is_not_null()
                & ~pl.col(field).str.to_lowercase().is_in(["true", "false"]),
                f"field {field}: '{{}}' expected true or false",
                pl.col(field),
            )
        )
    problems += _code_problems(frame)
    problems += _period_problems()
    return problems


def _code_problems(frame: pl.DataFrame) -> list[pl.Expr]:
    reporters = _country_codes(frame, "reporterCode")
    partners = _country_codes(frame, "partnerCode")
    reporter = _number("reporterCode")
    partner = _number("partnerCode")
    area_codes = [float(c) for c in COMTRADE_AREAS]
    unknown_reporters = [float(code) for code, iso3 in reporters.items() if iso3 is None]
    unknown_partners = [
        float(code)
        for code, iso3 in partners.items()
        if iso3 is None and code not in COMTRADE_AREAS
    ]
    cmd = pl.col("cmdCode")
    cmd_length = cmd.str.len_chars().cast(pl.Int64)
    padded_length = cmd_length + cmd_length % 2
    return [
        _problem(
            reporter.is_in(area_codes),
            "field reporterCode: {} is an area, not a country; expected a reporting country's "
            "Comtrade code",
            pl.col("reporterCode"),
        ),
        _problem(
            reporter.is_in(unknown_reporters) & ~reporter.is_in(area_codes),
            "field reporterCode: {} is not a known Comtrade country code; expected an M49 code "
            "listed in ingest/data/countries.csv (or Comtrade's 842, 699, 251, 757, 579, 490)",
            pl.col("reporterCode"),
        ),
        _problem(
            partner.is_in(unknown_partners),
            "field partnerCode: {} is not a known Comtrade country or area code; expected an "
            "M49 code listed in ingest/data/countries.csv or an area such as 0 World, 899",
            pl.col("partnerCode"),
        ),
        _problem(
            pl.col("freqCode").is_not_null() & ~pl.col("freqCode").is_in(FREQ_CODES),
            "field freqCode: '{}' expected A (annual) or M (monthly)",
            pl.col("freqCode"),
        ),
        _problem(
            pl.col("flowCode").is_not_null() & ~pl.col("flowCode").is_in(FLOW_CODES),
            "field flowCode: '{}' is not a known flow, expected one of M, X, RM, RX",
            pl.col("flowCode"),
        ),
        _problem(
            cmd.is_not_null()
            & (~cmd.str.contains(r"^\d+$") | ~padded_length.is_in(list(CMD_CODE_LENGTHS))),
            "field cmdCode: '{}' expected an HS code of 2, 4 or 6 digits",
            cmd,
        ),
    ]


def _period_problems() -> list[pl.Expr]:
    freq = pl.col("freqCode")
    year = _number("refYear")
    month = _number("refMonth")
    expected_period = (
        pl.when(freq == "A")
        .then(year.cast(pl.Int64, strict=False).cast(pl.Utf8))
        .otherwise(
            year.cast(pl.Int64, strict=False).cast(pl.Utf8)
            + month.cast(pl.Int64, strict=False).cast(pl.Utf8).str.zfill(2)
        )
    )
    return [
        _problem(
            (freq == "A") & month.is_not_null() & (month != ANNUAL_REF_MONTH),
            f"field refMonth: {{}} in an annual record, expected {ANNUAL_REF_MONTH} or empty",
            pl.col("refMonth"),
        ),
        _problem(
            (freq == "M") & pl.col("refMonth").is_null(),
            "field refMonth: missing in a monthly record, expected 1-12",
        ),
        _problem(
            (freq == "M") & ((month < 1) | (month > 12)),
            "field refMonth: {} in a monthly record, expected 1-12",
            pl.col("refMonth"),
        ),
        _problem(
            expected_period.is_not_null()
            & pl.col("period").is_not_null()
            & (pl.col("period") != expected_period),
            "field period: '{}' does not match refYear/refMonth, expected '{}'",
            pl.col("period"),
            expected_period,
        ),
    ]


def _boolean(field: str) -> pl.Expr:
    lowered = pl.col(field).str.to_lowercase()
    return pl.when(lowered == "true").then(True).when(lowered == "false").then(False)


def _typed_rows(
    good: pl.DataFrame, source: str, source_file: str, country_iso3: Mapping[int, str | None]
) -> pl.DataFrame:
    def whole(field: str) -> pl.Expr:
        return _number(field).cast(pl.Int32)

    cmd = pl.col("cmdCode")
    partner = whole("partnerCode")
    return good.select(
        pl.col("freqCode").alias("freq_code"),
        whole("refYear").alias("ref_year"),
        pl.when(pl.col("freqCode") == "M").then(whole("refMonth")).alias("ref_month"),
        pl.col("period"),
        whole("reporterCode").alias("reporter_m49"),
        whole("reporterCode")
        .replace_strict(country_iso3, default=None, return_dtype=pl.Utf8)
        .alias("reporter_iso3"),
        pl.col("flowCode").alias("flow_code"),
        partner.alias("partner_m49"),
        partner.replace_strict(country_iso3, default=None, return_dtype=pl.Utf8).alias(
            "partner_iso3"
        ),
        (partner == WORLD_CODE).alias("is_world_partner"),
        whole("partner2Code").alias("partner2_m49"),
        pl.when(cmd.str.len_chars() % 2 == 1).then("0" + cmd).otherwise(cmd).alias("cmd_code"),
        pl.col("customsCode").alias("customs_code"),
        whole("motCode").alias("mot_code"),
        whole("qtyUnitCode").alias("qty_unit_code"),
        _number("qty").alias("qty"),
        _number("netWgt").alias("net_weight_kg"),
        _number("cifvalue").alias("cif_value_usd"),
        _number("fobvalue").alias("fob_value_usd"),
        _number("primaryValue").alias("primary_value_usd"),
        _boolean("isAggregate").alias("is_aggregate"),
        _boolean("isReported").alias("is_reported"),
        pl.col("classificationCode").alias("classification_code"),
        pl.lit(source).alias("source"),
        pl.lit(source_file).alias("source_file"),
        pl.col(_LINE).alias("source_line"),
    ).cast(COMTRADE_RECORDS_SCHEMA)


def _validate(
    records: list[_RawRecord], source: str, source_file: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = _raw_frame(records)
    country_iso3 = _country_codes(frame, "reporterCode") | _country_codes(frame, "partnerCode")
    checked = frame.with_columns(
        pl.concat_str(_problems(frame), separator="; ", ignore_nulls=True).alias("_reason")
    )
    bad = checked.filter(pl.col("_reason") != "")
    good = checked.filter(pl.col("_reason") == "")
    rejects = bad.select(
        pl.lit(source_file).alias("source_file"),
        pl.col(_LINE).alias("source_line"),
        pl.col("_reason").alias("reason"),
        pl.col(_RAW).alias("raw_record"),
    ).cast({"source_file": pl.Utf8(), "source_line": pl.Int64()})
    return _typed_rows(good, source, source_file, country_iso3), rejects
