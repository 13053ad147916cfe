"""One BLAS/OpenMP thread for the numeric work of the dbt Python models, safe under dbt's threads.

dbt-duckdb runs Python models in-process, several at once on dbt's threads, and a thread-pool limit is
process-wide. With one `threadpool_limits` context per model, the first model to finish restored the
original limit while another was still fitting; a sum split over two threads adds in another order, so a
rebuild differed in the last digit (seen in CI: one silhouette of `segment_model_selection`). The limit is
therefore counted: the first caller sets one BLAS thread, the last one to leave restores the original.
OpenMP's thread count belongs to the calling thread instead, so every caller sets and restores its own.
threadpoolctl only limits the libraries already loaded, so scikit-learn's OpenMP and SciPy's BLAS are
loaded here, before any limit is set (in a full build, k-means found OpenMP at two threads inside the limit).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator

import scipy.spatial  # noqa: F401  (loads SciPy's BLAS)
import sklearn.cluster  # noqa: F401  (loads scikit-learn's OpenMP runtime)
from threadpoolctl import threadpool_limits

_lock = threading.Lock()
_holders = 0
_blas_limiter: threadpool_limits | None = None


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """One OpenMP thread for the caller; one BLAS thread for the process until every caller has left."""
    global _holders, _blas_limiter
    with _lock:
        if _holders == 0:
            _blas_limiter = threadpool_limits(limits=1, user_api="blas")
        _holders += 1
    openmp_limiter = threadpool_limits(limits=1, user_api="openmp")
    try:
        yield
    finally:
        openmp_limiter.restore_original_limits()
        with _lock:
            _holders -= 1
            if _holders == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def single_threaded(function):
    """Run `function` inside `one_thread()`.

    One thread keeps k-means from fighting the models dbt runs beside it for the cores (nine fits took
    120 s instead of 6 s on a loaded 2-core machine) and fixes the order of floating-point sums, so a
    refit is bit-identical.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with one_thread():
            return function(*args, **kwargs)

    return wrapper
