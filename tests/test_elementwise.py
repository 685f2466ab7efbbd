"""engine.elementwise: Theano's sigmoid and softplus, and float32 tanh,
sigmoid and softplus in vector registers.

The kernels' values against the function computed in float64 by NumPy,
rounded once to float32, over a dense sweep of the float32 range and its
special values; Theano's scalar ops against Theano's C formulas with the
C library's functions; the rewrites against PyTensor's own C code on the
graphs they take and those they leave alone.
"""

import ctypes
import ctypes.util

import numpy
import pytensor
import pytest
from pytensor.tensor.elemwise import Elemwise

from theano_compat import theano, T
from theano_compat.engine import cvm, elementwise, flags
from theano_compat.tensor.nnet import sigm
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


# ----------------------------------------------------------------------------
# Theano's sigmoid and softplus.

def theanos_float32(name, x):
    """Theano's float32 sigmoid or softplus of the float32 array ``x``,
    computed in float64 by NumPy (its cut-offs kept) and rounded once."""
    with numpy.errstate(over='ignore', invalid='ignore'):
        d = x.astype(numpy.float64)
        if name == 'sigmoid':
            value = numpy.where(d < -88, 0., numpy.where(
                d > 15, 1., 1 / (1 + numpy.exp(-d))))
        else:
            value = numpy.where(d < -103, 0., numpy.where(
                d > 14, d, numpy.logaddexp(0., d)))
    return value.astype(numpy.float32)


FUNCTIONS = {'sigmoid': (T.nnet.sigmoid, 'Float32Sigmoid'),
             'softplus': (T.nnet.softplus, 'Float32Softplus')}


@pytest.fixture(scope='module')
def float32_logistic():
    x = T.fvector('x')
    functions = {}
    for name, (function, op) in FUNCTIONS.items():
        functions[name] = theano.function([x], function(x))
        assert compiled_ops(functions[name]) == [op]
    return functions


@pytest.mark.parametrize('name', sorted(FUNCTIONS))
def test_within_one_ulp_over_the_float32_range(name, float32_logistic):
    bits = numpy.arange(0, 2 ** 32, 513, dtype=numpy.uint64)
    x = bits.astype(numpy.uint32).view(numpy.float32)
    got = float32_logistic[name](x)
    want = theanos_float32(name, x)
    nan = numpy.isnan(x)
    assert numpy.isnan(got[nan]).all()
    apart = ulps_apart(got[~nan], want[~nan])
    assert apart.max() <= 1
    # in practice it is the correctly rounded value everywhere
    assert numpy.count_nonzero(apart) <= x.size // 1000000


def test_special_values_and_theanos_cut_offs(float32_logistic):
    tiny = numpy.float32(1.4e-45)
    big = numpy.finfo(numpy.float32).max
    x = numpy.array([0., -0., tiny, -tiny, numpy.inf, -numpy.inf, numpy.nan,
                     -88., -88.00001, 15., 15.000001, -103., -103.00001,
                     14., 14.000001, 20., big, -big], numpy.float32)
    sigmoid = float32_logistic['sigmoid'](x)
    softplus = float32_logistic['softplus'](x)
    assert list(sigmoid[:4]) == [.5] * 4
    assert list(sigmoid[4:6]) == [1., 0.] and numpy.isnan(sigmoid[6])
    assert 0 < sigmoid[7] < 1e-38 and sigmoid[8] == 0    # Theano's 0
    assert sigmoid[9] < 1 and sigmoid[10] == 1           # and its 1
    assert list(sigmoid[15:]) == [1., 1., 0.]
    assert list(softplus[:4]) == [numpy.float32(numpy.log(2))] * 4
    assert list(softplus[4:6]) == [numpy.inf, 0.] and numpy.isnan(softplus[6])
    assert 0 < softplus[11] < 1e-44 and softplus[12] == 0
    assert softplus[13] > 14 and softplus[14] == x[14]   # x above 14
    assert list(softplus[15:]) == [20., big, 0.]
    for name, got in (('sigmoid', sigmoid), ('softplus', softplus)):
        want = theanos_float32(name, x)
        finite = ~numpy.isnan(x)
        assert list(got[finite]) == list(want[finite]), name


