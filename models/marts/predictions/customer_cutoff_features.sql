-- Per customer and cutoff date, what was known the day before the cutoff: only product sales paid and product
-- returns recognised strictly before it count (as in customer_rfm), so a feature can never see the outcome it
-- is used to predict.
with

order_lines as (

    select
        *,
        line_class = 'product_sale' as is_product_sale
    from {{ ref('fct_order_lines') }}
    where customer_id is not null and line_class in ('product_sale', 'product_return')

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
        is_product_sale as is_sale,
        line_revenue,
        cast(case when is_product_sale then paid_at else recognised_at end as date) as line_date
    from order_lines

),

daily as (

    -- Money per customer and day, so the join with the cutoffs below multiplies days, not lines.
    select
        customer_id,
        line_date,
        sum(case when is_sale then line_revenue else 0 end) as sales_value,
        sum(case when not is_sale then abs(line_revenue) else 0 end) as returned_value,
        max(case when is_sale then 1 else 0 end) as has_sale
    from dated_lines
    group by customer_id, line_date

),

first_sales as (

    -- An order (an item) counts at a cutoff when any of its sales is before it, i.e. its first one is: counting
    -- first dates replaces a count(distinct) per cutoff.
    select
        customer_id,
        'order' as kind,
        min(line_date) as first_date
    from dated_lines
    where is_sale
    group by customer_id, order_key

    union all

    select
        customer_id,
        'item' as kind,
        min(line_date) as first_date
    from dated_lines
    where is_sale
    group by customer_id, item_id

),

money_before_cutoff as (

    select
        cutoffs.cutoff_date,
        daily.customer_id,
        min(case when daily.has_sale = 1 then daily.line_date end) as first_sale_date,
        max(case when daily.has_sale = 1 then daily.line_date end) as last_sale_date,
        sum(daily.sales_value) as monetary,
        sum(
            case
                when daily.line_date >= {{ dbt.dateadd('day', -90, 'cutoffs.cutoff_date') }}
                    then daily.sales_value
                else 0
            end
        ) as spend_last_90d,
        sum(
            case
                when
                    daily.line_date >= {{ dbt.dateadd('day', -180, 'cutoffs.cutoff_date') }}
                    and daily.line_date < {{ dbt.dateadd('day', -90, 'cutoffs.cutoff_date') }}
                    then daily.sales_value
                else 0
            end
        ) as spend_prior_90d,
        sum(daily.returned_value) as returned_value
    from daily
    inner join cutoffs
        on daily.line_date < cutoffs.cutoff_date
    group by cutoffs.cutoff_date, daily.customer_id

),

counts_before_cutoff as (

    select
        cutoffs.cutoff_date,
        first_sales.customer_id,
        sum(case when first_sales.kind = 'order' then 1 else 0 end) as frequency,
        sum(case when first_sales.kind = 'item' then 1 else 0 end) as distinct_items
    from first_sales
    inner join cutoffs
        on first_sales.first_date < cutoffs.cutoff_date
    group by cutoffs.cutoff_date, first_sales.customer_id

),

aggregated as (

    select
        money_before_cutoff.cutoff_date,
        money_before_cutoff.customer_id,
        money_before_cutoff.first_sale_date,
        money_before_cutoff.last_sale_date,
        counts_before_cutoff.frequency,
        counts_before_cutoff.distinct_items,
        money_before_cutoff.monetary,
        money_before_cutoff.spend_last_90d,
        money_before_cutoff.spend_prior_90d,
        money_before_cutoff.returned_value
    from money_before_cutoff
    inner join counts_before_cutoff
        on
            money_before_cutoff.cutoff_date = counts_before_cutoff.cutoff_date
            and money_before_cutoff.customer_id = counts_before_cutoff.customer_id

),

measured as (

    -- Only customers with a sale before the cutoff are here (the inner join with counts_before_cutoff): a
    -- customer known only by a return has nothing to score.
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
