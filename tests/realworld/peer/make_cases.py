"""Build the `peer` set of the real-world corpus: NeuraLint's benchmark of buggy DL programs, with Keras 3.

The benchmark is the one published with NeuraLint (Nikanjam, Ben Braiek, Morovati, Khomh, "Automatic
Fault Detection for Deep Learning Programs Using Graph Transformations", ACM TOSEM 31(1), 2021,
https://doi.org/10.1145/3470006): the Keras and TensorFlow programs in `sample_buggy_scripts/`
(SO Samples, GitHub Samples, Synthetic Samples) of https://github.com/neuralint/neuralint at commit
e27dacf63d3cc75fa02ef81f9ec5bbc90881d1f5.  The benchmark's code is not copied here: each builder
below re-writes one program's model with Keras 3 layers (the TF 1 `tf.layers` programs as their
Keras equivalents) and names the file it reproduces.

Programs with a shape fault give a bug.json and a fixed.json; a sample of the programs whose faults
are not about shapes (initialisation, activations, losses, optimiser) or that have none gives
`healthy_only` cases with fixed.json alone, where a correct linter reports no shape problem.

    python tests/realworld/peer/make_cases.py [--readme]
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("realworld_github_make_cases", HERE.parent / "github" / "make_cases.py")
gh = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gh
_spec.loader.exec_module(gh)

keras, layers = gh.keras, gh.layers
seq, model_dict, declare_input, forget_recorded_shapes, set_layer_config = (
    gh.seq, gh.model_dict, gh.declare_input, gh.forget_recorded_shapes, gh.set_layer_config)

REPO = "https://github.com/neuralint/neuralint"
COMMIT = "e27dacf63d3cc75fa02ef81f9ec5bbc90881d1f5"
BENCH = "sample_buggy_scripts"


def url(path: str) -> str:
    return f"{REPO}/blob/{COMMIT}/{BENCH}/{path}".replace(" ", "%20")


def title(path: str) -> str:
    return f"NeuraLint benchmark (neuralint/neuralint@{COMMIT[:7]}): {BENCH}/{path}"


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def lenet_tf(flatten=True, pool1_input="pool1", flatten_input="pool2"):
    """TF_lenet.py's build_model as Keras layers (28x28x1 MNIST, two 5x5 'same' convs, 2x2 pools)."""
    inp = keras.Input((28, 28, 1), name="input")
    conv1 = layers.Conv2D(32, 5, padding="same", activation="relu", name="conv2d")(inp)
    pool1 = layers.MaxPooling2D(2, strides=2, name="max_pooling2d")(conv1)
    conv2 = layers.Conv2D(64, 5, padding="same", activation="relu", name="conv2d_1")(
        pool1 if pool1_input == "pool1" else conv1)
    pool2 = layers.MaxPooling2D(2, strides=2, name="max_pooling2d_1")(conv2)
    x = pool2 if flatten_input == "pool2" else conv2
    if flatten:
        x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(512, activation="relu", name="dense")(x)
    x = layers.Dropout(0.25, name="dropout")(x)
    out = layers.Dense(10, name="dense_1")(x)
    return keras.Model(inp, out, name="lenet")


# --------------------------------------------------------------------------- shape faults


@case
def nl_so_38584268_missing_flatten():
    path = "SO Samples/38584268.py"
    meta = dict(id="nl_so_38584268_missing_flatten", source="peer", url=url(path), title=title(path),
                reported="#model.add(Flatten()) Bug is to forget the addition of flatten",
                bug_class="dense-on-unflattened-map",
                expected=[{"code": "SL111", "layer": "dense"}],
                fix="add the Flatten between the last Conv2D and Dense(50).",
                input_shape=[32, 32, 3])

    def net(flatten):
        ls = [layers.Conv2D(15, (7, 7), activation="relu", padding="same"),
              layers.MaxPooling2D((2, 2), padding="same"),
              layers.Conv2D(45, (6, 6), activation="relu", padding="same"),
              layers.MaxPooling2D((4, 3), padding="same"),
              layers.Conv2D(250, (5, 5), activation="relu", padding="same")]
        if flatten:
            ls.append(layers.Flatten())
        ls += [layers.Dense(50, name="dense"), layers.Activation("relu"),
               layers.Dense(10, name="dense_1"), layers.Activation("softmax")]
        return seq((32, 32, 3), ls)

    return dict(meta=meta, run_shape=[32, 32, 3], bug=lambda: net(False), fixed=lambda: net(True))


