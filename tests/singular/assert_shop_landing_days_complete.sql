{{ config(enabled=var('source_system', 'shop') == 'shop', group='ingestion', severity='warn') }}
-- Warns on every gap between the first and the last landing day where no partition of orders or of events
-- landed: days the export missed (or that have not arrived yet), one row per gap. The build goes on; a day is
-- read when it lands, as long as it lands within the lookback window.
with

landed as (
    select distinct
        case when source_file like 'orders/%' then 'orders' else 'events' end as source_table,
        landed_on
    from {{ ref('stg_shop__raw_files') }}
    where landed_on is not null
),

next_landed as (
    select
        source_table,
        landed_on,
        lead(landed_on) over (partition by source_table order by landed_on) as next_landed_on
    from landed
)

select
    source_table,
    cast({{ dbt.dateadd('day', 1, 'landed_on') }} as date) as first_missing_day,
    cast({{ dbt.dateadd('day', -1, 'next_landed_on') }} as date) as last_missing_day
from next_landed
where {{ dbt.datediff('landed_on', 'next_landed_on', 'day') }} > 1
