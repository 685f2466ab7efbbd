"""engine.elementwise: float32 tanh in vector registers.

The kernel's values against tanh computed in float64 by the C library
(NumPy's, rounded once to float32), over a dense sweep of the float32
range and its special values; the rewrite against PyTensor's own C code
on the graphs it takes and those it leaves alone.
"""

import numpy
import pytensor
import pytest

from theano_compat import theano, T
from theano_compat.engine import cvm, elementwise, flags
from conftest import compiled_ops

PLAIN_C = 'CVM'  # PyTensor's C backend without this port's rewrites


def ulps_apart(a, b):
    """How many float32 values lie between a and b (both float32, finite
    or infinite, same shape), counted across zero."""
    def ordered(v):
        i = v.view(numpy.int32).astype(numpy.int64)
        return numpy.where(i < 0, -(i & 0x7fffffff), i)
    return numpy.abs(ordered(a) - ordered(b))


@pytest.fixture(scope='module')
def float32_tanh():
    x = T.fvector('x')
    fn = theano.function([x], T.tanh(x))
    assert compiled_ops(fn) == ['Float32Tanh']
    return fn


def test_within_one_ulp_of_tanh_over_the_float32_range(float32_tanh):
    # every 513th bit pattern: every sign, exponent and low mantissa bits
    bits = numpy.arange(0, 2 ** 32, 513, dtype=numpy.uint64)
    x = bits.astype(numpy.uint32).view(numpy.float32)
    got = float32_tanh(x)
    with numpy.errstate(invalid='ignore'):
        want = numpy.tanh(x.astype(numpy.float64)).astype(numpy.float32)
    nan = numpy.isnan(x)
    assert numpy.isnan(got[nan]).all()
    apart = ulps_apart(got[~nan], want[~nan])
    assert apart.max() <= 1
    # in practice it is the correctly rounded value everywhere
    assert numpy.count_nonzero(apart) <= x.size // 1000000


def test_special_values(float32_tanh):
    tiny = numpy.float32(1.4e-45)             # the smallest subnormal
    x = numpy.array([0., -0., numpy.inf, -numpy.inf, numpy.nan, tiny, -tiny,
                     1e-39, 1e-30, 3e-4, 9.01, 9.011, 20., 1e30,
                     numpy.finfo(numpy.float32).max, -9.011], numpy.float32)
    got = float32_tanh(x)
    assert list(numpy.signbit(got[:2])) == [False, True]
    assert list(got[2:4]) == [1., -1.]
    assert numpy.isnan(got[4])
    assert list(got[5:9]) == list(x[5:9])    # tanh(x) rounds to x
    with numpy.errstate(invalid='ignore'):
        want = numpy.tanh(x.astype(numpy.float64)).astype(numpy.float32)
    assert list(got[9:11]) == list(want[9:11])
    assert got[10] < 1                        # tanh(9.01) is under 1
    assert list(got[11:15]) == [1.] * 4 and got[15] == -1.


def test_every_length_and_layout_is_pytensors_up_to_the_bound():
    # PyTensor's C code calls tanhf (within 2 ulps, glibc says); the
    # kernel is within 1 of the correctly rounded value: 3 apart at most.
    x = T.ftensor3('x')
    ours = theano.function([x], T.tanh(x))
    theirs = pytensor.function([x], T.tanh(x), mode=PLAIN_C)
    assert 'Float32Tanh' in compiled_ops(ours)
    assert 'Float32Tanh' not in compiled_ops(theirs)
    rng = numpy.random.default_rng(5)
    shapes = [(1, 1, n) for n in range(1, 18)] + [(0, 3, 2), (7, 30, 41)]
    for shape in shapes:
        v = rng.normal(scale=3, size=shape).astype(numpy.float32)
        got, want = ours(v), theirs(v)
        assert got.shape == want.shape and got.dtype == numpy.float32
        assert ulps_apart(got, want).max(initial=0) <= 3, shape
    strided = rng.normal(size=(6, 8, 10)).astype(numpy.float32)
    for view in (strided.transpose(2, 0, 1), strided[:, ::2, 1:]):
        assert ulps_apart(ours(view), theirs(view)).max() <= 3


def test_a_layers_bias_tanh_and_gradient_are_pytensors():
    # the LeNet layer's tanh(pooled + b), flattened for the next layer,
    # and its gradient: one Float32Tanh serves both
    x, b = T.ftensor4('x'), T.fvector('b')
    y = T.tanh(x + b.dimshuffle('x', 0, 'x', 'x'))
    cost = (T.dot(y.flatten(2), T.ones((24, 1), 'float32')) ** 2).sum()
    outputs = [y, T.grad(cost, x), T.grad(cost, b)]
    ours = theano.function([x, b], outputs)
    theirs = pytensor.function([x, b], outputs, mode=PLAIN_C)
    assert compiled_ops(ours).count('Float32Tanh') == 1
    assert 'Tanh' not in compiled_ops(ours) and not any(
        'tanh' in str(op) for op in compiled_ops(ours))  # nor in a loop
    rng = numpy.random.default_rng(6)
    xv = rng.normal(size=(5, 2, 3, 4)).astype(numpy.float32)
    bv = rng.normal(size=2).astype(numpy.float32)
    for got, want in zip(ours(xv, bv), theirs(xv, bv)):
        numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_float64_and_excluded_tanh_stay_pytensors(monkeypatch):
    rng = numpy.random.default_rng(7)
    for variable, dtype in ((T.dmatrix('d'), 'float64'),
                            (T.imatrix('i'), 'int32')):  # tanh is float64
        ours = theano.function([variable], T.tanh(variable))
        theirs = pytensor.function([variable], T.tanh(variable),
                                   mode=PLAIN_C)
        assert 'Float32Tanh' not in compiled_ops(ours)
        v = (rng.normal(scale=3, size=(9, 11)) * 3).astype(dtype)
        assert numpy.array_equal(ours(v), theirs(v))
    # THEANO_FLAGS=optimizer_excluding=vectorised_tanh, as parsed
    excluding = flags.parse_theano_flags(
        'optimizer_excluding=vectorised_tanh')['optimizer_excluding']
    assert excluding == (elementwise.REWRITE_NAME,)
    assert elementwise.REWRITE_NAME in cvm.REWRITE_NAMES
    monkeypatch.setitem(flags.FLAGS, 'optimizer_excluding', excluding)
    x = T.fmatrix('x')
    ours = theano.function([x], T.tanh(x))
    theirs = pytensor.function([x], T.tanh(x), mode=PLAIN_C)
    assert 'Float32Tanh' not in compiled_ops(ours)
    v = rng.normal(scale=3, size=(9, 11)).astype(numpy.float32)
    assert numpy.array_equal(ours(v), theirs(v))


def test_python_code_gives_the_kernels_values(float32_tanh):
    # the op's perform(), for PyTensor's Python modes
    x = T.fvector('x')
    python = theano.function([x], elementwise.Float32Tanh()(x),
                             mode=pytensor.compile.mode.Mode(linker='py'))
    assert compiled_ops(python) == ['Float32Tanh']
    v = numpy.random.default_rng(8).normal(scale=4, size=1000).astype(
        numpy.float32)
    assert numpy.array_equal(python(v), float32_tanh(v))
