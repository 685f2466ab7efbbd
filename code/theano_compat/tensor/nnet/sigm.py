"""``theano.tensor.nnet.sigm``: the sigmoid, its approximations, and
softplus, elementwise and scalar.

``ultra_fast_sigmoid`` and ``hard_sigmoid`` are Theano's approximations
of the sigmoid, as graphs of PyTensor operations that compute Theano's
values (``theano.tensor.nnet`` serves them).  ``sigmoid`` and
``softplus`` live in the package ``theano.tensor.nnet``, where they are
PyTensor's ops, so that PyTensor's rewrites of sigmoid graphs
(``log(sigmoid(x))`` as ``-softplus(-x)``, and the others the table of
``theano_compat.names`` lists) still find them.

This module also holds Theano's scalar ops: :class:`ScalarSigmoid` and
:class:`ScalarSoftplus` compute with Theano 1.0.5's C formulas, which cut
off where the result no longer changes in the dtype (or nearly: Theano's
sigmoid is 1 above 19 in float64, where the exact value is 1 - 5.6e-9 at
19), not with PyTensor's.  In the C backend's mode the rewrites
``theano_sigmoid`` and ``theano_softplus`` (``engine.elementwise``) put
them in place of PyTensor's, so that the tutorials compute what Theano
computed: the RBM's float64 PCD costs differ from Theano's from the
second step on otherwise.
"""

import numpy
import pytensor.tensor as pt
from pytensor.scalar import basic as _scalar_basic
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


# Theano's cut-offs, by the input's type (float16 is computed in float32):
# (below this the result is 0, above this it is 1 or x).
SIGMOID_LIMITS = {'float64': (-709.0, 19.0), 'float32': (-88.0, 15.0)}
SOFTPLUS_LIMITS = {'float64': (-745.0, 16.0), 'float32': (-103.0, 14.0)}


def _limits(table, x):
    """``table``'s limits for the type of ``x``, as the C code picks them:
    float32's for NumPy's float32 (and float16) numbers, float64's for
    the others.  (PyTensor's Elemwise hands ``impl`` Python floats in its
    Python modes, whatever the dtype: a float32 Elemwise of these ops
    computes there with float64's cut-offs, rounded to float32.)"""
    dtype = getattr(x, 'dtype', None)
    return table['float32' if dtype in (numpy.float32, numpy.float16)
                 else 'float64']


class ScalarSigmoid(_scalar_math.Sigmoid):
    """``1 / (1 + exp(-x))``, 0 below -709 and 1 above 19 (float64), 0
    below -88 and 1 above 15 (float32), as Theano's C code computed it.

    A subclass of PyTensor's ``Sigmoid``: its gradient, and its code in
    the backends that dispatch on the op's class (JAX), are PyTensor's.
    """

    nfunc_spec = None  # (Elemwise would call SciPy's expit instead)

    def impl(self, x):
        low, high = _limits(SIGMOID_LIMITS, x)
        if x < low:
            return x.dtype.type(0) if hasattr(x, 'dtype') else 0.0
        if x > high:
            return x.dtype.type(1) if hasattr(x, 'dtype') else 1.0
        one = x.dtype.type(1) if hasattr(x, 'dtype') else 1.0
        return one / (one + numpy.exp(-x))

    def c_code(self, node, name, inp, out, sub):
        (x,), (z,) = inp, out
        dtype = node.inputs[0].type.dtype
        if dtype not in ('float16', 'float32', 'float64'):
            raise NotImplementedError('only floating point is implemented')
        if dtype == 'float64':
            return ('%(z)s = %(x)s < -709.0 ? 0.0 : %(x)s > 19.0 ? 1.0 : '
                    '1.0 / (1.0 + exp(-%(x)s));' % locals())
        # exp of a float is the float overload, as in Theano's C code
        return ('%(z)s = %(x)s < -88.0f ? 0.0 : %(x)s > 15.0f ? 1.0f : '
                '1.0f / (1.0f + exp(-%(x)s));' % locals())

    def c_code_cache_version(self):
        return (1, 'theano') + tuple(super().c_code_cache_version())


class ScalarSoftplus(_scalar_math.Softplus):
    """``log1p(exp(x))``, 0 below -745 and x above 16 (float64), 0 below
    -103 and x above 14 (float32), as Theano's C code computed it.

    A subclass of PyTensor's ``Softplus`` (see :class:`ScalarSigmoid`).
    """

    nfunc_spec = None

    def impl(self, x):
        low, high = _limits(SOFTPLUS_LIMITS, x)
        if x < low:
            return x.dtype.type(0) if hasattr(x, 'dtype') else 0.0
        if x > high:
            return x
        return numpy.log1p(numpy.exp(x))

    def c_code(self, node, name, inp, out, sub):
        (x,), (z,) = inp, out
        dtype = node.inputs[0].type.dtype
        if dtype not in ('float16', 'float32', 'float64'):
            raise NotImplementedError('only floating point is implemented')
        if dtype == 'float64':
            return ('%(z)s = %(x)s < -745.0 ? 0.0 : %(x)s > 16.0 ? %(x)s : '
                    'log1p(exp(%(x)s));' % locals())
        return ('%(z)s = %(x)s < -103.0f ? 0.0 : %(x)s > 14.0f ? %(x)s : '
                'log1p(exp(%(x)s));' % locals())

    def c_code_cache_version(self):
        return (1, 'theano') + tuple(super().c_code_cache_version())


scalar_sigmoid = ScalarSigmoid(_scalar_basic.upgrade_to_float,
                               name='scalar_sigmoid')
scalar_softplus = ScalarSoftplus(_scalar_basic.upgrade_to_float,
                                 name='scalar_softplus')
# Theano's scalar op of its approximation; here the scalar sigmoid itself
# (the elementwise ultra_fast_sigmoid above is Theano's approximation)
ultra_fast_scalar_sigmoid = scalar_sigmoid

# The sigmoid written over its input (which it destroys): what Theano's
# optimizer put in place of sigmoid when it could.
sigmoid_inplace = Elemwise(scalar_sigmoid, inplace_pattern={0: 0},
                           name='sigmoid_inplace')
ultra_fast_sigmoid_inplace = sigmoid_inplace

__getattr__ = module_getattr(__name__)
