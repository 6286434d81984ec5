{#-
    BACI rows with ISO3 country codes and one row per mineral of the HS6 code. When a year was
    loaded from several HS revisions of one source, only the latest revision is kept, so a flow is
    not counted twice. Rows whose BACI country code is not in the reference table (BACI aggregates
    such as "Areas, nes") are dropped.
-#}
with

trade as (

    select * from {{ ref('stg_baci__trade') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

latest_revision as (

    select
        *,
        max(hs_revision) over (partition by year, source) as latest_hs_revision
    from trade

),

one_revision as (

    select * from latest_revision
    where hs_revision is not distinct from latest_hs_revision

),

mapped as (

    select
        one_revision.year,
        exporter.country_iso3 as exporter_iso3,
        importer.country_iso3 as importer_iso3,
        one_revision.hs6,
        commodities.mineral,
        commodities.stage,
        one_revision.value_usd,
        one_revision.quantity_t,
        one_revision.source,
        one_revision.hs_revision,
        commodities.is_shared_code
    from one_revision
    inner join countries as exporter
        on one_revision.exporter_code = exporter.baci_code
    inner join countries as importer
        on one_revision.importer_code = importer.baci_code
    inner join commodities
        on one_revision.hs6 = commodities.hs6

),

final as (

    select * from mapped

)

select * from final
