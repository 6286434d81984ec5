with

source as (

    select * from {{ source('reference', 'ref_countries') }}

),

renamed as (

    select
        upper(trim(country_iso3)) as country_iso3,
        trim(country_name) as country_name,
        cast(m49_code as integer) as m49_code,
        cast(baci_code as integer) as baci_code,
        region,
        sub_region
    from source

)

select * from renamed
