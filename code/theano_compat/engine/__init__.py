"""The machinery below Theano's names.

============== =============================================================
``flags``      ``THEANO_FLAGS``: floatX, device, mode, optimizer_excluding
``cvm``        Theano's ``FAST_RUN``: PyTensor's C backend, its BLAS, and
               the rewrites that keep the tutorials' graphs in C
``fused``      logistic regression's cost, gradient and error rate as one
               C++ loop (``fused_softmax.cpp``), reached by a rewrite
``threads``    how many threads the compiled code runs on
``jax_device`` ``device=cuda``: PyTensor's JAX backend, data on the device
============== =============================================================
"""
