-- Every folded event with the checks that depend on the events alone (dq_<reason_code> flags; one quarantine
-- reason at most). Identity (users) is joined later, in int_shop__events, so a new users snapshot never
-- rewrites this table. Incremental by file like the fold: a build re-checks the files of the lookback window;
-- an event id folded in an earlier file is found among every file's keys, so both builds agree.
{{ config(**incremental_by_landing_day()) }}
with

folded as (
    select * from {{ ref('int_shop__events_folded') }}
    where {{ in_lookback_window('landed_on') }}
),

{%- if is_incremental() %}

-- the window's event ids: only they can be repeated in a file checked now (an earlier file's rows are not
-- rewritten, and the first file of an id keeps its event)
window_keys as (
    select event_id
    from {{ ref('int_shop__events_folded') }}
    where {{ in_lookback_window('landed_on') }}
),
{%- endif %}

-- a narrow second import over every file: the event ids folded in more than one file (rare: an event's rows
-- landed apart). Only their files are ranked; `folded` is read once, or DuckDB would materialize it whole.
repeated_keys as (
    select event_id
    from {{ ref('int_shop__events_folded') }}
    where event_id is not null
    {%- if is_incremental() %}
        and event_id in (select window_keys.event_id from window_keys)
    {%- endif %}
    group by event_id
    having count(*) > 1
),

first_files as (
    select
        event_id,
        source_file as first_file
    from (
        select
            folded_keys.event_id,
            folded_keys.source_file,
            row_number() over (
                partition by folded_keys.event_id order by folded_keys.landed_on, folded_keys.source_file
            ) as file_rank
        from {{ ref('int_shop__events_folded') }} as folded_keys
        inner join repeated_keys on folded_keys.event_id = repeated_keys.event_id
    ) as ranked_files
    where file_rank = 1
),

vocabulary as (
    select * from {{ ref('shop_event_vocabulary') }}
),

checked as (
    select
        folded.*,
        folded.event_id_text is null as dq_missing_key,
        folded.has_invalid_event_id as dq_invalid_id,
        -- an event id folded in two files (its rows did not land together): the first file's event is kept
        coalesce(folded.source_file <> first_files.first_file, false) as dq_duplicate_key,
        folded.has_unparseable_timestamp as dq_unparseable_timestamp,
        folded.event_at is null and not folded.has_unparseable_timestamp as dq_missing_timestamp,
        coalesce(folded.event_at > {{ shop_extracted_at() }}, false) as dq_future_dated,
        folded.has_odd_timestamp_format as dq_odd_timestamp_format,
        folded.has_invalid_user_id as dq_invalid_user_id,
        folded.event_name is null as dq_empty_event_name,
        folded.event_name is not null and event_names.term is null as dq_unknown_event_name,
        folded.platform is null or platforms.term is null as dq_unknown_platform,
        folded.has_conflicting_parameters as dq_conflicting_parameters,
        folded.has_inconsistent_rows as dq_inconsistent_event_rows,
        folded.unknown_parameter_rows > 0 as dq_unknown_parameter
    from folded
    left join first_files on folded.event_id = first_files.event_id
    left join vocabulary as event_names
        on folded.event_name = event_names.term and event_names.vocabulary = 'event_name'
    left join vocabulary as platforms
        on folded.platform = platforms.term and platforms.vocabulary = 'platform'
),

final as (
    select
        *,
        {{ first_flag([
            'missing_key', 'invalid_id', 'duplicate_key', 'unparseable_timestamp', 'missing_timestamp',
            'future_dated'
        ]) }} as quarantine_reason
    from checked
)

select * from final
