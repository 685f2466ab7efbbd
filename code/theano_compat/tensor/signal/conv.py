"""``theano.tensor.signal.conv``: ``conv2d`` of single images and
single filters, as Theano 1.0.5's.

Its :func:`conv2d` takes an image ``(rows, cols)`` or a stack of images
``(n, rows, cols)`` and a filter ``(k_rows, k_cols)`` or a stack of
filters ``(m, k_rows, k_cols)``, each image with one channel, and
convolves every image with every filter (a true convolution, the filter
flipped).  It is the package's 4-d ``conv2d``
(``theano.tensor.nnet.abstract_conv``) on the inputs reshaped to one
channel, its result reshaped back: ``(n, m, ...)`` for two stacks,
``(n, ...)`` or ``(m, ...)`` for one, ``(out_rows, out_cols)`` for
neither.
"""

import pytensor.tensor as pt

from theano_compat.names import module_getattr
from theano_compat.tensor.nnet import abstract_conv

__all__ = ['conv2d']

TUNING_KEYWORDS = ('unroll_batch', 'unroll_kern', 'unroll_patch', 'openmp',
                   'verbose', 'version', 'direction_hint')


def conv2d(input, filters, image_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1), **kargs):
    """Convolve images with filters, each one 2-d.

    :param input: ``(rows, cols)`` or ``(n_images, rows, cols)``
    :param filters: ``(k_rows, k_cols)`` or ``(n_filters, k_rows,
        k_cols)``
    :param image_shape, filter_shape: the shapes, if known: 2 or 3 ints
        (used only when both are given, as in Theano)
    :param border_mode: ``'valid'`` or ``'full'``
    :param subsample: ``(rows, cols)``: keep every ``s``-th position
    :param kargs: the tuning keywords of theano.tensor.nnet.conv.conv2d,
        which do not change the result
    :returns: ``([n_images,] [n_filters,] out_rows, out_cols)``
    :raises ValueError: for an input or filters of another rank, or
        another border mode
    """
    input = pt.as_tensor_variable(input)
    filters = pt.as_tensor_variable(filters)
    if input.ndim not in (2, 3) or filters.ndim not in (2, 3):
        raise ValueError('theano.tensor.signal.conv.conv2d: the input and '
                         'filters should have 2 or 3 dimensions, not %d and '
                         '%d' % (input.ndim, filters.ndim))
    unknown = sorted(set(kargs) - set(TUNING_KEYWORDS))
    if unknown:
        raise TypeError('conv2d() got an unexpected keyword argument %r'
                        % unknown[0])
    if border_mode not in ('valid', 'full'):
        raise ValueError("theano.tensor.signal.conv.conv2d: border_mode "
                         "should be 'valid' or 'full', not %r"
                         % (border_mode,))
    image_hint = filter_hint = None
    if image_shape and filter_shape:
        image_hint = ((image_shape[0] if input.ndim == 3 else 1, 1)
                      + tuple(image_shape[-2:]))
        filter_hint = ((filter_shape[0] if filters.ndim == 3 else 1, 1)
                       + tuple(filter_shape[-2:]))
    n_images = input.shape[0] if input.ndim == 3 else 1
    n_filters = filters.shape[0] if filters.ndim == 3 else 1
    input4 = input.reshape((n_images, 1, input.shape[-2], input.shape[-1]),
                           ndim=4)
    filters4 = filters.reshape(
        (n_filters, 1, filters.shape[-2], filters.shape[-1]), ndim=4)
    output = abstract_conv.conv2d(input4, filters4, input_shape=image_hint,
                                  filter_shape=filter_hint,
                                  border_mode=border_mode,
                                  subsample=tuple(subsample))
    if input.ndim == 2 and filters.ndim == 2:
        return output[0, 0]
    if input.ndim == 2:
        return output[0]
    if filters.ndim == 2:
        return output[:, 0]
    return output


__getattr__ = module_getattr(__name__)
