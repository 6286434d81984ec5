with

-- USGS country figures as fct_production_history has them (two lines of one country and Type
-- summed there), from each (year, mineral, production type)'s current edition.
usgs_history as (

    select * from {{ ref('fct_production_history') }}
    where is_current_edition

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
        quantity,
        unit,
        is_estimate,
        source,
        edition,
        value_flag,
        commodity_code,
        type_raw,
        quantity_t,
        is_current_edition,
        'usgs_mcs' as production_source,
        cast(null as {{ dbt.type_string() }}) as content_basis
    from usgs_history

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
