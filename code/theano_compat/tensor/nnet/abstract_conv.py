"""``theano.tensor.nnet.abstract_conv``: Theano's ``conv2d``, on PyTensor.

PyTensor no longer has a convolution of images.  :func:`conv2d` builds
Theano's: a minibatch of images ``(batch, channels, rows, cols)`` with a
stack of filters ``(filters, channels, rows, cols)``, in NCHW order, the
filters flipped by default (a true convolution; ``filter_flip=False``
gives the correlation).

Three ops compute it, as Theano's ``CorrMM`` ops did: :class:`Corr2d`
(the forward pass), :class:`Corr2dGradWeights` and
:class:`Corr2dGradInputs` (its two gradients, which ``T.grad`` puts in
the graph).  Each has

* C++ code (``corr_gemm.cpp``, beside this file): the image patches of
  the whole minibatch unrolled into one matrix, then one matrix product
  over the whole minibatch by the gemm of the BLAS that PyTensor's own C
  code links (``blas__ldflags``; in this port the OpenBLAS of
  ``scipy-openblas32``, see ``engine.cvm``).  With several threads, the
  product's result is computed in column blocks, one gemm each, on the
  op's threads (as many as ``engine.threads.fused_threads`` says);
  without a BLAS to link there is no C code, as for PyTensor's products;
* a NumPy ``perform`` for the modes without C code;
* a JAX implementation (``jax.lax.conv_general_dilated``), registered
  with PyTensor's JAX backend, so ``mode='JAX'`` compiles.

The gradient ops have gradients too (each is the transpose of a linear
map that another of the three computes), so second derivatives work.

Shape hints (``input_shape``, ``filter_shape``, Theano's older
``image_shape``) are checked against what is known when the graph is
built, and the channel counts again at run time; as in Theano 1.0 (whose
``conv.assert_shape`` flag was off by default), a hint is not enforced
on the run-time shapes otherwise.
"""

import hashlib
import os
import warnings

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply, Constant
from pytensor.link.c.op import COp
from pytensor.link.c.params_type import ParamsType
from pytensor.tensor.type import TensorType

from theano_compat.engine.jax_device import on_jax_dispatch
from theano_compat.engine.threads import fused_threads

__all__ = ['conv2d', 'Corr2d', 'Corr2dGradWeights', 'Corr2dGradInputs',
           'normalize_border_mode', 'border_pads', 'conv_output_length']

FLOAT_DTYPES = ('float32', 'float64')
HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_FILE = os.path.join(HERE, 'corr_gemm.cpp')
# the parallel loop, shared with the pooling ops
PARALLEL_FILE = os.path.join(os.path.dirname(HERE), 'parallel_for.cpp')


# ----------------------------------------------------------------------------
# Border modes and output shapes.

def _is_int(value):
    return isinstance(value, (int, numpy.integer)) and not isinstance(
        value, bool)


def normalize_border_mode(border_mode):
    """Theano's ``border_mode`` in one form.

    :param border_mode: ``'valid'``, ``'full'``, ``'half'``, an int ``p``
        (``p`` zeros on every side), a pair ``(p_rows, p_cols)``, or a pair
        of pairs ``((above, below), (left, right))`` (a pair may mix ints
        and pairs, as Theano allowed)
    :rtype: ``'full'``, ``'half'`` or ``((above, below), (left, right))``
        (``'valid'`` is all zeros)
    :raises ValueError: for anything else
    """
    if isinstance(border_mode, str):
        if border_mode == 'valid':
            return ((0, 0), (0, 0))
        if border_mode in ('full', 'half'):
            return border_mode
    elif _is_int(border_mode) and border_mode >= 0:
        return ((int(border_mode),) * 2,) * 2
    elif isinstance(border_mode, (tuple, list)) and len(border_mode) == 2:
        sides = []
        for item in border_mode:
            if _is_int(item) and item >= 0:
                sides.append((int(item), int(item)))
            elif (isinstance(item, (tuple, list)) and len(item) == 2
                    and all(_is_int(p) and p >= 0 for p in item)):
                sides.append((int(item[0]), int(item[1])))
            else:
                break
        else:
            return tuple(sides)
    raise ValueError(
        "conv2d: invalid border_mode %r; use 'valid', 'full', 'half', a "
        "non-negative int, a pair of them (rows, columns), or a pair of "
        "(before, after) pairs" % (border_mode,))


