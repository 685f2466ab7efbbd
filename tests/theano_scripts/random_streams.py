"""Draws of theano.tensor.shared_randomstreams.RandomStreams and of
theano.tensor.raw_random, printed exactly.

Usage: python random_streams.py [SLICE.npz]   (the slice is not read)

Run under floatX=float64 and floatX=float32.  Each random variable of a
``RandomStreams(seed)`` gets its own NumPy ``RandomState``, seeded from a
master ``RandomState(seed)`` in the order the variables are made, so the
variables below must be made in this order to see the same numbers.

Cases:

* Theano's tutorial (doc/tutorial/examples.txt): ``uniform`` and
  ``normal`` of (2, 2), a function without the default updates, a
  variable used three times in one function, a variable's generator
  seeded by hand through ``.rng``, ``seed()`` of the whole object, a
  generator's state saved and put back, two objects' states copied
  through ``state_updates``;
* every distribution of ``RandomStreams`` with Theano's arguments and
  defaults: ``uniform`` (low/high, dtype), ``normal`` (avg/std),
  ``binomial`` (n and p, the default int64, floatX, a matrix of
  probabilities with ``size=None``), ``random_integers``, ``choice``
  (with and without replacement, with probabilities, from a vector),
  ``poisson``, ``permutation`` (one, and one per element of ``size``),
  ``multinomial`` (one row of probabilities, a matrix of them); sizes
  given as tuples, as a symbolic shape and with ``ndim``;
* ``theano.tensor.raw_random`` functions on a shared ``RandomState``,
  with the update given by hand;
* a ``RandomStreams`` variable inside ``theano.scan``;
* ``shuffle_row_elements`` (last: mode JAX has no ``PermuteRowElements``);
* the types, dtypes and broadcastable patterns of the variables, the
  name of the op's string, ``updates()`` and ``srng[rng]``.

Each array is one JSON line: name, dtype, shape and every value (floats
as Python floats, exact; integers as integers).  Other lines are
``name value``.
"""

import json

import numpy

import theano
import theano.tensor as T
from theano.tensor import raw_random
from theano.tensor.shared_randomstreams import RandomStreams


def show_array(name, array):
    """Print one JSON line with an array's dtype, shape and values."""
    array = numpy.asarray(array)
    print(json.dumps({'name': name, 'dtype': str(array.dtype),
                      'shape': list(array.shape),
                      'values': array.ravel().tolist()}))


def show(name, value):
    print('%s %s' % (name, value))


def draw_twice(name, variable):
    """Compile a function of no input returning ``variable``; print two
    successive calls."""
    f = theano.function([], variable)
    show_array(name + '_call1', f())
    show_array(name + '_call2', f())


def tutorial():
    """What Theano's tutorial does with RandomStreams, numbers printed."""
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = theano.function([], rv_u)
    g = theano.function([], rv_n, no_default_updates=True)
    nearly_zeros = theano.function([], rv_u + rv_u - 2 * rv_u)
    show_array('tutorial_f_val0', f())
    show_array('tutorial_f_val1', f())
    show_array('tutorial_g_val0', g())
    show_array('tutorial_g_val1', g())
    show_array('tutorial_nearly_zeros', nearly_zeros())
    rng_val = rv_u.rng.get_value(borrow=True)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    show_array('tutorial_f_after_seed_89234', f())
    srng.seed(902340)
    show_array('tutorial_f_after_srng_seed', f())
    show_array('tutorial_g_after_srng_seed', g())
    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()
    v3 = f()
    show_array('tutorial_v1', v1)
    show_array('tutorial_v2', v2)
    show_array('tutorial_v3', v3)
    show('tutorial_rng_type', type(rv_u.rng.get_value()).__name__)
    show('tutorial_rng_type_str', rv_u.rng.type)
    show('tutorial_update_is_pair',
         rv_u.update[0] is rv_u.rng and len(srng.updates()) == 2)
    show('tutorial_getitem_is_value',
         srng[rv_u.rng] is rv_u.rng.get_value(borrow=True))

    class Graph():
        def __init__(self, seed=123):
            self.rng = RandomStreams(seed)
            self.y = self.rng.uniform(size=(1,))

    g1 = Graph(seed=123)
    f1 = theano.function([], g1.y)
    g2 = Graph(seed=987)
    f2 = theano.function([], g2.y)
    show_array('tutorial_graph_f1', f1())
    show_array('tutorial_graph_f2', f2())
    for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
        su2[0].set_value(su1[0].get_value())
    show_array('tutorial_graph_f1_copied', f1())
    show_array('tutorial_graph_f2_copied', f2())


