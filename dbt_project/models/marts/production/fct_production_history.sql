{#-
    Two lines of one country with the same Type (US helium "extracted from natural gas" and "from
    Cliffside Field") are one country figure: summed, and null when either is withheld.
-#}
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
        case when count(quantity) = count(*) then sum(quantity) end as quantity,
        any_value(unit) as unit,
        case when count(quantity_t) = count(*) then sum(quantity_t) end as quantity_t,
        bool_or(is_estimate) as is_estimate,
        {{ sorted_distinct_string_agg('value_flag', "', '") }} as value_flag,
        bool_or(is_current_edition) as is_current_edition,
        source
    from lines
    where row_kind = 'country' and country_iso3 is not null
    group by edition, year, country_iso3, mineral, production_type, commodity_code, type_raw, source

)

select * from final
