{#-
    Each country's imports and exports of a mineral at a value-chain stage per year, in USD (FOB)
    and tonnes, summed over the stage's HS6 codes. Tonnes add up the flows whose quantity BACI
    reports; the *_usd_with_quantity columns say how much of the value those flows carry.
-#}
{{ incremental_by_trade_year() }}

with

flows as (

    select * from {{ ref('int_trade_flows__by_mineral') }}
    where {{ in_trade_years_to_build() }}

),

sides as (

    select
        year,
        importer_iso3 as country_iso3,
        mineral,
        stage,
        value_usd as imports_usd,
        quantity_t as imports_t,
        case when quantity_t is not null then value_usd end as imports_usd_with_quantity,
        0.0 as exports_usd,
        cast(null as double) as exports_t,
        cast(null as double) as exports_usd_with_quantity
    from flows

    union all

    select
        year,
        exporter_iso3 as country_iso3,
        mineral,
        stage,
        0.0 as imports_usd,
        cast(null as double) as imports_t,
        cast(null as double) as imports_usd_with_quantity,
        value_usd as exports_usd,
        quantity_t as exports_t,
        case when quantity_t is not null then value_usd end as exports_usd_with_quantity
    from flows

),

final as (

    select
        year,
        country_iso3,
        mineral,
        stage,
        sum(imports_usd) as imports_usd,
        coalesce(sum(imports_t), 0) as imports_t,
        coalesce(sum(imports_usd_with_quantity), 0) as imports_usd_with_quantity,
        sum(exports_usd) as exports_usd,
        coalesce(sum(exports_t), 0) as exports_t,
        coalesce(sum(exports_usd_with_quantity), 0) as exports_usd_with_quantity
    from sides
    group by year, country_iso3, mineral, stage

)

select * from final
