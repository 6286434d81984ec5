with

source as (

    select * from {{ source('warehouse', 'load_log') }}

),

renamed as (

    select
        run_id,
        source,
        source_file,
        checksum_sha256,
        cast(rows_in as bigint) as rows_in,
        cast(rows_loaded as bigint) as rows_loaded,
        cast(rows_rejected as bigint) as rows_rejected,
        cast(rows_out_of_scope as bigint) as rows_out_of_scope,
        cast(loaded_at as timestamp) as loaded_at
    from source

)

select * from renamed
