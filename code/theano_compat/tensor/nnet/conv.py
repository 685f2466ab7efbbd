"""``theano.tensor.nnet.conv``: Theano's old ``conv2d`` signature.

Theano 1.0.5 still had this module's ``conv2d`` (deprecated since 0.9,
with a warning), the 2-D convolution of the first LeNet tutorials,
computed by its ``ConvOp``.  Here it is the package's
:func:`theano_compat.tensor.nnet.abstract_conv.conv2d` under the old
signature, which computes the same thing: a true convolution (the
filters flipped), ``'valid'`` or ``'full'``, keeping every
``subsample``-th output position.
"""

import warnings


from theano_compat.names import module_getattr
from theano_compat.tensor.nnet import abstract_conv

__all__ = ['conv2d']

DEPRECATION = ('theano.tensor.nnet.conv.conv2d is deprecated. Use '
               'theano.tensor.nnet.conv2d instead.')

# ConvOp's tuning keywords: they chose among its C loops, never the result
TUNING_KEYWORDS = ('unroll_batch', 'unroll_kern', 'unroll_patch', 'openmp',
                   'verbose', 'version', 'direction_hint')


def conv2d(input, filters, image_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1), **kargs):
    """Convolve a minibatch of multi-channel images with a stack of
    filters (Theano's old interface; it warns that it is deprecated, as
    Theano 1.0.5 did).

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param filters: 4-d tensor ``(n_filters, channels, k_rows, k_cols)``
    :param image_shape, filter_shape: the shapes if known: 4 ints (or
        None for an unknown entry); a hint, checked where the shapes are
        known
    :param border_mode: ``'valid'`` (output ``rows - k_rows + 1``) or
        ``'full'`` (``rows + k_rows - 1``)
    :param subsample: ``(rows, cols)``: keep every ``s``-th output
        position
    :param kargs: ConvOp's tuning keywords (``unroll_batch``,
        ``unroll_kern``, ``unroll_patch``, ``openmp``, ``verbose``,
        ``version``, ``direction_hint``), which do not change the result
    :returns: 4-d tensor ``(batch, n_filters, out_rows, out_cols)``, of
        the wider of the two dtypes
    :raises ValueError: for another border mode
    :raises TypeError: for an unknown keyword or inputs that are not 4-d
    """
    warnings.warn(DEPRECATION, stacklevel=2)
    unknown = sorted(set(kargs) - set(TUNING_KEYWORDS))
    if unknown:
        raise TypeError('conv2d() got an unexpected keyword argument %r'
                        % unknown[0])
    if border_mode not in ('valid', 'full'):
        raise ValueError("theano.tensor.nnet.conv.conv2d: border_mode should "
                         "be 'valid' or 'full', not %r (the newer "
                         "theano.tensor.nnet.conv2d has more)"
                         % (border_mode,))
    return abstract_conv.conv2d(input, filters, input_shape=image_shape,
                                filter_shape=filter_shape,
                                border_mode=border_mode,
                                subsample=tuple(subsample))


__getattr__ = module_getattr(__name__)
