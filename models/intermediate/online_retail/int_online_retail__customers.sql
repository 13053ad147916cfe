with

order_lines as (

    select * from {{ ref('int_online_retail__order_lines') }}

),

customer_countries as (

    select
        customer_id,
        country,
        -- A few customers buy under two countries: the latest invoice says where they are now.
        row_number() over (
            partition by customer_id
            order by ordered_at desc, country asc
        ) as recency_rank
    from order_lines
    where customer_id is not null

),

final as (

    select
        cast(customer_id as {{ dbt.type_bigint() }}) as customer_id,
        -- No accounts in this source: no sign-up date, deletions or merges.
        cast(null as {{ dbt.type_timestamp() }}) as signed_up_at,
        false as is_deleted,
        cast(0 as {{ dbt.type_int() }}) as merged_accounts,
        false as is_inferred,
        cast(country as {{ dbt.type_string() }}) as country
    from customer_countries
    where recency_rank = 1

)

select * from final
