{#- Fails on every row where the boolean SQL `expression` is false or null, e.g.
    `net_revenue = revenue - returns`. A null result fails: an identity that cannot be evaluated is not proven.
    Use dbt's own `config: {where: ...}` to narrow the rows checked. -#}
{% test expression_holds(model, expression, column_name=none) %}

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

{% endtest %}
