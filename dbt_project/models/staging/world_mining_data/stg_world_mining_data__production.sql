with

source as (

    select * from {{ source('world_mining_data', 'world_mining_data_production') }}

),

renamed as (

    select
        trim(source_table) as source_table,
        lower(trim(mineral)) as mineral,
        nullif(trim(content_basis), '') as content_basis,
        lower(trim(production_type)) as production_type,
        trim(country_name) as country_name,
        nullif(trim(country_code), '') as country_code,
        nullif(trim(country_iso_raw), '') as country_iso_raw,
        upper(nullif(trim(country_iso3), '')) as country_iso3,
        lower(trim(row_kind)) as row_kind,
        cast(year as integer) as year,
        cast(quantity as double) as quantity,
        case lower(trim(unit))
            when 'metr. t' then 't'
            when 'kg' then 'kg'
            when 'ct' then 'ct'
            when 'mio m3' then 'mio_m3'
            else lower(trim(unit))
        end as unit,
        trim(unit) as unit_raw,
        cast(quantity as double) * case lower(trim(unit))
            when 'metr. t' then 1.0
            when 'kg' then 0.001
        end as quantity_t,
        lower(nullif(trim(data_status), '')) as data_status,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
