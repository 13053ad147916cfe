{#- "Nothing is lost": fails on every row where raw_rows differs from clean_rows + quarantined_rows.
    Column names can be overridden for other ledgers. -#}
{% test rows_conserved(model, raw='raw_rows', clean='clean_rows', quarantined='quarantined_rows') %}

    select *
    from {{ model }}
    where
        {{ raw }} is null
        or {{ clean }} is null
        or {{ quarantined }} is null
        or {{ raw }} <> {{ clean }} + {{ quarantined }}

{% endtest %}
