{#-
    Fails with one row per row of the model that breaks any of `rules` (SQL conditions on one row;
    a condition that is false or null is broken); `broken_rules` lists the rules that row breaks.
    One scan of the model for all of its row rules: value ranges, accepted values (written
    `column is null or column in (...)`), and relations between the columns of a row. A test per
    rule would scan the model, and cost dbt a node, once per rule.
-#}
{% test row_rules(model, rules) %}

with

checked as (

    select
        concat_ws(
            '; '
            {%- for rule in rules %},
            case when not coalesce({{ rule }}, false) then '{{ rule | replace("'", "''") }}' end
            {%- endfor %}
        ) as broken_rules,
        *
    from {{ model }}

),

final as (

    select *
    from checked
    where broken_rules != ''

)

select * from final

{% endtest %}
