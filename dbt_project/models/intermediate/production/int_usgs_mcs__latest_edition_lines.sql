{#-
    Each MCS edition reports two years and the next edition revises the older one, so a (year,
    mineral, production_type) is taken from one edition only: the latest that reports a country
    figure line for it. All line kinds of that edition are kept (country, world total, other
    countries), so country figures and USGS's world total come from the same publication.
-#}
with

lines as (

    select * from {{ ref('int_usgs_mcs__production_lines') }}

),

latest_edition as (

    select
        year,
        mineral,
        production_type,
        max(edition) as edition
    from lines
    where row_kind = 'country' and country_iso3 is not null
    group by all

),

final as (

    select lines.*
    from lines
    inner join latest_edition
        on
            lines.year = latest_edition.year
            and lines.mineral = latest_edition.mineral
            and lines.production_type = latest_edition.production_type
            and lines.edition = latest_edition.edition

)

select * from final
