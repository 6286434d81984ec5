{#-
    World Mining Data production of the minerals the warehouse tracks (those of the commodity
    reference), country rows and WMD's Total row, with the unit as a code. WMD publishes one
    figure per country, mineral and year (no editions, no alternative Type lines), so the table
    name stands in for the USGS commodity code and Type line.
-#}
with

production as (

    select * from {{ ref('stg_world_mining_data__production') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

tracked_minerals as (

    select distinct mineral from commodities

),

final as (

    select
        production.year,
        production.mineral,
        production.production_type,
        production.content_basis,
        production.source_table,
        production.row_kind,
        production.country_name,
        production.country_iso3,
        production.quantity,
        production.unit,
        production.quantity_t,
        production.data_status,
        production.source,
        production.source_file,
        production.source_line
    from production
    inner join tracked_minerals
        on production.mineral = tracked_minerals.mineral

)

select * from final
