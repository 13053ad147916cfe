{%- set horizon = prediction_horizon_days() -%}
{%- set role_rows = [
    ['train', 2 * horizon, 0, 'true'],
    ['evaluate', horizon, 0, 'true'],
    ['score', 0, 0, 'false'],
] -%}
{%- for month in range(1, 13) -%}
    {%- do role_rows.append(['refit', 0, month, 'false']) -%}
{%- endfor -%}
-- The dates features are computed at. Every model is judged on the same split: trained at as_of_date - 2H
-- with outcomes up to as_of_date - H, evaluated at as_of_date - H with outcomes up to as_of_date; the
-- production model scores at as_of_date. The monthly cutoffs of the last year feed segment_stability.
with

reference_date as (

    select {{ as_of_date() }} as as_of_date

),

roles as (

    {% for role, days_before, months_before, has_outcome in role_rows %}
        select
            '{{ role }}' as cutoff_role,
            {{ days_before }} as days_before,
            {{ months_before }} as months_before,
            {{ has_outcome }} as has_outcome
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

dated as (

    select
        roles.cutoff_role,
        roles.months_before,
        roles.has_outcome,
        reference_date.as_of_date,
        cast(
            {{ dbt.dateadd('month', '-1 * roles.months_before', dbt.dateadd('day', '-1 * roles.days_before', 'reference_date.as_of_date')) }}
            as date
        ) as cutoff_date
    from roles
    cross join reference_date
    -- no sale at all (a header-only landing): no reference date, so no cutoff
    where reference_date.as_of_date is not null

),

final as (

    select
        cutoff_role,
        cast(months_before as {{ dbt.type_int() }}) as months_before,
        cutoff_date,
        case
            when has_outcome
                then cast({{ dbt.dateadd('day', horizon, 'cutoff_date') }} as date)
        end as outcome_end_date,
        as_of_date,
        cast({{ horizon }} as {{ dbt.type_int() }}) as horizon_days
    from dated

)

select * from final
