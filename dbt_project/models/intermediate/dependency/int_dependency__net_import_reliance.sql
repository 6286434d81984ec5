{#-
    USGS-style net import reliance per country, mineral and value-chain stage, in metric tonnes:
    apparent consumption = production + imports - exports (stock change unknown, taken as 0),
    NIR = (imports - exports) / apparent consumption. See the YAML description for the stage
    mapping and the production basis. For the United States, USGS's published NIR sits next to it
    (int_dependency__usgs_published_nir) with the difference in percentage points.
-#}
{{ incremental_by_trade_year() }}

with

trade as (

    select * from {{ ref('int_dependency__trade_by_country') }}
    where {{ in_trade_years_to_build() }}

),

production as (

    select * from {{ ref('int_dependency__production_shares') }}
    where {{ in_trade_years_to_build() }}

),

stage_basis as (

    select * from {{ ref('int_dependency__stage_production_basis') }}

),

usgs_nir as (

    select * from {{ ref('int_dependency__usgs_published_nir') }}

),

keys as (

    select
        year,
        country_iso3,
        mineral,
        stage
    from trade

    union

    select
        production.year,
        production.country_iso3,
        production.mineral,
        stage_basis.stage
    from production
    inner join stage_basis
        on
            production.year = stage_basis.year
            and production.mineral = stage_basis.mineral
            and production.production_type = stage_basis.production_type

),

joined as (

    select
        keys.year,
        keys.country_iso3,
        keys.mineral,
        keys.stage,
        stage_basis.production_type,
        production.quantity as production_quantity,
        production.quantity_t as production_quantity_t,
        production.country_iso3 is not null as is_listed,
        coalesce(trade.imports_t, 0) as imports_t,
        coalesce(trade.exports_t, 0) as exports_t,
        coalesce(trade.imports_usd, 0) as imports_usd,
        coalesce(trade.exports_usd, 0) as exports_usd,
        coalesce(trade.imports_usd_with_quantity, 0)
        + coalesce(trade.exports_usd_with_quantity, 0) as trade_usd_with_quantity
    from keys
    left join trade
        on
            keys.year = trade.year
            and keys.country_iso3 = trade.country_iso3
            and keys.mineral = trade.mineral
            and keys.stage = trade.stage
    left join stage_basis
        on
            keys.year = stage_basis.year
            and keys.mineral = stage_basis.mineral
            and keys.stage = stage_basis.stage
    left join production
        on
            keys.year = production.year
            and keys.country_iso3 = production.country_iso3
            and keys.mineral = production.mineral
            and stage_basis.production_type = production.production_type

),

with_production as (

    select
        *,
        case
            when production_type is null then 'no_usgs_production'
            when not is_listed then 'not_listed_assumed_zero'
            when production_quantity is null then 'withheld_or_not_available'
            when production_quantity_t is null then 'unit_not_mass'
            else 'usgs'
        end as production_basis,
        case
            when production_type is not null and not is_listed then 0.0
            else production_quantity_t
        end as production_t
    from joined

),

measures as (

    -- Differences of tonnages are rounded to a nanotonne: sums of the same flows in another order
    -- differ in their last bits, so equal imports and exports could leave +-3e-18 t and make a
    -- country a net exporter (or its consumption positive) on one engine and not on the other.
    -- Adding 0.0 turns the -0.0 that rounds a tiny negative difference into 0.0.
    select
        *,
        round(production_t + imports_t - exports_t, 9) + 0.0 as apparent_consumption_t,
        round(imports_t - exports_t, 9) + 0.0 as net_imports_t,
        trade_usd_with_quantity / nullif(imports_usd + exports_usd, 0) as quantity_value_coverage
    from with_production

),

with_nir as (

    -- USGS's published NIR (United States only) on the stage it refers to.
    select
        measures.*,
        case
            when measures.apparent_consumption_t > 0
                then measures.net_imports_t / measures.apparent_consumption_t
        end as nir,
        usgs_nir.usgs_published_nir,
        usgs_nir.usgs_published_nir_flag,
        usgs_nir.usgs_nir_edition
    from measures
    left join usgs_nir
        on
            measures.year = usgs_nir.year
            and measures.country_iso3 = usgs_nir.country_iso3
            and measures.mineral = usgs_nir.mineral
            and measures.stage = usgs_nir.stage

),

final as (

    select
        year,
        country_iso3,
        mineral,
        stage,
        production_type,
        production_basis,
        production_t,
        imports_t,
        exports_t,
        imports_usd,
        exports_usd,
        net_imports_t,
        apparent_consumption_t,
        nir,
        net_imports_t < 0 as is_net_exporter,
        quantity_value_coverage,
        usgs_published_nir,
        usgs_published_nir_flag,
        usgs_nir_edition,
        (nir - usgs_published_nir) * 100 as nir_difference_pct_points
    from with_nir

)

select * from final
