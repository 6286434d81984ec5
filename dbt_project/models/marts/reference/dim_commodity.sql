with

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

final as (

    select
        hs6,
        mineral,
        description,
        stage,
        is_shared_code,
        hs_revision,
        is_broader_than_mineral,
        note
    from commodities

)

select * from final