def border_pads(border, kernel_rows, kernel_cols, dilation=(1, 1)):
    """The zeros added around the image: ``(above, below, left, right)``.

    :param border: a :func:`normalize_border_mode` result
    :param kernel_rows, kernel_cols: the filters' size (ints, or symbolic
        integer scalars)
    :param dilation: the filters' dilation (pair of ints)
    """
    if border in ('full', 'half'):
        pads = []
        for k, d in zip((kernel_rows, kernel_cols), dilation):
            span = (k - 1) * d + 1
            pads.append(span - 1 if border == 'full' else span // 2)
        return pads[0], pads[0], pads[1], pads[1]
    (above, below), (left, right) = border
    return above, below, left, right


def conv_output_length(length, kernel, before, after, stride, dilation):
    """Rows (or columns) of the output, as Theano computed them.

    ``(length + before + after - span) // stride + 1`` where ``span`` is
    the dilated filter's extent.  Works on ints and on symbolic scalars.
    """
    span = (kernel - 1) * dilation + 1
    return (length + before + after - span) // stride + 1


def _pair(value, name, minimum):
    """``value`` as a pair of ints >= minimum, or ValueError naming it."""
    if _is_int(value):
        value = (value, value)
    try:
        a, b = value
    except (TypeError, ValueError):
        a = b = None
    if not (_is_int(a) and _is_int(b) and a >= minimum and b >= minimum):
        raise ValueError('conv2d: %s should be a pair of ints >= %d, not %r'
                         % (name, minimum, value))
    return int(a), int(b)


# ----------------------------------------------------------------------------
# The ops.

def kernel_source():
    """The C++ code of the three ops: ``parallel_for.cpp``, then
    ``corr_gemm.cpp``."""
    sources = []
    for path in (PARALLEL_FILE, KERNEL_FILE):
        with open(path) as f:
            sources.append(f.read())
    return '\n'.join(sources)


def _blas_flags(libs=False, flags=False, libs_dir=False):
    from pytensor.tensor.blas import ldflags
    return ldflags(libs=libs, flags=flags, libs_dir=libs_dir)


class _Corr2dBase(COp):
    """What the three ops share: their parameters and their C setup.

    :param border: a :func:`normalize_border_mode` result
    :param subsample: the strides ``(rows, cols)``
    :param filter_dilation: the filters' dilation ``(rows, cols)``
    :param filter_flip: True for a convolution (filters flipped), False
        for a correlation
    """

    __props__ = ('border', 'subsample', 'filter_dilation', 'filter_flip')
    params_type = ParamsType(pad_above=ps.int64, pad_below=ps.int64,
                             pad_left=ps.int64, pad_right=ps.int64,
                             sh=ps.int64, sw=ps.int64, dh=ps.int64,
                             dw=ps.int64, flip=ps.int32, threads=ps.int32)
    _c_function = None  # the C++ function the op's c_code calls

    def __init__(self, border='valid', subsample=(1, 1),
                 filter_dilation=(1, 1), filter_flip=True):
        self.border = normalize_border_mode(border)
        self.subsample = _pair(subsample, 'subsample', 1)
        self.filter_dilation = _pair(filter_dilation, 'filter_dilation', 1)
        self.filter_flip = bool(filter_flip)

    def L_op(self, inputs, outputs, grads):
        # PyTensor before 3.0 asks for L_op; later ones for pullback.
        return self.pullback(inputs, outputs, grads)

    def _kwargs(self):
        return dict(border=self.border, subsample=self.subsample,
                    filter_dilation=self.filter_dilation,
                    filter_flip=self.filter_flip)

    def get_params(self, node):
        if self.border in ('full', 'half'):
            pads = (-1 if self.border == 'full' else -2,) * 4
        else:
            pads = border_pads(self.border, 1, 1)
        return self.params_type.get_params(
            pad_above=pads[0], pad_below=pads[1], pad_left=pads[2],
            pad_right=pads[3], sh=self.subsample[0], sw=self.subsample[1],
            dh=self.filter_dilation[0], dw=self.filter_dilation[1],
            flip=int(self.filter_flip), threads=fused_threads())

    # --- shapes -----------------------------------------------------------

    def pads(self, kernel_rows, kernel_cols):
        """``(above, below, left, right)`` for filters of this size."""
        return border_pads(self.border, kernel_rows, kernel_cols,
                           self.filter_dilation)

    def output_shape(self, image_shape, filter_shape):
        """The output's shape for images and filters of these shapes.

        Entries may be ints, symbolic scalars, or None (unknown), which
        makes the entries that depend on them None.
        """
        n, _, rows, cols = image_shape
        f, _, kr, kc = filter_shape
        out = [n, f]
        if None in (kr, kc):
            return tuple(out + [None, None])
        above, below, left, right = self.pads(kr, kc)
        for length, k, before, after, s, d in (
                (rows, kr, above, below) + (self.subsample[0],
                                            self.filter_dilation[0]),
                (cols, kc, left, right) + (self.subsample[1],
                                           self.filter_dilation[1])):
            out.append(None if length is None else
                       conv_output_length(length, k, before, after, s, d))
        return tuple(out)

    def _numeric_shape(self, image_shape, filter_shape):
        """:meth:`output_shape` for ints, with the C code's checks."""
        if image_shape[1] != filter_shape[1]:
            raise ValueError(
                'conv2d: the input has %d channels (its shape is %s) but the '
                'filters take %d (their shape is %s)'
                % (image_shape[1], tuple(image_shape), filter_shape[1],
                   tuple(filter_shape)))
        shape = self.output_shape(tuple(image_shape), tuple(filter_shape))
        if shape[2] < 1 or shape[3] < 1 or min(filter_shape[2:]) < 1:
            raise ValueError(
                'conv2d: filters of %d x %d do not fit in the input of %d x '
                '%d with border_mode %r and dilation %s'
                % (filter_shape[2], filter_shape[3], image_shape[2],
                   image_shape[3], self.border, self.filter_dilation))
        return shape

    @staticmethod
    def _check_inputs(who, *pairs):
        """Each ``(name, variable)`` a 4-d float tensor, all of one dtype."""
        dtypes = set()
        for name, var in pairs:
            if var.type.ndim != 4 or var.type.dtype not in FLOAT_DTYPES:
                raise TypeError(
                    '%s: %s should be a 4-d float32 or float64 tensor, not %s'
                    % (who, name, var.type))
            dtypes.add(var.type.dtype)
        if len(dtypes) > 1:
            raise TypeError('%s: the inputs should have one dtype, not %s'
                            % (who, ', '.join(sorted(dtypes))))

    # --- the numerical parts, in NumPy -------------------------------------

    def _windows(self, x, kernel_rows, kernel_cols):
        """The patches: ``(n, c, out_rows, out_cols, kernel_rows,
        kernel_cols)``, a strided view of ``x`` padded with zeros."""
        above, below, left, right = self.pads(kernel_rows, kernel_cols)
        sh, sw = self.subsample
        dh, dw = self.filter_dilation
        padded = numpy.pad(x, ((0, 0), (0, 0), (above, below),
                               (left, right)))
        span = ((kernel_rows - 1) * dh + 1, (kernel_cols - 1) * dw + 1)
        view = numpy.lib.stride_tricks.sliding_window_view(
            padded, span, axis=(2, 3))
        return view[:, :, ::sh, ::sw, ::dh, ::dw]

    def _oriented(self, w):
        """The filters as the correlation uses them (flipped if asked)."""
        return w[:, :, ::-1, ::-1] if self.filter_flip else w

    def _np_forward(self, x, w):
        self._numeric_shape(x.shape, w.shape)
        windows = self._windows(x, w.shape[2], w.shape[3])
        out = numpy.tensordot(windows, self._oriented(w),
                              axes=([1, 4, 5], [1, 2, 3]))
        return numpy.ascontiguousarray(out.transpose(0, 3, 1, 2))

    def _check_top(self, top, x_shape, w_shape):
        expected = self._numeric_shape(x_shape, w_shape)
        if tuple(top.shape) != tuple(expected):
            raise ValueError(
                "conv2d gradient: the output gradient has shape %s, but the "
                "convolution's output has shape %s"
                % (tuple(top.shape), tuple(expected)))

    def _np_grad_weights(self, x, top, w_shape):
        self._check_top(top, x.shape, w_shape)
        windows = self._windows(x, w_shape[2], w_shape[3])
        grad = numpy.tensordot(top, windows, axes=([0, 2, 3], [0, 2, 3]))
        return numpy.ascontiguousarray(self._oriented(grad))

    def _np_grad_inputs(self, w, top, x_shape):
        self._check_top(top, x_shape, w.shape)
        n, c, rows, cols = x_shape
        kr, kc = w.shape[2:]
        above, below, left, right = self.pads(kr, kc)
        sh, sw = self.subsample
        dh, dw = self.filter_dilation
        oh, ow = top.shape[2:]
        padded = numpy.zeros((n, c, rows + above + below,
                              cols + left + right), dtype=top.dtype)
        w = self._oriented(w)
        for i in range(kr):
            for j in range(kc):
                part = numpy.tensordot(top, w[:, :, i, j], axes=([1], [0]))
                padded[:, :, i * dh:i * dh + (oh - 1) * sh + 1:sh,
                       j * dw:j * dw + (ow - 1) * sw + 1:sw] += \
                    part.transpose(0, 3, 1, 2)
        return numpy.ascontiguousarray(
            padded[:, :, above:above + rows, left:left + cols])

    # --- C ------------------------------------------------------------------

    def c_support_code(self, **kwargs):
        from pytensor.tensor.blas_headers import blas_header_text
        return blas_header_text() + '\n' + kernel_source()

    def c_headers(self, **kwargs):
        return ['<limits.h>', '<pthread.h>', '<stdlib.h>', '<string.h>']

    def c_libraries(self, **kwargs):
        return _blas_flags(libs=True) + ['pthread']

    def c_compile_args(self, **kwargs):
        return _blas_flags(flags=True) + ['-pthread']

    def c_lib_dirs(self, **kwargs):
        return _blas_flags(libs_dir=True)

    def c_support_code_struct(self, node, name):
        return 'corr2d::Scratch scratch_%s;\n' % name

    def c_init_code_struct(self, node, name, sub):
        return 'corr2d::scratch_init(&scratch_%s);\n' % name

    def c_cleanup_code_struct(self, node, name):
        return 'corr2d::scratch_free(&scratch_%s);\n' % name

    def c_code(self, node, name, inputs, outputs, sub):
        if not pytensor.config.blas__ldflags:
            # as PyTensor's own products: without a BLAS to link, NumPy's
            # (in perform) does the work
            raise NotImplementedError('no BLAS to link (blas__ldflags)')
        a, b = inputs[:2]
        dtype = node.outputs[0].type.dtype
        return _C_CALL % dict(
            function=self._c_function, a=a, b=b,
            extra=(', ' + inputs[2]) if len(inputs) > 2 else '',
            out=outputs[0], name=name, fail=sub['fail'],
            params=sub['params'], T='npy_' + dtype,
            typenum='NPY_' + dtype.upper())

    def c_code_cache_version(self):
        from pytensor.tensor.blas_headers import blas_header_version
        # PyTensor keys its cache of compiled modules by this, not by the
        # source: the hash follows every change of the C++ code.
        return (1, hashlib.sha256((kernel_source() + _C_CALL).encode())
                .hexdigest(), blas_header_version())


_C_CALL = r"""
{
    const corr2d::Options options = {
        {%(params)s->pad_above, %(params)s->pad_below,
         %(params)s->pad_left, %(params)s->pad_right},
        %(params)s->sh, %(params)s->sw, %(params)s->dh, %(params)s->dw,
        %(params)s->flip, %(params)s->threads};
    if (corr2d::%(function)s<%(T)s>(%(a)s, %(b)s%(extra)s, options,
                                    %(typenum)s, &%(out)s,
                                    &scratch_%(name)s) != 0) {
        %(fail)s
    }
}
"""


def _static_dims(var):
    return tuple(var.type.shape)


class Corr2d(_Corr2dBase):
    """The forward pass: ``(images, filters) -> output``.

    :param images: 4-d tensor ``(batch, channels, rows, cols)``
    :param filters: 4-d tensor ``(filters, channels, k_rows, k_cols)``, of
        the images' dtype (float32 or float64)
    :returns: 4-d tensor ``(batch, filters, out_rows, out_cols)``, each
        map the sum over channels of the image correlated with the filter
        (convolved, if ``filter_flip``), sampled every ``subsample`` pixels
    """

    _c_function = 'forward'

    def make_node(self, images, filters):
        images = pt.as_tensor_variable(images)
        filters = pt.as_tensor_variable(filters)
        self._check_inputs('conv2d', ('the input', images),
                           ('the filters', filters))
        shape = self.output_shape(_static_dims(images), _static_dims(filters))
        # (a size below 1 is left unknown: running it raises the error)
        out = TensorType(images.type.dtype,
                         shape=tuple(None if s is None or s < 1 else int(s)
                                     for s in shape))()
        return Apply(self, [images, filters], [out])

    def perform(self, node, inputs, outputs):
        outputs[0][0] = self._np_forward(*inputs)

    # No infer_shape: PyTensor would then compute the output's shape from
    # the formula, in JAX out of traced values, which JAX cannot use as a
    # shape (e.g. in the gradient of a sum); without it, the shape is read
    # off the output, a static value in JAX.

    def pullback(self, inputs, outputs, grads):
        images, filters = inputs
        top = pt.cast(grads[0], outputs[0].type.dtype)
        return [Corr2dGradInputs(**self._kwargs())(filters, top, images),
                Corr2dGradWeights(**self._kwargs())(images, top, filters)]


class Corr2dGradWeights(_Corr2dBase):
    """The forward pass's gradient with respect to the filters.

    ``(images, top, filters_like) -> d_filters``: ``top`` is the gradient
    of a cost with respect to the output ``(batch, filters, out_rows,
    out_cols)``; ``filters_like`` only gives the filters' shape (its values
    are not read).  The result has the filters' shape.
    """

    _c_function = 'grad_weights'

    def make_node(self, images, top, filters_like):
        images, top, filters_like = map(pt.as_tensor_variable,
                                        (images, top, filters_like))
        self._check_inputs('conv2d gradient of the filters',
                           ('the input', images), ('the output gradient', top),
                           ('the filters', filters_like))
        return Apply(self, [images, top, filters_like],
                     [TensorType(images.type.dtype,
                                 shape=filters_like.type.shape)()])

    def perform(self, node, inputs, outputs):
        images, top, filters_like = inputs
        outputs[0][0] = self._np_grad_weights(images, top, filters_like.shape)

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[2]]

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def pullback(self, inputs, outputs, grads):
        # The output is linear in the images and in top: its transpose with
        # respect to each is the input gradient, or the forward pass.
        images, top, filters_like = inputs
        g = pt.cast(grads[0], outputs[0].type.dtype)
        return [Corr2dGradInputs(**self._kwargs())(g, top, images),
                Corr2d(**self._kwargs())(images, g),
                DisconnectedType()()]


