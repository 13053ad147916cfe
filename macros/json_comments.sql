{#- A SQL comment `/* <label>: <value as JSON> */` for a model's compiled query, where a hook of the model reads
    the value back (json_comment_in) instead of working it out again - the files a run re-checks, the later
    batches of a fold - and where target/compiled shows it. `/` is written `\/` (the same JSON string), so no
    value can end the comment. -#}
{% macro json_comment(label, value) %}
    {{ return('/* ' ~ label ~ ': ' ~ (tojson(value) | replace('/', '\\/')) ~ ' */') }}
{% endmacro %}

{#- The value json_comment(label, ...) wrote into a compiled query; a compiler error naming the model if the
    query has no such comment. -#}
{% macro json_comment_in(compiled_sql, label) %}
    {%- set found = modules.re.search(
        '/\\* ' ~ modules.re.escape(label) ~ ': (.*?) \\*/', compiled_sql, modules.re.DOTALL
    ) -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(this ~ ": its compiled query has no json_comment '" ~ label ~ "'") }}
    {%- endif -%}
    {{ return(fromjson(found.group(1))) }}
{% endmacro %}
