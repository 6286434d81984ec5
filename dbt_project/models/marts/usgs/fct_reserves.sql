with

reserves as (

    select * from {{ ref('int_usgs_mcs__reserve_lines') }}

),

final as (

    select
        edition,
        country_iso3,
        mineral,
        commodity_code,
        type_raw,
        year,
        quantity,
        unit,
        quantity_t,
        value_flag,
        notes,
        is_current_edition,
        source
    from reserves

)

select * from final
