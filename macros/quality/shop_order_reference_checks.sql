{#- The checks of a shop order line made after the cross-file dedup, nearly all of them on other tables than
    its own file: the users (identity, the surviving account), the catalog, the export date (paid before created
    is the one own-row check made here). int_shop__orders_checked computes them, and re-checks the lines it
    already holds against them, from this one definition. Returns {column: SQL}. -#}
{% macro shop_order_reference_checks(lines, known_users, roots, known_items) %}
    {{ return({
        'is_unknown_user': lines ~ '.user_id is not null and ' ~ known_users ~ '.user_id is null',
        'is_unknown_item': lines ~ '.item_id is not null and ' ~ known_items ~ '.item_id is null',
        'is_merged_account':
            'coalesce(' ~ known_users ~ '.is_merged and ' ~ known_users ~ '.is_clean, false)',
        'is_quarantined_user':
            'coalesce(' ~ known_users ~ '.user_id is not null and not ' ~ known_users ~ '.is_clean, false)',
        'is_deleted_account': 'coalesce(' ~ roots ~ '.is_deleted, false)',
        'is_paid_before_created': 'coalesce(' ~ lines ~ '.paid_at < ' ~ lines ~ '.created_at, false)',
        'is_future_dated':
            'coalesce(' ~ lines ~ '.created_at > ' ~ shop_extracted_at() ~ ' or ' ~ lines ~ '.paid_at > '
            ~ shop_extracted_at() ~ ', false)',
        'customer_id':
            'case when ' ~ known_users ~ '.is_clean then ' ~ known_users ~ '.root_user_id when '
            ~ known_users ~ '.user_id is null then ' ~ lines ~ '.user_id end',
    }) }}
{% endmacro %}

{#- The select list (`<expression> as <column>, ...`) of shop_order_reference_checks. -#}
{% macro shop_order_reference_columns(lines, known_users, roots, known_items) %}
    {{ return(aliased_select_list(shop_order_reference_checks(lines, known_users, roots, known_items))) }}
{% endmacro %}

{#- The users that lines resolve to (clean users rows), with is_clean = true so the join is on equality only
    (a filter in the join condition can turn it into a nested loop). -#}
{% macro shop_user_roots(users) -%}
    select
        user_id,
        is_deleted,
        true as is_clean
    from {{ users }}
    where quarantine_reason is null
{%- endmacro %}

{#- The landed files an incremental run of int_shop__orders_checked re-checks (base names, sorted):
    - the files of its late-arrival window (what the dedup upstream may just have replaced);
    - every file sharing a line_item_id with them (copies and keys written twice are decided across files),
      and every file with a line without an id (those are ranked all together);
    - every file whose first line of a group no longer gets from shop_order_reference_checks what the table
      stores (a merge or deletion in users.csv, a catalog change). -#}
{% macro shop_order_files_to_recheck() %}
    {%- set checks = shop_order_reference_checks('lines', 'known_users', 'roots', 'known_items') -%}
    {%- set stale_files -%}
        with

        known_users as (
            select * from {{ ref('int_shop__user_identity') }}
        ),

        roots as (
            {{ shop_user_roots(ref('int_shop__users')) }}
        ),

        known_items as (
            select distinct item_id from {{ ref('int_shop__catalog_items') }} where item_id is not null
        )

        select lines.source_file
        from {{ this }} as lines
        left join known_users on lines.user_id = known_users.user_id
        left join roots on known_users.root_user_id = roots.user_id and known_users.is_clean = roots.is_clean
        left join known_items on lines.item_id = known_items.item_id
        where {{ any_check_changed(checks, 'lines') }}
    {%- endset -%}
    {{ return(landed_files_to_recheck(ref('int_shop__orders_deduplicated'), 'line_item_id', stale_files, keyless=true)) }}
{% endmacro %}

{#- Pre-hook of int_shop__orders_checked on an incremental run: delete the rows of every file it re-checks. The
    delete+insert after it only replaces the files that still own a row, and a re-checked file can own none
    (all its lines are copies of an earlier file's). Inside the model's transaction, so a failed run keeps them.
    The list is the one the model's compiled query holds (its json_comment 're-checked files'): working it out again would
    run the re-check query, a join of every stored line with the users, a second time. -#}
{% macro delete_rechecked_order_files() %}
    {%- if is_incremental() and execute -%}
        delete from {{ this }} where {{ landed_rows_predicate(json_comment_in(compiled_code, 're-checked files')) }}
    {%- endif -%}
{% endmacro %}
