"""theano_compat: THEANO_FLAGS parsing and the Theano names it serves."""

import os
import subprocess
import sys

import numpy
import pytensor
import pytensor.tensor
import pytest

import pytensor_fused

import theano_compat
from theano_compat import theano, T, parse_theano_flags, TheanoFlagsError
from conftest import CODE


def test_defaults():
    assert parse_theano_flags('') == {'floatX': 'float64', 'device': 'cpu',
                                      'mode': None}
    assert theano_compat.default_mode(parse_theano_flags('')) == 'CVM'


def test_flags_as_users_write_them():
    flags = parse_theano_flags(' floatX=float32 , device=cpu,mode=FAST_RUN ')
    assert flags == {'floatX': 'float32', 'device': 'cpu',
                     'mode': 'FAST_RUN'}
    assert theano_compat.default_mode(flags) == 'CVM'


@pytest.mark.parametrize('text, message', [
    ('floatX=float16', "floatX='float16' is not supported; use one of: "
                       "float64, float32"),
    ('device=tpu9', "device='tpu9' is not supported"),
    ('device=cudax', "device='cudax' is not supported"),
    ('mode=NOPE', "mode='NOPE' is not supported; use one of: CVM"),
    ('floatx=float32', "unknown flag 'floatx'"),
    ('floatX', "'floatX' is not of the form name=value"),
    ('floatX=', "'floatX=' is not of the form name=value"),
])
def test_bad_flags_name_the_flag(text, message):
    with pytest.raises(TheanoFlagsError) as info:
        parse_theano_flags(text)
    assert message in str(info.value)


def test_bad_flag_at_import_is_one_clear_line():
    env = dict(os.environ, THEANO_FLAGS='device=tpu9', PYTHONPATH=CODE)
    run = subprocess.run([sys.executable, '-c', 'import theano_compat'],
                         env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith(
        "theano_compat.TheanoFlagsError: THEANO_FLAGS: device='tpu9' is not "
        "supported; use one of: cpu, cuda")


def test_names_map_onto_pytensor():
    assert theano.tensor is T
    assert theano.shared is pytensor.shared
    assert theano.config is pytensor.config
    # T.grad is PyTensor's, except for the tutorial's own cost (test_fused)
    assert T.grad is theano.grad is pytensor_fused.grad
    x = T.dvector('x')
    assert T.grad((x ** 2).sum(), x).eval({x: [1., 3.]}).tolist() == [2., 6.]
    assert T.matrix is pytensor.tensor.matrix
    assert T.nnet.sigmoid is pytensor.tensor.sigmoid
    with pytest.raises(AttributeError, match='no attribute'):
        T.no_such_op


def test_pytensor_modules_are_untouched():
    assert not hasattr(pytensor.tensor, 'nnet')
    assert 'theano' not in sys.modules or not sys.modules[
        'theano'].__name__.startswith('theano_compat')


def test_function_defaults_to_cvm():
    x = T.dvector('x')
    f = theano.function([x], 2 * x)
    assert type(f.maker.linker).__name__ == 'VMLinker'
    assert f.maker.linker.use_cloop
    numpy.testing.assert_array_equal(f([1., 2.]), [2., 4.])


def test_nnet_helpers():
    x = T.dmatrix('x')
    values = numpy.array([[-2., 0., 3.]])
    f = theano.function([x], [T.nnet.relu(x), T.nnet.hard_sigmoid(x),
                              T.nnet.logsoftmax(x)])
    relu, hard, logsm = f(values)
    numpy.testing.assert_array_equal(relu, [[0., 0., 3.]])
    numpy.testing.assert_allclose(hard, [[0.1, 0.5, 1.]])
    numpy.testing.assert_allclose(numpy.exp(logsm).sum(), 1.)
