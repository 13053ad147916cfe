"""The one-thread limit holds while any Python model is still inside it, whichever model leaves first.

The threaded scenarios run in a fresh interpreter: once OpenBLAS has started its threads (any earlier test
that fitted a model), a limit set from a second Python thread is no longer reported back by it, so the
check would depend on the order pytest ran the tests in.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCENARIO = textwrap.dedent(
    """
    import threading
    from threadpoolctl import threadpool_info
    from ecom_analytics.threads import one_thread

    def threads():
        return {pool["user_api"] + " " + pool["filepath"]: pool["num_threads"] for pool in threadpool_info()}

    before = threads()
    inside, leave_first, first_left = threading.Event(), threading.Event(), threading.Event()

    def short_model():
        with one_thread():
            inside.set()
            leave_first.wait(10)
        first_left.set()

    worker = threading.Thread(target=short_model)
    worker.start()
    inside.wait(10)  # the other model entered first...
    with one_thread():
        leave_first.set()  # ...and leaves first, while this one is still fitting
        first_left.wait(10)
        during = threads()
    worker.join()
    print(sorted(set(during.values())), before == threads(), sorted(api.split()[0] for api in during))
    """
)


def test_the_limit_holds_until_the_last_caller_leaves_and_then_comes_back():
    result = subprocess.run(
        [sys.executable, "-c", SCENARIO],
        env={**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("[1] True"), (
        f"one thread while a model runs, the original after: {result.stdout}"
    )
    assert "'blas'" in result.stdout and "'openmp'" in result.stdout, (
        "k-means' OpenMP and both BLAS are limited"
    )
