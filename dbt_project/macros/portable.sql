{#-
    Portable SQL for the constructs that differ between DuckDB (the default target) and Spark
    (`--target spark`). Everything else in the models is SQL both engines read alike; dbt's own
    cross-database macros (`dbt.type_string()`, ...) are used where they exist. Each macro
    dispatches on the adapter: `default__` is DuckDB's spelling, `spark__` Spark's.
-#}

{#- The type of a list of strings: `varchar[]` on DuckDB, `array<string>` on Spark. -#}
{% macro string_list_type() -%}
    {{ return(adapter.dispatch('string_list_type', 'critmin')()) }}
{%- endmacro %}
{% macro default__string_list_type() -%}varchar[]{%- endmacro %}
{% macro spark__string_list_type() -%}array<string>{%- endmacro %}

{#- A list literal of the SQL expressions given. -#}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of', 'critmin')(items)) }}
{%- endmacro %}
{% macro default__list_of(items) -%}[{{ items | join(', ') }}]{%- endmacro %}
{% macro spark__list_of(items) -%}array({{ items | join(', ') }}){%- endmacro %}

{#- An empty list of strings. -#}
{% macro empty_string_list() -%}
    {{ return(adapter.dispatch('empty_string_list', 'critmin')()) }}
{%- endmacro %}
{% macro default__empty_string_list() -%}cast([] as varchar[]){%- endmacro %}
{% macro spark__empty_string_list() -%}cast(array() as array<string>){%- endmacro %}

{#-
    Aggregate: the sorted list of an expression's values in the group (`distinct=true`: each
    value once). The values must not be null (Spark's collect_list skips nulls, DuckDB's list
    keeps them).
-#}
{% macro sorted_list_agg(expression, distinct=false) -%}
    {{ return(adapter.dispatch('sorted_list_agg', 'critmin')(expression, distinct)) }}
{%- endmacro %}
{% macro default__sorted_list_agg(expression, distinct) -%}
    list({{ 'distinct ' if distinct }}{{ expression }} order by {{ expression }})
{%- endmacro %}
{% macro spark__sorted_list_agg(expression, distinct) -%}
    array_sort({{ 'collect_set' if distinct else 'collect_list' }}({{ expression }}))
{%- endmacro %}

{#- Aggregate: the sorted distinct values of all the lists in the group, as one list. -#}
{% macro sorted_distinct_flatten_agg(list_expression) -%}
    {{ return(adapter.dispatch('sorted_distinct_flatten_agg', 'critmin')(list_expression)) }}
{%- endmacro %}
{% macro default__sorted_distinct_flatten_agg(list_expression) -%}
    list_sort(list_distinct(flatten(list({{ list_expression }}))))
{%- endmacro %}
{% macro spark__sorted_distinct_flatten_agg(list_expression) -%}
    array_sort(array_distinct(flatten(collect_list({{ list_expression }}))))
{%- endmacro %}

{#-
    Aggregate: the distinct non-null values of a string expression in the group, sorted and
    joined by `separator`; null when there are none.
-#}
{% macro sorted_distinct_string_agg(expression, separator) -%}
    {{ return(adapter.dispatch('sorted_distinct_string_agg', 'critmin')(expression, separator)) }}
{%- endmacro %}
{% macro default__sorted_distinct_string_agg(expression, separator) -%}
    string_agg(distinct {{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
{% macro spark__sorted_distinct_string_agg(expression, separator) -%}
    nullif(array_join(array_sort(collect_set({{ expression }})), {{ separator }}), '')
{%- endmacro %}

{#- The number of elements of a list; null for a null list (Spark's size() gives -1). -#}
{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length', 'critmin')(list_expression)) }}
{%- endmacro %}
{% macro default__list_length(list_expression) -%}len({{ list_expression }}){%- endmacro %}
{% macro spark__list_length(list_expression) -%}
    case when {{ list_expression }} is not null then size({{ list_expression }}) end
{%- endmacro %}

{#- Whether a list holds a value. -#}
{% macro list_has(list_expression, value) -%}
    {{ return(adapter.dispatch('list_has', 'critmin')(list_expression, value)) }}
{%- endmacro %}
{% macro default__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}
{% macro spark__list_has(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{#- In a select list: one output row per element of the list (none for an empty or null list). -#}
{% macro unnest_list(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'critmin')(list_expression)) }}
{%- endmacro %}
{% macro default__unnest_list(list_expression) -%}unnest({{ list_expression }}){%- endmacro %}
{% macro spark__unnest_list(list_expression) -%}explode({{ list_expression }}){%- endmacro %}

{#- In a select list: every column but those named (a list of column names). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'critmin')(columns)) }}
{%- endmacro %}
{% macro default__star_except(columns) -%}* exclude ({{ columns | join(', ') }}){%- endmacro %}
{% macro spark__star_except(columns) -%}* except ({{ columns | join(', ') }}){%- endmacro %}
