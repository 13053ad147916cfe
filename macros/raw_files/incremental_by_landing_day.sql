{#- How an incremental model of landed files replaces the rows a build reads again (the files of the lookback
    window, in_lookback_window): the config the model passes on, `config(**incremental_by_landing_day())`.
    DuckDB deletes the rows of the files read again and inserts theirs (delete+insert by source_file). Spark
    overwrites the landing-day partitions the build wrote (insert_overwrite, dynamic partitions; the whole-table
    files have no landing day and share the null partition, read by every build), so a new day writes only its
    own partitions. -#}
{% macro incremental_by_landing_day() %}
    {{ return(adapter.dispatch('incremental_by_landing_day')()) }}
{% endmacro %}

{% macro default__incremental_by_landing_day() %}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': 'source_file',
        'on_schema_change': 'fail'
    }) }}
{% endmacro %}

{% macro spark__incremental_by_landing_day() %}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite', 'partition_by': ['landed_on'],
        'on_schema_change': 'fail'
    }) }}
{% endmacro %}

{#- How a model of whole snapshot files (users.csv: each delivery replaces the last) skips a file it already
    holds: `config(**incremental_by_file_version())` with in_changed_files() as the read filter (staging) or
    snapshot_changed() (the models built on the whole snapshot). DuckDB
    deletes the rows of a file read again and inserts its new version (delete+insert by source_file); a file
    whose size and modification time match the loaded version is not opened. Spark rebuilds the table: without a
    partition to overwrite, its insert_overwrite of an empty selection would empty the table. -#}
{% macro incremental_by_file_version() %}
    {{ return(adapter.dispatch('incremental_by_file_version')()) }}
{% endmacro %}

{#- the same as for landed files: the rows of each file read again replace that file's rows -#}
{% macro default__incremental_by_file_version() %}
    {{ return(default__incremental_by_landing_day()) }}
{% endmacro %}

{% macro spark__incremental_by_file_version() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}