def test_kernels_are_within_two_ulps_of_theanos_float32_code():
    # Theano's own float32 C code (expf and log1pf in float), which this
    # port runs with the vectorised rewrites left out, on every length and
    # layout
    x = T.ftensor3('x')
    rng = numpy.random.default_rng(9)
    shapes = [(1, 1, n) for n in range(1, 18)] + [(0, 3, 2), (7, 30, 41)]
    for name, (function, op) in FUNCTIONS.items():
        ours = theano.function([x], function(x))
        scalar = getattr(sigm, 'scalar_' + name)
        theirs = pytensor.function([x], Elemwise(scalar)(x), mode=PLAIN_C)
        excluded = theano.function([x], function(x), mode=cvm.fast_cvm(
            ('vectorised_' + name,)))
        assert compiled_ops(ours) == [op]
        assert op not in compiled_ops(excluded)
        for shape in shapes:
            v = rng.normal(scale=8, size=shape).astype(numpy.float32)
            got, want = ours(v), theirs(v)
            assert got.shape == want.shape and got.dtype == numpy.float32
            assert ulps_apart(got, want).max(initial=0) <= 2, shape
            assert numpy.array_equal(excluded(v), want)
        strided = rng.normal(scale=8, size=(6, 8, 10)).astype(numpy.float32)
        for view in (strided.transpose(2, 0, 1), strided[:, ::2, 1:]):
            assert ulps_apart(ours(view), theirs(view)).max() <= 2


def _c_library():
    library = ctypes.CDLL(ctypes.util.find_library('m'))
    for name in ('exp', 'log1p'):
        getattr(library, name).restype = ctypes.c_double
        getattr(library, name).argtypes = [ctypes.c_double]
    return library


def test_float64_is_theanos_formula_to_the_bit():
    # Theano 1.0.5's C code, written out with the C library's exp and
    # log1p: 1 above 19 and 0 below -709 (sigmoid), x above 16 and 0 below
    # -745 (softplus); PyTensor's own code differs above 16 and 19
    libm = _c_library()

    def sigmoid(v):
        return 0. if v < -709 else 1. if v > 19 else 1 / (1 + libm.exp(-v))

    def softplus(v):
        return 0. if v < -745 else v if v > 16 else libm.log1p(libm.exp(v))

    rng = numpy.random.default_rng(10)
    values = numpy.concatenate([
        rng.normal(scale=20, size=1500), rng.uniform(15, 35, size=300),
        [-800., -745.5, -744.5, -709.5, -708.5, 16., 16.5, 19., 19.5, 0.]])
    x = T.dvector('x')
    for function, formula in ((T.nnet.sigmoid, sigmoid),
                              (T.nnet.softplus, softplus)):
        ours = theano.function([x], function(x))
        assert not any(op.startswith('Float32') for op in compiled_ops(ours))
        want = numpy.array([formula(v) for v in values])
        assert ours(values).tobytes() == want.tobytes()
        theirs = pytensor.function([x], function(x), mode=PLAIN_C)
        assert not numpy.array_equal(theirs(values), want)


def test_scalar_ops_python_code_is_their_c_code():
    # perform() of Theano's scalar ops, for PyTensor's Python modes; their
    # Elemwise hands them Python floats, which get float64's cut-offs
    python = pytensor.compile.mode.Mode(linker='py', optimizer=None)
    rng = numpy.random.default_rng(11)
    x = T.dvector('x')
    values = numpy.concatenate([rng.normal(scale=30, size=500),
                                [-800., -744.5, -708.5, 17., 20.]])
    for scalar in (sigm.scalar_sigmoid, sigm.scalar_softplus):
        graph = Elemwise(scalar)(x)
        got = pytensor.function([x], graph, mode=python)(values)
        want = pytensor.function([x], graph, mode=PLAIN_C)(values)
        numpy.testing.assert_allclose(got, want, rtol=4e-16, atol=0)
    # NumPy's float32 numbers get float32's
    f32 = numpy.float32
    assert sigm.scalar_sigmoid.impl(f32(-88.5)) == 0
    assert sigm.scalar_sigmoid.impl(f32(15.5)) == 1
    assert 0 < sigm.scalar_sigmoid.impl(-88.5) < 1e-38
    assert sigm.scalar_softplus.impl(f32(-103.5)) == 0
    assert sigm.scalar_softplus.impl(f32(14.5)) == f32(14.5)
    assert sigm.scalar_softplus.impl(14.5) > 14.5


