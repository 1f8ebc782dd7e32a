"""tinynet used as a typed program would use it: checked by ``mypy --strict``
in tox's typecheck env against the stubs (tinynet/*.pyi), never run by pytest.

Each ``# type: ignore[...]`` marks a mistake the stubs must catch: mypy
--strict reports an ignore that is not needed, so if the stubs stopped
catching one of these, the check would fail.  The code sits in a function
so that importing this file (pytest's doctest collection does) runs nothing.
"""

from typing import Dict, List, Optional

import tinynet
from tinynet import DNN, Matrix, TinynetError, datasets, gradient_check, interop, load, plots, save
from tinynet.callbacks import EarlyStopping

def usage() -> Dict[str, object]:
    X, y = datasets.load_sample("train")
    X_test, y_test = datasets.load_sample("test")
    pixels: List[float] = X[0]
    subset: datasets.Images = X[:10]
    width: int = X.width

    model = DNN([784, 32, 10], activation="tanh", optimizer="momentum", learning_rate=0.05, seed=0)
    history = model.fit(X, y, epochs=1, batch_size=64, validation_data=(X_test, y_test),
                        schedule="cosine", callback=lambda event: print(event["event"]))
    first_loss: float = history[0]["loss"]
    epoch: int = history[-1]["epoch"]
    losses: List[float] = history.history["loss"]
    epochs: List[int] = history.epoch
    scores: Dict[str, float] = model.evaluate(X_test, y_test)
    test_loss, test_accuracy = model.evaluate(X_test, y_test)  # (mypy types these as keys)
    first_score: float = next(iter(model.evaluate(X_test, y_test)))
    regularised = DNN([784, 64, 64, 10], dropout=[0.2, 0.5], max_norm=3.0, seed=0)
    stopper = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    regularised.fit(X, y, epochs=5, validation_split=0.1, callbacks=[stopper], verbose=2)
    regularised.fit(X, y, validation_data=(X_test, y_test), early_stopping=2, verbose=1)
    best: Optional[int] = stopper.best_epoch
    regularised.fit(X, y, verbose=3)  # type: ignore[arg-type]
    DNN([784, 10], dropout="half")  # type: ignore[arg-type]
    label: int = model.classify(X_test[0])
    labels: List[int] = model.classify(X_test[:5])
    loss: float = model.train(X[0], y[0])
    parameters: int = model.n_parameters
    sizes: List[int] = model.sizes
    rate: float = model.learning_rate
    model.optimizer = "adam"
    model.activation, model.output, model.loss = "tanh", "softmax", "cross_entropy"
    model.learning_rate, model.dropout, model.max_norm = 0.01, [0.5], None
    model.optimizer = "adagrad"  # type: ignore[assignment]
    hidden_function: str = model.activation.name or ""
    accuracy: float = model.score(X_test, y_test)
    counted: int = model.count_params()
    model.set_weights(model.get_weights())
    model.summary()
    model.summary(print_fn=print)
    html: str = model._repr_html_()
    saved = model.to_dict(optimizer_state=False)
    again: DNN = DNN.from_dict(saved, backend="python")
    save(model, "model.json")
    model.save("model.pkl", format="pickle")
    loaded: DNN = load("model.pkl")
    check = gradient_check(DNN([4, 3, 2], seed=0), [[0.1, 0.2, 0.3, 0.4]], [1])
    worst: float = check.max_error

    m = Matrix.from_list([[1.0, 2.0], [3.0, 4.0]], backend="python")
    total: float = m.sum()
    column_sums: Matrix = m.sum(axis=0)
    product: Matrix = (m @ m.T) * 0.5 + 1.0
    rows: List[List[float]] = product.tolist()
    shape = m.shape
    n_rows: int = shape[0]

    chart: plots.Chart = plots.curves(history)
    svg_text: str = chart._repr_svg_()
    chart.save("curves.svg")
    picture: plots.Picture = plots.digits(X_test[:10], y_test[:10], model)
    png_bytes: bytes = picture._repr_png_()
    plots.confusion(model, X_test, y_test).save("confusion.png", format="png")
    plots.weights(model).save("weights.png")
    tinynet.set_backend("python")
    tinynet.set_backend(None)

    written: str = interop.export(model, "model.onnx")
    interop.export(model, "weights.bin", format="safetensors")
    imported: DNN = interop.load("model.safetensors", activation="relu", output="softmax")
    state: Dict[str, List[object]] = interop.to_state_dict(model)
    from_torch: DNN = interop.from_state_dict(state, activation="tanh", output="linear",
                                              loss="mse", backend="python")
    code: str = interop.sequential(model)

    try:
        load("missing.pkl")
    except TinynetError as err:
        message: str = str(err)

    # Mistakes the stubs catch:
    DNN([784, 10], activation="rleu")  # type: ignore[arg-type]
    DNN([784, 10], backend="cuda")  # type: ignore[arg-type]
    model.fit(X, y, epochs="3")  # type: ignore[arg-type]
    wrong: str = model.n_parameters  # type: ignore[assignment]
    chart.save("c.svg", format="jpg")  # type: ignore[arg-type]
    picture.svg  # type: ignore[attr-defined]
    datasets.load_sample("validation")  # type: ignore[arg-type]
    interop.export(model, "m.tflite", format="tflite")  # type: ignore[arg-type]
    interop.load("m.onnx", output="relu")  # type: ignore[arg-type]
    return locals()  # every name above is for the type checker
