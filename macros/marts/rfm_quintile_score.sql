{#- Score 1..5 from a value's position among all customers, with EQUAL VALUES GETTING EQUAL SCORES.
    rank_column is rank() over (order by the value, worst first) and row_count is count(*) over (). The score is
    1 + floor(5 * percent_rank) capped at 5, where percent_rank = (rank - 1) / (row_count - 1), written as integer
    comparisons (5 * (rank - 1) >= k * (row_count - 1), one per boundary k = 1..4) so floating-point rounding can
    never move a customer across a boundary. Ties share a rank, hence a score; the worst value always scores 1 and
    a lone customer scores 1. Unlike ntile(5), a tie is never split across two scores. -#}
{% macro rfm_quintile_score(rank_column, row_count) -%}
    case
        when {{ row_count }} <= 1 then 1
        else 1
            + case when 5 * ({{ rank_column }} - 1) >= 1 * ({{ row_count }} - 1) then 1 else 0 end
            + case when 5 * ({{ rank_column }} - 1) >= 2 * ({{ row_count }} - 1) then 1 else 0 end
            + case when 5 * ({{ rank_column }} - 1) >= 3 * ({{ row_count }} - 1) then 1 else 0 end
            + case when 5 * ({{ rank_column }} - 1) >= 4 * ({{ row_count }} - 1) then 1 else 0 end
    end
{%- endmacro %}
