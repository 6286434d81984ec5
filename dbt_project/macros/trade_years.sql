{#-
    Models whose rows of a year are computed from that year's trade rows only (and from inputs that
    are not trade: reference tables, production, governance, the register) are incremental by
    year on DuckDB. `critmin run` writes the trade years whose raw rows changed since its last
    complete build to meta.trade_years_to_build (warehouse/build_state.py) and runs dbt with
    --full-refresh when anything else changed (another source, the project's code, a version); an
    incremental run deletes those years' rows from the table (the pre-hook) and inserts them again,
    computed from its inputs filtered to those years (`in_trade_years_to_build`). A year whose
    trade file left the landing directory is deleted and nothing is inserted for it. When the
    table of years is absent (dbt run by hand), every year is rebuilt: the same rows as a full
    refresh. On Spark these models are plain tables, rebuilt whole.
-#}

{% macro incremental_by_trade_year() -%}
    {%- if target.type == 'duckdb' -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='append',
            on_schema_change='fail',
            pre_hook="{{ delete_trade_years_to_build() }}"
        ) }}
    {%- endif -%}
{%- endmacro %}


{% macro trade_years_to_build_relation() -%}
    {{ return(adapter.get_relation(
        database=this.database, schema='meta', identifier='trade_years_to_build'
    )) }}
{%- endmacro %}


{#- A predicate on `column` (a year): true on a full build, else "the year is to be rebuilt". -#}
{% macro in_trade_years_to_build(column='year') -%}
    {#- A unit test renders the model without a relation of its own (`this` is none). -#}
    {%- if this is not none and is_incremental() -%}
        {%- set years = trade_years_to_build_relation() -%}
        {%- if years is none -%}
            true
        {%- else -%}
            {{ column }} in (select year from {{ years }})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro delete_trade_years_to_build() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_trade_years_to_build('year') }}
    {%- endif -%}
{%- endmacro %}


{#-
    The data tests of a model incremental by year check the years the build rebuilt: the rows of
    the other years are those that passed the same tests when they were built (a test's verdict on
    a row depends on the rows of its year only: every key, sum and rule of these models includes
    the year), and anything that could change them makes the build a full refresh, whose years to
    build are all of them. dbt wraps the model a generic test reads in this macro (its `where`
    config); without the table of years (dbt run by hand, Spark) a test reads the whole model.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set base = adapter.dispatch('get_where_subquery', 'dbt')(relation) -%}
    {%- set years = trade_years_tested(relation) if execute else none -%}
    {%- if years is none -%}
        {{ return(base) }}
    {%- else -%}
        {{ return('(select * from ' ~ base ~ ' where year in (select year from ' ~ years ~ ')) as dbt_trade_years') }}
    {%- endif -%}
{%- endmacro %}


{% macro trade_years_tested(relation) -%}
    {%- if target.type != 'duckdb' or relation.identifier is not defined -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
            and node.config.materialized == 'incremental'
            and node.schema == relation.schema
            and (node.alias or node.name) == relation.identifier -%}
            {{ return(adapter.get_relation(
                database=relation.database, schema='meta', identifier='trade_years_to_build'
            )) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
