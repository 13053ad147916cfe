{#- The run history: one row per node of every dbt run/build/test/seed in audit.run_results, written by the
    on-run-end hook of dbt_project.yml. It is run metadata (which node ran, how it ended, how many rows, how
    long), not model data: no model reads it, it is never published, and no model's rows are inserted or
    deleted by a hook. Tests of the marts store their failing rows in schema audit too (store_failures), and
    failures_relation names that table. -#}
{% macro audit_run_results_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema='audit', identifier='run_results')) }}
{% endmacro %}

{#- The first on-run-end hook: the table, created once. Hooks run their SQL in a transaction dbt commits. -#}
{% macro create_audit_run_results() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set audit_table = audit_run_results_relation() -%}
    {%- do adapter.create_schema(audit_table) -%}
        create table if not exists {{ audit_table }} (
            invocation_id {{ dbt.type_string() }},
            run_started_at {{ dbt.type_timestamp() }},
            command {{ dbt.type_string() }},
            unique_id {{ dbt.type_string() }},
            resource_type {{ dbt.type_string() }},
            node_name {{ dbt.type_string() }},
            status {{ dbt.type_string() }},
            row_count {{ dbt.type_bigint() }},
            execution_seconds {{ dbt.type_float() }},
            failures {{ dbt.type_bigint() }},
            failures_relation {{ dbt.type_string() }},
            message {{ dbt.type_string() }}
        )
{%- endmacro %}

{#- The second on-run-end hook: one row per result of this run. -#}
{% macro record_run_results(results) %}
    {%- if not execute or not results -%}
        {{ return('') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {#- Row counts of the tables this run wrote; a view would be re-run to count it, so it gets none. -#}
        {%- if result.status == 'success' and node.resource_type in ['model', 'seed']
            and node.config.materialized in ['table', 'incremental', 'seed'] and node.relation_name -%}
            {%- set row_count = '(select count(*) from ' ~ node.relation_name ~ ')' -%}
        {%- else -%}
            {%- set row_count = 'null' -%}
        {%- endif -%}
        {%- set failures_relation = node.relation_name
            if node.resource_type == 'test' and node.config.store_failures else none -%}
        {%- do rows.append(
            'select '
            ~ audit_literal(invocation_id) ~ ', '
            ~ 'cast(' ~ audit_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ ' as '
            ~ dbt.type_timestamp() ~ '), '
            ~ audit_literal(flags.WHICH) ~ ', '
            ~ audit_literal(node.unique_id) ~ ', '
            ~ audit_literal(node.resource_type) ~ ', '
            ~ audit_literal(node.name) ~ ', '
            ~ audit_literal(result.status) ~ ', '
            ~ 'cast(' ~ row_count ~ ' as ' ~ dbt.type_bigint() ~ '), '
            ~ 'cast(' ~ (result.execution_time | float) ~ ' as ' ~ dbt.type_float() ~ '), '
            ~ 'cast(' ~ (result.failures if result.failures is number else 'null') ~ ' as '
            ~ dbt.type_bigint() ~ '), '
            ~ audit_literal(failures_relation) ~ ', '
            ~ audit_literal(result.message)
        ) -%}
    {%- endfor -%}
    insert into {{ audit_run_results_relation() }}
    {{ rows | join('\nunion all\n') }}
{% endmacro %}

{#- A SQL string literal for any value (sql_string), or null. -#}
{% macro audit_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ sql_string(value) }}
    {%- endif -%}
{%- endmacro %}
