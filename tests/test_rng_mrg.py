"""``theano.sandbox.rng_mrg.MRG_RandomStreams``: Theano's own generator.

The draws are compared with what Theano 1.0.5 drew for the same calls
(``tests/mrg_theano_record.json``, made by ``tools/record_mrg_values.py``
from ``tests/mrg_cases.py``): bit for bit in the C backend, in float64 and
float32; the generator's bits also in Python (``perform``) and in JAX.
"""

import contextlib
import functools
import hashlib
import json
import os
import subprocess
import sys
import warnings

import jax
import numpy
import pytensor
import pytest
from pytensor.compile.mode import Mode

import mrg_cases
from conftest import (ROOT, assert_prints_like_theano, child_environment,
                      run_theano_script)
from theano_compat import theano, T
from theano_compat.sandbox import rng_mrg
from theano_compat.sandbox.rng_mrg import (M1, M2, MRG_RandomStreams,
                                           guess_n_streams, mrg_uniform)

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(HERE), 'bench')
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)
PYTHON = Mode(linker='py', optimizer='fast_compile')  # each op's perform()


@functools.lru_cache(maxsize=None)
def theano_record():
    """``{floatX: {(part, call, name): record}}`` of Theano 1.0.5."""
    with open(os.path.join(HERE, 'mrg_theano_record.json')) as f:
        data = json.load(f)
    assert data['recorded_with'].startswith('Theano 1.0.5,')
    return {fx: {(d['part'], d['call'], d['name']): d for d in draws}
            for fx, draws in data['draws'].items()}


@functools.lru_cache(maxsize=None)
def port_draws(floatx, part, mode=None):
    """``{(part, call, name): array}`` drawn by the port."""
    only = mrg_cases.JAX_CASES.get(part) if mode == 'JAX' else None
    with pytensor.config.change_flags(floatX=floatx), \
            warnings.catch_warnings():
        warnings.simplefilter('ignore')  # JAX's notes on 32-bit dtypes
        draws = mrg_cases.run(theano, MRG_RandomStreams, part,
                              mode=PYTHON if mode == 'py' else mode,
                              only=only)
    return {(part, call, name): numpy.asarray(value)
            for call, name, value in draws}


def sha256(value):
    a = numpy.array(value, order="C")  # (ascontiguousarray makes 0-d 1-d)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder('<'))
                          .tobytes()).hexdigest()


def recorded_values(record):
    """The values a record holds (all, or the first few), as floats."""
    v = record['values']
    return numpy.array([float.fromhex(x) if isinstance(x, str) else x
                        for x in v])


# Draws that go through arithmetic beyond the generator: an affine map
# (low/high, avg/std, which a C compiler may fuse into one rounding) or
# Box-Muller's log, sqrt, cos and sin, which each backend takes from its
# own math library.
def transformed(name):
    if name.startswith('state_'):
        return False
    return name.startswith('normal') or 'low_high' in name


@functools.lru_cache(maxsize=None)
def same_float_math_as_the_record():
    """Whether the C backend rounds as the record's machine did.

    The record was made on Linux x86-64 (glibc's log, cos and sin) by
    g++ with ``-mfma``, which computes ``u * scale + low`` as one fused
    multiply-add, as it compiled Theano's code there.  Elsewhere (clang,
    macOS, a CPU without FMA) the port computes what Theano would compute
    on that machine, and the affine maps and Box-Muller's output may
    differ from the record in the last bits; the generator's bits may
    not.
    """
    import platform
    from pytensor.link.c.cmodule import GCC_compiler
    return (sys.platform.startswith('linux')
            and platform.machine() == 'x86_64'
            and '-mfma' in GCC_compiler.compile_args())


# ----------------------------------------------------------------------------
# The C backend (FAST_RUN) against Theano's record, bit for bit.

