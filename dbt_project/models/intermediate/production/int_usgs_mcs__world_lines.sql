{#-
    USGS world-table figures with one row per (edition, commodity, line identity, measure, year,
    unit). USGS has published the same edition's world table twice (MCS 2024 cobalt: the world
    file and a world-layout copy under the `_salient.csv` name, with other years and figures);
    the copy in the file named `_world.csv` is kept, then the lexically first file and line.
-#}
with

world as (

    select * from {{ ref('stg_usgs_mcs__world') }}

),

final as (

    select * from world
    qualify
        row_number() over (
            partition by
                edition,
                commodity_code,
                row_kind,
                country_name,
                type_raw,
                measure,
                year,
                is_estimate,
                unit
            order by
                source_file ilike '%!_world.csv' escape '!' desc,
                source_file asc,
                source_line asc
        ) = 1

)

select * from final
