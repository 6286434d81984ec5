with

events as (

    select * from {{ ref('dim_policy_event') }}

),

event_hs6 as (

    select * from {{ ref('bridge_policy_event_hs6') }}

),

targets as (

    select * from {{ ref('bridge_policy_event_target') }}

),

flows as (

    select * from {{ ref('fct_trade_flows') }}

),

coverage as (

    select * from {{ ref('hs6_element_coverage') }}

),

restrictive_events as (

    select
        *,
        cast(year(effective_date) - 1 as integer) as reference_year
    from events
    where
        measure_type in ('export_licensing', 'export_ban', 'export_quota', 'export_tax')
        and effective_date is not null

),

scope as (

    select
        event_id,
        hs6,
        list(distinct mineral order by mineral) as minerals
    from event_hs6
    group by event_id, hs6

),

-- A shared HS6 code has a row per mineral in fct_trade_flows: take each flow once.
hs6_flows as (

    select
        year,
        exporter_iso3,
        importer_iso3,
        hs6,
        source,
        any_value(value_usd) as value_usd,
        any_value(quantity_t) as quantity_t
    from flows
    group by year, exporter_iso3, importer_iso3, hs6, source

),

scope_flows as (

    select
        restrictive_events.event_id,
        restrictive_events.imposing_iso3,
        restrictive_events.reference_year,
        hs6_flows.importer_iso3,
        hs6_flows.exporter_iso3,
        hs6_flows.value_usd,
        hs6_flows.quantity_t
    from restrictive_events
    inner join scope
        on restrictive_events.event_id = scope.event_id
    inner join hs6_flows
        on
            scope.hs6 = hs6_flows.hs6
            and restrictive_events.reference_year = hs6_flows.year
    where hs6_flows.importer_iso3 <> restrictive_events.imposing_iso3

),

by_importer as (

    select
        event_id,
        importer_iso3,
        any_value(reference_year) as reference_year,
        coalesce(sum(value_usd) filter (where exporter_iso3 = imposing_iso3), 0)
            as exposed_imports_usd,
        sum(value_usd) as scope_imports_usd,
        coalesce(sum(quantity_t) filter (where exporter_iso3 = imposing_iso3), 0)
            as exposed_imports_t,
        coalesce(sum(quantity_t), 0) as scope_imports_t
    from scope_flows
    group by event_id, importer_iso3

),

targeted_events as (

    select distinct event_id from targets

),

-- Elements the measure names: its element list, or, when it lists none, every element of its
-- minerals. A scope code covering any other element makes the exposure an upper bound.
named_elements as (

    select
        restrictive_events.event_id,
        unnest(restrictive_events.elements) as element
    from restrictive_events
    where len(restrictive_events.elements) > 0

    union

    select
        restrictive_events.event_id,
        coverage.element
    from restrictive_events
    inner join coverage
        on list_contains(restrictive_events.minerals, coverage.element_mineral)
    where coalesce(len(restrictive_events.elements), 0) = 0

),

broader_codes as (

    select distinct scope.event_id
    from scope
    inner join coverage
        on scope.hs6 = coverage.hs6
    anti join named_elements
        on
            scope.event_id = named_elements.event_id
            and coverage.element = named_elements.element

),

scope_summary as (

    select
        event_id,
        list(hs6 order by hs6) as scope_hs6,
        list_sort(list_distinct(flatten(list(minerals)))) as scope_minerals
    from scope
    group by event_id

),

final as (

    select
        by_importer.event_id,
        by_importer.importer_iso3,
        restrictive_events.imposing_iso3,
        restrictive_events.measure_type,
        restrictive_events.status,
        restrictive_events.effective_date,
        by_importer.reference_year,
        scope_summary.scope_hs6,
        scope_summary.scope_minerals,
        by_importer.exposed_imports_usd,
        by_importer.scope_imports_usd,
        by_importer.exposed_imports_usd / by_importer.scope_imports_usd as exposure_share,
        by_importer.exposed_imports_t,
        by_importer.scope_imports_t,
        targeted_events.event_id is not null as is_targeted_measure,
        broader_codes.event_id is not null
        or coalesce(restrictive_events.notes ilike '%upper bound%', false) as is_upper_bound,
        case
            when broader_codes.event_id is not null then 'hs6_covers_more_elements'
            when restrictive_events.notes ilike '%upper bound%' then 'register_note'
        end as upper_bound_reason
    from by_importer
    inner join restrictive_events
        on by_importer.event_id = restrictive_events.event_id
    inner join scope_summary
        on by_importer.event_id = scope_summary.event_id
    left join broader_codes
        on by_importer.event_id = broader_codes.event_id
    left join targeted_events
        on by_importer.event_id = targeted_events.event_id
    left join targets
        on
            by_importer.event_id = targets.event_id
            and by_importer.importer_iso3 = targets.target_iso3
    where
        by_importer.scope_imports_usd > 0
        and (targeted_events.event_id is null or targets.target_iso3 is not null)

)

select * from final
