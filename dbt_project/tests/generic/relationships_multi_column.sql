{#-
    Composite foreign key: every non-null combination of `columns` in the model must exist as the
    combination `to_columns` (same order) in `to`. Fails with one row per orphan combination.
-#}
{% test relationships_multi_column(model, columns, to, to_columns) %}

with

child as (

    select distinct
        {% for column in columns -%}
            {{ column }} as key_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ model }}
    where
        {% for column in columns -%}
            {{ column }} is not null{{ " and" if not loop.last }}
        {% endfor %}

),

parent as (

    select distinct
        {% for column in to_columns -%}
            {{ column }} as key_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ to }}

),

final as (

    select child.*
    from child
    anti join parent
        using ({% for column in columns %}key_{{ loop.index }}{{ ", " if not loop.last }}{% endfor %})

)

select * from final

{% endtest %}
