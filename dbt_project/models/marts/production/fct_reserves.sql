{#-
    Two lines of one country with the same Type (US helium "extracted from natural gas" and "from
    Cliffside Field") are one country figure: summed, and null when either is withheld.
-#}
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
        any_value(year) as year,
        case when count(quantity) = count(*) then sum(quantity) end as quantity,
        unit,
        case when count(quantity_t) = count(*) then sum(quantity_t) end as quantity_t,
        {{ sorted_distinct_string_agg('value_flag', "', '") }} as value_flag,
        {{ sorted_distinct_string_agg('notes', "' '") }} as notes,
        bool_or(is_current_edition) as is_current_edition,
        source
    from reserves
    group by edition, country_iso3, mineral, commodity_code, type_raw, unit, source

)

select * from final
