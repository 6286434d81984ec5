{{ incremental_by_trade_year() }}

with

flows as (

    select * from {{ ref('int_trade_flows__by_mineral') }}
    where {{ in_trade_years_to_build() }}

),

final as (

    select
        year,
        exporter_iso3,
        importer_iso3,
        hs6,
        mineral,
        stage,
        value_usd,
        quantity_t,
        source,
        hs_revision,
        is_shared_code
    from flows

)

select * from final
