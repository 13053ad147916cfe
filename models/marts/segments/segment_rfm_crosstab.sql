with

customer_rfm as (

    select * from {{ ref('customer_rfm') }}

),

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

paired as (

    -- From customer_rfm, so a customer the clustering missed would show up with a null segment (a test fails).
    select
        customer_segments.segment_id,
        customer_segments.segment_name,
        customer_rfm.rfm_segment,
        customer_rfm.monetary
    from customer_rfm
    left join customer_segments
        on customer_rfm.customer_id = customer_segments.customer_id

),

counted as (

    select
        segment_id,
        segment_name,
        rfm_segment,
        count(*) as customers,
        sum(monetary) as revenue
    from paired
    group by segment_id, segment_name, rfm_segment

),

final as (

    select
        cast(segment_id as {{ dbt.type_int() }}) as segment_id,
        segment_name,
        rfm_segment,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(revenue as decimal(38, 3)) as revenue,
        -- Both directions: how a k-means segment splits over RFM segments and where an RFM segment went.
        cast(customers as {{ type_double() }}) / sum(customers) over (partition by segment_id) as share_of_segment,
        cast(customers as {{ type_double() }}) / sum(customers) over (partition by rfm_segment) as share_of_rfm_segment
    from counted

)

select * from final
