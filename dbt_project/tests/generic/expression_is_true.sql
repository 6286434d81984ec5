{#-
    Fails with every row of the model for which `expression` is not true (false or null).
    Optional `where_clause` restricts the rows checked. Usable on a model or on a column (the
    expression names the column itself).
-#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}

with

checked as (

    select *
    from {{ model }}
    {% if where_clause %}where {{ where_clause }}{% endif %}

),

final as (

    select *
    from checked
    where not coalesce({{ expression }}, false)

)

select * from final

{% endtest %}
