-- Per customer and cutoff date, what was known the day before the cutoff: only sales paid and returns
-- recognised strictly before it count, so a feature can never see the outcome it is used to predict.
with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where customer_id is not null and (is_sale or is_return)

),

cutoffs as (

    select distinct cutoff_date from {{ ref('prediction_cutoffs') }}

),

dated_lines as (

    -- A sale is known when paid (as in customer_rfm); a return when recognised.
    select
        customer_id,
        order_key,
        item_id,
        is_sale,
        line_revenue,
        cast(case when is_sale then paid_at else recognised_at end as date) as line_date
    from order_lines

),

lines_before_cutoff as (

    select
        cutoffs.cutoff_date,
        dated_lines.customer_id,
        dated_lines.order_key,
        dated_lines.item_id,
        dated_lines.is_sale,
        dated_lines.line_revenue,
        dated_lines.line_date
    from dated_lines
    inner join cutoffs
        on dated_lines.line_date < cutoffs.cutoff_date

),

aggregated as (

    select
        cutoff_date,
        customer_id,
        min(case when is_sale then line_date end) as first_sale_date,
        max(case when is_sale then line_date end) as last_sale_date,
        count(distinct case when is_sale then order_key end) as frequency,
        count(distinct case when is_sale then item_id end) as distinct_items,
        sum(case when is_sale then line_revenue else 0 end) as monetary,
        sum(
            case
                when is_sale and line_date >= {{ dbt.dateadd('day', -90, 'cutoff_date') }} then line_revenue
                else 0
            end
        ) as spend_last_90d,
        sum(
            case
                when
                    is_sale
                    and line_date >= {{ dbt.dateadd('day', -180, 'cutoff_date') }}
                    and line_date < {{ dbt.dateadd('day', -90, 'cutoff_date') }}
                    then line_revenue
                else 0
            end
        ) as spend_prior_90d,
        sum(case when not is_sale then abs(line_revenue) else 0 end) as returned_value
    from lines_before_cutoff
    group by cutoff_date, customer_id

),

measured as (

    -- Customers with a sale before the cutoff only: a customer known only by a return has nothing to score.
    select
        cutoff_date,
        customer_id,
        first_sale_date,
        last_sale_date,
        cast({{ dbt.datediff('last_sale_date', 'cutoff_date', 'day') }} as {{ dbt.type_int() }}) as recency_days,
        cast({{ dbt.datediff('first_sale_date', 'cutoff_date', 'day') }} as {{ dbt.type_int() }}) as tenure_days,
        cast(frequency as {{ dbt.type_int() }}) as frequency,
        cast(distinct_items as {{ dbt.type_int() }}) as distinct_items,
        monetary,
        cast(monetary / frequency as {{ type_double() }}) as avg_order_value,
        spend_last_90d,
        spend_prior_90d,
        case
            when frequency > 1
                then cast(
                    {{ dbt.datediff('first_sale_date', 'last_sale_date', 'day') }} as {{ type_double() }}
                ) / (frequency - 1)
        end as avg_days_between_orders,
        case
            when monetary + returned_value > 0
                then cast(returned_value as {{ type_double() }}) / cast(monetary + returned_value as {{ type_double() }})
            else 0
        end as returns_share
    from aggregated
    where frequency > 0

),

ranked as (

    -- The rfm_score baseline: customer_rfm's quintile scores, recomputed at each cutoff.
    select
        *,
        rank() over (partition by cutoff_date order by recency_days desc) as recency_rank,
        rank() over (partition by cutoff_date order by frequency) as frequency_rank,
        rank() over (partition by cutoff_date order by monetary) as monetary_rank,
        count(*) over (partition by cutoff_date) as customers
    from measured

),

final as (

    select
        cutoff_date,
        customer_id,
        first_sale_date,
        last_sale_date,
        recency_days,
        tenure_days,
        frequency,
        distinct_items,
        cast(monetary as decimal(38, 3)) as monetary,
        avg_order_value,
        cast(spend_last_90d as decimal(38, 3)) as spend_last_90d,
        cast(spend_prior_90d as decimal(38, 3)) as spend_prior_90d,
        avg_days_between_orders,
        returns_share,
        cast(
            {{ rfm_quintile_score('recency_rank', 'customers') }}
            + {{ rfm_quintile_score('frequency_rank', 'customers') }}
            + {{ rfm_quintile_score('monetary_rank', 'customers') }}
            as {{ dbt.type_int() }}
        ) as rfm_score
    from ranked

)

select * from final
