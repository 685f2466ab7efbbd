"""``theano.tensor.nnet.sigm``: the sigmoid and softplus, elementwise and
scalar.

``sigmoid``, ``softplus``, ``ultra_fast_sigmoid`` and ``hard_sigmoid``
live in the package ``theano.tensor.nnet``; this module holds Theano's
scalar ops and in-place forms of them, PyTensor's
``pytensor.scalar.math`` ops under Theano's names.  Theano's rewrites of
sigmoid graphs are PyTensor's business (the table of
``theano_compat.names`` says so for each).
"""

from pytensor.scalar import math as _scalar_math
from pytensor.tensor.elemwise import Elemwise

from theano_compat.names import module_getattr

__all__ = ['ScalarSigmoid', 'ScalarSoftplus', 'scalar_sigmoid',
           'scalar_softplus', 'ultra_fast_scalar_sigmoid', 'sigmoid_inplace',
           'ultra_fast_sigmoid_inplace']

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
