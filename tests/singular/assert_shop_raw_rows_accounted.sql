{{ config(enabled=var('source_system', 'shop') == 'shop', group='ingestion') }}
-- "Nothing is lost", against counts taken independently of the ledger (int_shop__dq_row_counts): the lines
-- of the raw files counted through the sources (header lines included, as staging reads them) equal the
-- staged lines, the ledger's clean rows are the rows really in the clean models, and raw = clean +
-- quarantined. Returns one row per table that does not add up.
with

file_lines as (
    {%- for table_name in ['users', 'items', 'orders', 'events'] %}
        select
            '{{ table_name }}' as source_table,
            count(*) as file_lines
        from {{ source('shop', table_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

staged_lines as (
    {%- for table_name in ['users', 'items', 'orders', 'events'] %}
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
        file_lines.source_table,
        file_lines.file_lines,
        staged_lines.staged_lines,
        staged_lines.header_lines,
        clean_counts.model_rows
        + case when file_lines.source_table = 'users' then merged_users.merged_rows else 0 end as model_rows,
        ledger.raw_rows,
        ledger.clean_rows,
        ledger.quarantined_rows
    from file_lines
    left join staged_lines on file_lines.source_table = staged_lines.source_table
    left join clean_counts on file_lines.source_table = clean_counts.source_table
    left join ledger on file_lines.source_table = ledger.source_table
    cross join merged_users
)

select *
from compared
where
    raw_rows is null
    or file_lines <> staged_lines
    or raw_rows <> staged_lines - header_lines
    or clean_rows <> model_rows
    or raw_rows <> clean_rows + quarantined_rows
