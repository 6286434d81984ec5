{#-
    USGS's published net import reliance of the United States (salient statistics, measure
    net_import_reliance_pct, current edition), on the 0-1 scale, placed on the value-chain stage(s)
    it refers to. USGS publishes one NIR for a commodity as a whole, except rare earths (one for
    mineral concentrates, one for compounds and metals). A whole-commodity NIR is put on the one
    stage whose goods make up US apparent consumption in the salient table (stage_mapping below,
    reasons in docs/assumptions.md). When one edition publishes the same NIR twice (a commodity
    file and the critical-minerals table), the numeric one read first (source_file, source_line,
    column_number) is kept.
-#}
with

salient as (

    select * from {{ ref('int_usgs_mcs__salient_editions') }}

),

stage_mapping as (

    select
        stage_rows.mineral,
        stage_rows.usgs_qualifier,
        stage_rows.stage
    from (
        values
        ('rare_earths', 'Concentrate', 'ore_concentrate'),
        ('rare_earths', 'Compounds-Metals', 'compound'),
        ('rare_earths', 'Compounds-Metals', 'metal'),
        ('lithium', null, 'compound'),
        ('cobalt', null, 'metal'),
        ('graphite', null, 'ore_concentrate'),
        ('gallium', null, 'metal'),
        ('germanium', null, 'metal'),
        ('nickel', null, 'metal'),
        ('tungsten', null, 'compound'),
        ('antimony', null, 'compound')
    ) as stage_rows (mineral, usgs_qualifier, stage)

),

published as (

    select
        year,
        mineral,
        qualifier,
        value,
        value_flag,
        edition,
        source_file
    from salient
    where
        measure = 'net_import_reliance_pct'
        and is_current_edition
        and mineral is not null
    qualify row_number() over (
        partition by year, mineral, coalesce(qualifier, '')
        order by value is null, source_file, source_line, column_number
    ) = 1

),

final as (

    select
        published.year,
        'USA' as country_iso3,
        published.mineral,
        stage_mapping.stage,
        published.qualifier as usgs_nir_qualifier,
        published.value / 100.0 as usgs_published_nir,
        published.value_flag as usgs_published_nir_flag,
        published.edition as usgs_nir_edition,
        published.source_file as usgs_nir_source_file
    from published
    inner join stage_mapping
        on
            published.mineral = stage_mapping.mineral
            and coalesce(published.qualifier, '') = coalesce(stage_mapping.usgs_qualifier, '')

)

select * from final
