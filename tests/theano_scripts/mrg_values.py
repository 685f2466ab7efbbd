"""Draws of theano.sandbox.rng_mrg.MRG_RandomStreams, printed exactly.

Usage: python mrg_values.py [SLICE.npz]   (the slice is not read)

Run under floatX=float64 and floatX=float32.  The stream object's state
moves on each time a random variable is *created* (not drawn), so the
variables below must be created in this order to see the same numbers.
Each compiled function is called twice where it says so: the second call
continues the variable's own streams.

Cases:

* constant sizes, one variable per function: ``uniform`` of sizes (7,),
  (6,), (1,), (13,), (3, 5), (40, 30), (2, 3, 5), with low/high and with
  explicit dtypes; ``binomial(n=1)`` with the default dtype (int64), with
  'float32', 'int8' and floatX; ``normal`` of several sizes (odd and even
  element counts), with avg/std and an explicit dtype;
* several variables in one function (constant sizes);
* symbolic sizes: ``size=x.shape`` of a matrix input (uniform, the
  denoising autoencoder's ``binomial(...) * x``, normal), a tuple mixing a
  symbolic and a constant length, a size vector given as an input (with
  ``ndim``), and ``binomial`` with a matrix of probabilities (the RBM's
  sampling);
* a second stream object seeded with six integers, and one seeded as the
  tutorials do, from ``numpy_rng.randint(2 ** 30)``.

Each array is one JSON line: name, dtype, shape and every value (floats as
Python floats, exact; integers as integers).
"""

import json

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams


def show_array(name, array):
    """Print one JSON line with an array's dtype, shape and values."""
    array = numpy.asarray(array)
    print(json.dumps({'name': name, 'dtype': str(array.dtype),
                      'shape': list(array.shape),
                      'values': array.ravel().tolist()}))


def draw_twice(name, variable):
    """Compile a function of no input returning ``variable``; print two
    successive calls."""
    f = theano.function([], variable)
    show_array(name + '_call1', f())
    show_array(name + '_call2', f())


def main():
    floatX = theano.config.floatX
    print('floatX', floatX)
    srng = MRG_RandomStreams(seed=234)

    # One variable per function, constant sizes, in creation order.
    constant_cases = [
        ('uniform_7', srng.uniform(size=(7,))),
        ('uniform_6', srng.uniform(size=(6,))),
        ('uniform_1', srng.uniform(size=(1,))),
        ('uniform_13', srng.uniform(size=(13,))),
        ('uniform_3x5', srng.uniform(size=(3, 5))),
        ('uniform_40x30', srng.uniform(size=(40, 30))),
        ('uniform_2x3x5', srng.uniform(size=(2, 3, 5))),
        ('uniform_3x5_low_m2_high_3',
         srng.uniform(size=(3, 5), low=-2.0, high=3.0)),
        ('uniform_3x5_dtype_float32',
         srng.uniform(size=(3, 5), dtype='float32')),
        ('uniform_3x5_dtype_float64',
         srng.uniform(size=(3, 5), dtype='float64')),
        ('binomial_3x5_p_0.3', srng.binomial(size=(3, 5), n=1, p=0.3)),
        ('binomial_40x30_p_0.7_float32',
         srng.binomial(size=(40, 30), n=1, p=0.7, dtype='float32')),
        ('binomial_7_p_0.5_int8',
         srng.binomial(size=(7,), n=1, p=0.5, dtype='int8')),
        ('binomial_3x5_p_0.2_floatX',
         srng.binomial(size=(3, 5), n=1, p=0.2, dtype=floatX)),
        ('normal_7', srng.normal(size=(7,))),
        ('normal_8', srng.normal(size=(8,))),
        ('normal_3x5', srng.normal(size=(3, 5))),
        ('normal_4x6_avg_1.5_std_2', srng.normal(size=(4, 6), avg=1.5,
                                                 std=2.0)),
        ('normal_40x30', srng.normal(size=(40, 30))),
        ('normal_3x5_dtype_float32', srng.normal(size=(3, 5),
                                                 dtype='float32')),
    ]
    for name, variable in constant_cases:
        draw_twice(name, variable)

    # Several variables in one function.
    together = theano.function([], [
        srng.uniform(size=(2, 3)),
        srng.uniform(size=(2, 3)),
        srng.normal(size=(4,)),
        srng.binomial(size=(5,), n=1, p=0.5),
    ])
    for call in (1, 2):
        names = ('uniform_2x3_a', 'uniform_2x3_b', 'normal_4', 'binomial_5')
        for name, value in zip(names, together()):
            show_array('together_%s_call%d' % (name, call), value)

    # Symbolic sizes: x is a (rows, columns) matrix, s a vector of lengths.
    x = T.matrix('x')
    s = T.lvector('s')
    p = T.matrix('p')
    symbolic = theano.function([x, s, p], [
        srng.uniform(size=x.shape),
        srng.binomial(size=x.shape, n=1, p=1 - 0.3, dtype=floatX) * x,
        srng.normal(size=x.shape, avg=-1.0, std=0.5),
        srng.uniform(size=(x.shape[0], 4)),
        srng.uniform(size=s, ndim=2),
        srng.binomial(size=p.shape, n=1, p=p, dtype=floatX),
    ])
    names = ('uniform_x_shape', 'binomial_x_shape_times_x', 'normal_x_shape',
             'uniform_rows_by_4', 'uniform_size_input', 'binomial_p_matrix')
    inputs = numpy.random.RandomState(5)
    for call, (rows, columns) in enumerate(((3, 5), (4, 2), (3, 5)), 1):
        x_value = numpy.asarray(inputs.uniform(0.5, 1.5, (rows, columns)),
                                dtype=floatX)
        p_value = numpy.asarray(inputs.uniform(0, 1, (columns, rows)),
                                dtype=floatX)
        s_value = numpy.asarray([columns, rows], dtype='int64')
        show_array('symbolic_x_call%d' % call, x_value)
        show_array('symbolic_p_call%d' % call, p_value)
        for name, value in zip(names, symbolic(x_value, s_value, p_value)):
            show_array('symbolic_%s_call%d' % (name, call), value)

    # Other stream objects: six seeds, and the tutorials' way of seeding.
    six = MRG_RandomStreams(seed=[1, 2, 3, 4, 5, 6])
    draw_twice('seed6_uniform_3x4', six.uniform(size=(3, 4)))
    numpy_rng = numpy.random.RandomState(123)
    tutorial = MRG_RandomStreams(numpy_rng.randint(2 ** 30))
    draw_twice('tutorial_seed_uniform_2x5', tutorial.uniform(size=(2, 5)))


if __name__ == '__main__':
    main()
