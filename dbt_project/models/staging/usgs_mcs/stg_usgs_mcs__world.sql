with

source as (

    select * from {{ source('usgs_mcs', 'usgs_mcs_world') }}

),

renamed as (

    select
        cast(edition as integer) as edition,
        lower(trim(commodity_code)) as commodity_code,
        lower(trim(mineral)) as mineral,
        country_raw,
        trim(country_name) as country_name,
        upper(nullif(trim(country_iso3), '')) as country_iso3,
        lower(trim(row_kind)) as row_kind,
        trim(type_raw) as type_raw,
        lower(trim(production_type)) as production_type,
        lower(trim(measure)) as measure,
        cast(year as integer) as year,
        cast(quantity as double) as quantity,
        trim(unit) as unit,
        cast(quantity as double) * {{ tonnes_per_unit('unit') }} as quantity_t,
        cast(is_estimate as boolean) as is_estimate,
        nullif(trim(value_flag), '') as value_flag,
        nullif(trim(notes), '') as notes,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
