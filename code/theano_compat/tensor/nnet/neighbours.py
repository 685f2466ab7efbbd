"""``theano.tensor.nnet.neighbours``: Theano 1.0.5's ``images2neibs`` and
``neibs2images``.

:func:`images2neibs` cuts each image of a 4-d tensor ``(n, s, rows,
cols)`` into patches of ``neib_shape = (c, d)`` pixels taken every
``neib_step = (step_r, step_c)`` pixels and returns one patch per row:
a matrix ``(n * s * grid_r * grid_c, c * d)``, the patches of image
``(i, j)`` in row-major order of their positions, each patch flattened
row by row.  The ``mode`` decides where patches may start:

``'valid'``
    inside the image only; ``(rows - c)`` must be a multiple of
    ``step_r`` (and likewise for the columns), else a ``TypeError``;
``'ignore_borders'``
    inside the image; what is left over at the end is skipped;
``'half'``
    as ``'valid'`` on the image padded with ``c // 2`` (``d // 2``) zeros
    on each side;
``'full'``
    as ``'valid'`` on the image padded with ``c - 1`` (``d - 1``) zeros;
``'wrap_centered'``
    patches centred on every ``step``-th pixel, wrapping around the
    image's edges (odd ``c`` and ``d`` only, and the image at least as
    large as a patch); ``ceil(rows / step_r)`` patches down.

:func:`neibs2images` puts the patches of ``'valid'`` or
``'ignore_borders'`` with ``neib_step = neib_shape`` back into images
(the borders that ``'ignore_borders'`` skipped are zeros).

One op, :class:`Images2Neibs`, does the cutting, with C++ code
(``neighbours.cpp``, for every dtype but float16 and complex: the planes
on the threads of ``engine.threads.fused_threads``, through the parallel
loop the convolution and pooling ops share), a NumPy ``perform`` and a
JAX implementation (``engine/jax_dispatch/neighbours.py``, on the same
:func:`cut_patches`); its gradient, :class:`Images2NeibsGrad`, adds each
patch's gradient back at the pixels it came from (the transpose of the
cutting) in every mode, in the same order in C++ and NumPy.  The C++ is
loaded through the package's C++ op base (``engine/cop.py``).
``python bench/nnet_ops.py --rows neibs``: the C++ took 0.18 times the
time of the NumPy code (64 x 16 x 32 x 32 float64, 2 x 2 patches, with
the gradient; 2 busy cores).  Theano had a gradient in ``'valid'`` and
``'ignore_borders'`` only; the values are the same there.
:func:`neibs2images` is a reshape and a transpose (Theano's own graph
made the same permutation through ``images2neibs``).  ``neib_shape``
and ``neib_step`` may be symbolic, as in Theano, except in mode JAX,
where they must be known when the graph is built.
"""

import os

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import DisconnectedType, grad_undefined
from pytensor.graph.basic import Apply, Constant
from pytensor.link.c.params_type import ParamsType
from pytensor.tensor.type import TensorType

from theano_compat.engine.cop import ENGINE_DIR, ExternalCppOp
from theano_compat.engine.threads import fused_threads
from theano_compat.names import module_getattr

__all__ = ['images2neibs', 'neibs2images', 'Images2Neibs',
           'Images2NeibsGrad', 'MODES']

MODES = ('valid', 'ignore_borders', 'half', 'full', 'wrap_centered')
# dtypes of the C++ code (float16 is stored as integers in C; complex
# numbers have no zero to compare with): the others run the NumPy code
C_DTYPES = ('float32', 'float64', 'int8', 'int16', 'int32', 'int64',
            'uint8', 'uint16', 'uint32', 'uint64')


def constant_pair(var):
    """The two ints of a constant vector variable, or None if symbolic."""
    if isinstance(var, Constant):
        value = numpy.asarray(var.data)
        if value.shape == (2,):
            return tuple(int(v) for v in value)
    return None


