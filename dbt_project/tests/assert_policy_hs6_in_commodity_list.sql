{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_commodity'}}}) }}

-- HS6 codes in the policy register that are not in the critical-mineral HS6 list: they are left
-- out of bridge_policy_event_hs6 (no trade is loaded for them).
with

event_hs6 as (

    select * from {{ ref('stg_policy_register__event_hs6') }}

),

commodities as (

    select * from {{ ref('dim_commodity') }}

),

final as (

    select
        event_hs6.event_id,
        event_hs6.hs6
    from event_hs6
    anti join commodities
        on event_hs6.hs6 = commodities.hs6

)

select * from final