def _conv1d_dense_case(case_id, path, in_shape, body, head, reported):
    meta = dict(id=case_id, source="peer", url=url(path), title=title(path), reported=reported,
                bug_class="dense-on-unflattened-map",
                expected=[{"code": "SL111", "layer": head[0].name}],
                fix="Flatten the Conv1D feature sequence before the Dense head.",
                input_shape=list(in_shape))

    def make(flatten):
        ls = [layer.__class__.from_config(layer.get_config()) for layer in body]
        if flatten:
            ls.append(layers.Flatten(name="flatten"))
        ls += [layer.__class__.from_config(layer.get_config()) for layer in head]
        return seq(in_shape, ls)

    return dict(meta=meta, run_shape=list(in_shape), bug=lambda: make(False), fixed=lambda: make(True))


@case
def nl_so_45120429_conv1d_dense_unflattened():
    body = []
    for i in range(4):
        body += [layers.Conv1D(32, 2, name=f"conv1d_{i}"), layers.Activation("relu", name=f"activation_{i}")]
    head = [layers.Dense(32, name="dense"), layers.Activation("sigmoid", name="activation_4")]
    return _conv1d_dense_case("nl_so_45120429_conv1d_dense_unflattened", "SO Samples/45120429.py", (32, 1),
                              body, head, "Conv1D(32,2) ×4 on input_shape=(32, 1), then Dense(32) without Flatten")


@case
def nl_so_53119432_conv1d_dense_unflattened():
    body = [layers.Conv1D(64, 3, activation="relu", name="conv1d"),
            layers.Conv1D(64, 3, activation="relu", name="conv1d_1"),
            layers.MaxPooling1D(pool_size=4, strides=None, padding="valid", name="max_pooling1d"),
            layers.Conv1D(128, 3, activation="relu", name="conv1d_2"),
            layers.Conv1D(128, 3, activation="relu", name="conv1d_3"),
            layers.Dropout(0.5, name="dropout")]
    head = [layers.Dense(1, activation="sigmoid", name="dense")]
    return _conv1d_dense_case("nl_so_53119432_conv1d_dense_unflattened", "SO Samples/53119432.py", (30, 1),
                              body, head, "Conv1D stack on input_shape=(30, 1) ending in Dense(1, sigmoid) without Flatten")


@case
def nl_so_61030068_conv1d_dense_unflattened():
    body = [layers.Conv1D(64, 3, activation="relu", name="conv1d"),
            layers.MaxPooling1D(2, name="max_pooling1d"),
            layers.Conv1D(64, 3, activation="relu", name="conv1d_1"),
            layers.MaxPooling1D(2, name="max_pooling1d_1")]
    head = [layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(28, activation="softmax", name="dense_1")]
    return _conv1d_dense_case("nl_so_61030068_conv1d_dense_unflattened", "SO Samples/61030068.py", (72, 1),
                              body, head, "Conv1D/MaxPooling1D on input_shape=(72, 1), then Dense(64), Dense(28, softmax) without Flatten")


@case
def nl_so_45711636_channels_first_input():
    path = "SO Samples/45711636.py"
    meta = dict(id="nl_so_45711636_channels_first_input", source="peer", url=url(path), title=title(path),
                reported="Conv2D(32, (3, 3), padding='valid', activation='relu', input_shape=(1, 20, 56)) in a channels_last model",
                bug_class="channels-order",
                expected=[{"code": "SL113", "layer": "input_layer"}, {"code": "SL001", "layer": "conv2d"}],
                fix="declare the 20×56 single-channel input channels_last: input_shape=(20, 56, 1).",
                input_shape=[1, 20, 56])

    def net(shape):
        return seq(shape, [
            layers.Conv2D(32, (3, 3), padding="valid", activation="relu", name="conv2d"),
            layers.Dropout(0.25),
            layers.Conv2D(32, (3, 3), padding="valid", activation="relu", name="conv2d_1"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Conv2D(32, (3, 3), padding="valid", activation="relu", name="conv2d_2"),
            layers.Conv2D(32, (3, 3), activation="relu", name="conv2d_3"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ], input_name="input_layer")

    return dict(meta=meta, run_shape=[1, 20, 56], bug=lambda: net((1, 20, 56)),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net((20, 20, 56)))), [1, 20, 56]),
                fixed=lambda: net((20, 56, 1)), fixed_run_shape=[20, 56, 1])