def _axis_grid(length, size, step, mode, axis):
    """How many patches fit along an axis, checked as Theano 1.0.5 did.

    :param length, size, step: ints: the image's length, the patch's,
        the step between patches
    :param axis: 0 (rows) or 1 (columns), for the messages
    :rtype: int
    """
    if step <= 0:
        raise ValueError('neib_step wrong step ; values <= 0. Got %d' % step)
    if size <= 0:
        raise ValueError('neib_shape values <=0. Got %d' % size)
    if mode == 'wrap_centered':
        if size % 2 != 1:
            raise TypeError('Images2Neibs: in mode wrap_centered need patch '
                            'with odd shapes')
        if length < size:
            raise TypeError(
                "Images2Neibs: in wrap_centered mode, don't support image "
                'shapes smaller then the patch shapes: neib_shape[%d]=%d, '
                'image size %d' % (axis, size, length))
        return -(-length // step)
    # the extent of the (padded) image minus one patch
    span = {'valid': length - size, 'ignore_borders': length - size,
            'half': length - size % 2, 'full': length + size - 2}[mode]
    if mode != 'ignore_borders' and (length < size or span % step):
        raise TypeError('neib_shape[%d]=%d, neib_step[%d]=%d and '
                        'ten4.shape[%d]=%d not consistent'
                        % (axis, size, axis, step, axis + 2, length))
    grid = 1 + span // step
    if grid < 0:
        raise ValueError('images2neibs: the patch (%d) is larger than the '
                         'image (%d)' % (size, length))
    return grid


def _axis_sources(length, size, step, mode, axis):
    """For each patch along an axis and each offset in it, the pixel it
    reads: an int array ``(grid, size)``, ``length`` where it reads a
    zero of the padding."""
    grid = _axis_grid(length, size, step, mode, axis)
    offset = {'valid': 0, 'ignore_borders': 0, 'half': size // 2,
              'full': size - 1, 'wrap_centered': size // 2}[mode]
    index = (numpy.arange(grid)[:, None] * step
             + numpy.arange(size)[None, :] - offset)
    if mode == 'wrap_centered':
        return index % length
    return numpy.where((index < 0) | (index >= length), length, index)


def _layout(shape, neib_shape, neib_step, mode):
    """Row and column sources (see :func:`_axis_sources`) for images of
    ``shape``."""
    c, d = (int(v) for v in neib_shape)
    step_r, step_c = (int(v) for v in neib_step)
    if len(shape) != 4:
        raise TypeError('images2neibs: ten4 wrong rank (%d, not 4)'
                        % len(shape))
    rows = _axis_sources(shape[2], c, step_r, mode, 0)
    cols = _axis_sources(shape[3], d, step_c, mode, 1)
    return rows, cols


def _check_pair(value, name):
    value = numpy.asarray(value)
    if value.shape != (2,):
        raise TypeError('%s wrong shape ; has to contain 2 elements, not %s'
                        % (name, value.shape))
    return value


def cut_patches(xp, x, neib_shape, neib_step, mode):
    """The patches of ``x`` as a matrix: :func:`images2neibs`'s result.

    :param xp: ``numpy`` or ``jax.numpy``, the module of ``x``
    :param neib_shape, neib_step: pairs of ints
    """
    rows, cols = _layout(x.shape, neib_shape, neib_step, mode)
    n, s, h, w = x.shape
    c, d = rows.shape[1], cols.shape[1]
    # one row and column of zeros after the image, read where a patch
    # reaches into the padding
    padded = xp.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)))
    patches = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]
    return patches.reshape((n * s * rows.shape[0] * cols.shape[0], c * d))


def add_patches_back(xp, x_shape, gz, neib_shape, neib_step, mode):
    """The transpose of :func:`cut_patches` (NumPy or JAX, as ``xp``):
    each patch's entries added back at the pixels they came from."""
    rows, cols = _layout(x_shape, neib_shape, neib_step, mode)
    n, s, h, w = x_shape
    grid_r, c = rows.shape
    grid_c, d = cols.shape
    expected = (n * s * grid_r * grid_c, c * d)
    if tuple(gz.shape) != expected:
        raise ValueError('images2neibs gradient: the gradient has shape %s; '
                         'the patches have %s' % (tuple(gz.shape), expected))
    values = gz.reshape((n, s, grid_r, grid_c, c, d))
    index = (slice(None), slice(None), rows[:, None, :, None],
             cols[None, :, None, :])
    if xp is numpy:
        grad = numpy.zeros((n, s, h + 1, w + 1), dtype=gz.dtype)
        numpy.add.at(grad, index, values)
    else:
        grad = xp.zeros((n, s, h + 1, w + 1), dtype=gz.dtype)
        grad = grad.at[index].add(values)
    return grad[:, :, :h, :w]


def _as_pair(value, name):
    """``neib_shape`` or ``neib_step`` as an int64 vector variable: a
    constant when it is known."""
    if isinstance(value, Constant):
        value = value.data
    if not isinstance(value, pytensor.graph.basic.Variable):
        array = numpy.asarray(value)
        if array.shape != (2,) or array.dtype.kind not in 'iu':
            raise TypeError('images2neibs: %s should be 2 ints, not %r'
                            % (name, value))
        return pt.constant(array.astype('int64'))
    var = pt.as_tensor_variable(value)
    if var.ndim != 1 or var.type.dtype[:3] not in ('int', 'uin'):
        raise TypeError('images2neibs: %s should be a vector of 2 ints, not '
                        '%s' % (name, var.type))
    return pt.cast(var, 'int64')