class Corr2dGradInputs(_Corr2dBase):
    """The forward pass's gradient with respect to the images.

    ``(filters, top, images_like) -> d_images``: ``images_like`` only
    gives the images' shape (its values are not read).  The result has
    the images' shape; pixels that no output position reads (past the
    last stride) get zero.
    """

    _c_function = 'grad_inputs'

    def make_node(self, filters, top, images_like):
        filters, top, images_like = map(pt.as_tensor_variable,
                                        (filters, top, images_like))
        self._check_inputs('conv2d gradient of the input',
                           ('the filters', filters),
                           ('the output gradient', top),
                           ('the input', images_like))
        return Apply(self, [filters, top, images_like],
                     [TensorType(filters.type.dtype,
                                 shape=images_like.type.shape)()])

    def perform(self, node, inputs, outputs):
        filters, top, images_like = inputs
        outputs[0][0] = self._np_grad_inputs(filters, top, images_like.shape)

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[2]]

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def pullback(self, inputs, outputs, grads):
        filters, top, images_like = inputs
        g = pt.cast(grads[0], outputs[0].type.dtype)
        return [Corr2dGradWeights(**self._kwargs())(g, top, filters),
                Corr2d(**self._kwargs())(g, filters),
                DisconnectedType()()]


# ----------------------------------------------------------------------------
# JAX.

