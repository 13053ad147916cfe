{#- Raw data that lands as files: the orders and events of the shop arrive either as one whole file
    (`orders.csv`) or as one file per landing day or month (`orders_2018-06-30.csv`, `orders_2018-06.csv`,
    as `python -m ecom_analytics.generator --layout daily|monthly` writes them). The sources read
    `<table>*.csv`, so both layouts work; incremental models read only the files landed since their
    high-water mark minus var('late_arrival_days'). -#}

{#- The glob a shop table's raw files match: users/items are single snapshots, orders/events may be split.
    Mirrors the external_location of the sources (source configs cannot call project macros). -#}
{% macro shop_raw_glob(table_name) %}
    {%- if table_name in ['orders', 'events'] -%}
        {{ return(var('shop_raw_path') ~ '/' ~ table_name ~ '*.csv') }}
    {%- else -%}
        {{ return(var('shop_raw_path') ~ '/' ~ table_name ~ '.csv') }}
    {%- endif -%}
{% endmacro %}

{#- A file path's base name: tables never depend on where the raw folder sits. -#}
{% macro file_base_name(column) -%}
    regexp_extract({{ column }}, '[^/\\\\]+$')
{%- endmacro %}

{#- The day a file landed, from its name: `_YYYY-MM-DD.csv` is that day, `_YYYY-MM.csv` the first day of that
    month, and a whole-table file (no date) lands on 1970-01-01, so it is re-read on every run. Written on
    the file name only, so DuckDB prunes the files a filter on it excludes without opening them. -#}
{% macro landed_on_from_file(column) -%}
    coalesce(
        try_cast(regexp_extract({{ column }}, '_(\d{4}-\d{2}-\d{2})\.csv$', 1) as date),
        try_cast(regexp_extract({{ column }}, '_(\d{4}-\d{2})\.csv$', 1) || '-01' as date),
        cast('1970-01-01' as date)
    )
{%- endmacro %}

{#- The filter an incremental run puts on a staging view of landed files: `source_path in (<files>)`, the
    files landed since the model's high-water mark (max landed_on in its table, optionally restricted by
    `high_water_where`) minus var('late_arrival_days'). The list is read from the folder (glob, names only) at
    run time and rendered as literals: DuckDB then opens only those files (a filter on an expression of the
    file name is not pushed through the staging view; an IN list of names is). Files that land later than the
    window are not read: assert_shop_raw_files_loaded fails on them and `dbt build --full-refresh` reads them.
    A whole-table file (no date in its name) lands on 1970-01-01 and is read on every run. -#}
{% macro late_arrival_files_filter(table_name, high_water_where='1 = 1') %}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set high_water_query -%}
        select max(landed_on) from {{ this }} where {{ high_water_where }}
    {%- endset -%}
    {%- set high_water = run_query(high_water_query).columns[0].values()[0] -%}
    {%- set start = '1970-01-01' -%}
    {%- if high_water is not none -%}
        {%- set start = (high_water - modules.datetime.timedelta(days=var('late_arrival_days') | int)).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set files_query -%}
        select file from glob('{{ shop_raw_glob(table_name) }}')
        where {{ landed_on_from_file('file') }} >= cast('{{ start }}' as date)
        order by file
    {%- endset -%}
    {%- set files = run_query(files_query).columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ return('1 = 0') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append("'" ~ (file | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return('source_path in (' ~ quoted | join(', ') ~ ')') }}
{% endmacro %}
