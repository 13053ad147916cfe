{#- Makes the raw files of var('source_system') readable as source() relations, before anything is built
    (on-run-start). dbt-duckdb reads them in place through each source table's `external_location`, so on
    DuckDB this does nothing. Spark has no such reader: each source table becomes a table over its files
    (`<table>__files`, the columns of the source yml, all text, the same CSV dialect) and a view `<table>` that
    adds the file's path as `filename`, as DuckDB's reader does. What a table reads comes from its
    `meta.spark` in the sources yml: `files` (a file name, or a pattern searched below the folder when
    `recursive`), `header`, and `format: listing` for the listing of the raw folder. Only DDL runs here, no row
    is written; the tables read the files anew on every query, like DuckDB's external sources. -#}
{% macro stage_raw_sources() %}
    {{ return(adapter.dispatch('stage_raw_sources')()) }}
{% endmacro %}

{% macro default__stage_raw_sources() %}
    {{ return('') }}
{% endmacro %}

{% macro spark__stage_raw_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == source_system() -%}
        {%- set spark = node.meta.get('spark', {}) -%}
        {%- set location = validated_path(node.source_meta.raw_location_var) -%}
        {%- set files_table = node.schema ~ '.' ~ node.identifier ~ '__files' -%}
        {%- set view = node.schema ~ '.' ~ node.identifier -%}
        {%- set options = {'path': location ~ ('/' ~ spark.files if spark.files and not spark.recursive else '')} -%}
        {%- if spark.recursive -%}
            {%- do options.update({'recursiveFileLookup': 'true', 'pathGlobFilter': spark.files}) -%}
        {%- endif -%}
        {%- if spark.format == 'listing' -%}
            {%- set columns = none -%}
            {%- set listing = 'path as filename, length as size, modificationTime as last_modified' -%}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() if column.name != 'filename' -%}
                {%- do columns.append(column.name ~ ' string') -%}
            {%- endfor -%}
            {#- enforceSchema false: Spark checks a header line against the declared columns by name -#}
            {%- do options.update({
                'header': 'true' if spark.header else 'false', 'enforceSchema': 'false', 'sep': ',',
                'quote': '"', 'escape': '"', 'mode': 'PERMISSIVE'
            }) -%}
        {%- endif -%}
        {%- set rendered_options = [] -%}
        {%- for key, value in options.items() -%}
            {%- do rendered_options.append(key ~ ' ' ~ sql_string(value)) -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists ' ~ node.schema) -%}
        {%- do run_query('drop view if exists ' ~ view) -%}
        {%- do run_query('drop table if exists ' ~ files_table) -%}
        {%- do run_query(
            'create table ' ~ files_table
            ~ (' (' ~ columns | join(', ') ~ ')' if columns else '')
            ~ ' using ' ~ ('binaryFile' if spark.format == 'listing' else 'csv')
            ~ ' options (' ~ rendered_options | join(', ') ~ ')'
        ) -%}
        {%- do run_query(
            'create view ' ~ view ~ ' as select '
            ~ (listing if spark.format == 'listing' else '*, _metadata.file_path as filename')
            ~ ' from ' ~ files_table
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
