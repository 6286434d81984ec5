{{ config(meta={'dagster': {'ref': {'name': 'dim_mineral'}}}) }}

-- Minerals the policy register names that are not in the mineral reference (dim_mineral): their
-- events would resolve to nothing. The register reader rejects such events, so a row here means
-- the register and the reference were loaded from different versions.
with

events as (

    select * from {{ ref('stg_policy_register__events') }}

),

minerals as (

    select * from {{ ref('dim_mineral') }}

),

event_minerals as (

    select
        event_id,
        {{ unnest_list('minerals') }} as mineral
    from events

),

final as (

    select
        event_minerals.event_id,
        event_minerals.mineral
    from event_minerals
    anti join minerals
        on event_minerals.mineral = minerals.mineral

)

select * from final
