"""
====================================
A custom model with your own builder
====================================

``architecture`` also takes a callable: a *builder* that returns two new Keras models,
``(encoder, decoder)``. skae trains, transforms, scores, clones and pickles them like
the built-in families, and ``GridSearchCV`` can tune the estimator's parameters
around them. The contract (see :func:`skae.architectures.build_custom`):

* it is called as ``builder(input_shape, n_components, **params)``, where
  ``input_shape`` is the per-sample shape (``(n_features,)`` for flat rows);
* the encoder maps ``(batch, *input_shape)`` to ``(batch, n_components)`` and the
  decoder maps codes back to ``(batch, *input_shape)``;
* ``params`` holds ``hidden_layer_sizes``, ``activation``, ``output_activation``,
  ``loss``, ``activity_l1``, ``variational``, ``kl_weight`` and ``seed``; the builder
  receives the ones its signature names (all of them if it takes ``**kwargs``).

Here the builder adds batch normalisation and dropout to a dense encoder, which no
built-in family has. It is a module-level function, so the fitted estimator pickles;
registering it with Keras' serialization registry also lets
:meth:`~skae.AutoencoderTransformer.save` and :func:`skae.load` store the estimator
without pickle.
"""

import os
import pickle
import tempfile

import keras
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import skae
from skae import AutoencoderTransformer


@keras.saving.register_keras_serializable(package="examples")
def build_batchnorm(input_shape, n_components, hidden_layer_sizes, activation, seed):
    # ``seed`` is an int drawn from the estimator's random_state: seeding every
    # initializer and random layer from it makes fits reproducible.
    seeds = iter(range(seed, seed + 2 * len(hidden_layer_sizes) + 3))

    def dense(units, **kwargs):
        init = keras.initializers.GlorotUniform(seed=next(seeds))
        return keras.layers.Dense(units, kernel_initializer=init, **kwargs)

    encoder = keras.Sequential([keras.Input(input_shape)])
    for units in hidden_layer_sizes:
        encoder.add(dense(units))
        encoder.add(keras.layers.BatchNormalization())
        encoder.add(keras.layers.Activation(activation))
        encoder.add(keras.layers.Dropout(0.1, seed=seed))
    encoder.add(dense(n_components))

    decoder = keras.Sequential([keras.Input((n_components,))])
    for units in reversed(hidden_layer_sizes):
        decoder.add(dense(units, activation=activation))
    decoder.add(dense(input_shape[0], activation="sigmoid"))
    return encoder, decoder


X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, random_state=0)

custom = AutoencoderTransformer(
    n_components=8,
    architecture=build_batchnorm,
    hidden_layer_sizes=(64,),
    batch_size=64,
    learning_rate=3e-3,
    max_iter=100,
    tol=1e-2,  # stop once the loss improves by less than 1 % for three epochs
    n_iter_no_change=3,
    random_state=0,
).fit(X_train)
print(f"test R2 {custom.score(X_test):.3f}")
custom.encoder_.summary()

# %%
# The estimator keeps the builder as a parameter, so it clones and pickles like any
# other. ``save`` writes the builder by its registered name, which ``skae.load`` looks
# up: ``save`` refuses a builder that is not registered, so register it (and import the
# module that registers it before loading), or use pickle.
restored = pickle.loads(pickle.dumps(custom))
print("same codes after pickling:", (restored.transform(X_test) == custom.transform(X_test)).all())

path = os.path.join(tempfile.mkdtemp(), "custom.skae")
custom.save(path)
loaded = skae.load(path)
print("same codes after save/load:", (loaded.transform(X_test) == custom.transform(X_test)).all())

# %%
# Training curve of the custom model.
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(custom.loss_curve_)
ax.set(xlabel="epoch", ylabel="training loss (MSE)", title="architecture=build_batchnorm")
plt.show()
