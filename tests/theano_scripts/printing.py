"""Theano's debugging tools on small graphs: what each prints.

Usage: python printing.py [SLICE.npz]   (the slice is not read)

Sections, each opened by a line ``== NAME``:

* ``debugprint`` of a variable, of a list, with ``ids='int'`` and
  ``ids=''``, ``print_type``, ``depth``, ``stop_on_name``, ``done`` shared
  by two calls, an ``Apply`` node, ``In`` with numbers and an array, and a
  compiled function with ``print_clients``; what it returns for
  ``file='str'``, a file and stdout;
* ``pp`` of a variable and of one with a named part;
* the spellings of common ops and constants: debugprint and pp of small
  graphs (sums, subtensors, dimshuffles, casts, nnet ops, joins, allocs,
  reshapes, long and repeated constants, advanced indexing, softmax...);
* the ``Print`` op, with and without ``attrs``, when the function runs;
* ``NanGuardMode``: the error (its class and first line) for a NaN, an
  infinity and a big value, given as an object and by name;
* ``DebugMode``: the error for a NaN (its class, and its ``hint`` and
  ``specific_hint`` lines).

The port prints Theano's text; tests/test_debugging.py compares it line
for line, and the running positions of the compiled function (PyTensor
orders independent nodes otherwise) by what they must satisfy.
"""

import io

import numpy

import theano
import theano.printing
import theano.tensor as T
from theano.compile.debugmode import DebugMode
from theano.compile.nanguardmode import NanGuardMode


def section(name):
    print('== %s' % name)


x = T.dvector('x')
y = T.dvector('y')
z = T.tanh(x + y)
out = z.sum()

section('variable')
theano.printing.debugprint(out)
section('list')
theano.printing.debugprint([z, out])
section('ids int')
theano.printing.debugprint(out, ids='int')
section('ids none')
theano.printing.debugprint(out, ids='')
section('print_type')
theano.printing.debugprint(z, print_type=True)
section('depth 2')
theano.printing.debugprint(out, depth=2)
section('stop_on_name')
named = x * y
named.name = 'named'
theano.printing.debugprint(T.exp(named) + x, stop_on_name=True)
section('done shared')
done = {}
theano.printing.debugprint(z, done=done)
theano.printing.debugprint(out, done=done)
section('apply')
theano.printing.debugprint(z.owner)
section('in and numbers')
theano.printing.debugprint([theano.In(x), 3, numpy.array([1., 2.])])

section('returns')
text = theano.printing.debugprint(z, file='str')
print('str %s' % type(text).__name__)
stream = io.StringIO()
print('file %s' % (theano.printing.debugprint(z, file=stream) is stream))
print('same text %s' % (stream.getvalue() == text))
returned = theano.printing.debugprint(z)
print('stdout %r' % (returned,))

section('function clients')
X = T.dmatrix('X')
A = T.dot(X, X)
f = theano.function([X], [T.dot(A, X), T.exp(A), A])
theano.printing.debugprint(f, print_clients=True)

section('pp')
print(theano.printing.pp(z))
print(theano.printing.pp(T.exp(named) + x))

section('spellings')
# ops and constants as Theano spelled them, in graphs PyTensor builds the
# same way; each debugprint (every fifth with print_type), then its pp
m = T.dmatrix('m')
i = T.lscalar('i')
iv = T.ivector('iv')
spelled = [m.sum(axis=0), m[1:3], m[i, 1:], m[:, 2],
           T.inc_subtensor(m[1:3], 1.), T.set_subtensor(m[1], x),
           m.dimshuffle(1, 'x', 0), m.T, T.cast(m, 'float32'), T.sqr(m),
           abs(m), T.nnet.sigmoid(m), T.nnet.softplus(m), T.join(0, m, m),
           T.alloc(0., i, 3), m.reshape((2, -1)), T.maximum(m, 0), m % 2,
           m // 2, m ** 2, T.neq(m, 0), T.eq(m, 0), T.fill(m, 1.),
           T.shape_padleft(x), m.shape, T.arange(i),
           x + T.constant(numpy.arange(30.)), x * T.constant(numpy.ones(3)),
           m[iv], T.inc_subtensor(m[iv], 1.), T.nnet.softmax(m),
           T.tanh(m).sum(), T.exp(x).mean(), T.unbroadcast(T.drow('r'), 0),
           T.dot(m, m), T.outer(x, y), T.log(1 - T.nnet.sigmoid(m)),
           T.sqrt(m).prod(), T.ones_like(x), T.zeros((2, 3)), T.stack([x, y]),
           T.concatenate([x, y]), T.eye(i), T.clip(m, 0, 1)]
for k, expression in enumerate(spelled):
    theano.printing.debugprint(expression, print_type=(k % 5 == 0))
    print(theano.printing.pp(expression))

section('Print')
shown = theano.printing.Print('hello', attrs=('shape', 'sum'))(x)
plain = theano.printing.Print('plain')(y)
g = theano.function([x, y], shown * 2 + plain)
print(g(numpy.array([1., 2., 3.]), numpy.array([0.5, 0.25, 0.125])))

section('NanGuardMode')
v = T.dvector('v')
cases = [('nan', T.log(v) * 2, NanGuardMode(nan_is_error=True,
                                             inf_is_error=False,
                                             big_is_error=False)),
         ('inf', T.exp(v) * 2, NanGuardMode(nan_is_error=False,
                                            inf_is_error=True,
                                            big_is_error=False)),
         ('big', T.exp(v) * 2, NanGuardMode(nan_is_error=False,
                                            inf_is_error=False,
                                            big_is_error=True)),
         ('by name', T.log(v) * 2, 'NanGuardMode')]
values = {'nan': [-1., 2.], 'inf': [1000., 2.], 'big': [30., 2.],
          'by name': [-1., 2.]}
for name, expression, mode in cases:
    h = theano.function([v], expression, mode=mode)
    print('%s fine %s' % (name, h(numpy.array([1., 2.]))))
    try:
        with numpy.errstate(all='ignore'):
            h(numpy.array(values[name]))
        print('%s not caught' % name)
    except Exception as error:
        print('%s %s: %s' % (name, type(error).__name__,
                             str(error).strip().splitlines()[0]))

section('DebugMode')
h = theano.function([v], T.log(v) * 2, mode=DebugMode())
print('fine %s' % h(numpy.array([1., 2.])))
try:
    h(numpy.array([-1., 2.]))
    print('not caught')
except Exception as error:
    print('caught %s' % type(error).__name__)
    for line in str(error).splitlines():
        if line.strip().startswith(('hint', 'specific_hint')):
            print(' '.join(line.split()))