def _register_jax():
    import jax
    from pytensor.link.jax.dispatch import jax_funcify

    def correlate(op, images, filters):
        above, below, left, right = op.pads(*filters.shape[2:])
        if op.filter_flip:
            filters = filters[:, :, ::-1, ::-1]
        return jax.lax.conv_general_dilated(
            images, filters, window_strides=op.subsample,
            padding=((above, below), (left, right)),
            rhs_dilation=op.filter_dilation,
            dimension_numbers=('NCHW', 'OIHW', 'NCHW'))

    @jax_funcify.register(Corr2d)
    def _jax_corr2d(op, **kwargs):
        def corr2d(images, filters):
            return correlate(op, images, filters)
        return corr2d

    @jax_funcify.register(Corr2dGradWeights)
    def _jax_corr2d_grad_weights(op, **kwargs):
        def corr2d_grad_weights(images, top, filters_like):
            _, pullback = jax.vjp(lambda w: correlate(op, images, w),
                                  jax.numpy.zeros(filters_like.shape,
                                                  images.dtype))
            return pullback(top.astype(images.dtype))[0]
        return corr2d_grad_weights

    @jax_funcify.register(Corr2dGradInputs)
    def _jax_corr2d_grad_inputs(op, **kwargs):
        def corr2d_grad_inputs(filters, top, images_like):
            _, pullback = jax.vjp(lambda x: correlate(op, x, filters),
                                  jax.numpy.zeros(images_like.shape,
                                                  filters.dtype))
            return pullback(top.astype(filters.dtype))[0]
        return corr2d_grad_inputs


