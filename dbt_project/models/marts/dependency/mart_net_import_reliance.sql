{#-
    The published figures of int_dependency__net_import_reliance, computed there: marts that
    need them build on the intermediate model, not on this mart.
-#}
{{ incremental_by_trade_year() }}

with

final as (

    select * from {{ ref('int_dependency__net_import_reliance') }}
    where {{ in_trade_years_to_build() }}

)

select * from final
