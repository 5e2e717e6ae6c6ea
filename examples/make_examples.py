"""Write the example models in this folder (needs TensorFlow: pip install 'shapelint[tf]').

    python examples/make_examples.py

Each file is a real Keras 3 ``.keras`` archive saved by ``model.save``. Models that
Keras refuses to build at their broken size are built with a dynamic input and then
get the broken input size written into their ``config.json`` — exactly the file a
user ends up with after changing ``input_shape`` in a config.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def healthy_cnn() -> keras.Model:
    """A small image classifier: same padding, global pooling, no shape problem."""
    inputs = keras.Input((64, 64, 3), name="image")
    x = inputs
    for i, filters in enumerate((8, 16, 32, 64)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="healthy_cnn")


def unet(size, depth: int = 4, base: int = 4) -> keras.Model:
    """A U-Net with unpadded-size-sensitive skips: needs sizes that are multiples of 2**depth."""
    inputs = keras.Input((size, size, 1), name="image")
    x, skips = inputs, []
    for level in range(depth):
        x = layers.Conv2D(base * 2 ** level, 3, padding="same", activation="relu",
                          name=f"enc{level + 1}_conv")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"enc{level + 1}_pool")(x)
    x = layers.Conv2D(base * 2 ** depth, 3, padding="same", activation="relu", name="bottleneck")(x)
    for level in reversed(range(depth)):
        x = layers.Conv2DTranspose(base * 2 ** level, 2, strides=2, name=f"dec{level + 1}_up")(x)
        x = layers.Concatenate(name=f"dec{level + 1}_concat")([x, skips[level]])
        x = layers.Conv2D(base * 2 ** level, 3, padding="same", activation="relu",
                          name=f"dec{level + 1}_conv")(x)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name=f"unet_{size or 'any'}")


def stride3_stack() -> keras.Model:
    """Three unpadded stride-3 convs: 32×32 silently shrinks to a 1×1 map."""
    inputs = keras.Input((32, 32, 3), name="image")
    x = inputs
    for i in range(3):
        x = layers.Conv2D(16, 3, strides=3, activation="relu", name=f"conv{i + 1}")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="stride3_stack")


def mnist_too_deep(size=None) -> keras.Model:
    """An MNIST net with one conv block too many for 28×28 digits."""
    inputs = keras.Input((size, size, 1), name="digits")
    x = inputs
    for block, filters in enumerate((8, 16, 32, 64)):
        x = layers.Conv2D(filters, 3, activation="relu", name=f"block{block + 1}_conv1")(x)
        x = layers.Conv2D(filters, 3, activation="relu", name=f"block{block + 1}_conv2")(x)
        x = layers.MaxPooling2D(2, name=f"block{block + 1}_pool")(x)
    x = layers.GlobalMaxPooling2D(name="gmp")(x)
    outputs = layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="mnist_too_deep")


def set_input_size(path: str, batch_shape: list) -> None:
    """Rewrite the input layer's batch_shape inside a saved .keras archive."""
    tmp = tempfile.mktemp(suffix=".keras", dir=os.path.dirname(path))
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(data)
                for layer in config["config"]["layers"]:
                    if layer["class_name"] == "InputLayer":
                        layer["config"]["batch_shape"] = batch_shape
                data = json.dumps(config).encode("utf-8")
            dst.writestr(item, data)
    shutil.move(tmp, path)


def main() -> None:
    keras.utils.set_random_seed(0)
    healthy_cnn().save(os.path.join(HERE, "healthy_cnn.keras"))
    unet(96).save(os.path.join(HERE, "unet_96.keras"))
    path = os.path.join(HERE, "unet_100.keras")  # Keras refuses to build it at 100×100
    unet(None).save(path)
    set_input_size(path, [None, 100, 100, 1])
    stride3_stack().save(os.path.join(HERE, "stride3_stack.keras"))
    path = os.path.join(HERE, "mnist_too_deep.keras")
    mnist_too_deep().save(path)
    set_input_size(path, [None, 28, 28, 1])
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".keras"):
            print(f"wrote examples/{name} ({os.path.getsize(os.path.join(HERE, name))} bytes)")


if __name__ == "__main__":
    main()
