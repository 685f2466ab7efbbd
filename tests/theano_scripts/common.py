"""What the scripts beside this file share: exact printing, shared data.

Imported by name (``from common import show``): Python puts a script's
own folder first on its path, on Theano and through ``python -m
theano_compat`` alike.
"""

import json
import math

import numpy

import theano
import theano.tensor as T


def show(name, value):
    """Print ``name value`` with the value as an exactly readable float."""
    print('%s %r' % (name, float(value)))


def show_checksums(name, array):
    """Print a JSON line on an array: dtype, shape, the exact sum and sum
    of squares of its entries, and either every entry (a vector, or up to
    200 entries) or the exact sums over its first axis (column sums), all
    as Python floats."""
    array = numpy.asarray(array)
    flat = [float(v) for v in array.ravel()]
    record = {'name': name, 'dtype': str(array.dtype),
              'shape': list(array.shape), 'sum': math.fsum(flat),
              'sumsq': math.fsum(v * v for v in flat)}
    if array.ndim == 1 or len(flat) <= 200:
        record['values'] = flat
    else:
        columns = array.reshape(array.shape[0], -1).T
        record['col_sums'] = [math.fsum(float(v) for v in column)
                              for column in columns]
    print(json.dumps(record))


def shared_dataset(x, y):
    """Put one set into shared variables: x of shape (n, 784) in floatX,
    y of shape (n,) stored as floatX and used through an int32 cast."""
    shared_x = theano.shared(numpy.asarray(x, dtype=theano.config.floatX),
                             borrow=True)
    shared_y = theano.shared(numpy.asarray(y, dtype=theano.config.floatX),
                             borrow=True)
    return shared_x, T.cast(shared_y, 'int32')
