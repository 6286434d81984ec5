{#-
    The WMD rows each (year, mineral, production_type) concentration is computed from, in the
    columns of int_usgs_mcs__concentration_basis: the country rows and the Total row of the
    mineral's WMD table (one table per mineral, so nothing to choose between).
-#}
with

lines as (

    select * from {{ ref('int_world_mining_data__production_lines') }}

),

final as (

    select
        year,
        mineral,
        production_type,
        cast(null as integer) as edition,
        source_table as commodity_code,
        source_table as type_raw,
        row_kind,
        country_iso3,
        quantity,
        unit,
        content_basis
    from lines

)

select * from final
