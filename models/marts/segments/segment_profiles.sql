with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

segment_actions as (

    select * from {{ ref('segment_actions') }}

),

overall as (

    -- Deviations are measured in the model's own feature space (log1p), against the whole customer base.
    select
        count(*) as customers,
        sum(monetary) as revenue,
        avg(log_recency_days) as mean_log_recency,
        avg(log_frequency) as mean_log_frequency,
        avg(log_monetary) as mean_log_monetary,
        stddev_pop(log_recency_days) as sd_log_recency,
        stddev_pop(log_frequency) as sd_log_frequency,
        stddev_pop(log_monetary) as sd_log_monetary
    from customer_segments

),

per_segment as (

    select
        segment_id,
        segment_name,
        recency_level,
        frequency_level,
        monetary_level,
        count(*) as customers,
        sum(monetary) as revenue,
        -- Averages from exact integer/decimal sums: a sum of doubles depends on the order parallel threads add
        -- them, and two builds of the same data must give identical tables.
        cast(sum(recency_days) as {{ type_double() }}) / count(*) as avg_recency_days,
        cast(sum(frequency) as {{ type_double() }}) / count(*) as avg_frequency,
        cast(sum(monetary) as {{ type_double() }}) / count(*) as avg_monetary,
        avg(log_recency_days) as mean_log_recency,
        avg(log_frequency) as mean_log_frequency,
        avg(log_monetary) as mean_log_monetary
    from customer_segments
    group by segment_id, segment_name, recency_level, frequency_level, monetary_level

),

profiled as (

    select
        per_segment.segment_id,
        per_segment.segment_name,
        per_segment.recency_level,
        per_segment.frequency_level,
        per_segment.monetary_level,
        per_segment.customers,
        cast(per_segment.customers as {{ type_double() }}) / overall.customers as customer_share,
        per_segment.revenue,
        -- A catalogue of free items only would make revenue 0: no share is defined then.
        cast(per_segment.revenue as {{ type_double() }}) / nullif(overall.revenue, 0) as revenue_share,
        per_segment.avg_recency_days,
        per_segment.avg_frequency,
        per_segment.avg_monetary,
        -- A constant feature (sd 0) drives nothing: deviation 0, as in the model's own scaling. The log features
        -- are doubles, whose parallel sums differ in the last bits between runs: 6 decimals are kept, so two
        -- builds of the same data agree exactly.
        round(coalesce(
            (per_segment.mean_log_recency - overall.mean_log_recency) / nullif(overall.sd_log_recency, 0), 0
        ), 6) as recency_deviation_z,
        round(coalesce(
            (per_segment.mean_log_frequency - overall.mean_log_frequency) / nullif(overall.sd_log_frequency, 0), 0
        ), 6) as frequency_deviation_z,
        round(coalesce(
            (per_segment.mean_log_monetary - overall.mean_log_monetary) / nullif(overall.sd_log_monetary, 0), 0
        ), 6) as monetary_deviation_z
    from per_segment
    cross join overall

),

with_value as (

    select
        *,
        revenue_share / customer_share as value_index
    from profiled

),

matched_actions as (

    -- Each segment takes the most specific matching pattern (lowest priority); the catch-all row matches all.
    select
        with_value.segment_id,
        segment_actions.action_id,
        segment_actions.recommended_action,
        row_number() over (
            partition by with_value.segment_id
            order by segment_actions.priority, segment_actions.action_id
        ) as match_rank
    from with_value
    inner join segment_actions
        on
            segment_actions.recency_level in (with_value.recency_level, 'any')
            and segment_actions.frequency_level in (with_value.frequency_level, 'any')
            and segment_actions.monetary_level in (with_value.monetary_level, 'any')

),

final as (

    select
        cast(with_value.segment_id as {{ dbt.type_int() }}) as segment_id,
        with_value.segment_name,
        with_value.recency_level,
        with_value.frequency_level,
        with_value.monetary_level,
        cast(with_value.customers as {{ dbt.type_bigint() }}) as customers,
        with_value.customer_share,
        cast(with_value.revenue as decimal(38, 3)) as revenue,
        with_value.revenue_share,
        with_value.avg_recency_days,
        with_value.avg_frequency,
        with_value.avg_monetary,
        with_value.recency_deviation_z,
        with_value.frequency_deviation_z,
        with_value.monetary_deviation_z,
        with_value.value_index,
        cast(
            row_number() over (order by with_value.value_index desc, with_value.segment_id asc) as {{ dbt.type_int() }}
        ) as value_rank,
        matched_actions.action_id,
        matched_actions.recommended_action
    from with_value
    left join matched_actions
        on
            with_value.segment_id = matched_actions.segment_id
            and matched_actions.match_rank = 1

)

select * from final
