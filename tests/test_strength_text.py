"""How values, sizes and tables are shown: errors.shown at its limits, the
summary's byte sizes, rules and HTML escaping (issue 12, the tests' own
strength)."""

from tinynet import DNN, summary
from tinynet.errors import choice, shown


def test_shown_at_its_limits():
    assert shown(10 ** 60 - 1) == "9" * 60 and shown(-10 ** 60 + 1) == "-" + "9" * 56 + "..."
    assert shown(10 ** 60) == shown(-10 ** 60) == "an int of more than 60 digits"
    assert shown("x" * 100) == "'" + "x" * 56 + "..." and len(shown("y" * 58)) == 60
    assert shown([1] * 20) == repr([1] * 20) and shown(list(range(20)), 100) == repr(list(range(20)))
    assert shown(list(range(21))) == "a list of 21 items"
    assert shown([2 ** 64 - 1, -2 ** 64 + 1]) == "[18446744073709551615, -18446744073709551615]"
    assert shown([2 ** 64]) == "a list of 1 items" and shown((-2 ** 64,)) == "a tuple of 1 items"
    assert shown(["a", "b"]) == "a list of 2 items" and shown((1.5, True)) == "(1.5, True)"
    assert shown(3 + 4j) == "a complex" and shown(None) == "None" and shown({1: 2}) == "a dict of 1 items"


def test_an_unknown_name_lists_the_choices_sorted():
    registry = {"b": 1, "a": 2, "c": 3}
    assert choice(registry, "a", "thing") == 2
    for bad, text in (("z", "'z'"), ([1], "[1]")):
        try:
            choice(registry, bad, "thing")
        except ValueError as err:
            assert str(err) == "unknown thing %s; expected one of: a, b, c" % text
        else:
            raise AssertionError("accepted %r" % (bad,))


def test_summary_byte_sizes():
    text = summary.text(DNN([2, 3, 2], seed=0, backend="python"))
    assert "Total params: 17 (136 bytes as float64)" in text.splitlines()
    text = summary.text(DNN([784, 128, 10], seed=0, backend="python"))
    assert "Total params: 101,770 (795.1 KiB as float64)" in text.splitlines()


def test_the_summary_rules_are_as_wide_as_the_table():
    for sizes in ([2, 3, 2], [784, 1000, 10]):
        lines = summary.text(DNN(sizes, seed=0, backend="python")).splitlines()
        rules = [line for line in lines if set(line) in ({"_"}, {"="})]
        table = [line for line in lines if line.startswith(("Layer", "input", "dense_"))]
        assert len(rules) == 3 and {len(r) for r in rules} == {max(len(t) for t in table)}


def test_html_escapes_what_it_shows():
    from tinynet.escape import xml  # what summary.html escapes with

    assert xml("<a & b>") == "&lt;a &amp; b&gt;"
    assert xml([1, 2]) == "[1, 2]"
