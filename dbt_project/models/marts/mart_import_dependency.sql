with

shares as (

    select * from {{ ref('mart_supplier_shares') }}

),

final as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        sum(value_usd) as import_value_usd,
        count(*) filter (where value_usd > 0) as supplier_count,
        any_value(exporter_iso3) filter (where rank = 1) as top_supplier_iso3,
        any_value(share) filter (where rank = 1) as top_supplier_share,
        sum(share * share) as hhi,
        coalesce(sum(share) filter (where exporter_iso3 = 'CHN'), 0) as china_share
    from shares
    group by year, importer_iso3, mineral, stage

)

select * from final
