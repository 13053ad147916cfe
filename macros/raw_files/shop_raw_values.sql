{#- Value-level repairs of the shop's raw text. The shop export sometimes writes the time part with dashes (`2014-12-20 07-07-45`). Every staging model
    repairs it through these macros so the rule lives in one place; built from substring/concat/safe_cast
    (no regex) so it ports to Spark, Snowflake and BigQuery. -#}

{% macro shop_null(column) -%}
    nullif(nullif(trim({{ column }}), 'None'), '')
{%- endmacro %}

{#- LIKE's `_` is any one character: one pattern checks the length and the separators in one pass (they were
    six substring() calls, each repeating the repair: stg_shop__events alone at scale 10 took 19.8-23.2 s with
    them, 17.6-18.9 s with the patterns). -#}
{% macro is_odd_timestamp_format(column) -%}
    (trim({{ column }}) like '__________ __-__-__')
{%- endmacro %}

{% macro repair_timestamp_text(column) -%}
    case
        when {{ is_odd_timestamp_format(column) }}
            then {{ dbt.concat([
                "substring(trim(" ~ column ~ "), 1, 13)", "':'",
                "substring(trim(" ~ column ~ "), 15, 2)", "':'",
                "substring(trim(" ~ column ~ "), 18, 2)"
            ]) }}
        else {{ shop_null(column) }}
    end
{%- endmacro %}

{#- Only a complete `YYYY-MM-DD HH:MM:SS` (after the repair) is cast: a truncated value (`2018-06-2`,
    `2018-06-29 10:`) would otherwise be read as another day or time, and is unparseable instead. -#}
{% macro repair_timestamp(column) -%}
    {%- set text = repair_timestamp_text(column) -%}
    case
        when {{ text }} like '____-__-__ __:__:__'
            then {{ safe_cast_value(text, dbt.type_timestamp()) }}
    end
{%- endmacro %}

{% macro is_unparseable_timestamp(column) -%}
    ({{ shop_null(column) }} is not null and {{ repair_timestamp(column) }} is null)
{%- endmacro %}

{#- Text -> decimal casts are avoided on purpose: on DuckDB they cost ~100x a float cast. type_double is
    64-bit (dbt.type_float() is 32-bit on DuckDB, too coarse for ids and to see price noise). -#}
{% macro shop_number(column) -%}
    {{ safe_cast_value(shop_null(column), type_double()) }}
{%- endmacro %}

{#- Ids are float-written (`2512.0`): read as a number so both `2512` and `2512.0` give the same integer. Only
    a whole number from 0 to 2^53 is an id; `12.5`, `-3` or `1e20` give null (and is_invalid_id). -#}
{% macro shop_id(column) -%}
    case
        when {{ shop_number(column) }} = floor({{ shop_number(column) }})
            and {{ shop_number(column) }} between 0 and 9007199254740992
            then {{ safe_cast_value(shop_number(column), dbt.type_bigint()) }}
    end
{%- endmacro %}

{#- The text is written but is no id: not a number, not whole, negative or too large. -#}
{% macro is_invalid_id(column) -%}
    ({{ shop_null(column) }} is not null and {{ shop_id(column) }} is null)
{%- endmacro %}

{% macro is_unparseable_number(column) -%}
    ({{ shop_null(column) }} is not null and {{ shop_number(column) }} is null)
{%- endmacro %}

{#- Prices carry float noise (`13.750000000000002`, a neighbouring float of 13.75): as a double it differs
    from itself rounded to cents by a hair, while a clean price (`13.75`, `150.0`) parses to exactly that
    rounding. A real sub-cent price (`15.625` in the real catalog) differs by much more: told apart. -#}
{% macro has_float_noise(column) -%}
    (
        {{ shop_number(column) }} <> round({{ shop_number(column) }}, 2)
        and abs({{ shop_number(column) }} - round({{ shop_number(column) }}, 2)) < 0.000001
    )
{%- endmacro %}

{% macro has_sub_cent_price(column) -%}
    (abs({{ shop_number(column) }} - round({{ shop_number(column) }}, 2)) >= 0.000001)
{%- endmacro %}

{% macro shop_cents(column) -%}
    {{ safe_cast_value("round(" ~ shop_number(column) ~ ", 2)", "decimal(18, 3)") }}
{%- endmacro %}

{#- dbt.safe_cast is a plain cast on dbt-duckdb (an error on a bad value); raw text needs a cast that gives
    null instead, so a bad value becomes a flag (try_cast on DuckDB and Spark). Other adapters keep dbt.safe_cast. -#}
{% macro safe_cast_value(field, type) -%}
    {{ return(adapter.dispatch('safe_cast_value')(field, type)) }}
{%- endmacro %}

{% macro default__safe_cast_value(field, type) -%}
    {{ dbt.safe_cast(field, type) }}
{%- endmacro %}

{% macro duckdb__safe_cast_value(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast_value(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
