with

events as (

    select * from {{ ref('stg_policy_register__events') }}

),

targets as (

    select * from {{ ref('stg_policy_register__event_targets') }}

),

targeted_events as (

    select distinct event_id
    from targets

),

final as (

    select
        events.event_id,
        events.imposing_iso3,
        events.legal_reference,
        events.title,
        events.measure_type,
        events.announced_date,
        events.effective_date,
        events.suspended_from,
        events.suspended_until,
        events.revoked_date,
        events.elements,
        events.minerals,
        events.status,
        events.source_url,
        events.notes,
        targeted_events.event_id is null as applies_to_all_destinations
    from events
    left join targeted_events
        on events.event_id = targeted_events.event_id

)

select * from final
