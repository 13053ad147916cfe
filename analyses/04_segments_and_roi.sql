-- Case study question 4: which customer segments are there, and what is each worth?
-- The segment profiles ordered by their value rank (value_index is past value, not an ROI), with each segment's
-- size re-counted from the customer-level assignments (so a mismatch between the two marts shows up here) and the
-- revenue per customer.
-- Off where the Python models are (dbt_project.yml's python_models_enabled; dbt 1.11 ignores analyses there).
{{ config(enabled=target.type != 'spark') }}
with

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

assigned as (
    select
        segment_id,
        count(*) as assigned_customers,
        sum(monetary) as assigned_revenue
    from customer_segments
    group by segment_id
),

final as (
    select
        segment_profiles.value_rank,
        segment_profiles.segment_id,
        segment_profiles.segment_name,
        segment_profiles.customers,
        assigned.assigned_customers,
        segment_profiles.customer_share,
        segment_profiles.revenue,
        segment_profiles.revenue_share,
        segment_profiles.revenue / nullif(segment_profiles.customers, 0) as revenue_per_customer,
        segment_profiles.avg_recency_days,
        segment_profiles.avg_frequency,
        segment_profiles.avg_monetary,
        segment_profiles.value_index,
        segment_profiles.recommended_action
    from segment_profiles
    left join assigned
        on segment_profiles.segment_id = assigned.segment_id
)

select * from final
order by value_rank, segment_id
