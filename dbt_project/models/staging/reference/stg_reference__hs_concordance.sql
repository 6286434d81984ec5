with

source as (

    select * from {{ source('reference', 'ref_hs_concordance') }}

),

renamed as (

    select
        upper(trim(source_revision)) as source_revision,
        lpad(trim(source_hs6), 6, '0') as source_hs6,
        lpad(trim(hs6_hs17), 6, '0') as hs6_hs17,
        cast(is_split as boolean) as is_split,
        hs17_targets,
        nullif(trim(concordance_note), '') as concordance_note
    from source

)

select * from renamed
