"""How many threads the compiled code runs on.

Both counts follow the cores this process may use (its CPU affinity, as
``taskset`` or a container's CPU set gives it), never the machine's load,
so two runs of the same command get the same counts.  A user's
``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` decide instead.
"""

import os

__all__ = ['usable_cores', 'blas_threads', 'fused_threads']

# More threads do not pay on the tutorials' skinny matrix products, and
# the fused loop cuts a minibatch into four parts.
MAX_THREADS = 4


def usable_cores():
    """How many cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this system
        return max(1, os.cpu_count() or 1)


def blas_threads(environ=os.environ, cores=None):
    """Threads of the C backend's OpenBLAS: the usable cores, at most 4.

    :param cores: default :func:`usable_cores`
    :rtype: int, or None when ``OPENBLAS_NUM_THREADS`` or
        ``OMP_NUM_THREADS`` is set (OpenBLAS then reads it itself)
    """
    if 'OPENBLAS_NUM_THREADS' in environ or 'OMP_NUM_THREADS' in environ:
        return None
    return min(MAX_THREADS, cores or usable_cores())


def fused_threads(environ=os.environ, cores=None):
    """Threads of the fused loop: ``OMP_NUM_THREADS``, else
    ``OPENBLAS_NUM_THREADS``, else the usable cores, at most 4.

    :param cores: default :func:`usable_cores`
    :rtype: int, at least 1
    """
    for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        try:
            return max(1, int(environ[name]))
        except (KeyError, ValueError):
            pass
    return min(MAX_THREADS, cores or usable_cores())
