"""Loss functions: ``value`` is the total over a batch, ``delta`` the error
at the output layer's pre-activation (dL/dz), for the given output
activation."""


class SquaredError:
    """L = 1/2 sum((a - y)^2): half the sum of squared errors (so that
    dL/dz = (a - y) * f'(z) has no factor 2).  It is named "mse" as most
    libraries name it; divided by the batch size, as every loss here is, it
    is half the sum over outputs of the mean squared error."""

    name = "mse"

    def check(self, output):
        pass

    def value(self, a, y, output):
        return a.squared_error(y)

    def delta(self, a, y, output):
        return output.backward(a, a - y)


class CrossEntropy:
    """L = -sum(y log a): categorical after softmax, binary (per output)
    after sigmoid.  Both pairs simplify to dL/dz = a - y."""

    name = "cross_entropy"

    def check(self, output):
        if not output.probabilities:
            raise ValueError(
                "loss 'cross_entropy' needs outputs that are probabilities: "
                "use output='softmax' or 'sigmoid', not %r" % output.name
            )

    def value(self, a, y, output):
        return output.cross_entropy(a, y)

    def delta(self, a, y, output):
        # softmax + categorical and sigmoid + binary cross-entropy: the
        # derivative of the loss and of the activation cancel to a - y.
        return a - y


LOSSES = {cls.name: cls for cls in (SquaredError, CrossEntropy)}
