-- Every one of the 125 cells a customer can get must map to exactly one segment, or a customer would drop out
-- of (or be doubled by) the segment join in customer_rfm.
with

scores as (

    {% for score in range(1, 6) %}
        select {{ score }} as score
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

cells as (

    select
        {{ dbt.concat([
            dbt.safe_cast('r.score', dbt.type_string()),
            dbt.safe_cast('f.score', dbt.type_string()),
            dbt.safe_cast('m.score', dbt.type_string()),
        ]) }} as rfm_cell
    from scores as r
    cross join scores as f
    cross join scores as m

),

mapped as (

    select
        rfm_cell,
        count(*) as segments
    from {{ ref('rfm_segment_map') }}
    group by rfm_cell

),

final as (

    select
        cells.rfm_cell,
        coalesce(mapped.segments, 0) as segments
    from cells
    left join mapped
        on cells.rfm_cell = mapped.rfm_cell
    where coalesce(mapped.segments, 0) != 1

)

select * from final
