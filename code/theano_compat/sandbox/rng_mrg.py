"""``theano.sandbox.rng_mrg.MRG_RandomStreams``: Theano's call signatures.

Theano's MRG streams drew from its own generator (MRG31k3p) on every
device; the series builds its corruption masks and Gibbs samples with
them.  Here the same calls draw from PyTensor's generator through
:class:`theano_compat.tensor.shared_randomstreams.RandomStreams`.
"""

from theano_compat.tensor.shared_randomstreams import RandomStreams

__all__ = ['MRG_RandomStreams']


class MRG_RandomStreams(RandomStreams):
    """Random streams with the arguments of Theano's MRG streams.

    ``nstreams`` (how many parallel streams a draw uses) is accepted and
    has no effect on PyTensor's generator.
    """

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None,
                nstreams=None, **kwargs):
        return super().uniform(size, low, high, ndim, dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None,
               nstreams=None, truncate=False, **kwargs):
        if truncate:
            raise NotImplementedError(
                'MRG_RandomStreams.normal(truncate=True) is not provided')
        return super().normal(size, avg, std, ndim, dtype)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64',
                 nstreams=None, prob=None, **kwargs):
        return super().binomial(size, n, p, ndim, dtype, prob)


