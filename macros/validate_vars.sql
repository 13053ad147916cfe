{#- Every var that reaches SQL is checked here, by name, before anything runs (on-run-start), and the macros
    that render a var into SQL take it through these checks too, so a bad value stops with one line naming the
    var and what it accepts instead of running as SQL. Paths are quoted where they are used (sources yml);
    they are refused only for characters no folder of raw files needs, which SQL injection does need. -#}

{#- The project's vars, checked. Renders nothing; raises a compiler error on the first bad value. -#}
{% macro validate_vars() %}
    {%- if execute -%}
        {%- do source_system() -%}
        {%- do validated_path('shop_raw_path') -%}
        {%- do validated_path('online_retail_csv') -%}
        {%- do validated_date('shop_extracted_at') -%}
        {%- do validated_date('as_of_date', allow_null=true) -%}
        {%- do validated_integer('late_arrival_days', minimum=0) -%}
    {%- endif -%}
{% endmacro %}

{% macro bad_var(name, value, expected) %}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ "=" ~ (value | string)[:80] ~ " is not valid: " ~ expected
        ~ " (set it with --vars '{" ~ name ~ ": ...}')"
    ) }}
{% endmacro %}

{% macro validated_choice(name, choices) %}
    {%- set value = var(name) -%}
    {%- if value not in choices -%}
        {%- do bad_var(name, value, "expected one of " ~ choices | join(', ')) -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{#- A folder or file path: any text but control characters, `;` and glob characters (`* ? [ ] { }`), which
    would chain a statement or read other files than the ones named. A quote is fine: it is doubled where the
    path is rendered into SQL. -#}
{% macro validated_path(name) %}
    {%- set value = var(name) -%}
    {%- if value is not string or value | trim == '' -%}
        {%- do bad_var(name, value, "expected a path") -%}
    {%- endif -%}
    {%- if modules.re.search('[;*?\\[\\]{}\\x00-\\x1f]', value) -%}
        {%- do bad_var(name, value, "a path may not contain ; * ? [ ] { } or control characters") -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{#- A calendar date written YYYY-MM-DD; none when allowed and the var is null or empty. -#}
{% macro validated_date(name, allow_null=false) %}
    {%- set value = var(name, none) -%}
    {%- if allow_null and (value is none or value | string | trim == '') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- set parsed = none -%}
    {%- if modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') if text[5:7] | int in range(1, 13)
            and text[8:10] | int in range(1, 32) else none -%}
    {%- endif -%}
    {%- if parsed is none or parsed.strftime('%Y-%m-%d') != text -%}
        {%- do bad_var(name, value, "expected a date written YYYY-MM-DD" ~ (", or null" if allow_null else "")) -%}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}

{% macro validated_integer(name, minimum) %}
    {%- set value = var(name) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]+', text) or text | int < minimum -%}
        {%- do bad_var(name, value, "expected a whole number >= " ~ minimum) -%}
    {%- endif -%}
    {{ return(text | int) }}
{% endmacro %}

{#- The active source (var source_system), checked: shared models pick their source's model with it, so a bad
    value stops parsing with one line naming the var instead of a missing-node error. -#}
{% macro source_system() %}
    {{ return(validated_choice('source_system', ['shop', 'online_retail'])) }}
{% endmacro %}
