"""JAX implementation of Theano's scalar sigmoid
(``theano.tensor.nnet.sigm.ScalarSigmoid``, which ``sigmoid_inplace``
and ``scalar_sigmoid`` are made of).

PyTensor's JAX backend finds a scalar op's function by its
``nfunc_spec``, which Theano's sigmoid leaves out (so that PyTensor's
Python modes call its own code, with Theano's cut-offs): here it gets
what PyTensor's sigmoid gets in JAX, SciPy's ``expit``.  (Theano's
softplus is a subclass of PyTensor's, whose JAX function it inherits.)
"""

import jax.scipy.special
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.tensor.nnet.sigm import ScalarSigmoid


@jax_funcify.register(ScalarSigmoid)
def jax_funcify_scalar_sigmoid(op, **kwargs):
    return jax.scipy.special.expit
