{#- Every quarantined raw row has its reason: on the issues model (one row per flagged/quarantined record),
    fails on every source table whose count of `quarantined` rows differs from quarantined_rows in
    `row_counts` (one row per raw table), in either direction - a quarantined row without a reason, or a
    reason without a quarantined row. -#}
{% test quarantine_reported(model, row_counts) %}

    with

    reported as (
        select
            source_table,
            count(*) as reported_rows
        from {{ model }}
        where action = 'quarantined'
        group by source_table
    ),

    counted as (
        select
            source_table,
            quarantined_rows
        from {{ row_counts }}
    ),

    compared as (
        select
            coalesce(counted.source_table, reported.source_table) as source_table,
            coalesce(counted.quarantined_rows, 0) as quarantined_rows,
            coalesce(reported.reported_rows, 0) as reported_rows
        from counted
        full outer join reported on counted.source_table = reported.source_table
    )

    select *
    from compared
    where quarantined_rows <> reported_rows

{% endtest %}
