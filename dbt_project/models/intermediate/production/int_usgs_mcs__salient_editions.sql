{#-
    US salient statistics, every edition; for one (commodity, year, measure, qualifier) the
    newest edition reporting it is current, older editions are history. Published as
    fct_us_salient_statistics; read by int_dependency__usgs_published_nir.
-#}
with

salient as (

    select * from {{ ref('stg_usgs_mcs__salient') }}
    where year is not null and edition is not null

),

final as (

    select
        edition,
        commodity_code,
        mineral,
        year,
        measure,
        qualifier,
        column_raw,
        column_number,
        unit,
        value,
        value_flag,
        is_estimate,
        edition = max(edition) over (
            partition by commodity_code, year, measure, coalesce(qualifier, '')
        ) as is_current_edition,
        source,
        source_file,
        source_line
    from salient

)

select * from final
