{#-
    What each importer would lose if one exporter halted its exports of a scope (seed
    supply_shock_scenarios), in the latest loaded trade year, how much the other exporters'
    spare exports could replace, and how many months a stockpile would last.
-#}
with

scenarios as (

    select * from {{ ref('supply_shock_scenarios') }}

),

stockpiles as (

    select * from {{ ref('stockpile_levels') }}

),

event_hs6 as (

    select * from {{ ref('bridge_policy_event_hs6') }}

),

commodities as (

    select * from {{ ref('dim_commodity') }}

),

flows as (

    select * from {{ ref('fct_trade_flows') }}

),

base_year as (

    select max(year) as year from flows

),

scenario_scope as (

    select
        scenarios.scenario_id,
        scenarios.halted_exporter_iso3,
        event_hs6.hs6,
        event_hs6.mineral,
        event_hs6.stage
    from scenarios
    inner join event_hs6
        on scenarios.scope_event_id = event_hs6.event_id

    union

    select
        scenarios.scenario_id,
        scenarios.halted_exporter_iso3,
        commodities.hs6,
        commodities.mineral,
        commodities.stage
    from scenarios
    inner join commodities
        on
            scenarios.scope_mineral = commodities.mineral
            and (scenarios.scope_stage is null or scenarios.scope_stage = commodities.stage)

),

scope_flows as (

    select
        scenario_scope.scenario_id,
        scenario_scope.halted_exporter_iso3,
        flows.year,
        flows.exporter_iso3,
        flows.importer_iso3,
        flows.mineral,
        flows.stage,
        flows.value_usd,
        flows.quantity_t
    from scenario_scope
    inner join flows
        on
            scenario_scope.hs6 = flows.hs6
            and scenario_scope.mineral = flows.mineral
    inner join base_year
        on flows.year = base_year.year

),

imports as (

    select
        scenario_id,
        importer_iso3,
        mineral,
        stage,
        any_value(year) as base_year,
        any_value(halted_exporter_iso3) as halted_exporter_iso3,
        sum(value_usd) as imports_usd,
        coalesce(sum(quantity_t), 0) as imports_t,
        coalesce(sum(value_usd) filter (where exporter_iso3 = halted_exporter_iso3), 0)
            as shortfall_usd,
        coalesce(sum(quantity_t) filter (where exporter_iso3 = halted_exporter_iso3), 0)
            as shortfall_t
    from scope_flows
    group by scenario_id, importer_iso3, mineral, stage

),

exporter_world as (

    select
        scenario_id,
        exporter_iso3,
        mineral,
        stage,
        sum(value_usd) as world_exports_usd,
        coalesce(sum(quantity_t), 0) as world_exports_t
    from scope_flows
    where exporter_iso3 <> halted_exporter_iso3
    group by scenario_id, exporter_iso3, mineral, stage

),

exporter_to_importer as (

    select
        scenario_id,
        exporter_iso3,
        importer_iso3,
        mineral,
        stage,
        sum(value_usd) as exports_usd,
        coalesce(sum(quantity_t), 0) as exports_t
    from scope_flows
    group by scenario_id, exporter_iso3, importer_iso3, mineral, stage

),

spare as (

    select
        imports.scenario_id,
        imports.importer_iso3,
        imports.mineral,
        imports.stage,
        coalesce(sum(exporter_world.world_exports_usd - coalesce(exporter_to_importer.exports_usd, 0)), 0)
            as spare_usd,
        coalesce(sum(exporter_world.world_exports_t - coalesce(exporter_to_importer.exports_t, 0)), 0)
            as spare_t
    from imports
    left join exporter_world
        on
            imports.scenario_id = exporter_world.scenario_id
            and imports.mineral = exporter_world.mineral
            and imports.stage = exporter_world.stage
            and imports.importer_iso3 <> exporter_world.exporter_iso3
    left join exporter_to_importer
        on
            exporter_world.scenario_id = exporter_to_importer.scenario_id
            and exporter_world.exporter_iso3 = exporter_to_importer.exporter_iso3
            and imports.importer_iso3 = exporter_to_importer.importer_iso3
            and exporter_world.mineral = exporter_to_importer.mineral
            and exporter_world.stage = exporter_to_importer.stage
    group by all

),

joined as (

    select
        imports.*,
        spare.spare_usd,
        spare.spare_t,
        least(imports.shortfall_usd, spare.spare_usd) as coverable_usd,
        least(imports.shortfall_t, spare.spare_t) as coverable_t,
        stockpiles.stockpile_t,
        stockpiles.is_illustrative as stockpile_is_illustrative
    from imports
    inner join spare
        on
            imports.scenario_id = spare.scenario_id
            and imports.importer_iso3 = spare.importer_iso3
            and imports.mineral = spare.mineral
            and imports.stage = spare.stage
    left join stockpiles
        on
            imports.importer_iso3 = stockpiles.country_iso3
            and imports.mineral = stockpiles.mineral
            and imports.stage = stockpiles.stage
    where imports.shortfall_usd > 0

),

final as (

    select
        scenario_id,
        importer_iso3,
        mineral,
        stage,
        base_year,
        halted_exporter_iso3,
        imports_usd,
        imports_t,
        shortfall_usd,
        shortfall_t,
        shortfall_usd / imports_usd as shortfall_share,
        spare_usd,
        spare_t,
        coverable_usd,
        coverable_usd / shortfall_usd as coverable_share,
        shortfall_usd - coverable_usd as uncovered_usd,
        coverable_t,
        shortfall_t - coverable_t as uncovered_t,
        stockpile_t,
        stockpile_is_illustrative,
        stockpile_t * 12 / nullif(shortfall_t, 0) as months_of_cover,
        stockpile_t * 12 / nullif(shortfall_t - coverable_t, 0) as months_of_cover_uncovered
    from joined

)

select * from final
