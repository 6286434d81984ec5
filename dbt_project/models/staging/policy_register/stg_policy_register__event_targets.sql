with

source as (

    select * from {{ source('policy_register', 'policy_event_targets') }}

),

renamed as (

    select
        trim(event_id) as event_id,
        upper(trim(target_iso3)) as target_iso3,
        source_file
    from source

)

select * from renamed
