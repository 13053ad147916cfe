{#- Checks the shop's raw files before anything reads them, so bad input stops the run with one clear line
    naming the file and the problem instead of a database error: a missing or empty file, or a header that
    lacks (or misspells) a column. Orders and events may land as one file per day or month: every file is
    checked.
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

{#- All four tables, every file's header (for `on-run-start` or `dbt run-operation check_shop_raw_files`). -#}
{% macro check_shop_raw_files() %}
    {%- if execute and var('source_system', 'shop') == 'shop' -%}
        {%- for table_name in shop_raw_columns() -%}
            {%- do check_shop_raw_file(table_name, every_header=true) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- One table's raw file(s); each staging model runs it as its pre-hook, so a bad file stops the build at the
    model that reads it. Of the landed files of orders and events, an incremental run reads the headers of the
    files it reads (see shop_header_check_start) unless every_header; every file is still listed and checked
    by name. Renders no SQL. -#}
{% macro check_shop_raw_file(table_name, every_header=false) %}
    {%- if execute and var('source_system', 'shop') == 'shop' -%}
        {%- set start = none if every_header else shop_header_check_start(table_name) -%}
        {%- do check_raw_csv_files(
            shop_raw_glob(table_name), shop_raw_columns()[table_name], table_name,
            header_files=landed_files_since(table_name, start, '>=') if start is not none else none
        ) -%}
    {%- endif -%}
{% endmacro %}

{#- The first landing day whose files an incremental run reads, for a landed table (orders, events): the
    high-water mark of int_shop__landed_files for that table minus var('late_arrival_days')
    (late_arrival_start_of, as the models that read the files take it of their own tables). none (read every
    header) on a full refresh, for a snapshot table, or before int_shop__landed_files exists. Files landed
    before it were read, and their headers checked, by the run that loaded them; a file that lands late is not
    read, and assert_shop_raw_files_loaded names it. -#}
{% macro shop_header_check_start(table_name) %}
    {%- if flags.FULL_REFRESH or table_name not in ['orders', 'events'] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.int_shop__landed_files') -%}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)
        if node else none -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(late_arrival_start_of(relation, "source_table = '" ~ table_name ~ "'")) }}
{% endmacro %}

{#- The raw CSV files matching `pattern` (one file, or one per landing day/month): at least one exists, whole
    and split layouts are not mixed, no month lands both as a monthly and as daily files, and every file's
    header is exactly `columns`, in that order (the sources read the columns by position). Raises a compiler
    error naming the file otherwise. A single file: only its first line is read. Landed files: one query reads
    them as text (all of them, or only `header_files` when given) and keeps those whose first line differs,
    which are then diagnosed one by one. -#}
{% macro check_raw_csv_files(pattern, columns, table_name, header_files=none) %}
    {%- set quoted_pattern = "'" ~ (pattern | replace("'", "''")) ~ "'" -%}
    {%- set files = run_query("select file from glob(" ~ quoted_pattern ~ ") order by file").columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            pattern ~ ": file not found (expected columns " ~ columns | join(', ')
            ~ "); check var shop_raw_path, or run the generator first"
        ) }}
    {%- endif -%}
    {%- set whole = [] -%}
    {%- for file in files if file.replace('\\', '/').split('/')[-1] == table_name ~ '.csv' -%}
        {%- do whole.append(file) -%}
    {%- endfor -%}
    {%- if whole and files | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            whole[0] ~ ": found together with " ~ (files | length - 1) ~ " other " ~ table_name ~ "_*.csv file(s);"
            ~ " a table lands either as one whole file or as one file per day/month, not both"
            ~ " (every row would be read twice)"
        ) }}
    {%- endif -%}
    {%- do check_landed_months(files, table_name) -%}
    {%- if files | length == 1 -%}
        {#- one (possibly big) file: its first line as plain text, a delimiter that never occurs, no quoting -#}
        {%- set quoted_file = "'" ~ (files[0] | replace("'", "''")) ~ "'" -%}
        {%- set first_lines = run_query(
            "select line from read_csv(" ~ quoted_file ~ ", header = false, auto_detect = false,"
            ~ " columns = {'line': 'varchar'}, delim = chr(1), quote = '', escape = '') limit 1"
        ).columns[0].values() -%}
        {%- do check_raw_csv_header(files[0], first_lines[0] if first_lines else '', columns) -%}
    {%- else -%}
        {#- many landed files: one query finds the files whose text does not start with the header -#}
        {%- set suspects = run_query(
            "select filename, left(content, 4000) from read_text("
            ~ (quoted_pattern if header_files is none else '[' ~ sql_string_list(header_files) ~ ']') ~ ")"
            ~ " where not starts_with(content, '" ~ columns | join(',') ~ "' || chr(10))"
            ~ " order by filename limit 20"
        ) if header_files is none or header_files | length > 0 else none -%}
        {%- for row in (suspects.rows if suspects is not none else []) -%}
            {%- do check_raw_csv_header(row[0], (row[1] or '').split('\n')[0], columns) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- Landed files of one table: a month lands either as one monthly file (`<table>_YYYY-MM.csv`) or as daily
    files (`<table>_YYYY-MM-DD.csv`), never both - the monthly file would hold the days' rows again. Raises a
    compiler error naming the monthly file and a daily file of its month. -#}
{% macro check_landed_months(files, table_name) %}
    {%- set monthly = {} -%}
    {%- for file in files -%}
        {%- set match = modules.re.search('_(\\d{4}-\\d{2})\\.csv$', file) -%}
        {%- if match -%}
            {%- do monthly.update({match.group(1): file}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for file in files -%}
        {%- set match = modules.re.search('_(\\d{4}-\\d{2})-\\d{2}\\.csv$', file) -%}
        {%- if match and match.group(1) in monthly -%}
            {{ exceptions.raise_compiler_error(
                monthly[match.group(1)] ~ ": the month " ~ match.group(1) ~ " also lands as daily files (" ~ file
                ~ "); a month of " ~ table_name ~ " lands either as one monthly file or as daily files, not both"
                ~ " (its rows would be read twice)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{#- One raw CSV file's first line: not empty, and exactly `columns` in order (a trailing carriage return, a
    byte-order mark, quotes and spaces around names are fine). -#}
{% macro check_raw_csv_header(path, first_line, columns) %}
    {%- set line = first_line.replace('\ufeff', '').replace('\r', '') -%}
    {%- if line | trim == '' -%}
        {{ exceptions.raise_compiler_error(path ~ ": file is empty, expected a header line: " ~ columns | join(',')) }}
    {%- endif -%}
    {%- set header = [] -%}
    {%- for name in line.split(',') -%}
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
            path ~ ": wrong header - " ~ problems | join('; ') ~ ". Found header: " ~ line
            ~ " | expected: " ~ columns | join(',')
        ) }}
    {%- endif -%}
{% endmacro %}
