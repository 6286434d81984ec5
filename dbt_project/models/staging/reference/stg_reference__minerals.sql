with

source as (

    select * from {{ source('reference', 'ref_minerals') }}

),

renamed as (

    select
        lower(trim(mineral)) as mineral,
        trim(name) as mineral_name,
        nullif(lower(trim(mineral_group)), '') as mineral_group,
        cast(is_group as boolean) as is_group,
        cast(usgs_2025 as boolean) as usgs_2025,
        cast(usgs_2022 as boolean) as usgs_2022,
        cast(eu_2023_critical as boolean) as eu_2023_critical,
        cast(eu_2023_strategic as boolean) as eu_2023_strategic,
        cast(iea_focus as boolean) as iea_focus,
        nullif(trim(usgs_2025_entry), '') as usgs_2025_entry,
        nullif(trim(usgs_2022_entry), '') as usgs_2022_entry,
        nullif(trim(eu_2023_entry), '') as eu_2023_entry,
        nullif(trim(eu_2023_strategic_entry), '') as eu_2023_strategic_entry,
        nullif(trim(usgs_mcs_codes), '') as usgs_mcs_codes,
        nullif(trim(wmd_tables), '') as wmd_tables,
        nullif(trim(hs6_note), '') as hs6_note,
        nullif(trim(scope_note), '') as scope_note
    from source

)

select * from renamed
