-- The patterns marts with a composite grain have one row per grain key (no hub package for a combination test).
with

hour_weekday as (
    select
        'sales_by_hour_weekday' as model_name,
        {{ dbt.concat(["cast(day_of_week as " ~ dbt.type_string() ~ ")", "'|'",
                       "cast(hour_of_day as " ~ dbt.type_string() ~ ")"]) }} as grain_key
    from {{ ref('sales_by_hour_weekday') }}
),

order_size as (
    select
        'order_size_distribution' as model_name,
        {{ dbt.concat(["measure", "'|'", "cast(bucket_number as " ~ dbt.type_string() ~ ")"]) }} as grain_key
    from {{ ref('order_size_distribution') }}
),

cohorts as (
    select
        'cohort_retention' as model_name,
        {{ dbt.concat(["cast(cohort_month as " ~ dbt.type_string() ~ ")", "'|'",
                       "cast(month_number as " ~ dbt.type_string() ~ ")"]) }} as grain_key
    from {{ ref('cohort_retention') }}
),

all_keys as (
    select * from hour_weekday
    union all
    select * from order_size
    union all
    select * from cohorts
),

final as (
    select
        model_name,
        grain_key,
        count(*) as rows_with_key
    from all_keys
    group by model_name, grain_key
    having count(*) > 1
)

select * from final
