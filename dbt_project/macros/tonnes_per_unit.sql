{#-
    The factor that turns a quantity in `unit` into metric tonnes: the unit is the last
    `_`-separated part of the text (`t`, `kt`, `mmt`, `kg`, `g`, as in USGS column suffixes such as
    `Prod_kt`); NULL for any other unit (carats, cubic metres, percentages).
-#}
{% macro tonnes_per_unit(unit) -%}
    case lower(regexp_extract(trim({{ unit }}), '(^|_)([^_]+)$', 2))
        when 't' then 1.0
        when 'kt' then 1000.0
        when 'mmt' then 1000000.0
        when 'kg' then 0.001
        when 'g' then 0.000001
    end
{%- endmacro %}
