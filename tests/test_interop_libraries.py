"""tinynet's exported and imported files, checked by the real libraries: PyTorch,
safetensors, onnx (its checker) and onnxruntime.

``tox -e interop`` installs them (test-only dependencies); each test skips
when a library it needs is missing, so elsewhere this file skips whole.  For
several shapes and every activation, what PyTorch and ONNX Runtime compute
from tinynet's files equals ``predict`` within float32 rounding, and what
tinynet computes from PyTorch's tensors and ONNX exports equals PyTorch's.
Last, a PyTorch-trained MLP goes through ``import`` and ``board`` and runs
on the real MicroPython with the same classes.
"""

import importlib.util

import pytest

np = pytest.importorskip("numpy")

from tinynet import DNN, TinynetError, datasets, interop  # noqa: E402
from tinynet.cli import main  # noqa: E402

import real_micropython as mp  # noqa: E402

SHAPES = [[4, 3], [6, 5, 4], [10, 16, 8, 3], [784, 32, 10]]
FUNCTIONS = [("relu", "softmax"), ("tanh", "sigmoid"), ("sigmoid", "linear"), ("relu", "linear")]
CASES = [(sizes, a, o) for sizes in SHAPES for a, o in FUNCTIONS]


def need(name):
    return pytest.importorskip(name)


def inputs(width, n=7, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, (n, width)).astype(np.float32)


def assert_float32_close(actual, expected):
    """Equal within float32 rounding (the files hold float32 weights)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=1e-5, atol=2e-6)


def torch_sequential(sizes, activation, output):
    """The nn.Sequential of the docs, built here independently of tinynet's code."""
    nn = need("torch").nn
    modules = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
               "softmax": lambda: nn.Softmax(dim=-1)}
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        function = output if i == len(sizes) - 2 else activation
        if function != "linear":
            layers.append(modules[function]())
    return nn.Sequential(*layers)


def tinynet_network(sizes, activation, output, seed=3):
    loss = "mse" if output == "linear" else "cross_entropy"
    net = DNN(sizes, activation=activation, output=output, loss=loss, seed=seed)
    rng = np.random.RandomState(seed)  # biases that are not all zero
    net.set_params(net.get_params()["weights"],
                   [rng.uniform(-0.5, 0.5, n).tolist() for n in sizes[1:]])
    return net


def torch_outputs(seq, X):
    torch = need("torch")
    with torch.no_grad():
        return seq(torch.from_numpy(X)).numpy()


# === Out of tinynet ===


@pytest.mark.parametrize("sizes,activation,output", CASES)
def test_pytorch_loads_the_safetensors_and_computes_predict(tmp_path, sizes, activation, output):
    load_file = need("safetensors.torch").load_file
    net = tinynet_network(sizes, activation, output)
    interop.export(net, tmp_path / "m.safetensors")
    seq = torch_sequential(sizes, activation, output)
    seq.load_state_dict(load_file(str(tmp_path / "m.safetensors")))  # strict: every name matches
    X = inputs(sizes[0])
    assert_float32_close(torch_outputs(seq, X), net.predict(X.astype(np.float64)))
    assert interop.sequential(net) == repr_code(seq)


def repr_code(seq):
    """Our sequential() string, rebuilt from the torch modules."""
    parts = []
    for m in seq:
        name = type(m).__name__
        parts.append("nn.Linear(%d, %d)" % (m.in_features, m.out_features) if name == "Linear"
                     else "nn.Softmax(dim=-1)" if name == "Softmax" else "nn.%s()" % name)
    return "nn.Sequential(%s)" % ", ".join(parts)


@pytest.mark.parametrize("sizes,activation,output", CASES)
def test_onnx_checker_passes_and_onnxruntime_computes_predict(tmp_path, sizes, activation,
                                                              output):
    onnx = need("onnx")
    ort = need("onnxruntime")
    net = tinynet_network(sizes, activation, output)
    path = str(tmp_path / "m.onnx")
    interop.export(net, path)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)  # with shape inference
    assert model.ir_version == 7 and [(o.domain, o.version) for o in model.opset_import] == [
        ("", 13)]
    notes = {p.key: p.value for p in model.metadata_props}
    assert notes["tinynet.activation"] == activation and notes["tinynet.output"] == output
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for n in (1, 7):  # the batch dimension is free
        X = inputs(sizes[0], n)
        out = session.run(None, {"input": X})[0]
        assert out.shape == (n, sizes[-1])
        assert_float32_close(out, net.predict(X.astype(np.float64)))


# === Into tinynet ===


