-- Hand-worked cells of the R x FM grid (fm = (f + m) / 2 rounded down), one or more per segment: a wrong row
-- in the seed would put customers in the wrong segment without any other test noticing.
with

expected as (

    select
        cells.rfm_cell,
        cells.rfm_segment
    from (
        values
        ('555', 'Champions'),
        ('545', 'Champions'),
        ('455', 'Champions'),
        ('445', 'Loyal'),
        ('355', 'Loyal'),
        ('522', 'Potential loyalist'),
        ('434', 'Potential loyalist'),
        ('511', 'New'),
        ('512', 'New'),
        ('411', 'Promising'),
        ('333', 'Need attention'),
        ('312', 'About to sleep'),
        ('234', 'At risk'),
        ('144', 'At risk'),
        ('155', 'Cannot lose'),
        ('254', 'At risk'),
        ('221', 'Hibernating'),
        ('111', 'Lost'),
        ('122', 'Lost')
    ) as cells (rfm_cell, rfm_segment)

),

seed as (

    select * from {{ ref('rfm_segment_map') }}

),

final as (

    select
        expected.rfm_cell,
        expected.rfm_segment as expected_segment,
        seed.rfm_segment as seed_segment
    from expected
    left join seed
        on expected.rfm_cell = seed.rfm_cell
    where seed.rfm_segment is null or seed.rfm_segment != expected.rfm_segment

)

select * from final
