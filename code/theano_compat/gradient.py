"""``theano.gradient``: symbolic differentiation.

PyTensor's ``pytensor.gradient`` is Theano's module (``grad``, ``Rop``,
``Lop``, ``jacobian``, ``hessian``, ``grad_clip``, ``zero_grad``,
``disconnected_grad``, ``verify_grad``...), served by the table of
``theano_compat.names``.  ``consider_constant``, which PyTensor dropped,
is here: the gradient through it is zero.
"""

from pytensor.gradient import zero_grad as _zero_grad

from theano_compat.names import module_getattr

__all__ = ['consider_constant']


def consider_constant(x):
    """``x``, taken as a constant by ``T.grad``: the gradient flowing back
    through it is zero (``theano.gradient.zero_grad``)."""
    return _zero_grad(x)


__getattr__ = module_getattr(__name__)
