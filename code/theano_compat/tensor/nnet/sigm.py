"""``theano.tensor.nnet.sigm``: the sigmoid, its approximations, and
softplus, elementwise and scalar.

``ultra_fast_sigmoid`` and ``hard_sigmoid`` are Theano's approximations
of the sigmoid, as graphs of PyTensor operations that compute Theano's
values (``theano.tensor.nnet`` serves them); ``sigmoid`` and
``softplus`` are PyTensor's, served by the package ``theano.tensor.nnet``.
This module also holds Theano's scalar ops and in-place forms of them,
PyTensor's ``pytensor.scalar.math`` ops under Theano's names.  Theano's
rewrites of sigmoid graphs are PyTensor's business (the table of
``theano_compat.names`` says so for each).
"""

import pytensor.tensor as pt
from pytensor.scalar import math as _scalar_math
from pytensor.tensor.elemwise import Elemwise

from theano_compat.names import module_getattr

__all__ = ['ultra_fast_sigmoid', 'hard_sigmoid', 'ScalarSigmoid',
           'ScalarSoftplus', 'scalar_sigmoid', 'scalar_softplus',
           'ultra_fast_scalar_sigmoid', 'sigmoid_inplace',
           'ultra_fast_sigmoid_inplace']


def _float_dtype(dtype):
    """Theano's ``upgrade_to_float``: floats stay, small integers give
    float32, the others float64."""
    if dtype.startswith('float'):
        return dtype
    if dtype in ('bool', 'int8', 'int16', 'uint8', 'uint16'):
        return 'float32'
    return 'float64'


def ultra_fast_sigmoid(x):
    """Theano's piecewise approximation of the sigmoid, to its values:
    ``(1 + t(x / 2)) / 2`` where ``t`` approximates tanh by ``1.5 u / (1 +
    u)`` for ``|u| < 1.7``, a line up to 3, and 0.99505475368673 beyond
    (within 0.028 of the sigmoid).  Computed in float64 and rounded to
    the output's dtype where Theano's C code rounded (its float32
    results are Theano's).  Theano's had no gradient; this one has the
    derivative of the pieces.

    :param x: tensor; integers give float32 (8 and 16 bits) or float64
    """
    x = pt.as_tensor_variable(x)
    dtype = _float_dtype(x.type.dtype)
    half = pt.cast(x, 'float64') * 0.5
    positive = half >= 0
    u = pt.switch(positive, half, -half)  # |x / 2|, with slope 1 at 0
    tanh_u = pt.switch(u < 1.7, 1.5 * u / (1 + u),
                       pt.switch(u < 3, 0.935409070603099
                                 + 0.0458812946797165 * (u - 1.7),
                                 0.99505475368673))
    z = pt.cast(pt.switch(positive, tanh_u, -tanh_u), dtype)
    return pt.cast(0.5 * (pt.cast(z, 'float64') + 1.), dtype)


def hard_sigmoid(x):
    """Theano's cruder approximation: ``clip(0.2 x + 0.5, 0, 1)``, the
    slope and shift of the output's dtype (Theano's ``upgrade_to_float``
    of x's)."""
    x = pt.as_tensor_variable(x)
    dtype = _float_dtype(x.type.dtype)
    slope = pt.constant(0.2, dtype=dtype)
    shift = pt.constant(0.5, dtype=dtype)
    return pt.clip(x * slope + shift, 0, 1)


ScalarSigmoid = _scalar_math.Sigmoid
ScalarSoftplus = _scalar_math.Softplus
scalar_sigmoid = _scalar_math.sigmoid
scalar_softplus = _scalar_math.softplus
# Theano's approximation of the sigmoid; computed exactly here, as the
# package's ultra_fast_sigmoid is
ultra_fast_scalar_sigmoid = _scalar_math.sigmoid

# The sigmoid written over its input (which it destroys): what Theano's
# optimizer put in place of sigmoid when it could.
sigmoid_inplace = Elemwise(_scalar_math.sigmoid, inplace_pattern={0: 0},
                           name='sigmoid_inplace')
ultra_fast_sigmoid_inplace = sigmoid_inplace

__getattr__ = module_getattr(__name__)
