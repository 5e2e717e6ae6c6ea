"""Build the `classic` set of the real-world corpus: healthy, widely used Keras models reproduced from their
public sources (the official Keras code examples, the Keras Applications, the Deep Learning with Python
notebooks, the TensorFlow tutorials, textbook architectures). They measure false alarms: a correct linter
gives none of them a warning or an error.

One builder per case, written like the source's own code (layer types, sizes, kernels, strides, padding and
order as in the source; layer names are Keras defaults). Each case's metadata records where the model comes
from and what it is; a case has no bug, so only ``fixed.json`` is written.

    python tests/realworld/classic/make_cases.py            # (re)writes every <case>/case.yaml and fixed.json
    python tests/realworld/classic/make_cases.py --readme   # also rewrites README.md with what shapelint reports

tf_verdict comes from real Keras/TF runs: each model is built and called on zeros at its intended input size
(``shape``; a list of shapes for a model with several inputs). The output is deterministic: every model is
built after ``keras.backend.clear_session()`` so auto-generated names restart, with a fixed random seed, and
JSON is written with a fixed indent.

Where the source puts something into the functional graph that a saved config cannot hold as plain layers
(a raw TensorFlow op, a custom layer or regularizer), the builder swaps in the built-in layer that computes the
same shapes, or leaves out a part that does not change any shape; the case's ``note`` says which.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402
from keras import layers  # noqa: E402

HERE = Path(__file__).resolve().parent
CASES: list[dict] = []

KERAS_IO = "https://github.com/keras-team/keras-io/blob/"
KERAS = "https://github.com/keras-team/keras/blob/"
DLWP = "https://github.com/fchollet/deep-learning-with-python-notebooks/blob/"


def case(**meta):
    """Register a builder with its case metadata."""

    def register(builder):
        meta["builder"] = builder
        CASES.append(meta)
        return builder

    return register


# ---------------------------------------------------------------------------------------------------------
# Keras code examples (keras.io/examples, repository keras-team/keras-io)
# ---------------------------------------------------------------------------------------------------------


@case(
    id="kio_mnist_convnet",
    url=KERAS_IO + "02cfe8063b505adc073986c91729f22039f77ad0/examples/vision/mnist_convnet.py",
    title="Simple MNIST convnet",
    reported="healthy: the Keras example convnet for MNIST (two valid 3x3 convs with 2x2 pooling, "
    "Flatten, Dropout, Dense softmax)",
    shape=(28, 28, 1),
)
def kio_mnist_convnet():
    num_classes = 10
    input_shape = (28, 28, 1)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


@case(
    id="kio_denoising_autoencoder",
    url=KERAS_IO + "f8f7dd396e1af11bccdc6bb6869e4f9be0bf9e32/examples/vision/autoencoder.py",
    title="Convolutional autoencoder for image denoising",
    reported="healthy: the Keras example convolutional denoising autoencoder on MNIST (28x28x1 -> 7x7x32 -> "
    "28x28x1 with strided Conv2DTranspose)",
    shape=(28, 28, 1),
)
def kio_denoising_autoencoder():
    input = layers.Input(shape=(28, 28, 1))
    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(input, x)


VAE_URL = KERAS_IO + "cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/vae.py"


@case(
    id="kio_vae_encoder",
    url=VAE_URL,
    title="Variational AutoEncoder",
    reported="healthy: the Keras example VAE encoder on MNIST (two stride-2 convs, Flatten, Dense(16), "
    "z_mean and z_log_var heads of size 2)",
    note="The source's custom Sampling layer (z = z_mean + exp(z_log_var / 2) * eps, shape (None, 2)) is "
    "left out: the encoder outputs z_mean and z_log_var, the two tensors Sampling reads.",
    shape=(28, 28, 1),
)
def kio_vae_encoder():
    latent_dim = 2
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")


@case(
    id="kio_vae_decoder",
    url=VAE_URL,
    title="Variational AutoEncoder",
    reported="healthy: the Keras example VAE decoder (latent 2 -> Dense 7*7*64 -> Reshape -> two stride-2 "
    "Conv2DTranspose -> 28x28x1)",
    shape=(2,),
)
def kio_vae_decoder():
    latent_dim = 2
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


DCGAN_URL = KERAS_IO + "cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/dcgan_overriding_train_step.py"


@case(
    id="kio_dcgan_discriminator",
    url=DCGAN_URL,
    title="DCGAN to generate face images",
    reported="healthy: the Keras example DCGAN discriminator for 64x64 CelebA faces (three 4x4 stride-2 "
    "convs, Flatten, Dense sigmoid)",
    shape=(64, 64, 3),
)
def kio_dcgan_discriminator():
    return keras.Sequential(
        [
            keras.Input(shape=(64, 64, 3)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


@case(
    id="kio_dcgan_generator",
    url=DCGAN_URL,
    title="DCGAN to generate face images",
    reported="healthy: the Keras example DCGAN generator (latent 128 -> 8x8x128 -> three 4x4 stride-2 "
    "Conv2DTranspose -> 64x64x3)",
    shape=(128,),
)
def kio_dcgan_generator():
    latent_dim = 128
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(8 * 8 * 128),
            layers.Reshape((8, 8, 128)),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(256, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(512, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


CGAN_URL = KERAS_IO + "8bda227c08adf855a8b9ec579840e2a7171fff60/examples/generative/conditional_gan.py"


@case(
    id="kio_cgan_discriminator",
    url=CGAN_URL,
    title="Conditional GAN",
    reported="healthy: the Keras example conditional GAN discriminator on MNIST with one-hot label planes "
    "(28x28x11 input, two stride-2 convs, GlobalMaxPooling2D, Dense(1) logit)",
    shape=(28, 28, 11),
)
def kio_cgan_discriminator():
    num_channels, num_classes = 1, 10
    discriminator_in_channels = num_channels + num_classes
    return keras.Sequential(
        [
            keras.layers.InputLayer((28, 28, discriminator_in_channels)),
            layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )


@case(
    id="kio_cgan_generator",
    url=CGAN_URL,
    title="Conditional GAN",
    reported="healthy: the Keras example conditional GAN generator (noise 128 + one-hot 10 -> 7x7x138 -> two "
    "4x4 stride-2 Conv2DTranspose -> 7x7 conv to 28x28x1)",
    shape=(138,),
)
def kio_cgan_generator():
    latent_dim, num_classes = 128, 10
    generator_in_channels = latent_dim + num_classes
    return keras.Sequential(
        [
            keras.layers.InputLayer((generator_in_channels,)),
            layers.Dense(7 * 7 * generator_in_channels),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, generator_in_channels)),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


WGAN_URL = KERAS_IO + "81aa0edb72a1735c5c577f123bb3a4a475a181c9/examples/generative/wgan_gp.py"


def _wgan_conv_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), padding="same",
                     use_bias=True, use_bn=False, use_dropout=False, drop_value=0.5):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


@case(
    id="kio_wgan_gp_critic",
    url=WGAN_URL,
    title="WGAN-GP overriding `Model.train_step`",
    reported="healthy: the Keras example WGAN-GP critic on Fashion-MNIST (28x28 zero-padded to 32x32, four "
    "5x5 stride-2 convs to 2x2x512, Flatten, Dense(1))",
    shape=(28, 28, 1),
)
def kio_wgan_gp_critic():
    img_input = layers.Input(shape=(28, 28, 1))
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = _wgan_conv_block(x, 64, kernel_size=(5, 5), strides=(2, 2), use_bn=False, use_bias=True,
                         activation=layers.LeakyReLU(0.2), use_dropout=False, drop_value=0.3)
    x = _wgan_conv_block(x, 128, kernel_size=(5, 5), strides=(2, 2), use_bn=False,
                         activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=True, drop_value=0.3)
    x = _wgan_conv_block(x, 256, kernel_size=(5, 5), strides=(2, 2), use_bn=False,
                         activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=True, drop_value=0.3)
    x = _wgan_conv_block(x, 512, kernel_size=(5, 5), strides=(2, 2), use_bn=False,
                         activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=False, drop_value=0.3)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.models.Model(img_input, x, name="discriminator")


def _wgan_upsample_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), up_size=(2, 2),
                         padding="same", use_bn=False, use_bias=True, use_dropout=False, drop_value=0.3):
    x = layers.UpSampling2D(up_size)(x)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    if activation:
        x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


@case(
    id="kio_wgan_gp_generator",
    url=WGAN_URL,
    title="WGAN-GP overriding `Model.train_step`",
    reported="healthy: the Keras example WGAN-GP generator (noise 128 -> 4x4x256 -> three UpSampling2D+conv "
    "blocks to 32x32x1 -> Cropping2D to 28x28x1)",
    shape=(128,),
)
def kio_wgan_gp_generator():
    noise = layers.Input(shape=(128,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 256))(x)
    x = _wgan_upsample_block(x, 128, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True,
                             padding="same", use_dropout=False)
    x = _wgan_upsample_block(x, 64, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True,
                             padding="same", use_dropout=False)
    x = _wgan_upsample_block(x, 1, layers.Activation("tanh"), strides=(1, 1), use_bias=False, use_bn=True)
    x = layers.Cropping2D((2, 2))(x)
    return keras.models.Model(noise, x, name="generator")


@case(
    id="kio_oxford_pets_unet_xception",
    url=KERAS_IO + "e70ae747b458a92dfd71486bf65f4eb2d265f7b0/examples/vision/oxford_pets_image_segmentation.py",
    title="Image segmentation with a U-Net-like architecture",
    reported="healthy: the Keras example U-Net-like Xception-style segmenter for Oxford Pets (160x160x3 -> "
    "160x160x3 softmax; SeparableConv2D blocks with strided residual projections, Conv2DTranspose + "
    "UpSampling2D decoder)",
    shape=(160, 160, 3),
)
def kio_oxford_pets_unet_xception():
    img_size, num_classes = (160, 160), 3
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [64, 128, 256]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [256, 128, 64, 32]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs)


@case(
    id="kio_image_classification_from_scratch",
    url=KERAS_IO + "b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/image_classification_from_scratch.py",
    title="Image classification from scratch",
    reported="healthy: the Keras example small Xception for Cats vs Dogs at 180x180x3 (augmentation, "
    "Rescaling, SeparableConv2D residual blocks 128-728, SeparableConv2D 1024, global pooling, sigmoid)",
    shape=(180, 180, 3),
)
def kio_image_classification_from_scratch():
    data_augmentation = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
    input_shape, num_classes = (180, 180, 3), 2
    inputs = keras.Input(shape=input_shape)
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(64, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [128, 256, 512, 728]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(1024, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        activation, units = "sigmoid", 1
    else:
        activation, units = "softmax", num_classes
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, outputs)


@case(
    id="kio_text_classification_conv1d",
    url=KERAS_IO + "ef4cd453400aae442632ffdba260673ecc09500a/examples/nlp/text_classification_from_scratch.py",
    title="Text classification from scratch",
    reported="healthy: the Keras example IMDB text classifier (Embedding 20000x128, two Conv1D(128, 7, "
    "strides=3), GlobalMaxPooling1D, Dense, sigmoid) on sequences of 500 tokens",
    shape=(500,),
)
def kio_text_classification_conv1d():
    max_features, embedding_dim = 20000, 128
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    return keras.Model(inputs, predictions)


@case(
    id="kio_text_transformer_block",
    url=KERAS_IO + "8bda227c08adf855a8b9ec579840e2a7171fff60/examples/nlp/text_classification_with_transformer.py",
    title="Text classification with Transformer",
    reported="healthy: the Keras example IMDB Transformer classifier (200 tokens, Embedding 20000x32, one "
    "Transformer block: MultiHeadAttention(2 heads, key_dim 32), residual adds, LayerNormalization, "
    "Dense(32)-Dense(32) feed-forward per token; GlobalAveragePooling1D, Dense(20), softmax over 2)",
    note="The source's custom TransformerBlock layer is written out with the built-in layers it holds "
    "(same shapes; its `inputs + attn_output` sums are Add layers). The custom TokenAndPositionEmbedding adds "
    "a position Embedding of tf.range(maxlen) (shape (200, 32)) to the token Embedding; it needs a raw op in "
    "the graph and is left out: the token Embedding alone has the same (None, 200, 32) shape.",
    shape=(200,),
)
def kio_text_transformer_block():
    vocab_size, maxlen, embed_dim, num_heads, ff_dim, rate = 20000, 200, 32, 2, 32, 0.1
    inputs = layers.Input(shape=(maxlen,))
    x = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)(inputs)
    attn_output = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)(x, x)
    attn_output = layers.Dropout(rate)(attn_output)
    out1 = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attn_output]))
    ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
    ffn_output = ffn(out1)
    ffn_output = layers.Dropout(rate)(ffn_output)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([out1, ffn_output]))
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


@case(
    id="kio_bidirectional_lstm_imdb",
    url=KERAS_IO + "0a4be8bbc3ae126f3ca49a0bf173902866ec06f0/examples/nlp/bidirectional_lstm_imdb.py",
    title="Bidirectional LSTM on IMDB",
    reported="healthy: the Keras example 2-layer bidirectional LSTM on IMDB (Embedding 20000x128, "
    "Bidirectional LSTM(64) twice, Dense sigmoid) on reviews padded to 200 words",
    shape=(200,),
)
def kio_bidirectional_lstm_imdb():
    max_features = 20000
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(max_features, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


@case(
    id="kio_lstm_seq2seq",
    url=KERAS_IO + "7d9a8190d134b15aa8fb54b457e8ba6c1cb562a3/examples/nlp/lstm_seq2seq.py",
    title="Character-level recurrent sequence-to-sequence model",
    reported="healthy: the Keras example character-level English-French seq2seq training model (LSTM(256) "
    "encoder states feed the decoder LSTM, Dense softmax over 93 target characters per step)",
    note="num_encoder_tokens=71, num_decoder_tokens=93 and the lengths 15/59 are the values the example "
    "prints for its data (fra.txt, 10,000 samples); the model is run at those lengths, its config keeps "
    "the time axes None as in the source.",
    shape=[(15, 71), (59, 93)],
)
def kio_lstm_seq2seq():
    latent_dim, num_encoder_tokens, num_decoder_tokens = 256, 71, 93
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    encoder = keras.layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    return keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)


@case(
    id="kio_addition_rnn",
    url=KERAS_IO + "653efec051cf5ad149f93795a218fdd7c27d1afb/examples/nlp/addition_rnn.py",
    title="Sequence to sequence learning for performing number addition",
    reported="healthy: the Keras example that learns addition of 3-digit numbers (LSTM(128) encoder, "
    "RepeatVector(4), LSTM(128) return_sequences, Dense softmax over 12 characters per step)",
    shape=(7, 12),
)
def kio_addition_rnn():
    DIGITS = 3
    MAXLEN = DIGITS + 1 + DIGITS
    chars = "0123456789+ "
    num_layers = 1
    model = keras.Sequential()
    model.add(keras.Input((MAXLEN, len(chars))))
    model.add(layers.LSTM(128))
    model.add(layers.RepeatVector(DIGITS + 1))
    for _ in range(num_layers):
        model.add(layers.LSTM(128, return_sequences=True))
    model.add(layers.Dense(len(chars), activation="softmax"))
    return model


@case(
    id="kio_timeseries_fcn",
    url=KERAS_IO + "ad4fc805f5e1a4a4c0bcdd416aa9feac6608fb6c/examples/timeseries/timeseries_classification_from_scratch.py",
    title="Timeseries classification from scratch",
    reported="healthy: the Keras example fully convolutional network for FordA time series (500 steps x 1 "
    "feature, three Conv1D(64, 3, same)+BN+ReLU, GlobalAveragePooling1D, Dense softmax over 2 classes)",
    shape=(500, 1),
)
def kio_timeseries_fcn():
    input_shape, num_classes = (500, 1), 2
    input_layer = keras.layers.Input(input_shape)
    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)
    gap = keras.layers.GlobalAveragePooling1D()(conv3)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


@case(
    id="kio_conv_lstm_next_frame",
    url=KERAS_IO + "b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/conv_lstm.py",
    title="Next-Frame Video Prediction with Convolutional LSTMs",
    reported="healthy: the Keras example next-frame predictor for Moving MNIST (three ConvLSTM2D(64) with "
    "return_sequences, Conv3D(1, 3x3x3) sigmoid; frames 64x64x1, 19 frames in)",
    shape=(19, 64, 64, 1),
)
def kio_conv_lstm_next_frame():
    inp = layers.Input(shape=(None, 64, 64, 1))
    x = layers.ConvLSTM2D(filters=64, kernel_size=(5, 5), padding="same", return_sequences=True,
                          activation="relu")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=64, kernel_size=(3, 3), padding="same", return_sequences=True,
                          activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=64, kernel_size=(1, 1), padding="same", return_sequences=True,
                          activation="relu")(x)
    x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same")(x)
    return keras.models.Model(inp, x)


@case(
    id="kio_3d_image_classification",
    url=KERAS_IO + "312757cc35d3971e8af8b2228a6d44a31614024d/examples/vision/3D_image_classification.py",
    title="3D image classification from CT scans",
    reported="healthy: the Keras example 3D CNN for CT scans (128x128x64x1, four valid Conv3D+MaxPool3D+BN "
    "blocks, GlobalAveragePooling3D, Dense 512, sigmoid)",
    shape=(128, 128, 64, 1),
)
def kio_3d_image_classification():
    width, height, depth = 128, 128, 64
    inputs = keras.Input((width, height, depth, 1))
    x = layers.Conv3D(filters=64, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPool3D(pool_size=2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv3D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPool3D(pool_size=2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv3D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.MaxPool3D(pool_size=2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv3D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.MaxPool3D(pool_size=2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dense(units=512, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(units=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="3dcnn")


def _convmixer_activation_block(x):
    x = layers.Activation("gelu")(x)
    return layers.BatchNormalization()(x)


@case(
    id="kio_convmixer_256_8",
    url=KERAS_IO + "b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/convmixer.py",
    title="Image classification with ConvMixer",
    reported="healthy: the Keras example ConvMixer-256/8 for CIFAR-10 (2x2 patch stem, eight depthwise 5x5 "
    "'same' + pointwise blocks with residuals, global pooling, softmax)",
    shape=(32, 32, 3),
)
def kio_convmixer_256_8():
    image_size, filters, depth, kernel_size, patch_size, num_classes = 32, 256, 8, 5, 2, 10
    inputs = keras.Input((image_size, image_size, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x)
    x = _convmixer_activation_block(x)
    for _ in range(depth):
        x0 = x
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, padding="same")(x)
        x = layers.Add()([_convmixer_activation_block(x), x0])
        x = layers.Conv2D(filters, kernel_size=1)(x)
        x = _convmixer_activation_block(x)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def _pointnet_conv_bn(x, filters):
    x = layers.Conv1D(filters, kernel_size=1, padding="valid")(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)


def _pointnet_dense_bn(x, filters):
    x = layers.Dense(filters)(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)


def _pointnet_tnet(inputs, num_features):
    bias = keras.initializers.Constant(np.eye(num_features).flatten())
    x = _pointnet_conv_bn(inputs, 32)
    x = _pointnet_conv_bn(x, 64)
    x = _pointnet_conv_bn(x, 512)
    x = layers.GlobalMaxPooling1D()(x)
    x = _pointnet_dense_bn(x, 256)
    x = _pointnet_dense_bn(x, 128)
    x = layers.Dense(num_features * num_features, kernel_initializer="zeros", bias_initializer=bias)(x)
    feat_T = layers.Reshape((num_features, num_features))(x)
    return layers.Dot(axes=(2, 1))([inputs, feat_T])


@case(
    id="kio_pointnet",
    url=KERAS_IO + "4ddadb70592b4c1884b2c9720656cae41b2e70c1/examples/vision/pointnet.py",
    title="Point cloud classification with PointNet",
    reported="healthy: the Keras example PointNet for ModelNet10 (2048 points x 3; T-nets whose Dense output "
    "is reshaped to a 3x3 / 32x32 matrix and applied with Dot(axes=(2, 1)); shared Conv1D(k=1) MLPs, "
    "GlobalMaxPooling1D, softmax over 10 classes)",
    note="The source's custom OrthogonalRegularizer (an activity regularizer on the T-net Dense) is left "
    "out: it adds a loss term and changes no shape.",
    shape=(2048, 3),
)
def kio_pointnet():
    NUM_POINTS, NUM_CLASSES = 2048, 10
    inputs = keras.Input(shape=(NUM_POINTS, 3))
    x = _pointnet_tnet(inputs, 3)
    x = _pointnet_conv_bn(x, 32)
    x = _pointnet_conv_bn(x, 32)
    x = _pointnet_tnet(x, 32)
    x = _pointnet_conv_bn(x, 32)
    x = _pointnet_conv_bn(x, 64)
    x = _pointnet_conv_bn(x, 512)
    x = layers.GlobalMaxPooling1D()(x)
    x = _pointnet_dense_bn(x, 256)
    x = layers.Dropout(0.3)(x)
    x = _pointnet_dense_bn(x, 128)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="pointnet")


def _deeplab_convolution_block(block_input, num_filters=256, kernel_size=3, dilation_rate=1, padding="same",
                               use_bias=False):
    x = layers.Conv2D(num_filters, kernel_size=kernel_size, dilation_rate=dilation_rate, padding="same",
                      use_bias=use_bias, kernel_initializer=keras.initializers.HeNormal())(block_input)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


def _deeplab_dspp(dspp_input):
    dims = dspp_input.shape
    x = layers.AveragePooling2D(pool_size=(dims[-3], dims[-2]))(dspp_input)
    x = _deeplab_convolution_block(x, kernel_size=1, use_bias=True)
    out_pool = layers.UpSampling2D(size=(dims[-3] // x.shape[1], dims[-2] // x.shape[2]),
                                   interpolation="bilinear")(x)
    out_1 = _deeplab_convolution_block(dspp_input, kernel_size=1, dilation_rate=1)
    out_6 = _deeplab_convolution_block(dspp_input, kernel_size=3, dilation_rate=6)
    out_12 = _deeplab_convolution_block(dspp_input, kernel_size=3, dilation_rate=12)
    out_18 = _deeplab_convolution_block(dspp_input, kernel_size=3, dilation_rate=18)
    x = layers.Concatenate(axis=-1)([out_pool, out_1, out_6, out_12, out_18])
    return _deeplab_convolution_block(x, kernel_size=1)


@case(
    id="kio_deeplabv3_plus",
    url=KERAS_IO + "8bda227c08adf855a8b9ec579840e2a7171fff60/examples/vision/deeplabv3_plus.py",
    title="Multiclass semantic segmentation using DeepLabV3+",
    reported="healthy: the Keras example DeepLabV3+ on a ResNet50 backbone at 512x512 (dilated spatial "
    "pyramid pooling on conv4_block6_2_relu (32x32) with dilation 6/12/18, bilinear upsampling, skip from "
    "conv2_block3_2_relu, 20 classes)",
    note="The source ends each convolution block with tf.nn.relu on the Keras tensor; the builder uses "
    "layers.Activation('relu'), the same elementwise op and shapes. ResNet50 is built with weights=None.",
    shape=(512, 512, 3),
)
def kio_deeplabv3_plus():
    image_size, num_classes = 512, 20
    model_input = keras.Input(shape=(image_size, image_size, 3))
    resnet50 = keras.applications.ResNet50(weights=None, include_top=False, input_tensor=model_input)
    x = resnet50.get_layer("conv4_block6_2_relu").output
    x = _deeplab_dspp(x)
    input_a = layers.UpSampling2D(size=(image_size // 4 // x.shape[1], image_size // 4 // x.shape[2]),
                                  interpolation="bilinear")(x)
    input_b = resnet50.get_layer("conv2_block3_2_relu").output
    input_b = _deeplab_convolution_block(input_b, num_filters=48, kernel_size=1)
    x = layers.Concatenate(axis=-1)([input_a, input_b])
    x = _deeplab_convolution_block(x)
    x = _deeplab_convolution_block(x)
    x = layers.UpSampling2D(size=(image_size // x.shape[1], image_size // x.shape[2]),
                            interpolation="bilinear")(x)
    model_output = layers.Conv2D(num_classes, kernel_size=(1, 1), padding="same")(x)
    return keras.Model(inputs=model_input, outputs=model_output)


@case(
    id="kio_siamese_embedding",
    url=KERAS_IO + "12bad05fbf95911b2e994cde3c9340c13a5e76d0/examples/vision/siamese_contrastive.py",
    title="Image similarity estimation using a Siamese Network with a contrastive loss",
    reported="healthy: the tower (embedding network) of the Keras example Siamese network on MNIST pairs "
    "(LeNet-like: BatchNormalization, two valid 5x5 tanh convs with 2x2 average pooling, Flatten, "
    "BatchNormalization, Dense(10) tanh)",
    note="Only the shared tower is reproduced: the source merges the two towers with a Lambda computing the "
    "Euclidean distance (Python code a saved config cannot carry).",
    shape=(28, 28, 1),
)
def kio_siamese_embedding():
    input = layers.Input((28, 28, 1))
    x = layers.BatchNormalization()(input)
    x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(10, activation="tanh")(x)
    return keras.Model(input, x)


@case(
    id="kio_keypoint_detection",
    url=KERAS_IO + "b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/keypoint_detection.py",
    title="Keypoint Detection with Transfer Learning",
    reported="healthy: the Keras example dog keypoint detector (frozen MobileNetV2 backbone at 224x224 as a "
    "nested model giving 7x7x1280, Dropout, valid SeparableConv2D 5x5 then 3x3 down to a 1x1x48 map of 24 "
    "(x, y) keypoints)",
    note="The source calls keras.applications.mobilenet_v2.preprocess_input (x / 127.5 - 1) on the Keras "
    "input; the builder uses the equivalent layers.Rescaling(1 / 127.5, offset=-1). The backbone is built "
    "with weights=None.",
    shape=(224, 224, 3),
)
def kio_keypoint_detection():
    IMG_SIZE, NUM_KEYPOINTS = 224, 24 * 2
    backbone = keras.applications.MobileNetV2(weights=None, include_top=False,
                                              input_shape=(IMG_SIZE, IMG_SIZE, 3))
    backbone.trainable = False
    inputs = layers.Input((IMG_SIZE, IMG_SIZE, 3))
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0)(inputs)
    x = backbone(x)
    x = layers.Dropout(0.3)(x)
    x = layers.SeparableConv2D(NUM_KEYPOINTS, kernel_size=5, strides=1, activation="relu")(x)
    outputs = layers.SeparableConv2D(NUM_KEYPOINTS, kernel_size=3, strides=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="keypoint_detector")


def _speaker_residual_block(x, filters, conv_num=3, activation="relu"):
    s = keras.layers.Conv1D(filters, 1, padding="same")(x)
    for i in range(conv_num - 1):
        x = keras.layers.Conv1D(filters, 3, padding="same")(x)
        x = keras.layers.Activation(activation)(x)
    x = keras.layers.Conv1D(filters, 3, padding="same")(x)
    x = keras.layers.Add()([x, s])
    x = keras.layers.Activation(activation)(x)
    return keras.layers.MaxPool1D(pool_size=2, strides=2)(x)


@case(
    id="kio_speaker_recognition_conv1d",
    url=KERAS_IO + "8bda227c08adf855a8b9ec579840e2a7171fff60/examples/audio/speaker_recognition_using_cnn.py",
    title="Speaker Recognition",
    reported="healthy: the Keras example speaker recognizer on FFT magnitudes (8000 x 1 input, five Conv1D "
    "residual blocks with MaxPool1D(2), AveragePooling1D(3), Flatten of 83x128, Dense 256/128, softmax over "
    "5 speakers)",
    shape=(8000, 1),
)
def kio_speaker_recognition_conv1d():
    SAMPLING_RATE, num_classes = 16000, 5
    inputs = keras.layers.Input(shape=(SAMPLING_RATE // 2, 1), name="input")
    x = _speaker_residual_block(inputs, 16, 2)
    x = _speaker_residual_block(x, 32, 2)
    x = _speaker_residual_block(x, 64, 3)
    x = _speaker_residual_block(x, 128, 3)
    x = _speaker_residual_block(x, 128, 3)
    x = keras.layers.AveragePooling1D(pool_size=3, strides=3)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(256, activation="relu")(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.models.Model(inputs=inputs, outputs=outputs)


@case(
    id="kio_captcha_ocr",
    url=KERAS_IO + "501fb4cbe62e5b5c434393f512a452ef833640a1/examples/vision/captcha_ocr.py",
    title="OCR model for reading Captchas",
    reported="healthy: the prediction model of the Keras example captcha reader (image transposed to "
    "200x50x1 so width is time, two conv+pool blocks to 50x12x64, Reshape to 50 steps x 768, Dense(64), two "
    "Bidirectional LSTMs, per-step Dense softmax over 19 characters + OOV + CTC blank)",
    note="The source trains with a custom CTCLayer that returns its input unchanged and adds the loss; the "
    "case is the example's own prediction_model (image input to the dense2 output). The vocabulary size "
    "(19 characters) is what the example prints for its data.",
    shape=(200, 50, 1),
)
def kio_captcha_ocr():
    img_width, img_height, num_characters = 200, 50, 19
    vocabulary_size = num_characters + 1  # StringLookup(mask_token=None) adds the OOV token
    input_img = layers.Input(shape=(img_width, img_height, 1), name="image", dtype="float32")
    x = layers.Conv2D(32, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same",
                      name="Conv1")(input_img)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same",
                      name="Conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    new_shape = ((img_width // 4), (img_height // 4) * 64)
    x = layers.Reshape(target_shape=new_shape, name="reshape")(x)
    x = layers.Dense(64, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(128, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.25))(x)
    x = layers.Dense(vocabulary_size + 1, activation="softmax", name="dense2")(x)
    return keras.models.Model(input_img, x, name="ocr_model_v1")


@case(
    id="kio_timeseries_anomaly_conv1d_ae",
    url=KERAS_IO + "ad4fc805f5e1a4a4c0bcdd416aa9feac6608fb6c/examples/timeseries/timeseries_anomaly_detection.py",
    title="Timeseries anomaly detection using an Autoencoder",
    reported="healthy: the Keras example convolutional reconstruction autoencoder for NAB time series (288 "
    "steps x 1, two Conv1D(k=7, stride 2, same) down to 72, two Conv1DTranspose(stride 2) back to 288)",
    shape=(288, 1),
)
def kio_timeseries_anomaly_conv1d_ae():
    return keras.Sequential(
        [
            layers.Input(shape=(288, 1)),
            layers.Conv1D(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1DTranspose(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
        ]
    )


@case(
    id="kio_fcn8s_vgg19",
    url=KERAS_IO + "9670019b6ec04b44c7d7d487be72edf0023f563b/examples/vision/fully_convolutional_network.py",
    title="Image Segmentation using Composable Fully-Convolutional Networks",
    reported="healthy: the Keras example FCN-8s on a VGG19 backbone at 224x224 (nested backbone model with "
    "three outputs, fc layers as 7x7/1x1 'same' convs in a nested Sequential, 1x1 score convs, bilinear "
    "UpSampling2D x2 merges with pool4/pool3, final x8 upsampling to 224x224x4)",
    note="The source sets the mixed_float16 policy (dtypes only) and loads ImageNet weights; the builder "
    "keeps float32 and weights=None.",
    shape=(224, 224, 3),
)
def kio_fcn8s_vgg19():
    NUM_CLASSES, INPUT_HEIGHT, INPUT_WIDTH = 4, 224, 224
    input_layer = keras.Input(shape=(INPUT_HEIGHT, INPUT_WIDTH, 3))
    vgg_model = keras.applications.vgg19.VGG19(include_top=True, weights=None)
    fcn_backbone = keras.models.Model(
        inputs=vgg_model.layers[1].input,
        outputs=[vgg_model.get_layer(block_name).output
                 for block_name in ["block3_pool", "block4_pool", "block5_pool"]],
    )
    fcn_backbone.trainable = False
    x = fcn_backbone(input_layer)
    units = [4096, 4096]
    dense_convs = []
    for filter_idx in range(len(units)):
        dense_convs.append(keras.layers.Conv2D(
            filters=units[filter_idx], kernel_size=(7, 7) if filter_idx == 0 else (1, 1), strides=(1, 1),
            activation="relu", padding="same", use_bias=False,
            kernel_initializer=keras.initializers.Constant(1.0)))
        dense_convs.append(keras.layers.Dropout(0.5))
    dense_convs = keras.Sequential(dense_convs)
    dense_convs.trainable = False
    x[-1] = dense_convs(x[-1])
    pool3_output, pool4_output, pool5_output = x
    pool5 = keras.layers.Conv2D(filters=NUM_CLASSES, kernel_size=(1, 1), padding="same", strides=(1, 1),
                                activation="relu")
    final_fcn32s_pool = pool5(pool5_output)
    pool4 = keras.layers.Conv2D(filters=NUM_CLASSES, kernel_size=(1, 1), padding="same", strides=(1, 1),
                                activation="linear", kernel_initializer=keras.initializers.Zeros())(pool4_output)
    pool5 = keras.layers.UpSampling2D(size=(2, 2), interpolation="bilinear")(final_fcn32s_pool)
    final_fcn16s_pool = keras.layers.Add()([pool4, pool5])
    pool3 = keras.layers.Conv2D(filters=NUM_CLASSES, kernel_size=(1, 1), padding="same", strides=(1, 1),
                                activation="linear", kernel_initializer=keras.initializers.Zeros())(pool3_output)
    intermediate_pool_output = keras.layers.UpSampling2D(size=(2, 2), interpolation="bilinear")(final_fcn16s_pool)
    fcn8s_conv_layer = keras.layers.Conv2D(filters=NUM_CLASSES, kernel_size=(1, 1), activation="softmax",
                                           padding="same", strides=(1, 1))
    fcn8s_upsample_layer = keras.layers.UpSampling2D(size=(8, 8), interpolation="bilinear")
    final_fcn8s_pool = keras.layers.Add()([pool3, intermediate_pool_output])
    final_fcn8s_output = fcn8s_conv_layer(final_fcn8s_pool)
    final_fcn8s_output = fcn8s_upsample_layer(final_fcn8s_output)
    return keras.models.Model(inputs=input_layer, outputs=final_fcn8s_output)


@case(
    id="kio_ctc_asr_deepspeech2",
    url=KERAS_IO + "ad4fc805f5e1a4a4c0bcdd416aa9feac6608fb6c/examples/audio/ctc_asr.py",
    title="Automatic Speech Recognition using CTC",
    reported="healthy: the Keras example DeepSpeech2-like speech recognizer on LJSpeech spectrograms (frames x "
    "193 bins, Reshape to (-1, 193, 1), 'same' Conv2D 11x41 stride 2x2 and 11x21 stride 1x2, Reshape to "
    "(-1, 49*32), five Bidirectional GRU(512), per-frame Dense softmax over 31 symbols + CTC blank)",
    note="The frame count is free (None); 900 frames is about 9 s of audio at the example's frame step of "
    "160 samples.",
    shape=(900, 193),
)
def kio_ctc_asr_deepspeech2():
    fft_length, rnn_layers, rnn_units = 384, 5, 512
    input_dim = fft_length // 2 + 1
    output_dim = len("abcdefghijklmnopqrstuvwxyz'?! ") + 1  # StringLookup(oov_token="").vocabulary_size()
    input_spectrogram = layers.Input((None, input_dim), name="input")
    x = layers.Reshape((-1, input_dim, 1), name="expand_dim")(input_spectrogram)
    x = layers.Conv2D(filters=32, kernel_size=[11, 41], strides=[2, 2], padding="same", use_bias=False,
                      name="conv_1")(x)
    x = layers.BatchNormalization(name="conv_1_bn")(x)
    x = layers.ReLU(name="conv_1_relu")(x)
    x = layers.Conv2D(filters=32, kernel_size=[11, 21], strides=[1, 2], padding="same", use_bias=False,
                      name="conv_2")(x)
    x = layers.BatchNormalization(name="conv_2_bn")(x)
    x = layers.ReLU(name="conv_2_relu")(x)
    x = layers.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)
    for i in range(1, rnn_layers + 1):
        recurrent = layers.GRU(units=rnn_units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                               return_sequences=True, reset_after=True, name=f"gru_{i}")
        x = layers.Bidirectional(recurrent, name=f"bidirectional_{i}", merge_mode="concat")(x)
        if i < rnn_layers:
            x = layers.Dropout(rate=0.5)(x)
    x = layers.Dense(units=rnn_units * 2, name="dense_1")(x)
    x = layers.ReLU(name="dense_1_relu")(x)
    x = layers.Dropout(rate=0.5)(x)
    output = layers.Dense(units=output_dim + 1, activation="softmax")(x)
    return keras.Model(input_spectrogram, output, name="DeepSpeech_2")


# ---------------------------------------------------------------------------------------------------------
# Deep Learning with Python, 2nd edition (companion notebooks, fchollet/deep-learning-with-python-notebooks)
# ---------------------------------------------------------------------------------------------------------

DLWP_CH8 = DLWP + "60e49565943efdc1c65cdfe6b4b13270688449d0/chapter08_intro-to-dl-for-computer-vision.ipynb"


@case(
    id="dlwp_ch8_mnist_convnet",
    url=DLWP_CH8,
    title="Deep Learning with Python, 2nd ed., listing 8.1: Instantiating a small convnet",
    reported="healthy: the book's first MNIST convnet (three valid 3x3 convs with two 2x2 poolings, "
    "Flatten, Dense softmax)",
    shape=(28, 28, 1),
)
def dlwp_ch8_mnist_convnet():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


@case(
    id="dlwp_ch8_cats_dogs_convnet",
    url=DLWP_CH8,
    title="Deep Learning with Python, 2nd ed., listing 8.7: a small convnet for dogs vs. cats",
    reported="healthy: the book's dogs-vs-cats convnet at 180x180x3 (Rescaling, five valid 3x3 convs with "
    "four 2x2 poolings to 7x7x256, Flatten, Dense sigmoid)",
    shape=(180, 180, 3),
)
def dlwp_ch8_cats_dogs_convnet():
    inputs = keras.Input(shape=(180, 180, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


@case(
    id="dlwp_ch9_segmentation",
    url=DLWP + "1bb759b55fc2433504525a3648154df69219556d/chapter09_part01_image-segmentation.ipynb",
    title="Deep Learning with Python, 2nd ed., chapter 9: an image segmentation example",
    reported="healthy: the book's Oxford Pets segmenter at 200x200x3 (three stride-2 'same' convs down to "
    "25x25, three stride-2 Conv2DTranspose back to 200x200, Conv2D(3, 3) softmax per pixel)",
    shape=(200, 200, 3),
)
def dlwp_ch9_segmentation():
    img_size, num_classes = (200, 200), 3
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(256, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(256, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(256, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(256, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(128, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", padding="same", strides=2)(x)
    outputs = layers.Conv2D(3, num_classes, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs)


DLWP_CH10 = DLWP + "c19e219d33313ca51a334493d538f64dc0c3aec4/chapter10_dl-for-timeseries.ipynb"


@case(
    id="dlwp_ch10_jena_dense",
    url=DLWP_CH10,
    title="Deep Learning with Python, 2nd ed., listing 10.10: a densely connected model (Jena temperature)",
    reported="healthy: the book's densely connected baseline for temperature forecasting (120 steps x 14 "
    "features, Flatten, Dense(16), Dense(1))",
    shape=(120, 14),
)
def dlwp_ch10_jena_dense():
    sequence_length, num_features = 120, 14
    inputs = keras.Input(shape=(sequence_length, num_features))
    x = layers.Flatten()(inputs)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


@case(
    id="dlwp_ch10_jena_conv1d",
    url=DLWP_CH10,
    title="Deep Learning with Python, 2nd ed., chapter 10: a 1D convolutional model (Jena temperature)",
    reported="healthy: the book's 1D convnet for temperature forecasting (120 x 14, valid Conv1D 24/12/6 with "
    "two MaxPooling1D(2), GlobalAveragePooling1D, Dense(1))",
    shape=(120, 14),
)
def dlwp_ch10_jena_conv1d():
    sequence_length, num_features = 120, 14
    inputs = keras.Input(shape=(sequence_length, num_features))
    x = layers.Conv1D(8, 24, activation="relu")(inputs)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(8, 12, activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(8, 6, activation="relu")(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


@case(
    id="dlwp_ch10_jena_stacked_gru",
    url=DLWP_CH10,
    title="Deep Learning with Python, 2nd ed., chapter 10: a dropout-regularized, stacked GRU model",
    reported="healthy: the book's stacked GRU for temperature forecasting (120 x 14, GRU(32) "
    "return_sequences, GRU(32), Dropout, Dense(1))",
    shape=(120, 14),
)
def dlwp_ch10_jena_stacked_gru():
    sequence_length, num_features = 120, 14
    inputs = keras.Input(shape=(sequence_length, num_features))
    x = layers.GRU(32, recurrent_dropout=0.5, return_sequences=True)(inputs)
    x = layers.GRU(32, recurrent_dropout=0.5)(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


# ---------------------------------------------------------------------------------------------------------
# TensorFlow tutorials (repository tensorflow/docs)
# ---------------------------------------------------------------------------------------------------------

TF_DOCS = "https://github.com/tensorflow/docs/blob/"
PIX2PIX_URL = TF_DOCS + "4840cbf72a8e53391eec2c93e86f2279e30b3e71/site/en/tutorials/generative/pix2pix.ipynb"


@case(
    id="tf_cnn_cifar10",
    url=TF_DOCS + "c87655c34ba7674564721d944a32fbf550189a26/site/en/tutorials/images/cnn.ipynb",
    title="Convolutional Neural Network (CNN) (TensorFlow tutorial)",
    reported="healthy: the TensorFlow tutorial CIFAR-10 CNN (32x32x3, three valid 3x3 convs with two 2x2 "
    "poolings to 4x4x64, Flatten, Dense(64), Dense(10) logits)",
    shape=(32, 32, 3),
)
def tf_cnn_cifar10():
    model = keras.Sequential()
    model.add(keras.Input((32, 32, 3)))
    model.add(layers.Conv2D(32, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10))
    return model


def _pix2pix_downsample(filters, size, apply_batchnorm=True):
    initializer = keras.initializers.RandomNormal(0.0, 0.02)
    result = keras.Sequential()
    result.add(layers.Conv2D(filters, size, strides=2, padding="same", kernel_initializer=initializer,
                             use_bias=False))
    if apply_batchnorm:
        result.add(layers.BatchNormalization())
    result.add(layers.LeakyReLU())
    return result


def _pix2pix_upsample(filters, size, apply_dropout=False):
    initializer = keras.initializers.RandomNormal(0.0, 0.02)
    result = keras.Sequential()
    result.add(layers.Conv2DTranspose(filters, size, strides=2, padding="same", kernel_initializer=initializer,
                                      use_bias=False))
    result.add(layers.BatchNormalization())
    if apply_dropout:
        result.add(layers.Dropout(0.5))
    result.add(layers.ReLU())
    return result


@case(
    id="tf_pix2pix_generator",
    url=PIX2PIX_URL,
    title="pix2pix: Image-to-image translation with a conditional GAN (TensorFlow tutorial)",
    reported="healthy: the TensorFlow tutorial pix2pix U-Net generator (256x256x3, eight 4x4 stride-2 'same' "
    "downsampling blocks to 1x1x512 as nested Sequentials, seven 4x4 stride-2 Conv2DTranspose blocks with "
    "concatenated skips, final Conv2DTranspose to 256x256x3 tanh)",
    note="tf.random_normal_initializer(0., 0.02) is written keras.initializers.RandomNormal(0., 0.02).",
    shape=(256, 256, 3),
)
def tf_pix2pix_generator():
    OUTPUT_CHANNELS = 3
    inputs = layers.Input(shape=[256, 256, 3])
    down_stack = [
        _pix2pix_downsample(64, 4, apply_batchnorm=False),
        _pix2pix_downsample(128, 4),
        _pix2pix_downsample(256, 4),
        _pix2pix_downsample(512, 4),
        _pix2pix_downsample(512, 4),
        _pix2pix_downsample(512, 4),
        _pix2pix_downsample(512, 4),
        _pix2pix_downsample(512, 4),
    ]
    up_stack = [
        _pix2pix_upsample(512, 4, apply_dropout=True),
        _pix2pix_upsample(512, 4, apply_dropout=True),
        _pix2pix_upsample(512, 4, apply_dropout=True),
        _pix2pix_upsample(512, 4),
        _pix2pix_upsample(256, 4),
        _pix2pix_upsample(128, 4),
        _pix2pix_upsample(64, 4),
    ]
    initializer = keras.initializers.RandomNormal(0.0, 0.02)
    last = layers.Conv2DTranspose(OUTPUT_CHANNELS, 4, strides=2, padding="same", kernel_initializer=initializer,
                                  activation="tanh")
    x = inputs
    skips = []
    for down in down_stack:
        x = down(x)
        skips.append(x)
    skips = reversed(skips[:-1])
    for up, skip in zip(up_stack, skips):
        x = up(x)
        x = layers.Concatenate()([x, skip])
    x = last(x)
    return keras.Model(inputs=inputs, outputs=x)


@case(
    id="tf_pix2pix_patchgan",
    url=PIX2PIX_URL,
    title="pix2pix: Image-to-image translation with a conditional GAN (TensorFlow tutorial)",
    reported="healthy: the TensorFlow tutorial pix2pix PatchGAN discriminator (input and target images "
    "concatenated, three 4x4 stride-2 blocks to 32x32, ZeroPadding2D + valid 4x4 convs to a 30x30x1 patch "
    "map of logits)",
    note="tf.random_normal_initializer(0., 0.02) is written keras.initializers.RandomNormal(0., 0.02).",
    shape=[(256, 256, 3), (256, 256, 3)],
)
def tf_pix2pix_patchgan():
    initializer = keras.initializers.RandomNormal(0.0, 0.02)
    inp = layers.Input(shape=[256, 256, 3], name="input_image")
    tar = layers.Input(shape=[256, 256, 3], name="target_image")
    x = layers.concatenate([inp, tar])
    down1 = _pix2pix_downsample(64, 4, False)(x)
    down2 = _pix2pix_downsample(128, 4)(down1)
    down3 = _pix2pix_downsample(256, 4)(down2)
    zero_pad1 = layers.ZeroPadding2D()(down3)
    conv = layers.Conv2D(512, 4, strides=1, kernel_initializer=initializer, use_bias=False)(zero_pad1)
    batchnorm1 = layers.BatchNormalization()(conv)
    leaky_relu = layers.LeakyReLU()(batchnorm1)
    zero_pad2 = layers.ZeroPadding2D()(leaky_relu)
    last = layers.Conv2D(1, 4, strides=1, kernel_initializer=initializer)(zero_pad2)
    return keras.Model(inputs=[inp, tar], outputs=last)


@case(
    id="tf_segmentation_mobilenet_unet",
    url=TF_DOCS + "4840cbf72a8e53391eec2c93e86f2279e30b3e71/site/en/tutorials/images/segmentation.ipynb",
    title="Image segmentation (TensorFlow tutorial)",
    reported="healthy: the TensorFlow tutorial U-Net for Oxford Pets at 128x128 (a frozen MobileNetV2 feature "
    "extractor as a nested model with five outputs from 64x64 to 4x4, pix2pix upsample blocks (3x3 stride-2 "
    "Conv2DTranspose) with concatenated skips, final Conv2DTranspose to 128x128x3 logits)",
    note="pix2pix.upsample from tensorflow_examples is the same block as the pix2pix tutorial's upsample "
    "(Conv2DTranspose, BatchNormalization, ReLU). MobileNetV2 is built with weights=None.",
    shape=(128, 128, 3),
)
def tf_segmentation_mobilenet_unet():
    OUTPUT_CHANNELS = 3
    base_model = keras.applications.MobileNetV2(input_shape=[128, 128, 3], include_top=False, weights=None)
    layer_names = ["block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_13_expand_relu",
                   "block_16_project"]
    base_model_outputs = [base_model.get_layer(name).output for name in layer_names]
    down_stack = keras.Model(inputs=base_model.input, outputs=base_model_outputs)
    down_stack.trainable = False
    up_stack = [_pix2pix_upsample(512, 3), _pix2pix_upsample(256, 3), _pix2pix_upsample(128, 3),
                _pix2pix_upsample(64, 3)]
    inputs = layers.Input(shape=[128, 128, 3])
    skips = down_stack(inputs)
    x = skips[-1]
    skips = reversed(skips[:-1])
    for up, skip in zip(up_stack, skips):
        x = up(x)
        x = layers.Concatenate()([x, skip])
    last = layers.Conv2DTranspose(OUTPUT_CHANNELS, 3, strides=2, padding="same")
    x = last(x)
    return keras.Model(inputs=inputs, outputs=x)


# ---------------------------------------------------------------------------------------------------------
# Textbook architectures (papers and their standard Keras renderings)
# ---------------------------------------------------------------------------------------------------------


@case(
    id="book_lenet5",
    url="https://www.datasciencecentral.com/lenet-5-a-classic-cnn-architecture/",
    title="LeNet-5 - A Classic CNN Architecture",
    reported="healthy: LeNet-5 as described layer by layer (32x32x1, C1 6@5x5 -> 28, S2 average pool -> 14, "
    "C3 16@5x5 -> 10, S4 -> 5, C5 120@5x5 -> 1x1, F6 84, softmax over 10)",
    note="C3's partial connection table is a full convolution here (same shapes), as in the usual Keras "
    "renderings; C5 is the 5x5 convolution the description names, followed by Flatten.",
    shape=(32, 32, 1),
)
def book_lenet5():
    return keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            layers.Conv2D(6, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(120, 5, activation="tanh"),
            layers.Flatten(),
            layers.Dense(84, activation="tanh"),
            layers.Dense(10, activation="softmax"),
        ]
    )


@case(
    id="book_alexnet_227",
    url="https://thecleverprogrammer.com/2021/12/13/alexnet-architecture-using-python/",
    title="AlexNet Architecture using Python",
    reported="healthy: AlexNet at 227x227x3 per the post's layer table (C1 96@11x11/4 valid -> 55, 3x3/2 "
    "pools -> 27, 13, 6; C3 256@5x5 same, C5-C7 3x3 same; two Dense 4096 with dropout; softmax over 1000)",
    note="The post's table has no local response normalization; the dropout rate (0.5) is the paper's.",
    shape=(227, 227, 3),
)
def book_alexnet_227():
    return keras.Sequential(
        [
            keras.Input((227, 227, 3)),
            layers.Conv2D(96, 11, strides=4, padding="valid", activation="relu"),
            layers.MaxPooling2D(3, strides=2, padding="valid"),
            layers.Conv2D(256, 5, strides=1, padding="same", activation="relu"),
            layers.MaxPooling2D(3, strides=2, padding="valid"),
            layers.Conv2D(384, 3, strides=1, padding="same", activation="relu"),
            layers.Conv2D(384, 3, strides=1, padding="same", activation="relu"),
            layers.Conv2D(256, 3, strides=1, padding="same", activation="relu"),
            layers.MaxPooling2D(3, strides=2, padding="valid"),
            layers.Flatten(),
            layers.Dense(4096, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(4096, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(1000, activation="softmax"),
        ]
    )


@case(
    id="gh_zhixuhao_unet",
    url="https://github.com/zhixuhao/unet/blob/3951284d177ddb8a4beb543504caa65351cecd99/model.py",
    title="zhixuhao/unet: Implementation of deep learning framework -- Unet, using Keras",
    reported="healthy: the most-used Keras U-Net (256x256x1, 'same' convs 64-1024 with four 2x2 poolings, "
    "UpSampling2D + 2x2 conv + concatenate skips, 1x1 sigmoid)",
    shape=(256, 256, 1),
)
def gh_zhixuhao_unet():
    def conv(filters, size):
        return layers.Conv2D(filters, size, activation="relu", padding="same", kernel_initializer="he_normal")

    inputs = layers.Input((256, 256, 1))
    conv1 = conv(64, 3)(inputs)
    conv1 = conv(64, 3)(conv1)
    pool1 = layers.MaxPooling2D(pool_size=(2, 2))(conv1)
    conv2 = conv(128, 3)(pool1)
    conv2 = conv(128, 3)(conv2)
    pool2 = layers.MaxPooling2D(pool_size=(2, 2))(conv2)
    conv3 = conv(256, 3)(pool2)
    conv3 = conv(256, 3)(conv3)
    pool3 = layers.MaxPooling2D(pool_size=(2, 2))(conv3)
    conv4 = conv(512, 3)(pool3)
    conv4 = conv(512, 3)(conv4)
    drop4 = layers.Dropout(0.5)(conv4)
    pool4 = layers.MaxPooling2D(pool_size=(2, 2))(drop4)
    conv5 = conv(1024, 3)(pool4)
    conv5 = conv(1024, 3)(conv5)
    drop5 = layers.Dropout(0.5)(conv5)
    up6 = conv(512, 2)(layers.UpSampling2D(size=(2, 2))(drop5))
    merge6 = layers.concatenate([drop4, up6], axis=3)
    conv6 = conv(512, 3)(merge6)
    conv6 = conv(512, 3)(conv6)
    up7 = conv(256, 2)(layers.UpSampling2D(size=(2, 2))(conv6))
    merge7 = layers.concatenate([conv3, up7], axis=3)
    conv7 = conv(256, 3)(merge7)
    conv7 = conv(256, 3)(conv7)
    up8 = conv(128, 2)(layers.UpSampling2D(size=(2, 2))(conv7))
    merge8 = layers.concatenate([conv2, up8], axis=3)
    conv8 = conv(128, 3)(merge8)
    conv8 = conv(128, 3)(conv8)
    up9 = conv(64, 2)(layers.UpSampling2D(size=(2, 2))(conv8))
    merge9 = layers.concatenate([conv1, up9], axis=3)
    conv9 = conv(64, 3)(merge9)
    conv9 = conv(64, 3)(conv9)
    conv9 = conv(2, 3)(conv9)
    conv10 = layers.Conv2D(1, 1, activation="sigmoid")(conv9)
    return keras.Model(inputs=inputs, outputs=conv10)


@case(
    id="paper_unet_valid_572",
    url="https://arxiv.org/abs/1505.04597",
    title="U-Net: Convolutional Networks for Biomedical Image Segmentation (Ronneberger, Fischer, Brox 2015)",
    reported="healthy: the original U-Net of the paper's figure 1 (572x572x1 tile, unpadded 3x3 convs, 2x2 "
    "max pooling, 2x2 up-convolutions, skips center-cropped by 88/40/16/4 pixels, 1x1 conv to 2 classes on "
    "the 388x388 output)",
    note="The output is smaller than the input by design (the overlap-tile strategy): 572 -> 388.",
    shape=(572, 572, 1),
)
def paper_unet_valid_572():
    def double_conv(x, filters):
        x = layers.Conv2D(filters, 3, padding="valid", activation="relu")(x)
        return layers.Conv2D(filters, 3, padding="valid", activation="relu")(x)

    inputs = keras.Input((572, 572, 1))
    c1 = double_conv(inputs, 64)                       # 568
    c2 = double_conv(layers.MaxPooling2D(2)(c1), 128)  # 280
    c3 = double_conv(layers.MaxPooling2D(2)(c2), 256)  # 136
    c4 = double_conv(layers.MaxPooling2D(2)(c3), 512)  # 64
    c5 = double_conv(layers.MaxPooling2D(2)(c4), 1024)  # 28
    x = c5
    for skip, filters, crop in ((c4, 512, 4), (c3, 256, 16), (c2, 128, 40), (c1, 64, 88)):
        x = layers.Conv2DTranspose(filters, 2, strides=2)(x)
        x = layers.concatenate([layers.Cropping2D(crop)(skip), x])
        x = double_conv(x, filters)
    outputs = layers.Conv2D(2, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs)


# ---------------------------------------------------------------------------------------------------------
# Keras Applications (keras-team/keras, keras/src/applications): the reference ImageNet architectures,
# built with weights=None at their default input size.
# ---------------------------------------------------------------------------------------------------------


def _application(name, path, commit, fn, size, what, data_format="channels_last"):
    first = data_format == "channels_first"
    @case(
        id=f"app_{name}",
        url=f"{KERAS}{commit}/keras/src/applications/{path}",
        title=f"Keras Applications: {fn}" + (" (image_data_format channels_first)" if first else ""),
        reported=f"healthy: {what}",
        note="Built with keras.config.set_image_data_format('channels_first'), the configuration the "
        "application code supports for NCHW inputs." if first else None,
        shape=(3, size, size) if first else (size, size, 3),
    )
    def build():
        before = keras.config.image_data_format()
        keras.config.set_image_data_format(data_format)
        try:
            return getattr(keras.applications, fn)(weights=None)
        finally:
            keras.config.set_image_data_format(before)

    build.__name__ = f"app_{name}"
    return build


_application("vgg16", "vgg16.py", "929c02eb133ec1e98a15abb513e2a195c39771a7", "VGG16", 224,
             "VGG16 with its classifier (13 'same' 3x3 convs, five 2x2 poolings to 7x7x512, Flatten, "
             "two Dense 4096, softmax over 1000 classes)")
_application("resnet50", "resnet.py", "040582fc160b1080954ddc1f554dd70fbbb1da5a", "ResNet50", 224,
             "ResNet50 with its classifier (ZeroPadding 7x7/2 stem, bottleneck blocks with strided "
             "shortcut projections, global pooling)")
_application("mobilenet_v2", "mobilenet_v2.py", "af254e9bb150040b0f4585d08c7c8e2f30833af0", "MobileNetV2",
             224, "MobileNetV2 1.0 at 224 (inverted residual blocks, depthwise 3x3 with asymmetric "
             "ZeroPadding before each stride-2 depthwise conv, ReLU6)")
_application("inception_v3", "inception_v3.py", "040582fc160b1080954ddc1f554dd70fbbb1da5a", "InceptionV3",
             299, "InceptionV3 at 299 (valid-padded stem, inception blocks concatenating 1x1, 1x7/7x1, "
             "3x3 and pooling branches, grid reductions by stride-2 valid convs)")
_application("xception", "xception.py", "2b7120b104c35945d13a04ce3fadb795b923b723", "Xception", 299,
             "Xception at 299 (valid stem, SeparableConv2D blocks with stride-2 1x1 residual projections)")
_application("densenet121", "densenet.py", "cb6ece3e2ead7baec874cb71e579fbf310b1b05c", "DenseNet121", 224,
             "DenseNet121 at 224 (dense blocks concatenating growth-rate features, transition layers "
             "with 1x1 conv and 2x2 average pooling)")
_application("efficientnet_b0", "efficientnet.py", "9d34d0a84471c234500981c55d741641aa6e01d7",
             "EfficientNetB0", 224, "EfficientNetB0 at 224 (Rescaling and Normalization, MBConv blocks "
             "with squeeze-and-excitation: GlobalAveragePooling, Reshape to 1x1xC, Multiply)")
_application("nasnet_mobile", "nasnet.py", "1937d487b0ee4cf265051c7bd0524f2fd1a2cb51", "NASNetMobile", 224,
             "NASNetMobile at 224 (reduction cells with ZeroPadding + Cropping2D on the shortcut path, "
             "separable convs, concatenated cell outputs)")
_application("mobilenet_v3_small", "mobilenet_v3.py", "5d24952b083cb11f87abadacc886ddb3bdb63a03",
             "MobileNetV3Small", 224, "MobileNetV3Small at 224 (hard-swish, squeeze-and-excitation with "
             "1x1 convs on globally pooled maps, 1x1 conv classifier head)")

_application("vgg19", "vgg19.py", "3859fb42a8e103c6d8f1c5dd9e219d9e59a8e522", "VGG19", 224,
             "VGG19 with its classifier (16 'same' 3x3 convs, five 2x2 poolings, Flatten, two Dense 4096)")
_application("resnet50_v2", "resnet_v2.py", "ac2ee342b119221090e464edc0d3344289f48741", "ResNet50V2", 224,
             "ResNet50V2 at 224 (pre-activation bottlenecks; the stride sits on the last block of each stage, "
             "with a 1x1 max-pooling shortcut)")
_application("inception_resnet_v2", "inception_resnet_v2.py", "69b9ad08a11ed327646efc968f43924977de6477",
             "InceptionResNetV2", 299, "InceptionResNetV2 at 299 (valid stem, inception-resnet blocks whose "
             "concatenated branches are projected by 1x1 convs and added back scaled)")
_application("mobilenet_v1", "mobilenet.py", "b470eee63605d7c357bda3bafa9d5e9d72b9b5a6", "MobileNet", 224,
             "MobileNet (v1) 1.0 at 224 (depthwise-separable convs, ZeroPadding before stride-2 depthwise "
             "convs, a classifier of Reshape to 1x1x1024, Dropout, 1x1 conv, Reshape to 1000)")
_application("efficientnet_v2_b0", "efficientnet_v2.py", "0c07bd6503f2f73d9b3a7a40906bd501edb6c783",
             "EfficientNetV2B0", 224, "EfficientNetV2B0 at 224 (fused-MBConv and MBConv blocks with "
             "squeeze-and-excitation)")
_application("mobilenet_v3_large", "mobilenet_v3.py", "5d24952b083cb11f87abadacc886ddb3bdb63a03",
             "MobileNetV3Large", 224, "MobileNetV3Large at 224 (inverted residuals with 5x5 depthwise convs, "
             "squeeze-and-excitation, hard-swish)")
_application("vgg16_channels_first", "vgg16.py", "929c02eb133ec1e98a15abb513e2a195c39771a7", "VGG16", 224,
             "VGG16 built channels_first (input 3x224x224, every conv and pool data_format='channels_first')",
             data_format="channels_first")
_application("resnet50_channels_first", "resnet.py", "040582fc160b1080954ddc1f554dd70fbbb1da5a", "ResNet50", 224,
             "ResNet50 built channels_first (input 3x224x224, BatchNormalization(axis=1) on NCHW maps)",
             data_format="channels_first")
_application("mobilenet_v2_channels_first", "mobilenet_v2.py", "af254e9bb150040b0f4585d08c7c8e2f30833af0",
             "MobileNetV2", 224, "MobileNetV2 built channels_first (input 3x224x224, BatchNormalization(axis=1), "
             "depthwise convs on NCHW maps)", data_format="channels_first")
_application("convnext_tiny", "convnext.py", "4f6900acedee6e08df03a260bf5553c7304a89df", "ConvNeXtTiny", 224,
             "ConvNeXtTiny at 224 (4x4 stride-4 patchify stem, 7x7 depthwise convs, LayerNormalization over "
             "the channels of NHWC maps, stride-2 2x2 downsampling convs)")
_application("efficientnet_b3", "efficientnet.py", "9d34d0a84471c234500981c55d741641aa6e01d7", "EfficientNetB3",
             300, "EfficientNetB3 at its native 300 (MBConv blocks with 3x3/5x5 depthwise convs, "
             "squeeze-and-excitation, asymmetric ZeroPadding before stride-2 depthwise convs)")

# ---------------------------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------------------------


def _shapes(meta) -> list[tuple]:
    shape = meta["shape"]
    return [tuple(s) for s in shape] if isinstance(shape[0], (tuple, list)) else [tuple(shape)]


def _build(meta):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    return meta["builder"]()


def _verdict(meta) -> tuple[str, object]:
    shapes = _shapes(meta)
    try:
        model = _build(meta)
    except Exception as exc:  # noqa: BLE001 - record Keras's refusal verbatim
        return f"refused at build: {str(exc).splitlines()[0]}", None
    feeds = [np.zeros((1,) + s, dtype="float32") for s in shapes]
    where = ", ".join(str((1,) + s) for s in shapes)
    try:
        out = model(feeds if len(feeds) > 1 else feeds[0], training=False)
    except Exception as exc:  # noqa: BLE001
        return f"builds; fails at run on zeros at {where}: {str(exc).splitlines()[0]}", model
    outs = out if isinstance(out, (list, tuple)) else [out]
    got = ", ".join(str(tuple(int(d) for d in o.shape)) for o in outs)
    return f"builds; runs on zeros at {where}; output {got}", model


def _has_free_dims(model) -> bool:
    """A single-input model whose saved input has ``None`` dims besides the batch: the intended size
    goes to input_shape."""
    return len(model.inputs) == 1 and None in tuple(model.inputs[0].shape)[1:]


def _write_json(model, path: Path) -> None:
    cfg = json.loads(model.to_json())
    path.write_text(json.dumps(cfg, indent=1, sort_keys=True) + "\n", encoding="utf-8")


KEYS = ("id", "source", "url", "title", "reported", "bug_class", "expected", "fix")


def write_case(meta) -> None:
    folder = HERE / meta["id"]
    folder.mkdir(exist_ok=True)
    verdict, model = _verdict(meta)
    if model is None:
        raise SystemExit(f"{meta['id']}: a classic model must build: {verdict}")
    doc = {"id": meta["id"], "source": "classic", "url": meta["url"], "title": meta["title"],
           "reported": meta["reported"], "bug_class": "none", "expected": [], "fix": ""}
    if meta.get("note"):
        doc["note"] = meta["note"]
    doc["tf_verdict"] = {"fixed": verdict}
    if _has_free_dims(model):
        doc["input_shape"] = list(_shapes(meta)[0])
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    _write_json(model, folder / "fixed.json")
    print(f"{meta['id']}: {verdict}")


# ---------------------------------------------------------------------------------------------------------
# README: what shapelint reports today on each case (run with --readme; needs the shapelint CLI next to the
# Python running this script)
# ---------------------------------------------------------------------------------------------------------


def _shapelint(path: Path, input_shape=None):
    exe = Path(sys.executable).with_name("shapelint")
    cmd = [str(exe), str(path), "--format", "json"]
    if input_shape:
        cmd += ["--input-shape", ",".join(str(d) for d in input_shape)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    data = json.loads(proc.stdout)
    for file in data["files"]:
        if file["status"] != "ok":
            raise SystemExit(f"shapelint could not lint {path}: {file['status']}: {file['error']}")
    return [f for file in data["files"] for f in file["findings"]]


def _fmt(findings, levels) -> str:
    shown = [f"{f['rule']}@{f['layer']}" for f in findings if f["severity"] in levels]
    return ", ".join(shown) if shown else "—"


def write_readme() -> None:
    rows, loud, loud_sized = [], 0, 0
    for meta in CASES:
        folder = HERE / meta["id"]
        doc = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        found = _shapelint(folder / "fixed.json")
        noisy = any(f["severity"] in ("error", "warning") for f in found)
        loud += noisy
        sized = "n/a"
        if doc.get("input_shape"):
            at = _shapelint(folder / "fixed.json", doc["input_shape"])
            sized = f"{tuple(doc['input_shape'])}: " + _fmt(at, ("error", "warning"))
            noisy = noisy or any(f["severity"] in ("error", "warning") for f in at)
        loud_sized += noisy
        rows.append(f"| `{meta['id']}` | {meta['url']} | {meta['reported'].removeprefix('healthy: ')} "
                    f"| {_fmt(found, ('error', 'warning'))} | {_fmt(found, ('info',))} | {sized} |")
    text = README_HEAD.format(n=len(CASES), loud=loud, loud_sized=loud_sized)
    text += "\n".join(rows) + "\n" + README_TAIL
    (HERE / "README.md").write_text(text, encoding="utf-8")
    print(f"README: {loud} of {len(CASES)} healthy models get a warning or an error "
          f"({loud_sized} counting the runs with --input-shape)")


README_HEAD = """# Real-world corpus: `classic` set