@case
def nl_so_55731589_conv_on_2x2_map():
    path = "SO Samples/55731589.py"
    meta = dict(id="nl_so_55731589_conv_on_2x2_map", source="peer", url=url(path), title=title(path),
                reported="four Conv2D(3×3, valid)/MaxPooling2D(2) blocks on input_shape=(32, 32, 3)",
                bug_class="negative-dimension",
                expected=[{"code": "SL001", "layer": "conv2d_3"}],
                fix="the 150×150 input this four-block cats-vs-dogs network is designed for.",
                input_shape=[32, 32, 3])

    def net(n):
        return seq((n, n, 3), [
            layers.Conv2D(32, (3, 3), activation="relu", name="conv2d"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu", name="conv2d_1"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(128, (3, 3), activation="relu", name="conv2d_2"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(128, (3, 3), activation="relu", name="conv2d_3"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ])

    return dict(meta=meta, run_shape=[32, 32, 3], bug=lambda: net(32),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net(150))), [32, 32, 3]),
                fixed=lambda: net(150), fixed_run_shape=[150, 150, 3])


@case
def nl_so_44322611_th_convs_tf_pools():
    path = "SO Samples/44322611.py"
    meta = dict(id="nl_so_44322611_th_convs_tf_pools", source="peer", url=url(path), title=title(path),
                reported=("K.set_image_dim_ordering('th') with Conv2D(…, input_shape=(224, 224, 3)) and "
                          "MaxPooling2D(pool_size=(2, 2), data_format=\"channels_last\")"),
                bug_class="mixed-data-format",
                expected=[{"code": "SL116", "layer": "max_pooling2d"},
                          {"code": "SL113", "layer": "input_layer"}],
                fix="one ordering for the whole model: channels_last convs on the (224, 224, 3) images.",
                input_shape=[224, 224, 3])

    def net(conv_format):
        return seq((224, 224, 3), [
            layers.Conv2D(224, (11, 11), activation="relu", padding="same", data_format=conv_format),
            layers.Dropout(0.2),
            layers.Conv2D(55, (5, 5), activation="relu", padding="same", data_format=conv_format),
            layers.MaxPooling2D(pool_size=(2, 2), data_format="channels_last", name="max_pooling2d"),
            layers.Conv2D(13, (3, 3), activation="relu", padding="same", data_format=conv_format),
            layers.Dropout(0.5),
            layers.Conv2D(13, (3, 3), activation="relu", padding="same", data_format=conv_format),
            layers.MaxPooling2D(pool_size=(2, 2), data_format="channels_last", name="max_pooling2d_1"),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(2, activation="softmax"),
        ], input_name="input_layer")

    return dict(meta=meta, run_shape=[224, 224, 3], bug=lambda: net("channels_first"),
                fixed=lambda: net("channels_last"))


@case
def nl_so_deep_cnn_too_much_pooling():
    path = "SO Samples/deep_CNN_too_much_pooling.py"
    meta = dict(id="nl_so_deep_cnn_too_much_pooling", source="peer", url=url(path), title=title(path),
                reported="eleven Conv2D('same')/MaxPool2D(2, 2) pairs on input_shape=(224,224,3) (file name: too much pooling)",
                bug_class="negative-dimension",
                expected=[{"code": "SL001", "layer": "max_pooling2d_7"}],
                fix="the five poolings of the VGG-16 layout the program is derived from (224 → 7).",
                input_shape=[224, 224, 3])
    filters = (64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512)

    def net(n, n_blocks):
        ls = []
        for i, f in enumerate(filters[:n_blocks]):
            ls += [layers.Conv2D(f, (3, 3), padding="same", activation="relu"),
                   layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2),
                                    name="max_pooling2d" + ("" if i == 0 else f"_{i}"))]
        ls += [layers.Flatten(), layers.Dense(4096, activation="relu"), layers.Dense(4096, activation="relu"),
               layers.Dense(2, activation="softmax")]
        return seq((n, n, 3), ls)

    return dict(meta=meta, run_shape=[224, 224, 3], bug=lambda: net(224, 11),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net(2048, 11))), [224, 224, 3]),
                fixed=lambda: net(224, 5))


