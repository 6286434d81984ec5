with

lines as (

    select * from {{ ref('int_usgs_mcs__production_history') }}

),

final as (

    select
        edition,
        year,
        country_iso3,
        mineral,
        production_type,
        commodity_code,
        type_raw,
        quantity,
        unit,
        quantity_t,
        is_estimate,
        value_flag,
        is_current_edition,
        source
    from lines
    where row_kind = 'country' and country_iso3 is not null

)

select * from final
