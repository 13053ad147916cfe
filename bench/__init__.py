"""`make bench`: time and measure `dbt build` against a plain DuckDB script (the floor) and pandas (the peer).

Modules: `run` (the driver), `floor` (plain DuckDB SQL, no dbt), `peer_pandas` (pandas + scikit-learn the way
a notebook does it), `headline` (the figures all three must agree on), `kmeans` (the segmentation step both
references share, because DuckDB has no k-means).
"""