@case
def nl_gh_5_resnet_theano_input():
    path = "GitHub Samples/5.py"
    meta = dict(id="nl_gh_5_resnet_theano_input", source="peer", url=url(path), title=title(path),
                reported=("input = Input(shape=(img_channels, img_rows, img_cols))  # (3, 32, 32), while _shortcut "
                          "reads rows, cols, channels from axes 1, 2, 3"),
                bug_class="channels-order",
                expected=[{"code": "SL113", "layer": "input_1"}, {"code": "SL002", "layer": "add_1"}],
                fix="the file's commented line: Input(shape=(img_rows, img_cols, img_channels)).",
                input_shape=[3, 32, 32])

    def resnet(shape):
        # resnet() with one basic block per stage instead of 18 (the blocks repeat the same shapes).
        def bn_relu_conv(x, f, stride):
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            return layers.Conv2D(f, 3, strides=stride, padding="same", kernel_initializer="he_normal")(x)

        def block(x, f, stride, k):
            residual = bn_relu_conv(bn_relu_conv(x, f, stride), f, 1)
            sw, sh = x.shape[1] // residual.shape[1], x.shape[2] // residual.shape[2]
            shortcut = x
            if sw > 1 or sh > 1 or residual.shape[3] != x.shape[3]:
                shortcut = layers.Conv2D(residual.shape[3], 1, strides=(sw, sh), padding="valid",
                                         kernel_initializer="he_normal", name=f"shortcut_{k}")(x)
            return layers.Add(name="add" + ("" if k == 0 else f"_{k}"))([shortcut, residual])

        inp = keras.Input(shape, name="input_1")
        x = layers.Conv2D(64, 3, padding="same", kernel_initializer="he_normal")(inp)
        x = layers.Activation("relu")(layers.BatchNormalization()(x))
        x = block(x, 64, 1, 0)
        x = block(x, 128, 2, 1)
        x = block(x, 256, 2, 2)
        x = layers.AveragePooling2D(pool_size=(8, 8), strides=(1, 1), padding="same")(x)
        x = layers.Flatten()(x)
        out = layers.Dense(10, kernel_initializer="he_normal", activation="softmax")(x)
        return keras.Model(inp, out)

    def bug_config():
        # At (3, 32, 32) read channels_last, _shortcut computes strides (3 // 2, 32 // 16) = (1, 2) for the
        # second stage and the Add is refused (3 vs 2 rows): the file is the model built at (4, 32, 32)
        # with that stride written back and the user's input declared.
        cfg = set_layer_config(model_dict(resnet((4, 32, 32))), "shortcut_1", strides=[1, 2])
        return declare_input(forget_recorded_shapes(cfg), [3, 32, 32])

    return dict(meta=meta, run_shape=[3, 32, 32], bug=lambda: resnet((3, 32, 32)), bug_config=bug_config,
                fixed=lambda: resnet((32, 32, 3)), fixed_run_shape=[32, 32, 3])


@case
def nl_gh_8_theano_input():
    path = "GitHub Samples/8.py"
    meta = dict(id="nl_gh_8_theano_input", source="peer", url=url(path), title=title(path),
                reported="model.add(GaussianNoise(0.1, input_shape=(3, 32, 32))) in a channels_last model",
                bug_class="channels-order",
                expected=[{"code": "SL113", "layer": "input_layer"}],
                fix="declare the 32×32 RGB input channels_last: input_shape=(32, 32, 3).",
                input_shape=[3, 32, 32])

    def net(shape):
        return seq(shape, [
            layers.GaussianNoise(0.1),
            # Convolution2D(32, 3, 3, …) in the Keras 2 signature: kernel 3, strides 3.
            layers.Conv2D(32, 3, 3, activation="relu", padding="same"),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1024, activation="relu"),
            layers.Dense(1024, activation="relu"),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(5, activation="softmax"),
        ], input_name="input_layer")

    return dict(meta=meta, run_shape=[3, 32, 32], bug=lambda: net((3, 32, 32)),
                fixed=lambda: net((32, 32, 3)), fixed_run_shape=[32, 32, 3])


@case
def nl_syn_missing_flatten():
    path = "Synthetic Samples/TF_lenet_missing_flatten.py"
    meta = dict(id="nl_syn_missing_flatten", source="peer", url=url(path), title=title(path),
                reported="dense = tf.layers.dense(inputs=pool2, units=512, activation=tf.nn.relu)  (no flatten)",
                bug_class="dense-on-unflattened-map",
                expected=[{"code": "SL111", "layer": "dense"}],
                fix="TF_lenet.py: pool2_flat = tf.layers.flatten(pool2) before the dense layers.",
                input_shape=[28, 28, 1])
    return dict(meta=meta, run_shape=[28, 28, 1], bug=lambda: lenet_tf(flatten=False), fixed=lambda: lenet_tf())


