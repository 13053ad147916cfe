{#- H, the prediction horizon in days (var prediction_horizon_days, default 90), validated before it reaches SQL:
    a positive whole number, else a compiler error naming the var. Booleans are refused too (Jinja would
    otherwise read `true` as 1). -#}
{% macro prediction_horizon_days() -%}
    {%- set raw = var('prediction_horizon_days', 90) -%}
    {%- set text = raw | string | trim -%}
    {%- if raw is boolean or not text.isdigit() or text | int < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var prediction_horizon_days: expected a positive whole number of days (e.g. 90), got '"
            ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}