@pytest.mark.parametrize("sizes,activation,output", CASES)
def test_a_pytorch_state_dict_and_its_safetensors_file_come_in(tmp_path, sizes, activation,
                                                               output):
    torch = need("torch")
    save_file = need("safetensors.torch").save_file
    torch.manual_seed(sum(sizes))
    seq = torch_sequential(sizes, activation, output)
    X = inputs(sizes[0])
    expected = torch_outputs(seq, X)
    net = interop.from_state_dict(seq.state_dict(), activation=activation, output=output)
    assert_float32_close(net.predict(X.astype(np.float64)), expected)
    save_file(seq.state_dict(), str(tmp_path / "torch.safetensors"))
    net = interop.load(tmp_path / "torch.safetensors", activation=activation, output=output)
    assert_float32_close(net.predict(X.astype(np.float64)), expected)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_half_and_double_precision_tensors_come_in(tmp_path, dtype):
    torch = need("torch")
    save_file = need("safetensors.torch").save_file
    torch.manual_seed(0)
    seq = torch_sequential([6, 5, 4], "tanh", "softmax").to(getattr(torch, dtype))
    save_file(seq.state_dict(), str(tmp_path / "m.safetensors"))
    net = interop.load(tmp_path / "m.safetensors", activation="tanh", output="softmax")
    exact = seq.to(torch.float64)  # the stored values, computed without further rounding
    X = inputs(6).astype(np.float64)
    with torch.no_grad():
        expected = exact(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dynamo", [False, True])
def test_pytorchs_own_onnx_exports_come_in(tmp_path, dynamo):
    torch = need("torch")
    if dynamo and importlib.util.find_spec("onnxscript") is None:
        pytest.skip("torch's default ONNX exporter needs onnxscript")
    torch.manual_seed(1)
    seq = torch_sequential([10, 16, 8, 3], "tanh", "softmax").eval()
    path = str(tmp_path / "torch.onnx")
    import warnings

    with warnings.catch_warnings():  # the TorchScript exporter says it is deprecated
        warnings.simplefilter("ignore")
        if dynamo:  # (by default its weights would go to a file of their own)
            torch.onnx.export(seq, (torch.zeros(2, 10),), path, dynamo=True,
                              external_data=False)
        else:
            torch.onnx.export(seq, (torch.zeros(2, 10),), path, dynamo=False)
    net = interop.load(path)
    assert (net.sizes, net.activation.name, net.output_activation.name) == (
        [10, 16, 8, 3], "tanh", "softmax")
    X = inputs(10)
    assert_float32_close(net.predict(X.astype(np.float64)), torch_outputs(seq, X))


def export_quietly(net, example, path, **options):
    """torch.onnx.export, its deprecation warnings and progress aside."""
    torch = need("torch")
    if options.get("dynamo", True) and importlib.util.find_spec("onnxscript") is None:
        pytest.skip("torch's default ONNX exporter needs onnxscript")
    import warnings

    if options.get("dynamo", True):
        options.setdefault("external_data", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (example,), path, **options)


def flatten_dropout_mlp(seed=2):
    """nn.Flatten, Linear, ReLU, Dropout, Linear, Softmax: the classifier of
    PyTorch's tutorials, for 1x4x4 images."""
    torch = need("torch")
    nn = torch.nn
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(8, 5), nn.Softmax(dim=-1))


@pytest.mark.parametrize("options", [
    {"dynamo": False}, {"dynamo": True},
    {"dynamo": True, "dynamic": True},  # a free batch: Reshape to [-1, 16]
    {"dynamo": True, "optimize": False, "flat": True},  # the Dropout left as an Identity
], ids=["torchscript", "dynamo", "dynamo-free-batch", "dynamo-unoptimized"])
def test_pytorchs_flatten_and_dropout_come_in(tmp_path, options):
    torch = need("torch")
    seq = flatten_dropout_mlp().eval()
    flat = options.pop("flat", False)
    if flat:  # (unoptimized, a Flatten's Reshape is computed by nodes: flat inputs here)
        seq = seq[1:]
    if options.pop("dynamic", False):
        options["dynamic_shapes"] = ({0: torch.export.Dim("batch")},)
    path = str(tmp_path / "torch.onnx")
    images = inputs(16, 7).reshape(7, 1, 4, 4)
    export_quietly(seq, torch.from_numpy(images[:2] if not flat else images[:2].reshape(2, 16)),
                   path, **options)
    ops = [n.op_type for n in need("onnx").load(path).graph.node]
    assert ("Identity" in ops) if flat else ("Flatten" in ops or "Reshape" in ops)
    net = interop.load(path)
    assert (net.sizes, net.activation.name, net.output_activation.name) == (
        [16, 8, 5], "relu", "softmax")
    X = images.reshape(7, 16)  # tinynet's network takes the flattened rows
    assert_float32_close(net.predict(X.astype(np.float64)),
                         torch_outputs(seq, X if flat else images))


@pytest.mark.parametrize("dynamo", [False, True])
def test_a_pytorch_model_exported_in_training_mode_is_refused(tmp_path, dynamo):
    torch = need("torch")
    seq = flatten_dropout_mlp().train()
    path = str(tmp_path / "torch.onnx")
    options = {"dynamo": dynamo}
    if not dynamo:  # (the TorchScript exporter would switch to eval mode itself)
        options["training"] = torch.onnx.TrainingMode.TRAINING
    export_quietly(seq, torch.zeros(2, 1, 4, 4), path, **options)
    with pytest.raises(TinynetError, match=r"\('Dropout'\): training_mode is true, so this Dropout drops "
                             r"inputs at random; export the model for inference"):
        interop.load(path)