on_jax_dispatch(_register_jax)


# ----------------------------------------------------------------------------
# conv2d.

def _shape_hint(hint, name):
    """A shape hint as a 4-tuple of ints and Nones, or ValueError."""
    if hint is None:
        return (None,) * 4
    try:
        hint = tuple(hint)
    except TypeError:
        hint = None
    if hint is None or len(hint) != 4:
        raise ValueError('conv2d: %s should have 4 entries, not %r'
                         % (name, hint))
    out = []
    for item in hint:
        if isinstance(item, Constant):
            item = item.data
        if item is not None:
            try:
                value = int(item)
            except (TypeError, ValueError):
                value = -1
            if value < 0 or value != item:
                raise ValueError(
                    'conv2d: %s should hold ints (or None for unknown '
                    'sizes), not %r' % (name, hint))
            item = value
        out.append(item)
    return tuple(out)


def _merge_shapes(static, hint, what, hint_name):
    """One shape from a variable's static shape and a hint, or ValueError."""
    merged = []
    for axis, (known, hinted) in enumerate(zip(static, hint)):
        if known is not None and hinted is not None and known != hinted:
            raise ValueError(
                'conv2d: %s says that %s has shape %s, but its shape is %s '
                '(they differ in dimension %d)'
                % (hint_name, what, hint, static, axis))
        merged.append(known if known is not None else hinted)
    return tuple(merged)


