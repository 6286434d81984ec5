{#-
    Fails with one row per row of the model where any of `columns` is null; `null_columns` names
    the columns that are null in that row. One scan of the model for all of its never-null
    columns (a `not_null` test per column would scan it once per column).
-#}
{% test not_null_columns(model, columns) %}

with

final as (

    select
        concat_ws(
            ', '
            {%- for column in columns %},
            case when {{ column }} is null then '{{ column }}' end
            {%- endfor %}
        ) as null_columns,
        *
    from {{ model }}
    where
        {% for column in columns -%}
            {{ column }} is null{% if not loop.last %} or {% endif %}
        {% endfor %}

)

select * from final

{% endtest %}
