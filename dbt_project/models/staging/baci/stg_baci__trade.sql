with

source as (

    select * from {{ source('baci', 'baci_trade') }}

),

renamed as (

    select
        cast(year as integer) as year,
        cast(exporter_code as integer) as exporter_code,
        cast(importer_code as integer) as importer_code,
        lpad(trim(hs6), 6, '0') as hs6,
        cast(value_usd as double) as value_usd,
        cast(quantity_t as double) as quantity_t,
        upper(nullif(trim(hs_revision), '')) as hs_revision,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
