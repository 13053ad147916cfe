{{ config(enabled=var('source_system', 'shop') == 'shop', group='ingestion') }}
-- Every CSV file under shop_raw_path is in a layout the project reads, was loaded, and had exactly one header
-- line (the sources read the header as a row, so a missing, misspelled or reordered header shows here). A
-- problem stops the build with one line naming the file and what to do (raise_error), not a row count.
with

listed as (
    select * from {{ ref('stg_shop__raw_files') }}
),

loaded as (
    {%- for table_name in ['users', 'items', 'orders', 'events'] %}
        select
            '{{ table_name }}' as source_table,
            source_file,
            sum(case when is_header_row then 1 else 0 end) as header_lines
        from {{ ref('stg_shop__' ~ table_name) }}
        group by source_file
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

in_layout as (
    select
        source_file,
        landed_on,
        source_file in ('users.csv', 'items.csv', 'orders.csv', 'events.csv')
        or (landed_on is not null and (source_file like 'orders/%' or source_file like 'events/%'))
            as is_in_layout
    from listed
),

problems as (
    select
        source_file,
        'is not in a layout this project reads: users.csv and items.csv, and orders and events as one '
        || '<table>.csv or as <table>/landed_on=YYYY-MM-DD/<name>.csv partitions, all directly in shop_raw_path'
            as problem
    from in_layout
    where not is_in_layout

    union all

    select
        in_layout.source_file,
        'was not loaded: it landed before the lookback window of the tables that read it; run '
        || 'dbt build --full-refresh to read every file again' as problem
    from in_layout
    left join loaded on in_layout.source_file = loaded.source_file
    where in_layout.is_in_layout and loaded.source_file is null

    union all

    select
        loaded.source_file,
        'is loaded but no longer in shop_raw_path: put it back, or run dbt build --full-refresh to drop its rows'
            as problem
    from loaded
    left join listed on loaded.source_file = listed.source_file
    where listed.source_file is null

    union all

    select
        source_file,
        {{ dbt.concat([
            "'has '", safe_cast_value('header_lines', dbt.type_string()),
            "' header lines instead of one: its first line must name the columns of the case-study export, '",
            "'in order (see the shop source in models/staging/shop/_shop__sources.yml); fix the file and build again'"
        ]) }} as problem
    from loaded
    where header_lines <> 1

    union all

    select
        min(source_file) as source_file,
        {{ dbt.concat([
            "'lands next to other files of the same table in another layout: keep either one whole '",
            "min(source_table)", "'.csv or its landed_on=YYYY-MM-DD partitions, not both'"
        ]) }} as problem
    from (
        select
            source_file,
            case when source_file like 'orders%' then 'orders' else 'events' end as source_table,
            case when landed_on is null then 'whole' else 'partitioned' end as layout
        from in_layout
        where is_in_layout and (source_file like 'orders%' or source_file like 'events%')
    ) as layouts
    group by source_table
    having count(distinct layout) > 1
)

select {{ raise_error(dbt.concat(["'shop raw file '", 'source_file', "' '", 'problem'])) }} as error
from problems
