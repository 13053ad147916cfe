{#- What reading the UCI Online Retail file needs from each engine: a check of the file before anything reads
    it, and the parse of its two date styles. -#}

{#- Fails early and by name when the file is missing or is not an Online Retail export: DuckDB's read_csv
    errors (a glob that matches nothing, a binder error on a column) do not say which variable is wrong. -#}
{% macro check_online_retail_file(expected_columns) %}
    {{ return(adapter.dispatch('check_online_retail_file')(expected_columns)) }}
{% endmacro %}

{#- Spark reads the file through a table declared with its columns and enforceSchema false
    (stage_raw_sources): Spark itself stops on a missing file or a header that differs, naming the path. -#}
{% macro default__check_online_retail_file(expected_columns) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__check_online_retail_file(expected_columns) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set csv_path = validated_path('online_retail_csv') -%}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string(csv_path) ~ ")").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ exceptions.raise_compiler_error(
            "online_retail_csv=" ~ csv_path ~ ": no such file (pass the UCI Online Retail .csv or .csv.gz with "
            ~ "--vars '{source_system: online_retail, online_retail_csv: <file>}')"
        ) }}
    {%- endif -%}
    {%- set header = run_query(
        "select column_name from (describe select * from read_csv(" ~ sql_string(csv_path)
        ~ ", header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'))"
    ).columns[0].values() | list -%}
    {%- set missing = [] -%}
    {%- for column_name in expected_columns if column_name not in header -%}
        {%- do missing.append(column_name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "online_retail_csv=" ~ csv_path ~ ": not an Online Retail file, missing column(s) "
            ~ missing | join(', ') ~ " (header found: " ~ header | join(', ') ~ ")"
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- The invoice time from its text, in either date style (ISO, or month/day/year as the UCI xlsx export writes
    it); null when it is neither. No cross-database macro parses a format. -#}
{% macro parse_invoice_timestamp(text) %}
    {{ return(adapter.dispatch('parse_invoice_timestamp')(text)) }}
{% endmacro %}

{#- The ISO style alone first: trying a list of formats on every line costs a third of the staging. -#}
{% macro duckdb__parse_invoice_timestamp(text) -%}
    coalesce(
        try_strptime({{ text }}, '%Y-%m-%d %H:%M:%S'),
        try_strptime({{ text }}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S'])
    )
{%- endmacro %}

{% macro spark__parse_invoice_timestamp(text) -%}
    coalesce(
        try_to_timestamp({{ text }}, 'yyyy-MM-dd HH:mm:ss'),
        try_to_timestamp({{ text }}, 'yyyy-MM-dd HH:mm'),
        try_to_timestamp({{ text }}, 'M/d/yyyy H:mm'),
        try_to_timestamp({{ text }}, 'M/d/yyyy H:mm:ss')
    )
{%- endmacro %}