def conv2d(input, filters, input_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1), filter_flip=True,
           image_shape=None, filter_dilation=(1, 1), **kwargs):
    """Theano's 2-D convolution of a minibatch of multi-channel images.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param filters: 4-d tensor ``(n_filters, channels, k_rows, k_cols)``
    :param input_shape: the input's shape if known: 4 ints, or None for
        unknown entries (a hint, checked where the shape is known)
    :param filter_shape: the filters' shape if known, likewise
    :param border_mode: ``'valid'`` (only where the filter fits inside the
        image), ``'full'`` (wherever it overlaps the image: ``k - 1`` zeros
        around it), ``'half'`` (``k // 2`` zeros: the same size as the
        input for odd ``k`` and no subsampling), an int ``p`` (``p``
        zeros), a pair ``(p_rows, p_cols)``, or ``((above, below),
        (left, right))``; ``k`` is the dilated filter's extent
    :param subsample: strides ``(rows, cols)``: the output keeps every
        ``s``-th position
    :param filter_flip: True (default): the filters are flipped, a true
        convolution; False: correlation
    :param image_shape: Theano's older name of ``input_shape``
    :param filter_dilation: ``(rows, cols)``: the filters' taps are that
        many pixels apart
    :param kwargs: ``num_groups=1`` and ``unshared=False`` (Theano's
        defaults) are accepted; other values are not implemented.  Other
        keywords are ignored with a warning, as Theano did.
    :returns: 4-d tensor ``(batch, n_filters, out_rows, out_cols)`` with
        ``out = (size + pads - ((k - 1) * dilation + 1)) // stride + 1``;
        float32 inputs give float32, float64 give float64 (mixed: the
        wider)
    :raises TypeError: when an input is not a 4-d float tensor
    :raises ValueError: for a bad border mode, stride or dilation, shape
        hints that contradict the inputs' known shapes, or input and
        filters whose channel counts are known to differ
    """
    if kwargs.pop('num_groups', 1) != 1:
        raise NotImplementedError('conv2d: num_groups other than 1 (grouped '
                                  'convolution) is not implemented')
    if kwargs.pop('unshared', False):
        raise NotImplementedError('conv2d: unshared (locally connected) '
                                  'convolution is not implemented')
    if 'imshp_logical' in kwargs or 'kshp_logical' in kwargs:
        raise ValueError("conv2d: the keywords 'imshp_logical' and "
                         "'kshp_logical' are not supported (nor were they "
                         "by Theano's conv2d)")
    if kwargs:
        warnings.warn('conv2d: the keywords %s are ignored (Theano ignored '
                      'them too)' % ', '.join(sorted(kwargs)), stacklevel=2)
    if image_shape is not None:
        if input_shape is not None:
            raise ValueError('conv2d: give input_shape or its older name '
                             'image_shape, not both')
        input_shape = image_shape

    input = pt.as_tensor_variable(input)
    filters = pt.as_tensor_variable(filters)
    for name, var in (('the input', input), ('the filters', filters)):
        if var.type.ndim != 4:
            raise TypeError('conv2d: %s should be a 4-d tensor, not %s (%d '
                            'dimensions)' % (name, var.type, var.type.ndim))
    dtype = ps.upcast(input.type.dtype, filters.type.dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError('conv2d: the input and filters should be float32 or '
                        'float64 tensors, not %s and %s'
                        % (input.type.dtype, filters.type.dtype))
    input, filters = pt.cast(input, dtype), pt.cast(filters, dtype)

    in_shape = _merge_shapes(_static_dims(input),
                             _shape_hint(input_shape, 'input_shape'),
                             'the input', 'input_shape')
    k_shape = _merge_shapes(_static_dims(filters),
                            _shape_hint(filter_shape, 'filter_shape'),
                            'the filters', 'filter_shape')
    if None not in (in_shape[1], k_shape[1]) and in_shape[1] != k_shape[1]:
        raise ValueError(
            'conv2d: the input has %d channels (shape %s) but the filters '
            'take %d (shape %s)' % (in_shape[1], in_shape, k_shape[1],
                                    k_shape))
    op = Corr2d(border_mode, subsample, filter_dilation, filter_flip)
    known = op.output_shape(in_shape, k_shape)
    if any(s is not None and s < 1 for s in known[2:]):
        raise ValueError(
            'conv2d: filters of shape %s do not fit in an input of shape %s '
            'with border_mode %r, subsample %s and filter_dilation %s'
            % (k_shape, in_shape, border_mode, op.subsample,
               op.filter_dilation))
    return op(input, filters)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
