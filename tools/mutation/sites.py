"""Where a small, typical bug can be planted in a module: its mutants.

Every mutant replaces one span of the file's bytes and leaves the rest as it
is.  The kinds (the ``kind`` of a site; docs/mutation.md has them as a table):

* ``operator``: an arithmetic or bitwise operator swapped (``+`` for ``-``
  or ``*``, ``*`` for ``/`` or ``+``, ...), in ``a + b`` and ``a += b``;
* ``comparison``: ``<`` for ``<=`` or ``>``, ``==`` for ``!=``, ``in`` for
  ``not in``, ``is`` for ``is not``, and so on;
* ``boolean``: ``and`` for ``or``; ``not`` or a unary minus dropped;
* ``constant``: any number (in expressions, tables, call arguments) off by
  one either way (a float: plus one, or doubled), ``True``/``False``
  swapped, a string or bytes changed;
* ``table``: one entry left out of a dict literal, of a literal list, tuple
  or set of constants, or of the tuple an ``in``, ``isinstance`` or
  ``except`` looks in;
* ``raise``: one argument of a raised exception replaced by ``None``;
* ``statement``: a statement inside a function replaced by ``pass`` (a call,
  an augmented assignment, an assignment to an attribute, an item or a name
  already bound earlier, a raise, an ``if`` without ``else``, ``del``,
  ``break``, ``continue``);
* ``return``: ``return x`` replaced by ``return None``.

Docstrings and f-strings are left alone, and so is every line that carries
``# pragma: no mutate (reason)``, unless ``lines`` asks for those lines
(the pragma audit).
"""

import ast
import bisect

BINOPS = {ast.Add: ("+", "-", "*"), ast.Sub: ("-", "+", "*"), ast.Mult: ("*", "/", "+"),
          ast.Div: ("/", "*", "//"), ast.FloorDiv: ("//", "/", "*"), ast.Mod: ("%", "/", "//"),
          ast.Pow: ("**", "*"), ast.BitAnd: ("&", "|", "^"), ast.BitOr: ("|", "&", "^"),
          ast.BitXor: ("^", "&", "|"), ast.LShift: ("<<", ">>", "*"), ast.RShift: (">>", "<<", "//")}
CMPOPS = {ast.Lt: ("<", "<=", ">"), ast.LtE: ("<=", "<", ">="), ast.Gt: (">", ">=", "<"),
          ast.GtE: (">=", ">", "<="), ast.Eq: ("==", "!=", "<="), ast.NotEq: ("!=", "==", "<"),
          ast.In: ("in", "not in"), ast.NotIn: ("not in", "in"),
          ast.Is: ("is", "is not"), ast.IsNot: ("is not", "is")}
PRAGMA = "pragma: no mutate"


def pragma_lines(source):
    """The numbers of the lines marked ``# pragma: no mutate``."""
    return {i + 1 for i, line in enumerate(source.splitlines()) if PRAGMA in line}


def _between(data, start, end, symbol):
    """The byte span of ``symbol`` in data[start:end] when nothing but
    whitespace and brackets surrounds it there; else None."""
    gap = data[start:end]
    words = gap.replace(b"(", b" ").replace(b")", b" ").replace(b"\\", b" ").split()
    if b" ".join(words) != symbol.encode():
        return None
    at = gap.index(symbol.split()[0].encode())
    stop = at + len(symbol.split()[0])
    if " " in symbol:  # "not in", "is not": up to the end of the second word
        second = symbol.split()[1].encode()
        stop = gap.index(second, stop) + len(second)
    return start + at, start + stop


def _short(text, width=40):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _constant_mutants(v):
    if isinstance(v, bool):
        return [repr(not v)]
    if isinstance(v, int):
        return [repr(v + 1), repr(v - 1)]
    if isinstance(v, float):
        return [repr(x) for x in (v + 1, v * 2) if x != v]  # 2.0**53 + 1 == 2.0**53
    if isinstance(v, str):
        return [repr("XX" + v + "XX")]
    if isinstance(v, bytes):
        return [repr(b"XX" + v + b"XX")]
    return []


def _is_constant(node):
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))


def _tables(tree):
    """The collection literals whose entries are a table: dicts, literals of
    constants, and what ``in``, ``isinstance`` and ``except`` look in."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and len(node.keys) >= 2 and None not in node.keys:
            found[id(node)] = node
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) >= 2 \
                and all(_is_constant(e) for e in node.elts):
            found[id(node)] = node
        looked_in = []
        if isinstance(node, ast.Compare):
            looked_in = [c for op, c in zip(node.ops, node.comparators)
                         if isinstance(op, (ast.In, ast.NotIn))]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("isinstance", "issubclass") and len(node.args) == 2:
            looked_in = [node.args[1]]
        elif isinstance(node, ast.ExceptHandler) and node.type is not None:
            looked_in = [node.type]
        for c in looked_in:
            if isinstance(c, (ast.Tuple, ast.List, ast.Set)) and len(c.elts) >= 2:
                found[id(c)] = c
    return found.values()


def _own(function):
    """The nodes of ``function``'s body, not those of functions inside it."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))


def _leaves(target):
    if isinstance(target, (ast.Tuple, ast.List)):
        return [leaf for t in target.elts for leaf in _leaves(t)]
    return _leaves(target.value) if isinstance(target, ast.Starred) else [target]