@pytest.mark.parametrize('floatx', ['float64', 'float32'])
@pytest.mark.parametrize('part', mrg_cases.PARTS)
def test_c_backend_draws_theanos_values(floatx, part):
    record = theano_record()[floatx]
    mine = port_draws(floatx, part)
    wanted = {k: r for k, r in record.items() if k[0] == part}
    assert set(mine) == set(wanted)
    for key, value in sorted(mine.items()):
        r = wanted[key]
        assert (str(value.dtype), list(value.shape)) == (r['dtype'],
                                                         r['shape']), key
        if sha256(value) == r['sha256']:
            continue
        head = recorded_values(r)
        got = value.ravel()[:len(head)]
        if transformed(key[2]) and not same_float_math_as_the_record():
            tol = 8 * numpy.spacing(numpy.maximum(abs(head), 1).astype(
                value.dtype))
            assert numpy.all(abs(got - head) <= tol), key
            continue
        raise AssertionError('%s differs from Theano: first values %s, '
                             'Theano %s' % (key, got.tolist(),
                                            head.tolist()))


def test_record_covers_the_interesting_cases():
    """The record pins the stream counts Theano chose (a check that the
    record itself says what the tests assume)."""
    record = theano_record()['float64']
    shapes = [record[('streams', 'seed_12345', 'state_%d' % i)]['shape'][0]
              for i in range(9)]
    # (10,): 10 // 6; (600, 784): capped; x.shape: symbolic; (5,): 5;
    # (13,): 13 // 6; (6,): 6; (7,): 7 // 6; normal: always symbolic;
    # nstreams=40: as given
    assert shapes == [1, 15360, 15360, 5, 2, 6, 1, 15360, 40]
    assert shapes == [guess_n_streams(s) for s in (
        (10,), (600, 784), T.matrix().shape, (5,), (13,), (6,), (7,),
        (T.lscalar(),))] + [40]


# ----------------------------------------------------------------------------
# Python (each op's perform) and JAX: the generator's bits, and the rest
# within a few units in the last place.

def compare_backend(floatx, part, mode, ulps):
    record = theano_record()[floatx]
    reference = port_draws(floatx, part)  # C, equal to Theano's (above)
    mine = port_draws(floatx, part, mode)
    assert mine, 'nothing drawn'
    for key, value in mine.items():
        ref = reference[key]
        assert value.shape == ref.shape, key
        slack = 1
        if (mode == 'JAX' and floatx == 'float32'
                and ref.dtype in ('float64', 'int64')):
            # JAX in 32 bits (floatX=float32) computes a float64 draw in
            # float32, and gives int32 for int64
            ref = ref.astype(value.dtype)
            slack = 16
        assert value.dtype == ref.dtype, key
        if not transformed(key[2]):
            assert sha256(value) == record[key]['sha256'] or (
                mode == 'JAX' and numpy.array_equal(value, ref)), key
        else:
            tol = slack * ulps * numpy.spacing(
                numpy.maximum(abs(ref), 1).astype(value.dtype))
            assert numpy.all(abs(value - ref) <= tol), (
                key, float(abs(value - ref).max()))


@pytest.mark.parametrize('floatx', ['float64', 'float32'])
def test_python_perform_draws_the_same(floatx):
    # NumPy's log, cos and sin differ from glibc's in the last bits
    compare_backend(floatx, 'main', 'py', ulps=8)


# (float64 JAX kernels are checked bit for bit in test_kernels_agree)
@pytest.mark.parametrize('part,floatx', [('main', 'float32'),
                                         ('minibatch', 'float32'),
                                         ('minibatch', 'float64'),
                                         ('categories', 'float32'),
                                         ('scan', 'float32')])
def test_jax_draws_the_same(part, floatx):
    import pytensor.link.jax.dispatch  # noqa: F401  (sets JAX's width)
    with jax_width(floatx == 'float64'):
        # XLA's float32 log, cos and sin are within 2 ulps of glibc's
        compare_backend(floatx, part, 'JAX', ulps=8)


@contextlib.contextmanager
def jax_width(x64):
    """JAX in 64 bits (``x64``) or 32 for the block (through its config,
    which every JAX version of the tested range has)."""
    before = jax.config.jax_enable_x64
    jax.config.update('jax_enable_x64', x64)
    try:
        yield
    finally:
        jax.config.update('jax_enable_x64', before)


# ----------------------------------------------------------------------------
# The three kernels on their own.