@case
def nl_syn_mismatch_shapes_reshape_2048():
    path = "Synthetic Samples/TF_lenet_mismatch_shapes.py"
    meta = dict(id="nl_syn_mismatch_shapes_reshape_2048", source="peer", url=url(path), title=title(path),
                reported="pool2_flat = tf.reshape(pool2, [-1, 2048])  (pool2 is 7×7×64 = 3136 per image)",
                bug_class="reshape-size",
                expected=[{"code": "SL003", "layer": "reshape"}],
                fix="TF_lenet.py: flatten pool2 (3136 features per image).",
                input_shape=[28, 28, 1])

    def net(features):
        inp = keras.Input((28, 28, 1), name="input")
        x = layers.Conv2D(32, 5, padding="same", activation="relu")(inp)
        x = layers.MaxPooling2D(2, strides=2)(x)
        x = layers.Conv2D(64, 5, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2, strides=2)(x)
        x = layers.Reshape((features,), name="reshape")(x)
        x = layers.Dense(512, activation="relu")(x)
        x = layers.Dropout(0.25)(x)
        return keras.Model(inp, layers.Dense(10)(x))

    # tf.reshape(x, [-1, 2048]) silently regroups the batch; the Keras Reshape layer refuses it, so the
    # file is the model with the user's target written into the Reshape.
    return dict(meta=meta, run_shape=[28, 28, 1], bug=lambda: net(2048),
                bug_config=lambda: forget_recorded_shapes(
                    set_layer_config(model_dict(net(3136)), "reshape", target_shape=[2048])),
                fixed=lambda: net(3136))


@case
def nl_syn_inv_amount_pooling():
    path = "Synthetic Samples/TF_lenet_inv_amount_pooling.py"
    meta = dict(id="nl_syn_inv_amount_pooling", source="peer", url=url(path), title=title(path),
                reported="stride-2 convs with 4×4/2 poolings on 28×28: 28 → 14 → 6 → 3 → pool 4×4 on 3",
                bug_class="negative-dimension",
                expected=[{"code": "SL001", "layer": "max_pooling2d_1"}],
                fix="TF_lenet.py: stride-1 convs and 2×2/2 poolings (28 → 14 → 7).",
                input_shape=[28, 28, 1])

    def net(n):
        inp = keras.Input((n, n, 1), name="input")
        x = layers.Conv2D(32, 5, padding="same", strides=2, activation="relu", name="conv2d")(inp)
        x = layers.MaxPooling2D(4, strides=2, name="max_pooling2d")(x)
        x = layers.Conv2D(64, 5, padding="same", strides=2, activation="relu", name="conv2d_1")(x)
        x = layers.MaxPooling2D(4, strides=2, name="max_pooling2d_1")(x)
        x = layers.Flatten()(x)
        x = layers.Dense(512, activation="relu", name="dense")(x)
        x = layers.Dropout(0.25)(x)
        return keras.Model(inp, layers.Dense(10, name="dense_1")(x))

    return dict(meta=meta, run_shape=[28, 28, 1], bug=lambda: net(28),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net(64))), [28, 28, 1]),
                fixed=lambda: lenet_tf())


@case
def nl_syn_mix_bugs_1_conv7_on_6():
    path = "Synthetic Samples/mix_bugs_1.py"
    meta = dict(id="nl_syn_mix_bugs_1_conv7_on_6", source="peer", url=url(path), title=title(path),
                reported="15×15 'valid' conv, 4×4/2 pool, then a 7×7 'valid' conv on 28×28 inputs: 28 → 14 → 6 → 0",
                bug_class="negative-dimension",
                expected=[{"code": "SL001", "layer": "conv2d_1"}],
                fix="TF_lenet.py: 5×5 'same' convs and 2×2/2 poolings.",
                input_shape=[28, 28, 1])

    def net(n):
        inp = keras.Input((n, n, 1), name="input")
        x = layers.Conv2D(32, 15, padding="valid", activation="relu", name="conv2d")(inp)
        x = layers.Dropout(0.35)(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(4, strides=2, name="max_pooling2d")(x)
        x = layers.Conv2D(64, 7, padding="valid", activation="relu", name="conv2d_1")(x)
        x = layers.Dropout(0.3)(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(4, strides=2, name="max_pooling2d_1")(x)
        x = layers.Flatten()(x)
        x = layers.Dense(512, activation="relu")(x)
        x = layers.Dropout(0.25)(x)
        x = layers.BatchNormalization()(x)
        return keras.Model(inp, layers.Dense(10)(x))

    return dict(meta=meta, run_shape=[28, 28, 1], bug=lambda: net(28),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net(48))), [28, 28, 1]),
                fixed=lambda: lenet_tf())


