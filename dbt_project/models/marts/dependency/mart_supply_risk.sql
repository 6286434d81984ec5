{#-
    The published figures of int_dependency__supply_risk, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
with

final as (

    select * from {{ ref('int_dependency__supply_risk') }}

)

select * from final
