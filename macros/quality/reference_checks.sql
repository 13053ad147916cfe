{#- Helpers of the *_reference_checks macros: a check is a {column: SQL expression} mapping that a *_checked
    model both selects and re-evaluates against the rows it stores. -#}

{#- `<expression> as <column>, ...` of a {column: SQL expression} mapping, in its order. -#}
{% macro aliased_select_list(expressions) %}
    {%- set columns = [] -%}
    {%- for column, expression in expressions.items() -%}
        {%- do columns.append(expression ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n        ')) }}
{% endmacro %}

{#- `(<expression>) is distinct from <stored>.<column> or ...`: a stored row whose checks now give another value. -#}
{% macro any_check_changed(expressions, stored) %}
    {%- set changed = [] -%}
    {%- for column, expression in expressions.items() -%}
        {%- do changed.append('(' ~ expression ~ ') is distinct from ' ~ stored ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ return(changed | join('\n                or ')) }}
{% endmacro %}

{#- The landed files an incremental run of a *_checked model re-checks (base names, sorted): the files of its
    late-arrival window in `upstream`, every file of `upstream` sharing a `key` with them (what is decided
    across files must see every copy), every file with a null `key` when `keyless` (those are ranked all
    together), and the files `stale_files` (a select of source_file) returns. Runs a query. -#}
{% macro landed_files_to_recheck(upstream, key, stale_files, keyless=false) %}
    {%- set window_start = late_arrival_start() -%}
    {%- set recheck_query -%}
        with

        landed as (
            select
                source_file,
                landed_on,
                {{ key }} as landed_key
            from {{ upstream }}
        ),

        window_keys as (
            select distinct landed_key
            from landed
            where landed_on >= cast('{{ window_start }}' as date) and landed_key is not null
        ),

        stale_files as (
            {{ stale_files }}
        )

        select source_file from landed where landed_on >= cast('{{ window_start }}' as date)
        union
        select landed.source_file from landed inner join window_keys on landed.landed_key = window_keys.landed_key
        {%- if keyless %}
            union
            select source_file from landed where landed_key is null
        {%- endif %}
        union
        select source_file from stale_files
        order by source_file
    {%- endset -%}
    {{ return(run_query(recheck_query).columns[0].values() | list) }}
{% endmacro %}
