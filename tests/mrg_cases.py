"""Draws of ``MRG_RandomStreams`` that Theano 1.0.5 recorded and the port
must repeat (tests/mrg_theano_record.json).

The same code runs under both: ``tools/record_mrg_values.py`` runs this
file as a script under a real Theano 1.0.5 (it prints one JSON record per
line), and ``tests/test_rng_mrg.py`` calls :func:`run` with the port's
``theano``.  Each part builds its random variables in a fixed order (the
order decides each variable's streams), compiles one function and calls
it a few times; a record holds, for each draw of each call, the dtype,
the shape, a SHA-256 of the bytes and the values themselves (all of them
for small draws, the first few otherwise).

Usage (under Theano): ``python tests/mrg_cases.py PART`` with PART one of
:data:`PARTS`, floatX from ``THEANO_FLAGS``.
"""

import hashlib
import json
import sys
from collections import OrderedDict

import numpy

PARTS = ('main', 'streams', 'minibatch', 'truncate', 'categories', 'scan')
FULL_VALUES = 400   # draws up to this size are recorded value by value
HEAD_VALUES = 16    # the first values of larger draws

# Draws whose size JAX can know when it compiles (mode JAX runs only
# these; the others are still made, so that the streams stay in step).
JAX_CASES = {
    'main': ('uniform_7', 'uniform_2x3_f32', 'uniform_5_low_high',
             'uniform_4x3_f32_low_high', 'uniform_xshape',
             'uniform_mixed_size_f32', 'uniform_3x1000_f32',
             'uniform_100000_f64', 'uniform_numpy_int_size',
             'uniform_9_nstreams2', 'uniform_1x1', 'binomial_5x7',
             'binomial_xshape_f32', 'binomial_600x7_int8',
             'binomial_p_vector', 'binomial_np_float32_p',
             'binomial_1000_nstreams7', 'normal_3x5', 'normal_7_f32',
             'normal_4x3_f32_avg_std', 'normal_int_size', 'normal_1001_f32',
             'normal_2000_f64'),
    'minibatch': ('binomial_600x784_const', 'binomial_600x784_xshape',
                  'corrupted_input'),
    'categories': ('multinomial_n1', 'multinomial_n3_int32', 'choice_2',
                   'choice_4'),
}


def describe(value):
    """A draw as a JSON-able record: dtype, shape, sha256, values."""
    a = numpy.array(value, order="C")  # (ascontiguousarray makes 0-d 1-d)
    flat = a.ravel()
    if a.dtype.kind == 'f':
        values = [float(v).hex() for v in flat[:FULL_VALUES + 1]]
    else:
        values = [int(v) for v in flat[:FULL_VALUES + 1]]
    if len(values) > FULL_VALUES:
        values = values[:HEAD_VALUES]
    return OrderedDict([
        ('dtype', str(a.dtype)), ('shape', list(a.shape)),
        ('sha256', hashlib.sha256(a.astype(a.dtype.newbyteorder('<'))
                                  .tobytes()).hexdigest()),
        ('values', values)])


