{#-
    The ranking score of a candidate supplier in mart_alternative_suppliers, from the columns
    world_export_share, production_share, reserves_share, governance_risk_0_10 and
    restricts_exports; `already_supplying` is an expression that is 1 when the candidate already
    supplies the importer, else 0. Unknown parts count 0. Weights as in the mart's description and
    docs/assumptions.md.
-#}
{% macro alternative_supplier_score(already_supplying) -%}
    0.40 * world_export_share
    + 0.25 * coalesce(production_share, 0)
    + 0.15 * coalesce(reserves_share, 0)
    + 0.10 * coalesce(1 - governance_risk_0_10 / 10, 0)
    + 0.10 * ({{ already_supplying }})
    - 0.50 * (case when restricts_exports then 1 else 0 end)
{%- endmacro %}
