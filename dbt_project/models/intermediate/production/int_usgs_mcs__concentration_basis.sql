{#-
    The production lines each (year, mineral, production_type) concentration is computed from:
    one `Type` line of the latest edition. Several Type lines of one mineral and production type
    measure different things (iron content vs usable ore, or platinum vs palladium), so they are
    never summed: the line with the most countries reporting a known quantity is used, ties broken
    by commodity code then Type text.
-#}
with

lines as (

    select * from {{ ref('int_usgs_mcs__latest_edition_lines') }}

),

type_lines as (

    select
        year,
        mineral,
        production_type,
        commodity_code,
        type_raw,
        count(quantity) as known_country_count
    from lines
    where row_kind = 'country' and country_iso3 is not null
    group by all

),

chosen_line as (

    select * from type_lines
    qualify
        row_number() over (
            partition by year, mineral, production_type
            order by known_country_count desc, commodity_code asc, type_raw asc
        ) = 1

),

final as (

    select
        lines.year,
        lines.mineral,
        lines.production_type,
        lines.edition,
        lines.commodity_code,
        lines.type_raw,
        lines.row_kind,
        lines.country_iso3,
        lines.quantity,
        lines.unit
    from lines
    inner join chosen_line
        on
            lines.year = chosen_line.year
            and lines.mineral = chosen_line.mineral
            and lines.production_type = chosen_line.production_type
            and lines.commodity_code is not distinct from chosen_line.commodity_code
            and lines.type_raw is not distinct from chosen_line.type_raw

)

select * from final
