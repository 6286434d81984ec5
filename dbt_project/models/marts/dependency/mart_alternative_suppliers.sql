{#-
    The best candidate suppliers for each importer, mineral and stage (top n, var
    alternative_suppliers_top_n, default 10) among every country exporting the mineral at that stage
    to anyone in the year. The ranking score and its weights are in the YAML description and
    docs/assumptions.md.
-#}
{{ incremental_by_trade_year() }}

{%- set top_n = var('alternative_suppliers_top_n', 10) | int -%}
with

dependency as (

    -- BACI annual rows: the other inputs (fct_trade_flows, production, governance) are annual
    -- BACI-year figures; Comtrade rows are a separate source and frequency.
    select * from {{ ref('int_dependency__import_dependency') }}
    where trade_source = 'baci' and frequency = 'annual' and {{ in_trade_years_to_build() }}

),

supplier_shares as (

    select * from {{ ref('int_trade__supplier_shares') }}
    where trade_source = 'baci' and frequency = 'annual' and {{ in_trade_years_to_build() }}

),

trade as (

    select * from {{ ref('int_dependency__trade_by_country') }}
    where {{ in_trade_years_to_build() }}

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
        {{ sorted_list_agg('event_id') }} as restricting_event_ids
    from (
        select
            event_id,
            imposing_iso3,
            {{ unnest_list('minerals') }} as mineral
        from events
        where
            {{ is_restrictive_measure('measure_type') }}
            and status = 'in_force'
    ) as event_minerals
    group by imposing_iso3, mineral

),

-- Everything about a candidate that does not depend on the importer, scored as for an importer
-- it does not supply yet (the already-supplying term 0), and ranked per (year, mineral, stage).
candidate_profile as (

    select
        world_exports.year,
        world_exports.mineral,
        world_exports.stage,
        world_exports.country_iso3 as candidate_iso3,
        world_exports.exports_usd as candidate_exports_usd,
        world_exports.world_export_share,
        production_as_of.production_year,
        production_shares.share as production_share,
        reserves.reserves_share,
        governance.governance_risk_0_10,
        restrictions.restricting_event_ids,
        restrictions.imposing_iso3 is not null as restricts_exports
    from world_exports
    left join production_as_of
        on
            world_exports.year = production_as_of.year
            and world_exports.mineral = production_as_of.mineral
            and world_exports.stage = production_as_of.stage
    left join production_shares
        on
            production_as_of.production_year = production_shares.year
            and production_as_of.mineral = production_shares.mineral
            and production_as_of.global_production_type = production_shares.production_type
            and world_exports.country_iso3 = production_shares.country_iso3
    left join reserves
        on
            world_exports.mineral = reserves.mineral
            and world_exports.country_iso3 = reserves.country_iso3
    left join governance
        on
            world_exports.year = governance.year
            and world_exports.country_iso3 = governance.country_iso3
    left join restrictions
        on
            world_exports.country_iso3 = restrictions.imposing_iso3
            and world_exports.mineral = restrictions.mineral

),

base_scored as (

    select
        *,
        {{ alternative_supplier_score('0') }} as base_score
    from candidate_profile

),

base_ranked as (

    select
        *,
        row_number() over (
            partition by year, mineral, stage
            order by base_score desc, candidate_iso3 asc
        ) as base_rank,
        count(*) over (partition by year, mineral, stage) as exporter_count
    from base_scored

),

-- An importer's top n can only hold its current suppliers (scored 0.10 higher) and the top n + 1
-- candidates by base score (n + 1: the importer itself may be among them). Any other candidate
-- has n candidates ahead of it on base score alone, and base score never exceeds a score.
pairs as (

    select
        dependency.year,
        dependency.importer_iso3,
        dependency.mineral,
        dependency.stage,
        base_ranked.candidate_iso3
    from dependency
    inner join base_ranked
        on
            dependency.year = base_ranked.year
            and dependency.mineral = base_ranked.mineral
            and dependency.stage = base_ranked.stage
            and dependency.importer_iso3 <> base_ranked.candidate_iso3
    where base_ranked.base_rank <= {{ top_n }} + 1

    union

    select
        year,
        importer_iso3,
        mineral,
        stage,
        exporter_iso3 as candidate_iso3
    from supplier_shares
    where value_usd > 0 and exporter_iso3 <> importer_iso3

),

candidates as (

    select
        pairs.year,
        pairs.importer_iso3,
        pairs.mineral,
        pairs.stage,
        base_ranked.candidate_iso3,
        base_ranked.candidate_exports_usd,
        base_ranked.world_export_share,
        base_ranked.production_year,
        base_ranked.production_share,
        base_ranked.reserves_share,
        base_ranked.governance_risk_0_10,
        base_ranked.restricts_exports,
        base_ranked.restricting_event_ids,
        base_ranked.exporter_count - (case when own_exports.country_iso3 is null then 0 else 1 end)
            as candidate_count,
        coalesce(supplier_shares.value_usd, 0) as current_imports_usd,
        coalesce(supplier_shares.share, 0) as current_import_share
    from pairs
    inner join base_ranked
        on
            pairs.year = base_ranked.year
            and pairs.mineral = base_ranked.mineral
            and pairs.stage = base_ranked.stage
            and pairs.candidate_iso3 = base_ranked.candidate_iso3
    left join world_exports as own_exports
        on
            pairs.year = own_exports.year
            and pairs.mineral = own_exports.mineral
            and pairs.stage = own_exports.stage
            and pairs.importer_iso3 = own_exports.country_iso3
    left join supplier_shares
        on
            pairs.year = supplier_shares.year
            and pairs.importer_iso3 = supplier_shares.importer_iso3
            and pairs.mineral = supplier_shares.mineral
            and pairs.stage = supplier_shares.stage
            and pairs.candidate_iso3 = supplier_shares.exporter_iso3

),

scored as (

    select
        *,
        {{ alternative_supplier_score('case when current_imports_usd > 0 then 1 else 0 end') }} as ranking_score
    from candidates

),

ranked as (

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
        -- bigint on both engines (Spark types row_number() as int).
        cast(row_number() over (
            partition by year, importer_iso3, mineral, stage
            order by ranking_score desc, candidate_iso3 asc
        ) as bigint) as candidate_rank,
        candidate_count
    from scored

),

final as (

    select * from ranked
    where candidate_rank <= {{ top_n }}

)

select * from final
