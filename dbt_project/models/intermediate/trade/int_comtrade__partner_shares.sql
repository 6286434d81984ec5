{#-
    Each partner's share of a reporter's flow, per (reporter_m49, flow_code, freq_code, period,
    cmd_code), on flow totals and primary_value_usd (CIF for imports, FOB for exports, as
    reported). Mirrors ingest.comtrade.reader.partner_shares: the denominator is the reporter's partner-0
    (World) total when that record is loaded (denominator = 'world_total'), else the sum over the
    partners loaded ('sum_of_partners'). Area partners (899 "Areas, nes", ...) are partners like any
    other, with partner_iso3 null. share is null when the denominator is 0. The World record is
    not a partner row here. With a World total, shares of the loaded partners need not add up to 1
    (partners not loaded, rounding in the reporter's publication).
-#}
with

totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}

),

world as (

    select
        reporter_m49,
        flow_code,
        freq_code,
        period,
        cmd_code,
        sum(primary_value_usd) as world_total_usd
    from totals
    where is_world_partner
    group by reporter_m49, flow_code, freq_code, period, cmd_code

),

partners as (

    select * from totals
    where not is_world_partner

),

partner_sums as (

    select
        reporter_m49,
        flow_code,
        freq_code,
        period,
        cmd_code,
        sum(primary_value_usd) as partner_sum_usd
    from partners
    group by reporter_m49, flow_code, freq_code, period, cmd_code

),

joined as (

    select
        partners.reporter_m49,
        partners.reporter_iso3,
        partners.flow_code,
        partners.freq_code,
        partners.period,
        partners.ref_year,
        partners.ref_month,
        partners.cmd_code,
        partners.hs6,
        partners.partner_m49,
        partners.partner_iso3,
        partners.primary_value_usd as value_usd,
        world.world_total_usd,
        partner_sums.partner_sum_usd
    from partners
    left join world
        on
            partners.reporter_m49 = world.reporter_m49
            and partners.flow_code = world.flow_code
            and partners.freq_code = world.freq_code
            and partners.period = world.period
            and partners.cmd_code = world.cmd_code
    left join partner_sums
        on
            partners.reporter_m49 = partner_sums.reporter_m49
            and partners.flow_code = partner_sums.flow_code
            and partners.freq_code = partner_sums.freq_code
            and partners.period = partner_sums.period
            and partners.cmd_code = partner_sums.cmd_code

),

final as (

    select
        reporter_m49,
        reporter_iso3,
        flow_code,
        freq_code,
        period,
        ref_year,
        ref_month,
        cmd_code,
        hs6,
        partner_m49,
        partner_iso3,
        value_usd,
        coalesce(world_total_usd, partner_sum_usd) as denominator_usd,
        case
            when world_total_usd is not null then 'world_total'
            else 'sum_of_partners'
        end as denominator,
        value_usd / nullif(coalesce(world_total_usd, partner_sum_usd), 0) as share
    from joined

)

select * from final