Healthy, widely used Keras models reproduced from their public sources: the official Keras code examples
(keras-team/keras-io), the Keras Applications (keras-team/keras), the companion notebooks of *Deep Learning
with Python* (fchollet/deep-learning-with-python-notebooks), the TensorFlow tutorials (tensorflow/docs), the
most-used Keras U-Net (zhixuhao/unet) and textbook architectures (LeNet-5, AlexNet, the original U-Net).
Every repository URL names the commit that was read.
They measure false alarms: a warning means "very likely a mistake", so none of these models should get a
warning or an error. Each case has `case.yaml` (`bug_class: none`, `expected: []`) and `fixed.json`
(`model.to_json()`); there is no `bug.json`.

Regenerate (byte-identical): `python tests/realworld/classic/make_cases.py`; refresh this table with
`python tests/realworld/classic/make_cases.py --readme` (runs `shapelint <case>/fixed.json --format json`
with the `shapelint` next to that Python).

{n} models; shapelint as of this commit gives a warning or an error on {loud} of them ({loud_sized} when the
models saved with `None` dims are also linted at their intended size, `--input-shape`).

Columns: *warnings / errors* and *info* = `shapelint <case>/fixed.json`; *at input_shape* = warnings and
errors of `shapelint <case>/fixed.json --input-shape <input_shape>` for the cases that record one.

