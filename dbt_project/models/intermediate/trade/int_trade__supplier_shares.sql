{#-
    Supplier shares from two trade sources side by side, never added together: BACI (annual,
    trade_source 'baci', shares of the sum over exporters) and UN Comtrade import reports (annual and
    monthly, trade_source 'comtrade', shares of the reporter's World total when loaded:
    int_comtrade__import_shares_by_mineral). A BACI row and a Comtrade row for the same year,
    importer, mineral, stage and exporter are two rows.
-#}
{{ incremental_by_trade_year() }}

with

flows as (

    select * from {{ ref('int_trade_flows__by_mineral') }}
    where {{ in_trade_years_to_build() }}

),

comtrade as (

    select * from {{ ref('int_comtrade__import_shares_by_mineral') }}
    where {{ in_trade_years_to_build() }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

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

baci as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        exporter_iso3,
        value_usd,
        value_usd / import_value_usd as share,
        -- bigint on both engines (Spark types row_number() as int).
        cast(row_number() over (
            partition by year, importer_iso3, mineral, stage
            order by value_usd desc, exporter_iso3 asc
        ) as bigint) as rank,
        'baci' as trade_source,
        'annual' as frequency,
        cast(null as integer) as month,  -- noqa: RF04
        import_value_usd,
        'sum_of_partners' as share_denominator
    from with_totals
    where import_value_usd > 0

),

-- Country partners only (areas have no ISO3), into dim_country like the BACI rows.
comtrade_suppliers as (

    select
        comtrade.year,
        comtrade.importer_iso3,
        comtrade.mineral,
        comtrade.stage,
        comtrade.exporter_iso3,
        comtrade.value_usd,
        comtrade.share,
        row_number() over (
            partition by
                comtrade.frequency,
                comtrade.year,
                comtrade.month,
                comtrade.importer_iso3,
                comtrade.mineral,
                comtrade.stage
            order by comtrade.value_usd desc, comtrade.exporter_iso3 asc
        ) as rank,
        'comtrade' as trade_source,
        comtrade.frequency,
        comtrade.month,
        comtrade.import_value_usd,
        comtrade.share_denominator
    from comtrade
    semi join countries
        on comtrade.exporter_iso3 = countries.country_iso3
    where comtrade.import_value_usd > 0

),

final as (

    select * from baci

    union all

    select * from comtrade_suppliers

)

select * from final
