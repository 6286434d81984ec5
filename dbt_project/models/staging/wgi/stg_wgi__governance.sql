with

source as (

    select * from {{ source('wgi', 'wgi_governance') }}

),

renamed as (

    select
        upper(trim(country_iso3)) as country_iso3,
        upper(trim(series_code)) as series_code,
        lower(split_part(trim(series_code), '.', 1)) as dimension,
        cast(year as integer) as year,
        cast(value as double) as estimate,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

),

final as (

    select * from renamed
    where
        country_iso3 is not null
        and series_code in ('CC.EST', 'GE.EST', 'PV.EST', 'RQ.EST', 'RL.EST', 'VA.EST')

)

select * from final