@case
def nl_syn_disconnected_pooling_layers():
    path = "Synthetic Samples/TF_lenet_disconnected_pooling_layers.py"
    meta = dict(id="nl_syn_disconnected_pooling_layers", source="peer", url=url(path), title=title(path),
                reported="conv2 = conv2d(inputs=conv1, …); pool2_flat = tf.layers.flatten(conv2)  (both poolings bypassed)",
                bug_class="flatten-too-large",
                expected=[{"code": "SL108", "layer": "flatten"}],
                fix="TF_lenet.py: conv2 reads pool1 and the flatten reads pool2 (7×7×64 instead of 28×28×64).",
                input_shape=[28, 28, 1])
    return dict(meta=meta, run_shape=[28, 28, 1],
                bug=lambda: lenet_tf(pool1_input="conv1", flatten_input="conv2"), fixed=lambda: lenet_tf())


@case
def nl_so_55776436_lack_of_pooling_flatten():
    path = "SO Samples/55776436.py"
    meta = dict(id="nl_so_55776436_lack_of_pooling_flatten", source="peer", url=url(path), title=title(path),
                reported=("Conv1D(100,700, input_shape=(18000,1)), Conv1D(50,700), …, MaxPooling1D(4), Flatten(), "
                          "Dense(6): 4150×50 = 207,500 features into the Dense"),
                bug_class="flatten-too-large",
                expected=[{"code": "SL108", "layer": "flatten"}],
                fix="pool after each convolution (NeuraLint's lack-of-pooling rule): MaxPooling1D(4) after the first Conv1D too.",
                input_shape=[18000, 1])

    def net(pool_first):
        ls = [layers.Conv1D(100, 700, activation="relu")]
        if pool_first:
            ls.append(layers.MaxPooling1D(4))
        ls += [layers.Conv1D(50, 700), layers.Dropout(0.5), layers.BatchNormalization(), layers.Activation("relu"),
               layers.MaxPooling1D(4), layers.Flatten(name="flatten"), layers.Dense(6, activation="softmax")]
        return seq((18000, 1), ls)

    return dict(meta=meta, run_shape=[18000, 1], bug=lambda: net(False), fixed=lambda: net(True))


@case
def nl_gh_4_resnet50_flatten_without_pool():
    path = "GitHub Samples/4.py"
    meta = dict(id="nl_gh_4_resnet50_flatten_without_pool", source="peer", url=url(path), title=title(path),
                reported="# model.add(AveragePooling2D((7, 7), name='avg_pool')) then Flatten() and Dense(1024) on ResNet50's 7×7×2048 map",
                bug_class="flatten-too-large",
                expected=[{"code": "SL108", "layer": "flatten"}],
                fix="the file's commented line: AveragePooling2D((7, 7)) before the Flatten (2048 features).",
                input_shape=[224, 224, 3])

    def net(pool):
        base = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(224, 224, 3))
        inp = keras.Input((224, 224, 3), name="input_layer")
        x = base(inp)
        if pool:
            x = layers.AveragePooling2D((7, 7), name="avg_pool")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(1024, activation="relu")(x)
        x = layers.Dropout(0.5)(x)
        return keras.Model(inp, layers.Dense(10, activation="softmax")(x))

    return dict(meta=meta, run_shape=[224, 224, 3], bug=lambda: net(False), fixed=lambda: net(True))


# --------------------------------------------------------------------------- healthy programs


def healthy(case_id, path, reported, in_shape, build):
    meta = dict(id=case_id, source="peer", url=url(path), title=title(path), reported=reported,
                bug_class="other", expected=[], fix="(no shape fault: the program's model as written)",
                healthy_only=True)
    return dict(meta=meta, run_shape=in_shape, fixed=build)


@case
def nl_syn_tf_lenet_healthy():
    return healthy("nl_syn_tf_lenet_healthy", "Synthetic Samples/TF_lenet.py",
                   "the benchmark's reference LeNet that the synthetic faults are injected into", [28, 28, 1], lenet_tf)


@case
def nl_syn_decreasing_window_size_healthy():
    def net():
        inp = keras.Input((28, 28, 1), name="input")
        x = inp
        for f, k in ((32, 9), (64, 6), (128, 3)):
            x = layers.Conv2D(f, k, padding="same", activation="relu")(x)
            x = layers.MaxPooling2D(2, strides=2)(x)
        x = layers.Flatten()(x)
        x = layers.Dense(512, activation="relu")(x)
        x = layers.Dropout(0.25)(x)
        return keras.Model(inp, layers.Dense(10)(x))

    return healthy("nl_syn_decreasing_window_size_healthy", "Synthetic Samples/TF_lenet_decreasing_window_size.py",
                   "fault label (file name): decreasing window size — a design issue, not a shape fault",
                   [28, 28, 1], net)


