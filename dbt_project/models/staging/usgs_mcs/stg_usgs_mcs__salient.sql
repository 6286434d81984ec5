with

source as (

    select * from {{ source('usgs_mcs', 'usgs_mcs_salient') }}

),

renamed as (

    select
        cast(edition as integer) as edition,
        lower(trim(commodity_code)) as commodity_code,
        lower(nullif(trim(mineral), '')) as mineral,
        nullif(trim(commodity_raw), '') as commodity_raw,
        cast(year as integer) as year,
        lower(trim(measure)) as measure,
        nullif(trim(qualifier), '') as qualifier,
        column_raw,
        cast(column_number as integer) as column_number,
        nullif(trim(unit), '') as unit,
        -- `value` is the raw column's name, kept so every layer names it alike.
        cast(value as double) as value,  -- noqa: RF04
        nullif(trim(value_flag), '') as value_flag,
        coalesce(cast(is_estimate as boolean), false) as is_estimate,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