def test_a_denoising_cost_and_its_gradient_use_the_kernels():
    # dA's cross-entropy, which PyTensor turns into softplus terms, and
    # its gradient: no sigmoid or softplus is left in PyTensor's loops
    x, W = T.fmatrix('x'), T.fmatrix('W')
    z = T.nnet.sigmoid(T.dot(x, W))
    cost = T.mean(-T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1))
    outputs = [cost, T.grad(cost, W)]
    ours = theano.function([x, W], outputs)
    theirs = pytensor.function([x, W], outputs, mode=PLAIN_C)
    ops = compiled_ops(ours)
    assert 'Float32Softplus' in ops and 'Float32Sigmoid' in ops
    for node in ours.maker.fgraph.apply_nodes:
        assert not any(name in str(node.op) for name in ('igmoid',
                                                          'oftplus')) or \
            type(node.op).__name__.startswith('Float32'), node.op
    rng = numpy.random.default_rng(12)
    xv = rng.uniform(size=(20, 30)).astype(numpy.float32)
    Wv = rng.normal(scale=2, size=(30, 30)).astype(numpy.float32)
    for got, want in zip(ours(xv, Wv), theirs(xv, Wv)):
        numpy.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_excluded_theano_ops_leave_pytensors():
    rng = numpy.random.default_rng(13)
    for dtype in ('float64', 'float32'):
        x = T.vector('x', dtype=dtype)
        v = rng.uniform(-30, 30, size=200).astype(dtype)
        for name, (function, op) in FUNCTIONS.items():
            excluded = cvm.fast_cvm(('theano_' + name,))
            ours = theano.function([x], function(x), mode=excluded)
            theirs = pytensor.function([x], function(x), mode=PLAIN_C)
            assert op not in compiled_ops(ours)
            assert numpy.array_equal(ours(v), theirs(v))
    # ints and float16 are PyTensor's business
    for variable in (T.ivector('i'), T.vector('h', dtype='float16')):
        for function, op in FUNCTIONS.values():
            fn = theano.function([variable], function(variable))
            assert not any(type(node.op.scalar_op).__module__ == sigm.__name__
                           for node in fn.maker.fgraph.apply_nodes
                           if hasattr(node.op, 'scalar_op'))
    for name in ('theano_sigmoid', 'theano_softplus', 'vectorised_sigmoid',
                 'vectorised_softplus'):
        assert name in cvm.REWRITE_NAMES
        assert flags.parse_theano_flags('optimizer_excluding=' + name)[
            'optimizer_excluding'] == (name,)


def test_float32_ops_python_code_gives_the_kernels_values(float32_logistic):
    python = pytensor.compile.mode.Mode(linker='py')
    x = T.fvector('x')
    v = numpy.random.default_rng(14).normal(scale=20, size=2000).astype(
        numpy.float32)
    for name, op in ((n, getattr(elementwise, o)) for n, (_, o)
                     in FUNCTIONS.items()):
        fn = theano.function([x], op()(x), mode=python)
        assert numpy.array_equal(fn(v), float32_logistic[name](v))
    # and the gradients the ops give when a graph is differentiated
    # through them: Theano's sigmoid's
    y = elementwise.Float32Softplus()(x).sum() + \
        elementwise.Float32Sigmoid()(x).sum()
    grad = theano.function([x], T.grad(y, x))(v[:50])
    s = 1 / (1 + numpy.exp(-v[:50].astype(numpy.float64)))
    numpy.testing.assert_allclose(grad, s + s * (1 - s), rtol=1e-5,
                                  atol=1e-7)


def test_theanos_scalar_ops_run_in_mode_jax():
    # JAX has no cut-offs of Theano's: PyTensor's sigmoid's and softplus's
    # JAX functions, which the scalar ops get
    x = T.dvector('x')
    v = numpy.array([-30., -1., 0., 2., 40.])
    for scalar, want in ((sigm.scalar_sigmoid, 1 / (1 + numpy.exp(-v))),
                         (sigm.scalar_softplus, numpy.logaddexp(0, v))):
        got = theano.function([x], Elemwise(scalar)(x), mode='JAX')(v)
        numpy.testing.assert_allclose(got, want, rtol=1e-15)
