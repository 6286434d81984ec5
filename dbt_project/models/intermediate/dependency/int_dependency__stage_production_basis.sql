{#-
    Which USGS production type stands for a value-chain stage, per year and mineral. Mine
    production aligns with ores and concentrates, refinery production with compounds and metals;
    components (magnets, cells) have no USGS production line. `production_type` is the aligned
    type when USGS publishes it for the year and mineral, else null; `global_production_type`
    falls back to mine production when the aligned type is not published (rare earths are
    published as mine production only) or the stage is a component, for the global concentration
    measures, which ask where the raw material comes from.
-#}
with

shares as (

    select * from {{ ref('int_dependency__production_shares') }}

),

published as (

    select distinct
        year,
        mineral,
        production_type
    from shares

),

stage_types as (

    select
        'ore_concentrate' as stage,
        'mine' as production_type
    union all
    select
        'compound' as stage,
        'refinery' as production_type
    union all
    select
        'metal' as stage,
        'refinery' as production_type
    union all
    select
        'component' as stage,
        cast(null as string) as production_type

),

mineral_years as (

    select distinct
        year,
        mineral
    from published

),

final as (

    select
        mineral_years.year,
        mineral_years.mineral,
        stage_types.stage,
        aligned.production_type,
        coalesce(aligned.production_type, mine.production_type) as global_production_type
    from mineral_years
    cross join stage_types
    left join published as aligned
        on
            mineral_years.year = aligned.year
            and mineral_years.mineral = aligned.mineral
            and stage_types.production_type = aligned.production_type
    left join published as mine
        on
            mineral_years.year = mine.year
            and mineral_years.mineral = mine.mineral
            and mine.production_type = 'mine'

)

select * from final
