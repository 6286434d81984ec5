with

source as (

    select * from {{ source('reference', 'ref_commodities') }}

),

renamed as (

    select
        lpad(trim(hs6), 6, '0') as hs6,
        lower(trim(mineral)) as mineral,
        lower(trim(stage)) as stage,
        description,
        cast(is_shared_code as boolean) as is_shared_code,
        upper(trim(hs_revision)) as hs_revision,
        coalesce(cast(is_broader_than_mineral as boolean), false) as is_broader_than_mineral,
        nullif(trim(note), '') as note
    from source

)

select * from renamed
