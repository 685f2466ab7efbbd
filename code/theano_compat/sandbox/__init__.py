"""``theano.sandbox``: of Theano's sandbox, ``rng_mrg`` is what the series
uses (``MRG_RandomStreams``), with ``multinomial``, the ops behind its
``multinomial`` and ``choice``."""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
