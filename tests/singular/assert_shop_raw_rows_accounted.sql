{{ config(enabled=var('source_system', 'shop') == 'shop', group='ingestion') }}
-- "Nothing is lost", against counts taken independently of the ledger (int_shop__dq_row_counts): the lines
-- of the raw files counted through the sources (header lines included, as staging reads them) equal the
-- staged lines of each file, the ledger's clean rows are the rows really in the clean models, and raw = clean +
-- quarantined. Returns one row per table or file that does not add up. The files are counted again where this
-- build read them: the snapshots and whole-table files, and the partitions of the lookback window (a file
-- landed earlier was counted by the build that loaded it, and incremental builds never rewrite it); a
-- `--full-refresh` counts every file.
{%- set tables = ['users', 'items', 'orders', 'events'] %}
with

file_lines as (
    {%- for table_name in tables %}
        select
            '{{ table_name }}' as source_table,
            {{ raw_file_name('filename') }} as source_file,
            count(*) as file_lines
        from {{ source('shop', table_name) }}
        {%- if table_name in ['orders', 'events'] and not flags.FULL_REFRESH %}
            where {{ in_lookback_window(raw_file_landed_on('filename'), ref('stg_shop__' ~ table_name)) }}
        {%- endif %}
        group by {{ raw_file_name('filename') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

staged_files as (
    {%- for table_name in tables %}
        select
            '{{ table_name }}' as source_table,
            source_file,
            count(*) as staged_lines
        from {{ ref('stg_shop__' ~ table_name) }}
        group by source_file
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

unequal_files as (
    select
        file_lines.source_table,
        file_lines.source_file,
        file_lines.file_lines,
        staged_files.staged_lines
    from file_lines
    left join staged_files
        on file_lines.source_table = staged_files.source_table and file_lines.source_file = staged_files.source_file
    where staged_files.staged_lines is null or staged_files.staged_lines <> file_lines.file_lines
),

staged_lines as (
    {%- for table_name in tables %}
        select
            '{{ table_name }}' as source_table,
            count(*) as staged_lines,
            sum(case when is_header_row then 1 else 0 end) as header_lines
        from {{ ref('stg_shop__' ~ table_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

clean_counts as (
    select
        'users' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__customers') }}
    where not is_inferred
    union all
    select
        'items' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__items') }}
    where not is_inferred
    union all
    select
        'orders' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__order_lines') }}
    union all
    -- a clean event reached with each of its distinct raw parameter rows
    select
        'events' as source_table,
        sum(distinct_parameter_rows) as model_rows
    from {{ ref('int_shop__events') }}
),

merged_users as (
    -- clean users that are not a customer of their own: merged into another account
    select count(*) as merged_rows
    from {{ ref('int_shop__users') }}
    where quarantine_reason is null and is_merged
),

ledger as (
    select * from {{ ref('int_shop__dq_row_counts') }}
),

compared as (
    select
        staged_lines.source_table,
        staged_lines.staged_lines,
        staged_lines.header_lines,
        clean_counts.model_rows
        + case when staged_lines.source_table = 'users' then merged_users.merged_rows else 0 end as model_rows,
        ledger.raw_rows,
        ledger.clean_rows,
        ledger.quarantined_rows
    from staged_lines
    left join clean_counts on staged_lines.source_table = clean_counts.source_table
    left join ledger on staged_lines.source_table = ledger.source_table
    cross join merged_users
)

select
    source_table,
    {{ safe_cast_value('null', dbt.type_string()) }} as source_file,
    'ledger' as problem
from compared
where
    raw_rows is null
    or raw_rows <> staged_lines - header_lines
    or clean_rows <> model_rows
    or raw_rows <> clean_rows + quarantined_rows

union all

select
    source_table,
    source_file,
    'file lines differ from staged lines' as problem
from unequal_files
