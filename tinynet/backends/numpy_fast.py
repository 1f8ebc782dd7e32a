"""The default NumPy backend ("numpy"): the plain one, with products that skip zeros.

Every operation is ``numpy_backend``'s (the plain NumPy definitions), except
the products and the momentum step, which are replaced here by kernels that
do less work for the same numbers (``backend="numpy-plain"`` runs the plain
ones; the tests keep the two equal):

* a batch's products leave out the columns of ``a`` that are zero in every
  row, and the rows of ``b`` they meet: in a batch of 128 MNIST images only
  about 530 of the 784 pixels are non-zero in any image (the border, and the
  ends of each row of pixels, are blank in all of them), so a third of each
  big product's work is left out;
* a single mostly-zero row (one image) reads and updates only the rows of
  the weights that its non-zero pixels meet;
* the momentum step's four passes over the velocity and the weights run a
  block of rows at a time, so each matrix crosses the memory bus once.
"""

import numpy as np

from .numpy_backend import *  # noqa: F401,F403  (every plain definition not replaced below)
from .numpy_backend import check_outer

name = "numpy"


def _sparse_row(a):
    """Return the non-zero columns of a single mostly-zero row, else None."""
    if a.shape[0] != 1:
        return None
    nonzero = np.flatnonzero(a[0])
    return nonzero if 2 * len(nonzero) <= a.shape[1] else None


def _used_columns(a):
    """Return the columns of ``a`` that hold a non-zero in some row, as a
    sorted index array; or None, without looking further, when its first and
    last columns both do (dense data pays two short checks)."""
    if a.shape[1] < 2 or (a[:, 0].any() and a[:, -1].any()):
        return None
    return np.flatnonzero(a.any(axis=0))


def _runs(cols):
    """Return the runs of consecutive numbers in the sorted index array
    ``cols`` as ``[(start, stop), ...]``: ``[0, 1, 2, 5, 6]`` gives
    ``[(0, 3), (5, 7)]``."""
    if len(cols) == 0:
        return []
    cut = np.flatnonzero(np.diff(cols) != 1) + 1
    starts = cols[np.concatenate(([0], cut))]
    stops = cols[np.concatenate((cut - 1, [len(cols) - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist()))


#: The products leave out the zero columns between the first and the last
#: non-zero one (copying the rest of ``a``'s columns, and of ``b``'s rows in
#: :func:`matmul`) once they are this share of that span; below it they use
#: the span as a view, copying nothing.
GATHER_SHARE = 0.1


def _kept(a):
    """Return the columns of ``a`` that the products use: a slice (all of
    them, or the span from the first to the last non-zero one) or a sorted
    index array (see :data:`GATHER_SHARE`)."""
    cols = _used_columns(a)
    if cols is None:
        return slice(None)
    if len(cols) == 0:
        return slice(0, 0)
    span = cols[-1] + 1 - cols[0]
    if len(cols) <= (1 - GATHER_SHARE) * span:
        return cols
    return slice(cols[0], cols[-1] + 1)


def matmul(a, b):
    """Return ``a @ b``, leaving out the columns of ``a`` that are zero in
    every row and the rows of ``b`` they meet (see :func:`_kept`); a single
    mostly-zero row reads only the rows of ``b`` its non-zeros meet."""
    if a.shape[1] != b.shape[0]:
        raise ValueError("matmul: shapes %s and %s are not aligned" % (a.shape, b.shape))
    nonzero = _sparse_row(a)
    if nonzero is not None:
        return a[:, nonzero] @ b[nonzero]
    cols = _kept(a)
    return a[:, cols] @ b[cols]


def _outer(a, d, alpha):
    """Return ``(runs, g)``: ``g`` is ``alpha * a.T @ d`` for the rows of the
    product that the columns :func:`_kept` keeps give, and ``runs`` lists
    those rows as ``(start, stop)`` pairs, in ``g``'s order.  The scalar goes
    to whichever factor is smaller, so no pass over the product is spent on
    it: the product (n_in x n_out) is the big array here."""
    cols = _kept(a)
    runs = [cols.indices(a.shape[1])[:2]] if isinstance(cols, slice) else _runs(cols)
    a = a[:, cols]
    if d.size <= a.size:
        return runs, a.T @ (d * alpha)
    return runs, (a * alpha).T @ d


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place, touching only the rows of
    ``w`` that a single sparse row of ``a`` meets, or that a batch's
    non-zero columns give (see :func:`_kept`); return ``w``."""
    check_outer(w, a, d, "add_outer_")
    nonzero = _sparse_row(a)
    if nonzero is not None:
        w[nonzero] += np.outer(alpha * a[0, nonzero], d[0])
        return w
    runs, g = _outer(a, d, alpha)
    at = 0
    for start, stop in runs:
        part = w[start:stop]  # a view: updating it updates w
        part += g[at:at + stop - start]
        at += stop - start
    return w


#: Bytes of each matrix that :func:`momentum_` updates at a time: its three
#: blocks (velocity, gradient, weights) stay in the core's cache from one
#: pass to the next, so each matrix crosses the memory bus once per step.
BLOCK_BYTES = 1 << 18


def momentum_(w, v, a, d, alpha, mu, decay=0.0):
    """One step of SGD with momentum, in place; return ``w``::

        v = mu * v + alpha * a.T @ d + decay * w
        w += v

    The same arithmetic, element by element and in the same order, as
    ``Matrix.momentum_``'s passes (``scale_``, ``add_outer_``, ``add_``),
    so the results are the same to the last bit; but the gradient is one
    product, and the passes over ``v`` and ``w`` run a block of rows at a
    time (see :data:`BLOCK_BYTES`), with no temporary the size of the
    weights besides the product itself.
    """
    check_outer(w, a, d, "momentum_")
    if v.shape != w.shape:
        raise ValueError("momentum_: velocity %s and weights %s differ" % (v.shape, w.shape))
    nonzero = _sparse_row(a)
    if nonzero is not None:  # one sample: update the rows it meets
        v *= mu
        v[nonzero] += np.outer(alpha * a[0, nonzero], d[0])
        if decay:
            v += decay * w
        w += v
        return w
    runs, g = _outer(a, d, alpha)
    n = w.shape[0]
    step = max(1, BLOCK_BYTES // max(1, w.shape[1] * w.itemsize))
    r, at = 0, 0  # the first run not yet added whole, and its first row in g
    for i in range(0, n, step):
        j = min(i + step, n)
        vb, wb = v[i:j], w[i:j]
        vb *= mu
        while r < len(runs) and runs[r][0] < j:  # add the runs' rows in [i, j)
            start, stop = runs[r]
            lo, hi = max(start, i), min(stop, j)
            if lo < hi:
                part = vb[lo - i:hi - i]
                part += g[at + lo - start:at + hi - start]
            if stop > j:
                break  # the run goes on in the next block
            r, at = r + 1, at + stop - start
        if decay:
            vb += decay * wb
        wb += vb
    return w
