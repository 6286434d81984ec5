{#-
    Every edition's production lines, each flagged `is_current_edition` when its edition is the
    one int_usgs_mcs__latest_edition_lines takes for the (year, mineral, production_type): the
    newer edition is current, the older ones are history.
-#}
with

lines as (

    select * from {{ ref('int_usgs_mcs__production_lines') }}

),

current_editions as (

    select distinct
        year,
        mineral,
        production_type,
        edition
    from {{ ref('int_usgs_mcs__latest_edition_lines') }}

),

final as (

    select
        lines.*,
        current_editions.edition is not null as is_current_edition
    from lines
    left join current_editions
        on
            lines.year = current_editions.year
            and lines.mineral = current_editions.mineral
            and lines.production_type = current_editions.production_type
            and lines.edition = current_editions.edition

)

select * from final
