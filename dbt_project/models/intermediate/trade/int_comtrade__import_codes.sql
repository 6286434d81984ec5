{#-
    The totals of each HS code a reporter reports importing (flow M, the reporter's own import
    report), per (freq_code, period, reporter_m49, cmd_code), on flow totals (breakdowns left out)
    and primary_value_usd (CIF as reported). total_usd is the World (partner 0) record when it is
    loaded (denominator = 'world_total'), else the sum of the partners loaded ('sum_of_partners'),
    as int_comtrade__partner_shares. 6-digit codes carry hs6 (HS 2017, concorded) and the heading
    of that code; 4-digit codes are headings. has_subheading_record says that the reporter also
    reported a 6-digit code under the heading for the same period: the dependency models then
    count the 6-digit codes and not the heading (never both; the finer codes win, as in BACI).
    2-digit chapters are left out.
-#}
with

totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}
    where
        flow_code = 'M'
        and cmd_digits in (4, 6)

),

codes as (

    select
        freq_code,
        period,
        reporter_m49,
        cmd_code,
        any_value(ref_year) as ref_year,
        any_value(ref_month) as ref_month,
        any_value(reporter_iso3) as reporter_iso3,
        any_value(cmd_digits) as cmd_digits,
        any_value(hs6) as hs6,
        bool_or(is_concordance_split) as is_concordance_split,
        sum(primary_value_usd) filter (where is_world_partner) as world_total_usd,
        sum(primary_value_usd) filter (where not is_world_partner) as partner_sum_usd,
        sum(net_weight_t) filter (where is_world_partner) as world_total_t,
        sum(net_weight_t) filter (where not is_world_partner) as partner_sum_t,
        bool_or(is_world_partner) as has_world_record
    from totals
    group by freq_code, period, reporter_m49, cmd_code

),

with_heading as (

    select
        *,
        case when cmd_digits = 6 then substr(hs6, 1, 4) else cmd_code end as heading
    from codes

),

subheading_records as (

    select distinct
        freq_code,
        period,
        reporter_m49,
        heading
    from with_heading
    where cmd_digits = 6

),

final as (

    select
        with_heading.freq_code,
        case with_heading.freq_code when 'A' then 'annual' else 'monthly' end as frequency,
        with_heading.period,
        with_heading.ref_year,
        with_heading.ref_month,
        with_heading.reporter_m49,
        with_heading.reporter_iso3,
        with_heading.cmd_code,
        case when with_heading.cmd_digits = 6 then 'hs6' else 'heading' end as code_level,
        with_heading.hs6,
        with_heading.heading,
        with_heading.is_concordance_split,
        with_heading.cmd_digits = 4 and subheading_records.heading is not null
            as has_subheading_record,
        case
            when with_heading.has_world_record then with_heading.world_total_usd
            else with_heading.partner_sum_usd
        end as total_usd,
        case
            when with_heading.has_world_record then with_heading.world_total_t
            else with_heading.partner_sum_t
        end as total_t,
        case
            when with_heading.has_world_record then 'world_total'
            else 'sum_of_partners'
        end as denominator
    from with_heading
    left join subheading_records
        on
            with_heading.freq_code = subheading_records.freq_code
            and with_heading.period = subheading_records.period
            and with_heading.reporter_m49 = subheading_records.reporter_m49
            and with_heading.heading = subheading_records.heading

)

select * from final
