{{ config(meta={'dagster': {'ref': {'name': 'dim_commodity'}}}) }}

-- Every critical-mineral HS6 code needs its elements in the seed hs6_element_coverage, or the
-- upper-bound flag of mart_policy_exposure could miss a code broader than a measure.
with

commodities as (

    select * from {{ ref('dim_commodity') }}

),

coverage as (

    select * from {{ ref('hs6_element_coverage') }}

),

final as (

    select distinct commodities.hs6
    from commodities
    anti join coverage
        on commodities.hs6 = coverage.hs6

)

select * from final