def valid_states(n_streams, seed=0):
    rng = numpy.random.default_rng(seed)
    s = numpy.empty((n_streams, 6), dtype=numpy.int32)
    s[:, :3] = rng.integers(0, M1, (n_streams, 3))
    s[:, 3:] = rng.integers(0, M2, (n_streams, 3))
    s[0] = [M1 - 1, M1 - 1, M1 - 1, M2 - 1, M2 - 1, M2 - 1]  # the extremes
    return s


KERNEL_CASES = [(1, 7), (5, 3), (5, 12), (7, 7), (64, 1000), (3, 0)]


@functools.lru_cache(maxsize=None)
def c_kernel(dtype):
    """The op in C: (state, size) -> (new state, sample)."""
    state, size = T.imatrix(), T.lvector()
    return theano.function([state, size], mrg_uniform(dtype, 1)(state, size))


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_kernels_agree(dtype):
    """C++, NumPy and JAX: the same new states and values, whatever the
    number of streams and of values (streams past the n-th take no
    step)."""
    from theano_compat.engine.jax_dispatch import rng_mrg as rng_mrg_jax
    for n_streams, n in KERNEL_CASES:
        state = valid_states(n_streams)
        c_state, c_sample = c_kernel(dtype)(state.copy(), [n])
        np_state, np_sample = rng_mrg.mrg_draw_numpy(state, n, dtype)
        assert c_sample.dtype == np_sample.dtype == dtype
        assert numpy.array_equal(c_state, np_state), (n_streams, n)
        assert numpy.array_equal(c_sample, np_sample), (n_streams, n)
        assert numpy.all((c_sample >= 0) & (c_sample < 1))
        assert numpy.array_equal(c_state[n:], state[n:])
        with jax_width(dtype == 'float64'):
            j_state, j_sample = jax.jit(rng_mrg_jax.mrg_draw_jax,
                                        static_argnums=(1, 2))(
                jax.numpy.asarray(state), n, dtype)
            assert numpy.array_equal(numpy.asarray(j_state), np_state)
            assert numpy.array_equal(numpy.asarray(j_sample), np_sample)


def test_draw_without_update_leaves_the_shared_state():
    state = valid_states(4)
    s = theano.shared(state.copy())
    new, sample = mrg_uniform('float64', 1)(s, [10])
    f = theano.function([], [new, sample])
    a, b = f(), f()
    assert numpy.array_equal(s.get_value(), state)
    assert numpy.array_equal(a[1], b[1])
    assert not numpy.array_equal(a[0], state)


def test_jumps_are_powers_of_the_recurrence():
    """``ff_2p72`` is 2^72 steps of the generator: two jumps of 2^72 are
    one of 2^73, and a jump of 2^0 is one step of the C kernel."""
    s = valid_states(1, seed=3)[0:1]
    s[0] = [11, 22, 33, 44, 55, 66]
    once = rng_mrg._jump_rows(s, 0)
    stepped, _ = rng_mrg.mrg_draw_numpy(s, 1, 'float64')
    assert numpy.array_equal(once, stepped)
    assert numpy.array_equal(rng_mrg.ff_2p72(rng_mrg.ff_2p72(s)),
                             rng_mrg._jump_rows(s, 73))


def test_cache_version_follows_the_cpp_code(tmp_path):
    """The op's C cache version changes with its .cpp file (PyTensor finds
    a compiled module by that version, not by its source)."""
    source = mrg_uniform.source_paths()[0]
    assert source.endswith('mrg31k3p.cpp')
    copy = tmp_path / 'mrg31k3p.cpp'
    text = open(source).read()
    copy.write_text(text)
    same = type('Copy', (mrg_uniform,), {'source_files': (str(copy),)})
    version = mrg_uniform('float32', 1).c_code_cache_version()
    assert same('float32', 1).c_code_cache_version() == version
    copy.write_text(text.replace('namespace mrg31k3p', 'namespace mrg_x'))
    edited = type('Edited', (mrg_uniform,), {'source_files': (str(copy),)})
    assert edited('float32', 1).c_code_cache_version() != version


def test_c_code_and_in_place_in_fast_run():
    R = MRG_RandomStreams(5)
    f = theano.function([], R.uniform((4, 5)))
    ops = [node.op for node in f.maker.fgraph.toposort()]
    assert [type(op) for op in ops] == [mrg_uniform]
    assert ops[0].inplace
    assert getattr(f.vm.thunks[0], 'cthunk', None) is not None  # C code


