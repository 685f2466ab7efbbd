"""``theano.sandbox``: of Theano's sandbox, ``rng_mrg`` is what the series
uses (``MRG_RandomStreams``), with ``multinomial``, the ops behind its
``multinomial`` and ``choice``."""

from theano_compat.names import missing_name as _missing_name


def __getattr__(name):
    return _missing_name(__name__, 'theano.sandbox', None, name)
