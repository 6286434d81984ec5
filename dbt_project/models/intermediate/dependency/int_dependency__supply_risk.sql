with

concentration as (

    -- The production shares below are USGS's (int_dependency__production_shares), so the
    -- concentration is too: the World Mining Data rows are compared, not mixed in.
    select * from {{ ref('int_production__concentration') }}
    where production_source = 'usgs_mcs'

),

shares as (

    select * from {{ ref('int_dependency__production_shares') }}

),

governance as (

    select * from {{ ref('int_dependency__governance_by_year') }}

),

scored as (

    select
        shares.year,
        shares.mineral,
        shares.production_type,
        shares.share,
        governance.governance_risk_0_10,
        governance.political_risk_0_1
    from shares
    left join governance
        on
            shares.year = governance.year
            and shares.country_iso3 = governance.country_iso3
    where shares.quantity is not null

),

weighted as (

    select
        year,
        mineral,
        production_type,
        sum(share * share * governance_risk_0_10) as hhi_wgi,
        sum(share) filter (where governance_risk_0_10 is not null) as wgi_coverage_share,
        sum(share * governance_risk_0_10)
        / nullif(sum(share) filter (where governance_risk_0_10 is not null), 0)
            as mean_governance_risk_0_10,
        sum(share * political_risk_0_1)
        / nullif(sum(share) filter (where political_risk_0_1 is not null), 0)
            as mean_political_risk_0_1
    from scored
    group by year, mineral, production_type

),

final as (

    select
        concentration.year,
        concentration.mineral,
        concentration.production_type,
        concentration.hhi,
        coalesce(weighted.hhi_wgi, 0) as hhi_wgi,
        coalesce(weighted.wgi_coverage_share, 0) as wgi_coverage_share,
        weighted.mean_governance_risk_0_10,
        weighted.mean_political_risk_0_1,
        concentration.top1_iso3,
        concentration.top1_share,
        concentration.china_share,
        concentration.country_count
    from concentration
    left join weighted
        on
            concentration.year = weighted.year
            and concentration.mineral = weighted.mineral
            and concentration.production_type = weighted.production_type

)

select * from final
