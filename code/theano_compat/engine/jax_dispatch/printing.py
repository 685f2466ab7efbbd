"""JAX implementation of ``theano.printing.Print`` (PyTensor's ``Print``
op, which PyTensor's JAX backend does not implement).

The value goes to the host and is printed there by the op's own
``global_fn``, in the order the ops run (``jax.debug.callback`` with
``ordered=True``); the op passes its input through unchanged.
"""

import jax
import numpy
from pytensor.link.jax.dispatch import jax_funcify
from pytensor.printing import Print


@jax_funcify.register(Print)
def jax_funcify_print(op, **kwargs):
    def show(value):
        op.global_fn(op, numpy.asarray(value))

    def print_op(x):
        jax.debug.callback(show, x, ordered=True)
        return x
    return print_op
