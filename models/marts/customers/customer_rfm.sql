with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where line_class = 'product_sale' and customer_id is not null

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

reference_date as (

    select {{ as_of_date() }} as as_of_date

),

customer_sales as (

    -- Guests have no customer id: they count in revenue, never here. A fixed as_of_date makes a point-in-time
    -- snapshot, so sales paid on or after it are not known yet (with the default date none are).
    select
        order_lines.customer_id,
        min(order_lines.ordered_at) as first_order_at,
        max(order_lines.ordered_at) as last_order_at,
        max(order_lines.paid_at) as last_paid_at,
        count(distinct order_lines.order_key) as frequency,
        sum(order_lines.line_revenue) as monetary
    from order_lines
    cross join reference_date
    where cast(order_lines.paid_at as date) < reference_date.as_of_date
    group by order_lines.customer_id

),

measured as (

    select
        customer_sales.customer_id,
        reference_date.as_of_date,
        customer_sales.first_order_at,
        customer_sales.last_order_at,
        customer_sales.last_paid_at,
        cast(
            {{ dbt.datediff('cast(customer_sales.last_paid_at as date)', 'reference_date.as_of_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as recency_days,
        cast(customer_sales.frequency as {{ dbt.type_int() }}) as frequency,
        customer_sales.monetary
    from customer_sales
    cross join reference_date

),

ranked as (

    -- rank() orders each measure worst first, so equal values share a rank and therefore a score; recency is
    -- better when LOWER, hence descending.
    select
        *,
        rank() over (order by recency_days desc) as recency_rank,
        rank() over (order by frequency) as frequency_rank,
        rank() over (order by monetary) as monetary_rank,
        count(*) over () as customers
    from measured

),

scored as (

    select
        customer_id,
        as_of_date,
        first_order_at,
        last_order_at,
        last_paid_at,
        recency_days,
        frequency,
        {{ money('monetary') }} as monetary,
        cast({{ rfm_quintile_score('recency_rank', 'customers') }} as {{ dbt.type_int() }}) as r_score,
        cast({{ rfm_quintile_score('frequency_rank', 'customers') }} as {{ dbt.type_int() }}) as f_score,
        cast({{ rfm_quintile_score('monetary_rank', 'customers') }} as {{ dbt.type_int() }}) as m_score
    from ranked

),

celled as (

    select
        *,
        {{ dbt.concat([
            dbt.safe_cast('r_score', dbt.type_string()),
            dbt.safe_cast('f_score', dbt.type_string()),
            dbt.safe_cast('m_score', dbt.type_string()),
        ]) }} as rfm_cell
    from scored

),

final as (

    select
        celled.customer_id,
        celled.as_of_date,
        celled.first_order_at,
        celled.last_order_at,
        celled.last_paid_at,
        celled.recency_days,
        celled.frequency,
        celled.monetary,
        celled.r_score,
        celled.f_score,
        celled.m_score,
        celled.rfm_cell,
        segment_map.rfm_segment
    from celled
    left join segment_map
        on celled.rfm_cell = segment_map.rfm_cell

)

select * from final
