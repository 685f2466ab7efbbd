"""``theano.compile``: compiling graphs into functions."""

from theano_compat.compile.function_module import function, Function  # noqa: F401
from theano_compat.compile.io import In, Out  # noqa: F401
from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
