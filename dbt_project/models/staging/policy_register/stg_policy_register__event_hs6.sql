with

source as (

    select * from {{ source('policy_register', 'policy_event_hs6') }}

),

renamed as (

    select
        trim(event_id) as event_id,
        lpad(trim(hs6), 6, '0') as hs6,
        source_file
    from source

)

select * from renamed
