"""``theano.tensor.signal``: ``pool`` (``pool_2d``, ``pool_3d``) and
``conv``, as in Theano."""

from theano_compat.names import module_getattr
from theano_compat.tensor.signal import pool  # noqa: F401
from theano_compat.tensor.signal import conv  # noqa: F401

# pool and conv, from the table (not PyTensor's unrelated
# pytensor.tensor.signal)
__getattr__ = module_getattr(__name__)
