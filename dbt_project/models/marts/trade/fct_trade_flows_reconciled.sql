{#-
    One value per flow, with both sides of it kept. For each (year, month, exporter, importer,
    HS6): the importer's own report (Comtrade flow M, CIF as reported) when it exists, else the
    exporter's mirror report (flow X, FOB), else, for annual flows only, CEPII BACI's reconciled FOB
    value (fct_trade_flows). Comtrade figures are flow totals (int_comtrade__flow_totals) with a
    country partner and a 6-digit code; World and area partners and 2/4-digit codes are not flows
    between two countries at HS6 and are left out. Monthly Comtrade rows (month 1-12) are matched
    only with monthly rows and never with BACI; annual rows have month null.
-#}
{{ incremental_by_trade_year() }}

with

flow_totals as (

    select * from {{ ref('int_comtrade__flow_totals') }}
    where {{ in_trade_years_to_build('ref_year') }}

),

baci_flows as (

    select * from {{ ref('fct_trade_flows') }}
    where {{ in_trade_years_to_build() }}

),

commodities as (

    select * from {{ ref('dim_commodity') }}

),

bilateral as (

    select
        freq_code,
        ref_year as year,
        ref_month,
        flow_code,
        reporter_iso3,
        partner_iso3,
        hs6,
        sum(primary_value_usd) as value_usd,
        sum(net_weight_t) as quantity_t,
        bool_or(is_concordance_split) as is_concordance_split,
        min(source) as source  -- noqa: RF04
    from flow_totals
    where
        hs6 is not null
        and partner_iso3 is not null
        and not is_world_partner
        and flow_code in ('M', 'X')
        and reporter_iso3 <> partner_iso3
    group by freq_code, ref_year, ref_month, flow_code, reporter_iso3, partner_iso3, hs6

),

importer_reports as (

    select
        freq_code,
        year,
        ref_month,
        partner_iso3 as exporter_iso3,
        reporter_iso3 as importer_iso3,
        hs6,
        value_usd,
        quantity_t,
        is_concordance_split,
        source
    from bilateral
    where flow_code = 'M'

),

exporter_reports as (

    select
        freq_code,
        year,
        ref_month,
        reporter_iso3 as exporter_iso3,
        partner_iso3 as importer_iso3,
        hs6,
        value_usd,
        quantity_t,
        is_concordance_split,
        source
    from bilateral
    where flow_code = 'X'

),

-- One BACI value per annual flow: fct_trade_flows repeats a shared code's value under each of its
-- minerals (any_value takes it once); when several sources hold the flow, `baci` is preferred.
baci_by_source as (

    select
        year,
        exporter_iso3,
        importer_iso3,
        hs6,
        source,
        any_value(value_usd) as value_usd,
        any_value(quantity_t) as quantity_t
    from baci_flows
    group by year, exporter_iso3, importer_iso3, hs6, source

),

baci as (

    select
        'A' as freq_code,
        year,
        cast(null as integer) as ref_month,
        exporter_iso3,
        importer_iso3,
        hs6,
        value_usd,
        quantity_t,
        source
    from baci_by_source
    qualify row_number() over (
        partition by year, exporter_iso3, importer_iso3, hs6
        order by source <> 'baci', source
    ) = 1

),

flow_keys as (

    select
        freq_code,
        year,
        ref_month,
        exporter_iso3,
        importer_iso3,
        hs6
    from importer_reports

    union

    select
        freq_code,
        year,
        ref_month,
        exporter_iso3,
        importer_iso3,
        hs6
    from exporter_reports

    union

    select
        freq_code,
        year,
        ref_month,
        exporter_iso3,
        importer_iso3,
        hs6
    from baci

),

joined as (

    select
        flow_keys.freq_code,
        flow_keys.year,
        flow_keys.ref_month,
        flow_keys.exporter_iso3,
        flow_keys.importer_iso3,
        flow_keys.hs6,
        importer_reports.value_usd as importer_reported_value_usd,
        importer_reports.quantity_t as importer_reported_quantity_t,
        exporter_reports.value_usd as exporter_reported_value_usd,
        exporter_reports.quantity_t as exporter_reported_quantity_t,
        baci.value_usd as baci_value_usd,
        baci.quantity_t as baci_quantity_t,
        coalesce(importer_reports.is_concordance_split, false)
        or coalesce(exporter_reports.is_concordance_split, false) as is_concordance_split,
        case
            when importer_reports.value_usd is not null then 'importer_reported_cif'
            when exporter_reports.value_usd is not null then 'exporter_mirror_fob'
            else 'baci_reconciled_fob'
        end as basis,
        coalesce(importer_reports.source, exporter_reports.source, baci.source) as source  -- noqa: RF04
    from flow_keys
    left join importer_reports
        on
            flow_keys.freq_code = importer_reports.freq_code
            and flow_keys.year = importer_reports.year
            and flow_keys.ref_month is not distinct from importer_reports.ref_month
            and flow_keys.exporter_iso3 = importer_reports.exporter_iso3
            and flow_keys.importer_iso3 = importer_reports.importer_iso3
            and flow_keys.hs6 = importer_reports.hs6
    left join exporter_reports
        on
            flow_keys.freq_code = exporter_reports.freq_code
            and flow_keys.year = exporter_reports.year
            and flow_keys.ref_month is not distinct from exporter_reports.ref_month
            and flow_keys.exporter_iso3 = exporter_reports.exporter_iso3
            and flow_keys.importer_iso3 = exporter_reports.importer_iso3
            and flow_keys.hs6 = exporter_reports.hs6
    left join baci
        on
            flow_keys.freq_code = baci.freq_code
            and flow_keys.year = baci.year
            and flow_keys.ref_month is not distinct from baci.ref_month
            and flow_keys.exporter_iso3 = baci.exporter_iso3
            and flow_keys.importer_iso3 = baci.importer_iso3
            and flow_keys.hs6 = baci.hs6

),

final as (

    select
        cast(joined.year as integer) as year,
        cast(joined.ref_month as integer) as month,  -- noqa: RF04
        case joined.freq_code when 'M' then 'monthly' else 'annual' end as frequency,
        joined.exporter_iso3,
        joined.importer_iso3,
        joined.hs6,
        commodities.mineral,
        commodities.stage,
        joined.basis,
        case joined.basis
            when 'importer_reported_cif' then joined.importer_reported_value_usd
            when 'exporter_mirror_fob' then joined.exporter_reported_value_usd
            else joined.baci_value_usd
        end as value_usd,
        case joined.basis
            when 'importer_reported_cif' then joined.importer_reported_quantity_t
            when 'exporter_mirror_fob' then joined.exporter_reported_quantity_t
            else joined.baci_quantity_t
        end as quantity_t,
        joined.importer_reported_value_usd,
        joined.exporter_reported_value_usd,
        joined.importer_reported_value_usd - joined.exporter_reported_value_usd as mirror_gap_usd,
        joined.baci_value_usd,
        joined.source,
        commodities.is_shared_code,
        joined.is_concordance_split
    from joined
    inner join commodities
        on joined.hs6 = commodities.hs6

)

select * from final
