{#- The day the shop's raw files were exported, as a timestamp literal: rows dated after it are future-dated. -#}
{% macro shop_extracted_at() -%}
    {{ safe_cast_value("'" ~ validated_date('shop_extracted_at') ~ "'", dbt.type_timestamp()) }}
{%- endmacro %}