def _main(theano, MRG, mode, only):
    T = theano.tensor
    fX = theano.config.floatX
    R = MRG(4321)
    x, v, k = T.matrix('x'), T.vector('v'), T.iscalar('k')
    d = OrderedDict()
    d['uniform_7'] = R.uniform((7,))
    d['uniform_2x3_f32'] = R.uniform((2, 3), dtype='float32')
    d['uniform_5_low_high'] = R.uniform((5,), low=-2.0, high=3.0)
    d['uniform_4x3_f32_low_high'] = R.uniform((4, 3), low=0.1, high=0.3,
                                              dtype='float32')
    d['uniform_xshape'] = R.uniform(x.shape)
    d['uniform_mixed_size_f32'] = R.uniform((x.shape[0], 5),
                                            dtype='float32')
    d['uniform_3x1000_f32'] = R.uniform((3, 1000), dtype='float32')
    d['uniform_100000_f64'] = R.uniform((100000,), dtype='float64')
    d['uniform_numpy_int_size'] = R.uniform((numpy.int64(3), 4))
    d['uniform_9_nstreams2'] = R.uniform((9,), nstreams=2)
    d['uniform_1x1'] = R.uniform((1, 1))
    d['binomial_5x7'] = R.binomial((5, 7), p=0.3)
    d['binomial_xshape_f32'] = R.binomial(x.shape, p=0.7, dtype='float32')
    d['binomial_600x7_int8'] = R.binomial((600, 7), p=0.5, dtype='int8')
    d['binomial_p_vector'] = R.binomial(v.shape, p=v, dtype=fX)
    d['binomial_np_float32_p'] = R.binomial((3, 3), p=numpy.float32(0.7))
    d['binomial_1000_nstreams7'] = R.binomial((1000,), p=0.7,
                                              dtype='float32', nstreams=7)
    d['normal_3x5'] = R.normal((3, 5))
    d['normal_7_f32'] = R.normal((7,), dtype='float32')
    d['normal_xshape_avg_std'] = R.normal(x.shape, avg=1.5, std=0.3)
    d['normal_4x3_f32_avg_std'] = R.normal((4, 3), avg=0.1, std=2.5,
                                           dtype='float32')
    d['normal_int_size'] = R.normal(11)
    d['normal_k_nstreams3'] = R.normal((k,), nstreams=3)
    d['normal_1001_f32'] = R.normal((1001,), dtype='float32')
    d['normal_2000_f64'] = R.normal((2000,), avg=-0.2, std=0.7,
                                    dtype='float64')
    names = [n for n in d if only is None or n in only]
    f = theano.function([x, v, k], [d[n] for n in names], mode=mode,
                        on_unused_input='ignore')
    X = numpy.zeros((3, 4), dtype=fX)
    V = numpy.linspace(0, 1, 23).astype(fX)
    calls = [('call0', lambda: f(X, V, 5)), ('call1', lambda: f(X, V, 5))]
    if only is None:  # (JAX would compile again for the new shape)
        calls.append(('seeded77', lambda: (R.seed(77),
                                           f(numpy.zeros((20, 9), dtype=fX),
                                             V, 2))[1]))
    calls.append(('reseeded', lambda: (R.seed(), f(X, V, 5))[1]))
    for call, fn in calls:
        for name, value in zip(names, fn()):
            yield call, name, value
    for name, (state, _, _, _) in _states(d, R):
        if name in names:
            yield 'final', 'state_' + name, state.get_value()


def _states(draws, R):
    """``(name, state update)`` pairs: each draw made one variable."""
    assert len(draws) == len(R.state_updates)
    return zip(draws, R.state_updates)


def _streams(theano, MRG, mode, only):
    """The states of new variables, before any draw: the seeding, the
    jumps between variables and between streams, the stream counts."""
    T = theano.tensor
    x = T.matrix('x')
    for seed in (1, 12345, 2147462578, [1, 2, 3, 4, 5, 6]):
        R = MRG(seed)
        R.uniform((10,))
        R.uniform((600, 784))
        R.uniform(x.shape)
        R.uniform((5,))
        R.uniform((13,))
        R.uniform((6,))
        R.uniform((7,))
        R.normal((3,))
        R.binomial((4, 4), nstreams=40)
        tag = 'seed_%s' % ('x'.join(map(str, seed))
                           if isinstance(seed, list) else seed)
        for i, update in enumerate(R.state_updates):
            state = update[0].get_value()
            yield tag, 'state_%d' % i, state
        yield tag, 'rstate_after', numpy.asarray(R.rstate)


def _minibatch(theano, MRG, mode, only):
    """The corruption mask of the denoising autoencoder's minibatch."""
    T = theano.tensor
    fX = theano.config.floatX
    R = MRG(1234)
    x = T.matrix('x')
    d = OrderedDict()
    d['binomial_600x784_const'] = R.binomial(size=(600, 784), n=1, p=0.7,
                                             dtype='float32')
    d['binomial_600x784_xshape'] = R.binomial(size=x.shape, n=1, p=0.7,
                                              dtype='float32')
    d['corrupted_input'] = R.binomial(size=x.shape, n=1, p=1 - 0.3,
                                      dtype=fX) * x
    names = [n for n in d if only is None or n in only]
    f = theano.function([x], [d[n] for n in names], mode=mode,
                        on_unused_input='ignore')
    X = (numpy.arange(600 * 784).reshape(600, 784) % 7 / 7.0).astype(fX)
    for call in ('call0', 'call1'):
        for name, value in zip(names, f(X)):
            yield call, name, value
    for name, (state, _, _, _) in _states(d, R):
        if name in names:
            yield 'final', 'state_' + name, state.get_value()


