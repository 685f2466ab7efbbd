"""``theano.compile``: compiling graphs into functions."""

import pytensor.compile as _pytensor_compile

from theano_compat.compile.function_module import function, Function  # noqa: F401
from theano_compat.compile.io import In, Out  # noqa: F401
from theano_compat.names import missing_name as _missing_name


def __getattr__(name):
    return _missing_name(__name__, 'theano.compile', _pytensor_compile, name)
