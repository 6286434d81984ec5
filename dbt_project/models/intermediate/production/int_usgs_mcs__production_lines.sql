{#-
    USGS production figures for the tracked minerals, mine or refinery, with a year: country,
    world-total and other-countries lines alike (the marts decide which kinds they use).
-#}
with

world as (

    select * from {{ ref('int_usgs_mcs__world_lines') }}

),

production as (

    select
        edition,
        commodity_code,
        mineral,
        country_name,
        country_iso3,
        row_kind,
        type_raw,
        production_type,
        year,
        quantity,
        unit,
        quantity_t,
        is_estimate,
        value_flag,
        notes,
        source
    from world
    where
        measure = 'production'
        and mineral is not null
        and production_type in ('mine', 'refinery')
        and year is not null

),

final as (

    select * from production

)

select * from final
