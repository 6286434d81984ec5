with

targets as (

    select * from {{ ref('stg_policy_register__event_targets') }}

),

final as (

    select distinct
        event_id,
        target_iso3
    from targets

)

select * from final
