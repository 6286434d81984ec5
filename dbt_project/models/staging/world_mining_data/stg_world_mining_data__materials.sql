with

source as (

    select * from {{ source('world_mining_data', 'world_mining_data_materials') }}

),

renamed as (

    select
        trim(sheet_name) as sheet_name,
        lower(trim(mineral)) as mineral,
        nullif(trim(category), '') as category,
        nullif(trim(supply_chain_stage), '') as supply_chain_stage,
        nullif(trim(symbol), '') as symbol,
        nullif(trim(reference_url), '') as reference_url,
        cast(eol_rir_2023 as double) as eol_rir_2023,
        coalesce(lower(trim(reference_url)) like 'https://scrreen.eu/%', false)
            as is_scrreen_factsheet,
        nullif(nullif(trim(hs_code), ''), 'Not Available') as hs_code,
        nullif(trim(hs_codes_complementary), '') as hs_codes_complementary,
        nullif(trim(hs_description), '') as hs_description,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

)

select * from renamed
