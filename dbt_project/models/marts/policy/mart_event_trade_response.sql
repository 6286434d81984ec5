{#-
    The published figures of int_policy__event_trade_response, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
with

final as (

    select * from {{ ref('int_policy__event_trade_response') }}

)

select * from final