def _truncate(theano, MRG, mode, only):
    R = MRG(999)
    d = OrderedDict()
    d['normal_50_truncate'] = R.normal((50,), truncate=True)
    d['truncated_normal_6x7_f32'] = R.truncated_normal((6, 7),
                                                       dtype='float32')
    d['uniform_3'] = R.uniform((3,))
    f = theano.function([], list(d.values()), mode=mode)
    for call in ('call0', 'call1'):
        for name, value in zip(d, f()):
            yield call, name, value


def _categories(theano, MRG, mode, only):
    """``multinomial`` and ``choice`` on 50 rows of 6 probabilities (of a
    fixed shape, which mode JAX needs)."""
    T = theano.tensor
    fX = theano.config.floatX
    R = MRG(77)
    p_in = T.matrix('p')
    pv = T.specify_shape(p_in, (50, 6))
    d = OrderedDict()
    d['multinomial_n1'] = R.multinomial(pvals=pv)
    d['multinomial_n3_int32'] = R.multinomial(pvals=pv, n=3, dtype='int32')
    d['choice_2'] = R.choice(size=2, p=pv, replace=False)
    d['choice_4'] = R.choice(size=4, p=pv, replace=False)
    f = theano.function([p_in], list(d.values()), mode=mode)
    P = numpy.random.RandomState(3).dirichlet(numpy.ones(6), size=50)
    for call in ('call0', 'call1'):
        for name, value in zip(d, f(P.astype(fX))):
            yield call, name, value


def _scan(theano, MRG, mode, only):
    """Gibbs steps in a scan, as the RBM tutorial draws them: the draws
    inside the loop, whose states scan's updates carry on."""
    T = theano.tensor
    fX = theano.config.floatX
    R = MRG(2468)
    W = theano.shared(numpy.linspace(-1, 1, 12).reshape(4, 3).astype(fX))
    v0 = T.matrix('v0')

    def step(v):
        h_mean = T.nnet.sigmoid(T.dot(v, W))
        h = R.binomial(size=h_mean.shape, n=1, p=h_mean, dtype=fX)
        v_mean = T.nnet.sigmoid(T.dot(h, W.T))
        v1 = R.binomial(size=v_mean.shape, n=1, p=v_mean, dtype=fX)
        return [h, v1]

    (hs, vs), updates = theano.scan(step, outputs_info=[None, v0],
                                    n_steps=3)
    yield 'build', 'n_updates', numpy.asarray(len(updates))
    f = theano.function([v0], [hs, vs], updates=updates, mode=mode)
    V = (numpy.arange(10).reshape(5, 2).repeat(2, 1) % 2).astype(fX)
    for call in ('call0', 'call1'):
        h, v = f(V)
        yield call, 'hidden', h
        yield call, 'visible', v


_BUILDERS = {'main': _main, 'streams': _streams, 'minibatch': _minibatch,
             'truncate': _truncate, 'categories': _categories,
             'scan': _scan}


def run(theano, MRG, part, mode=None, only=None):
    """The draws of one part, as ``[(call, name, array), ...]``.

    :param theano: the ``theano`` module (Theano's, or the port's)
    :param MRG: its ``MRG_RandomStreams``
    :param part: one of :data:`PARTS`
    :param mode: the mode to compile in (None: the default)
    :param only: names of the draws to compile (None: all); the others
        are still made
    """
    return list(_BUILDERS[part](theano, MRG, mode, only))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in PARTS:
        sys.exit('usage: mrg_cases.py PART  (PART: %s)' % ', '.join(PARTS))
    import theano
    from theano.sandbox.rng_mrg import MRG_RandomStreams
    for call, name, value in run(theano, MRG_RandomStreams, argv[0]):
        record = OrderedDict([('part', argv[0]), ('call', call),
                              ('name', name)])
        record.update(describe(value))
        print(json.dumps(record))


if __name__ == '__main__':
    main()
