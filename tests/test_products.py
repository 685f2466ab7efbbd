"""float32 matrix products in blocks (theano_compat.engine.products).

``BlockedDot`` takes the place of PyTensor's float32 ``Dot22``: a large
product cut into blocks fixed by its shape, each one OpenBLAS gemm on one
thread; a small one is ``Dot22``'s own call.  Checked against float64
products computed by NumPy, and against ``Dot22`` itself.
"""

import numpy
import pytensor
import pytest

from theano_compat import theano, T
from theano_compat.engine import cvm, flags, products
from conftest import compiled_ops

PLAIN_C = 'CVM'  # PyTensor's C backend without this port's rewrites


def dot_functions(dtype='float32'):
    a, b = T.matrix('a', dtype=dtype), T.matrix('b', dtype=dtype)
    return (theano.function([a, b], T.dot(a, b)),
            pytensor.function([a, b], T.dot(a, b), mode=PLAIN_C))


# (m, k, n): blocked (at least MIN_MULTIPLY_ADDS) by columns, by rows, and
# a small product
SHAPES = [(500, 800, 500), (900, 3000, 40), (60, 50, 70)]


def test_blocked_products_are_float32_rounding_on_any_threads(monkeypatch):
    """Within float32's rounding of the float64 product (as close as
    Dot22's), whatever the operands' layout, and the same bits on 1 and 3
    threads."""
    r = numpy.random.default_rng(0)
    operands = {(m, k, n): (r.uniform(-1, 1, (m, k)).astype('float32'),
                            r.uniform(-1, 1, (k, n)).astype('float32'))
                for m, k, n in SHAPES[:2]}
    results = {}
    for threads in ('1', '3'):
        monkeypatch.setenv('OMP_NUM_THREADS', threads)
        ours, theirs = dot_functions()
        assert compiled_ops(ours) == ['BlockedDot']
        assert compiled_ops(theirs) == ['Dot22']
        for (m, k, n), (A, B) in operands.items():
            assert m * k * n >= products.MIN_MULTIPLY_ADDS
            got = ours(A, B)
            exact = A.astype(numpy.float64) @ B.astype(numpy.float64)
            error = abs(got - exact).max()
            assert error <= 2 * abs(theirs(A, B) - exact).max() + 1e-6
            assert error < 1e-6 * k
            # transposed and strided operands: the same bits
            for a, b in ((numpy.asfortranarray(A), B.T.copy().T),
                         (A[:, ::-1][:, ::-1], numpy.asfortranarray(B)),
                         (numpy.repeat(A, 2, axis=1)[:, ::2], B)):
                assert ours(a, b).tobytes() == got.tobytes()
            results.setdefault((m, k, n), []).append(got.tobytes())
    for bits in results.values():
        assert bits[0] == bits[1]


def test_small_products_and_other_graphs_stay_dot22s(monkeypatch):
    r = numpy.random.default_rng(1)
    m, k, n = SHAPES[2]
    A = r.uniform(-1, 1, (m, k)).astype('float32')
    B = r.uniform(-1, 1, (k, n)).astype('float32')
    ours, theirs = dot_functions()
    assert ours(A, B).tobytes() == theirs(A, B).tobytes()
    # empty products
    assert ours(A[:0], B).shape == (0, n)
    assert not ours(A[:, :0], B[:0]).any()
    with pytest.raises(ValueError):
        ours(A, A)
    # float64, and THEANO_FLAGS=optimizer_excluding=blocked_dot
    ours64, _ = dot_functions('float64')
    assert compiled_ops(ours64) == ['Dot22']
    assert products.REWRITE_NAME in cvm.REWRITE_NAMES
    monkeypatch.setitem(flags.FLAGS, 'optimizer_excluding',
                        (products.REWRITE_NAME,))
    excluded, _ = dot_functions()
    assert compiled_ops(excluded) == ['Dot22']


def test_gradient_and_python_code():
    a, b = T.fmatrix('a'), T.fmatrix('b')
    out = products.BlockedDot()(a, b)
    ga, gb = T.grad((out * out).sum(), [a, b])
    python = theano.function([a, b], [out, ga, gb],
                             mode=pytensor.compile.mode.Mode(linker='py'))
    r = numpy.random.default_rng(2)
    A = r.standard_normal((4, 3)).astype('float32')
    B = r.standard_normal((3, 5)).astype('float32')
    got, got_a, got_b = python(A, B)
    numpy.testing.assert_allclose(got, A @ B, rtol=1e-6)
    numpy.testing.assert_allclose(got_a, 2 * (A @ B) @ B.T, rtol=1e-5)
    numpy.testing.assert_allclose(got_b, 2 * A.T @ (A @ B), rtol=1e-5)
    with pytest.raises(TypeError, match='two float32 matrices'):
        products.BlockedDot()(T.dmatrix(), b)
