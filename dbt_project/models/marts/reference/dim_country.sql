with

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

final as (

    select
        country_iso3,
        country_name,
        m49_code,
        baci_code,
        region,
        sub_region
    from countries

)

select * from final
