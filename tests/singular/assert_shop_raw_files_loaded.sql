{{ config(enabled=var('source_system', 'shop') == 'shop') }}
-- Every landed orders/events file on disk has been read, and every file read is still on disk. An
-- incremental run reads only files landed within var('late_arrival_days') of its high-water mark: a file that
-- lands later than that (or is removed) fails here instead of being silently skipped; `dbt build
-- --full-refresh` reads it. Lists file names only (glob), so it costs nothing at any scale.
with

on_disk as (
    {%- for table_name in ['orders', 'events'] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ table_name }}' as source_table,
            {{ file_base_name('file') }} as source_file
        from glob('{{ shop_raw_glob(table_name) }}')
    {%- endfor %}
),

loaded as (
    select
        source_table,
        source_file
    from {{ ref('int_shop__landed_files') }}
),

final as (
    select
        coalesce(on_disk.source_table, loaded.source_table) as source_table,
        coalesce(on_disk.source_file, loaded.source_file) as source_file,
        case
            when loaded.source_file is null then 'on disk but never read: run dbt build --full-refresh'
            else 'read but no longer on disk'
        end as problem
    from on_disk
    full outer join loaded
        on
            on_disk.source_table = loaded.source_table
            and on_disk.source_file = loaded.source_file
    where on_disk.source_file is null or loaded.source_file is null
)

select * from final
