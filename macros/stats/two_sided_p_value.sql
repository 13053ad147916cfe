{#- The two-proportion z-test needs the standard normal CDF in plain SQL: no warehouse has one built in under
    the same name, so it is written with the Abramowitz & Stegun 7.1.26 approximation of erfc
    (|absolute error| < 1.5e-7), which needs only exp, abs and sqrt and so runs anywhere. -#}

{% macro erfc_abs(x) -%}
    {#- erfc(|x|) = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))) * exp(-x^2), t = 1 / (1 + p * |x|) -#}
    (
        (1.0 / (1.0 + 0.3275911 * abs({{ x }})))
        * (0.254829592 + (1.0 / (1.0 + 0.3275911 * abs({{ x }})))
            * (-0.284496736 + (1.0 / (1.0 + 0.3275911 * abs({{ x }})))
                * (1.421413741 + (1.0 / (1.0 + 0.3275911 * abs({{ x }})))
                    * (-1.453152027 + (1.0 / (1.0 + 0.3275911 * abs({{ x }}))) * 1.061405429))))
        * exp(-1.0 * ({{ x }}) * ({{ x }}))
    )
{%- endmacro %}

{% macro two_sided_p_value(z) -%}
    {#- 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2): taken from erfc directly, so small p-values do not cancel to 0 -#}
    {{ erfc_abs('(' ~ z ~ ') / sqrt(2.0)') }}
{%- endmacro %}
