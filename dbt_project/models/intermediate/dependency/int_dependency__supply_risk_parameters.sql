{#-
    The mineral-level factors of the EU supply-risk formula: the end-of-life recycling input rate
    (EoL-RIR) and the substitution index. EoL-RIR is the EU SCRREEN factsheet rate World Mining
    Data's `HS Code Map` carries (`EoL-RIR (2023)`) where that row cites a SCRREEN factsheet, else
    the seed's illustrative value; eol_rir_source says which. The substitution index is always the
    seed's.
-#}
with

seed as (

    select * from {{ ref('eu_crm_supply_risk_parameters') }}

),

materials as (

    select * from {{ ref('stg_world_mining_data__materials') }}

),

scrreen as (

    select
        mineral,
        any_value(eol_rir_2023) as eol_rir_2023,
        any_value(sheet_name) as wmd_table
    from materials
    where is_scrreen_factsheet and eol_rir_2023 is not null and mineral is not null
    group by mineral

),

final as (

    select
        seed.mineral,
        coalesce(scrreen.eol_rir_2023, seed.eol_rir) as eol_rir,
        case
            when scrreen.eol_rir_2023 is not null then 'scrreen_2023'
            else 'seed'
        end as eol_rir_source,
        seed.eol_rir as seed_eol_rir,
        scrreen.wmd_table,
        seed.substitution_index,
        seed.is_illustrative
    from seed
    left join scrreen
        on seed.mineral = scrreen.mineral

)

select * from final
