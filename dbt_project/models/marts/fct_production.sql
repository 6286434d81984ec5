{#-
    Two lines of one country with the same Type (US helium "extracted from natural gas" and "from
    Cliffside Field") are one country figure: summed, and null when either is withheld.
-#}
with

usgs_lines as (

    select * from {{ ref('int_usgs_mcs__latest_edition_lines') }}

),

wmd_lines as (

    select * from {{ ref('int_world_mining_data__production_lines') }}

),

usgs as (

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
        true as is_current_edition,
        'usgs_mcs' as production_source,
        cast(null as {{ dbt.type_string() }}) as content_basis
    from usgs_lines
    where row_kind = 'country' and country_iso3 is not null
    group by year, country_iso3, mineral, production_type, commodity_code, type_raw, source

),

world_mining_data as (

    select
        year,
        country_iso3,
        mineral,
        production_type,
        quantity,
        unit,
        data_status = 'e' as is_estimate,
        source,
        cast(null as integer) as edition,
        cast(null as {{ dbt.type_string() }}) as value_flag,
        source_table as commodity_code,
        source_table as type_raw,
        quantity_t,
        true as is_current_edition,
        'world_mining_data' as production_source,
        content_basis
    from wmd_lines
    where row_kind = 'country' and country_iso3 is not null

),

final as (

    select * from usgs
    union all
    select * from world_mining_data

)

select * from final
