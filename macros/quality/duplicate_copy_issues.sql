{#- The quarantine rows of exact duplicates: a deduplicated row written copy_count times gets one row per EXTRA
    copy (#2, #3, ...), so the quarantine rows add up to the raw rows that did not reach the clean model.
    Needs a copy_numbers (n) CTE of 1..max copies in the calling model. -#}
{% macro duplicate_copy_issues(rows, row_label) -%}
    select
        {{ dbt.concat([rows ~ '.record_key', "'#'", safe_cast_value('copy_numbers.n', dbt.type_string())]) }}
            as record_key,
        'duplicate_row' as reason_code,
        'quarantined' as action,
        {{ dbt.concat(["'extra copy of an identical " ~ row_label ~ " written '",
            safe_cast_value(rows ~ '.copy_count', dbt.type_string()), "' times'"]) }} as detail
    from {{ rows }}
    inner join copy_numbers on copy_numbers.n between 2 and {{ rows }}.copy_count
{%- endmacro %}
