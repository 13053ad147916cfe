-- Both raw sources map onto one shape, so every mart downstream is shared: this picks the active one.
select * from {{ ref('int_' ~ source_system() ~ '__customers') }}
