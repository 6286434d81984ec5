{#-
    Candidate suppliers for each importer, mineral and stage: every country exporting the mineral
    at that stage to anyone in the year. The ranking score and its weights are in the YAML
    description and docs/assumptions.md.
-#}
{%- set weights = {
    'export_share': 0.40,
    'production_share': 0.25,
    'reserves_share': 0.15,
    'governance': 0.10,
    'already_supplying': 0.10,
    'restriction_penalty': 0.50,
} -%}
with

dependency as (

    -- BACI annual rows: the other inputs (fct_trade_flows, production, governance) are annual
    -- BACI-year figures; Comtrade rows are a separate source and frequency.
    select * from {{ ref('mart_import_dependency') }}
    where trade_source = 'baci' and frequency = 'annual'

),

supplier_shares as (

    select * from {{ ref('mart_supplier_shares') }}
    where trade_source = 'baci' and frequency = 'annual'

),

trade as (

    select * from {{ ref('int_dependency__trade_by_country') }}

),

production_shares as (

    select * from {{ ref('int_dependency__production_shares') }}

),

stage_basis as (

    select * from {{ ref('int_dependency__stage_production_basis') }}

),

reserves as (

    select * from {{ ref('int_usgs_mcs__reserves') }}

),

governance as (

    select * from {{ ref('int_dependency__governance_by_year') }}

),

events as (

    select * from {{ ref('dim_policy_event') }}

),

world_exports as (

    select
        year,
        mineral,
        stage,
        country_iso3,
        exports_usd,
        exports_usd / sum(exports_usd) over (partition by year, mineral, stage)
            as world_export_share
    from trade
    where exports_usd > 0

),

-- Production as of the latest USGS year not after the trade year.
production_as_of as (

    select
        trade_years.year,
        stage_basis.mineral,
        stage_basis.stage,
        stage_basis.year as production_year,
        stage_basis.global_production_type
    from (select distinct year from trade) as trade_years
    inner join stage_basis
        on trade_years.year >= stage_basis.year
    qualify row_number() over (
        partition by trade_years.year, stage_basis.mineral, stage_basis.stage
        order by stage_basis.year desc
    ) = 1

),

restrictions as (

    select
        imposing_iso3,
        mineral,
        list(event_id order by event_id) as restricting_event_ids
    from (
        select
            event_id,
            imposing_iso3,
            unnest(minerals) as mineral
        from events
        where
            measure_type in ('export_licensing', 'export_ban', 'export_quota', 'export_tax')
            and status = 'in_force'
    ) as event_minerals
    group by imposing_iso3, mineral

),

candidates as (

    select
        dependency.year,
        dependency.importer_iso3,
        dependency.mineral,
        dependency.stage,
        world_exports.country_iso3 as candidate_iso3,
        world_exports.exports_usd as candidate_exports_usd,
        world_exports.world_export_share,
        production_as_of.production_year,
        production_shares.share as production_share,
        reserves.reserves_share,
        governance.governance_risk_0_10,
        restrictions.restricting_event_ids,
        restrictions.imposing_iso3 is not null as restricts_exports,
        coalesce(supplier_shares.value_usd, 0) as current_imports_usd,
        coalesce(supplier_shares.share, 0) as current_import_share
    from dependency
    inner join world_exports
        on
            dependency.year = world_exports.year
            and dependency.mineral = world_exports.mineral
            and dependency.stage = world_exports.stage
            and dependency.importer_iso3 <> world_exports.country_iso3
    left join production_as_of
        on
            dependency.year = production_as_of.year
            and dependency.mineral = production_as_of.mineral
            and dependency.stage = production_as_of.stage
    left join production_shares
        on
            production_as_of.production_year = production_shares.year
            and production_as_of.mineral = production_shares.mineral
            and production_as_of.global_production_type = production_shares.production_type
            and world_exports.country_iso3 = production_shares.country_iso3
    left join reserves
        on
            dependency.mineral = reserves.mineral
            and world_exports.country_iso3 = reserves.country_iso3
    left join governance
        on
            dependency.year = governance.year
            and world_exports.country_iso3 = governance.country_iso3
    left join restrictions
        on
            world_exports.country_iso3 = restrictions.imposing_iso3
            and dependency.mineral = restrictions.mineral
    left join supplier_shares
        on
            dependency.year = supplier_shares.year
            and dependency.importer_iso3 = supplier_shares.importer_iso3
            and dependency.mineral = supplier_shares.mineral
            and dependency.stage = supplier_shares.stage
            and world_exports.country_iso3 = supplier_shares.exporter_iso3

),

scored as (

    select
        *,
        {{ weights.export_share }} * world_export_share
        + {{ weights.production_share }} * coalesce(production_share, 0)
        + {{ weights.reserves_share }} * coalesce(reserves_share, 0)
        + {{ weights.governance }} * coalesce(1 - governance_risk_0_10 / 10, 0)
        + {{ weights.already_supplying }} * (case when current_imports_usd > 0 then 1 else 0 end)
        - {{ weights.restriction_penalty }} * (case when restricts_exports then 1 else 0 end)
            as ranking_score
    from candidates

),

final as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        candidate_iso3,
        candidate_exports_usd,
        world_export_share,
        production_year,
        production_share,
        reserves_share,
        governance_risk_0_10,
        restricts_exports,
        restricting_event_ids,
        current_imports_usd,
        current_import_share,
        ranking_score,
        row_number() over (
            partition by year, importer_iso3, mineral, stage
            order by ranking_score desc, candidate_iso3 asc
        ) as candidate_rank
    from scored

)

select * from final
