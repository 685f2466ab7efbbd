"""``theano.config``: Theano 1.0.5's options, ``~/.theanorc`` and
``THEANO_FLAGS``, held to the record of real Theano
(``tests/theano_names.json``, ``config``)."""

import json
import os
import subprocess
import sys

import numpy
import pytensor
import pytest

from theano_compat import theano
from theano_compat.configparser import (
    BoolParam, EnumStr, FloatParam, IntParam, StrParam)
from conftest import ROOT, child_environment, run_python

RECORD_PATH = os.path.join(ROOT, 'tests', 'theano_names.json')

# Where the declarations knowingly differ from Theano 1.0.5's, and why.
VALUES_DIFFER = {
    'floatX': 'no float16 here',
    'mode': 'the port\'s modes by name (FAST_RUN, CVM, FAST_COMPILE, JAX, '
            'NUMBA, C, PYTORCH); Theano\'s took Mode and the debug modes',
}
DEFAULTS_DIFFER = {
    'mode': 'FAST_RUN: Theano\'s default Mode meant it',
    'cxx': 'the compiler\'s path depends on the machine',
    'base_compiledir': 'a folder of the machine',
    'numpy.seterr_all': 'NumPy\'s own setting stands unless given',
    'compile.timeout': 'Theano computed it',
}
TYPES = {'bool': BoolParam, 'int': IntParam, 'float': FloatParam,
         'str': StrParam}


@pytest.fixture(scope='module')
def options():
    with open(RECORD_PATH) as f:
        return json.load(f)['config']


def test_every_option_is_declared_as_theano_had_it(options):
    config = theano.config
    assert len(options) == 140
    # Theano 1.0.5's, in its order, then the old GPU back end's it ignored
    assert config.option_names() == [o['name'] for o in options] + [
        'lib.cnmem', 'nvcc.fastmath', 'nvcc.flags', 'nvcc.compiler_bindir',
        'pycuda.init']
    for option in options:
        name = option['name']
        param = config.param(name)
        if option['kind'] == 'EnumStr':
            assert isinstance(param, EnumStr), name
            if name not in VALUES_DIFFER:
                assert set(param.values) == set(option['values']), name
        elif option.get('type') in TYPES:
            assert isinstance(param, TYPES[option['type']]), name
        if 'default' in option and name not in DEFAULTS_DIFFER:
            assert str(param.default) == str(option['default']), name
        assert param.mutable == option['mutable'], name
        assert param.doc  # each says what it does here


def test_every_option_reads_by_its_dotted_name(options):
    config = theano.config
    for option in options:
        node = config
        for part in option['name'].split('.'):
            node = getattr(node, part)
        param = config.param(option['name'])
        if param.pytensor_name:
            assert node == getattr(pytensor.config, param.pytensor_name)
    assert config.floatX == pytensor.config.floatX
    assert config.device == 'cpu' and config.mode == 'FAST_RUN'
    assert 'subtensor_merge_bug' in dir(config.warn)


def test_assigning_options():
    config = theano.config
    before = pytensor.config.traceback__limit
    try:
        config.traceback.limit = 3  # wired: PyTensor's setting
        assert pytensor.config.traceback__limit == 3
    finally:
        config.traceback.limit = before
    config.dnn.conv.algo_fwd = 'fft'  # inert: kept
    assert config.dnn.conv.algo_fwd == 'fft'
    with pytest.raises(ValueError, match="theano.config.compute_test_value: "
                                         "'often' is not supported; use one "
                                         "of: off, ignore"):
        config.compute_test_value = 'often'
    with pytest.raises(AttributeError, match='cannot change once the package '
                                             'is imported'):
        config.device = 'cuda'
    with pytest.raises(AttributeError, match="no option 'warn.no_such'"):
        config.warn.no_such = True
    with theano.change_flags({'warn.round': True}, floatX='float32'):
        assert config.warn.round is True and pytensor.config.floatX == (
            'float32')
    assert config.warn.round is False
    assert pytensor.config.floatX == 'float64'


SETTINGS = r'''
from theano_compat import theano
import numpy, pytensor
c = theano.config
print(c.floatX, pytensor.config.floatX, c.warn.round, c.traceback.limit,
      pytensor.config.traceback__limit, c.dnn.conv.algo_fwd,
      pytensor.config.compile__wait, numpy.geterr()['divide'],
      c.optimizer_excluding)
'''


def test_theanorc_as_theano_read_it_then_theano_flags(tmp_path):
    first, second = tmp_path / 'site.theanorc', tmp_path / 'user.theanorc'
    first.write_text('[global]\nfloatX = float32\n\n[warn]\nround = True\n'
                     '[traceback]\nlimit = 3\n\n[dnn.conv]\nalgo_fwd = fft\n'
                     '\n[nvcc]\nflags = -O3\n')  # [nvcc]: not 1.0.5's
    second.write_text('[traceback]\nlimit = 5\n')
    run = run_python(SETTINGS,
                     THEANORC=os.pathsep.join([str(first), str(second)]),
                     THEANO_FLAGS='warn.round=False,compile.wait=7,'
                                  'numpy.seterr_all=raise,'
                                  'optimizer_excluding=a:b,lib.cnmem=0.8')
    # the file on the right wins; THEANO_FLAGS wins over both; a setting
    # PyTensor fixes at import (compile.wait) reaches it too
    assert run.stdout.split() == ['float32', 'float32', 'False', '5', '5',
                                  'fft', '7', 'raise', 'a:b']
    # a setting PyTensor has fixed already cannot be honoured: one line
    late = run_python('import pytensor, theano_compat', check=False,
                      THEANO_FLAGS='compile.wait=7')
    assert late.stderr.splitlines()[-1] == (
        'theano_compat.TheanoFlagsError: THEANO_FLAGS: theano.config.'
        'compile.wait: PyTensor fixed this setting when it was imported; '
        'give it before, in THEANO_FLAGS with theano_compat imported before '
        'pytensor, or as PYTENSOR_FLAGS=compile__wait=...')


@pytest.mark.parametrize('text, message', [
    ('[global]\nfloatX = float16\n',
     "{path} [global]: floatX='float16' is not supported; use one of: "
     "float64, float32"),
    ('floatX = float32\n',
     '{path}: cannot be read as a Theano configuration file (File contains '
     'no section headers.); write [global] then name = value lines'),
])
def test_a_bad_theanorc_is_one_line_with_status_2(tmp_path, text, message):
    rc = tmp_path / 'theanorc'
    rc.write_text(text)
    script = tmp_path / 'script.py'
    script.write_text('import theano\n')
    run = subprocess.run([sys.executable, '-m', 'theano_compat', str(script)],
                         env=child_environment(THEANORC=str(rc)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert run.stderr == 'error: %s\n' % message.format(path=rc)


def test_numpy_error_handling_left_alone_unless_given():
    # NumPy's defaults, after this process imported theano_compat (Theano
    # set them all to ignore)
    assert numpy.geterr() == {'divide': 'warn', 'over': 'warn',
                              'under': 'ignore', 'invalid': 'warn'}