# ----------------------------------------------------------------------------
# Behaviour.

def test_new_values_each_call_and_state_carried():
    R = MRG_RandomStreams(12)
    u = R.uniform((3, 4))
    f = theano.function([], u)
    a, b = f(), f()
    assert not numpy.array_equal(a, b)
    # the state after two calls is the one two draws lead to
    first = R.state_updates[0][0]
    state0 = MRG_RandomStreams(12).get_substream_rstates(2, 'float64')
    s1, _ = rng_mrg.mrg_draw_numpy(state0, 12, 'float64')
    s2, v2 = rng_mrg.mrg_draw_numpy(s1, 12, 'float64')
    assert numpy.array_equal(first.get_value(), s2)
    assert numpy.array_equal(b.ravel(), v2)


def test_same_seed_same_values_other_seed_other_values():
    def draw(seed):
        R = MRG_RandomStreams(seed)
        return theano.function([], [R.uniform((50,)), R.normal((5,)),
                                     R.binomial((9,))])()
    a, b, c = draw(99), draw(99), draw(100)
    for x, y, z in zip(a, b, c):
        assert numpy.array_equal(x, y)
        assert not numpy.array_equal(x, z)


def test_seed_restarts_every_variable():
    R = MRG_RandomStreams(7)
    f = theano.function([], [R.uniform((20,)), R.normal((3, 3))])
    first = f()
    f()
    R.seed(7)
    again = f()
    for x, y in zip(first, again):
        assert numpy.array_equal(x, y)
    R.seed(8)
    assert not numpy.array_equal(f()[0], first[0])


def test_variables_of_one_object_differ():
    R = MRG_RandomStreams(3)
    a, b = theano.function([], [R.uniform((1000,)), R.uniform((1000,))])()
    assert abs(numpy.corrcoef(a, b)[0, 1]) < 0.1


def test_large_draws_have_the_right_moments():
    R = MRG_RandomStreams(2024)
    n = 10 ** 6
    u, z, b, u32 = theano.function([], [
        R.uniform((n,)), R.normal((n,), avg=1.0, std=2.0),
        R.binomial((n,), p=0.3, dtype='int8'),
        R.uniform((n,), low=-1.0, high=3.0, dtype='float32')])()
    se = 5 / numpy.sqrt(n)  # five standard errors, per unit deviation
    assert abs(u.mean() - 0.5) < se * 0.29 and abs(u.var() - 1 / 12) < 0.001
    assert u.min() >= 0 and u.max() < 1
    assert abs(z.mean() - 1.0) < se * 2 and abs(z.std() - 2.0) < 0.01
    assert abs(b.mean() - 0.3) < se * 0.46 and set(numpy.unique(b)) == {0, 1}
    assert u32.dtype == 'float32' and -1 <= u32.min() and u32.max() < 3
    assert abs(u32.mean() - 1.0) < se * 1.2
    # the values fill the 10 deciles evenly
    counts = numpy.bincount((u * 10).astype(int), minlength=10)
    assert numpy.all(abs(counts - n / 10) < 5 * numpy.sqrt(n / 10))


def test_scan_returns_and_applies_the_updates():
    R = MRG_RandomStreams(31)
    x = T.vector()
    out, updates = theano.scan(lambda v: R.binomial(v.shape, p=0.5,
                                                    dtype='float64') + v,
                               outputs_info=[x], n_steps=4)
    assert len(updates) == 1
    (state, new_state), = updates.items()
    assert state is R.state_updates[0][0]
    with_updates = theano.function([x], out, updates=updates)
    zeros = numpy.zeros(30)
    first, second = with_updates(zeros), with_updates(zeros)
    assert not numpy.array_equal(first, second)
    assert set(numpy.unique(numpy.diff(first, axis=0))) <= {0.0, 1.0}
    without = theano.function([x], out)
    assert numpy.array_equal(without(zeros), without(zeros))


