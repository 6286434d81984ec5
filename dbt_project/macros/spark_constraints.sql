{#-
    Contracts on Spark. Plain Parquet tables accept no NOT NULL constraint (dbt-spark alters the
    column, which only Delta tables allow), so on Spark each `not_null` constraint of an enforced
    contract is checked after the table is built instead: a column holding nulls fails the model
    with an error that names the column and the count, as the constraint does on DuckDB.
-#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {%- set columns = [] -%}
        {%- for column_name, column in model.columns.items() -%}
            {%- for constraint in column.get('constraints', []) -%}
                {%- if constraint.type == 'not_null' -%}
                    {%- do columns.append(column_name) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for constraint in model.get('constraints', []) -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do columns.extend(constraint.columns) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if columns -%}
            {%- set sql -%}
                select
                {%- for column_name in columns %}
                    count_if({{ column_name }} is null) as {{ column_name }}{{ ',' if not loop.last }}
                {%- endfor %}
                from {{ relation }}
            {%- endset -%}
            {%- set counts = run_query(sql).rows[0] -%}
            {%- for column_name in columns -%}
                {%- if counts[loop.index0] > 0 -%}
                    {{ exceptions.raise_compiler_error(
                        relation ~ ': ' ~ counts[loop.index0] ~ ' null value(s) in ' ~ column_name
                        ~ ', which its contract declares not_null'
                    ) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
