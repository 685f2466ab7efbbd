"""``theano.compile``: compiling graphs into functions."""

from theano_compat.compile.function_module import function, Function  # noqa: F401
from theano_compat.compile.io import In, Out  # noqa: F401
# Theano's submodules of the same names as PyTensor's objects: imported
# here, so that the package's __getattr__ never answers for them.
from theano_compat.compile import debugmode, mode, nanguardmode  # noqa: F401,E501
from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
