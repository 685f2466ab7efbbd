"""``theano.sandbox.multinomial``: categories picked by uniform draws.

``MRG_RandomStreams.multinomial`` and ``choice`` draw uniform values and
turn them into categories with the ops here, as Theano 1.0.5 did: for a
row of probabilities ``p`` and a uniform value ``u``, the category is the
first ``m`` whose running sum ``p[0] + ... + p[m]`` (added in float64,
left to right) exceeds ``u``; none when the row sums to ``u`` or less.
The ops run in NumPy (``perform``), vectorised over rows; Theano's C
code took the same decisions in the same arithmetic.
"""

import numpy
import pytensor.tensor as pt
from pytensor.gradient import grad_undefined
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

__all__ = ['MultinomialFromUniform', 'ChoiceFromUniform']


def _first_above(sums, unis):
    """For each row: whether some running sum exceeds the row's uniform
    value, and the first column where one does."""
    above = sums > unis[:, None]
    return above.any(axis=1), above.argmax(axis=1)


def _check_inputs(pvals, unis, n):
    if pvals.ndim != 2 or unis.ndim != 1:
        raise ValueError('pvals must be a matrix and unis a vector, not '
                         '%d-d and %d-d' % (pvals.ndim, unis.ndim))
    if unis.shape[0] != pvals.shape[0] * n:
        raise ValueError('unis has %d values for %d rows of pvals and n=%d'
                         % (unis.shape[0], pvals.shape[0], n))


class MultinomialFromUniform(Op):
    """``(pvals, unis, n) -> counts``: ``n`` draws from each row.

    :param odtype: the counts' dtype ('auto': pvals' dtype)

    ``pvals`` is a (rows, categories) matrix, ``unis`` a vector of
    ``rows * n`` uniform values (draw ``c`` of row ``r`` uses
    ``unis[c * rows + r]``), ``n`` an int scalar; the counts have pvals'
    shape.
    """

    __props__ = ('odtype',)

    def __init__(self, odtype='int64'):
        self.odtype = odtype

    def make_node(self, pvals, unis, n=1):
        pvals = pt.as_tensor_variable(pvals)
        unis = pt.as_tensor_variable(unis)
        n = pt.as_tensor_variable(n)
        if pvals.ndim != 2:
            raise NotImplementedError('pvals must be a matrix, not %d-d'
                                      % pvals.ndim)
        if unis.ndim != 1:
            raise NotImplementedError('unis must be a vector, not %d-d'
                                      % unis.ndim)
        if n.ndim != 0 or not n.dtype.startswith(('int', 'uint')):
            raise TypeError('n must be an int scalar, not %s' % (n.type,))
        odtype = pvals.dtype if self.odtype == 'auto' else self.odtype
        out = pt.tensor(dtype=odtype, shape=pvals.type.shape)
        return Apply(self, [pvals, unis, n], [out])

    def pullback(self, inputs, outputs, output_grads):
        return [grad_undefined(self, k, x, 'no gradient through sampling')
                for k, x in enumerate(inputs)]

    def perform(self, node, inputs, outputs):
        pvals, unis, n = inputs
        n = int(n)
        _check_inputs(pvals, unis, n)
        rows = pvals.shape[0]
        sums = numpy.cumsum(pvals, axis=1, dtype=numpy.float64)
        counts = numpy.zeros(pvals.shape, dtype=node.outputs[0].dtype)
        for c in range(n):
            found, first = _first_above(sums, unis[c * rows:(c + 1) * rows])
            hit = numpy.nonzero(found)[0]
            counts[hit, first[hit]] += 1
        outputs[0][0] = counts


class ChoiceFromUniform(MultinomialFromUniform):
    """``(pvals, unis, n) -> categories``: ``n`` picks from each row.

    :param odtype: the categories' dtype ('auto': int64)
    :param replace: False (Theano's only choice through the MRG streams):
        a picked category's probability becomes 0 and the row is divided
        by its new sum before the next pick

    The output is (rows, n); a pick that finds no category is -1.  The
    renormalisation is Theano's: the new sum starts from the float64 sum
    before the picked category, rounded to pvals' dtype, and adds the
    following categories in that dtype.
    """

    __props__ = ('odtype', 'replace')

    def __init__(self, odtype='auto', replace=False):
        self.odtype = odtype
        self.replace = replace

    def make_node(self, pvals, unis, n=1):
        node = super().make_node(pvals, unis, n)
        odtype = 'int64' if self.odtype == 'auto' else self.odtype
        out = pt.tensor(dtype=odtype, shape=(pvals.type.shape[0], None))
        return Apply(self, node.inputs, [out])

    def perform(self, node, inputs, outputs):
        pvals, unis, n = inputs
        n = int(n)
        _check_inputs(pvals, unis, n)
        rows, categories = pvals.shape
        if n > categories:
            raise ValueError('cannot pick %d of %d categories without '
                             'replacement' % (n, categories))
        p = numpy.array(pvals, copy=True)
        picks = numpy.full((rows, n), -1, dtype=node.outputs[0].dtype)
        for c in range(n):
            sums = numpy.cumsum(p, axis=1, dtype=numpy.float64)
            found, first = _first_above(sums, unis[c * rows:(c + 1) * rows])
            hit = numpy.nonzero(found)[0]
            m = first[hit]
            picks[hit, c] = m
            if c == n - 1 or self.replace:
                continue
            total = (sums[hit, m] - p[hit, m]).astype(p.dtype)
            p[hit, m] = 0
            for k in range(categories):
                total = total + numpy.where(k >= m, p[hit, k],
                                            p.dtype.type(0))
            p[hit] = p[hit] / total[:, None]
        outputs[0][0] = picks


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
