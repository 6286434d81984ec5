{#-
    UN Comtrade import reports (flow M) at the grain of the dependency marts: one row per
    (freq_code, period, reporter_m49, mineral, stage, partner_m49). A 6-digit code maps through the
    commodity list (a shared code counts fully for each of its minerals, as in BACI); a 4-digit
    heading maps only when int_comtrade__heading_map says 'exact', else it stays out (the reason
    is in the heading map). When a reporter reported a heading and some of its subheadings for the
    same period, the subheadings are counted and the heading is not (never both). import_value_usd, the share denominator, is the sum over the counted codes of
    each code's total (World record when loaded, else the sum of the partners loaded):
    share_denominator says 'world_total', 'sum_of_partners' or 'mixed' (some codes each way).
    Area partners (899 "Areas, nes", ...) have partner_iso3 null: they count in the denominator
    but are no supplier.
-#}
with

codes as (

    select * from {{ ref('int_comtrade__import_codes') }}

),

totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

heading_map as (

    select * from {{ ref('int_comtrade__heading_map') }}
    where heading_mapping = 'exact'

),

counted_codes as (

    select
        codes.*,
        commodities.mineral,
        commodities.stage
    from codes
    inner join commodities
        on codes.hs6 = commodities.hs6
    where codes.code_level = 'hs6'

    union all

    select
        codes.*,
        heading_map.mineral,
        heading_map.stage
    from codes
    inner join heading_map
        on codes.cmd_code = heading_map.heading
    where
        codes.code_level = 'heading'
        and not codes.has_subheading_record

),

stage_totals as (

    select
        freq_code,
        period,
        reporter_m49,
        mineral,
        stage,
        sum(total_usd) as import_value_usd,
        case
            when bool_and(denominator = 'world_total') then 'world_total'
            when bool_and(denominator = 'sum_of_partners') then 'sum_of_partners'
            else 'mixed'
        end as share_denominator,
        case
            when bool_and(code_level = 'hs6') then 'hs6'
            when bool_and(code_level = 'heading') then 'heading'
            else 'hs6_and_heading'
        end as code_level,
        {{ sorted_list_agg('cmd_code') }} as cmd_codes,
        bool_or(is_concordance_split) as is_concordance_split
    from counted_codes
    group by freq_code, period, reporter_m49, mineral, stage

),

partner_values as (

    select
        counted_codes.freq_code,
        counted_codes.period,
        counted_codes.reporter_m49,
        counted_codes.mineral,
        counted_codes.stage,
        totals.partner_m49,
        any_value(counted_codes.frequency) as frequency,
        any_value(counted_codes.ref_year) as ref_year,
        any_value(counted_codes.ref_month) as ref_month,
        any_value(counted_codes.reporter_iso3) as reporter_iso3,
        any_value(totals.partner_iso3) as partner_iso3,
        sum(totals.primary_value_usd) as value_usd,
        sum(totals.net_weight_t) as quantity_t
    from counted_codes
    inner join totals
        on
            counted_codes.freq_code = totals.freq_code
            and counted_codes.period = totals.period
            and counted_codes.reporter_m49 = totals.reporter_m49
            and counted_codes.cmd_code = totals.cmd_code
    where
        totals.flow_code = 'M'
        and not totals.is_world_partner
    group by
        counted_codes.freq_code,
        counted_codes.period,
        counted_codes.reporter_m49,
        counted_codes.mineral,
        counted_codes.stage,
        totals.partner_m49

),

final as (

    select
        partner_values.frequency,
        partner_values.freq_code,
        partner_values.period,
        partner_values.ref_year as year,
        partner_values.ref_month as month,  -- noqa: RF04
        partner_values.reporter_m49,
        partner_values.reporter_iso3 as importer_iso3,
        partner_values.mineral,
        partner_values.stage,
        partner_values.partner_m49,
        partner_values.partner_iso3 as exporter_iso3,
        partner_values.value_usd,
        partner_values.quantity_t,
        stage_totals.import_value_usd,
        partner_values.value_usd / nullif(stage_totals.import_value_usd, 0) as share,
        stage_totals.share_denominator,
        stage_totals.code_level,
        stage_totals.cmd_codes,
        stage_totals.is_concordance_split
    from partner_values
    inner join stage_totals
        on
            partner_values.freq_code = stage_totals.freq_code
            and partner_values.period = stage_totals.period
            and partner_values.reporter_m49 = stage_totals.reporter_m49
            and partner_values.mineral = stage_totals.mineral
            and partner_values.stage = stage_totals.stage

)

select * from final
