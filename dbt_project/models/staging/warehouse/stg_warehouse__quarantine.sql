with

source as (

    select * from {{ source('warehouse', 'quarantine') }}

),

renamed as (

    select
        source,
        source_file,
        cast(source_line as bigint) as source_line,
        reason,
        raw_record,
        cast(loaded_at as timestamp) as loaded_at
    from source

)

select * from renamed
