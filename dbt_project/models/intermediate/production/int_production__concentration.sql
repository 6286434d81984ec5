with

usgs_basis as (

    select * from {{ ref('int_usgs_mcs__concentration_basis') }}

),

wmd_basis as (

    select * from {{ ref('int_world_mining_data__concentration_basis') }}

),

basis as (

    select
        'usgs_mcs' as production_source,
        year,
        mineral,
        production_type,
        edition,
        commodity_code,
        type_raw,
        row_kind,
        country_iso3,
        quantity,
        unit
    from usgs_basis
    union all
    select
        'world_mining_data' as production_source,
        year,
        mineral,
        production_type,
        edition,
        commodity_code,
        type_raw,
        row_kind,
        country_iso3,
        quantity,
        unit
    from wmd_basis

),

country_quantities as (

    select
        production_source,
        year,
        mineral,
        production_type,
        edition,
        commodity_code,
        type_raw,
        unit,
        country_iso3,
        sum(quantity) as quantity
    from basis
    where row_kind = 'country' and country_iso3 is not null and quantity is not null
    group by all

),

reported_totals as (

    select
        production_source,
        year,
        mineral,
        production_type,
        max(quantity) as reported_world_total
    from basis
    where row_kind = 'world_total'
    group by all

),

shares as (

    select
        *,
        quantity / sum(quantity) over (
            partition by production_source, year, mineral, production_type
        ) as share,
        -- bigint on both engines (Spark types row_number() as int).
        cast(row_number() over (
            partition by production_source, year, mineral, production_type
            order by quantity desc, country_iso3 asc
        ) as bigint) as rank
    from country_quantities

),

concentration as (

    select
        production_source,
        year,
        mineral,
        production_type,
        sum(quantity) as world_total,
        sum(share * share) as hhi,
        any_value(country_iso3) filter (where rank = 1) as top1_iso3,
        any_value(share) filter (where rank = 1) as top1_share,
        sum(share) filter (where rank <= 3) as top3_share,
        coalesce(sum(share) filter (where country_iso3 = 'CHN'), 0) as china_share,
        count(*) as country_count,
        any_value(unit) as unit,
        any_value(edition) as edition,
        any_value(type_raw) as type_raw
    from shares
    group by production_source, year, mineral, production_type
    having sum(quantity) > 0

),

final as (

    select
        concentration.year,
        concentration.mineral,
        concentration.production_type,
        concentration.world_total,
        concentration.hhi,
        concentration.top1_iso3,
        concentration.top1_share,
        concentration.top3_share,
        concentration.china_share,
        concentration.country_count,
        reported_totals.reported_world_total,
        concentration.unit,
        concentration.edition,
        concentration.type_raw,
        concentration.production_source,
        concentration.world_total * {{ tonnes_per_unit('concentration.unit') }} as world_total_t
    from concentration
    left join reported_totals
        on
            concentration.production_source = reported_totals.production_source
            and concentration.year = reported_totals.year
            and concentration.mineral = reported_totals.mineral
            and concentration.production_type = reported_totals.production_type

)

select * from final
