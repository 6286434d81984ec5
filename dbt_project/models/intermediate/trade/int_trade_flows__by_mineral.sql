{#-
    BACI rows with ISO3 country codes, HS6 codes concorded to HS 2017 (the revision of the
    commodity list) and one row per mineral of the HS 2017 code. When a year was loaded from several
    HS revisions of one source, only the most recent revision is kept (HS22 over HS17 over ... HS92,
    by edition year, not by label), and of one revision only the newest BACI release (from the file
    name, `V202501` over `V202401b`), so a flow is not counted twice. Codes of other revisions map
    through stg_reference__hs_concordance, one HS 2017 code per source code; several source codes
    merging into one HS 2017 code (HS22 811231, 811241, 811292 -> HS17 811292) are summed.
    Rows from a file without a revision in its name are read as HS 2017. Historical BACI country
    codes with one successor (58 Belgium-Luxembourg, 280, 711, 736: stg_baci__historical_country_codes)
    count under the successor's ISO3. Rows whose BACI country code is in neither table are left out
    (the reader quarantines such codes).
-#}
{{ incremental_by_trade_year() }}

with

trade as (

    select * from {{ ref('stg_baci__trade') }}
    where {{ in_trade_years_to_build() }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

historical_codes as (

    select * from {{ ref('stg_baci__historical_country_codes') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

concordance as (

    select * from {{ ref('stg_reference__hs_concordance') }}

),

baci_codes as (

    select
        baci_code,
        country_iso3
    from countries
    where baci_code is not null

    union all

    select
        historical_codes.baci_code,
        historical_codes.country_iso3
    from historical_codes
    left join countries
        on historical_codes.baci_code = countries.baci_code
    where countries.baci_code is null

),

ranked as (

    select
        *,
        case
            when hs_revision is null then 0
            when cast(substr(hs_revision, 3, 2) as integer) >= 88
                then 1900 + cast(substr(hs_revision, 3, 2) as integer)
            else 2000 + cast(substr(hs_revision, 3, 2) as integer)
        end as hs_edition_year,
        -- The BACI release from the file name (`..._V202501.csv` -> `202501`): a year landed
        -- from two releases of one revision counts once, from the newer release.
        coalesce(regexp_extract(source_file, '_V([0-9A-Za-z]+)[.]csv$', 1), '') as baci_release
    from trade

),

latest_revision as (

    select
        *,
        max(hs_edition_year) over (partition by year, source) as latest_edition_year
    from ranked

),

latest_release as (

    select
        *,
        max(baci_release) over (
            partition by year, source, hs_edition_year
        ) as latest_baci_release
    from latest_revision
    where hs_edition_year = latest_edition_year

),

one_revision as (

    select * from latest_release
    where baci_release = latest_baci_release

),

concorded as (

    select
        one_revision.year,
        one_revision.exporter_code,
        one_revision.importer_code,
        coalesce(concordance.hs6_hs17, one_revision.hs6) as hs6,
        one_revision.value_usd,
        one_revision.quantity_t,
        one_revision.source,
        one_revision.hs_revision,
        coalesce(concordance.is_split, false) as is_concordance_split
    from one_revision
    left join concordance
        on
            coalesce(one_revision.hs_revision, 'HS17') = concordance.source_revision
            and one_revision.hs6 = concordance.source_hs6

),

summed as (

    select
        year,
        exporter_code,
        importer_code,
        hs6,
        source,
        hs_revision,
        sum(value_usd) as value_usd,
        sum(quantity_t) as quantity_t,
        bool_or(is_concordance_split) as is_concordance_split
    from concorded
    group by year, exporter_code, importer_code, hs6, source, hs_revision

),

mapped as (

    -- Summed again: a historical code and its successor's current code in one year (58 and 56 for
    -- Belgium) become one flow.
    select
        summed.year,
        exporter.country_iso3 as exporter_iso3,
        importer.country_iso3 as importer_iso3,
        summed.hs6,
        commodities.mineral,
        commodities.stage,
        sum(summed.value_usd) as value_usd,
        sum(summed.quantity_t) as quantity_t,
        summed.source,
        summed.hs_revision,
        commodities.is_shared_code,
        bool_or(summed.is_concordance_split) as is_concordance_split
    from summed
    inner join baci_codes as exporter
        on summed.exporter_code = exporter.baci_code
    inner join baci_codes as importer
        on summed.importer_code = importer.baci_code
    inner join commodities
        on summed.hs6 = commodities.hs6
    group by
        summed.year,
        exporter.country_iso3,
        importer.country_iso3,
        summed.hs6,
        commodities.mineral,
        commodities.stage,
        summed.source,
        summed.hs_revision,
        commodities.is_shared_code

),

final as (

    select * from mapped

)

select * from final
