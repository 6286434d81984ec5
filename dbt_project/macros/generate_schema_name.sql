{#-
    Use a model's custom schema as it is (`+schema: marts` -> `marts`), not dbt's default
    `<target schema>_<custom schema>` (`main_marts`); models without one go to the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
