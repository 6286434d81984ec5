with

source as (

    select * from {{ source('policy_register', 'policy_events') }}

),

renamed as (

    select
        trim(event_id) as event_id,
        upper(trim(imposing_iso3)) as imposing_iso3,
        nullif(trim(legal_reference), '') as legal_reference,
        trim(title) as title,
        lower(trim(measure_type)) as measure_type,
        cast(announced_date as date) as announced_date,
        cast(effective_date as date) as effective_date,
        cast(suspended_from as date) as suspended_from,
        cast(suspended_until as date) as suspended_until,
        cast(revoked_date as date) as revoked_date,
        cast(elements as {{ string_list_type() }}) as elements,
        cast(minerals as {{ string_list_type() }}) as minerals,
        lower(trim(status)) as status,
        nullif(trim(source_url), '') as source_url,
        nullif(trim(notes), '') as notes,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
