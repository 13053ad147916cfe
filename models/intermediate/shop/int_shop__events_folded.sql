-- One row per event of each landed file: the raw entity-attribute-value rows (one per event parameter) folded
-- with a conditional aggregation (no pivot syntax, so every warehouse runs it) into typed columns; extra
-- copies of an identical row (copy_number > 1) are counted, not folded. Incremental by file like its staging
-- table: a build folds the files of the lookback window again and replaces their rows. All parameter rows of
-- an event land in one file; an event id found in two files is quarantined in int_shop__events_checked.
{{ config(**incremental_by_landing_day()) }}
{%- set parameters = ['item_id', 'referrer', 'test_id', 'test_assignment', 'viewed_user_id'] %}
{%- set known_names = "('" ~ parameters | join("', '") ~ "')" %}
{#- row_marks: one bit per row flag and per known parameter name, OR-ed over an event's rows in one aggregate.
    The fold is a hash table of every event that spills, and each aggregate widens it: with nine max() for these
    the fold alone took 172-184 s at scale 100 (85M rows, 43M events), with one bit_or 151-170 s. #}
{%- set row_flags = ['has_invalid_event_id', 'has_invalid_user_id', 'has_odd_timestamp_format',
    'has_unparseable_timestamp'] %}
{#- the event's own columns its parameter rows should agree on #}
{%- set event_columns = ['event_time_text', 'user_id_text', 'event_name', 'platform'] %}
{%- set consistency_checks = [] %}
{%- for column in event_columns %}
    {%- set fingerprint = "case when " ~ column ~ " is not null then " ~ row_fingerprint([column]) ~ " end" %}
    {%- do consistency_checks.append("min(" ~ fingerprint ~ ") <> max(" ~ fingerprint ~ ")") %}
{%- endfor %}
with

events as (
    select * from {{ ref('stg_shop__events') }}
    where not is_header_row and {{ in_lookback_window('landed_on') }}
),

-- the same rows, read again only for the few events whose rows disagree: DuckDB materializes a CTE read
-- twice, which for `events` would be every parameter row (folded_rows is read twice too and materialized: one
-- row per event, measured in the fold's time)
rows_to_recheck as (
    select * from {{ ref('stg_shop__events') }}
    where not is_header_row and {{ in_lookback_window('landed_on') }}
),

folded_rows as (
    select
        source_file,
        landed_on,
        event_id,
        max(event_id_text) as event_id_text,
        max(event_at) as event_at,
        max(user_id) as user_id,
        {%- for column in event_columns if column != 'event_time_text' %}
            {{ shared_value(column) }} as {{ column }},
        {%- endfor %}
        -- the time as written only where it is not the rendering of the parsed time (odd, unparseable, or a
        -- value the cast moved, like 24:00:00); final renders the rest. DuckDB keeps a text aggregate's value
        -- longer than 12 bytes outside its spillable memory, one per event: the fold ran out of memory at scale
        -- 100, and this column was the largest such value
        max(
            case
                when
                    event_time_text is not null
                    and (event_at is null or event_time_text <> {{ dbt.cast('event_at', dbt.type_string()) }})
                    then event_time_text
            end
        ) as event_time_text_as_written,
        {%- for parameter in parameters %}
            max(case when parameter_name = '{{ parameter }}' then parameter_value end) as {{ parameter }}_text,
        {%- endfor %}
        -- the flags any row has and the known names the event uses (row_marks, above)
        bit_or(
            {%- for flag in row_flags %}
                case when {{ flag }} then {{ 2 ** loop.index0 }} else 0 end +
            {%- endfor %}
            case parameter_name
                {%- for parameter in parameters %}
                    when '{{ parameter }}' then {{ 2 ** (row_flags | length + loop.index0) }}
                {%- endfor %}
                else 0
            end
        ) as row_marks,
        -- counted, not summed: DuckDB sums integers into a hugeint, twice as wide in the hash table and slow to
        -- scan once stored
        count(*) as parameter_rows,
        count(case when copy_number = 1 then 1 end) as distinct_parameter_rows,
        count(
            case when copy_number = 1 and coalesce(parameter_name not in {{ known_names }}, true) then 1 end
        ) as unknown_parameter_rows,
        -- unknown names are rare (count_distinct_rare); known ones are counted from row_marks
        {{ count_distinct_rare(
            "case when parameter_name not in " ~ known_names ~ " then parameter_name end"
        ) }} as distinct_unknown_names,
        -- the parameter rows of one event should agree on the event's own columns (compared by fingerprint:
        -- min and max of eight text columns were a third of the fold's time)
        ({{ consistency_checks | join(' or ') }}) as has_inconsistent_rows
    from events
    group by source_file, landed_on, event_id
),

-- shared_value is exact where an event's rows agree; where they do not, the largest values are kept, as the
-- dq_reason_codes seed says
inconsistent_events as (
    select
        rows_to_recheck.source_file as recheck_file,
        rows_to_recheck.event_id as recheck_event_id,
        {%- for column in event_columns %}
            max(rows_to_recheck.{{ column }}) as largest_{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from rows_to_recheck
    inner join folded_rows
        on
            rows_to_recheck.source_file = folded_rows.source_file
            and rows_to_recheck.event_id is not distinct from folded_rows.event_id
    where folded_rows.has_inconsistent_rows
    group by rows_to_recheck.source_file, rows_to_recheck.event_id
),

folded as (
    select
        folded_rows.*,
        inconsistent_events.*
    from folded_rows
    left join inconsistent_events
        on
            folded_rows.source_file = inconsistent_events.recheck_file
            and folded_rows.event_id is not distinct from inconsistent_events.recheck_event_id
),

final as (
    select
        source_file,
        landed_on,
        event_id,
        event_id_text,
        event_at,
        coalesce(
            largest_event_time_text, event_time_text_as_written, {{ dbt.cast('event_at', dbt.type_string()) }}
        ) as event_time_text,
        user_id,
        coalesce(largest_user_id_text, user_id_text) as user_id_text,
        coalesce(largest_event_name, event_name) as event_name,
        coalesce(largest_platform, platform) as platform,
        {{ safe_cast_value(shop_id('item_id_text'), dbt.type_string()) }} as item_id,
        referrer_text as referrer,
        {{ safe_cast_value(shop_id('test_id_text'), dbt.type_int()) }} as test_id,
        {{ safe_cast_value(shop_id('test_assignment_text'), dbt.type_int()) }} as test_assignment,
        {{ shop_id('viewed_user_id_text') }} as viewed_user_id,
        {%- for flag in row_flags %}
            (row_marks & {{ 2 ** loop.index0 }}) <> 0 as {{ flag }},
        {%- endfor %}
        parameter_rows,
        distinct_parameter_rows,
        parameter_rows - distinct_parameter_rows as duplicate_parameter_rows,
        unknown_parameter_rows,
        -- more distinct rows than distinct names: a name given two values
        distinct_parameter_rows > distinct_unknown_names
        {%- for parameter in parameters %}
            + case when (row_marks & {{ 2 ** (row_flags | length + loop.index0) }}) <> 0 then 1 else 0 end
        {%- endfor %} as has_conflicting_parameters,
        has_inconsistent_rows
    from folded
)

select * from final
