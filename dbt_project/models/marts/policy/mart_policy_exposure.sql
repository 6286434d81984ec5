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

comtrade_codes as (

    select * from {{ ref('int_comtrade__import_codes') }}

),

comtrade_totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}

),

subheadings as (

    select * from {{ ref('hs_heading_subheadings') }}

),

restrictive_events as (

    select
        *,
        cast(year(effective_date) - 1 as integer) as reference_year
    from events
    where
        {{ is_restrictive_measure('measure_type') }}
        and effective_date is not null

),

scope as (

    select
        event_id,
        hs6,
        {{ sorted_list_agg('mineral', distinct=true) }} as minerals
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

baci_by_importer as (

    select
        event_id,
        importer_iso3,
        'baci' as trade_source,
        'annual' as frequency,
        any_value(reference_year) as reference_year,
        cast(null as integer) as month,  -- noqa: RF04
        cast(null as integer) as months_from_effective,
        'sum_of_partners' as share_denominator,
        coalesce(sum(value_usd) filter (where exporter_iso3 = imposing_iso3), 0)
            as exposed_imports_usd,
        sum(value_usd) as scope_imports_usd,
        coalesce(sum(quantity_t) filter (where exporter_iso3 = imposing_iso3), 0)
            as exposed_imports_t,
        coalesce(sum(quantity_t), 0) as scope_imports_t
    from scope_flows
    group by event_id, importer_iso3

),

-- UN Comtrade import reports: the reference year for annual reports, as BACI, and every month
-- loaded from 12 months before to 12 months after the effective month for monthly reports. A
-- 6-digit code counts when it is in the scope; a 4-digit heading counts when every HS 2017
-- subheading of it is in the scope and none of them is reported for the same period.
heading_sizes as (

    select
        heading,
        count(*) as subheading_count
    from subheadings
    group by heading

),

scope_headings as (

    select
        scope.event_id,
        subheadings.heading
    from scope
    inner join subheadings
        on scope.hs6 = subheadings.hs6
    inner join heading_sizes
        on subheadings.heading = heading_sizes.heading
    group by scope.event_id, subheadings.heading, heading_sizes.subheading_count
    having count(*) = heading_sizes.subheading_count

),

event_months as (

    select
        *,
        cast(date_trunc('month', effective_date) as date) as effective_month
    from restrictive_events

),

comtrade_scope_codes as (

    select
        event_months.event_id,
        event_months.imposing_iso3,
        comtrade_codes.*,
        case
            when comtrade_codes.frequency = 'monthly'
                then
                    cast(
                        {{ dbt.datediff(
                            'event_months.effective_month',
                            'make_date(comtrade_codes.ref_year, comtrade_codes.ref_month, 1)',
                            'month'
                        ) }} as integer
                    )
        end as months_from_effective
    from event_months
    inner join comtrade_codes
        on
            (
                comtrade_codes.frequency = 'annual'
                and event_months.reference_year = comtrade_codes.ref_year
            )
            or (
                comtrade_codes.frequency = 'monthly'
                and make_date(comtrade_codes.ref_year, comtrade_codes.ref_month, 1)
                between event_months.effective_month - interval 12 month
                and event_months.effective_month + interval 12 month
            )
    left join scope as code_scope
        on
            event_months.event_id = code_scope.event_id
            and comtrade_codes.hs6 = code_scope.hs6
    left join scope_headings as own_heading
        on
            event_months.event_id = own_heading.event_id
            and comtrade_codes.heading = own_heading.heading
    where
        comtrade_codes.reporter_iso3 <> event_months.imposing_iso3
        and (
            (
                comtrade_codes.code_level = 'hs6'
                and code_scope.hs6 is not null
            )
            or (
                comtrade_codes.code_level = 'heading'
                and own_heading.heading is not null
                and not comtrade_codes.has_subheading_record
            )
        )

),

comtrade_exposed as (

    select
        comtrade_scope_codes.event_id,
        comtrade_scope_codes.freq_code,
        comtrade_scope_codes.period,
        comtrade_scope_codes.reporter_m49,
        sum(comtrade_totals.primary_value_usd) as exposed_imports_usd,
        sum(comtrade_totals.net_weight_t) as exposed_imports_t
    from comtrade_scope_codes
    inner join comtrade_totals
        on
            comtrade_scope_codes.freq_code = comtrade_totals.freq_code
            and comtrade_scope_codes.period = comtrade_totals.period
            and comtrade_scope_codes.reporter_m49 = comtrade_totals.reporter_m49
            and comtrade_scope_codes.cmd_code = comtrade_totals.cmd_code
            and comtrade_scope_codes.imposing_iso3 = comtrade_totals.partner_iso3
    where comtrade_totals.flow_code = 'M'
    group by
        comtrade_scope_codes.event_id,
        comtrade_scope_codes.freq_code,
        comtrade_scope_codes.period,
        comtrade_scope_codes.reporter_m49

),

comtrade_by_importer as (

    select
        comtrade_scope_codes.event_id,
        comtrade_scope_codes.reporter_iso3 as importer_iso3,
        'comtrade' as trade_source,
        any_value(comtrade_scope_codes.frequency) as frequency,
        any_value(comtrade_scope_codes.ref_year) as reference_year,
        any_value(comtrade_scope_codes.ref_month) as month,  -- noqa: RF04
        any_value(comtrade_scope_codes.months_from_effective) as months_from_effective,
        case
            when bool_and(comtrade_scope_codes.denominator = 'world_total') then 'world_total'
            when bool_and(comtrade_scope_codes.denominator = 'sum_of_partners')
                then 'sum_of_partners'
            else 'mixed'
        end as share_denominator,
        coalesce(any_value(comtrade_exposed.exposed_imports_usd), 0) as exposed_imports_usd,
        sum(comtrade_scope_codes.total_usd) as scope_imports_usd,
        coalesce(any_value(comtrade_exposed.exposed_imports_t), 0) as exposed_imports_t,
        coalesce(sum(comtrade_scope_codes.total_t), 0) as scope_imports_t
    from comtrade_scope_codes
    left join comtrade_exposed
        on
            comtrade_scope_codes.event_id = comtrade_exposed.event_id
            and comtrade_scope_codes.freq_code = comtrade_exposed.freq_code
            and comtrade_scope_codes.period = comtrade_exposed.period
            and comtrade_scope_codes.reporter_m49 = comtrade_exposed.reporter_m49
    group by
        comtrade_scope_codes.event_id,
        comtrade_scope_codes.reporter_iso3,
        comtrade_scope_codes.freq_code,
        comtrade_scope_codes.period

),

by_importer as (

    -- Both select the same columns in the same order (a union by position, as Spark has none by
    -- name).
    select * from baci_by_importer

    union all

    select * from comtrade_by_importer

),

targeted_events as (

    select distinct event_id from targets

),

-- Elements the measure names: its element list, or, when it lists none, every element of its
-- minerals. A scope code covering any other element makes the exposure an upper bound.
named_elements as (

    select
        restrictive_events.event_id,
        {{ unnest_list('restrictive_events.elements') }} as element
    from restrictive_events
    where {{ list_length('restrictive_events.elements') }} > 0

    union

    select
        restrictive_events.event_id,
        coverage.element
    from restrictive_events
    inner join coverage
        on {{ list_has('restrictive_events.minerals', 'coverage.element_mineral') }}
    where coalesce({{ list_length('restrictive_events.elements') }}, 0) = 0

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
        {{ sorted_list_agg('hs6') }} as scope_hs6,
        {{ sorted_distinct_flatten_agg('minerals') }} as scope_minerals
    from scope
    group by event_id

),

final as (

    select
        by_importer.event_id,
        by_importer.importer_iso3,
        by_importer.trade_source,
        by_importer.frequency,
        by_importer.month,
        by_importer.months_from_effective,
        by_importer.share_denominator,
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
