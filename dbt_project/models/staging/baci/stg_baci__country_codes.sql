with

source as (

    select * from {{ source('baci', 'baci_country_codes') }}

),

renamed as (

    select
        cast(country_code as integer) as country_code,
        trim(country_name) as country_name,
        upper(nullif(trim(iso2), '')) as iso2,
        upper(nullif(trim(iso3), '')) as iso3,
        source_file
    from source

)

select * from renamed
