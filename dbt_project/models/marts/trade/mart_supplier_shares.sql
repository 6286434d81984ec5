{#-
    The published figures of int_trade__supplier_shares, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
with

final as (

    select * from {{ ref('int_trade__supplier_shares') }}

)

select * from final
