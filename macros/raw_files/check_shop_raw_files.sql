{#- Checks the shop's raw files before anything reads them, so bad input stops the run with one clear line
    naming the file and the problem instead of a database error: a missing or empty file, or a header that
    lacks (or misspells) a column. Only the header line is read, so the check costs nothing at any scale.
    A row with the wrong number of fields is left to DuckDB's reader (the sources fix the dialect and columns,
    so it fails with "CSV Error on Line: <n>" and "file = <path>" instead of a vague sniffing error).
    Each staging model calls it as a pre-hook; does nothing for another source_system or at parse time. -#}
{% macro shop_raw_columns() %}
    {{ return({
        'users': ['created_at', 'deleted_at', 'email_address', 'first_name', 'id', 'last_name',
                  'merged_at', 'parent_user_id'],
        'items': ['adjective', 'category', 'created_at', 'id', 'modifier', 'name', 'price'],
        'orders': ['invoice_id', 'line_item_id', 'user_id', 'item_id', 'item_name', 'item_category',
                   'price', 'created_at', 'paid_at'],
        'events': ['event_id', 'event_time', 'user_id', 'event_name', 'platform', 'parameter_name',
                   'parameter_value'],
    }) }}
{% endmacro %}

{#- All four files (for `on-run-start` or `dbt run-operation check_shop_raw_files`). -#}
{% macro check_shop_raw_files() %}
    {%- if execute and var('source_system', 'shop') == 'shop' -%}
        {%- for table_name in shop_raw_columns() -%}
            {%- do check_shop_raw_file(table_name) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- One file; each staging model runs it as its pre-hook, so a bad file stops the build at the model that
    reads it. Renders no SQL. -#}
{% macro check_shop_raw_file(table_name) %}
    {%- if execute and var('source_system', 'shop') == 'shop' -%}
        {%- do check_raw_csv_file(
            var('shop_raw_path') ~ '/' ~ table_name ~ '.csv', shop_raw_columns()[table_name]
        ) -%}
    {%- endif -%}
{% endmacro %}

{#- One raw CSV file: it exists and its header has exactly `columns`, in that order (the sources read the
    columns by position). Raises a compiler error naming the file otherwise. -#}
{% macro check_raw_csv_file(path, columns) %}
    {%- set quoted_path = "'" ~ (path | replace("'", "''")) ~ "'" -%}
    {%- set found = run_query("select count(*) from glob(" ~ quoted_path ~ ")").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": file not found (expected columns " ~ columns | join(', ')
            ~ "); check var shop_raw_path, or run the generator first"
        ) }}
    {%- endif -%}

    {#- the first line as plain text: a delimiter that never occurs and no quoting keep it whole -#}
    {%- set header_rows = run_query(
        "select line from read_csv(" ~ quoted_path ~ ", header = false, auto_detect = false,"
        ~ " columns = {'line': 'varchar'}, delim = chr(1), quote = '', escape = '') limit 1"
    ).columns[0].values() -%}
    {%- if header_rows | length == 0 or header_rows[0] is none or header_rows[0] | trim == '' -%}
        {{ exceptions.raise_compiler_error(path ~ ": file is empty, expected a header line: " ~ columns | join(',')) }}
    {%- endif -%}
    {%- set header = [] -%}
    {%- for name in header_rows[0].replace('\ufeff', '').split(',') -%}
        {%- do header.append(name | trim | replace('"', '')) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for name in columns if name not in header -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- set unexpected = [] -%}
    {%- for name in header if name not in columns -%}
        {%- do unexpected.append(name) -%}
    {%- endfor -%}
    {%- if missing or unexpected or header | length != columns | length or header != columns -%}
        {%- set problems = [] -%}
        {%- if missing -%}
            {%- do problems.append("missing column " ~ ("'" ~ missing | join("', '") ~ "'")) -%}
        {%- endif -%}
        {%- if unexpected -%}
            {%- do problems.append("unexpected column " ~ ("'" ~ unexpected | join("', '") ~ "'")) -%}
        {%- endif -%}
        {%- if not missing and not unexpected and header | length != columns | length -%}
            {%- do problems.append("a column is repeated") -%}
        {%- elif not missing and not unexpected -%}
            {%- do problems.append("columns in the wrong order") -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": wrong header - " ~ problems | join('; ') ~ ". Found header: " ~ header_rows[0]
            ~ " | expected: " ~ columns | join(',')
        ) }}
    {%- endif -%}

{% endmacro %}
