{{ config(enabled=var('source_system', 'shop') == 'online_retail') }}
-- "Nothing is lost" against a count taken straight from the raw file through the source (not from any model):
-- the ledger's raw rows are the lines of the file, and they add up to clean + quarantined lines.
with

file_lines as (
    select count(*) as file_lines
    from {{ source('online_retail', 'online_retail') }}
),

ledger as (
    select * from {{ ref('int_online_retail__dq_row_counts') }}
)

select
    ledger.raw_rows,
    ledger.clean_rows,
    ledger.quarantined_rows,
    file_lines.file_lines
from ledger
cross join file_lines
where
    ledger.raw_rows <> file_lines.file_lines
    or ledger.raw_rows <> ledger.clean_rows + ledger.quarantined_rows
