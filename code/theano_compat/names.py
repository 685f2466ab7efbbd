"""What a Theano name this port does not have tells its user.

Each module of the package looks up names it does not define in the
PyTensor module it stands for (``theano.tensor.X`` is
``pytensor.tensor.X``).  When PyTensor has no such name either, the
lookup fails with :class:`TheanoNameError`: an ``AttributeError`` (so
``hasattr`` and ``getattr(..., default)`` work as usual) that says what
Theano had there and what to use instead, rather than an error from deep
inside PyTensor.
"""

__all__ = ['TheanoNameError', 'missing_name', 'INSTEAD']


class TheanoNameError(AttributeError):
    """A name of Theano's that this port does not provide."""


# Theano names readers of the series meet that neither this port nor
# PyTensor provides, and what to use instead.
INSTEAD = {
    'theano.sandbox.cuda': 'Theano\'s old GPU back end is gone; run on a '
                           'GPU with THEANO_FLAGS=device=cuda (through JAX)',
    'theano.gpuarray': 'Theano\'s GPU back end is gone; run on a GPU with '
                       'THEANO_FLAGS=device=cuda (through JAX)',
    'theano.gof': 'Theano\'s graph machinery is PyTensor\'s pytensor.graph '
                  'now (Apply, Variable, Op are theano.Apply, ...)',
    'theano.tensor.signal.downsample': 'use '
                                       'theano.tensor.signal.pool.pool_2d',
    'theano.tensor.signal.downsample.max_pool_2d':
        'use theano.tensor.signal.pool.pool_2d(input, ws, '
        'ignore_border=True)',
    'theano.tensor.nnet.conv': 'use theano.tensor.nnet.conv2d (its old '
                               'image_shape= keyword is accepted)',
    'theano.tensor.nnet.conv3d2d': 'use theano.tensor.nnet.conv3d',
    'theano.tensor.nnet.neighbours': 'images2neibs is not provided; '
                                     'reshape and index instead',
    'theano.tensor.nnet.bn': 'batch normalization is not provided; write '
                             'it with T.mean and T.var',
    'theano.tensor.raw_random': 'use '
                                'theano.tensor.shared_randomstreams.'
                                'RandomStreams',
    'theano.tensor.nnet.crossentropy_softmax_1hot':
        'use T.nnet.categorical_crossentropy(T.nnet.softmax(x), y)',
    'theano.printing.pydotprint': 'use theano.printing.debugprint',
    'theano.sandbox.rng_mrg.MRG_RandomStreams.multinomial_wo_replacement':
        'use MRG_RandomStreams.choice',
}

GENERIC = ('this port of Theano over PyTensor does not provide it, and '
           'PyTensor has no such name either')


def message(theano_name):
    """The one-line explanation for the missing ``theano_name``."""
    return '%s: %s' % (theano_name, INSTEAD.get(theano_name, GENERIC))


def missing_name(module_name, theano_module, fallback, name):
    """A module's ``__getattr__``: ``fallback``'s ``name``, or an error.

    :param module_name: the asking module's ``__name__``
    :param theano_module: the Theano module it stands for, e.g.
        ``'theano.tensor'``
    :param fallback: the PyTensor module to look in, or None
    :raises TheanoNameError: when ``fallback`` has no such name
    """
    if name.startswith('__') and name.endswith('__'):
        raise AttributeError('module %r has no attribute %r'
                             % (module_name, name))
    if fallback is not None:
        try:
            return getattr(fallback, name)
        except AttributeError:
            pass
    raise TheanoNameError(message('%s.%s' % (theano_module, name)))
