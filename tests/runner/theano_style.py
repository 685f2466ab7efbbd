"""A small program written for Theano, as its users wrote them.

It is run by tests/test_runner.py through ``python -m theano_compat``:
every import below must resolve to the port, and the arguments must
arrive in ``sys.argv``.
"""

import sys

import numpy
import theano
import theano.tensor as T
from theano.tensor.nnet import sigmoid
from theano.tensor.shared_randomstreams import RandomStreams
from theano.sandbox.rng_mrg import MRG_RandomStreams
from theano import printing


def main(argv):
    x = T.dvector('x')
    scale = T.dscalar('scale')
    f = theano.function([x, theano.In(scale, value=2.0)],
                        sigmoid(x) * scale)
    print('args', ' '.join(argv))
    print('theano is', theano.__name__, 'tensor is', T.__name__)
    print('values', ' '.join('%.6f' % v for v in f(numpy.zeros(3))))
    print('streams', type(RandomStreams(1)).__name__,
          type(MRG_RandomStreams(1)).__name__)
    print('printing', callable(printing.debugprint))


if __name__ == '__main__':
    main(sys.argv[1:])
