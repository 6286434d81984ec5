{#-
    USGS reserves of the tracked minerals on country lines, every edition; the newest edition
    that reports reserves for a mineral is current (`is_current_edition`), older ones are history.
-#}
with

world as (

    select * from {{ ref('int_usgs_mcs__world_lines') }}

),

reserves as (

    select
        edition,
        commodity_code,
        mineral,
        country_name,
        country_iso3,
        type_raw,
        year,
        quantity,
        unit,
        quantity_t,
        value_flag,
        notes,
        source
    from world
    where
        measure = 'reserves'
        and mineral is not null
        and row_kind = 'country'
        and country_iso3 is not null

),

final as (

    select
        *,
        edition = max(edition) over (partition by mineral) as is_current_edition
    from reserves

)

select * from final
