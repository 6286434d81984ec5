with

source as (

    select * from {{ source('baci', 'baci_product_codes') }}

),

renamed as (

    select
        lpad(trim(hs6), 6, '0') as hs6,
        trim(description) as description,
        upper(nullif(trim(hs_revision), '')) as hs_revision,
        source_file
    from source

)

select * from renamed
