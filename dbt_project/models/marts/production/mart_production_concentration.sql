{#-
    The published figures of int_production__concentration, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
with

final as (

    select * from {{ ref('int_production__concentration') }}

)

select * from final