class _NeibsBase(ExternalCppOp):
    """What the two ops share: the mode, and the C++ of
    ``neighbours.cpp`` after ``engine/parallel_for.cpp`` (the loop's
    threads), loaded through
    :class:`~theano_compat.engine.cop.ExternalCppOp`; each op's
    ``_c_call`` is the macro ``NEIBS_CALL`` of the code section."""

    __props__ = ('mode',)
    source_files = (os.path.join(ENGINE_DIR, 'parallel_for.cpp'),
                    'neighbours.cpp')
    params_type = ParamsType(mode_code=ps.int32, threads=ps.int32)
    _c_call = None  # the C++ function the op's code calls, and its arrays

    def __init__(self, mode='valid'):
        if mode not in MODES:
            raise NotImplementedError(
                'Only modes %s have been implemented for %s'
                % (', '.join(MODES), type(self).__name__))
        self.mode = mode

    def __str__(self):
        return '%s{%s}' % (type(self).__name__, self.mode)

    def get_params(self, node):
        return self.params_type.get_params(
            mode_code=MODES.index(self.mode), threads=fused_threads())

    def c_headers(self, **kwargs):
        return ['<pthread.h>', '<new>']

    def c_compile_args(self, **kwargs):
        return ['-pthread']

    def c_libraries(self, **kwargs):
        return ['pthread']

    def c_macros(self, node):
        return {'NEIBS_CALL': self._c_call}

    def c_code(self, node, name, inputs, outputs, sub):
        if node.outputs[0].type.dtype not in C_DTYPES:
            raise NotImplementedError('no C++ code for %s'
                                      % node.outputs[0].type.dtype)
        return super().c_code(node, name, inputs, outputs, sub)

    def _static_rows(self, x, neib_shape, neib_step):
        """The number of patches if everything it depends on is known."""
        shape, step = constant_pair(neib_shape), constant_pair(neib_step)
        dims = x.type.shape
        if shape is None or step is None or None in dims:
            return None
        try:
            rows, cols = _layout(dims, shape, step, self.mode)
        except (TypeError, ValueError):
            return None  # running it raises the error, as in Theano
        return dims[0] * dims[1] * rows.shape[0] * cols.shape[0]


class Images2Neibs(_NeibsBase):
    """``(ten4, neib_shape, neib_step) -> patches``: see the module's
    docstring; a matrix of ten4's dtype."""

    _c_call = ('neibs::forward<DTYPE_OUTPUT_0>(INPUT_0, INPUT_1, INPUT_2, '
               'mode, threads, TYPENUM_OUTPUT_0, &OUTPUT_0)')

    def make_node(self, ten4, neib_shape, neib_step=None):
        ten4 = pt.as_tensor_variable(ten4)
        if ten4.ndim != 4:
            raise TypeError('images2neibs: ten4 should be a 4-d tensor, not '
                            '%s' % ten4.type)
        neib_shape = _as_pair(neib_shape, 'neib_shape')
        neib_step = neib_shape if neib_step is None else _as_pair(
            neib_step, 'neib_step')
        pair = constant_pair(neib_shape)
        cols = None if pair is None else pair[0] * pair[1]
        out = TensorType(ten4.type.dtype, shape=(
            self._static_rows(ten4, neib_shape, neib_step), cols))()
        return Apply(self, [ten4, neib_shape, neib_step], [out])

    def perform(self, node, inputs, outputs):
        ten4, neib_shape, neib_step = inputs
        outputs[0][0] = numpy.ascontiguousarray(cut_patches(
            numpy, ten4, _check_pair(neib_shape, 'neib_shape'),
            _check_pair(neib_step, 'neib_step'), self.mode))

    def pullback(self, inputs, outputs, grads):
        x, neib_shape, neib_step = inputs
        gz = pt.cast(grads[0], x.type.dtype)
        return [Images2NeibsGrad(self.mode)(x, gz, neib_shape, neib_step),
                grad_undefined(self, 1, neib_shape),
                grad_undefined(self, 2, neib_step)]


