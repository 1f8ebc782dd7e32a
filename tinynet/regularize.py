"""Dropout's masks and max-norm's limit: what training adds to backpropagation
to keep a large network from memorising its data (Srivastava, Hinton,
Krizhevsky, Sutskever and Salakhutdinov, "Dropout: a simple way to prevent
neural networks from overfitting", JMLR 2014).

dnn.py applies the masks, in equations (2') and (BP2') (the inputs' mask,
if any, only in (2'): they have no error to pass back); this module checks
the settings and draws the masks.  A mask is drawn as random bytes from the
model's own generator: a unit is kept when its byte is below the layer's
keep count ``k`` (of 256), so it is kept with probability ``q = k / 256``,
and scaled by ``1/q`` ("inverted" dropout: the expected activation is the
same as without dropout, so predicting needs no change).  A rate is thus
used in steps of 1/256: 0.5 is exact, 0.2 keeps 205 of 256 values (q =
0.801).  The same seed draws the same masks on every backend.
"""

from .matrix import Matrix


def rates(value, sizes, inputs=0.0):
    """Return the dropout rates for a network of layer widths ``sizes``: the
    inputs' (``inputs``), then one per hidden layer, from ``value``: one
    rate for all (0 for none) or a list of one per hidden layer.  Each is in
    [0, 1)."""
    from .optim import check_number

    first = check_number(inputs, "input_dropout", 0, 1)
    _check_step(first, "input_dropout")
    hidden = len(sizes) - 2
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                         and value == 0):
        return [first] + [0.0] * hidden
    if isinstance(value, (list, tuple)):
        if len(value) != hidden:
            raise ValueError("dropout has %d rates, but sizes %s have %d hidden layer%s (give "
                             "one rate per hidden layer, or one number for all)"
                             % (len(value), list(sizes), hidden, "" if hidden == 1 else "s"))
        found = list(value)
    else:
        if not hidden:
            raise ValueError("dropout drops hidden units, and sizes %s have no hidden layer"
                             % (list(sizes),))
        found = [value] * hidden
    found = [check_number(p, "dropout", 0, 1) for p in found]
    for p in found:
        _check_step(p, "dropout")
    return [first] + found


def _check_step(rate, name):
    if rate and not 0 < keep_count(rate) < 256:
        raise ValueError("%s %r is too close to %d: rates are used in steps of 1/256, so give 0 "
                         "or a rate in [0.002, 0.998]" % (name, rate, round(rate)))


def keep_count(rate):
    """Return how many of the 256 byte values keep a unit at the dropout ``rate``."""
    return 256 - int(rate * 256 + 0.5)


def keep_shares(rates):
    """Return each hidden layer's probability q of keeping a unit, k / 256
    (None for a layer without dropout), or None if no layer has dropout."""
    shares = [keep_count(p) / 256.0 if p else None for p in rates]
    return shares if any(shares) else None


def max_norm(value):
    """Return the max-norm limit ``value``: None (no limit) or a number > 0."""
    if value is None:
        return None
    from .optim import check_number

    return check_number(value, "max_norm", 0, low_open=True)


def random_bytes(rng, n, keep):
    """Return ``n`` bytes from the generator ``rng``, each 255 with
    probability ``keep / 256`` and else 0."""
    if hasattr(rng, "getrandbits"):  # random.Random: all the bytes in one call, then a table
        table = bytes(255 if b < keep else 0 for b in range(256))
        return rng.getrandbits(8 * n).to_bytes(n, "little").translate(table)
    return bytes(255 if int(rng.random() * 256) < keep else 0 for _ in range(n))  # MicroPython


def dropout_masks(model, n):
    """Return the masks M[l] of (2') for a batch of ``n`` samples of
    ``model``: for the inputs (l = 0) and each hidden layer, None where it
    has no dropout, else ``n`` rows of 0 (a unit dropped) or 1/q (kept)."""
    masks = []
    for width, q in zip(model.sizes[:-1], model._keep):
        if q is None:
            masks.append(None)
            continue
        kept = random_bytes(model._rng, n * width, int(q * 256))  # from_bytes reads 255 as 1.0
        masks.append(Matrix.from_bytes(kept, n, width, model.backend, model.dtype) * (1.0 / q))
    return masks


def limit_norms(weights, limit):
    """Max-norm: shorten, in ``weights`` (every layer's), each hidden unit's
    vector of incoming weights (a column of ``W[l]``, l < L) that is longer
    than ``limit`` to that length, as after each step of training."""
    for l in range(len(weights) - 1):
        W = weights[l]
        norms = (W * W).sum(axis=0).sqrt()  # each column's length: a 1 x n row
        weights[l] = W * (limit / norms.maximum(limit))  # 1 where short enough, else limit/norm
