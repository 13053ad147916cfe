-- One row per flagged or quarantined raw record of the shop (shared shape, docs/architecture.md).
-- A quarantined raw row has exactly one quarantine row - every extra copy of a duplicate included, and for
-- events every parameter row of a quarantined event - so the quarantine rows here add up to the quarantined
-- raw rows in int_shop__dq_row_counts. Kept records may carry several flags.
{%- set parameters = ['item_id', 'referrer', 'test_id', 'test_assignment', 'viewed_user_id'] %}
with recursive

users as (
    select * from {{ ref('int_shop__users') }}
),

items as (
    select * from {{ ref('int_shop__catalog_items') }}
),

orders as (
    select * from {{ ref('int_shop__orders_checked') }}
),

events as (
    select * from {{ ref('int_shop__events_checked') }}
),

-- Each *_rows CTE keeps only the rows with something to report (the union of the conditions below): the
-- issues are few, and the CTE is read once per reason, so it must not be the whole table at scale.
user_rows as (
    select
        coalesce({{ safe_cast_value('user_id', dbt.type_string()) }}, '(no id)') as record_key,
        *
    from users
    where
        quarantine_reason is not null
        or copy_count > 1
        or is_merged
        or is_deleted
        or has_missing_merge_parent
        or has_unparseable_timestamp
        or has_odd_timestamp_format
),

item_rows as (
    select
        coalesce({{ safe_cast_value('item_id', dbt.type_string()) }}, '(no id)') as record_key,
        *
    from items
),

order_rows as (
    select
        coalesce({{ safe_cast_value('line_item_id', dbt.type_string()) }}, '(no id)') as record_key,
        *
    from orders
    where
        quarantine_reason is not null
        or copy_count > 1
        or is_paid_before_created
        or is_unknown_item
        or is_unknown_user
        or is_quarantined_user
        or is_merged_account
        or is_deleted_account
        or has_price_float_noise
        or has_sub_cent_price
        or has_odd_timestamp_format
),

event_rows as (
    select
        coalesce({{ safe_cast_value('event_id', dbt.type_string()) }}, '(no id)') as record_key,
        *
    from events
    -- has_dq_issue is the union of the event conditions below (int_shop__events_checked)
    where has_dq_issue
),

-- from the *_rows CTEs, not the whole tables: a second reference to an import CTE would make DuckDB
-- materialise every event
copy_bound as (
    select max(copies) as max_copies
    from (
        select max(copy_count) as copies from user_rows
        union all
        select max(copy_count) as copies from item_rows
        union all
        select max(copy_count) as copies from order_rows
        union all
        select max(parameter_rows) as copies from event_rows
    ) as per_table
),

-- copy numbers 1..n, to expand a deduplicated row back into its raw copies
copy_numbers (n) as (
    select 1 as n
    union all
    select copy_numbers.n + 1 as n
    from copy_numbers
    cross join copy_bound
    where copy_numbers.n < copy_bound.max_copies
),

user_issues as (
    select
        record_key,
        quarantine_reason as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'id '", "coalesce(user_id_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')", "', parent '",
            "coalesce(" ~ safe_cast_value('parent_user_id', dbt.type_string()) ~ ", 'None')"]) }} as detail
    from user_rows
    where quarantine_reason is not null

    union all

    {{ duplicate_copy_issues('user_rows', 'users row') }}

    union all

    select
        record_key,
        'merged_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'merged into '", safe_cast_value('parent_user_id', dbt.type_string()),
            "', surviving customer '", safe_cast_value('root_user_id', dbt.type_string())]) }} as detail
    from user_rows
    where quarantine_reason is null and is_merged

    union all

    select
        record_key,
        'deleted_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'deleted at '", "coalesce(deleted_at_text, 'None')"]) }} as detail
    from user_rows
    where quarantine_reason is null and is_deleted

    union all

    select
        record_key,
        'missing_merge_parent' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'merged into '", safe_cast_value('parent_user_id', dbt.type_string()),
            "', which is not a clean user: the account survives as itself'"]) }} as detail
    from user_rows
    where quarantine_reason is null and has_missing_merge_parent

    union all

    select
        record_key,
        'unparseable_timestamp' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'created_at '", "coalesce(created_at_text, 'None')", "', deleted_at '",
            "coalesce(deleted_at_text, 'None')", "', merged_at '", "coalesce(merged_at_text, 'None')",
            "' (unparseable value set to null)'"]) }} as detail
    from user_rows
    where quarantine_reason is null and has_unparseable_timestamp

    union all

    select
        record_key,
        'odd_timestamp_format' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'created_at '", "coalesce(created_at_text, 'None')", "', deleted_at '",
            "coalesce(deleted_at_text, 'None')", "', merged_at '", "coalesce(merged_at_text, 'None')"]) }} as detail
    from user_rows
    where quarantine_reason is null and has_odd_timestamp_format
),