class Images2NeibsGrad(_NeibsBase):
    """``(ten4, gz, neib_shape, neib_step) -> gx``: the gradient of
    :class:`Images2Neibs`; ``ten4`` only gives the shape.  Each pixel
    gets the sum of the entries of ``gz`` that were copied from it."""

    _c_call = ('neibs::grad<DTYPE_OUTPUT_0>(INPUT_0, INPUT_1, INPUT_2, '
               'INPUT_3, mode, threads, TYPENUM_OUTPUT_0, &OUTPUT_0)')

    def make_node(self, ten4, gz, neib_shape, neib_step):
        ten4 = pt.as_tensor_variable(ten4)
        gz = pt.as_tensor_variable(gz)
        if ten4.ndim != 4 or gz.ndim != 2:
            raise TypeError('images2neibs gradient: ten4 should be 4-d and '
                            'gz 2-d, not %s and %s' % (ten4.type, gz.type))
        if gz.type.dtype != ten4.type.dtype:
            raise TypeError('images2neibs gradient: gz (%s) should have '
                            "ten4's dtype (%s)" % (gz.type.dtype,
                                                   ten4.type.dtype))
        return Apply(self, [ten4, gz, _as_pair(neib_shape, 'neib_shape'),
                            _as_pair(neib_step, 'neib_step')], [ten4.type()])

    def perform(self, node, inputs, outputs):
        ten4, gz, neib_shape, neib_step = inputs
        outputs[0][0] = numpy.ascontiguousarray(add_patches_back(
            numpy, ten4.shape, gz, _check_pair(neib_shape, 'neib_shape'),
            _check_pair(neib_step, 'neib_step'), self.mode))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def connection_pattern(self, node):
        return [[False], [True], [False], [False]]

    def pullback(self, inputs, outputs, grads):
        # linear in gz: its transpose is the cutting itself
        x, gz, neib_shape, neib_step = inputs
        g = pt.cast(grads[0], x.type.dtype)
        return [DisconnectedType()(),
                Images2Neibs(self.mode)(g, neib_shape, neib_step),
                DisconnectedType()(), DisconnectedType()()]


def images2neibs(ten4, neib_shape, neib_step=None, mode='valid'):
    """The patches of a stack of images, one per row.

    :param ten4: 4-d tensor ``(n, s, rows, cols)``
    :param neib_shape: ``(c, d)``: the patch's rows and columns (ints, or
        a symbolic vector of 2 ints)
    :param neib_step: ``(step_r, step_c)`` between patches; None (the
        default): ``neib_shape``, patches side by side
    :param mode: ``'valid'``, ``'ignore_borders'``, ``'half'``, ``'full'``
        or ``'wrap_centered'`` (see the module's docstring)
    :returns: matrix ``(n * s * grid_r * grid_c, c * d)`` of ten4's dtype:
        row ``((i * s + j) * grid_r + a) * grid_c + b`` is the patch at
        position ``(a, b)`` of image ``ten4[i, j]``, flattened row by row
    :raises NotImplementedError: for an unknown mode
    :raises TypeError: (when run) for shapes the mode does not take, as
        Theano's
    """
    return Images2Neibs(mode)(ten4, neib_shape, neib_step)


def neibs2images(neibs, neib_shape, original_shape, mode='valid'):
    """The images whose side-by-side patches are ``neibs``: the inverse
    of ``images2neibs(ten4, neib_shape, mode=mode)``.

    :param neibs: matrix of patches, as images2neibs returns them
    :param neib_shape: ``(c, d)`` given to images2neibs (its neib_step
        must have been the same)
    :param original_shape: the 4 ints (or a symbolic vector) of the
        images' shape, such as ``ten4.shape``
    :param mode: ``'valid'`` or ``'ignore_borders'`` (the rows and
        columns the patches left out are zeros)
    :returns: 4-d tensor of ``original_shape``, of neibs' dtype (with
        ``'ignore_borders'`` and border zeros to add: the dtype that
        Theano's concatenation with floatX zeros gave)
    :raises NotImplementedError: for another mode, as Theano's
    """
    if mode not in ('valid', 'ignore_borders'):
        raise NotImplementedError('neibs2images do not support mode=%s'
                                  % mode)
    neibs = pt.as_tensor_variable(neibs)
    neib_shape = pt.as_tensor_variable(neib_shape)
    original_shape = pt.as_tensor_variable(original_shape)
    c, d = neib_shape[0], neib_shape[1]
    n, s, rows, cols = [original_shape[i] for i in range(4)]
    grid_r, grid_c = rows // c, cols // d
    images = neibs.reshape((n, s, grid_r, grid_c, c, d), ndim=6)
    images = images.dimshuffle(0, 1, 2, 4, 3, 5).reshape(
        (n, s, grid_r * c, grid_c * d), ndim=4)
    if mode == 'valid':
        # as Theano's reshape to original_shape: a shape that does not
        # match fails when run
        return images.reshape(original_shape, ndim=4)
    # the rows and columns left over by ignore_borders: zeros of floatX,
    # concatenated (the upcast is Theano's)
    for axis, full in ((2, rows), (3, cols)):
        pad_shape = [images.shape[i] for i in range(4)]
        pad_shape[axis] = full - images.shape[axis]
        images = pt.concatenate([images, pt.zeros(pad_shape)], axis=axis)
    return images


__getattr__ = module_getattr(__name__)
