"""E-commerce customer analytics: the Python side of the dbt project.

Subpackages: ``generator`` (deterministic shop-data generator), ``segmentation`` (the logic behind the
dbt Python models), ``publish`` (safe hand-over of the marts to BI tools), ``charts`` (pictures for the docs).
"""