def test_symbolic_sizes():
    R = MRG_RandomStreams(1)
    x = T.matrix()
    n = T.lscalar()
    f = theano.function([x, n], [R.uniform(x.shape), R.normal((n, 2)),
                                 R.binomial((n,), p=0.5),
                                 R.uniform(T.stack([n, 3]))])
    a, b, c, d = f(numpy.zeros((4, 5)), 3)
    assert (a.shape, b.shape, c.shape, d.shape) == ((4, 5), (3, 2), (3,),
                                                    (3, 3))
    a2, _, _, _ = f(numpy.zeros((2, 3)), 1)
    assert a2.shape == (2, 3)


def test_dtypes():
    with pytensor.config.change_flags(floatX='float32'):
        R = MRG_RandomStreams(1)
        assert R.uniform((2,)).dtype == 'float32'
        assert R.uniform((2,), low=numpy.float64(0)).dtype == 'float64'
        assert R.uniform((2,), high=100000).dtype == 'float64'  # int32
        assert R.binomial((2,)).dtype == 'int64'
        assert R.binomial((2,), dtype='float32').dtype == 'float32'
        assert R.normal((2,)).dtype == 'float32'
    with pytensor.config.change_flags(floatX='float64'):
        R = MRG_RandomStreams(1)
        assert R.uniform((2,)).dtype == 'float64'
        assert R.uniform((2,), dtype='float32').dtype == 'float32'
        assert R.normal((2,), dtype='float32').dtype == 'float32'


# ----------------------------------------------------------------------------
# Bad input.

@pytest.mark.parametrize('seed,error,words', [
    (0, ValueError, 'not be 0'),
    (-5, ValueError, 'between 1 and'),
    (M2, ValueError, 'between 1 and'),
    (2 ** 40, ValueError, 'between 1 and'),
    ([0, 0, 0, 1, 2, 3], ValueError, 'first 3 values should not all be 0'),
    ([1, 2, 3, 0, 0, 0], ValueError, 'last 3 values should not all be 0'),
    ([M1, 2, 3, 1, 2, 3], ValueError, 'between 0 and 2147483646'),
    ([1, 2, 3], TypeError, '6 ints'),
    ('12', TypeError, '6 ints'),
    (1.5, TypeError, 'an int or 6 ints'),
])
def test_bad_seeds(seed, error, words):
    with pytest.raises(error, match=words):
        MRG_RandomStreams(seed)
    R = MRG_RandomStreams(1)
    with pytest.raises(error, match=words):
        R.seed(seed)


def test_numpy_int_seed_is_an_int():
    a = MRG_RandomStreams(numpy.int64(77)).rstate
    assert numpy.array_equal(a, MRG_RandomStreams(77).rstate)


@pytest.mark.parametrize('size,error', [
    ('abc', TypeError), (3.0, TypeError), ((2, 3.0), TypeError),
    ((2, 0), ValueError), ((-1,), ValueError),
    (T.matrix(), TypeError), ((T.vector(),), TypeError),
    ((T.scalar(),), TypeError),
])
def test_bad_sizes(size, error):
    R = MRG_RandomStreams(1)
    with pytest.raises(error, match='size'):
        R.uniform(size)


@pytest.mark.parametrize('size', ['abc', 2.5, (0,), (T.vector(),),
                                  T.matrix()])
def test_bad_normal_sizes(size):
    with pytest.raises(ValueError, match='size'):
        MRG_RandomStreams(1).normal(size)


def test_other_bad_arguments():
    R = MRG_RandomStreams(1)
    with pytest.raises(NotImplementedError, match='n > 1'):
        R.binomial((2,), n=2)
    with pytest.raises(TypeError, match='float32 or float64'):
        R.uniform((2,), dtype='int32')
    with pytest.raises(TypeError, match='unexpected keyword'):
        R.uniform((2,), prob=0.3)
    with pytest.raises(ValueError, match='positive'):
        R.uniform((2,), nstreams=0)


def test_multinomial_and_choice_arguments():
    R = MRG_RandomStreams(1)
    p = T.matrix()
    with pytest.raises(TypeError, match='pvals is required'):
        R.multinomial()
    with pytest.raises(ValueError, match='no size'):
        R.multinomial(size=(2,), pvals=p)
    with pytest.raises(NotImplementedError, match='matrix'):
        R.multinomial(pvals=T.vector())
    with pytest.raises(NotImplementedError, match='replace=False'):
        R.choice(size=2, p=p)
    with pytest.raises(TypeError, match='a must be None'):
        R.choice(size=2, a=5, p=p, replace=False)
    with pytest.raises(TypeError, match='p is required'):
        R.choice(size=2, replace=False)


