{#-
    The published figures of int_dependency__net_import_reliance, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
with

final as (

    select * from {{ ref('int_dependency__net_import_reliance') }}

)

select * from final
