{{ incremental_by_trade_year() }}

with

dependency as (

    -- BACI annual rows: the other inputs (fct_trade_flows, production, governance) are annual
    -- BACI-year figures; Comtrade rows are a separate source and frequency.
    select * from {{ ref('int_dependency__import_dependency') }}
    where trade_source = 'baci' and frequency = 'annual' and {{ in_trade_years_to_build() }}

),

supplier_shares as (

    select * from {{ ref('int_trade__supplier_shares') }}
    where trade_source = 'baci' and frequency = 'annual' and {{ in_trade_years_to_build() }}

),

flows as (

    select * from {{ ref('fct_trade_flows') }}
    where {{ in_trade_years_to_build() }}

),

reliance as (

    select * from {{ ref('int_dependency__net_import_reliance') }}
    where {{ in_trade_years_to_build() }}

),

global_risk as (

    select * from {{ ref('int_dependency__supply_risk') }}

),

stage_basis as (

    select * from {{ ref('int_dependency__stage_production_basis') }}

),

governance as (

    select * from {{ ref('int_dependency__governance_by_year') }}

),

parameters as (

    select * from {{ ref('int_dependency__supply_risk_parameters') }}

),

sourcing as (

    select
        supplier_shares.year,
        supplier_shares.importer_iso3,
        supplier_shares.mineral,
        supplier_shares.stage,
        sum(supplier_shares.share * supplier_shares.share * governance.governance_risk_0_10)
            as hhi_wgi_sourcing,
        coalesce(
            sum(supplier_shares.share) filter (where governance.governance_risk_0_10 is not null),
            0
        ) as sourcing_wgi_coverage_share
    from supplier_shares
    left join governance
        on
            supplier_shares.year = governance.year
            and supplier_shares.exporter_iso3 = governance.country_iso3
    group by all

),

import_tonnes as (

    select
        flows.year,
        flows.importer_iso3,
        flows.mineral,
        flows.stage,
        sum(flows.quantity_t) as imports_t,
        sum(flows.quantity_t * governance.political_risk_0_1) as political_risk_weighted_t,
        coalesce(
            sum(flows.quantity_t) filter (where governance.political_risk_0_1 is not null), 0
        ) / nullif(sum(flows.quantity_t), 0) as political_risk_coverage_share
    from flows
    left join governance
        on
            flows.year = governance.year
            and flows.exporter_iso3 = governance.country_iso3
    group by all

),

joined as (

    select
        dependency.year,
        dependency.importer_iso3,
        dependency.mineral,
        dependency.stage,
        stage_basis.global_production_type,
        global_risk.hhi as hhi_production,
        global_risk.hhi_wgi as hhi_wgi_global,
        sourcing.hhi_wgi_sourcing,
        sourcing.sourcing_wgi_coverage_share,
        reliance.nir,
        -- greatest() and least() skip nulls: an unknown NIR must stay an unknown IR.
        case
            when reliance.nir is not null then least(greatest(reliance.nir, 0.0), 1.0)
        end as import_reliance,
        reliance.production_t,
        import_tonnes.imports_t,
        import_tonnes.political_risk_weighted_t,
        import_tonnes.political_risk_coverage_share,
        parameters.eol_rir,
        parameters.eol_rir_source,
        parameters.substitution_index,
        parameters.is_illustrative as parameters_are_illustrative
    from dependency
    left join sourcing
        on
            dependency.year = sourcing.year
            and dependency.importer_iso3 = sourcing.importer_iso3
            and dependency.mineral = sourcing.mineral
            and dependency.stage = sourcing.stage
    left join import_tonnes
        on
            dependency.year = import_tonnes.year
            and dependency.importer_iso3 = import_tonnes.importer_iso3
            and dependency.mineral = import_tonnes.mineral
            and dependency.stage = import_tonnes.stage
    left join reliance
        on
            dependency.year = reliance.year
            and dependency.importer_iso3 = reliance.country_iso3
            and dependency.mineral = reliance.mineral
            and dependency.stage = reliance.stage
    left join stage_basis
        on
            dependency.year = stage_basis.year
            and dependency.mineral = stage_basis.mineral
            and dependency.stage = stage_basis.stage
    left join global_risk
        on
            dependency.year = global_risk.year
            and dependency.mineral = global_risk.mineral
            and stage_basis.global_production_type = global_risk.production_type
    left join parameters
        on dependency.mineral = parameters.mineral

),

final as (

    select
        year,
        importer_iso3,
        mineral,
        stage,
        global_production_type,
        hhi_production,
        hhi_wgi_global,
        hhi_wgi_sourcing,
        sourcing_wgi_coverage_share,
        nir,
        import_reliance,
        eol_rir,
        eol_rir_source,
        substitution_index,
        (hhi_wgi_global * import_reliance / 2 + hhi_wgi_sourcing * (1 - import_reliance / 2))
        * (1 - eol_rir)
        * substitution_index as supply_risk_eu,
        parameters_are_illustrative,
        production_t,
        imports_t,
        hhi_production * political_risk_weighted_t / nullif(production_t + imports_t, 0)
            as geopolrisk,
        political_risk_coverage_share
    from joined

)

select * from final
