{{ config(group='customers', severity='warn') }}
-- Warns when customer_rfm has no row: no customer has a sale yet (a header-only landing, guests only, or an
-- as_of_date before the first sale). The build passes with the segments and predictions empty rather than
-- failing; this row is how it says so, and the next landing with a sale fills them again.
with

customers as (

    select count(*) as customers
    from {{ ref('customer_rfm') }}

),

final as (

    select 'customer_rfm has no customers: segments and predictions are empty until a sale lands' as message
    from customers
    where customers = 0

)

select * from final
