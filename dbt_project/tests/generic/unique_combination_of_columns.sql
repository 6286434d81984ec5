{#-
    Fails with one row per key value that occurs more than once: the combination of
    `combination_of_columns` is the model's grain. Nulls are grouped like values, so pair it with
    not_null tests on the key columns. (dbt_utils' test of the same name, written here because the
    project builds without downloaded packages.)
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {% for column in combination_of_columns -%}
            {{ column }},
        {% endfor -%}
        count(*) as row_count
    from {{ model }}
    group by all

),

final as (

    select * from grouped
    where row_count > 1

)

select * from final

{% endtest %}
