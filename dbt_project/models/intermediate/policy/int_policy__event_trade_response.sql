{#-
    Annual event study on BACI: trade in the event's HS6 scope in the last full calendar year
    before the effective date (pre_year) against the first full calendar year under the measure
    (post_year = the effective year when the measure took effect on 1 January, else the year
    after). Events whose windows are not both loaded are left out. The event's HS6 codes need no
    join to the commodity list: the trade flows hold only its codes.
-#}
with

events as (

    select * from {{ ref('stg_policy_register__events') }}

),

event_hs6 as (

    select * from {{ ref('stg_policy_register__event_hs6') }}

),

targets as (

    select distinct
        event_id,
        target_iso3
    from {{ ref('stg_policy_register__event_targets') }}

),

flows as (

    select * from {{ ref('int_trade_flows__by_mineral') }}

),

loaded_years as (

    select
        min(year) as first_year,
        max(year) as last_year
    from flows

),

windows as (

    select
        events.event_id,
        events.imposing_iso3,
        events.measure_type,
        events.effective_date,
        cast(year(events.effective_date) - 1 as integer) as pre_year,
        cast(
            case
                when month(events.effective_date) = 1 and day(events.effective_date) = 1
                    then year(events.effective_date)
                else year(events.effective_date) + 1
            end as integer
        ) as post_year
    from events
    where
        {{ is_restrictive_measure('events.measure_type') }}
        and events.effective_date is not null

),

loaded_windows as (

    select windows.*
    from windows
    cross join loaded_years
    where
        windows.pre_year >= loaded_years.first_year
        and windows.post_year <= loaded_years.last_year

),

scope as (

    select distinct
        event_id,
        hs6
    from event_hs6

),

hs6_flows as (

    select
        year,
        exporter_iso3,
        importer_iso3,
        hs6,
        source,
        any_value(value_usd) as value_usd
    from flows
    group by year, exporter_iso3, importer_iso3, hs6, source

),

window_flows as (

    select
        loaded_windows.event_id,
        loaded_windows.imposing_iso3,
        loaded_windows.pre_year,
        loaded_windows.post_year,
        hs6_flows.importer_iso3,
        hs6_flows.exporter_iso3,
        coalesce(sum(hs6_flows.value_usd) filter (
            where hs6_flows.year = loaded_windows.pre_year
        ), 0) as pre_value_usd,
        coalesce(sum(hs6_flows.value_usd) filter (
            where hs6_flows.year = loaded_windows.post_year
        ), 0) as post_value_usd
    from loaded_windows
    inner join scope
        on loaded_windows.event_id = scope.event_id
    inner join hs6_flows
        on
            scope.hs6 = hs6_flows.hs6
            and hs6_flows.year in (loaded_windows.pre_year, loaded_windows.post_year)
    where hs6_flows.importer_iso3 <> loaded_windows.imposing_iso3
    group by all

),

targeted_events as (

    select distinct event_id from targets

),

final as (

    select
        window_flows.event_id,
        window_flows.importer_iso3,
        window_flows.exporter_iso3,
        window_flows.pre_year,
        window_flows.post_year,
        case
            when window_flows.exporter_iso3 = window_flows.imposing_iso3 then 'restricting'
            else 'other'
        end as supplier_role,
        case
            when targeted_events.event_id is null or targets.target_iso3 is not null
                then 'covered'
            else 'peer'
        end as importer_group,
        window_flows.pre_value_usd,
        window_flows.post_value_usd,
        window_flows.post_value_usd - window_flows.pre_value_usd as change_usd,
        window_flows.post_value_usd / nullif(window_flows.pre_value_usd, 0) - 1 as change_pct
    from window_flows
    left join targeted_events
        on window_flows.event_id = targeted_events.event_id
    left join targets
        on
            window_flows.event_id = targets.event_id
            and window_flows.importer_iso3 = targets.target_iso3

)

select * from final
