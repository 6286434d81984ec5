with

flows as (

    select * from {{ ref('fct_trade_flows') }}

),

by_exporter as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        exporter_iso3,
        sum(value_usd) as value_usd
    from flows
    group by all

),

with_totals as (

    select
        *,
        sum(value_usd) over (partition by year, importer_iso3, mineral, stage) as import_value_usd
    from by_exporter

),

final as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        exporter_iso3,
        value_usd,
        value_usd / import_value_usd as share,
        row_number() over (
            partition by year, importer_iso3, mineral, stage
            order by value_usd desc, exporter_iso3 asc
        ) as rank
    from with_totals
    where import_value_usd > 0

)

select * from final
