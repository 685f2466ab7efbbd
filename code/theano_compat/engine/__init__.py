"""The machinery below Theano's names.

====================== =====================================================
``flags``              ``THEANO_FLAGS``: floatX, device, mode,
                       optimizer_excluding
``cvm``                Theano's ``FAST_RUN``: PyTensor's C backend and its
                       BLAS
``rewrites``           every rewrite the package adds to PyTensor's,
                       registered in one place
``fused``              logistic regression's cost, gradient and error rate
                       as one C++ loop (``fused_softmax.cpp``), reached by a
                       rewrite
``reductions``         the sum of squares of L2 penalties and a
                       convolution's bias gradient, in C++ lanes; sums and
                       maxima over the last axis, eight rows at a time
``elementwise``        Theano's sigmoid and softplus; float32 tanh,
                       sigmoid and softplus in vector registers
``vector_math.cpp``    exp, expm1 and log1p of double in 256-bit vectors,
                       for the float32 kernels
``cop``                the one base of the package's C++ ops: their code
                       sections in ``.cpp`` files beside them, hashed into
                       the cache version
``parallel_for.cpp``   the threads of the convolutions', pooling's and
                       ``images2neibs``' loops
``arrays.cpp``         what the C++ ops share for NumPy arrays (their
                       C-contiguous versions)
``gemm.cpp``           the convolutions' matrix product, cut into blocks on
                       those threads
``threads``            how many threads the compiled code runs on
``jax_device``         ``device=cuda``: PyTensor's JAX backend, data on the
                       device; its one hook imports ``jax_dispatch``, the
                       JAX code of the package's ops
====================== =====================================================
"""
