-- One row per day for MetricFlow's metric_time (cumulative metrics and filled gaps join to it). A fixed range
-- wider than any source's sales keeps it independent of the data and of the wall clock.
with

days as (

    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2041-01-01' as date)") }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
