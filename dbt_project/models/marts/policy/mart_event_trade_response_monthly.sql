{#-
    Monthly event study on UN Comtrade: the importer's own reports (flow M, monthly flow totals,
    CIF as reported) of the event's HS6 scope in the N full months before the effective month
    against the N first full months under the measure (N = window_months below). The post window
    starts in the effective month when the measure took effect on its first day, else in the next
    month; the effective month of a mid-month measure is in neither window (mixed). Events whose
    two windows are not both inside the loaded monthly data have no rows, and no monthly data
    loaded gives no rows at all.
-#}
{% set window_months = 6 %}
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

flow_totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}

),

monthly_imports as (

    select
        make_date(ref_year, ref_month, 1) as month_start,
        reporter_iso3 as importer_iso3,
        partner_iso3,
        hs6,
        primary_value_usd as value_usd
    from flow_totals
    where
        freq_code = 'M'
        and flow_code = 'M'
        and not is_world_partner
        and hs6 is not null

),

loaded_months as (

    select
        min(month_start) as first_month,
        max(month_start) as last_month
    from monthly_imports

),

windows as (

    select
        event_id,
        imposing_iso3,
        effective_date,
        cast(date_trunc('month', effective_date) as date) as effective_month,
        cast(
            case
                when day(effective_date) = 1 then date_trunc('month', effective_date)
                else date_trunc('month', effective_date) + interval 1 month
            end as date
        ) as post_start_month
    from events
    where
        {{ is_restrictive_measure('measure_type') }}
        and effective_date is not null

),

window_bounds as (

    select
        event_id,
        imposing_iso3,
        effective_date,
        cast(effective_month - interval {{ window_months }} month as date) as pre_start_month,
        cast(effective_month - interval 1 month as date) as pre_end_month,
        post_start_month,
        cast(post_start_month + interval {{ window_months - 1 }} month as date) as post_end_month
    from windows

),

loaded_windows as (

    select window_bounds.*
    from window_bounds
    cross join loaded_months
    where
        window_bounds.pre_start_month >= loaded_months.first_month
        and window_bounds.post_end_month <= loaded_months.last_month

),

scope as (

    select distinct
        event_id,
        hs6
    from event_hs6

),

window_imports as (

    select
        loaded_windows.event_id,
        monthly_imports.importer_iso3,
        case
            when monthly_imports.partner_iso3 = loaded_windows.imposing_iso3 then 'restricting'
            else 'other'
        end as supplier_role,
        monthly_imports.month_start,
        monthly_imports.month_start <= loaded_windows.pre_end_month as is_pre,
        monthly_imports.value_usd
    from loaded_windows
    inner join scope
        on loaded_windows.event_id = scope.event_id
    inner join monthly_imports
        on
            scope.hs6 = monthly_imports.hs6
            and (
                monthly_imports.month_start
                between loaded_windows.pre_start_month and loaded_windows.pre_end_month
                or monthly_imports.month_start
                between loaded_windows.post_start_month and loaded_windows.post_end_month
            )
    where monthly_imports.importer_iso3 <> loaded_windows.imposing_iso3

),

importers as (

    select distinct
        event_id,
        importer_iso3
    from window_imports

),

supplier_roles as (

    select {{ unnest_list(list_of(["'restricting'", "'other'"])) }} as supplier_role

),

sums as (

    select
        event_id,
        importer_iso3,
        supplier_role,
        coalesce(sum(value_usd) filter (where is_pre), 0) as pre_value_usd,
        coalesce(sum(value_usd) filter (where not is_pre), 0) as post_value_usd,
        count(distinct month_start) filter (where is_pre and value_usd > 0) as pre_months_with_imports,
        count(distinct month_start) filter (
            where not is_pre and value_usd > 0
        ) as post_months_with_imports
    from window_imports
    group by event_id, importer_iso3, supplier_role

),

targeted_events as (

    select distinct event_id from targets

),

rows_by_role as (

    select
        importers.event_id,
        importers.importer_iso3,
        supplier_roles.supplier_role,
        case
            when targeted_events.event_id is null or targets.target_iso3 is not null
                then 'covered'
            else 'peer'
        end as importer_group,
        coalesce(sums.pre_value_usd, 0) as pre_value_usd,
        coalesce(sums.post_value_usd, 0) as post_value_usd,
        coalesce(sums.pre_months_with_imports, 0) as pre_months_with_imports,
        coalesce(sums.post_months_with_imports, 0) as post_months_with_imports
    from importers
    cross join supplier_roles
    left join sums
        on
            importers.event_id = sums.event_id
            and importers.importer_iso3 = sums.importer_iso3
            and supplier_roles.supplier_role = sums.supplier_role
    left join targeted_events
        on importers.event_id = targeted_events.event_id
    left join targets
        on
            importers.event_id = targets.event_id
            and importers.importer_iso3 = targets.target_iso3

),

peers as (

    select
        event_id,
        supplier_role,
        sum(post_value_usd) / nullif(sum(pre_value_usd), 0) - 1 as peer_change_pct
    from rows_by_role
    where importer_group = 'peer'
    group by event_id, supplier_role

),

final as (

    select
        rows_by_role.event_id,
        rows_by_role.importer_iso3,
        rows_by_role.supplier_role,
        rows_by_role.importer_group,
        loaded_windows.imposing_iso3,
        loaded_windows.effective_date,
        cast({{ window_months }} as integer) as window_months,
        loaded_windows.pre_start_month,
        loaded_windows.pre_end_month,
        loaded_windows.post_start_month,
        loaded_windows.post_end_month,
        rows_by_role.pre_value_usd,
        rows_by_role.post_value_usd,
        rows_by_role.post_value_usd - rows_by_role.pre_value_usd as change_usd,
        rows_by_role.post_value_usd / nullif(rows_by_role.pre_value_usd, 0) - 1 as change_pct,
        rows_by_role.pre_months_with_imports,
        rows_by_role.post_months_with_imports,
        peers.peer_change_pct,
        case
            when rows_by_role.importer_group = 'covered'
                then
                    rows_by_role.post_value_usd / nullif(rows_by_role.pre_value_usd, 0)
                    - 1
                    - peers.peer_change_pct
        end as change_pct_vs_peers
    from rows_by_role
    inner join loaded_windows
        on rows_by_role.event_id = loaded_windows.event_id
    left join peers
        on
            rows_by_role.event_id = peers.event_id
            and rows_by_role.supplier_role = peers.supplier_role

)

select * from final
