"""The LogisticRegression graph against NumPy, on small data."""

import numpy
import pytest

from theano_compat import theano, T
from logistic_sgd import LogisticRegression
import logistic_numpy


def random_problem(n=50, n_in=20, n_out=10, seed=0):
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, n_in)
    y = rng.randint(0, n_out, size=n).astype('int32')
    W = rng.randn(n_in, n_out) * 0.3
    b = rng.randn(n_out) * 0.3
    return x, y, W, b


def build(n_in=20, n_out=10):
    x = T.dmatrix('x')
    y = T.ivector('y')
    model = LogisticRegression(input=x, n_in=n_in, n_out=n_out)
    return x, y, model


def test_parameters_start_at_zero_in_floatx():
    _, _, model = build(n_in=7, n_out=3)
    assert model.W.get_value().shape == (7, 3)
    assert model.b.get_value().shape == (3,)
    assert not model.W.get_value().any() and not model.b.get_value().any()
    assert model.W.dtype == theano.config.floatX
    assert model.params == [model.W, model.b]


def test_softmax_is_row_wise():
    x = T.dmatrix('x')
    f = theano.function([x], T.nnet.softmax(x))
    values = numpy.random.RandomState(1).randn(5, 4) * 10
    out = f(values)
    numpy.testing.assert_allclose(out.sum(axis=1), numpy.ones(5), rtol=1e-12)
    numpy.testing.assert_allclose(out, logistic_numpy.softmax(values),
                                  rtol=1e-12)


def test_gradient_matches_hand_derived_numpy():
    xv, yv, Wv, bv = random_problem()
    x, y, model = build()
    model.W.set_value(Wv)
    model.b.set_value(bv)
    cost = model.negative_log_likelihood(y)
    f = theano.function([x, y], [cost] + T.grad(cost, model.params))
    got_cost, got_gW, got_gb = f(xv, yv)
    want_cost, want_gW, want_gb = logistic_numpy.nll_and_grads(Wv, bv, xv, yv)
    numpy.testing.assert_allclose(got_cost, want_cost, rtol=1e-12)
    numpy.testing.assert_allclose(got_gW, want_gW, rtol=1e-12, atol=1e-12)
    numpy.testing.assert_allclose(got_gb, want_gb, rtol=1e-12, atol=1e-12)


def test_errors_and_nll_match_numpy():
    xv, yv, Wv, bv = random_problem(seed=3)
    x, y, model = build()
    model.W.set_value(Wv)
    model.b.set_value(bv)
    f = theano.function([x, y], [model.errors(y),
                                 model.negative_log_likelihood(y),
                                 model.y_pred])
    errors, nll, y_pred = f(xv, yv)
    assert errors == pytest.approx(logistic_numpy.error_rate(Wv, bv, xv, yv),
                                   abs=0)
    assert 0 < errors < 1
    assert nll == pytest.approx(
        logistic_numpy.nll_and_grads(Wv, bv, xv, yv)[0], rel=1e-12)
    numpy.testing.assert_array_equal(y_pred, numpy.argmax(xv.dot(Wv) + bv, 1))


def test_errors_refuses_wrong_rank_naming_both_types():
    _, _, model = build()
    with pytest.raises(TypeError) as info:
        model.errors(T.imatrix('y'))
    message = str(info.value)
    assert 'y_pred' in message and 'int32' in message and 'int64' in message


def test_errors_refuses_float_labels():
    _, _, model = build()
    with pytest.raises(TypeError, match='integer class labels'):
        model.errors(T.dvector('y'))
