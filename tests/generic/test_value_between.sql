{#- Fails on every row whose column lies outside [min_value, max_value] (either bound may be omitted).
    Nulls pass (a comparison with null is never true): not_null says whether they are allowed. -#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

    {%- set out_of_range = [] -%}
    {%- if min_value is not none -%}
        {%- do out_of_range.append(column_name ~ ' < ' ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do out_of_range.append(column_name ~ ' > ' ~ max_value) -%}
    {%- endif -%}
    {%- if not out_of_range -%}
        {{ exceptions.raise_compiler_error(
            "value_between on " ~ model ~ "." ~ column_name ~ ": give min_value, max_value or both"
        ) }}
    {%- endif %}

    select *
    from {{ model }}
    where {{ out_of_range | join(' or ') }}

{% endtest %}
