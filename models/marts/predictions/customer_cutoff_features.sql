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

first_line as (

    select min(line_date) as first_line_date from dated_lines

),

-- Each cutoff's period: the days from the cutoff before it (from the first line for the first cutoff) up to
-- the day before it. A line counts at every cutoff after it, so it is summed once, into its period, and the
-- periods are added up per cutoff: joining every customer-day to every later cutoff made 10x the rows.
periods as (

    select
        cutoffs.cutoff_date,
        coalesce(
            lag(cutoffs.cutoff_date) over (order by cutoffs.cutoff_date), first_line.first_line_date
        ) as period_start
    from cutoffs
    cross join first_line

),

daily as (

    -- Money per customer and day.
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
        min(line_date) as first_date,
        1 as orders,
        0 as items
    from dated_lines
    where is_sale
    group by customer_id, order_key

    union all

    select
        customer_id,
        min(line_date) as first_date,
        0 as orders,
        1 as items
    from dated_lines
    where is_sale
    group by customer_id, item_id

),

period_money as (

    select
        periods.cutoff_date as period_cutoff_date,
        daily.customer_id,
        min(case when daily.has_sale = 1 then daily.line_date end) as first_sale_date,
        max(case when daily.has_sale = 1 then daily.line_date end) as last_sale_date,
        sum(daily.sales_value) as sales_value,
        sum(daily.returned_value) as returned_value
    from daily
    inner join periods
        on daily.line_date >= periods.period_start and daily.line_date < periods.cutoff_date
    group by periods.cutoff_date, daily.customer_id

),

period_counts as (

    select
        periods.cutoff_date as period_cutoff_date,
        first_sales.customer_id,
        sum(first_sales.orders) as orders,
        sum(first_sales.items) as items
    from first_sales
    inner join periods
        on first_sales.first_date >= periods.period_start and first_sales.first_date < periods.cutoff_date
    group by periods.cutoff_date, first_sales.customer_id

),

money_before_cutoff as (

    select
        cutoffs.cutoff_date,
        period_money.customer_id,
        min(period_money.first_sale_date) as first_sale_date,
        max(period_money.last_sale_date) as last_sale_date,
        sum(period_money.sales_value) as monetary,
        sum(period_money.returned_value) as returned_value
    from period_money
    inner join cutoffs
        on period_money.period_cutoff_date <= cutoffs.cutoff_date
    group by cutoffs.cutoff_date, period_money.customer_id

),

-- The 90-day windows do not follow the periods: only the days of the 180 before a cutoff are joined to it.
recent_spend as (

    select
        cutoffs.cutoff_date,
        daily.customer_id,
        sum(
            case
                when daily.line_date >= {{ dbt.dateadd('day', -90, 'cutoffs.cutoff_date') }}
                    then daily.sales_value
                else 0
            end
        ) as spend_last_90d,
        sum(
            case
                when daily.line_date < {{ dbt.dateadd('day', -90, 'cutoffs.cutoff_date') }}
                    then daily.sales_value
                else 0
            end
        ) as spend_prior_90d
    from daily
    inner join cutoffs
        on
            daily.line_date >= {{ dbt.dateadd('day', -180, 'cutoffs.cutoff_date') }}
            and daily.line_date < cutoffs.cutoff_date
    group by cutoffs.cutoff_date, daily.customer_id

),

counts_before_cutoff as (

    select
        cutoffs.cutoff_date,
        period_counts.customer_id,
        sum(period_counts.orders) as frequency,
        sum(period_counts.items) as distinct_items
    from period_counts
    inner join cutoffs
        on period_counts.period_cutoff_date <= cutoffs.cutoff_date
    group by cutoffs.cutoff_date, period_counts.customer_id

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
        coalesce(recent_spend.spend_last_90d, 0) as spend_last_90d,
        coalesce(recent_spend.spend_prior_90d, 0) as spend_prior_90d,
        money_before_cutoff.returned_value
    from money_before_cutoff
    inner join counts_before_cutoff
        on
            money_before_cutoff.cutoff_date = counts_before_cutoff.cutoff_date
            and money_before_cutoff.customer_id = counts_before_cutoff.customer_id
    left join recent_spend
        on
            money_before_cutoff.cutoff_date = recent_spend.cutoff_date
            and money_before_cutoff.customer_id = recent_spend.customer_id

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
