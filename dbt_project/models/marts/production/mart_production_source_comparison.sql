{#-
    USGS MCS and World Mining Data world production side by side, per year, mineral and
    production type both publish: the two world totals in tonnes (the sums of the country figures
    each concentration row is computed from) and their relative difference against USGS. OWID's
    production data flags a mineral and year where the two differ by more than 10%; so does the
    warning test on differs_by_more_than_10pct. A difference is not an error: the sources count
    different things in places (WMD lithium is Li2O content, USGS lithium contained lithium; WMD
    rare earths REO, as USGS), revise at different times and cover different countries.
-#}
with

concentration as (

    select * from {{ ref('int_production__concentration') }}

),

wmd_totals as (

    select * from {{ ref('int_world_mining_data__world_totals') }}

),

usgs as (

    select * from concentration
    where production_source = 'usgs_mcs'

),

wmd as (

    select * from concentration
    where production_source = 'world_mining_data'

),

paired as (

    select
        usgs.year,
        usgs.mineral,
        usgs.production_type,
        usgs.world_total_t as usgs_world_total_t,
        wmd.world_total_t as wmd_world_total_t,
        usgs.country_count as usgs_country_count,
        wmd.country_count as wmd_country_count,
        usgs.type_raw as usgs_type_raw,
        usgs.edition as usgs_edition,
        wmd.type_raw as wmd_table,
        wmd_totals.total_row_matches_countries as wmd_total_row_matches_countries
    from usgs
    inner join wmd
        on
            usgs.year = wmd.year
            and usgs.mineral = wmd.mineral
            and usgs.production_type = wmd.production_type
    left join wmd_totals
        on
            wmd.type_raw = wmd_totals.source_table
            and wmd.year = wmd_totals.year

),

final as (

    select
        *,
        wmd_world_total_t - usgs_world_total_t as difference_t,
        (wmd_world_total_t - usgs_world_total_t) / nullif(usgs_world_total_t, 0)
            as relative_difference,
        coalesce(
            abs(wmd_world_total_t - usgs_world_total_t)
            > 0.10 * abs(usgs_world_total_t),
            false
        ) as differs_by_more_than_10pct
    from paired

)

select * from final
