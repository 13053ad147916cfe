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

-- What a customer-day and a first order or item add to a customer's totals, in one shape.
customer_facts as (

    select
        customer_id,
        line_date as fact_date,
        case when has_sale = 1 then line_date end as sale_date,
        sales_value,
        returned_value,
        0 as orders,
        0 as items
    from daily

    union all

    select
        customer_id,
        first_date as fact_date,
        null as sale_date,
        0 as sales_value,
        0 as returned_value,
        orders,
        items
    from first_sales

),

period_totals as (

    select
        periods.cutoff_date as period_cutoff_date,
        customer_facts.customer_id,
        min(customer_facts.sale_date) as first_sale_date,
        max(customer_facts.sale_date) as last_sale_date,
        sum(customer_facts.sales_value) as sales_value,
        sum(customer_facts.returned_value) as returned_value,
        sum(customer_facts.orders) as orders,
        sum(customer_facts.items) as items
    from customer_facts
    inner join periods
        on customer_facts.fact_date >= periods.period_start and customer_facts.fact_date < periods.cutoff_date
    group by periods.cutoff_date, customer_facts.customer_id

),

totals_before_cutoff as (

    select
        cutoffs.cutoff_date,
        period_totals.customer_id,
        min(period_totals.first_sale_date) as first_sale_date,
        max(period_totals.last_sale_date) as last_sale_date,
        sum(period_totals.orders) as frequency,
        sum(period_totals.items) as distinct_items,
        sum(period_totals.sales_value) as monetary,
        sum(period_totals.returned_value) as returned_value
    from period_totals
    inner join cutoffs
        on period_totals.period_cutoff_date <= cutoffs.cutoff_date
    group by cutoffs.cutoff_date, period_totals.customer_id

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

aggregated as (

    -- Only customers with a sale before the cutoff: a customer known only by a return has nothing to score.
    select
        totals_before_cutoff.cutoff_date,
        totals_before_cutoff.customer_id,
        totals_before_cutoff.first_sale_date,
        totals_before_cutoff.last_sale_date,
        totals_before_cutoff.frequency,
        totals_before_cutoff.distinct_items,
        totals_before_cutoff.monetary,
        coalesce(recent_spend.spend_last_90d, 0) as spend_last_90d,
        coalesce(recent_spend.spend_prior_90d, 0) as spend_prior_90d,
        totals_before_cutoff.returned_value
    from totals_before_cutoff
    left join recent_spend
        on
            totals_before_cutoff.cutoff_date = recent_spend.cutoff_date
            and totals_before_cutoff.customer_id = recent_spend.customer_id
    where totals_before_cutoff.frequency > 0

),

measured as (

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
        -- as a double before dividing: Spark divides decimals to 6 decimal places only
        cast(monetary as {{ type_double() }}) / frequency as avg_order_value,
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
