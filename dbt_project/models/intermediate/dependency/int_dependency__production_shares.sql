{#-
    Country production of a mineral per year and production type, from the USGS line that
    mart_production_concentration uses (int_usgs_mcs__concentration_basis), in metric tonnes where
    the unit is a mass unit (t, kt, kg), with the country's share of the known country total.
    Withheld or unavailable figures keep a null quantity; units that are not mass keep a null
    quantity_t. Shares are computed on the figures in the line's own unit, as the concentration
    mart does.
-#}
with

basis as (

    select * from {{ ref('int_usgs_mcs__concentration_basis') }}

),

country_lines as (

    select
        year,
        mineral,
        production_type,
        country_iso3,
        any_value(unit) as unit,
        sum(quantity) as quantity
    from basis
    where row_kind = 'country' and country_iso3 is not null
    group by year, mineral, production_type, country_iso3

),

final as (

    select
        year,
        mineral,
        production_type,
        country_iso3,
        unit,
        quantity,
        case lower(unit)
            when 't' then quantity
            when 'kt' then quantity * 1000.0
            when 'kg' then quantity / 1000.0
        end as quantity_t,
        quantity / nullif(
            sum(quantity) over (partition by year, mineral, production_type), 0
        ) as share
    from country_lines

)

select * from final
