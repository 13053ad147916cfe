{{ config(enabled=var('source_system', 'shop') == 'shop', group='ingestion', severity='warn') }}
-- Warns on every landing day between the first and the last that has no partition of orders or of events: a
-- day the export missed (or that has not arrived yet). The build goes on; the day is read when it lands, as
-- long as it lands within the lookback window.
with recursive

landed as (
    select
        case when source_file like 'orders/%' then 'orders' else 'events' end as source_table,
        landed_on
    from {{ ref('stg_shop__raw_files') }}
    where landed_on is not null
),

bounds as (
    select
        source_table,
        min(landed_on) as first_day,
        max(landed_on) as last_day
    from landed
    group by source_table
),

calendar (source_table, landed_on, last_day) as (
    select
        source_table,
        first_day as landed_on,
        last_day
    from bounds

    union all

    select
        source_table,
        cast({{ dbt.dateadd('day', 1, 'landed_on') }} as date) as landed_on,
        last_day
    from calendar
    where landed_on < last_day
)

select
    calendar.source_table,
    calendar.landed_on as missing_day
from calendar
left join landed
    on calendar.source_table = landed.source_table and calendar.landed_on = landed.landed_on
where landed.landed_on is null
