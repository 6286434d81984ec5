{#-
    The values of `share_column` add up to 1 within `tolerance` for each group of `group_by`
    columns. Fails with one row per group whose total is off.
-#}
{% test shares_sum_to_one(model, share_column, group_by, tolerance=1e-9) %}

with

totals as (

    select
        {% for column in group_by -%}
            {{ column }},
        {% endfor -%}
        sum({{ share_column }}) as share_total
    from {{ model }}
    group by all

),

final as (

    select * from totals
    where abs(share_total - 1) > {{ tolerance }}

)

select * from final

{% endtest %}
