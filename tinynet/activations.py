"""Activation functions, each with its derivative written from its output.

Backpropagation needs f'(z) at every layer.  For these functions f'(z) is a
simple function of the output a = f(z) (sigmoid: a(1 - a); tanh: 1 - a^2;
relu: 1 where a > 0), so the network keeps only the activations, never z.
Each class names the backend functions that do the arithmetic.
"""

import math

from .errors import choice


class Activation:
    """Base class: ``forward(z)`` gives a = f(z); ``backward(a, d)`` gives
    d * f'(z), the error pushed back through the function."""

    name = None
    #: Whether outputs are probabilities, so cross-entropy is defined on them.
    probabilities = False

    def forward(self, z):
        raise NotImplementedError

    def backward(self, a, d):
        raise NotImplementedError

    def init_bound(self, fan_in, fan_out):
        """Return the half-width of the uniform initial weights (Glorot)."""
        return math.sqrt(6.0 / (fan_in + fan_out))

    def __repr__(self):
        return "%s()" % type(self).__name__


class Sigmoid(Activation):
    """sigma(z) = 1 / (1 + e^-z), in (0, 1); sigma'(z) = a (1 - a)."""

    name = "sigmoid"
    probabilities = True

    def forward(self, z):
        return z.sigmoid()

    def backward(self, a, d):
        return a.sigmoid_backward(d)

    def cross_entropy(self, a, y):
        # Each output is its own yes/no probability: binary cross-entropy.
        return a.binary_cross_entropy(y)


class Tanh(Activation):
    """tanh(z), in (-1, 1); tanh'(z) = 1 - a^2."""

    name = "tanh"

    def forward(self, z):
        return z.tanh()

    def backward(self, a, d):
        return a.tanh_backward(d)


class ReLU(Activation):
    """max(z, 0); its derivative is 1 where a > 0 and 0 elsewhere."""

    name = "relu"

    def forward(self, z):
        return z.relu()

    def backward(self, a, d):
        return a.relu_backward(d)

    def init_bound(self, fan_in, fan_out):
        # He: half of a ReLU layer's units are off, so double the variance.
        return math.sqrt(6.0 / fan_in)


class Linear(Activation):
    """The linear (identity) output f(z) = z, for regression."""

    name = "linear"

    def forward(self, z):
        return z

    def backward(self, a, d):
        return d


class Softmax(Activation):
    """e^z / sum(e^z) across a row: one probability distribution per sample."""

    name = "softmax"
    probabilities = True

    def forward(self, z):
        return z.softmax()

    def backward(self, a, d):
        return a.softmax_backward(d)

    def cross_entropy(self, a, y):
        # One distribution over the classes: categorical cross-entropy.
        return a.cross_entropy(y)


HIDDEN = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU)}
OUTPUT = {cls.name: cls for cls in (Sigmoid, Softmax, Linear)}


def output(name, width):
    """Return the output activation for ``width`` outputs: ``name``'s, or by
    default softmax, or sigmoid for a single output."""
    if name is None:
        name = "softmax" if width > 1 else "sigmoid"
    elif name == "softmax" and width == 1:
        raise ValueError("a softmax over one output is always 1.0, so it cannot learn: use "
                         "output='sigmoid' (a yes/no probability) or two outputs")
    return choice(OUTPUT, name, "output")()