item_issues as (
    select
        record_key,
        quarantine_reason as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'id '", "coalesce(item_id_text, 'None')", "', name '", "coalesce(item_name, 'None')"]) }}
            as detail
    from item_rows
    where quarantine_reason is not null

    union all

    {{ duplicate_copy_issues('item_rows', 'items row') }}

    union all

    select
        record_key,
        'free_item' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'price 0: '", "coalesce(item_name, 'None')", "' (free add-on)'"]) }} as detail
    from item_rows
    where quarantine_reason is null and is_free

    union all

    select
        record_key,
        'duplicate_name' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'name '", "coalesce(item_name, 'None')", "' is shared by '",
            safe_cast_value('items_with_name', dbt.type_string()), "' items'"]) }} as detail
    from item_rows
    where quarantine_reason is null and has_duplicate_name

    union all

    select
        record_key,
        'unparseable_price' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'price '", "coalesce(price_text, 'None')", "' (set to null)'"]) }} as detail
    from item_rows
    where quarantine_reason is null and has_unparseable_price

    union all

    select
        record_key,
        'price_float_noise' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'price '", "price_text", "' rounded to cents'"]) }} as detail
    from item_rows
    where quarantine_reason is null and has_price_float_noise

    union all

    select
        record_key,
        'sub_cent_price' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'price '", "price_text", "' has fractions of a cent: rounded to cents'"]) }} as detail
    from item_rows
    where quarantine_reason is null and has_sub_cent_price

    union all

    select
        record_key,
        case when has_unparseable_timestamp then 'unparseable_timestamp' else 'odd_timestamp_format' end
            as reason_code,
        case when has_unparseable_timestamp then 'kept_flagged' else 'corrected' end as action,
        {{ dbt.concat(["'created_at '", "coalesce(created_at_text, 'None')"]) }} as detail
    from item_rows
    where quarantine_reason is null and (has_unparseable_timestamp or has_odd_timestamp_format)
),

order_issues as (
    select
        record_key,
        quarantine_reason as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'price '", "coalesce(price_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')", "', paid_at '", "coalesce(paid_at_text, 'None')"]) }} as detail
    from order_rows
    where quarantine_reason is not null

    union all

    {{ duplicate_copy_issues('order_rows', 'order line') }}

    union all

    select
        record_key,
        'paid_before_created' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'created_at '", "coalesce(created_at_text, 'None')", "', paid_at '",
            "coalesce(paid_at_text, 'None')"]) }} as detail
    from order_rows
    where quarantine_reason is null and is_paid_before_created

    union all

    select
        record_key,
        'unknown_item' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'item '", safe_cast_value('item_id', dbt.type_string()), "' is not in items'"]) }} as detail
    from order_rows
    where quarantine_reason is null and is_unknown_item

    union all

    select
        record_key,
        'unknown_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'user '", safe_cast_value('user_id', dbt.type_string()), "' is not in users'"]) }} as detail
    from order_rows
    where quarantine_reason is null and is_unknown_user

    union all

    select
        record_key,
        'quarantined_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'user '", safe_cast_value('user_id', dbt.type_string()),
            "' is quarantined: kept as a guest line'"]) }} as detail
    from order_rows
    where quarantine_reason is null and is_quarantined_user

    union all

    select
        record_key,
        'merged_account' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'user '", safe_cast_value('user_id', dbt.type_string()), "' re-pointed to customer '",
            safe_cast_value('customer_id', dbt.type_string())]) }} as detail
    from order_rows
    where quarantine_reason is null and is_merged_account

    union all

    select
        record_key,
        'deleted_account' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'customer '", safe_cast_value('customer_id', dbt.type_string()), "' is deleted'"]) }}
            as detail
    from order_rows
    where quarantine_reason is null and is_deleted_account

    union all

    select
        record_key,
        'price_float_noise' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'price '", "price_text", "' rounded to cents'"]) }} as detail
    from order_rows
    where quarantine_reason is null and has_price_float_noise

    union all

    select
        record_key,
        'sub_cent_price' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'price '", "price_text", "' has fractions of a cent: rounded to cents'"]) }} as detail
    from order_rows
    where quarantine_reason is null and has_sub_cent_price

    union all

    select
        record_key,
        'odd_timestamp_format' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'created_at '", "coalesce(created_at_text, 'None')", "', paid_at '",
            "coalesce(paid_at_text, 'None')"]) }} as detail
    from order_rows
    where quarantine_reason is null and has_odd_timestamp_format
),

