-- Tables of the raw schema the loader itself writes (warehouse/load.py): rejected rows, one line
-- per loaded file, and what each loaded trade year was loaded from. The sources' raw tables are generated from their specs
-- (warehouse/raw_schema.py); documented in docs/architecture.md.
create schema if not exists raw;

create table if not exists raw.quarantine (
    source varchar not null,
    source_file varchar,
    source_line bigint,
    reason varchar not null,
    raw_record varchar,
    loaded_at timestamp not null
);

create table if not exists raw.load_log (
    run_id varchar not null,
    source varchar not null,
    source_file varchar not null,
    checksum_sha256 varchar not null,
    rows_in bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    rows_out_of_scope bigint not null,
    loaded_at timestamp not null
);

-- One row per trade year in raw.baci_trade: a digest of the landed files it was loaded from (their
-- names and SHA-256) and of the code that read them. A run re-reads a year only when the digest
-- of what is landed now differs.
create table if not exists raw.trade_year_state (
    source varchar not null,
    year integer not null,
    landed_digest varchar not null,
    run_id varchar not null,
    loaded_at timestamp not null
);

-- One row per source loaded from a landing folder (BACI trade has one per year, above): a digest
-- of the files it was loaded from (names and SHA-256) and of the code that read them. A run reads
-- the folder again only when the digest of what is landed now differs.
create table if not exists raw.source_state (
    source varchar not null,
    landed_digest varchar not null,
    run_id varchar not null,
    loaded_at timestamp not null
);
