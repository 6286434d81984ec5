{#-
    UN Comtrade records, typed and cleaned, one row per published record. The same record can
    arrive twice (a CSV extract overlapping an API response chunk, a chunk saved twice): records
    sharing the key (freq_code, period, reporter_m49, flow_code, partner_m49, partner2_m49,
    cmd_code, customs_code, mot_code) are one record; the one read first (by source_file, then
    source_line) is kept and duplicate_count says how many copies were loaded.
    has_conflicting_duplicates flags copies whose values differ (a revision between downloads).
-#}
with

source as (

    select * from {{ source('comtrade', 'comtrade_records') }}

),

renamed as (

    select
        upper(trim(freq_code)) as freq_code,
        cast(ref_year as integer) as ref_year,
        cast(ref_month as integer) as ref_month,
        trim(period) as period,
        cast(reporter_m49 as integer) as reporter_m49,
        upper(trim(reporter_iso3)) as reporter_iso3,
        upper(trim(flow_code)) as flow_code,
        cast(partner_m49 as integer) as partner_m49,
        upper(nullif(trim(partner_iso3), '')) as partner_iso3,
        cast(is_world_partner as boolean) as is_world_partner,
        cast(partner2_m49 as integer) as partner2_m49,
        trim(cmd_code) as cmd_code,
        length(trim(cmd_code)) as cmd_digits,
        upper(trim(customs_code)) as customs_code,
        cast(mot_code as integer) as mot_code,
        cast(qty_unit_code as integer) as qty_unit_code,
        cast(qty as double) as qty,
        cast(net_weight_kg as double) as net_weight_kg,
        cast(cif_value_usd as double) as cif_value_usd,
        cast(fob_value_usd as double) as fob_value_usd,
        cast(primary_value_usd as double) as primary_value_usd,
        cast(is_aggregate as boolean) as is_aggregate,
        cast(is_reported as boolean) as is_reported,
        upper(nullif(trim(classification_code), '')) as classification_code,
        source,
        source_file,
        cast(source_line as bigint) as source_line
    from source

),

hashed as (

    select
        *,
        hash(primary_value_usd, cif_value_usd, fob_value_usd, net_weight_kg, qty) as value_hash
    from renamed

),

numbered as (

    select
        *,
        row_number() over (
            partition by
                freq_code, period, reporter_m49, flow_code, partner_m49, partner2_m49, cmd_code,
                customs_code, mot_code
            order by source_file, source_line
        ) as copy_number,
        count(*) over record_key as duplicate_count,
        min(value_hash) over record_key <> max(value_hash) over record_key
            as has_conflicting_duplicates
    from hashed
    window record_key as (
        partition by
            freq_code, period, reporter_m49, flow_code, partner_m49, partner2_m49, cmd_code,
            customs_code, mot_code
    )

),

final as (

    select {{ star_except(["copy_number", "value_hash"]) }}
    from numbered
    where copy_number = 1

)

select * from final
