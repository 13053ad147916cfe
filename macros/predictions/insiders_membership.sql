{#- Applies the Insiders rules (seed insiders_rules) to `scored`, a relation with customer_id, frequency,
    recency_days and expected_revenue (one row per customer at one cutoff). Renders a select returning
    customer_id, is_insider and deciding_rule_id: the first rule (by priority) that fails, or the last rule when
    all hold. The top-share rule ranks every customer of `scored` by expected_revenue, ties by customer_id. -#}
{% macro insiders_membership(scored) -%}
    select
        customer_id,
        is_insider,
        rule_id as deciding_rule_id
    from (
        select
            checked.customer_id,
            checked.is_insider,
            checked.rule_id,
            row_number() over (
                partition by checked.customer_id
                order by
                    case when checked.fails then 0 else 1 end,
                    case when checked.fails then checked.priority else -1 * checked.priority end
            ) as decision_order
        from (
            select
                ranked.customer_id,
                rules.rule_id,
                rules.priority,
                case rules.rule_kind
                    when 'min_orders' then ranked.frequency < rules.threshold
                    when 'max_recency_days' then ranked.recency_days > rules.threshold
                    when 'top_share_expected_revenue'
                        then ranked.value_rank > ceiling(rules.threshold * ranked.customers)
                end as fails,
                min(
                    case rules.rule_kind
                        when 'min_orders' then ranked.frequency >= rules.threshold
                        when 'max_recency_days' then ranked.recency_days <= rules.threshold
                        when 'top_share_expected_revenue'
                            then ranked.value_rank <= ceiling(rules.threshold * ranked.customers)
                    end
                ) over (partition by ranked.customer_id) as is_insider
            from (
                select
                    customer_id,
                    frequency,
                    recency_days,
                    row_number() over (order by expected_revenue desc, customer_id) as value_rank,
                    count(*) over () as customers
                from {{ scored }}
            ) as ranked
            cross join {{ ref('insiders_rules') }} as rules
        ) as checked
    ) as decided
    where decision_order = 1
{%- endmacro %}