def distributions():
    """Every distribution, Theano's arguments, in creation order."""
    floatX = theano.config.floatX
    srng = RandomStreams(seed=2024)
    x = T.matrix('x')
    p = T.matrix('p')
    cases = [
        ('uniform_5', srng.uniform(size=(5,))),
        ('uniform_3x4_low_m2_high_3',
         srng.uniform(size=(3, 4), low=-2., high=3.)),
        ('uniform_4_float32', srng.uniform(size=(4,), dtype='float32')),
        ('uniform_4_float64', srng.uniform(size=(4,), dtype='float64')),
        ('normal_7', srng.normal(size=(7,))),
        ('normal_2x3_avg_1_std_3', srng.normal(size=(2, 3), avg=1., std=3.)),
        ('binomial_10_p_0.3', srng.binomial(size=(10,), n=1, p=0.3)),
        ('binomial_6_n_5_p_0.6', srng.binomial(size=(6,), n=5, p=0.6)),
        ('binomial_8_floatX', srng.binomial(size=(8,), p=0.5, dtype=floatX)),
        ('binomial_8_int8', srng.binomial(size=(8,), p=0.5, dtype='int8')),
        ('random_integers_12_m3_4',
         srng.random_integers(size=(12,), low=-3, high=4)),
        ('random_integers_2x3', srng.random_integers(size=(2, 3), high=9)),
        ('choice_6_of_10', srng.choice(size=(6,), a=10)),
        ('choice_5_of_8_no_replace',
         srng.choice(size=(5,), a=8, replace=False)),
        ('choice_6_of_3_p', srng.choice(size=(6,), a=3, p=[0.1, 0.2, 0.7])),
        ('choice_4_of_vector',
         srng.choice(size=(4,), a=numpy.array([10, 20, 30, 40, 50]))),
        ('poisson_9_lam_3', srng.poisson(size=(9,), lam=3.)),
        ('permutation_7', srng.permutation(n=7)),
        ('permutation_3_of_5', srng.permutation(size=(3,), n=5)),
        ('multinomial_4_n_5', srng.multinomial(size=(4,), n=5,
                                               pvals=[0.2, 0.3, 0.5])),
        ('multinomial_2x3_n_10', srng.multinomial(
            size=(2, 3), n=10, pvals=[0.1, 0.2, 0.3, 0.4])),
    ]
    for name, variable in cases:
        show('%s_type' % name, '%s %s' % (variable.dtype,
                                          variable.broadcastable))
        draw_twice(name, variable)
    # several variables in one function, and one used twice
    u = srng.uniform(size=(3,))
    n = srng.normal(size=(3,))
    both = theano.function([], [u, n, u * 2])
    for call in (1, 2):
        for i, value in enumerate(both()):
            show_array('several_%d_call%d' % (i, call), value)
    # symbolic sizes
    values = numpy.arange(6.).reshape(2, 3).astype(floatX)
    sym = [('uniform_like_x', srng.uniform(size=x.shape)),
           ('normal_x_shape_ndim2', srng.normal(size=x.shape, ndim=2)),
           ('binomial_like_x_floatX',
            srng.binomial(size=x.shape, n=1, p=0.5, dtype=floatX) * x),
           ('uniform_rows_of_x_by_4', srng.uniform(size=(x.shape[0], 4)))]
    f = theano.function([x], [v for _, v in sym])
    for call in (1, 2):
        for (name, _), value in zip(sym, f(values)):
            show_array('%s_call%d' % (name, call), value)
    # size=None: the shape of the probabilities (the RBM's sampling)
    sample = srng.binomial(n=1, p=p, size=None, dtype=floatX)
    probs = numpy.array([[0.1, 0.9, 0.5], [0.3, 0.7, 0.2]], dtype=floatX)
    h = theano.function([p], sample)
    show_array('binomial_of_p_matrix_call1', h(probs))
    show_array('binomial_of_p_matrix_call2', h(probs))
    # a matrix of multinomial probabilities, size=None
    m = srng.multinomial(n=3, pvals=p)
    rows = numpy.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=floatX)
    show_array('multinomial_of_p_matrix', theano.function([p], m)(rows))
    show('updates_count', len(srng.updates()))
    show('state_updates_count', len(srng.state_updates))


def shuffle():
    """shuffle_row_elements: a permutation per row, then PermuteRowElements
    (an op PyTensor's JAX backend lacks, hence a section of its own)."""
    floatX = theano.config.floatX
    srng = RandomStreams(seed=31)
    x = T.matrix('x')
    shuffled = srng.shuffle_row_elements(x)
    show_array('shuffle_row_elements', theano.function([x], shuffled)(
        numpy.arange(12.).reshape(3, 4).astype(floatX)))


def raw():
    """theano.tensor.raw_random on a shared RandomState."""
    floatX = theano.config.floatX
    rng = theano.shared(numpy.random.RandomState(42))
    new_state, draws = raw_random.uniform(rng, size=(4,), low=-1., high=1.)
    f = theano.function([], draws, updates=[(rng, new_state)])
    show_array('raw_uniform_call1', f())
    show_array('raw_uniform_call2', f())
    new_state, draws = raw_random.normal(rng, size=(3,), avg=2., std=0.5)
    g = theano.function([], draws)  # no update: the same draws each call
    show_array('raw_normal_no_update_call1', g())
    show_array('raw_normal_no_update_call2', g())
    new_state, draws = raw_random.binomial(rng, size=(6,), n=3, p=0.4,
                                           dtype=floatX)
    h = theano.function([], draws, updates=[(rng, new_state)])
    show_array('raw_binomial_call1', h())
    show_array('raw_binomial_call2', h())
    new_state, draws = raw_random.permutation(rng, size=(2,), n=4)
    show_array('raw_permutation', theano.function([], draws)())
    show('raw_rng_value_type', type(rng.get_value()).__name__)


def in_scan():
    """A RandomStreams variable drawn at each step of a scan."""
    srng = RandomStreams(seed=77)
    draws, updates = theano.scan(lambda: srng.uniform(size=(3,)), n_steps=4)
    f = theano.function([], draws, updates=updates)
    show_array('scan_call1', f())
    show_array('scan_call2', f())


def main():
    print('floatX', theano.config.floatX)
    tutorial()
    distributions()
    raw()
    in_scan()
    shuffle()


if __name__ == '__main__':
    main()
