"""The tutorial's training loop, end to end, on a small slice of MNIST.

The slice (3000 / 1000 / 1000 rows) with minibatches of 20 is small
enough to run in seconds yet long enough for the early stopping to end
the run by itself, so the whole loop is exercised.
"""

import os
import subprocess
import sys
import textwrap

import numpy
import pytensor
import pytest

from conftest import SMALL_RUN
import logistic_numpy
import logistic_sgd
import mnist_data
from conftest import CODE

def test_early_stopping_gives_the_pinned_result(small_run):
    result, _, _ = small_run
    # Pinned from this port's own run and equal to the NumPy reference
    # below: the loop stops by patience after 38 epochs.
    assert result['best_validation_loss'] == pytest.approx(0.114, abs=1e-12)
    assert result['test_score'] == pytest.approx(0.125, abs=1e-12)
    assert result['epochs'] == 38
    assert len(result['history']) == 37  # no check in the last epoch


def test_same_run_as_plain_numpy(small_run, small_sets):
    result, _, _ = small_run
    reference = logistic_numpy.sgd_optimization(small_sets, **SMALL_RUN)
    assert result['epochs'] == reference['epochs']
    assert result['best_validation_loss'] == pytest.approx(
        reference['best_validation_loss'], abs=1e-12)
    assert result['test_score'] == pytest.approx(reference['test_score'],
                                                 abs=1e-12)
    # every validation check, not only the last
    assert len(result['history']) == len(reference['history'])
    for got, want in zip(result['history'], reference['history']):
        assert got == pytest.approx(want, abs=1e-12)


def test_prints_the_tutorial_lines(small_run):
    _, out, _ = small_run
    lines = out.splitlines()
    assert lines[:4] == [
        '... loading data', '... building the model',
        '... using PyTensor %s, mode FAST_RUN, device cpu, floatX %s'
        % (pytensor.__version__, pytensor.config.floatX),
        '... training the model']
    assert lines[4] == 'epoch 1, minibatch 150/150, validation error 14.900000 %'
    assert lines[5] == ('     epoch 1, minibatch 150/150, test error of best '
                        'model 15.100000 %')
    assert lines[-2] == ('Optimization complete with best validation score '
                         'of 11.400000 %,with test performance 12.500000 %')
    assert lines[-1].startswith('The code run for 38 epochs, with ')
    assert lines[-1].endswith(' epochs/sec')


def test_best_model_is_saved_and_predict_uses_it(small_run, small_mnist,
                                                 small_sets, capsys):
    _, _, model = small_run
    params = mnist_data.load_params(model)
    assert params['W'].shape == (784, 10) and params['b'].shape == (10,)
    assert params['W'].any()
    predicted = logistic_sgd.predict(model_path=model, dataset=small_mnist,
                                     n=10)
    test_x = small_sets[2][0][:10]
    expected = numpy.argmax(test_x.dot(params['W']) + params['b'], axis=1)
    numpy.testing.assert_array_equal(predicted, expected)
    out = capsys.readouterr().out
    assert 'Predicted values for the first 10 examples in test set:' in out
    assert str(expected) in out


FLOAT32_SCRIPT = textwrap.dedent('''
    import sys
    from theano_compat import theano, T
    from logistic_sgd import LogisticRegression, load_data

    (train_x, train_y), _, _ = load_data(sys.argv[1])
    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    classifier = LogisticRegression(input=x, n_in=784, n_out=10)
    cost = classifier.negative_log_likelihood(y)
    updates = [(p, p - 0.13 * T.grad(cost, p)) for p in classifier.params]
    train_model = theano.function(
        [index], cost, updates=updates,
        givens={x: train_x[index * 20:(index + 1) * 20],
                y: train_y[index * 20:(index + 1) * 20]})
    print('floatX', theano.config.floatX)
    print('data', train_x.get_value(borrow=True).dtype)
    print('params', classifier.W.get_value().dtype,
          classifier.b.get_value().dtype)
    print('output', train_model(0).dtype)
    dtypes = set()
    fgraph = train_model.maker.fgraph
    for node in fgraph.apply_nodes:
        for var in node.outputs:
            if not fgraph.clients.get(var):
                continue  # an output nothing reads (the fused loop's rate)
            dtype = getattr(var.type, 'dtype', None)
            if dtype and dtype.startswith('float'):
                dtypes.add(dtype)
    print('graph', sorted(dtypes))
''')


def test_float32_really_runs_in_float32(small_mnist):
    env = dict(os.environ, THEANO_FLAGS='floatX=float32',
               PYTHONPATH=CODE + os.pathsep + os.environ.get('PYTHONPATH', ''))
    out = subprocess.run([sys.executable, '-c', FLOAT32_SCRIPT, small_mnist],
                         env=env, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[1:] == ['floatX float32', 'data float32',
                         'params float32 float32', 'output float32',
                         "graph ['float32']"]
