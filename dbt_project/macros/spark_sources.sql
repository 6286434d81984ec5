{#-
    `dbt run-operation register_raw_sources --target spark --args '{raw_dir: DIR}'`: registers
    every raw source table on Spark over the folder of Parquet files written for it from the raw
    tables (DIR/<table>/, `orchestration/spark.py` `export_raw_parquet`; DIR defaults to
    $CRITMIN_RAW_PARQUET), so that the staging models (and the unit tests, which read the
    sources' columns) see the same rows as on DuckDB. `critmin run --engine spark` runs it
    before every build. A source table whose `meta` names
    `spark_partitioned_by` is read as one subfolder per value of that column (`year=2024/`).
    On DuckDB the raw tables are the loader's own and the operation does nothing.
-#}
{% macro register_raw_sources(raw_dir=none) -%}
    {%- if target.type == 'spark' and execute -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
                {%- if run_query("show databases like '" ~ source.schema ~ "'").rows | length == 0 -%}
                    {%- do run_query('create database ' ~ source.schema) -%}
                {%- endif -%}
            {%- endif -%}
            {%- do register_raw_source(source, raw_dir or env_var('CRITMIN_RAW_PARQUET')) -%}
        {%- endfor -%}
        {{ log('registered ' ~ graph.sources | length ~ ' raw source tables on Spark', info=true) }}
    {%- endif -%}
{%- endmacro %}

{% macro register_raw_source(source, raw_dir) -%}
    {%- set relation = source.schema ~ '.' ~ source.identifier -%}
    {%- set partition = source.meta.get('spark_partitioned_by') -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {#- Spark infers the partition column from the folder names, and lists the partitions in its
        catalog on `msck repair`. -#}
    {%- do run_query(
        'create table ' ~ relation ~ ' using parquet'
        ~ " location '" ~ raw_dir ~ '/' ~ source.identifier ~ "'"
    ) -%}
    {#- A partitioned table with no partition yet is one empty file (no `year=` folder), which
        Spark reads as an unpartitioned table: nothing to repair. -#}
    {%- if partition and '# Partition Information'
            in run_query('describe table ' ~ relation).columns[0].values() -%}
        {%- do run_query('msck repair table ' ~ relation) -%}
    {%- endif -%}
{%- endmacro %}
