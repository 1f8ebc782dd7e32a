"""A model described as a table, as ``model.summary()`` prints it (after
Keras's), ``python -m tinynet show MODEL`` prints it, and a notebook shows
it (``_repr_html_``).

Kept out of dnn.py and imported only when asked for; plain enough for
MicroPython (no str.format specs, no ljust).
"""

from .errors import grouped as thousands, size_text


def _dtype_name(model):
    dtype = model.dtype
    return getattr(dtype, "__name__", None) or str(dtype)


def layers(model):
    """One ``(name, output shape, parameters, activation)`` row per layer,
    the input first."""
    rows = [("input", "(None, %d)" % model.sizes[0], 0, "")]
    last = len(model.sizes) - 1
    for i in range(1, last + 1):
        n_in, n_out = model.sizes[i - 1], model.sizes[i]
        act = model.output_activation if i == last else model._activation
        rows.append(("dense_%d" % i, "(None, %d)" % n_out, n_in * n_out + n_out, act.name))
    return rows


ORDER = ("learning_rate", "l2", "momentum", "beta1", "beta2", "eps")


def optimizer_settings(model):
    """The optimizer's name and its settings, as ``[(key, value)]``, in a
    fixed order (MicroPython's dicts keep none)."""
    opt = model.optimizer
    settings = opt.settings()
    keys = [k for k in ORDER if k in settings] + sorted(k for k in settings if k not in ORDER)
    return opt.name, [(k, settings[k]) for k in keys]


def _settings_text(items):
    return ", ".join("%s=%s" % (k, ("%g" % v) if isinstance(v, float) else v) for k, v in items)


def _cell(text, width, right=False):
    text = str(text)
    pad = " " * max(0, width - len(text))
    return pad + text if right else text + pad


def text(model):
    """The summary table as text (what ``model.summary()`` prints)."""
    rows = layers(model)
    head = ("Layer", "Output shape", "Param #", "Activation")
    cells = [head] + [(n, s, thousands(p), a or "-") for n, s, p, a in rows]
    widths = [max(len(c[k]) for c in cells) + 3 for k in range(4)]
    total_width = sum(widths) - 3
    rule = "_" * total_width

    def line(c):
        return (_cell(c[0], widths[0]) + _cell(c[1], widths[1]) + _cell(c[2], widths[2] - 3, True)
                + "   " + c[3]).rstrip()

    total = model.n_parameters
    dtype = _dtype_name(model)
    size = 4 if dtype == "float32" else 8
    name, items = optimizer_settings(model)
    out = ["Model: %s, layers %s" % (type(model).__name__, " -> ".join(map(str, model.sizes))),
           rule, line(head),
           "=" * total_width]
    out.extend(line(c) for c in cells[1:])
    out.append("=" * total_width)
    out.append("Total params: %s (%s as %s)" % (thousands(total), size_text(total * size), dtype))
    out.append("Loss: %s" % model._loss.name)
    out.append("Optimizer: %s (%s)" % (name, _settings_text(items)))
    out.extend(regularization(model))
    out.append("Backend: %s, %s" % (model.backend, dtype))
    return "\n".join(out)


def regularization(model):
    """The lines on dropout and max-norm, for a model that has them."""
    lines = []
    rates = model._rates  # (settings.py's properties are not on a board: the private names)
    rates, inputs = rates[1:], rates[0]
    if inputs or any(rates):
        lines.append("Dropout: %s%s (in training)" % ("inputs %g, " % inputs if inputs else "",
                     "hidden layers " + ", ".join("%g" % p for p in rates) if rates else ""))
    if model._max_norm:
        lines.append("Max-norm: %g (each hidden unit's incoming weights)" % model._max_norm)
    return lines


def html(model):
    """The summary as an HTML table, for notebooks (text escaped by
    :func:`tinynet.escape.xml`, the rule for every generated SVG and HTML)."""
    from .escape import xml as _escape

    name, items = optimizer_settings(model)
    dtype = _dtype_name(model)
    body = "".join(
        "<tr><td>%s</td><td>%s</td><td style='text-align:right'>%s</td><td>%s</td></tr>"
        % (_escape(n), _escape(s), thousands(p), _escape(a)) for n, s, p, a in layers(model))
    return ("<div><b>%s(%s)</b><table><thead><tr><th>Layer</th><th>Output shape</th>"
            "<th>Param #</th><th>Activation</th></tr></thead><tbody>%s</tbody></table>"
            "<p>Total params: %s<br>Loss: %s<br>Optimizer: %s (%s)<br>%sBackend: %s, %s</p></div>"
            % (type(model).__name__, _escape(model.sizes), body, thousands(model.n_parameters),
               _escape(model._loss.name), _escape(name), _escape(_settings_text(items)),
               "".join(_escape(line) + "<br>" for line in regularization(model)),
               _escape(model.backend), _escape(dtype)))
