{#-
    WGI governance per country for every year the trade and production data cover, as of the
    latest WGI year not after it (WGI is published with a lag: trade year 2024 uses WGI 2023).
    governance_risk_0_10 rescales the mean of the available estimates, political_risk_0_1 the
    political-stability estimate alone: risk = (2.5 - estimate) / 5, clipped to [0, 1] (x 10 for
    the 0-10 scale), so -2.5 (worst) -> 10 / 1 and 2.5 (best) -> 0.
-#}
with

governance as (

    select * from {{ ref('stg_wgi__governance') }}

),

trade as (

    select * from {{ ref('int_trade_flows__by_mineral') }}

),

production as (

    select * from {{ ref('int_usgs_mcs__production_lines') }}

),

country_years as (

    select
        country_iso3,
        year,
        avg(estimate) as mean_estimate,
        any_value(estimate) filter (where series_code = 'PV.EST') as political_stability_estimate,
        count(distinct series_code) as dimension_count
    from governance
    group by country_iso3, year

),

scored as (

    select
        *,
        least(greatest((2.5 - mean_estimate) / 5.0, 0.0), 1.0) * 10.0 as governance_risk_0_10,
        least(greatest((2.5 - political_stability_estimate) / 5.0, 0.0), 1.0)
            as political_risk_0_1
    from country_years

),

years as (

    select distinct year from trade
    union
    select distinct year from production

),

as_of as (

    select
        years.year,
        scored.country_iso3,
        scored.year as wgi_year,
        scored.mean_estimate,
        scored.political_stability_estimate,
        scored.dimension_count,
        scored.governance_risk_0_10,
        scored.political_risk_0_1
    from years
    inner join scored
        on years.year >= scored.year
    qualify row_number() over (
        partition by years.year, scored.country_iso3
        order by scored.year desc
    ) = 1

),

final as (

    select * from as_of

)

select * from final
