{#-
    Reserves by country and mineral from the latest MCS edition that reports reserves for the
    mineral, one Type line (the one with the most countries reporting a known figure, ties broken
    by commodity code then Type text, as for production), with each country's share of the known
    country total. Reserves carry no year in the world files; `edition` says which publication.
-#}
with

world as (

    select * from {{ ref('stg_usgs_mcs__world') }}

),

reserves as (

    select * from world
    where
        measure = 'reserves'
        and mineral is not null
        and row_kind = 'country'
        and country_iso3 is not null

),

latest_edition as (

    select
        mineral,
        max(edition) as edition
    from reserves
    group by mineral

),

type_lines as (

    select
        reserves.mineral,
        reserves.edition,
        reserves.commodity_code,
        reserves.type_raw,
        count(reserves.quantity) as known_country_count
    from reserves
    inner join latest_edition
        on
            reserves.mineral = latest_edition.mineral
            and reserves.edition = latest_edition.edition
    group by all

),

chosen_line as (

    select * from type_lines
    qualify row_number() over (
        partition by mineral
        order by known_country_count desc, commodity_code asc, type_raw asc
    ) = 1

),

country_reserves as (

    select
        reserves.mineral,
        reserves.country_iso3,
        reserves.edition,
        any_value(reserves.unit) as unit,
        sum(reserves.quantity) as reserves
    from reserves
    inner join chosen_line
        on
            reserves.mineral = chosen_line.mineral
            and reserves.edition = chosen_line.edition
            and reserves.commodity_code is not distinct from chosen_line.commodity_code
            and reserves.type_raw is not distinct from chosen_line.type_raw
    group by reserves.mineral, reserves.country_iso3, reserves.edition

),

final as (

    select
        *,
        reserves / nullif(sum(reserves) over (partition by mineral), 0) as reserves_share
    from country_reserves

)

select * from final
