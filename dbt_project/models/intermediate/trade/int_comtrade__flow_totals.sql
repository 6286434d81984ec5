{#-
    Comtrade flow totals: only the records with partner2_m49 = 0, customs_code = 'C00' and
    mot_code = 0. The other records break the same flow down by second partner, customs procedure
    or mode of transport; summing them with the totals counts the flow twice or more (mirrors
    ingest.comtrade.reader.flow_totals). One row per (freq_code, period, reporter_m49, flow_code,
    partner_m49, cmd_code). 6-digit codes get hs6, the HS 2017 code they report under (HS 2022
    and older revisions concorded through stg_reference__hs_concordance as in
    int_trade_flows__by_mineral; a report without a classification is read as HS 2017); 2- and
    4-digit codes keep hs6 null and stay out of the HS6 marts.
-#}
with

records as (

    select * from {{ ref('stg_comtrade__records') }}

),

concordance as (

    select * from {{ ref('stg_reference__hs_concordance') }}

),

totals as (

    select
        *,
        case classification_code
            when 'H0' then 'HS92'
            when 'H1' then 'HS96'
            when 'H2' then 'HS02'
            when 'H3' then 'HS07'
            when 'H4' then 'HS12'
            when 'H5' then 'HS17'
            when 'H6' then 'HS22'
        end as hs_revision
    from records
    where
        partner2_m49 = 0
        and customs_code = 'C00'
        and mot_code = 0

),

final as (

    select
        totals.freq_code,
        totals.ref_year,
        totals.ref_month,
        totals.period,
        totals.reporter_m49,
        totals.reporter_iso3,
        totals.flow_code,
        totals.partner_m49,
        totals.partner_iso3,
        totals.is_world_partner,
        totals.cmd_code,
        totals.cmd_digits,
        totals.classification_code,
        totals.hs_revision,
        case
            when totals.cmd_digits = 6 then coalesce(concordance.hs6_hs17, totals.cmd_code)
        end as hs6,
        coalesce(concordance.is_split, false) as is_concordance_split,
        totals.primary_value_usd,
        totals.cif_value_usd,
        totals.fob_value_usd,
        totals.net_weight_kg,
        totals.net_weight_kg / 1000.0 as net_weight_t,
        totals.source,
        totals.source_file,
        totals.source_line
    from totals
    left join concordance
        on
            totals.cmd_digits = 6
            and coalesce(totals.hs_revision, 'HS17') = concordance.source_revision
            and totals.cmd_code = concordance.source_hs6

)

select * from final
