-- The warehouse's raw layer: one table per reader output, plus quarantine and load log.
-- Created idempotently by warehouse.load.ensure_raw_schema; documented in docs/architecture.md.
create schema if not exists raw;

create table if not exists raw.baci_trade (
    year integer not null,
    exporter_code integer not null,
    importer_code integer not null,
    hs6 varchar not null,
    value_usd double not null,
    quantity_t double,
    hs_revision varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

create table if not exists raw.baci_country_codes (
    country_code integer not null,
    country_name varchar,
    iso2 varchar,
    iso3 varchar,
    source_file varchar not null
);

create table if not exists raw.baci_product_codes (
    hs6 varchar not null,
    description varchar,
    hs_revision varchar,
    source_file varchar not null
);

create table if not exists raw.usgs_mcs_world (
    edition integer,
    commodity_code varchar,
    mineral varchar,
    country_raw varchar,
    country_name varchar,
    country_iso3 varchar,
    row_kind varchar not null,
    type_raw varchar,
    production_type varchar,
    measure varchar not null,
    year integer,
    quantity double,
    unit varchar,
    is_estimate boolean,
    value_flag varchar,
    notes varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

create table if not exists raw.policy_events (
    event_id varchar not null,
    imposing_iso3 varchar not null,
    legal_reference varchar,
    title varchar,
    measure_type varchar not null,
    announced_date date,
    effective_date date,
    suspended_from date,
    suspended_until date,
    revoked_date date,
    elements varchar[],
    minerals varchar[],
    status varchar not null,
    source_url varchar,
    notes varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

create table if not exists raw.policy_event_hs6 (
    event_id varchar not null,
    hs6 varchar not null,
    source_file varchar not null
);

create table if not exists raw.policy_event_targets (
    event_id varchar not null,
    target_iso3 varchar not null,
    source_file varchar not null
);

create table if not exists raw.ref_countries (
    country_iso3 varchar not null,
    country_name varchar not null,
    m49_code integer,
    baci_code integer,
    region varchar,
    sub_region varchar
);

create table if not exists raw.ref_commodities (
    hs6 varchar not null,
    mineral varchar not null,
    stage varchar not null,
    description varchar,
    is_shared_code boolean not null,
    hs_revision varchar,
    is_broader_than_mineral boolean,
    note varchar
);

-- Build files made before these columns existed gain them here.
alter table raw.ref_commodities add column if not exists hs_revision varchar;
alter table raw.ref_commodities add column if not exists is_broader_than_mineral boolean;
alter table raw.ref_commodities add column if not exists note varchar;

create table if not exists raw.ref_minerals (
    mineral varchar not null,
    name varchar not null,
    mineral_group varchar,
    is_group boolean not null,
    usgs_2025 boolean not null,
    usgs_2022 boolean not null,
    eu_2023_critical boolean not null,
    eu_2023_strategic boolean not null,
    iea_focus boolean not null,
    usgs_2025_entry varchar,
    usgs_2022_entry varchar,
    eu_2023_entry varchar,
    eu_2023_strategic_entry varchar,
    usgs_mcs_codes varchar,
    wmd_tables varchar,
    hs6_note varchar,
    scope_note varchar
);

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

create table if not exists raw.comtrade_records (
    freq_code varchar not null,
    ref_year integer not null,
    ref_month integer,
    period varchar not null,
    reporter_m49 integer not null,
    reporter_iso3 varchar not null,
    flow_code varchar not null,
    partner_m49 integer not null,
    partner_iso3 varchar,
    is_world_partner boolean not null,
    partner2_m49 integer not null,
    cmd_code varchar not null,
    customs_code varchar not null,
    mot_code integer not null,
    qty_unit_code integer,
    qty double,
    net_weight_kg double,
    cif_value_usd double,
    fob_value_usd double,
    primary_value_usd double not null,
    is_aggregate boolean,
    is_reported boolean,
    classification_code varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

create table if not exists raw.wgi_governance (
    country_name varchar,
    country_code varchar not null,
    country_iso3 varchar,
    series_name varchar,
    series_code varchar not null,
    year integer not null,
    value double not null,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

-- World Mining Data (ingest/world_mining_data.py): one row per mineral-table row x year with a
-- figure; the table's `Total` row is kept as row_kind = 'world_total'.
create table if not exists raw.world_mining_data_production (
    source_table varchar not null,
    mineral varchar,
    content_basis varchar,
    production_type varchar,
    country_name varchar,
    country_code varchar,
    country_iso_raw varchar,
    country_iso3 varchar,
    row_kind varchar not null,
    year integer not null,
    quantity double not null,
    unit varchar not null,
    data_status varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

-- World Mining Data `HS Code Map`: per WMD table, HS codes and the SCRREEN EoL-RIR (2023).
create table if not exists raw.world_mining_data_materials (
    source_table varchar not null,
    sheet_name varchar not null,
    mineral varchar,
    category varchar,
    reference_id varchar,
    supply_chain_stage varchar,
    symbol varchar,
    reference_url varchar,
    eol_rir_2023 double,
    hs_code varchar,
    hs_codes_complementary varchar,
    hs_description varchar,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

create table if not exists raw.usgs_mcs_salient (
    edition integer,
    commodity_code varchar,
    mineral varchar,
    commodity_raw varchar,
    year integer,
    measure varchar not null,
    qualifier varchar,
    column_raw varchar not null,
    column_number integer not null,
    unit varchar,
    value double,
    value_flag varchar,
    is_estimate boolean,
    source varchar not null,
    source_file varchar not null,
    source_line bigint not null
);

-- HS revisions concorded to HS 2017 for the critical-mineral codes (ingest/hs_concordance.py);
-- one row per (source_revision, source_hs6), so a trade value maps to one HS 2017 code.
create table if not exists raw.ref_hs_concordance (
    source_revision varchar not null,
    source_hs6 varchar not null,
    hs6_hs17 varchar not null,
    is_split boolean not null,
    hs17_targets varchar not null,
    concordance_note varchar
);

-- Historical BACI country codes with one present-day successor (ingest.baci.BACI_HISTORICAL_CODES,
-- e.g. 58 Belgium-Luxembourg -> BEL); dbt maps BACI rows through it next to ref_countries.baci_code.
create table if not exists raw.ref_baci_historical_codes (
    baci_code integer not null,
    country_iso3 varchar not null,
    note varchar
);
