with

lines as (

    select * from {{ ref('int_usgs_mcs__latest_edition_lines') }}

),

final as (

    select
        year,
        country_iso3,
        mineral,
        production_type,
        quantity,
        unit,
        is_estimate,
        source,
        edition,
        value_flag,
        commodity_code,
        type_raw,
        quantity_t,
        true as is_current_edition
    from lines
    where row_kind = 'country' and country_iso3 is not null

)

select * from final
