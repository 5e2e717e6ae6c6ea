"""The models whose accepted input sizes are checked against TensorFlow running them.

Shared by the tests and by ``make_truth.py`` (which writes the TF ground truth), so both
see the same models. Every model has unknown spatial input dims.
"""

from __future__ import annotations

APPLICATIONS = ("VGG16", "ResNet50", "MobileNetV2", "EfficientNetB0", "InceptionV3",
                "Xception", "DenseNet121")
MODELS = APPLICATIONS + ("unet4", "text_conv1d")


def build(name: str):
    """A fresh Keras model (no weights loaded) with dynamic spatial input dims."""
    import keras

    if name in APPLICATIONS:
        return getattr(keras.applications, name)(include_top=False, weights=None,
                                                 input_shape=(None, None, 3))
    return {"unet4": unet4, "text_conv1d": text_conv1d}[name]()


def unet4():
    """A 4-level U-Net: same-padded 3×3 convs, 2×2 max pooling, 2×2 stride-2 transposed
    convs, skip connections by Concatenate."""
    import keras
    from keras import layers

    def block(x, filters, tag):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{tag}_conv1")(x)
        return layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{tag}_conv2")(x)

    inputs = keras.Input((None, None, 1), name="image")
    x, skips = inputs, []
    for level, filters in enumerate((8, 16, 32, 64)):
        x = block(x, filters, f"down{level}")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level}")(x)
    x = block(x, 128, "bottom")
    for level, filters in reversed(list(enumerate((8, 16, 32, 64)))):
        x = layers.Conv2DTranspose(filters, 2, strides=2, name=f"up{level}")(x)
        x = layers.Concatenate(name=f"skip{level}")([x, skips[level]])
        x = block(x, filters, f"dec{level}")
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name="unet4")


def text_conv1d():
    """The classic Conv1D text classifier: embedding, three valid k5 convs with max pooling
    by 5 between them, global max pooling, a sigmoid."""
    import keras
    from keras import layers

    inputs = keras.Input((None,), dtype="int32", name="tokens")
    x = layers.Embedding(1000, 16, name="embed")(inputs)
    x = layers.Conv1D(32, 5, activation="relu", name="conv1")(x)
    x = layers.MaxPooling1D(5, name="pool1")(x)
    x = layers.Conv1D(32, 5, activation="relu", name="conv2")(x)
    x = layers.MaxPooling1D(5, name="pool2")(x)
    x = layers.Conv1D(32, 5, activation="relu", name="conv3")(x)
    x = layers.GlobalMaxPooling1D(name="gpool")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="score")(x)
    return keras.Model(inputs, outputs, name="text_conv1d")


def zeros_at(model, size: int):
    """A batch of one zero input at ``size`` on every unknown input dim."""
    import numpy as np

    shape = [1] + [size if d is None else d for d in model.inputs[0].shape[1:]]
    return np.zeros(shape, dtype=model.inputs[0].dtype)
