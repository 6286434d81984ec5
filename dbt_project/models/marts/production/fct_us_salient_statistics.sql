{#-
    US salient statistics, every edition, with the current edition flagged
    (int_usgs_mcs__salient_editions).
-#}
with

final as (

    select * from {{ ref('int_usgs_mcs__salient_editions') }}

)

select * from final
