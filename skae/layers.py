"""Custom Keras layers, registered for serialization under the package ``"skae"``.

Registration makes pickling, ``.keras`` files and ``keras.models.clone_model`` work on
models that contain these layers without passing ``custom_objects``.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="skae")
class MaskingNoise(keras.layers.Layer):
    """Masking noise for denoising autoencoders: zero each input with probability ``rate``.

    Unlike :class:`keras.layers.Dropout` the kept values are not rescaled, so the
    corrupted input stays on the data's scale (the classic denoising-autoencoder
    corruption). Active only when ``training=True``.

    Parameters
    ----------
    rate : float
        Probability, in [0, 1), that an input value is set to zero.
    seed : int, default=None
        Seed of the layer's own random generator.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import MaskingNoise
    >>> layer = MaskingNoise(0.5, seed=0)
    >>> x = np.ones((2, 4), dtype="float32")
    >>> bool((keras.ops.convert_to_numpy(layer(x, training=False)) == x).all())
    True
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * ops.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
