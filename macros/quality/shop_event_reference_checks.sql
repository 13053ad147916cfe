{#- The checks of a shop event that depend on other tables than its own file: the users (identity) and the
    catalog (items), and the export date. int_shop__events_checked computes them, and re-checks the events it
    already holds against them, from this one definition. Returns {column: SQL expression}. -#}
{% macro shop_event_reference_checks(events, known_users, known_items) %}
    {{ return({
        'is_unknown_user': events ~ '.user_id is not null and ' ~ known_users ~ '.user_id is null',
        'is_quarantined_user':
            'coalesce(' ~ known_users ~ '.user_id is not null and not ' ~ known_users ~ '.is_clean, false)',
        'is_unknown_item':
            events ~ ".event_name = 'view_item' and " ~ events ~ '.item_id is not null and '
            ~ known_items ~ '.item_id is null',
        'is_future_dated': 'coalesce(' ~ events ~ '.event_at > ' ~ shop_extracted_at() ~ ', false)',
        'customer_id':
            'case when ' ~ known_users ~ '.is_clean then ' ~ known_users ~ '.root_user_id when '
            ~ known_users ~ '.user_id is null then ' ~ events ~ '.user_id end',
    }) }}
{% endmacro %}

{#- The select list `<expression> as <column>, ...` of shop_event_reference_checks. -#}
{% macro shop_event_reference_columns(events, known_users, known_items) %}
    {{ return(aliased_select_list(shop_event_reference_checks(events, known_users, known_items))) }}
{% endmacro %}

{#- The distinct item ids of the catalog, as event item ids are typed (text). -#}
{% macro shop_known_items(catalog) -%}
    select distinct {{ safe_cast_value('item_id', dbt.type_string()) }} as item_id
    from {{ catalog }}
    where item_id is not null
{%- endmacro %}

{#- The landed files an incremental run of int_shop__events_checked re-checks (base names, sorted):
    - the files of its late-arrival window (what the fold upstream may just have replaced);
    - every file sharing an event id with them (which copy of a split event is kept is decided across files);
    - every file holding an event whose reference checks no longer give what the table stores (a merge or
      deletion in users.csv, a catalog change). -#}
{% macro shop_event_files_to_recheck() %}
    {%- set checks = shop_event_reference_checks('events', 'known_users', 'known_items') -%}
    {%- set stale_files -%}
        with

        known_users as (
            select * from {{ ref('int_shop__user_identity') }}
        ),

        known_items as (
            {{ shop_known_items(ref('int_shop__catalog_items')) }}
        )

        select events.source_file
        from {{ this }} as events
        left join known_users on events.user_id = known_users.user_id
        left join known_items on events.item_id = known_items.item_id
        where {{ any_check_changed(checks, 'events') }}
    {%- endset -%}
    {{ return(landed_files_to_recheck(ref('int_shop__events_folded'), 'event_id', stale_files)) }}
{% endmacro %}