def test_onnxruntime_agrees_on_a_graph_of_every_node_that_changes_nothing(tmp_path):
    """Flatten, Identity and an inference Dropout with all its inputs and its
    mask, built with onnx's own helpers: valid to onnx's checker, and what
    ONNX Runtime computes from it is what tinynet computes from the import."""
    onnx = need("onnx")
    ort = need("onnxruntime")
    helper, T = onnx.helper, onnx.TensorProto
    rng = np.random.RandomState(5)
    w1, b1 = rng.uniform(-1, 1, (6, 12)), rng.uniform(-1, 1, 6)
    w2, b2 = rng.uniform(-1, 1, (6, 3)), rng.uniform(-1, 1, 3)  # MatMul's [in, out]
    inits = [onnx.numpy_helper.from_array(a.astype(np.float32), name) for a, name in
             ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
    inits.append(onnx.numpy_helper.from_array(np.array(0.25, np.float32), "ratio"))
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"], axis=1),
        helper.make_node("Identity", ["w1"], ["w1_read"]),
        helper.make_node("Gemm", ["flat", "w1_read", "b1"], ["h"], transB=1),
        helper.make_node("Identity", ["h"], ["h2"]),
        helper.make_node("Tanh", ["h2"], ["a"]),
        helper.make_node("Constant", [], ["off"], value=helper.make_tensor("", T.BOOL, [], [0])),
        helper.make_node("Dropout", ["a", "ratio", "off"], ["d", "mask"]),
        helper.make_node("MatMul", ["d", "w2"], ["m"]),
        helper.make_node("Add", ["m", "b2"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "noops", [helper.make_tensor_value_info(
        "image", T.FLOAT, ["N", 3, 2, 2])], [helper.make_tensor_value_info("y", T.FLOAT,
                                                                         ["N", 3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    path = str(tmp_path / "noops.onnx")
    onnx.save(model, path)
    images = inputs(12, 9).reshape(9, 3, 2, 2)
    expected = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {"image": images})[0]
    net = interop.load(path, loss="mse")
    assert (net.sizes, net.activation.name, net.output_activation.name) == (
        [12, 6, 3], "tanh", "sigmoid")
    assert_float32_close(net.predict(images.reshape(9, 12).astype(np.float64)), expected)


# === From PyTorch to a board ===


def train_pytorch_mlp(n=600, hidden=32, epochs=60, seed=0):
    """A 784-hidden-10 MLP trained by PyTorch on ``n`` bundled MNIST digits;
    returns it and the test digits as float32 rows in [0, 1]."""
    torch = need("torch")
    torch.manual_seed(seed)
    X, y = datasets.load_sample("train")
    Xt, yt = datasets.load_sample("test")
    X = np.frombuffer(bytes(X.pixels), np.uint8)[:784 * n].reshape(n, 784) / np.float32(255)
    Xt = np.frombuffer(bytes(Xt.pixels), np.uint8).reshape(-1, 784)[:200] / np.float32(255)
    seq = torch_sequential([784, hidden, 10], "relu", "linear")  # logits, as PyTorch trains
    optimizer = torch.optim.Adam(seq.parameters(), lr=0.01)
    data, targets = torch.from_numpy(X.astype(np.float32)), torch.tensor(list(y[:n]))
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(seq(data), targets)
        loss.backward()
        optimizer.step()
    return seq, Xt.astype(np.float32), list(yt[:200])


@pytest.fixture(scope="module")
def trained():
    """One PyTorch-trained MLP for every MicroPython build."""
    return train_pytorch_mlp()


@pytest.mark.micropython
@pytest.mark.parametrize("build", mp.NAMES)
def test_a_pytorch_trained_mlp_runs_on_micropython_with_the_same_classes(tmp_path, build,
                                                                         trained):
    save_file = need("safetensors.torch").save_file
    interpreter = mp.interpreter(build)  # skips without this build
    seq, Xt, yt = trained
    torch_classes = torch_outputs(seq, Xt).argmax(axis=1).tolist()
    assert sum(a == b for a, b in zip(torch_classes, yt)) > 150  # it learned (chance: 20)
    save_file(seq.state_dict(), str(tmp_path / "digits.safetensors"))
    assert main(["import", str(tmp_path / "digits.safetensors"), str(tmp_path / "digits.pkl"),
                 "--activation", "relu", "--output", "softmax", "-q"]) == 0
    assert main(["board", str(tmp_path / "digits.pkl"), str(tmp_path / "board"), "--source",
                 "-q"]) == 0
    pixels = np.round(Xt * 255).astype(np.uint8)
    (tmp_path / "board" / "digits.bin").write_bytes(pixels.tobytes())
    script = ("import tinynet\n"
              "m = tinynet.load('digits-float32.tnb')\n"
              "data = open('digits.bin', 'rb').read()\n"
              "print([m.classify([p / 255.0 for p in data[i * 784:(i + 1) * 784]])\n"
              "       for i in range(%d)])\n" % len(Xt))
    done = mp.run_path(interpreter, "import sys\nsys.path.insert(0, 'lib')\n" + script,
                       tmp_path / "board", "512K")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == str(torch_classes)
