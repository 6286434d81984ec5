{#-
    True for a policy event whose measure restricts exports (licensing, ban, quota, tax): the
    events whose exposure, trade response and effect on alternative suppliers the marts measure.
    Stockpiles, cooperation agreements and other measures are registered but not restrictive.
-#}
{% macro is_restrictive_measure(measure_type) -%}
    {{ measure_type }} in ('export_licensing', 'export_ban', 'export_quota', 'export_tax')
{%- endmacro %}
