-- Every CSV file under the raw folder, from the file system's listing (no file is opened): what landed, to
-- compare with what the staging tables loaded (assert_shop_raw_files_well_formed).
with

source as (
    select * from {{ source('shop', 'raw_files') }}
),

renamed as (
    select
        {{ raw_file_name('filename') }} as source_file,
        {{ raw_file_landed_on('filename') }} as landed_on,
        size as size_bytes,
        {{ safe_cast_value('last_modified', dbt.type_timestamp()) }} as modified_at
    from source
),

final as (
    select * from renamed
)

select * from final
