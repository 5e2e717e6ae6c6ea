"""Build the `qa` set of the real-world corpus: shape bugs that users reported in public Q&A threads
(Stack Overflow, Data Science SE, blogs), each as a Keras 3 model config with its healthy twin.

One builder per case. A builder takes ``fixed`` (False: the user's model, True: the accepted fix) and
``shape`` (the input size to build at, batch excluded; ``None`` dims allowed) and returns a Keras model.
Case metadata (provenance, the user's words, the codes a correct linter gives) sits next to the builder.

    python tests/realworld/qa/make_cases.py            # (re)writes every <case>/case.yaml, bug.json, fixed.json
    python tests/realworld/qa/make_cases.py --readme   # also rewrites README.md with what shapelint reports now

tf_verdict comes from real Keras/TF runs: each model is built at the user's input size and called on zeros.
When Keras refuses to build the user's model at that size, the config is written from the same builder at a
size where it builds (``config_shape``, usually with ``None`` dims) and the user's size goes to input_shape.
The output is deterministic: every model is built after ``keras.backend.clear_session()`` so auto-generated
names restart, and JSON is written with a fixed indent.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = Path(__file__).resolve().parent
CASES: list[dict] = []


def case(**meta):
    """Register a builder with its case metadata (see /work/notes/corpus.md for the keys)."""

    def register(builder):
        meta["builder"] = builder
        CASES.append(meta)
        return builder

    return register


class Patched:
    """A buildable model whose saved config gets a small edit (see the case's ``patch``)."""

    def __init__(self, model, patch):
        self.model, self.patch = model, patch

    def to_json(self) -> str:
        cfg = json.loads(self.model.to_json())
        self.patch(cfg)
        return json.dumps(cfg)


def _layer_config(cfg: dict, name: str) -> dict:
    """The config dict of the layer called ``name`` in a saved Functional/Sequential config."""
    for layer in cfg["config"]["layers"]:
        if layer["config"].get("name") == name:
            return layer["config"]
    raise KeyError(name)


def _swap_shape(old: list, new: list):
    """A patch that replaces every recorded shape equal to ``old`` by ``new`` (input layer and the shapes
    Keras 3 records for each layer's inputs), for a model that Keras refuses to build at ``new``."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if value == old:
                    node[key] = list(new)
                else:
                    walk(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if value == old:
                    node[i] = list(new)
                else:
                    walk(value)

    return walk


# ---------------------------------------------------------------------------------------------------------
# dense-on-unflattened-map: a Dense applied to a rank>=3 map whose spatial/sequence axes reach the output.
# ---------------------------------------------------------------------------------------------------------


@case(
    id="ds_dense_on_image_39718",
    source="qa",
    url="https://datascience.stackexchange.com/questions/39718",
    title="Can't understand Output shape of a Dense layer - keras",
    reported="dense_1 output shape (None, 32, 32, 512). 'None' represents the batch size, but what does "
    "'32,32' represent? Why isn't the shape (None, 512)? Same happens with the dense_2 layer.",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_1"}],
    fix="Flatten the (32, 32, 3) image before the first Dense, so the classifier outputs (None, 10).",
    shape=(32, 32, 3),
)
def ds_dense_on_image_39718(fixed, shape):
    model = keras.Sequential(name="cifar_dense")
    model.add(keras.Input(shape, name="input_layer"))
    if fixed:
        model.add(L.Flatten(name="flatten"))
    model.add(L.Dense(512, activation="relu", name="dense_1"))
    model.add(L.Dense(10, activation="softmax", name="dense_2"))
    return model


@case(
    id="so_role_of_flatten_43237124",
    source="qa",
    url="https://stackoverflow.com/questions/43237124",
    title='What is the role of "Flatten" in Keras?',
    reported="This prints out that y has shape (1, 4). However, if I remove the Flatten line, then it prints "
    "out that y has shape (1, 3, 4).",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_1"}],
    fix="Flatten the (3, 2) input first, then Dense(16) and Dense(4), so the output is (1, 4).",
    shape=(3, 2),
)
def so_role_of_flatten_43237124(fixed, shape):
    model = keras.Sequential(name="role_of_flatten")
    model.add(keras.Input(shape, name="input_layer"))
    if fixed:
        model.add(L.Flatten(name="flatten"))
    model.add(L.Dense(16, name="dense_1"))
    model.add(L.Activation("relu", name="activation"))
    model.add(L.Dense(4, name="dense_2"))
    return model


@case(
    id="so_dense_784x1_61562289",
    source="qa",
    url="https://example-a.com/answer/61562289",
    title="Keras Dense layer Output Shape",
    reported="model.add(Dense(units=4,activation='linear',input_shape=(784,1))) … dense_11 (Dense) (None, 784, 4) "
    "… dense_12 (Dense) (None, 784, 10). I am unable to understand the logic behind getting the output shape "
    "of the first hidden layer.",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_11"}],
    fix="Feed the 784 pixels as a vector, input_shape=(784,) (the question's Example 1), so the classifier "
    "outputs (None, 10).",
    shape=(784, 1),
    fixed_shape=(784,),
)
def so_dense_784x1_61562289(fixed, shape):
    model = keras.Sequential(name="sequential_6")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(L.Dense(4, activation="linear", name="dense_11"))
    model.add(L.Dense(10, activation="softmax", name="dense_12"))
    return model


@case(
    id="cv_conv_then_dense_no_flatten",
    source="qa",
    url="https://answerofmath.com/solved-it-is-always-necessary-to-include-a-flatten-layer-after-a-set-of-2d-"
    "convolutional-layers-for-convolutional-neural-networks-in-keras/",
    title="It is always necessary to include a Flatten layer after a set of 2D convolutional layers for "
    "convolutional neural networks in Keras?",
    reported="Model 2 … conv2d_3 (Conv2D) (None, 1, 15, 32) … dense_9 (Dense) (None, 1, 15, 100) … What is the "
    "difference between both? Do they have the same capacity?",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_9"}],
    fix="Model 1: Flatten the (1, 15, 32) conv map before the Dense layers, so the two-class output is (None, 2).",
    shape=(2, 15, 1),
)
def cv_conv_then_dense_no_flatten(fixed, shape):
    model = keras.Sequential(name="model_2")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(L.Conv2D(32, kernel_size=(2, 1), activation="relu", name="conv2d_3"))
    if fixed:
        model.add(L.Flatten(name="flatten"))
    model.add(L.Dense(100, activation="relu", name="dense_9"))
    model.add(L.Dropout(0.2, name="dropout_6"))
    model.add(L.Dense(100, activation="relu", name="dense_10"))
    model.add(L.Dropout(0.2, name="dropout_7"))
    model.add(L.Dense(2, activation="softmax", name="dense_11"))
    return model


@case(
    id="so_mlp_on_sequence_2374417",
    source="qa",
    url="https://www.likecs.com/ask-2374417.html",
    title="(not shown on the mirror page; the thread is a translated Stack Overflow question about a Dense-only "
    "model on (128, 2) inputs that should not use an RNN)",
    reported="(from the answer) 如您所见,模型的输出是(None, 128,2),而不是您预期的(None, 1, 2)(或(None, 2))。",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_13"}],
    fix="Add a Flatten before the last Dense(2) (the answer's first option), so the output is (None, 2).",
    shape=(128, 2),
)
def so_mlp_on_sequence_2374417(fixed, shape):
    model = keras.Sequential(name="mlp")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(L.Dense(50, kernel_initializer="he_normal", activation="relu", name="dense_13"))
    model.add(L.Dense(20, kernel_initializer="he_normal", activation="relu", name="dense_14"))
    model.add(L.Dense(5, kernel_initializer="he_normal", activation="relu", name="dense_15"))
    if fixed:
        model.add(L.Flatten(name="flatten"))
    model.add(L.Dense(2, name="dense_16"))
    return model


@case(
    id="tf_forum_conv1d_dense_8850",
    source="qa",
    url="https://discuss.tensorflow.org/t/dense-layer-parameter-misunderstanding/8850",
    title="Dense Layer Parameter Misunderstanding?",
    reported="conv1d (Conv1D) (None, 30925, 1) 33 / dense (Dense) (None, 30925, 1) 2 … Shouldn't this get 30926 "
    "parameters? … And I expect an output shape of (None,1,1). This runs very quickly but performs very poorly.",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense"}],
    fix="Flatten the (30925, 1) conv output before Dense(1), giving the 30925 weights + 1 bias the user expected "
    "and one scalar per sample.",
    shape=(30932, 4),
)
def tf_forum_conv1d_dense_8850(fixed, shape):
    inputs = keras.Input(shape, name="input_1")
    x = L.Conv1D(filters=1, kernel_size=8, activation="relu", name="conv1d")(inputs)
    if fixed:
        x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, name="dense")(x)
    return keras.Model(inputs, outputs, name="conv1d_regressor")


@case(
    id="so_dense_input_not_flattened",
    source="qa",
    url="https://boldena.com/article/25606fb4-9d79-4a90-9111-2c263b399364/keras-dense-layers-input-is-not-flattened",
    title="Keras Dense layer's input is not flattened",
    reported="The output is: <tf.Tensor 'dense_2/add:0' shape=(?, 2, 4) dtype=float32> … The documentation says: If "
    "the input to the layer has more than 2 dimensions, it gets flattened before the initial dot product with the "
    "kernel. So, why is the output reshaped?",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_2"}],
    fix="Dense acts on the last axis only; Flatten the (2, 3) input first to get one (None, 4) vector per sample.",
    shape=(2, 3),
)
def so_dense_input_not_flattened(fixed, shape):
    input1 = keras.Input(shape, name="input_1")
    x = L.Flatten(name="flatten")(input1) if fixed else input1
    output = L.Dense(4, name="dense_2")(x)
    return keras.Model(input1, output, name="dense_on_2x3")


# ---------------------------------------------------------------------------------------------------------
# output-size-mismatch: an encoder-decoder whose output is a few pixels off its input.
# ---------------------------------------------------------------------------------------------------------


@case(
    id="so_dense_higher_dim_57690048",
    source="qa",
    url="https://stackoverflow.com/questions/57690048/understanding-output-of-dense-layer-for-higher-dimension",
    title="Understanding output of Dense layer for higher dimension",
    reported="#nn.add(keras.layers.Flatten()) … conv2d_2 (Conv2D) (None, 2, 3, 1) … dense_1 (Dense) (None, 2, 3, 5) 10 … "
    "I am having trouble in understanding the output shape of a dense layer for multidimensional input",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_1"}],
    fix="Keep the Flatten between the convolutions and the Dense layers (the question's first model): "
    "flatten_1 (None, 6) → dense_1 (None, 5) → dense_2 (None, 1).",
    shape=(4, 5, 1),
)
def so_dense_higher_dim_57690048(fixed, shape):
    model = keras.Sequential(name="sequential_1")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(L.Conv2D(8, kernel_size=(2, 2), name="conv2d_1"))
    model.add(L.Conv2D(1, kernel_size=(2, 2), name="conv2d_2"))
    if fixed:
        model.add(L.Flatten(name="flatten_1"))
    model.add(L.Dense(5, name="dense_1"))
    model.add(L.Dense(1, name="dense_2"))
    return model


@case(
    id="so_flatten_between_dense_49330519",
    source="qa",
    url="https://example-a.com/answer/49338513",
    title="Flatten operation between Dense layers (Stack Overflow 49330519, mirrored)",
    reported="Between the two Dense layers, there is Flatten layer, why we must add a Flatten operation between two "
    "fully connected layer? … (answer) 1) Without Flatten: inp = Input(shape=(20,10,)) … dense_20 (Dense) "
    "(None, 20, 300) … dense_21 (Dense) (None, 20, 1)",
    bug_class="dense-on-unflattened-map",
    expected=[{"code": "SL111", "layer": "dense_20"}],
    fix="Keep the Flatten between the Dense layers (the question's code, the answer's model 2): dense_22 (None, 20, "
    "300) → flatten_9 (None, 6000) → dense_23 (None, 1).",
    shape=(20, 10),
)
def so_flatten_between_dense_49330519(fixed, shape):
    inp = keras.Input(shape, name="input_10" if fixed else "input_9")
    if fixed:
        a = L.Dense(300, activation="relu", name="dense_22")(inp)
        a = L.Flatten(name="flatten_9")(a)
        a = L.Dense(1, activation="relu", name="dense_23")(a)
    else:
        a = L.Dense(300, activation="relu", name="dense_20")(inp)
        a = L.Dense(1, activation="relu", name="dense_21")(a)
    return keras.Model(inputs=inp, outputs=a, name="model")


@case(
    id="so_vae_transpose_27_49820499",
    source="qa",
    url="https://stackoverflow.com/questions/49820499",
    title="Matching shapes when using tensorflow conv2d_transpose",
    reported="#shape: (-1, 27, 27, 1) … We can see that the dimensions don't match. Is there any mathematical "
    "formula that I should use to get back the right dimensions or is there something wrong with my code?",
    bug_class="output-size-mismatch",
    expected=[{"code": "SL112", "layer": "deconv3"}],
    fix="Pick kernel and stride so the stride-2 conv reads every pixel (kernel 4, stride 2 on 24 → 11, "
    "and the matching transpose 11 → 24), so the decoder returns 28×28.",
    shape=(28, 28, 1),
)
def so_vae_transpose_27_49820499(fixed, shape):
    k = 4 if fixed else 3
    inp = keras.Input(shape, name="image_batch")
    x = L.Conv2D(32, 3, activation="relu", name="conv1")(inp)
    x = L.Conv2D(16, 3, activation="relu", name="conv2")(x)
    x = L.Conv2D(8, k, strides=2, activation="relu", name="conv3")(x)
    x = L.Conv2DTranspose(16, k, strides=2, name="deconv1")(x)
    x = L.Conv2DTranspose(32, 3, name="deconv2")(x)
    out = L.Conv2DTranspose(1, 3, name="deconv3")(x)
    return keras.Model(inp, out, name="conv_vae")


@case(
    id="so_conv_deconv_15_to_16_62923176",
    source="qa",
    url="https://questu.ru/questions/62923176",
    title="How can one encode an input with a single 2D convolution and apply the opposite 2D DeConv / Transposed "
    "Conv to get back the same dimension?",
    reported="If I use the transposed convolution / deconvolution operation with the same parameters, I get a different "
    "output size than the original input … the second and third dimension / axis 1 and axis 2 are 16 and not as "
    "expected: 15.",
    bug_class="output-size-mismatch",
    expected=[{"code": "SL112", "layer": "DeConv1"}],
    fix="Pin the transposed convolution's output length with output_padding=0 ((8 − 1)·2 + 3 − 2·1 + 0 = 15); the "
    "mirror shows the question only, so the twin uses the output_padding remedy Keras documents for this ambiguity.",
    shape=(15, 15, 3),
)
def so_conv_deconv_15_to_16_62923176(fixed, shape):
    inp = keras.Input(shape, name="Input0")
    x = L.Conv2D(32, kernel_size=[3, 3], strides=[2, 2], padding="same", activation="selu", name="Conv1")(inp)
    extra = {"output_padding": 0} if fixed else {}
    out = L.Conv2DTranspose(32, kernel_size=[3, 3], strides=[2, 2], padding="same", activation="selu",
                            name="DeConv1", **extra)(x)
    return keras.Model(inp, out, name="conv_deconv")


# ---------------------------------------------------------------------------------------------------------
# channels-order: a channels_first image read as channels_last.
# ---------------------------------------------------------------------------------------------------------


@case(
    id="so_channels_first_input_54098364",
    source="qa",
    url="https://stackoverflow.com/questions/54098364",
    title="Understanding Channel in Convolution Neural Network (CNN) input shape and output shape",
    reported="In the baseline model it has model.add(Conv2D(32, (3, 3), input_shape=(3, 150, 150))) … If input "
    "shape is 3x150x150 with a kernel size 3x3, isn't the output shape 3x148x148?",
    bug_class="channels-order",
    expected=[{"code": "SL113", "layer": "input_layer"}],
    fix="Declare the layout: Conv2D(32, (3, 3), data_format='channels_first') on the (3, 150, 150) input.",
    shape=(3, 150, 150),
)
def so_channels_first_input_54098364(fixed, shape):
    model = keras.Sequential(name="baseline")
    model.add(keras.Input(shape, name="input_layer"))
    fmt = "channels_first" if fixed else "channels_last"
    model.add(L.Conv2D(32, (3, 3), data_format=fmt, name="conv2d"))
    return model


@case(
    id="blog_input_shape_2x9x9_nchw",
    source="qa",
    url="http://gsvan.com/FrontPage/1/173230.html",
    title="Keras 维度顺序 dim_ordering 冲突 (补充知识: Tensorflow Keras 中 input_shape 引发的维度顺序冲突问题, NCHW 与 NHWC)",
    reported="tf.keras.layers.Conv2D(10, 3, input_shape=(2, 9, 9), padding='same', …) … 2会被解析为通道数, 矩阵大小为9*9, "
    "符合我们预期。而tf会将矩阵大小解析为2 * 9, 且最后一位9代表通道数, 与预期不符。",
    bug_class="channels-order",
    expected=[{"code": "SL113", "layer": "input_layer"}],
    fix="The post's recommended fix (法二): transpose the data to NHWC, input_shape=(9, 9, 2), so the 9×9 grid is "
    "convolved over its 2 channels.",
    shape=(2, 9, 9),
    fixed_shape=(9, 9, 2),
)
def blog_input_shape_2x9x9_nchw(fixed, shape):
    model = keras.Sequential(name="sequential")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(
        L.Conv2D(
            10,
            3,
            padding="same",
            activation="relu",
            kernel_initializer="glorot_normal",
            bias_initializer="glorot_normal",
            name="conv2d",
        )
    )
    return model


@case(
    id="blog_channels_first_mnist_5x5",
    source="blog",
    url="https://www.shangmayuan.com/a/b1a63da65f574f88aac775a7.html",
    title="Keras中图像维度介绍",
    reported="ValueError: Negative dimension size caused by subtracting 5 from 1 for 'conv2d_1/convolution' (op: "
    "'Conv2D') with input shapes: [?,1,28,28], [5,5,28,32].",
    bug_class="channels-order",
    expected=[{"code": "SL113", "layer": "input_layer"}],
    fix="With the TensorFlow backend (channels_last) reshape the data to (28, 28, 1) and declare "
    "input_shape=(28, 28, 1).",
    shape=(1, 28, 28),
    fixed_shape=(28, 28, 1),
    patch=_swap_shape([None, 28, 28, 1], [None, 1, 28, 28]),
)
def blog_channels_first_mnist_5x5(fixed, shape):
    # Keras refuses the (1, 28, 28) model at any size: its config is the (28, 28, 1) twin's with the input
    # shape swapped back to the user's (1, 28, 28)
    model = keras.Sequential(name="mnist_cnn")
    model.add(keras.Input(shape if fixed is False else (28, 28, 1), name="input_layer"))
    model.add(L.Conv2D(32, (5, 5), activation="relu", name="conv2d_1"))
    return model


@case(
    id="so_channels_first_mnist_3x3",
    source="qa",
    url="https://ogeek.cn/qa/?qa=619240%2F",
    title="Negative dimension size caused by subtracting 3 from 1 for 'conv2d_2/convolution' (mirror of a "
    "Stack Overflow question; the mirror shows the answer)",
    reported="ValueError: Negative dimension size caused by subtracting 3 from 1 for 'conv2d_2/…",
    bug_class="channels-order",
    expected=[{"code": "SL113", "layer": "input_layer"}],
    fix="Keep the (1, 28, 28) data and declare it: Convolution2D(32, (3, 3), activation='relu', "
    "input_shape=(1, 28, 28), data_format='channels_first').",
    shape=(1, 28, 28),
    patch=_swap_shape([None, 28, 28, 1], [None, 1, 28, 28]),
)
def so_channels_first_mnist_3x3(fixed, shape):
    model = keras.Sequential(name="mnist_cnn")
    if fixed == "config":  # buildable stand-in whose config gets the user's (1, 28, 28) input patched in
        model.add(keras.Input((28, 28, 1), name="input_layer"))
        model.add(L.Conv2D(32, (3, 3), activation="relu", name="conv2d_2"))
        return model
    model.add(keras.Input(shape, name="input_layer"))
    fmt = "channels_first" if fixed else "channels_last"
    model.add(L.Conv2D(32, (3, 3), activation="relu", data_format=fmt, name="conv2d_2"))
    return model


@case(
    id="so_conv1d_steps_features_38656566",
    source="qa",
    url="https://stackoverflow.com/questions/38656566",
    title="Input dimensions to a one dimensional convolutional network in keras",
    reported="So ideally, the convolutional layer would take a 2d tensor of dimensions: (minibatch_size, 101) and "
    "output a 3d tensor of dimensions (minibatch_size, 91, no_of_featuremaps) … conv.add(Convolution1D(64, 10, "
    "input_shape=(1,101)))",
    bug_class="negative-dimension",
    expected=[{"code": "SL001", "layer": "conv1d"}],
    fix="Feed the 101 prices as 101 steps of 1 feature, input_shape=(101, 1), so the length-10 kernel slides "
    "over time (101 → 92 → pooled 46) as the question intends.",
    shape=(1, 101),
    fixed_shape=(101, 1),
    patch=_swap_shape([None, 101, 1], [None, 1, 101]),
)
def so_conv1d_steps_features_38656566(fixed, shape):
    # Keras refuses (1, 101): its config is the (101, 1) twin's with the user's input shape swapped in, so the
    # shapes Keras 3 records for the layers after the convolution are the twin's
    conv = keras.Sequential(name="conv")
    conv.add(keras.Input(shape if fixed is False else (101, 1), name="input_layer"))
    conv.add(L.Conv1D(64, 10, name="conv1d"))
    conv.add(L.Activation("relu", name="activation"))
    conv.add(L.MaxPooling1D(2, name="max_pooling1d"))
    conv.add(L.Flatten(name="flatten"))
    conv.add(L.Dense(10, name="dense"))
    conv.add(L.Activation("tanh", name="activation_1"))
    conv.add(L.Dense(4, name="dense_1"))
    conv.add(L.Activation("softmax", name="activation_2"))
    return conv


# ---------------------------------------------------------------------------------------------------------
# reshape-size: a Reshape whose target does not hold the input's elements.
# ---------------------------------------------------------------------------------------------------------


@case(
    id="blog_reshape_13x13x1024_to_4x10",
    source="blog",
    url="https://openillumi.com/?p=67236",
    title="Keras Shape Mismatch Solved: Fixing Output Dimension Errors with Dense & Reshape",
    reported="transforming a high-dimensional CNN feature map, typically (None, 13, 13, 1024) (173,056 elements), "
    "into a specific, much smaller target shape, such as (4, 10) (40 elements) … A standard reshape() operation "
    "fails due to the element count mismatch, resulting in a Keras shape error.",
    bug_class="reshape-size",
    expected=[{"code": "SL003", "layer": "reshape"}],
    fix="Map the features to 40 values with a Dense layer before Reshape((4, 10)). The post's first recipe is "
    "Flatten() → Dense(4 * 10), but that Flatten feeds 173,056 features into the Dense (itself a flatten-too-large "
    "warning); the twin takes the post's recommended alternative, GlobalAveragePooling2D() → Dense(4 * 10).",
    shape=(13, 13, 1024),
    patch=lambda cfg: _layer_config(cfg, "reshape").update(target_shape=[4, 10]),
)
def blog_reshape_13x13x1024_to_4x10(fixed, shape):
    model = keras.Sequential(name="box_head")
    model.add(keras.Input(shape, name="feature_map"))
    if fixed is True:
        model.add(L.GlobalAveragePooling2D(name="global_average_pooling2d"))
        model.add(L.Dense(4 * 10, name="dense"))
    if fixed == "config":  # buildable stand-in; the patch restores the user's target (4, 10)
        model.add(L.Reshape((169, 1024), name="reshape"))
    else:
        model.add(L.Reshape((4, 10), name="reshape"))
    return model


# ---------------------------------------------------------------------------------------------------------
# feature-map-collapse and mixed data formats
# ---------------------------------------------------------------------------------------------------------


@case(
    id="so_valid_convs_shrink_7x9_70781692",
    source="qa",
    url="https://newbetuts.com/70781692-how-to-make-a-cnn-model-correctly",
    title="How to make a CNN model correctly?",
    reported="(from the answer) conv2d_30 (Conv2D) (None, 5, 7, 4) … conv2d_31 (Conv2D) (None, 3, 5, 4) … conv2d_32 "
    "(Conv2D) (None, 1, 3, 2) … Here the output size of the last layer is (1, 3, 2) whereas the input size is "
    "(7, 9, 1).",
    bug_class="feature-map-collapse",
    expected=[{"code": "SL102", "layer": "conv2d_31"}],
    fix="padding='same' on every convolution (the answer's model: four Conv2D(4, 3, padding='same')) keeps the "
    "7×9 map.",
    shape=(7, 9, 1),
)
def so_valid_convs_shrink_7x9_70781692(fixed, shape):
    model = keras.Sequential(name="small_cnn")
    model.add(keras.Input(shape, name="input_layer"))
    if fixed:
        for i, name in enumerate(("conv2d", "conv2d_1", "conv2d_2", "conv2d_3")):
            model.add(L.Conv2D(4, (3, 3), padding="same", activation="relu", name=name))
        return model
    model.add(L.Conv2D(4, (3, 3), activation="relu", name="conv2d_30"))
    model.add(L.Conv2D(4, (3, 3), activation="relu", name="conv2d_31"))
    model.add(L.Conv2D(2, (3, 3), activation="relu", name="conv2d_32"))
    return model


@case(
    id="ds_radioml_padding_channels_last",
    source="qa",
    url="https://transwikia.com/data-science/cnn-output-shape-explanation/",
    title="CNN output shape explanation",
    reported="reshape_1 (Reshape) (None, 1, 2, 128) … zero_padding2d_1 (ZeroPaddin (None, 1, 6, 128) … conv1 (Conv2D) "
    "(None, 256, 6, 126) … conv2 (Conv2D) (None, 80, 9, 124)",
    bug_class="mixed-data-format",
    expected=[{"code": "SL116", "layer": "zero_padding2d_1"}],
    fix="Give the ZeroPadding2D layers the convolutions' data_format='channels_first', so (0, 2) pads the "
    "128-sample axis (1×2×132) instead of turning the 2 I/Q rows into 6; the mirror shows the question only.",
    shape=(2, 128),
)
def ds_radioml_padding_channels_last(fixed, shape):
    pad_fmt = "channels_first" if fixed else None
    model = keras.Sequential(name="vt_cnn2")
    model.add(keras.Input(shape, name="input_layer"))
    model.add(L.Reshape([1] + list(shape), name="reshape_1"))
    model.add(L.ZeroPadding2D((0, 2), data_format=pad_fmt, name="zero_padding2d_1"))
    model.add(L.Conv2D(256, (1, 3), padding="valid", activation="relu", name="conv1", data_format="channels_first"))
    model.add(L.Dropout(0.5, name="dropout_1"))
    model.add(L.ZeroPadding2D((0, 2), data_format=pad_fmt, name="zero_padding2d_2"))
    model.add(L.Conv2D(80, (2, 3), padding="valid", activation="relu", name="conv2", data_format="channels_first"))
    model.add(L.Dropout(0.5, name="dropout_2"))
    model.add(L.Flatten(name="flatten_1"))
    model.add(L.Dense(256, activation="relu", name="dense1"))
    model.add(L.Dropout(0.5, name="dropout_3"))
    model.add(L.Dense(11, name="dense2"))
    model.add(L.Activation("softmax", name="activation_1"))
    model.add(L.Reshape([11], name="reshape_2"))
    return model


@case(
    id="so_conv_stride3_mnist_9x9",
    source="qa",
    url="https://whosebug.com/question/5683568/Keras-Why-the-output-size-of-a-Conv2D-layer-doesn-t-match-the-expected-"
    "shape-of-feature-map",
    title="Keras: Why the output size of a Conv2D layer doesn't match the expected shape of feature map?",
    reported="I would expect that the shape of of the first Conv2D layer was (200, 26, 26, 32) … However, the size I am "
    "getting by using model.summary() is (200, 9, 9, 32)",
    bug_class="other",
    expected=[{"code": "SL101", "layer": "conv2d_1"}],
    fix="Convolve with stride 1 (Conv2D(32, (3, 3)); the summary's 320 parameters and 9×9 output pin a 3×3 kernel "
    "with stride 3, the Keras 1 Conv2D(32, 3, 3) spelling read by Keras 2 as strides=3), giving the expected 26×26 "
    "maps; the mirror shows the question only.",
    shape=(28, 28, 1),
)
def so_conv_stride3_mnist_9x9(fixed, shape):
    model = keras.Sequential(name="sequential_1")
    model.add(keras.Input(batch_shape=(200, *shape), name="input_layer"))
    model.add(L.Conv2D(32, (3, 3), strides=1 if fixed else 3, activation="relu", name="conv2d_1"))
    model.add(L.MaxPooling2D((2, 2), name="max_pooling2d_1"))
    model.add(L.Dropout(0.2, name="dropout_1"))
    model.add(L.Flatten(name="flatten_1"))
    model.add(L.Dense(256, activation="relu", name="dense_2"))
    model.add(L.Dense(10, activation="softmax", name="dense_3"))
    return model


@case(
    id="so_dense_before_flatten_28x28x64",
    source="qa",
    url="https://www.whosebug.com/question/5149402/Keras-model-summary-incorrect",
    title="Keras model summary incorrect",
    reported="dense_1 (Dense) (None, 28, 28, 64) 128 … flatten_1 (Flatten) (None, 50176) … dense_2 (Dense) (None, 10) "
    "501770 … dense_1 (Dense) Output Shape should be (None,64) … Why is this happening and how to solve it?",
    bug_class="flatten-too-large",
    expected=[{"code": "SL108", "layer": "flatten_1"}],
    fix="The summary is right: Dense acts on the last axis of (28, 28, 1), so the per-pixel 64 features are "
    "flattened into 50,176 inputs of dense_2; Flatten the image first, then Dense(64) and Dense(10).",
    shape=(28, 28, 1),
)
def so_dense_before_flatten_28x28x64(fixed, shape):
    model = keras.Sequential(name="sequential_1")
    model.add(keras.Input(shape, name="input_layer"))
    if fixed:
        model.add(L.Flatten(name="flatten_1"))
    model.add(L.Dense(64, activation="relu", kernel_initializer="he_normal", name="dense_1"))
    if not fixed:
        model.add(L.Flatten(name="flatten_1"))
    model.add(L.Dense(10, activation="relu", kernel_initializer="he_normal", name="dense_2"))
    return model


# ---------------------------------------------------------------------------------------------------------
# merge-mismatch: U-Net skip connections at an input size that is not a multiple of 2**depth.
# ---------------------------------------------------------------------------------------------------------


def _unet_block(x, filters, name):
    for i in (1, 2):
        x = L.Conv2D(filters, 3, padding="same", name=f"{name}_conv{i}")(x)
        x = L.BatchNormalization(axis=3, name=f"{name}_bn{i}")(x)
        x = L.Activation("relu", name=f"{name}_relu{i}")(x)
    return x


@case(
    id="blog_unet_451_concat_131796911",
    source="blog",
    url="https://blog.csdn.net/weixin_44237337/article/details/131796911",
    title="深度学习--A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis.",
    reported="在使用Unet模型时,输入的大小不是2的次方,在上采样时会出现如下报错: A `Concatenate` layer requires inputs "
    "with matching shapes except for the concatenation axis.",
    bug_class="merge-mismatch",
    expected=[{"code": "SL002", "layer": "concat_64"}],
    fix="Zero-pad each upsampled map to the size of its skip connection before concatenating "
    "(451 → 225 → 112 → 56 → 28 halves odd sizes; 112·2 = 224 and 225·2 = 450 need one more row and column).",
    shape=(451, 451, 7),
    config_shape=(None, None, 7),
)
def blog_unet_451_concat_131796911(fixed, shape):
    f = 4  # the post uses 64; channel counts do not change the spatial sizes at the bug
    inp = keras.Input(shape, name="inputs")
    skips = []
    x = inp
    for level, mult in zip((128, 64, 32, 16), (1, 2, 4, 8)):
        x = _unet_block(x, f * mult, f"conv_{level}")
        skips.append(x)
        x = L.MaxPooling2D((2, 2), name=f"pool_{level // 2}")(x)
    x = _unet_block(x, f * 16, "conv_8")
    sizes = {16: 56, 32: 112, 64: 225, 128: 451}  # skip sizes at the user's 451×451 input
    for level, mult, skip in zip((16, 32, 64, 128), (8, 4, 2, 1), reversed(skips)):
        x = L.UpSampling2D((2, 2), data_format="channels_last", name=f"up_{level}")(x)
        if fixed and sizes[level] % 2:
            x = L.ZeroPadding2D(((0, 1), (0, 1)), name=f"pad_{level}")(x)
        x = L.concatenate([x, skip], axis=3, name=f"concat_{level}")
        x = _unet_block(x, f * mult, f"up_conv_{level}")
    out = L.Conv2D(1, 1, name="output")(x)
    return keras.Model(inp, out, name="unet")


@case(
    id="ds_unet_valid_572_concat",
    source="qa",
    url="https://52sbl.cn/discussion/117645.html",
    title="在没有填充的情况下实现 U-Net 分割模型 (Implementing a U-Net segmentation model without padding; Data "
    "Science SE, mirrored)",
    reported="merge_1 = Concatenate()([conv_8, upsample_1]) … ValueError: A `Concatenate` layer requires inputs with "
    "matching shapes except for the concat axis. Got inputs shapes: [(32, 64, 64, 512), (32, 56, 56, 1024)]",
    bug_class="merge-mismatch",
    expected=[{"code": "SL002", "layer": "concatenate"}],
    fix="Copy and crop as in the U-Net paper the user follows: Cropping2D(4) on conv_8 (64×64 → 56×56) before the "
    "concatenation (the mirror shows no accepted answer).",
    shape=(572, 572, 1),
    config_shape=(None, None, 1),
)
def ds_unet_valid_572_concat(fixed, shape):
    f = 4  # the question uses 64 … 1024 filters; channel counts do not change the spatial sizes at the bug
    inp = keras.Input(shape, name="input_layer")
    x = inp
    n = 0
    for mult in (1, 2, 4, 8, 16):
        for _ in (1, 2):
            n += 1
            x = L.Conv2D(f * mult, 3, activation="relu", name=f"conv2d_{n}")(x)
        if mult == 8:
            skip = x  # conv_8: 64×64 at the 572×572 input
        if mult < 16:
            x = L.MaxPooling2D(strides=2, name=f"max_pooling2d_{mult.bit_length()}")(x)
    x = L.UpSampling2D(name="up_sampling2d")(x)  # 28×28 → 56×56
    if fixed:
        skip = L.Cropping2D(4, name="cropping2d")(skip)
    out = L.Concatenate(name="concatenate")([skip, x])
    return keras.Model(inp, out, name="unet")


@case(
    id="blog_inception_stem_concat_axis",
    source="blog",
    url="https://e-com-net.com/article/1298463006128152576.htm",
    title="在keras中merge([x1, x2], mode='concat', concat_axis=channel_axis)时报错",
    reported="ValueError: \"concat\" mode can only merge layers with matching output shapes except for the concat "
    "axis. Layer shapes: [(None, 73, 73, 64), (None, 73, 73, 96)]",
    bug_class="merge-mismatch",
    expected=[{"code": "SL002", "layer": "stem_concat"}],
    fix="With the TensorFlow backend (channels_last) channel_axis must be -1, not the Theano value 1: "
    "concatenate the two 73×73 branches on the channel axis.",
    shape=(299, 299, 3),
    patch=lambda cfg: _layer_config(cfg, "stem_concat").update(axis=1),
)
def blog_inception_stem_concat_axis(fixed, shape):
    # Inception-v4 stem up to its first merge; the config variant concatenates on -1 and gets patched to 1
    channel_axis = 1 if fixed is False else -1
    inp = keras.Input(shape, name="input")
    x = L.Conv2D(32, 3, strides=2, padding="valid", activation="relu", name="stem_conv1")(inp)
    x = L.Conv2D(32, 3, padding="valid", activation="relu", name="stem_conv2")(x)
    x = L.Conv2D(64, 3, padding="same", activation="relu", name="stem_conv3")(x)
    x1 = L.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name="stem_pool")(x)
    x2 = L.Conv2D(96, 3, strides=2, padding="valid", activation="relu", name="stem_conv4")(x)
    out = L.concatenate([x1, x2], axis=channel_axis, name="stem_concat")
    return keras.Model(inp, out, name="inception_v4_stem")


@case(
    id="blog_transpose_same_9_to_10",
    source="blog",
    url="https://www.mysjtu.net/2018/01/31/transpose-convolution-by-tensorflow",
    title="Transpose convolution by tensorflow",
    reported="denote a [None, 9, 9, 1] 4D-tensor X, convolved by a kernel of size [3, 3] with a 2 step stride and "
    "half padding (SAME), the output 4D tensor y will be [None, 5, 5, 1]. However, the transpose convolution from "
    "y by the same parameters setting generates x' into a [None, 10, 10, 1] tensor, not [None, 9, 9, 1].",
    bug_class="output-size-mismatch",
    expected=[{"code": "SL112", "layer": "conv2d_transpose"}],
    fix="Crop the extra last row and column after the transposed convolution (x_r[:, 0:-1, 0:-1, :]) so the "
    "decoder returns 9×9.",
    shape=(9, 9, 1),
)
def blog_transpose_same_9_to_10(fixed, shape):
    inp = keras.Input(shape, name="x")
    y = L.Conv2D(1, 3, strides=2, padding="same", name="conv2d")(inp)
    out = L.Conv2DTranspose(1, 3, strides=2, padding="same", name="conv2d_transpose")(y)
    if fixed:
        out = L.Cropping2D(((0, 1), (0, 1)), name="crop_last_row_col")(out)
    return keras.Model(inp, out, name="conv_transpose_autoencoder")


# ---------------------------------------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    """The informative line of a Keras/TF error: skip Keras's 'Exception encountered' wrapper line,
    drop ANSI colour codes and TF's '{{function_node ...}}' device prefix."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("Exception encountered when calling")] or [""]
    line = " ".join(f"{type(exc).__name__}: {lines[0]}".split())
    return line if len(line) <= 240 else line[:237] + "..."


def _shape_str(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _build(meta, fixed, shape):
    keras.backend.clear_session()
    return meta["builder"](fixed, shape)


def _verdict(meta, fixed):
    """Build at the user's size and run on zeros; return (verdict, model whose config is saved)."""
    shape = tuple(meta["fixed_shape"] if fixed and "fixed_shape" in meta else meta["shape"])
    try:
        model = _build(meta, fixed, shape)
    except Exception as exc:  # Keras refuses the model at this size
        verdict = f"refused at build: {_one_line(exc)}"
        if "patch" in meta and not fixed:
            # Keras refuses this model at any size: write the config of the buildable variant the builder
            # makes for fixed="config", then apply the case's one-key patch that restores the user's model
            return verdict, Patched(_build(meta, "config", shape), meta["patch"])
        cfg_shape = meta.get("config_shape")
        if cfg_shape is None:
            raise RuntimeError(f"{meta['id']}: refused at build and no config_shape: {exc}") from exc
        model = _build(meta, fixed, tuple(cfg_shape))
        try:
            out = model(np.zeros((1, *shape), dtype="float32"))
            verdict += f"; the {_shape_str(cfg_shape)} config builds and runs at {_shape_str((1, *shape))}"
            verdict += f"; output {_shape_str(tuple(out.shape))}"
        except Exception as exc2:
            verdict += f"; the {_shape_str(cfg_shape)} config builds, fails at run: {_one_line(exc2)}"
        return verdict, model
    x = np.zeros((1, *shape), dtype="float32")
    try:
        out = model(x)
    except Exception as exc:
        verdict = f"builds; fails at run on zeros at {_shape_str(x.shape)}: {_one_line(exc)}"
    else:
        outs = out if isinstance(out, (list, tuple)) else [out]
        shapes = ", ".join(_shape_str(tuple(o.shape)) for o in outs)
        verdict = f"builds; runs on zeros at {_shape_str(x.shape)}; output {shapes}"
    if meta.get("config_shape") is not None:
        model = _build(meta, fixed, tuple(meta["config_shape"]))
    return verdict, model


def _write_json(model, path: Path) -> None:
    cfg = json.loads(model.to_json())
    path.write_text(json.dumps(cfg, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


KEYS = ("id", "source", "url", "title", "reported", "bug_class", "expected", "fix")


def write_case(meta) -> None:
    folder = HERE / meta["id"]
    folder.mkdir(exist_ok=True)
    bug_verdict, bug_model = _verdict(meta, fixed=False)
    fixed_verdict, fixed_model = _verdict(meta, fixed=True)
    doc = {k: meta[k] for k in KEYS}
    doc["tf_verdict"] = {"bug": bug_verdict, "fixed": fixed_verdict}
    if meta.get("config_shape") is not None or meta.get("record_input_shape"):
        doc["input_shape"] = list(meta["shape"])
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    _write_json(bug_model, folder / "bug.json")
    _write_json(fixed_model, folder / "fixed.json")
    print(f"{meta['id']}: bug {bug_verdict}\n{' ' * len(meta['id'])}  fixed {fixed_verdict}")


# ---------------------------------------------------------------------------------------------------------
# README: what shapelint reports today on each case (run with --readme; needs the shapelint CLI)
# ---------------------------------------------------------------------------------------------------------


def _shapelint(path: Path, input_shape):
    exe = Path(sys.executable).with_name("shapelint")
    cmd = [str(exe), str(path), "--format", "json"]
    if input_shape:
        cmd += ["--input-shape", ",".join(str(d) for d in input_shape)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    data = json.loads(proc.stdout)
    return [f for file in data["files"] for f in file["findings"]]


def _fmt(findings, levels=("error", "warning")) -> str:
    shown = [f"{f['rule']}@{f['layer']}" for f in findings if f["severity"] in levels]
    return ", ".join(shown) if shown else "—"


def write_readme() -> None:
    rows = []
    caught = 0
    twin_noise = 0
    for meta in CASES:
        folder = HERE / meta["id"]
        doc = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        shape = doc.get("input_shape")
        bug = _shapelint(folder / "bug.json", shape)
        fixed = _shapelint(folder / "fixed.json", shape)
        hit = all(
            any(f["rule"] == e["code"] and f["layer"] == e["layer"] for f in bug) for e in doc["expected"]
        )
        caught += hit
        noisy = [f for f in fixed if f["severity"] in ("error", "warning")]
        twin_noise += bool(noisy)
        refused = doc["tf_verdict"]["bug"].startswith("refused")
        exp = ", ".join(f"{e['code']}@{e['layer']}" for e in doc["expected"])
        rows.append(
            f"| `{meta['id']}` | {meta['url']} | {meta['bug_class']} | {'refuses' if refused else 'builds'} "
            f"| {exp} | {'yes' if hit else 'no'} | {_fmt(bug)} | {_fmt(fixed)} |"
        )
    n = len(CASES)
    silent = sum(1 for r in rows if "| builds |" in r)
    text = README_HEAD.format(n=n, silent=silent, refused=n - silent, caught=caught, twin_noise=twin_noise)
    text += "\n".join(rows) + "\n" + README_TAIL
    (HERE / "README.md").write_text(text, encoding="utf-8")
    print(f"README: {caught}/{n} caught with the expected code and layer; {twin_noise} twins with findings")


README_HEAD = """# Real-world corpus: `qa` set

Shape bugs that users reported in public Q&A threads and blog posts, each rebuilt as a Keras 3 model
(`bug.json`) next to the fix from the accepted answer (`fixed.json`). Format: see the corpus notes
(`case.yaml` keys `id, source, url, title, reported, bug_class, expected, fix, tf_verdict[, input_shape]`).

Regenerate (byte-identical): `python tests/realworld/qa/make_cases.py`; refresh this table with
`python tests/realworld/qa/make_cases.py --readme` (runs `shapelint <case>/bug.json --format json`, with
`--input-shape` when the case has one).

{n} cases: {silent} that Keras builds and runs (silent bugs), {refused} that Keras refuses at build.
shapelint as of this commit reports the expected code at the expected layer on {caught} of {n};
it gives warnings or errors on {twin_noise} of the {n} healthy twins.

Columns: *TF* = what Keras does with the buggy model at the user's input size; *expected* = what a correct
linter reports (code@layer, layer names as in `bug.json`); *caught* = shapelint reports every expected
code at its layer; the last two columns list shapelint's current warnings and errors (info left out).

| id | thread | bug class | TF | expected | caught | shapelint on bug.json | shapelint on fixed.json |
|---|---|---|---|---|---|---|---|
"""

README_TAIL = """
Conventions:
- SL111 (Dense on an unflattened map) names the first Dense that receives the rank≥3 map: that is where
  the accepted answers put the Flatten.
- SL112 (encoder-decoder output a few pixels off) names the model's output layer.
- SL113 (channels-first image read as channels_last) names the input layer.
- Where a refused model's config was written at a dynamic size (`None` dims), `input_shape` holds the size
  the user fed; run shapelint with `--input-shape` to see the bug.
- Channel and unit counts are sometimes reduced to keep the files small; spatial sizes, kernels, strides,
  padding and layer order at the bug are the user's.
- When a bug could be flagged by two codes, `expected` lists the primary one: e.g. `blog_input_shape_2x9x9_nchw`
  is a channels-first input (SL113); its 'same' 3×3 convolution over the 2-row axis is a symptom (SL114).

Twins that a correct linter may still warn on (SL108's area threshold, `max_area` 256):
- `ds_dense_on_image_39718` and `so_dense_before_flatten_28x28x64`: the accepted fix is an MLP that flattens
  the raw input image (32×32×3, 28×28×1) into a Dense layer. SL108 as documented fires on any Flatten of a
  map wider than 16×16, so it fires on these twins too. In `so_dense_before_flatten_28x28x64` the bug is a
  Dense(64) applied to every pixel before the Flatten (50,176 flattened features instead of 784): SL108 is
  the only catalog code that fires, at the same layer as on the twin. Either SL108 should leave a Flatten of
  the model's own input alone, or these twins count as SL108 warnings by design.
- `blog_reshape_13x13x1024_to_4x10`: the post's first recipe (Flatten → Dense(40)) flattens 173,056
  features; the twin uses the post's recommended alternative (GlobalAveragePooling2D → Dense(40)).
"""


def main(argv) -> None:
    only = [a for a in argv if not a.startswith("--")]
    for meta in CASES:
        if only and meta["id"] not in only:
            continue
        write_case(meta)
    if "--readme" in argv:
        write_readme()


if __name__ == "__main__":
    main(sys.argv[1:])
