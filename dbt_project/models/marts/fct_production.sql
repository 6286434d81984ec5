{#-
    Two lines of one country with the same Type (US helium "extracted from natural gas" and "from
    Cliffside Field") are one country figure: summed, and null when either is withheld.
-#}
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
        case when count(quantity) = count(*) then sum(quantity) end as quantity,
        any_value(unit) as unit,
        bool_or(is_estimate) as is_estimate,
        source,
        any_value(edition) as edition,
        string_agg(distinct value_flag, ', ' order by value_flag) as value_flag,
        commodity_code,
        type_raw,
        case when count(quantity_t) = count(*) then sum(quantity_t) end as quantity_t,
        true as is_current_edition
    from lines
    where row_kind = 'country' and country_iso3 is not null
    group by year, country_iso3, mineral, production_type, commodity_code, type_raw, source

)

select * from final
