with

source as (

    select * from {{ source('baci', 'ref_baci_historical_codes') }}

),

renamed as (

    select
        cast(baci_code as integer) as baci_code,
        upper(trim(country_iso3)) as country_iso3,
        nullif(trim(note), '') as note
    from source

)

select * from renamed
