"""Backpropagation, one step at a time, in plain Python.

    python examples/backprop_study.py

Builds a 3-4-2 network on the pure-Python backend, runs one sample forward,
prints every layer's activations and the error (delta) that backpropagation
sends back through it, checks the resulting gradients against finite
differences, then takes a step and shows the loss fall.  Read it beside
tinynet/dnn.py (forward, backward) and tinynet/backends/python_backend.py
(run it with backend="python-plain" to step through exactly that code).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinynet import DNN, Matrix, gradient_check  # noqa: E402


def show(name, m):
    rows = m.tolist()
    print("  %-14s %s" % (name, "  ".join("[" + ", ".join("%+.4f" % v for v in r) + "]" for r in rows)))


model = DNN([3, 4, 2], activation="sigmoid", output="softmax", loss="cross_entropy",
            learning_rate=0.5, seed=1, backend="python-plain")
x = Matrix.from_list([[0.5, -0.2, 0.1]], backend="python-plain")
y = Matrix.from_list([[0.0, 1.0]], backend="python-plain")  # the right answer is class 1

print("forward: each layer computes a = f(a_prev @ W + b)")
activations = model.forward(x)
for i, a in enumerate(activations):
    show("input" if i == 0 else "layer %d" % i, a)

print("\nbackward: delta = dLoss/dz, from the output back")
print("  (softmax + cross-entropy: the output delta is simply a - y)")
deltas = model.backward(activations, y)
for i in reversed(range(len(deltas))):
    show("delta %d" % (i + 1), deltas[i])

print("\ngradients: dLoss/dW = a_prev.T @ delta, dLoss/db = delta")
loss, grad_w, grad_b = model.gradients(x, y)
for i, (gw, gb) in enumerate(zip(grad_w, grad_b)):
    show("dW%d" % (i + 1), gw)
    show("db%d" % (i + 1), gb)

check = gradient_check(model, [[0.5, -0.2, 0.1]], [1])
print("\ngradient check against finite differences: largest relative error %.2g" % check.max_error)

print("\none step of gradient descent (learning rate 0.5):")
for step in range(5):
    print("  step %d  loss %.6f" % (step, model.train([0.5, -0.2, 0.1], 1)))