-- back from one row per event to its raw parameter rows: distinct rows and extra copies per parameter
event_parameter_rows as (
    {%- for parameter in parameters + ['other'] %}
        {%- set rows_col = (parameter ~ '_rows') if parameter != 'other' else 'unknown_parameter_rows' %}
        {%- set dups_col = (parameter ~ '_duplicates') if parameter != 'other' else 'unknown_parameter_duplicates' %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            record_key,
            quarantine_reason,
            event_time_text,
            '{{ parameter }}' as parameter_name,
            {{ rows_col }} - {{ dups_col }} as distinct_rows,
            {{ dups_col }} as extra_copies
        from event_rows
        where {{ rows_col }} > 0
    {%- endfor %}
),

event_issues as (
    select
        {{ dbt.concat(['event_parameter_rows.record_key', "'/'", 'event_parameter_rows.parameter_name', "'#'",
            safe_cast_value('copy_numbers.n', dbt.type_string())]) }} as record_key,
        event_parameter_rows.quarantine_reason as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'event_time '", "coalesce(event_parameter_rows.event_time_text, 'None')"]) }} as detail
    from event_parameter_rows
    inner join copy_numbers on event_parameter_rows.distinct_rows >= copy_numbers.n
    where event_parameter_rows.quarantine_reason is not null

    union all

    select
        {{ dbt.concat(['record_key', "'/'", 'parameter_name', "'#copy'",
            safe_cast_value('copy_numbers.n + 1', dbt.type_string())]) }} as record_key,
        'duplicate_parameter' as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'extra copy of an identical '", 'parameter_name', "' parameter row'"]) }} as detail
    from event_parameter_rows
    inner join copy_numbers on event_parameter_rows.extra_copies >= copy_numbers.n

    union all

    select
        record_key,
        'unknown_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'user '", safe_cast_value('user_id', dbt.type_string()), "' is not in users'"]) }} as detail
    from event_rows
    where quarantine_reason is null and is_unknown_user

    union all

    select
        record_key,
        'quarantined_user' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'user '", safe_cast_value('user_id', dbt.type_string()),
            "' is quarantined: the event has no customer'"]) }} as detail
    from event_rows
    where quarantine_reason is null and is_quarantined_user

    union all

    select
        record_key,
        'unknown_item' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'viewed item '", 'item_id', "' is not in items'"]) }} as detail
    from event_rows
    where quarantine_reason is null and is_unknown_item

    union all

    select
        record_key,
        'odd_timestamp_format' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'event_time '", 'event_time_text']) }} as detail
    from event_rows
    where quarantine_reason is null and has_odd_timestamp_format

    union all

    select
        record_key,
        'conflicting_parameters' as reason_code,
        'kept_flagged' as action,
        'a parameter is written twice with different values: the largest value is kept' as detail
    from event_rows
    where quarantine_reason is null and has_conflicting_parameters

    union all

    select
        record_key,
        'inconsistent_event_rows' as reason_code,
        'kept_flagged' as action,
        'the parameter rows disagree on time, user, name or platform: the largest value is kept' as detail
    from event_rows
    where quarantine_reason is null and has_inconsistent_rows

    union all

    select
        record_key,
        'unknown_parameter' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat([safe_cast_value('unknown_parameter_rows', dbt.type_string()),
            "' parameter rows with an unknown parameter name (not folded into a column)'"]) }} as detail
    from event_rows
    where quarantine_reason is null and unknown_parameter_rows > 0
),

unioned as (
    {%- for table_name in ['users', 'items', 'orders', 'events'] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ table_name }}' as source_table,
            {{ table_name }}_issue.record_key,
            {{ table_name }}_issue.reason_code,
            {{ table_name }}_issue.action,
            {{ table_name }}_issue.detail
        from {{ table_name[:-1] }}_issues as {{ table_name }}_issue
    {%- endfor %}
),

final as (
    select
        {{ safe_cast_value('source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('record_key', dbt.type_string()) }} as record_key,
        {{ safe_cast_value('reason_code', dbt.type_string()) }} as reason_code,
        {{ safe_cast_value('action', dbt.type_string()) }} as action,
        {{ safe_cast_value('detail', dbt.type_string()) }} as detail
    from unioned
)

select * from final
