{#- Quarantine as data: a checked model carries one boolean column dq_<reason_code> per check, a record_key
    and a dq_detail text; dq_issue_rows turns the flags into issue rows. What a reason means and what is done
    about it (action, severity) is joined from the dq_reason_codes seed in the issues model, never typed here. -#}

{#- The first of `reasons` whose dq_<reason> flag is set, as the reason code; null when none is. The order is
    the precedence: a record is quarantined for one reason only. -#}
{% macro first_flag(reasons) -%}
    case
        {%- for reason in reasons %}
            when dq_{{ reason }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- A record's key in the issue rows: the key as written ('(no id)' when missing), with `#<n>` appended for the
    n-th raw record written with the same key (n >= 2; copies and keys written twice), ranked by `order_by`. -#}
{% macro record_key(key_text, order_by) -%}
    {{ numbered_record_key(
        key_text, "row_number() over (partition by " ~ key_text ~ " order by " ~ order_by | join(', ') ~ ")"
    ) }}
{%- endmacro %}

{#- record_key with the record's number among those with the same key already computed (`occurrence`), for a
    model that numbers only the keys written more than once. -#}
{% macro numbered_record_key(key_text, occurrence) -%}
    {{ dbt.concat([
        "coalesce(" ~ key_text ~ ", '(no id)')",
        "case when " ~ occurrence ~ " > 1 then "
            ~ dbt.concat(["'#'", safe_cast_value(occurrence, dbt.type_string())]) ~ " else '' end"
    ]) }}
{%- endmacro %}

{#- The dq_<reason_code> flag columns of a built relation, as reason codes, in column order; none while the
    relation is not built (parsing, or compiling before the first build). -#}
{% macro dq_flag_reasons(relation) %}
    {%- if not execute or adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set reasons = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name.startswith('dq_')
        and column.name != 'dq_detail' -%}
        {%- do reasons.append(column.name[3:]) -%}
    {%- endfor -%}
    {{ return(reasons) }}
{% endmacro %}

{#- One issue row per (record, reason) of a checked relation: its quarantine_reason when it has one, otherwise
    every dq_<reason> flag that is set (kept_flagged or corrected records may carry several). Reads only the
    records with something to report, then unpivots their flags with one cross join (no union per reason).
    `where` narrows the records read (e.g. to one grain of a relation). `detail` is the issue's text, an
    expression over the record's columns and `reasons.reason_code`, for a source whose text depends on the
    reason (a kept record with several flags); by default the record's dq_detail. -#}
{% macro dq_issue_rows(relation, source_table, where='1 = 1', detail='flagged.dq_detail') -%}
    {%- set reasons = dq_flag_reasons(relation) -%}
    {%- if reasons is none -%}
        {#- not built yet: a query of the same shape, so the model still compiles -#}
        {%- set reasons = ['none'] -%}
    {%- elif not reasons -%}
        {{ exceptions.raise_compiler_error(relation ~ " has no dq_<reason_code> flag column") }}
    {%- endif -%}
    {%- set reason_rows = [] -%}
    {%- for reason in reasons -%}
        {%- do reason_rows.append([reason]) -%}
    {%- endfor -%}
    select
        '{{ source_table }}' as source_table,
        flagged.record_key,
        reasons.reason_code,
        {{ detail }} as detail
    from (
        select *
        from {{ relation }}
        where
            ({{ where }})
            and (
                quarantine_reason is not null
                {%- for reason in reasons %}
                    or dq_{{ reason }}
                {%- endfor %}
            )
    ) as flagged
    cross join ({{ literal_rows(['reason_code'], reason_rows) }}) as reasons
    where
        case
            when flagged.quarantine_reason is not null then reasons.reason_code = flagged.quarantine_reason
            {%- for reason in reasons %}
                when reasons.reason_code = '{{ reason }}' then flagged.dq_{{ reason }}
            {%- endfor %}
            else false
        end
{%- endmacro %}

{#- A record's dq_detail where one of its dq_<reason> flags (of `reasons`) is set, null on a clean record: the
    issue rows show it for flagged records only, and on a large table the text of every record costs. -#}
{% macro detail_when_flagged(reasons, detail) -%}
    case
        when {% for reason in reasons %}dq_{{ reason }}{% if not loop.last %} or {% endif %}{% endfor %}
            then {{ detail }}
    end
{%- endmacro %}
