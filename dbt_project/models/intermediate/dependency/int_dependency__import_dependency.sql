{#-
    One row per (year, importer, mineral, stage, trade_source, frequency, month): a BACI year and a
    Comtrade year (or month) are separate rows, never summed. import_value_usd is
    mart_supplier_shares' share denominator: the sum of the supplier values for BACI, the
    reporter's World total when loaded for Comtrade (so partner_coverage_share can be below 1
    there).
-#}
{{ incremental_by_trade_year() }}

with

shares as (

    select * from {{ ref('int_trade__supplier_shares') }}
    where {{ in_trade_years_to_build() }}

),

final as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        any_value(import_value_usd) as import_value_usd,
        count(*) filter (where value_usd > 0) as supplier_count,
        any_value(exporter_iso3) filter (where rank = 1) as top_supplier_iso3,
        any_value(share) filter (where rank = 1) as top_supplier_share,
        sum(share * share) as hhi,
        coalesce(sum(share) filter (where exporter_iso3 = 'CHN'), 0) as china_share,
        trade_source,
        frequency,
        month,
        any_value(share_denominator) as share_denominator,
        sum(share) as partner_coverage_share
    from shares
    group by year, importer_iso3, mineral, stage, trade_source, frequency, month

)

select * from final
