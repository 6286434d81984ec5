{{ config(severity='warn') }}

-- Country production lines whose name did not resolve to an ISO3 code: they are left out of
-- fct_production and of the concentration figures, so a new USGS spelling shows up here.
with

lines as (

    select * from {{ ref('int_usgs_mcs__production_lines') }}

),

final as (

    select
        edition,
        commodity_code,
        country_name,
        type_raw,
        year
    from lines
    where row_kind = 'country' and country_iso3 is null

)

select * from final
