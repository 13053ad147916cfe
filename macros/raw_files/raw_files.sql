{#- Raw files land in one of two layouts (docs/architecture.md, "Landing raw files"): a whole file per table
    (`orders.csv`, the case study's layout) or one hive partition per landing day
    (`orders/landed_on=2018-06-30/orders.csv`). Staging derives where a row came from with these macros;
    regexp_extract with a character-class pattern reads the same on DuckDB and Spark. -#}

{#- The file's name below the raw folder: `orders.csv` or `orders/landed_on=2018-06-30/orders.csv`. Tables
    never depend on where the raw folder sits. -#}
{% macro raw_file_name(path) -%}
    regexp_extract({{ path }}, '([^/]+/landed_on=[^/]+/)?[^/]+$', 0)
{%- endmacro %}

{#- The landing day of a file from its hive partition; null for a whole-table file, which has none and is read
    by every build. An expression of the path only, so DuckDB prunes the files a filter on it excludes. -#}
{% macro raw_file_landed_on(path) -%}
    {{ safe_cast_value(
        "nullif(regexp_extract(" ~ path ~ ", '/landed_on=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]+$', 1), '')", 'date'
    ) }}
{%- endmacro %}

{#- The first landing day an incremental model re-reads: the latest landing day it holds minus
    var('late_arrival_days'), so late or re-delivered files of the last days replace their rows. A
    'YYYY-MM-DD' string; none on a full build or while the model holds no landed row (read everything). -#}
{% macro lookback_start() %}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(lookback_start_of(this)) }}
{% endmacro %}

{#- The latest landing day a relation holds minus var('late_arrival_days'), as 'YYYY-MM-DD'; none when it
    holds no landed row, is not built yet, or at parse time. The only query a model runs at compile time: the
    window goes into the model's SQL as a constant date, which the engine can prune landed_on= partitions by
    before reading files; a `(select max(landed_on) from this)` subquery in the filter is only known once the
    scan has started. It reads the model's own table (is_incremental()), never a file listing. -#}
{% macro lookback_start_of(relation) %}
    {%- if not execute or adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set high_water = run_query('select max(landed_on) from ' ~ relation).columns[0].values()[0] -%}
    {%- if high_water is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = high_water - modules.datetime.timedelta(days=validated_integer('late_arrival_days', minimum=0)) -%}
    {{ return(start.strftime('%Y-%m-%d')) }}
{% endmacro %}

{#- The rows an incremental run reads again: whole-table files (no landing day) and the partitions landed on
    or after lookback_start() (or lookback_start_of(relation) when a relation is given). `landed_on` is an
    expression of the file path, so only those files are opened. True on a full build. -#}
{% macro in_lookback_window(landed_on, relation=none) -%}
    {%- set start = lookback_start() if relation is none else lookback_start_of(relation) -%}
    {%- if start is none -%}
        1 = 1
    {%- else -%}
        ({{ landed_on }} is null or {{ landed_on }} >= cast('{{ start }}' as date))
    {%- endif -%}
{%- endmacro %}

{#- The versions (rows of `versions`: source_file and `columns`) the model's own table does not hold: a file
    version or var value it was not built from. A null never matches, so a file of unknown version counts as
    new. The query both filters of incremental_by_file_version models share. -#}
{% macro versions_not_held(versions, columns) -%}
    select versions.source_file
    from ({{ versions }}) as versions
    where not exists (
        select 1
        from {{ this }} as held
        where
            held.source_file = versions.source_file
            {%- for column in columns %}
            and held.{{ column }} = versions.{{ column }}
            {%- endfor %}
    )
{%- endmacro %}

{#- The filter of a model of snapshot files (incremental_by_file_version) on its source rows: the files of the
    listing `raw_files` (source_file, size_bytes, modified_at) whose size or modification time differ from the
    version the model holds. When none differs the engine opens no file (an empty semi-join); `1 = 1` on a full
    build. -#}
{% macro in_changed_files(path, raw_files) -%}
    {%- if execute and is_incremental() -%}
        {%- set listed -%}
            select
                source_file,
                size_bytes as source_file_size_bytes,
                modified_at as source_file_modified_at
            from {{ raw_files }}
        {%- endset -%}
        {%- set changed_files = versions_not_held(listed, ['source_file_size_bytes', 'source_file_modified_at']) -%}
        {{ raw_file_name(path) }} in ({{ few_values(changed_files, 'source_file') }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- The filter of a model built on a whole snapshot (the users chain) whose every row depends on all of it: on an
    incremental build, true when `versions` (source_file and `columns`: the file version and the var values the
    rows would be built from) holds one the model's table does not (versions_not_held), so all rows are built
    again and replace the held ones (delete+insert by source_file); false when nothing changed, and the model
    reads no row. `1 = 1` on a full build. -#}
{% macro snapshot_changed(versions, columns) -%}
    {%- if execute and is_incremental() -%}
        exists ({{ versions_not_held(versions, columns) }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- snapshot_changed for a model built on another model of the users chain, whose rows carry source_file and the
    snapshot version they were built from (source_file_size_bytes, source_file_modified_at, extracted_at): true
    when `relation` holds a version this model does not. -#}
{% macro snapshot_changed_in(relation) -%}
    {%- set columns = ['source_file_size_bytes', 'source_file_modified_at', 'extracted_at'] -%}
    {%- set versions -%}
        select distinct source_file, {{ columns | join(', ') }} from {{ relation }}
    {%- endset -%}
    {{ snapshot_changed(versions, columns) }}
{%- endmacro %}

{#- A query's one column as a subquery the engine puts on the build side of a semi-join with raw lines. DuckDB
    estimates a CSV scan at a few dozen rows and chose to hash every line of users.csv instead (out of memory at
    scale 100); the values folded into one list and unnested again are estimated at one row. Dispatched. -#}
{% macro few_values(query, column) -%}
    {{ return(adapter.dispatch('few_values')(query, column)) }}
{%- endmacro %}

{% macro default__few_values(query, column) -%}
    {{ query }}
{%- endmacro %}

{% macro duckdb__few_values(query, column) -%}
    select unnest(listed.values_of_query) from (
        select array_agg({{ column }}) as values_of_query from ({{ query }}) as query_rows
    ) as listed
{%- endmacro %}

{#- One row's aggregate of (key, value) pairs into a map from key to value, to look values up per raw line
    without a join: for the same reason as few_values, a join of every line to the file listing made the lines the
    build side of a hash table. Dispatched. -#}
{% macro map_by_key(key, value) -%}
    {{ return(adapter.dispatch('map_by_key')(key, value)) }}
{%- endmacro %}

{% macro default__map_by_key(key, value) -%}
    map_from_entries(array_agg(row({{ key }}, {{ value }})))
{%- endmacro %}

{% macro spark__map_by_key(key, value) -%}
    map_from_entries(collect_list(struct({{ key }}, {{ value }})))
{%- endmacro %}

{#- Stops the query with `message` (a SQL string expression) as the error, for problems a human must fix
    (a malformed raw file). Evaluated per row: put it behind a filter that keeps only the problem rows. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}

{#- A 64-bit fingerprint of a raw row's values (nulls included): identical rows share it, so copies are
    numbered and found across files by one column instead of all of them. -#}
{% macro row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('row_fingerprint')(columns)) }}
{%- endmacro %}

{% macro default__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_fingerprint(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{#- The values of `expression` (a fingerprint) that more than one row of `relation` has, each listed at least
    once. Grouping by the value is what any warehouse can do; DuckDB sorts the values and compares each with
    the one before it instead, which took 4.6 s against 7.2 s over 85M fingerprints at scale 100 (a hash table
    of that many groups spills, a sort of 64-bit integers does not). -#}
{% macro repeated_values(expression, relation) -%}
    {{ return(adapter.dispatch('repeated_values')(expression, relation)) }}
{%- endmacro %}

{% macro default__repeated_values(expression, relation) -%}
    select {{ expression }} as repeated_value
    from {{ relation }}
    group by {{ expression }}
    having count(*) > 1
{%- endmacro %}

{% macro duckdb__repeated_values(expression, relation) -%}
    select ordered_values.repeated_value
    from (
        select
            listed_values.listed_value as repeated_value,
            lag(listed_values.listed_value) over (order by listed_values.listed_value) as previous_value
        from (select {{ expression }} as listed_value from {{ relation }}) as listed_values
    ) as ordered_values
    where ordered_values.repeated_value = ordered_values.previous_value
{%- endmacro %}

{#- The line is the file's header: every column holds its own name. With `header = false` the header is read as
    a row, so a file whose header is missing or differs shows up by name (assert_shop_raw_files_well_formed). -#}
{% macro is_header_row(columns) -%}
    (
        {%- for column in columns %}
            {{ column }} = '{{ column }}'{% if not loop.last %} and{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- The raw rows of `relation` that pass `where`, each with its fingerprint and its copy number among identical
    rows of the same file (1 = first). Identical lines are rare (a few per ten thousand), so only they are
    numbered: a narrow pass finds the repeated (file, fingerprint) pairs, and the relation is read again for the
    single lines (copy 1) and once more for the repeated ones (numbered by a window). A window over every line
    buffered every staged column and spilled: the events' staging alone at scale 100 took 303.5 s that way and
    272.8 s this way (a fourth less CPU). Each read names the relation itself: a CTE read twice is materialized
    whole by DuckDB; only the small set of repeated pairs is shared. The raw columns are named unqualified: the
    pairs carry only the two fingerprints. -#}
{% macro numbered_raw_rows(relation, columns, where='1 = 1') -%}
    {%- set file_fingerprint = row_fingerprint(['filename']) -%}
    {%- set line_fingerprint = row_fingerprint(columns) -%}
    with

    repeated_lines as (
        select
            {{ file_fingerprint }} as file_fingerprint,
            {{ line_fingerprint }} as row_fingerprint
        from {{ relation }}
        where {{ where }}
        group by {{ file_fingerprint }}, {{ line_fingerprint }}
        having count(*) > 1
    ),

    single_lines as (
        select
            raw_rows.*,
            {{ line_fingerprint }} as row_fingerprint,
            1 as copy_number
        from {{ relation }} as raw_rows
        left join repeated_lines
            on
                {{ file_fingerprint }} = repeated_lines.file_fingerprint
                and {{ line_fingerprint }} = repeated_lines.row_fingerprint
        where {{ where }} and repeated_lines.row_fingerprint is null
    ),

    copied_lines as (
        select
            raw_rows.*,
            repeated_lines.row_fingerprint,
            {#- the rows of a partition are identical, so any numbering gives the same table; the order by is
                constant within the partition, there only because Spark requires one #}
            row_number() over (
                partition by repeated_lines.file_fingerprint, repeated_lines.row_fingerprint
                order by repeated_lines.row_fingerprint
            ) as copy_number
        from {{ relation }} as raw_rows
        inner join repeated_lines
            on
                {{ file_fingerprint }} = repeated_lines.file_fingerprint
                and {{ line_fingerprint }} = repeated_lines.row_fingerprint
        where {{ where }}
    )

    select * from single_lines
    union all
    select * from copied_lines
{%- endmacro %}

{#- The join condition of two reads of the same staged raw line (`left` and `right` are relation aliases): its
    file, fingerprint and copy number, the primary key of every shop staging model. -#}
{% macro same_raw_line(left, right) -%}
    {{ left }}.source_file = {{ right }}.source_file
    and {{ left }}.row_fingerprint = {{ right }}.row_fingerprint
    and {{ left }}.copy_number = {{ right }}.copy_number
{%- endmacro %}

{#- The lineage columns of a staged raw row read through numbered_raw_rows: its file, landing day, whether it is
    the header, its fingerprint and its copy number among identical rows of the same file. -#}
{% macro raw_row_columns(columns) -%}
    {{ raw_file_name('filename') }} as source_file,
    {{ raw_file_landed_on('filename') }} as landed_on,
    {{ is_header_row(columns) }} as is_header_row,
    row_fingerprint,
    copy_number
{%- endmacro %}
