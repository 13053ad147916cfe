-- Users, one row per raw line: typed, `None` -> null, odd timestamps repaired. The only model that still
-- carries email and names. Identical lines are numbered (copy_number), not collapsed: intermediate decides.
-- Each delivery replaces the whole snapshot: the rows carry the listed size and time of their file, and a build
-- reads users.csv again only when they changed (incremental_by_file_version).
{{ config(**incremental_by_file_version()) }}
{%- set columns = ['created_at', 'deleted_at', 'email_address', 'first_name', 'id', 'last_name', 'merged_at',
    'parent_user_id'] %}
with

-- the listing of the one file the users source reads: with every file of the folder listed, the changed-file
-- filter below never came out empty and users.csv was read on every build, changed or not
raw_files as (
    select * from {{ ref('stg_shop__raw_files') }}
    where source_file = 'users.csv'
),

-- the listing as one row of maps by file name, looked up per line (map_by_key says why not a join)
file_versions as (
    select
        {{ map_by_key('source_file', 'size_bytes') }} as size_bytes_by_file,
        {{ map_by_key('source_file', 'modified_at') }} as modified_at_by_file
    from raw_files
),

source as (
    {{ numbered_raw_rows(source('shop', 'users'), columns, in_changed_files('filename', 'raw_files')) }}
),

renamed as (
    select
        {{ shop_id('id') }} as user_id,
        {{ shop_id('parent_user_id') }} as parent_user_id,
        {{ repair_timestamp('created_at') }} as created_at,
        {{ repair_timestamp('deleted_at') }} as deleted_at,
        {{ repair_timestamp('merged_at') }} as merged_at,
        {{ shop_null('email_address') }} as email_address,
        {{ shop_null('first_name') }} as first_name,
        {{ shop_null('last_name') }} as last_name,
        {{ shop_null('id') }} as user_id_text,
        {{ shop_null('parent_user_id') }} as parent_user_id_text,
        {{ shop_null('created_at') }} as created_at_text,
        {{ shop_null('deleted_at') }} as deleted_at_text,
        {{ shop_null('merged_at') }} as merged_at_text,
        {{ is_invalid_id('id') }} as has_invalid_id,
        {{ is_invalid_id('parent_user_id') }} as has_invalid_parent_id,
        (
            {{ is_odd_timestamp_format('created_at') }}
            or {{ is_odd_timestamp_format('deleted_at') }}
            or {{ is_odd_timestamp_format('merged_at') }}
        ) as has_odd_timestamp_format,
        (
            {{ is_unparseable_timestamp('created_at') }}
            or {{ is_unparseable_timestamp('deleted_at') }}
            or {{ is_unparseable_timestamp('merged_at') }}
        ) as has_unparseable_timestamp,
        {{ raw_row_columns(columns) }},
        -- null for a file the listing lacks: its rows are kept, and read again by the next build
        file_versions.size_bytes_by_file[{{ raw_file_name('filename') }}] as source_file_size_bytes,
        file_versions.modified_at_by_file[{{ raw_file_name('filename') }}] as source_file_modified_at
    from source
    cross join file_versions
),

final as (
    select * from renamed
)

select * from final
