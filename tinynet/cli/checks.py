"""Checks made before any work: a command looks at every path, option and
output it was given before a download, a load or training starts, so a
refused call changes nothing and costs nothing.

Each check raises the error the command line prints as one line: a
:class:`TinynetError`, or an OSError naming the path.
"""

import errno
import os

from .. import datasets
from ..errors import TinynetError
from ..files import check_writable

#: The pictures ``--plot DIR`` writes; the charts take ``--plot-format``.
PICTURES = ("misclassified.png", "weights.png", "confusion.%s", "curves.%s")


def backend(name):
    """Return the backend ``name`` resolves to (None: $TINYNET_BACKEND or
    auto), refusing now a NumPy backend without NumPy."""
    from ..backends import backend_name, get_backend

    name = backend_name(name)
    get_backend(name)
    return name


def _not_found(path):
    if path.lower().endswith((".csv", ".csv.gz")):
        from ..datasets.csvfile import missing_csv

        return missing_csv(path)
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


def is_model_file(path):
    """Whether the regular file ``path`` holds a saved model (pickle, JSON
    or compact) by its first bytes (:mod:`tinynet.kinds`)."""
    from ..kinds import MODELS, kind_of_file

    return os.path.isfile(path) and kind_of_file(path) in MODELS


def data(spec, option=None):
    """Check a data argument (``option`` names it when it is an option's)
    before anything is read; return its kind: "sample", "dir" (MNIST IDX
    files), "csv" or "idx-images"."""
    name = "%s %s" % (option, spec) if option else spec
    if spec == "sample":
        return "sample"
    if os.path.isdir(spec):
        if not datasets.find_mnist(spec):
            raise TinynetError("%s: no MNIST IDX files (%s) in this directory"
                               % (name, ", ".join(sorted(datasets.MD5))))
        return "dir"
    if not os.path.exists(spec):
        raise _not_found(spec)
    if is_model_file(spec):
        raise TinynetError("%s is a saved model, not data (a CSV file, IDX images, a directory "
                           "of MNIST files, or 'sample')" % name)
    from ..datasets.sources import content_kind
    from ..serialize import describe  # the words for kinds, kept beside the model loader

    content = content_kind(spec)  # decompressed: a gzipped CSV is text
    if content not in ("text", "idx-images", "idx-labels", "idx"):
        raise TinynetError("%s holds %s, not data (a CSV file, IDX images, a directory of MNIST "
                           "files, or 'sample')" % (name, describe(content)))
    kind = datasets.kind(spec)
    if kind == "idx-labels":
        raise TinynetError("%s holds IDX labels; give the images file (its labels are found "
                           "beside it, or given with --labels)" % name)
    if kind == "idx":
        raise TinynetError("%s is an IDX file, but neither of images nor of labels" % name)
    return kind


def labels_beside(images_path):
    """The labels file that goes with an IDX images file, by MNIST's naming."""
    directory, name = os.path.split(images_path)
    for a, b in (("images-idx3", "labels-idx1"), ("images", "labels")):
        if a in name:
            candidate = os.path.join(directory, name.replace(a, b))
            if os.path.exists(candidate):
                return candidate
    return None


def labels(path, data_kind):
    """Check ``--labels``, which goes with IDX images only."""
    if path is None:
        return
    if data_kind != "idx-images":
        raise TinynetError("--labels goes with IDX images; the data here is %s"
                           % {"csv": "CSV, whose labels are its first column",
                              "sample": "the sample, which has its labels",
                              "dir": "a directory of MNIST files, which has its labels"}[data_kind])
    if not os.path.exists(path):
        raise _not_found(path)
    if datasets.kind(path) != "idx-labels":
        raise TinynetError("--labels %s is not an IDX labels file" % path)


def width(spec, kind):
    """The pixels per image of a data argument, without reading it: 784 for
    CSV (load_csv reads MNIST's rows of 784 pixels), the sample and MNIST's
    files; an IDX file's header for its own."""
    if kind != "idx-images":
        return datasets.PIXELS
    from ..datasets.sources import head

    header = head(spec, 16)
    return int.from_bytes(header[8:12], "big") * int.from_bytes(header[12:16], "big")


def sizes(layers, inputs, what):
    """Check that ``--layers`` starts with the data's width."""
    if layers is not None and layers[0] != inputs:
        raise TinynetError("--layers %s: the input layer has %d units, but %s has %d values "
                           "per image; start with %d"
                           % (",".join(map(str, layers)), layers[0], what, inputs, inputs))


def classes(layers, n, what):
    """Check that the output layer can tell ``n`` classes apart."""
    if layers[-1] < n:
        raise TinynetError("--layers %s: the output layer has %d units, too few for the %d "
                           "classes of %s; end with %d"
                           % (",".join(map(str, layers)), layers[-1], n, what, n))


def output(path, option="--out"):
    """Check that a file can be written at ``path`` (see check_writable),
    naming ``option`` when its folder is missing or is a file."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise TinynetError("%s %s: %s" % (option, path, _not_a_folder(folder)))
    check_writable(path)


def _not_a_folder(folder):
    """Why ``folder`` cannot hold a new file or folder: missing, or a file."""
    if os.path.lexists(folder):
        return "%s is a file, not a folder" % folder
    return "the folder %s does not exist" % folder


def plot_dir(directory, chart_format):
    """Check ``--plot DIR``: an existing directory where every picture can
    be written, or a new one whose parent exists (only the last level of
    the path is ever created, and only when the pictures are written)."""
    if directory is None:
        return
    if os.path.isdir(directory):
        for name in PICTURES:
            output(os.path.join(directory, name.replace("%s", chart_format)), "--plot")
        return
    if os.path.lexists(directory):
        raise TinynetError("--plot %s: not a directory; give a directory for the pictures "
                           "(a new one is created if its parent exists)" % directory)
    parent = os.path.dirname(os.path.abspath(directory))
    if not os.path.isdir(parent):
        raise TinynetError("--plot %s: %s (tinynet creates the last folder of the path only)"
                           % (directory, _not_a_folder(parent)))
    if not os.access(parent, os.W_OK):
        raise PermissionError(errno.EACCES, "cannot create a directory here", parent)


def make_plot_dir(directory):
    """Create ``directory`` (its last level only) if it is not there."""
    if not os.path.isdir(directory):
        os.mkdir(directory)


def model_then_data(model, data_spec, command):
    """Check the MODEL DATA arguments of evaluate and predict, in that order,
    saying so when they were given the other way round."""
    if not is_model_file(model) and (data_spec != "sample" and is_model_file(data_spec)):
        raise TinynetError("the first argument is data, the second a model: did you swap them? "
                           "(tinynet %s MODEL DATA)" % command)
    if not os.path.exists(model):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), model)


def labelled(spec, kind, labels=None):
    """Whether the data has labels, as far as its first bytes tell (None:
    they do not tell; the loader will)."""
    if kind in ("sample", "dir"):
        return True
    if kind == "idx-images":
        return labels is not None or labels_beside(spec) is not None
    from ..datasets.sources import head

    first = head(spec, 1 << 16).split(b"\n", 1)[0]  # a row of 785 fields is at most 3,140 bytes
    return {datasets.PIXELS + 1: True, datasets.PIXELS: False}.get(first.count(b",") + 1)