| id | source | what it is | warnings / errors | info | at input_shape |
|---|---|---|---|---|---|
"""

README_TAIL = """
Notes:
- Where the source's functional graph holds something a saved config cannot hold as built-in layers, the
  builder keeps the shapes exactly and the case's `note` says what changed: the VAE encoder leaves out the
  custom `Sampling` layer; PointNet leaves out the custom `OrthogonalRegularizer` (a loss term);
  DeepLabV3+ uses `layers.Activation("relu")` where the source calls `tf.nn.relu` on Keras tensors.
- `input_shape` in `case.yaml` gives the intended input size of models saved with `None` dims (text and
  sequence models, the ConvLSTM's frame count, MobileNetV3).
- The Keras Applications are saved as Keras builds them, including their own layers (ConvNeXt's
  `LayerScale`, InceptionResNetV2's `CustomScaleLayer`) and the `keras.ops` nodes their code writes as
  operators (`Add`/`Multiply` in MobileNetV3's hard-swish and ConvNeXt's residuals).

Warnings on these healthy models (as of this commit; each is a design the source chose on purpose):
- SL114 on `kio_wgan_gp_critic` (`conv2d_3`: 5×5, stride 2, 'same' on 4×4 → 2×2) and `tf_pix2pix_generator`
  (the last encoder block: 4×4, stride 2, 'same' on 2×2 → the 1×1 bottleneck of the pix2pix U-Net). A strided
  downsampler whose kernel overhangs its small input by less than its stride (or whose output is 1 on the
  axis, one window over the whole map) is the DCGAN/pix2pix recipe, not a mistake. In the critic the windows
  read 16, 12, 12 and 9 of 25 real pixels, so "most of each window reads zero padding" does not hold for all.
- SL114 on `kio_deeplabv3_plus` (`conv2d_4`: the ASPP branch with dilation 18, effective 37×37 on the 32×32
  output-stride-16 map). DeepLabV3 uses rates 6/12/18 at output stride 16 by design; the center tap always
  reads the map, and at 28 of the 32 positions per axis one side tap does too. A dilated kernel
  degenerates to a 1×1 only when the dilation reaches the input size.
- SL101 on `kio_text_classification_conv1d` (two `Conv1D(128, 7, strides=3, padding="valid")`). Stride 3 <
  kernel 7: windows overlap and at most stride − 1 = 2 trailing steps go unread (1 of 500, 2 of 165 at the
  example's 500 tokens), which SL104 already reports as info.
- SL102 on `kio_keypoint_detection` (`separable_conv2d`: valid 5×5 on the 7×7 backbone map → 3×3). The next
  layer is a valid 3×3 that spans the whole 3×3 map and outputs the 1×1×48 keypoint vector: the head is a
  fully convolutional stand-in for Flatten + Dense, which SL102 already leaves alone.

Skipped sources (their functional graphs need custom layers or raw TensorFlow ops that change shapes):
- Vision Transformer and MLP-Mixer (keras-io `image_classification_with_vision_transformer.py`,
  `mlp_image_classification.py`): the custom `Patches` layer (tf.image.extract_patches and tf.reshape) and
  `PatchEncoder` (a position Embedding of tf.range) make the patch sequence; no built-in layer computes it.
- Super-resolution ESPCN (`super_resolution_sub_pixel.py`): the sub-pixel upsampling (depth_to_space) has no
  built-in Keras layer.
- The Siamese network's head (`siamese_contrastive.py`): a Lambda computing the Euclidean distance; the
  shared tower is in the set (`kio_siamese_embedding`).
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
