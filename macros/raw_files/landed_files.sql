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
    month, and a whole-table file (no date) lands on 1970-01-01, so it is re-read on every run. Staging and the
    file listings below use the same rule. (regexp_extract, like the file reader itself, is DuckDB's: raw
    files are only read on DuckDB; everything after staging stays portable.) -#}
{% macro landed_on_from_file(column) -%}
    coalesce(
        try_cast(regexp_extract({{ column }}, '_(\d{4}-\d{2}-\d{2})\.csv$', 1) as date),
        try_cast(regexp_extract({{ column }}, '_(\d{4}-\d{2})\.csv$', 1) || '-01' as date),
        cast('1970-01-01' as date)
    )
{%- endmacro %}

{#- The lineage columns of a staged row of a landed table: the file path as read (incremental models filter on
    it), its base name and its landing day. -#}
{% macro landed_file_columns(column) -%}
    {{ column }} as source_path,
    {{ file_base_name(column) }} as source_file,
    {{ landed_on_from_file(column) }} as landed_on
{%- endmacro %}

{#- The first landing day an incremental run reads: the model's high-water mark (max landed_on in its table,
    optionally restricted by `high_water_where`) minus var('late_arrival_days'); 1970-01-01 (everything) on a
    full build or an empty table. Returns a 'YYYY-MM-DD' string. -#}
{% macro late_arrival_start(high_water_where='1 = 1') %}
    {%- set start = late_arrival_start_of(this, high_water_where) if is_incremental() else none -%}
    {{ return(start if start is not none else '1970-01-01') }}
{% endmacro %}

{#- The high-water mark of a table of landed rows (max landed_on, optionally restricted by `high_water_where`)
    minus var('late_arrival_days'), as a 'YYYY-MM-DD' string; none when the table holds no row. -#}
{% macro late_arrival_start_of(relation, high_water_where='1 = 1') %}
    {%- set high_water = run_query(
        "select max(landed_on) from " ~ relation ~ " where " ~ high_water_where
    ).columns[0].values()[0] -%}
    {%- if high_water is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return((high_water - modules.datetime.timedelta(days=var('late_arrival_days') | int)).strftime('%Y-%m-%d')) }}
{% endmacro %}

