{{ config(severity='warn') }}

-- HS headings of the critical-mineral list whose subheadings the seed hs_heading_subheadings does
-- not list: a UN Comtrade report of such a 4-digit heading cannot be mapped to a mineral and stage
-- (int_comtrade__heading_map says 'subheadings_unknown'). Add the heading's HS 2017 subheadings to
-- the seed.
with

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

subheadings as (

    select * from {{ ref('hs_heading_subheadings') }}

),

final as (

    select distinct
        substr(commodities.hs6, 1, 4) as heading,
        commodities.hs6
    from commodities
    anti join subheadings
        on commodities.hs6 = subheadings.hs6

)

select * from final