def _statements(tree):
    """The statements inside functions that ``pass`` may replace.  An
    assignment qualifies when it sets an attribute or an item, or binds only
    names bound earlier in the function (a name bound here first would only
    make a NameError)."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = function.args
        first = {a.arg: (0, 0) for a in args.posonlyargs + args.args + args.kwonlyargs +
                 [a for a in (args.vararg, args.kwarg) if a is not None]}
        for node in _own(function):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                where = (node.lineno, node.col_offset)
                first[node.id] = min(first.get(node.id, where), where)
        for node in _own(function):
            if isinstance(node, ast.Assign):
                leaves = [leaf for t in node.targets for leaf in _leaves(t)]
                names = [leaf for leaf in leaves if isinstance(leaf, ast.Name)]
                if len(names) < len(leaves) or all(
                        first[n.id] < (n.lineno, n.col_offset) for n in names):
                    yield node
            elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant) or \
                    isinstance(node, (ast.AugAssign, ast.Raise, ast.Delete, ast.Break,
                                      ast.Continue)) or isinstance(node, ast.If) and not node.orelse:
                yield node


def sites(path, lines=None):
    """Every mutant of the file at ``path``: dicts with its line, kind, a
    description (``what``), the byte span it replaces (``start``, ``end``)
    and the replacement (``new``).  Lines marked with the pragma are left
    out; with ``lines`` (a set of line numbers), only those lines' mutants
    are listed, marked or not."""
    with open(path, "rb") as f:
        data = f.read()
    source = data.decode("utf-8")
    tree = ast.parse(source)
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    start_of = lambda n: starts[n.lineno - 1] + n.col_offset  # noqa: E731 (ast: UTF-8 bytes)
    end_of = lambda n: starts[n.end_lineno - 1] + n.end_col_offset  # noqa: E731
    text = lambda n: data[start_of(n):end_of(n)].decode()  # noqa: E731
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings and bare strings
    found = []

    def add(kind, what, span, new):
        if span is not None:
            found.append((kind, what, span[0], span[1], new))

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOPS:
            old, *news = BINOPS[type(node.op)]
            eq = "=" if isinstance(node, ast.AugAssign) else ""
            left, right = (node.left, node.right) if eq == "" else (node.target, node.value)
            span = _between(data, end_of(left), start_of(right), old + eq)
            for new in news:
                add("operator", "%s%s -> %s%s" % (old, eq, new, eq), span, new + eq)
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                old, *news = CMPOPS[type(op)]
                span = _between(data, end_of(left), start_of(right), old)
                for new in news:
                    add("comparison", "%s -> %s" % (old, new), span, new)
                left = right
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            for a, b in zip(node.values, node.values[1:]):
                add("boolean", "%s -> %s" % (old, new), _between(data, end_of(a), start_of(b), old),
                    new)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            symbol = "not" if isinstance(node.op, ast.Not) else "-"
            begin = start_of(node)
            if data[begin:begin + len(symbol)] == symbol.encode():
                add("boolean", "drop %s" % symbol, (begin, start_of(node.operand)),
                    "" if symbol == "-" else " ")
        elif isinstance(node, ast.Constant):
            for new in _constant_mutants(node.value):
                add("constant", "%s -> %s" % (_short(text(node)), _short(new)),
                    (start_of(node), end_of(node)), new)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for i, arg in enumerate(node.exc.args + [k.value for k in node.exc.keywords]):
                add("raise", "raise argument %d -> None" % (i + 1), (start_of(arg), end_of(arg)),
                    "None")
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            add("return", "return ... -> return None", (start_of(node.value), end_of(node.value)),
                "None")
    for table in _tables(tree):
        if isinstance(table, ast.Dict):
            entries = ["%s: %s" % (text(k), text(v)) for k, v in zip(table.keys, table.values)]
            first, last = table.keys[0], table.values[-1]
        else:
            entries = [text(e) for e in table.elts]
            first, last = table.elts[0], table.elts[-1]
        for i, entry in enumerate(entries):
            rest = entries[:i] + entries[i + 1:]
            new = ", ".join(rest) + ("," if isinstance(table, ast.Tuple) and len(rest) == 1 else "")
            add("table", "drop %s" % _short(entry, 30), (start_of(first), end_of(last)), new)
    for node in _statements(tree):
        if id(node) not in skip:
            add("statement", "%s -> pass" % _short(text(node).splitlines()[0], 30),
                (start_of(node), end_of(node)), "pass")
    marked = pragma_lines(source)
    result = []
    for kind, what, a, b, new in sorted(set(found), key=lambda s: (s[2], s[3], s[4], s[0])):
        line = bisect.bisect_right(starts, a)
        if (line in marked) if lines is None else (line not in lines):
            continue
        mutated = data[:a] + new.encode() + data[b:]
        if mutated == data:
            continue
        try:
            compile(mutated, path, "exec")
        except SyntaxError:
            continue
        code = data[starts[line - 1]:starts[line]].decode().strip()
        after = mutated[starts[line - 1]:].split(b"\n", 1)[0].decode().strip()
        result.append({"line": line, "kind": kind, "what": what, "start": a, "end": b,
                       "new": new, "code": code, "mutant": after})
    return result