{#- The files an incremental run reads: those landed since late_arrival_start; every file on a full build.
    Listed from the folder (glob, names only) at run time. A whole-table file (no date in its name) lands on
    1970-01-01 and is read on every run. Returns the file paths, sorted. -#}
{% macro late_arrival_files(table_name, high_water_where='1 = 1') %}
    {%- do assert_staging_reads_raw_path(table_name) -%}
    {{ return(landed_files_since(table_name, late_arrival_start(high_water_where), '>=')) }}
{% endmacro %}

{#- Stops a run whose staging view of a landed table reads another folder than var('shop_raw_path'). The files
    listed from the var would match none of the view's rows, and an incremental model would replace its window
    with nothing. It happens when a selection leaves the view out after shop_raw_path changed. Only commands
    that write tables stop: `dbt compile`, `dbt show` and `dbt docs generate` change nothing, and are often run
    without the build's vars. The view's definition comes from duckdb_views(): raw files are only read on
    DuckDB. A view not built yet is left to the query, which fails on it by name. -#}
{% macro assert_staging_reads_raw_path(table_name) %}
    {%- if flags.WHICH not in ['run', 'build', 'retry'] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set view = ref('stg_shop__' ~ table_name) -%}
    {%- set definition_query -%}
        select sql from duckdb_views()
        where database_name = '{{ view.database }}' and schema_name = '{{ view.schema }}'
            and view_name = '{{ view.identifier }}'
    {%- endset -%}
    {%- set definitions = run_query(definition_query).columns[0].values() -%}
    {%- set glob = shop_raw_glob(table_name) -%}
    {%- if definitions and "'" ~ glob ~ "'" not in definitions[0] -%}
        {%- do exceptions.raise_compiler_error(
            view.identifier ~ " was built on another folder than shop_raw_path (" ~ var('shop_raw_path')
            ~ "): it does not read " ~ glob ~ ". Select it too (dbt run --select " ~ view.identifier ~ "+) or run"
            ~ " dbt build, so the view reads the folder this run lists."
        ) -%}
    {%- endif -%}
{% endmacro %}

{#- The table's landed files whose landing day compares `op` to `start` (a 'YYYY-MM-DD' string), sorted. -#}
{% macro landed_files_since(table_name, start, op) %}
    {%- set files_query -%}
        select file from glob('{{ shop_raw_glob(table_name) }}')
        where {{ landed_on_from_file('file') }} {{ op }} cast('{{ start }}' as date)
        order by file
    {%- endset -%}
    {{ return(run_query(files_query).columns[0].values() | list) }}
{% endmacro %}

{#- SQL string literals of `values`, comma-separated ('null' for none, so `in (...)` stays valid). -#}
{% macro sql_string_list(values) %}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(quoted | join(', ') if quoted else 'null') }}
{% endmacro %}

{#- `source_path in (<files>)` with the files as literals: DuckDB then opens only those files (a filter on an
    expression of the file name is not pushed through the staging view; an IN list of names is). The marker
    comments around the list let insert_later_landed_batches swap in another batch's files: a closing
    parenthesis cannot mark the end, a folder name may contain one. -#}
{% macro landed_files_predicate(files) %}
    {{ return('source_path in (/* landed files */ ' ~ sql_string_list(files) ~ ' /* end of landed files */)') }}
{% endmacro %}

{#- The day a file landed, from its name or path, as a 'YYYY-MM-DD' string: the rule of landed_on_from_file. -#}
{% macro landed_day_of(name) %}
    {%- set day = modules.re.search('_(\\d{4}-\\d{2}-\\d{2})\\.csv$', name) -%}
    {%- set month = modules.re.search('_(\\d{4}-\\d{2})\\.csv$', name) -%}
    {{ return(day.group(1) if day else (month.group(1) ~ '-01' if month else '1970-01-01')) }}
{% endmacro %}

{#- The rows of the named landed files in a table of landed rows: `landed_on in (<days>) and source_file in
    (<names>)`, all literals. The landing days come from the names (the rule of landed_on_from_file) and let
    DuckDB skip the row groups of other days by their min/max; a string's min/max keeps only its first bytes,
    which all files of a table share, so the names alone skip nothing. -#}
{% macro landed_rows_predicate(names) %}
    {%- set days = [] -%}
    {%- for name in names -%}
        {%- set landed = landed_day_of(name) -%}
        {%- if landed not in days -%}
            {%- do days.append(landed) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set day_literals = [] -%}
    {%- for landed in days -%}
        {%- do day_literals.append("cast('" ~ landed ~ "' as date)") -%}
    {%- endfor -%}
    {{ return(
        'landed_on in (' ~ (day_literals | join(', ') if day_literals else 'null') ~ ')'
        ~ ' and source_file in (' ~ sql_string_list(names) ~ ')'
    ) }}
{% endmacro %}

{#- The filter an incremental model puts on a staging view of landed files: all files of its run (see
    late_arrival_files). Files that land later than the window are not read: assert_shop_raw_files_loaded
    fails on them and `dbt build --full-refresh` reads them. -#}
{% macro late_arrival_files_filter(table_name, high_water_where='1 = 1') %}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {{ return(landed_files_predicate(late_arrival_files(table_name, high_water_where))) }}
{% endmacro %}

{#- Like late_arrival_files_filter, but only the files of the run's first batch (landed_batches): a model
    whose memory grows with what it reads (a fold over all events) then reads one batch per statement. The
    later batches follow the filter as a json_comment, for the post-hook insert_later_landed_batches to insert
    one by one. An incremental run after a day lands has one batch, so the hook has nothing to do. -#}
{% macro first_landed_batch_filter(table_name) %}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set batches = landed_batches(late_arrival_files(table_name)) -%}
    {{ return(
        landed_files_predicate(batches[0] if batches else [])
        ~ ' ' ~ json_comment('later landed batches', batches[1:])
    ) }}
{% endmacro %}

{#- Landed files in batches of at most var('landed_batch_mb') MB of raw CSV, in landing order (landing day,
    then name). A landing day is never split, so a batch holds one day at least. A statement's memory and time
    grow faster than what it reads once its aggregate no longer fits the memory limit: at scale 100 a month of
    events files (180 MB) folded in 20 s, the same month in three batches of about 60 MB in 11 s. The sizes
    come from the files' metadata (read_blob without its content column reads no file). -#}
{% macro landed_batches(files) %}
    {%- if not files -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set size_rows = run_query(
        "select filename, size from read_blob([" ~ sql_string_list(files) ~ "])"
    ).rows -%}
    {%- set sizes = {} -%}
    {%- for row in size_rows -%}
        {%- do sizes.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set days = {} -%}
    {%- for file in files -%}
        {%- do days.setdefault(landed_day_of(file), []).append(file) -%}
    {%- endfor -%}
    {%- set limit = var('landed_batch_mb') * 1024 * 1024 -%}
    {%- set batches = [] -%}
    {%- set batch_bytes = [] -%}
    {%- for day in days.keys() | sort -%}
        {%- set day_files = days[day] | sort -%}
        {%- set day_sizes = [] -%}
        {%- for file in day_files -%}
            {%- if file not in sizes -%}
                {{ exceptions.raise_compiler_error(file ~ ": landed_batches found no size for this file") }}
            {%- endif -%}
            {%- do day_sizes.append(sizes[file]) -%}
        {%- endfor -%}
        {%- set day_bytes = day_sizes | sum -%}
        {%- if not batches or batch_bytes[-1] + day_bytes > limit -%}
            {%- do batches.append([]) -%}
            {%- do batch_bytes.append(0) -%}
        {%- endif -%}
        {%- do batches[-1].extend(day_files) -%}
        {%- do batch_bytes.append(batch_bytes.pop() + day_bytes) -%}
    {%- endfor -%}
    {{ return(batches) }}
{% endmacro %}

{#- Post-hook of a model filtered with first_landed_batch_filter: each later batch of the run, one statement
    each - delete the batch's files' rows (a re-landed file), then insert the model's own compiled query with
    the batch's files swapped in. The batches are the ones the compiled query lists (computed once, when the
    model compiled: the table's high-water mark has moved since). Renders no SQL. -#}
{% macro insert_later_landed_batches() %}
    {%- if execute -%}
        {%- set pattern = modules.re.compile(
            "source_path in \\(/\\* landed files \\*/ .*? /\\* end of landed files \\*/\\)", modules.re.DOTALL
        ) -%}
        {%- if not pattern.search(compiled_code) -%}
            {{ exceptions.raise_compiler_error(this ~ ": insert_later_landed_batches needs first_landed_batch_filter in the model") }}
        {%- endif -%}
        {%- for batch in json_comment_in(compiled_code, 'later landed batches') -%}
            {%- set names = [] -%}
            {%- for file in batch -%}
                {%- do names.append(file.replace('\\', '/').split('/')[-1]) -%}
            {%- endfor -%}
            {%- do run_query("delete from " ~ this ~ " where " ~ landed_rows_predicate(names)) -%}
            {%- set batch_sql = pattern.sub(landed_files_predicate(batch) | replace('\\', '\\\\'), compiled_code) -%}
            {%- do run_query("insert into " ~ this ~ " select * from (" ~ batch_sql ~ ") as landed_batch") -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