@case
def nl_gh_6_lenet_healthy():
    def net():
        inp = keras.Input(batch_shape=(256, 28, 28, 1), name="input_layer")
        x = layers.Conv2D(16, (5, 5))(inp)
        x = layers.Activation("relu")(x)
        x = layers.AveragePooling2D(pool_size=(2, 2))(x)  # the Keras 2 default
        x = layers.Conv2D(16, (5, 5))(x)
        x = layers.Activation("relu")(x)
        x = layers.AveragePooling2D(pool_size=(2, 2))(x)  # the Keras 2 default
        x = layers.Flatten()(x)
        x = layers.Dense(100)(x)
        x = layers.Activation("relu")(x)
        return keras.Model(inp, layers.Dense(10)(x))

    return healthy("nl_gh_6_lenet_healthy", "GitHub Samples/6.py",
                   "loss='binary_crossentropy' on a 10-way linear output (a loss fault, not a shape fault)",
                   [28, 28, 1], net)


@case
def nl_so_56103207_healthy():
    return healthy("nl_so_56103207_healthy", "SO Samples/56103207.py",
                   "no shape fault in the model: 28 → 24 → 12 → 10 → 5, Flatten, Dense 128/64/4", [28, 28, 1],
                   lambda: seq((28, 28, 1), [
                       layers.Conv2D(32, 5, data_format="channels_last", activation="relu"),
                       layers.MaxPooling2D(data_format="channels_last"),
                       layers.Conv2D(16, 3, data_format="channels_last", activation="relu"),
                       layers.MaxPooling2D(data_format="channels_last"),
                       layers.Flatten(data_format="channels_last"),
                       layers.Dense(128, activation="relu"),
                       layers.Dense(64, activation="relu"),
                       layers.Dense(4, activation="softmax")]))


@case
def nl_so_60566498_healthy():
    def net():
        ls = []
        for i in range(4):
            ls += [layers.Conv2D(256, (3, 3), padding="same"), layers.Dropout(0.2 if i < 2 else 0.25),
                   layers.Activation("relu"), layers.MaxPooling2D(pool_size=(2, 2), strides=2)]
        ls += [layers.Flatten(), layers.Dense(256), layers.BatchNormalization(), layers.Activation("relu"),
               layers.Dropout(0.8), layers.Dense(3), layers.Activation("softmax")]
        return seq((32, 32, 1), ls)

    return healthy("nl_so_60566498_healthy", "SO Samples/60566498.py",
                   "no shape fault in the model: four 'same' conv/pool blocks 32 → 2, Flatten, Dense", [32, 32, 1], net)


@case
def nl_so_44399299_healthy():
    def net():
        inputs, outs = [], []
        for i in range(1, 5):
            inp = keras.Input((100, 100, 1), name=f"input_{i}")
            x = layers.Conv2D(32, (3, 3), activation="relu")(inp)
            x = layers.MaxPooling2D(pool_size=(2, 2))(x)
            x = layers.Conv2D(32, (3, 3), activation="relu")(x)
            x = layers.MaxPooling2D(pool_size=(2, 2))(x)
            inputs.append(inp)
            outs.append(layers.Flatten()(x))
        x = layers.Concatenate()(outs)
        x = layers.Dense(64, activation="relu")(x)
        return keras.Model(inputs, layers.Dense(4, activation="sigmoid")(x))

    return healthy("nl_so_44399299_healthy", "SO Samples/44399299.py",
                   "four 100×100 branches concatenated after Flatten; the program's faults are in its losses",
                   [[100, 100, 1]] * 4, net)


@case
def nl_so_42913869_healthy():
    return healthy("nl_so_42913869_healthy", "SO Samples/42913869.py",
                   "no shape fault in the model: Dense 10/10/10/1 on 1 feature", [1],
                   lambda: seq((1,), [layers.Dense(10, activation="relu"), layers.Dense(10, activation="relu"),
                                      layers.Dense(10, activation="relu"), layers.Dense(1)]))


@case
def nl_so_50555434_healthy():
    return healthy("nl_so_50555434_healthy", "SO Samples/50555434.py",
                   "no shape fault in the model: Dense 20/15/6/6 on 28 features", [28],
                   lambda: seq((28,), [layers.Dense(20, kernel_initializer="normal", activation="relu"),
                                       layers.Dense(15, kernel_initializer="normal", activation="relu"),
                                       layers.Dense(6, kernel_initializer="normal", activation="relu"),
                                       layers.Dense(6, kernel_initializer="normal", activation="sigmoid")]))


