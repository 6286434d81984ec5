with

event_hs6 as (

    select * from {{ ref('stg_policy_register__event_hs6') }}

),

commodities as (

    select * from {{ ref('dim_commodity') }}

),

final as (

    select distinct
        event_hs6.event_id,
        event_hs6.hs6,
        commodities.mineral,
        commodities.stage
    from event_hs6
    inner join commodities
        on event_hs6.hs6 = commodities.hs6

)

select * from final
