with

minerals as (

    select * from {{ ref('stg_reference__minerals') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

codes as (

    select
        mineral,
        count(*) as hs6_code_count,
        count(*) filter (where not is_broader_than_mineral) as own_hs6_code_count,
        {{ sorted_list_agg('hs6') }} as hs6_codes
    from commodities
    group by mineral

),

final as (

    select
        minerals.mineral,
        minerals.mineral_name,
        minerals.mineral_group,
        minerals.is_group,
        minerals.usgs_2025,
        minerals.usgs_2022,
        minerals.eu_2023_critical,
        minerals.eu_2023_strategic,
        minerals.iea_focus,
        (
            minerals.usgs_2025
            or minerals.usgs_2022
            or minerals.eu_2023_critical
            or minerals.eu_2023_strategic
            or minerals.iea_focus
        ) as is_on_any_list,
        minerals.usgs_2025_entry,
        minerals.usgs_2022_entry,
        minerals.eu_2023_entry,
        minerals.eu_2023_strategic_entry,
        minerals.usgs_mcs_codes,
        minerals.wmd_tables,
        coalesce(codes.hs6_code_count, 0) as hs6_code_count,
        coalesce(codes.own_hs6_code_count, 0) as own_hs6_code_count,
        coalesce(codes.hs6_codes, {{ empty_string_list() }}) as hs6_codes,
        coalesce(codes.own_hs6_code_count, 0) > 0 as has_own_hs6_code,
        minerals.hs6_note,
        minerals.scope_note
    from minerals
    left join codes
        on minerals.mineral = codes.mineral

)

select * from final