def _vgg_like(kernels_per_block, pool):
    def net():
        ls = []
        for block in kernels_per_block:
            for f, k in block:
                ls.append(layers.Conv2D(filters=f, kernel_size=(k, k), padding="same", activation="relu"))
            ls.append(pool(pool_size=(2, 2), strides=(2, 2)))
        ls += [layers.Flatten(), layers.Dense(4096, activation="relu"), layers.Dense(4096, activation="relu"),
               layers.Dense(2, activation="softmax")]
        return seq((224, 224, 3), ls)
    return net


@case
def nl_so_deep_cnn_asymetry_blocks_healthy():
    blocks = [[(64, 3), (64, 4)], [(64, 3), (128, 4)], [(64, 3), (128, 4), (256, 5)],
              [(128, 3), (256, 4), (512, 5)], [(128, 3), (256, 4), (512, 5)]]
    return healthy("nl_so_deep_cnn_asymetry_blocks_healthy", "SO Samples/deep_CNN_asymetry_blocks.py",
                   "fault label (file name): asymmetric blocks — a design issue; shapes 224 → 7 are sound",
                   [224, 224, 3], _vgg_like(blocks, layers.MaxPool2D))


@case
def nl_so_deep_cnn_ineffective_poolings_healthy():
    blocks = [[(64, 3)] * 2, [(128, 3)] * 2, [(256, 3)] * 3, [(512, 3)] * 3, [(512, 3)] * 3]
    return healthy("nl_so_deep_cnn_ineffective_poolings_healthy", "SO Samples/deep_CNN_ineffective_poolings.py",
                   "fault label (file name): ineffective (average) poolings — a design issue; shapes 224 → 7 are sound",
                   [224, 224, 3], _vgg_like(blocks, layers.AveragePooling2D))


README_HEADER = f"""# Real-world corpus: a peer tool's benchmark (NeuraLint)

The benchmark published with NeuraLint — Amin Nikanjam, Houssem Ben Braiek, Mohammad Mehdi Morovati,
Foutse Khomh, *Automatic Fault Detection for Deep Learning Programs Using Graph Transformations*,
ACM TOSEM 31(1), 2021, doi:10.1145/3470006, arXiv:2105.08095 — is the set of buggy Keras and
TensorFlow programs in `sample_buggy_scripts/` of {REPO} (snapshot commit
`{COMMIT}`, 2023-10-12): 26 programs from Stack Overflow posts (`SO Samples/<question id>.py`, three
more VGG variants), 8 from GitHub (`GitHub Samples/1.py`…`8.py`, links in `Links.xlsx`) and 28 synthetic
LeNet variants with one injected fault each (`Synthetic Samples/TF_lenet_<fault>.py`, `mix_bugs_*.py`).
The paper reports 64 faults and design issues found in the 34 real programs.

The repository carries no machine-readable fault labels: the labels here come from the benchmark's
own file names (synthetic faults), the fault comments at the top of some files, and reading each
model. Cases are the programs with a fault in the shapes of the model (17), and a sample of programs
whose faults are not about shapes, or that have none (10, `healthy_only: true`: fixed.json only,
`expected: []`). The benchmark's code is not copied: `make_cases.py` re-writes each model with
Keras 3 layers (the TF 1 `tf.layers` programs as their Keras equivalents); every case.yaml `url` names
the file and commit it reproduces.

Left out: programs whose model cannot be recovered from the file (`44184091` has no input shape,
`43464835` and `49117607` take the size from data not in the file, `GitHub Samples/2.py` and `3.py`
are library model zoos), programs whose only faults are in the loss or the last activation, which
a shape linter legitimately reports (softmax on one unit: `33969059`, `34311586`, `45378493`,
`50079585`, `51749207`, `58844149`).
`55776436` and `GitHub Samples/4.py` are taken as flatten-too-large faults (NeuraLint's lack-of-pooling
rule; in `4.py` the pooling is commented out).
`GitHub Samples/1.py` (a 572 → 388 U-Net trained against 572×572 masks) and `50426349` (a
colorization net whose up-samplings are commented out) depend on the targets, which the files do
not give.

Regenerate: `/work/main/.venv/bin/python tests/realworld/peer/make_cases.py --readme`
(cells list shapelint's warnings and errors as `code layer`, run with `--input-shape` from
`input_shape` on bug.json; *caught* counts expected (code, layer) pairs found).
"""


if __name__ == "__main__":
    gh.main(CASES, HERE, README_HEADER)