def test_multinomial_counts_and_distinct_choices():
    R = MRG_RandomStreams(5)
    p = T.matrix()
    f = theano.function([p], [R.multinomial(pvals=p, n=4),
                              R.choice(size=3, p=p, replace=False)])
    P = numpy.random.RandomState(0).dirichlet(numpy.ones(5), size=2000)
    counts, picks = f(P)
    assert counts.shape == (2000, 5) and picks.shape == (2000, 3)
    assert numpy.all(counts.sum(axis=1) == 4)
    assert all(len(set(row)) == 3 for row in picks)
    assert picks.min() >= 0 and picks.max() < 5
    # the counts follow the probabilities
    assert abs(counts.sum(axis=0) / 8000 - P.mean(axis=0)).max() < 0.02
    with pytest.raises(ValueError, match='without replacement'):
        theano.function([p], R.choice(size=6, p=p, replace=False))(P)


def test_size_of_the_wrong_length_at_run_time():
    R = MRG_RandomStreams(1)
    n = T.lvector()
    f = theano.function([n], R.uniform(n, ndim=2))
    assert f([2, 3]).shape == (2, 3)
    with pytest.raises(ValueError, match='size must have 2 entries'):
        f([2, 3, 4])
    with pytest.raises(ValueError, match='negative dimension'):
        f([2, -3])


# ----------------------------------------------------------------------------
# The benchmark.

def test_benchmark_dry_run(capsys):
    import random_streams
    assert random_streams.main(['--dry-run', '--rows', '30']) == 0
    out = capsys.readouterr().out
    assert 'MRG, size=x.shape' in out and 'ones: 0.' in out


# ----------------------------------------------------------------------------
# The shared record of Theano-style scripts (tests/theano_scripts/), run
# through ``python -m theano_compat``.

@pytest.mark.parametrize('run_name', ['mrg_values/float64',
                                      'mrg_values/float32'])
def test_mrg_values_script_prints_theanos_draws(run_name, theano_slice,
                                                theano_record):
    """Every draw of tests/theano_scripts/mrg_values.py, to the bit."""
    ours = run_theano_script(run_name, theano_slice, theano_record)
    theirs = theano_record['runs'][run_name]['stdout']
    if same_float_math_as_the_record():
        assert ours.splitlines() == theirs.splitlines()
    else:  # the uniform draws to the bit, the rest within a few ulps
        assert_prints_like_theano(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('run_name,rtol', [('da_step/float64', 1e-12),
                                           ('da_step/float32', 2e-6),
                                           ('rbm_step/float64', 1e-12)])
def test_da_and_rbm_steps_print_theanos_numbers(run_name, rtol, theano_slice,
                                                theano_record):
    """The denoising autoencoder's and the RBM's training steps: the MRG
    draws are Theano's, and so are the sigmoid and softplus (Theano's C
    formulas, which its record of the C backend was made with), so the
    costs and weights are Theano's up to the rounding of sums taken in
    another order."""
    ours = run_theano_script(run_name, theano_slice, theano_record)
    theirs = theano_record['runs'][run_name]['stdout']
    assert_prints_like_theano(ours, theirs, rtol=rtol, atol=1e-15)


def test_da_step_in_mode_jax_prints_theanos_numbers(theano_slice,
                                                    theano_record):
    """The denoising autoencoder's steps in mode JAX (the GPU's path, here
    on JAX's CPU): its MRG corruption masks are Theano's, so its costs and
    weights are Theano's within float32 rounding."""
    entry = theano_record['runs']['da_step/float32']
    run = subprocess.run(
        [sys.executable, '-m', 'theano_compat',
         os.path.join(ROOT, entry['script']), theano_slice],
        env=child_environment(THEANO_FLAGS='floatX=float32,mode=JAX'),
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert_prints_like_theano(run.stdout, entry['stdout'], rtol=2e-6,
                              atol=1e-8)
