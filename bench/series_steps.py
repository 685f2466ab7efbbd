"""Training steps of the tutorial series' models: this port against PyTorch.

Each model is built twice in one process, once with ``theano_compat``
(compiled by ``theano.function`` in its default mode, FAST_RUN: the C
backend) and once with PyTorch on the CPU, on the same number of threads;
each is the tutorial's own model and update, on random data of MNIST's
shape:

=========  =====  ========  ===============================================
step       dtype  batch     the tutorial's model and update
=========  =====  ========  ===============================================
``lenet``  f32    500       convolutional_mlp.py: two layers of 5 x 5
                            convolution, 2 x 2 max pooling and tanh (20
                            and 50 filters), 500 tanh units, logistic
                            regression; SGD, learning rate 0.1
``mlp``    f32    20        mlp.py: 500 tanh units, logistic regression,
                            the L2 term (the L1 term is 0); rate 0.01
``dA``     f32    20        dA.py: denoising autoencoder, 500 sigmoid
                            units, tied weights, 30 % corruption drawn by
                            MRG_RandomStreams, cross-entropy; rate 0.1
``cA``     f32    10        cA.py: contractive autoencoder, 500 units, the
                            Jacobian's norm (a (10, 784, 500) tensor) in
                            the cost, contraction 0.1; rate 0.01
``SdA``    f64    1         SdA.py's pretraining: three denoising
                            autoencoders of 1000 units stacked on sigmoid
                            layers, corruption 0.1, 0.2, 0.3; rate 0.001.
                            A step is one call of each layer's function
``RBM``    f32    20        rbm.py: 500 hidden units, persistent
                            contrastive divergence with 15 Gibbs steps in
                            ``theano.scan`` (PCD-15, as the tutorial
                            trains it), the pseudo-likelihood cost; 0.1
``DBN``    f32    10        DBN.py's pretraining: three RBMs of 1000 units
                            stacked on sigmoid layers, CD-1, the
                            reconstruction cost; rate 0.01.  A step is one
                            call of each layer's function
``lstm``   f32    16        lstm.py: word embeddings of 128 (10000 words),
                            an LSTM of 128 units over reviews of up to 100
                            words in ``theano.scan`` (masked), mean
                            pooling, dropout, logistic regression on 2
                            classes; ADADELTA.  A step is the tutorial's
                            two calls: the gradients, then the update
=========  =====  ========  ===============================================

Each training step is the tutorial's: the minibatch taken by index from
data held in shared variables (``givens``), the cost, its gradients, and
the SGD update of every parameter.  The two sides take turns, several
rounds, and with them, in the same rounds, the machine's own rate: a
2048 x 2048 x 2048 matrix product (float32 or float64, as the step)
through the same BLAS the port links (``theano_compat``'s OpenBLAS, from
the scipy-openblas32 wheel, on its threads), and for the minibatch-1 step
a copy of 128 MiB split over the threads (its bytes read and written per
second: the memory bandwidth).  The script prints, for each step, the
median time of each side, the floating-point operations of the step (see
:data:`COUNTS`) per second, and their share of the product's rate, the
ratio of the two times, and for the minibatch-1 step the share of the
bandwidth.

The LSTM's data are reviews of random word ids, their lengths drawn
between half the longest and the longest (100, the tutorial's
``maxlen``), padded and masked as the tutorial's ``prepare_data`` does.

Usage: ``python bench/series_steps.py [--repeats N] [--steps N]
[--models lenet,mlp,dA,cA,SdA,RBM,DBN,lstm] [--threads N] [--clock cpu]
[--dry-run]``.  Both sides use the threads of theano_compat's OpenBLAS
(the usable cores, at most 4), or ``--threads`` (which sets
``OMP_NUM_THREADS`` before either library starts).  ``--clock cpu`` times
the process's CPU time instead of the wall's: on a machine that other
work shares, ``--threads 1 --clock cpu`` still gives each step's own work
(threads that wait for a descheduled sibling make wall times there
meaningless).  ``--dry-run`` runs a tiny version of everything (for the
tests).  PyTorch's side is skipped, with a note, when PyTorch is not
installed.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'code'))

import numpy  # noqa: E402

IMAGE = 28
PIXELS = IMAGE * IMAGE


# ----------------------------------------------------------------------------
# What a step computes: floating-point operations (and bytes).

def lenet_count(batch, nkerns, hidden, **_):
    """Operations of the LeNet step: twice its multiply-adds.

    With B the minibatch, K0, K1 the filters, H the hidden units and the
    layers' outputs of 24 x 24 and 8 x 8 positions (5 x 5 filters on 28 x
    28 and 12 x 12 images), the products of the forward pass are

    * layer 0: B K0 24^2 25;  layer 1: B K1 8^2 K0 25;
    * the hidden layer: B (K1 4^2) H;  the regression: B H 10,

    and the backward pass takes each of them twice (the gradient of the
    weights and of the product's input), except layer 0, whose input
    needs no gradient: once.  Pooling, biases, tanh and the softmax (a
    few operations per value, next to tens of multiply-adds) are not
    counted.  For the tutorial's B = 500, K = (20, 50), H = 500: 3.30 G
    multiply-adds, 6.59 GFLOP.
    """
    k0, k1 = nkerns
    side0 = IMAGE - 4
    side1 = side0 // 2 - 4
    flat = k1 * (side1 // 2) ** 2
    layer0 = batch * k0 * side0 ** 2 * 25
    rest = (batch * k1 * side1 ** 2 * k0 * 25 + batch * flat * hidden
            + batch * hidden * 10)
    return dict(flops=2 * (2 * layer0 + 3 * rest))


def mlp_count(batch, hidden, **_):
    """Operations of the mlp step: 2 (2 B 784 H + 3 B H 10).

    The products ``x W1`` and ``h W2`` forward; backward, the gradients of
    ``W1`` and ``W2`` and of the hidden layer (the input's is not needed);
    each multiply-add two operations.  The elementwise work (tanh, the
    softmax, the L2 term's squares: a few operations per value) is left
    out.
    """
    return dict(flops=2 * (2 * batch * PIXELS * hidden
                           + 3 * batch * hidden * 10))


def dA_count(batch, hidden, **_):
    """Operations of the dA step: 2 x 5 B 784 H.

    Five products of B x 784 x H multiply-adds: encoding and decoding
    forward; backward the decoder's two (its input and, through the tied
    ``W.T``, ``W``) and the encoder's weights (the input needs none).  The
    corruption mask, sigmoids and cross-entropy are left out.
    """
    return dict(flops=2 * 5 * batch * PIXELS * hidden)


def cA_count(batch, hidden, **_):
    """Operations of the cA step: 2 x 5 B 784 H + 3 B 784 H.

    The five products of the dA step (:func:`dA_count`), and the
    Jacobian term: the (B, 784, H) tensor ``J = h (1 - h) W``, squared and
    summed, three operations an entry.  The tutorial divides that sum by
    B with ``//``, whose gradient Theano defines as zero: the term is in
    the cost's value but adds nothing to the gradient, on both sides.
    """
    return dict(flops=2 * 5 * batch * PIXELS * hidden
                + 3 * batch * PIXELS * hidden)


def _sizes(hidden):
    """[(inputs, units)] of each stacked layer."""
    ins = [PIXELS] + list(hidden[:-1])
    return list(zip(ins, hidden))


def SdA_count(batch, hidden, dtype, **_):
    """Operations and bytes of the SdA step (one call of each layer's
    pretraining function).

    Layer l's call takes the input through the sigmoid layers below it
    (one product each, B n_j h_j multiply-adds) and then is a dA step of
    its own (:func:`dA_count`: 5 B n_l h_l).  For (1000, 1000, 1000)
    units and B = 1: 16.5 M multiply-adds, 33 MFLOP.

    At B = 1 every product is a matrix-vector product, which reads its
    matrix for two operations an entry: memory, not arithmetic, bounds
    it.  The bytes counted are the least a step moves when no matrix
    stays in the cache between products: each product reads its matrix
    once (the layers below: once; the trained layer: its two forward
    products and the decoder's input gradient), and the update reads and
    writes the trained matrix once, its gradient fused in: per layer
    (sum_{j<l} n_j h_j + 5 n_l h_l) entries of ``dtype``.
    """
    size = numpy.dtype(dtype).itemsize
    flops = moved = 0
    below = 0
    for n, h in _sizes(hidden):
        flops += 2 * batch * (below + 5 * n * h)
        moved += size * (below + 5 * n * h)
        below += n * h
    return dict(flops=flops, bytes=moved)


def RBM_count(batch, hidden, k, **_):
    """Operations of the RBM step: 2 (2k + 6) B 784 H.

    Products of B x 784 x H multiply-adds: 2 for each of the k Gibbs
    steps (h -> v -> h), 1 for the free energy of the input, 1 for that
    of the chain's end, 2 for the weights' gradient (one for each free
    energy), 2 for the pseudo-likelihood (the free energies of the input
    rounded, and with one bit flipped).  The sampling, sigmoids and
    softplus are left out.
    """
    return dict(flops=2 * (2 * k + 6) * batch * PIXELS * hidden)


def DBN_count(batch, hidden, k, **_):
    """Operations of the DBN step (one call of each layer's pretraining
    function): per layer l, 2 B (sum_{j<l} n_j h_j + (2k + 4) n_l h_l).

    Layer l's call takes the input through the sigmoid layers below it,
    then is CD-k on its RBM: the hidden units of the input (1 product,
    which the free energy of the input shares), 2 for each Gibbs step, 1
    for the free energy of the chain's end, 2 for the weights' gradient.
    """
    flops = below = 0
    for n, h in _sizes(hidden):
        flops += 2 * batch * (below + (2 * k + 4) * n * h)
        below += n * h
    return dict(flops=flops)


def lstm_count(batch, length, dim, **_):
    """Operations of the LSTM step: 2 x 6 L B D 4D, for reviews padded to
    L words, B of them, D units.

    Products of L B D 4D multiply-adds (each gate's D columns of the
    4D): forward the input's projection ``emb W`` and, one time step at
    a time in the scan, ``h U``; backward the gradients of ``W`` and of
    the embeddings (which reach ``Wemb``), of ``U`` and of ``h``.  The
    mask does not shorten them: the scan runs over all L steps.  The
    gates' sigmoids and tanh, the pooling, the classifier (2 classes) and
    ADADELTA's passes over the parameters are left out.  For L = 100,
    B = 16, D = 128: 629 M multiply-adds, 1.26 GFLOP.
    """
    return dict(flops=2 * 6 * length * batch * dim * 4 * dim)


COUNTS = {'lenet': lenet_count, 'mlp': mlp_count, 'dA': dA_count,
          'cA': cA_count, 'SdA': SdA_count, 'RBM': RBM_count,
          'DBN': DBN_count, 'lstm': lstm_count}


# ----------------------------------------------------------------------------
# The models, in theano_compat (each built with floatX set to its dtype,
# see compare()).

def _uniform(rng, bound, shape, dtype):
    return rng.uniform(-bound, bound, shape).astype(dtype)


def theano_lenet(train_x, train_y, batch, nkerns, hidden, lr, rng, dtype):
    """The LeNet tutorial's training step; returns ``step(index)``."""
    from theano_compat import theano, T
    from theano_compat.tensor.nnet import conv2d
    from theano_compat.tensor.signal import pool

    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    params = []

    def shared(value):
        var = theano.shared(value, borrow=True)
        params.append(var)
        return var

    def conv_pool_layer(inputs, image_shape, filter_shape):
        fan_in = numpy.prod(filter_shape[1:])
        fan_out = filter_shape[0] * numpy.prod(filter_shape[2:]) // 4
        W = shared(_uniform(rng, numpy.sqrt(6. / (fan_in + fan_out)),
                            filter_shape, dtype))
        b = shared(numpy.zeros(filter_shape[:1], dtype))
        convolved = conv2d(input=inputs, filters=W, filter_shape=filter_shape,
                           input_shape=image_shape)
        pooled = pool.pool_2d(input=convolved, ws=(2, 2), ignore_border=True)
        return T.tanh(pooled + b.dimshuffle('x', 0, 'x', 'x'))

    side0 = (IMAGE - 4) // 2
    side1 = (side0 - 4) // 2
    layer0 = conv_pool_layer(x.reshape((batch, 1, IMAGE, IMAGE)),
                             (batch, 1, IMAGE, IMAGE), (nkerns[0], 1, 5, 5))
    layer1 = conv_pool_layer(layer0, (batch, nkerns[0], side0, side0),
                             (nkerns[1], nkerns[0], 5, 5))
    n_in = nkerns[1] * side1 * side1
    W2 = shared(_uniform(rng, numpy.sqrt(6. / (n_in + hidden)),
                         (n_in, hidden), dtype))
    b2 = shared(numpy.zeros((hidden,), dtype))
    layer2 = T.tanh(T.dot(layer1.flatten(2), W2) + b2)
    W3 = shared(numpy.zeros((hidden, 10), dtype))
    b3 = shared(numpy.zeros((10,), dtype))
    p_y = T.nnet.softmax(T.dot(layer2, W3) + b3)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    grads = T.grad(cost, params)
    return theano.function(
        [index], cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: train_x[index * batch:(index + 1) * batch],
                y: train_y[index * batch:(index + 1) * batch]})


def theano_mlp(train_x, train_y, batch, hidden, lr, l1, l2, rng, dtype):
    """The mlp tutorial's training step; returns ``step(index)``."""
    from theano_compat import theano, T

    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    bound = numpy.sqrt(6. / (PIXELS + hidden))
    W1 = theano.shared(_uniform(rng, bound, (PIXELS, hidden), dtype),
                       borrow=True)
    b1 = theano.shared(numpy.zeros(hidden, dtype), borrow=True)
    W2 = theano.shared(numpy.zeros((hidden, 10), dtype), borrow=True)
    b2 = theano.shared(numpy.zeros(10, dtype), borrow=True)
    h = T.tanh(T.dot(x, W1) + b1)
    p_y = T.nnet.softmax(T.dot(h, W2) + b2)
    nll = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    cost = nll + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    if l1:  # the tutorial's L1_reg is 0: both sides then leave it out
        cost = cost + l1 * (abs(W1).sum() + abs(W2).sum())
    params = [W1, b1, W2, b2]
    grads = T.grad(cost, params)
    return theano.function(
        [index], cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: train_x[index * batch:(index + 1) * batch],
                y: train_y[index * batch:(index + 1) * batch]})


def _theano_sigmoid_stack(theano, T, rng, x, hidden, dtype):
    """The stacked models' sigmoid layers on ``x``: [(W, b, input)]."""
    layers, below = [], x
    for n, h in _sizes(hidden):
        W = theano.shared(_uniform(rng, 4 * numpy.sqrt(6. / (n + h)),
                                   (n, h), dtype), borrow=True)
        b = theano.shared(numpy.zeros(h, dtype), borrow=True)
        layers.append((W, b, below))
        below = T.nnet.sigmoid(T.dot(below, W) + b)
    return layers


def _theano_denoising(T, streams, x, W, b, corruption, lr, dtype):
    """A denoising autoencoder on ``x`` with the encoder (W, b): the mean
    cross-entropy and the SGD updates of W, b and the decoder's bias."""
    from theano_compat import theano
    b_prime = theano.shared(numpy.zeros(W.get_value().shape[0], dtype),
                            borrow=True)
    kept = streams.binomial(size=x.shape, n=1, p=1 - corruption,
                            dtype=dtype) * x
    code = T.nnet.sigmoid(T.dot(kept, W) + b)
    z = T.nnet.sigmoid(T.dot(code, W.T) + b_prime)
    cost = T.mean(-T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1))
    params = [W, b, b_prime]
    grads = T.grad(cost, params)
    return cost, [(p, p - lr * g) for p, g in zip(params, grads)]


def theano_dA(train_x, batch, hidden, lr, corruption, rng, dtype):
    """The dA tutorial's training step; returns ``step(index)``."""
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams

    index, x = T.lscalar('index'), T.matrix('x')
    streams = MRG_RandomStreams(rng.randint(2 ** 30))
    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = theano.shared(_uniform(rng, bound, (PIXELS, hidden), dtype),
                      borrow=True)
    b = theano.shared(numpy.zeros(hidden, dtype), borrow=True)
    cost, updates = _theano_denoising(T, streams, x, W, b, corruption, lr,
                                      dtype)
    return theano.function(
        [index], cost, updates=updates,
        givens={x: train_x[index * batch:(index + 1) * batch]})


def theano_cA(train_x, batch, hidden, lr, contraction, rng, dtype):
    """The cA tutorial's training step; returns ``step(index)`` (which
    gives the reconstruction cost and the Jacobian's norm)."""
    from theano_compat import theano, T

    index, x = T.lscalar('index'), T.matrix('x')
    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = theano.shared(_uniform(rng, bound, (PIXELS, hidden), dtype),
                      borrow=True)
    b = theano.shared(numpy.zeros(hidden, dtype), borrow=True)
    b_prime = theano.shared(numpy.zeros(PIXELS, dtype), borrow=True)
    code = T.nnet.sigmoid(T.dot(x, W) + b)
    z = T.nnet.sigmoid(T.dot(code, W.T) + b_prime)
    jacobian = (T.reshape(code * (1 - code), (batch, 1, hidden))
                * T.reshape(W, (1, PIXELS, hidden)))
    reconstruction = -T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)
    jacobian_norm = T.sum(jacobian ** 2) // batch
    cost = T.mean(reconstruction) + contraction * T.mean(jacobian_norm)
    params = [W, b, b_prime]
    grads = T.grad(cost, params)
    return theano.function(
        [index], [T.mean(reconstruction), jacobian_norm],
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: train_x[index * batch:(index + 1) * batch]})


def theano_SdA(train_x, batch, hidden, lr, corruption, rng, dtype):
    """One call of each of SdA's pretraining functions, the layers' own
    corruption levels; returns ``step(index)``."""
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams

    index, x = T.lscalar('index'), T.matrix('x')
    streams = MRG_RandomStreams(rng.randint(2 ** 30))
    level, rate = T.scalar('corruption'), T.scalar('lr')
    functions = []
    for W, b, below in _theano_sigmoid_stack(theano, T, rng, x, hidden,
                                             dtype):
        cost, updates = _theano_denoising(T, streams, below, W, b, level,
                                          rate, dtype)
        functions.append(theano.function(
            [index, theano.In(level, value=0.2), theano.In(rate, value=0.1)],
            cost, updates=updates,
            givens={x: train_x[index * batch:(index + 1) * batch]}))

    # as numbers of the dtype: the tutorial passes Python floats, which
    # PyTensor takes for floatX, set here only while building
    levels = [numpy.asarray(c, dtype) for c in corruption]
    rate_value = numpy.asarray(lr, dtype)

    def step(i):
        return [fn(index=i, corruption=c, lr=rate_value)
                for fn, c in zip(functions, levels)]
    return step


def _theano_rbm(theano, T, streams, v, W, hbias, lr, k, persistent, dtype):
    """An RBM on ``v`` with weights W and hidden biases hbias: CD-k (or
    PCD-k on the shared ``persistent`` chain); returns the monitoring cost
    and the updates (the random streams' of the Gibbs chain included)."""
    n_visible = W.get_value().shape[0]
    vbias = theano.shared(numpy.zeros(n_visible, dtype), borrow=True)

    def free_energy(sample):
        return (-T.sum(T.log(1 + T.exp(T.dot(sample, W) + hbias)), axis=1)
                - T.dot(sample, vbias))

    def hidden_given(sample):
        before = T.dot(sample, W) + hbias
        mean = T.nnet.sigmoid(before)
        return [before, mean, streams.binomial(size=mean.shape, n=1, p=mean,
                                               dtype=dtype)]

    def visible_given(sample):
        before = T.dot(sample, W.T) + vbias
        mean = T.nnet.sigmoid(before)
        return [before, mean, streams.binomial(size=mean.shape, n=1, p=mean,
                                               dtype=dtype)]

    def gibbs_hvh(h_sample):
        visible = visible_given(h_sample)
        return visible + hidden_given(visible[2])

    start = hidden_given(v)[2] if persistent is None else persistent
    (v_before, _, v_samples, _, _, h_samples), updates = theano.scan(
        gibbs_hvh, outputs_info=[None, None, None, None, None, start],
        n_steps=k)
    end = v_samples[-1]
    cost = T.mean(free_energy(v)) - T.mean(free_energy(end))
    params = [W, hbias, vbias]
    grads = T.grad(cost, params, consider_constant=[end])
    for p, g in zip(params, grads):
        updates[p] = p - g * T.cast(lr, dtype=dtype)
    if persistent is None:
        monitor = T.mean(T.sum(
            v * T.log(T.nnet.sigmoid(v_before[-1]))
            + (1 - v) * T.log(1 - T.nnet.sigmoid(v_before[-1])), axis=1))
    else:
        updates[persistent] = h_samples[-1]
        bit = theano.shared(0)
        rounded = T.round(v)
        flipped = T.set_subtensor(rounded[:, bit], 1 - rounded[:, bit])
        monitor = T.mean(n_visible * T.log(T.nnet.sigmoid(
            free_energy(flipped) - free_energy(rounded))))
        updates[bit] = (bit + 1) % n_visible
    return monitor, updates


def theano_RBM(train_x, batch, hidden, lr, k, rng, dtype):
    """The rbm tutorial's training step (PCD-k); returns ``step(index)``."""
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams

    index, x = T.lscalar('index'), T.matrix('x')
    streams = MRG_RandomStreams(rng.randint(2 ** 30))
    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = theano.shared(_uniform(rng, bound, (PIXELS, hidden), dtype),
                      borrow=True)
    hbias = theano.shared(numpy.zeros(hidden, dtype), borrow=True)
    chain = theano.shared(numpy.zeros((batch, hidden), dtype), borrow=True)
    cost, updates = _theano_rbm(theano, T, streams, x, W, hbias, lr, k,
                                chain, dtype)
    return theano.function(
        [index], cost, updates=updates,
        givens={x: train_x[index * batch:(index + 1) * batch]})


def theano_DBN(train_x, batch, hidden, lr, k, rng, dtype):
    """One call of each of DBN's pretraining functions (CD-k); returns
    ``step(index)``."""
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams

    index, x = T.lscalar('index'), T.matrix('x')
    streams = MRG_RandomStreams(rng.randint(2 ** 30))
    rate = T.scalar('lr')
    functions = []
    for W, b, below in _theano_sigmoid_stack(theano, T, rng, x, hidden,
                                             dtype):
        cost, updates = _theano_rbm(theano, T, streams, below, W, b, rate,
                                    k, None, dtype)
        functions.append(theano.function(
            [index, theano.In(rate, value=0.1)], cost, updates=updates,
            givens={x: train_x[index * batch:(index + 1) * batch]}))

    rate_value = numpy.asarray(lr, dtype)  # see theano_SdA

    def step(i):
        return [fn(index=i, lr=rate_value) for fn in functions]
    return step


def _lstm_weights(rng, vocabulary, dim, dtype):
    """The LSTM model's starting weights, by name (both sides): embeddings
    of 0.01 times uniform [0, 1), uniform in +-0.1 for the LSTM's input
    and recurrent weights (each the four gates' columns side by side) and
    the classifier's, zero biases."""
    def uniform(*shape):
        return rng.uniform(-0.1, 0.1, shape).astype(dtype)
    return {'Wemb': (0.01 * rng.rand(vocabulary, dim)).astype(dtype),
            'W': uniform(dim, 4 * dim), 'U': uniform(dim, 4 * dim),
            'b': numpy.zeros(4 * dim, dtype), 'V': uniform(dim, 2),
            'c': numpy.zeros(2, dtype)}


def theano_lstm(data, batch, length, dim, vocabulary, rng, dtype):
    """The lstm tutorial's training step: ``f_grad_shared`` then
    ``f_update`` (ADADELTA, rho 0.95, eps 1e-6) on minibatch ``index`` of
    ``data`` ((words, masks, labels), see :func:`lstm_data`)."""
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams

    params = {name: theano.shared(value, name=name) for name, value
              in _lstm_weights(rng, vocabulary, dim, dtype).items()}
    x = T.matrix('x', dtype='int64')
    mask = T.matrix('mask', dtype=dtype)
    y = T.vector('y', dtype='int64')
    n_steps, n_samples = x.shape[0], x.shape[1]
    emb = params['Wemb'][x.flatten()].reshape([n_steps, n_samples, dim])

    def gate(preact, k):
        return preact[:, k * dim:(k + 1) * dim]

    def step(m, x_t, h_before, c_before):
        preact = T.dot(h_before, params['U']) + x_t
        c = (T.nnet.sigmoid(gate(preact, 1)) * c_before
             + T.nnet.sigmoid(gate(preact, 0)) * T.tanh(gate(preact, 3)))
        c = m[:, None] * c + (1. - m)[:, None] * c_before
        h = T.nnet.sigmoid(gate(preact, 2)) * T.tanh(c)
        h = m[:, None] * h + (1. - m)[:, None] * h_before
        return h, c

    zeros = T.alloc(numpy.asarray(0., dtype), n_samples, dim)
    (h, _), _ = theano.scan(
        step, sequences=[mask, T.dot(emb, params['W']) + params['b']],
        outputs_info=[zeros, zeros], n_steps=n_steps)
    pooled = (h * mask[:, :, None]).sum(axis=0) / mask.sum(axis=0)[:, None]
    use_noise = theano.shared(numpy.asarray(1., dtype))  # training
    kept = MRG_RandomStreams(123).binomial(pooled.shape, p=0.5, n=1,
                                           dtype=dtype)
    pooled = T.switch(use_noise, pooled * kept, pooled * 0.5)
    prob = T.nnet.softmax(T.dot(pooled, params['V']) + params['c'])
    cost = -T.log(prob[T.arange(n_samples), y] + 1e-8).mean()
    grads = T.grad(cost, list(params.values()))

    def zeros_like(p):
        return theano.shared(p.get_value() * numpy.asarray(0., dtype))
    stored = [zeros_like(p) for p in params.values()]
    grad_sq = [zeros_like(p) for p in params.values()]
    step_sq = [zeros_like(p) for p in params.values()]
    f_grad_shared = theano.function(
        [x, mask, y], cost,
        updates=[(s, g) for s, g in zip(stored, grads)]
        + [(r, 0.95 * r + 0.05 * g ** 2) for r, g in zip(grad_sq, grads)])
    moves = [-T.sqrt(u + 1e-6) / T.sqrt(r + 1e-6) * g
             for g, u, r in zip(stored, step_sq, grad_sq)]
    f_update = theano.function(
        [], [], updates=[(u, 0.95 * u + 0.05 * d ** 2)
                         for u, d in zip(step_sq, moves)]
        + [(p, p + d) for p, d in zip(params.values(), moves)])
    words, masks, labels = data

    def train_step(index):
        cost = f_grad_shared(words[index], masks[index], labels[index])
        f_update()
        return cost
    return train_step


def lstm_data(rng, batches, batch, length, vocabulary, dtype, **_):
    """``batches`` minibatches of ``batch`` reviews, as the lstm tutorial's
    ``prepare_data`` gives them: (words (batches, length, batch) int64,
    masks (batches, length, batch) ``dtype``, labels (batches, batch)
    int64).  Each review's length is drawn in [length / 2, length], one
    of each minibatch the longest; the words after its end are 0, as is
    its mask."""
    words = rng.randint(1, vocabulary, (batches, length, batch))
    masks = numpy.zeros((batches, length, batch), dtype)
    for i in range(batches):
        lengths = rng.randint(length // 2, length + 1, batch)
        lengths[rng.randint(batch)] = length
        for j, n in enumerate(lengths):
            masks[i, :n, j] = 1
    words[masks == 0] = 0
    return words.astype('int64'), masks, rng.randint(0, 2, (batches, batch))


# ----------------------------------------------------------------------------
# The same steps, in PyTorch.

def _torch_sgd(torch, cost, params, lr):
    grads = torch.autograd.grad(cost, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g


def _torch_tensor(torch, value):
    return torch.tensor(value, requires_grad=True)


def torch_lenet(data_x, data_y, batch, nkerns, hidden, lr, rng, dtype):
    import torch
    import torch.nn.functional as F

    side1 = ((IMAGE - 4) // 2 - 4) // 2
    n_in = nkerns[1] * side1 * side1

    def conv_bound(shape):
        fan_in = numpy.prod(shape[1:])
        fan_out = shape[0] * numpy.prod(shape[2:]) // 4
        return numpy.sqrt(6. / (fan_in + fan_out))

    def zeros(shape):
        return _torch_tensor(torch, numpy.zeros(shape, dtype))

    shapes = [(nkerns[0], 1, 5, 5), (nkerns[1], nkerns[0], 5, 5)]
    W0, W1 = [_torch_tensor(torch, _uniform(rng, conv_bound(s), s, dtype))
              for s in shapes]
    b0, b1 = zeros(nkerns[0]), zeros(nkerns[1])
    W2 = _torch_tensor(torch, _uniform(rng, numpy.sqrt(6. / (n_in + hidden)),
                                       (n_in, hidden), dtype))
    b2, W3, b3 = zeros(hidden), zeros((hidden, 10)), zeros(10)
    params = [W0, b0, W1, b1, W2, b2, W3, b3]
    data_x, data_y = torch.from_numpy(data_x), torch.from_numpy(data_y)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        y = data_y[index * batch:(index + 1) * batch]
        h = x.reshape(batch, 1, IMAGE, IMAGE)
        for W, b in ((W0, b0), (W1, b1)):
            h = torch.tanh(F.max_pool2d(F.conv2d(h, W), 2)
                           + b.reshape(1, -1, 1, 1))
        h = torch.tanh(h.flatten(1) @ W2 + b2)
        cost = F.cross_entropy(h @ W3 + b3, y)
        _torch_sgd(torch, cost, params, lr)
        return cost.item()

    return step


def torch_mlp(data_x, data_y, batch, hidden, lr, l1, l2, rng, dtype):
    import torch
    import torch.nn.functional as F

    bound = numpy.sqrt(6. / (PIXELS + hidden))
    W1 = _torch_tensor(torch, _uniform(rng, bound, (PIXELS, hidden), dtype))
    b1 = _torch_tensor(torch, numpy.zeros(hidden, dtype))
    W2 = _torch_tensor(torch, numpy.zeros((hidden, 10), dtype))
    b2 = _torch_tensor(torch, numpy.zeros(10, dtype))
    params = [W1, b1, W2, b2]
    data_x, data_y = torch.from_numpy(data_x), torch.from_numpy(data_y)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        y = data_y[index * batch:(index + 1) * batch]
        h = torch.tanh(x @ W1 + b1)
        cost = (F.cross_entropy(h @ W2 + b2, y)
                + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum()))
        if l1:
            cost = cost + l1 * (W1.abs().sum() + W2.abs().sum())
        _torch_sgd(torch, cost, params, lr)
        return cost.item()

    return step


def _torch_denoising(torch, x, W, b, b_prime, corruption):
    """The dA's mean cross-entropy on ``x`` (encoder W, b; decoder W.T,
    b_prime), the input's entries kept with probability 1 - corruption."""
    import torch.nn.functional as F
    kept = x * (torch.rand_like(x) < 1 - corruption).to(x.dtype)
    code = torch.sigmoid(kept @ W + b)
    # -sum(x log z + (1 - x) log(1 - z)), z = sigmoid(code W.T + b_prime)
    return F.binary_cross_entropy_with_logits(
        code @ W.T + b_prime, x, reduction='none').sum(1).mean()


def torch_dA(data_x, batch, hidden, lr, corruption, rng, dtype):
    import torch

    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = _torch_tensor(torch, _uniform(rng, bound, (PIXELS, hidden), dtype))
    b = _torch_tensor(torch, numpy.zeros(hidden, dtype))
    b_prime = _torch_tensor(torch, numpy.zeros(PIXELS, dtype))
    params = [W, b, b_prime]
    data_x = torch.from_numpy(data_x)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        cost = _torch_denoising(torch, x, W, b, b_prime, corruption)
        _torch_sgd(torch, cost, params, lr)
        return cost.item()

    return step


def torch_cA(data_x, batch, hidden, lr, contraction, rng, dtype):
    import torch
    import torch.nn.functional as F

    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = _torch_tensor(torch, _uniform(rng, bound, (PIXELS, hidden), dtype))
    b = _torch_tensor(torch, numpy.zeros(hidden, dtype))
    b_prime = _torch_tensor(torch, numpy.zeros(PIXELS, dtype))
    params = [W, b, b_prime]
    data_x = torch.from_numpy(data_x)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        code = torch.sigmoid(x @ W + b)
        reconstruction = F.binary_cross_entropy_with_logits(
            code @ W.T + b_prime, x, reduction='none').sum(1)
        # the tutorial's sum(J ** 2) // B: its gradient is zero in Theano
        with torch.no_grad():
            jacobian = ((code * (1 - code)).reshape(batch, 1, hidden)
                        * W.reshape(1, PIXELS, hidden))
            jacobian_norm = (jacobian ** 2).sum() // batch
        cost = reconstruction.mean() + contraction * jacobian_norm
        _torch_sgd(torch, cost, params, lr)
        return reconstruction.mean().item(), jacobian_norm.item()

    return step


def _torch_sigmoid_stack(torch, rng, hidden, dtype):
    """The stacked models' sigmoid layers: [(W, b)]."""
    return [(_torch_tensor(torch, _uniform(rng, 4 * numpy.sqrt(6. / (n + h)),
                                           (n, h), dtype)),
             _torch_tensor(torch, numpy.zeros(h, dtype)))
            for n, h in _sizes(hidden)]


def torch_SdA(data_x, batch, hidden, lr, corruption, rng, dtype):
    import torch

    layers = _torch_sigmoid_stack(torch, rng, hidden, dtype)
    decoders = [_torch_tensor(torch, numpy.zeros(W.shape[0], dtype))
                for W, _ in layers]
    data_x = torch.from_numpy(data_x)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        costs = []
        for depth, (level, (W, b), b_prime) in enumerate(
                zip(corruption, layers, decoders)):
            with torch.no_grad():
                below = x
                for W_j, b_j in layers[:depth]:
                    below = torch.sigmoid(below @ W_j + b_j)
            cost = _torch_denoising(torch, below, W, b, b_prime, level)
            _torch_sgd(torch, cost, [W, b, b_prime], lr)
            costs.append(cost.item())
        return costs

    return step


def _torch_rbm(torch, W, hbias, vbias, v, start, k, lr):
    """CD-k or PCD-k on ``v`` from the hidden sample ``start``: updates W,
    hbias, vbias; returns the chain's last visible pre-sigmoid and hidden
    sample."""
    import torch.nn.functional as F

    def free_energy(sample):
        return -F.softplus(sample @ W + hbias).sum(1) - sample @ vbias

    with torch.no_grad():
        h = start
        for _ in range(k):
            v_before = h @ W.T + vbias
            v_sample = torch.bernoulli(torch.sigmoid(v_before))
            h = torch.bernoulli(torch.sigmoid(v_sample @ W + hbias))
    cost = free_energy(v).mean() - free_energy(v_sample).mean()
    _torch_sgd(torch, cost, [W, hbias, vbias], lr)
    return v_before, h, free_energy


def torch_RBM(data_x, batch, hidden, lr, k, rng, dtype):
    import torch
    import torch.nn.functional as F

    bound = 4 * numpy.sqrt(6. / (hidden + PIXELS))
    W = _torch_tensor(torch, _uniform(rng, bound, (PIXELS, hidden), dtype))
    hbias = _torch_tensor(torch, numpy.zeros(hidden, dtype))
    vbias = _torch_tensor(torch, numpy.zeros(PIXELS, dtype))
    data_x = torch.from_numpy(data_x)
    state = {'chain': torch.zeros(batch, hidden, dtype=W.dtype), 'bit': 0}

    def step(index):
        v = data_x[index * batch:(index + 1) * batch]
        with torch.no_grad():  # the pseudo-likelihood, before the update
            rounded = torch.round(v)
            flipped = rounded.clone()
            flipped[:, state['bit']] = 1 - rounded[:, state['bit']]
            energy = (-F.softplus(rounded @ W + hbias).sum(1)
                      - rounded @ vbias)
            energy_flipped = (-F.softplus(flipped @ W + hbias).sum(1)
                              - flipped @ vbias)
            cost = (PIXELS * F.logsigmoid(energy_flipped - energy)).mean()
        _, state['chain'], _ = _torch_rbm(torch, W, hbias, vbias, v,
                                          state['chain'], k, lr)
        state['bit'] = (state['bit'] + 1) % PIXELS
        return cost.item()

    return step


def torch_DBN(data_x, batch, hidden, lr, k, rng, dtype):
    import torch
    import torch.nn.functional as F

    layers = _torch_sigmoid_stack(torch, rng, hidden, dtype)
    vbiases = [torch.zeros(W.shape[0], dtype=W.dtype, requires_grad=True)
               for W, _ in layers]
    data_x = torch.from_numpy(data_x)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        costs = []
        for depth, ((W, hbias), vbias) in enumerate(zip(layers, vbiases)):
            with torch.no_grad():
                v = x
                for W_j, b_j in layers[:depth]:
                    v = torch.sigmoid(v @ W_j + b_j)
                start = torch.bernoulli(torch.sigmoid(v @ W + hbias))
            v_before, _, _ = _torch_rbm(torch, W, hbias, vbias, v, start, k,
                                        lr)
            with torch.no_grad():  # the reconstruction cost
                costs.append((v * F.logsigmoid(v_before)
                              + (1 - v) * F.logsigmoid(-v_before))
                             .sum(1).mean().item())
        return costs

    return step


def torch_lstm(data, batch, length, dim, vocabulary, rng, dtype):
    """The LSTM step in PyTorch: the same model and masked recurrence, one
    time step at a time, and ``torch.optim.Adadelta`` (rho 0.95, eps
    1e-6, rate 1: the tutorial's rule)."""
    import torch
    import torch.nn.functional as F

    params = {name: _torch_tensor(torch, value) for name, value
              in _lstm_weights(rng, vocabulary, dim, dtype).items()}
    optimizer = torch.optim.Adadelta(list(params.values()), lr=1.0,
                                     rho=0.95, eps=1e-6)
    words, masks, labels = [torch.from_numpy(a) for a in data]
    W, U, b, V, c = [params[k] for k in ('W', 'U', 'b', 'V', 'c')]

    def step(index):
        x, mask, y = words[index], masks[index], labels[index]
        projected = F.embedding(x, params['Wemb']) @ W + b
        h = c_t = torch.zeros(x.shape[1], dim, dtype=W.dtype)
        hs = []
        for t in range(x.shape[0]):
            preact = h @ U + projected[t]
            i, f, o = torch.sigmoid(preact[:, :3 * dim]).split(dim, 1)
            m = mask[t][:, None]
            c_t = m * (f * c_t + i * torch.tanh(preact[:, 3 * dim:])) \
                + (1 - m) * c_t
            h = m * (o * torch.tanh(c_t)) + (1 - m) * h
            hs.append(h)
        pooled = ((torch.stack(hs) * mask[:, :, None]).sum(0)
                  / mask.sum(0)[:, None])
        pooled = pooled * torch.bernoulli(torch.full_like(pooled, 0.5))
        prob = torch.softmax(pooled @ V + c, dim=1)
        cost = -torch.log(prob[torch.arange(len(y)), y] + 1e-8).mean()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        return cost.item()

    return step


BUILDERS = {'lenet': (theano_lenet, torch_lenet),
            'mlp': (theano_mlp, torch_mlp),
            'dA': (theano_dA, torch_dA),
            'cA': (theano_cA, torch_cA),
            'SdA': (theano_SdA, torch_SdA),
            'RBM': (theano_RBM, torch_RBM),
            'DBN': (theano_DBN, torch_DBN),
            'lstm': (theano_lstm, torch_lstm)}
# the models that read labels
LABELLED = ('lenet', 'mlp')
# the models whose data are sequences: what makes their minibatches
SEQUENCES = {'lstm': lstm_data}


# ----------------------------------------------------------------------------
# The machine's own rates.

def gemm_product(dtype, size):
    """``product(_)``: one size^3 matrix product through theano_compat's
    BLAS (its ``Dot22``: OpenBLAS's gemm, on theano_compat's threads)."""
    from theano_compat import theano, T
    rng = numpy.random.RandomState(0)
    a, b = [theano.shared(rng.uniform(-1, 1, (size, size)).astype(dtype))
            for _ in range(2)]
    product = theano.function([], T.dot(a, b))

    def call(_):
        # nothing returned: take_turns turns a call's result into an object
        # array to wait for it, which for 4 M entries would cost as much as
        # the product (and halve the rate the shares are taken of)
        product()
    return call


def memory_copy(megabytes, threads):
    """``copy(_)``: copies ``megabytes`` MiB of float64, cut into
    ``threads`` parts copied at once (NumPy lets go of the GIL)."""
    n = megabytes * 2 ** 20 // 8
    source, target = numpy.ones(n), numpy.zeros(n)
    bounds = numpy.linspace(0, n, threads + 1).astype(int)
    parts = list(zip(bounds[:-1], bounds[1:]))
    pool = ThreadPoolExecutor(threads)

    def copy_part(part):
        start, stop = part
        numpy.copyto(target[start:stop], source[start:stop])

    return lambda _: list(pool.map(copy_part, parts))


# ----------------------------------------------------------------------------
# Timing.

CLOCKS = {'wall': time.perf_counter, 'cpu': time.process_time}


def take_turns(sides, batches, repeats, pause=0.2, clock=time.perf_counter):
    """Median milliseconds a call, {side: ms}, over ``repeats`` rounds.

    :param sides: {name: (call(index), calls a turn)}
    :param clock: wall time, or the process's CPU time (all its threads)
    In each round every side makes its calls (minibatches taken in turn
    from ``batches``), untimed once to warm up, then timed; the sides
    take turns, and a pause lets the previous side's worker threads go
    idle first.
    """
    times = {name: [] for name in sides}
    position = 0
    for _ in range(repeats):
        for name, (step, steps) in sides.items():
            time.sleep(pause)
            for timed in (False, True):
                start = clock()
                for i in range(steps):
                    cost = step((position + i) % batches)
                numpy.asarray(cost, dtype=object)  # all done by now
                if timed:
                    times[name].append((clock() - start) / steps * 1e3)
        position += max(steps for _, steps in sides.values())
    return {name: median(t) for name, t in times.items()}


def threads():
    """The threads both sides use: those of theano_compat's OpenBLAS."""
    from theano_compat.engine.threads import blas_threads
    return int(os.environ.get('OMP_NUM_THREADS')
               or os.environ.get('OPENBLAS_NUM_THREADS')
               or blas_threads())


def compare(model, settings, repeats, steps, torch_threads, gemm_size,
            copy_mb, pause=0.2, clock=time.perf_counter):
    """Builds both sides of ``model`` and times them in turns with the
    machine's product (and copy, when the step's bytes are counted).

    :rtype: dict: ``theano_compat``, ``pytorch`` (when installed), ``gemm``
        and ``copy`` (when timed): median ms; ``gemm_gflops``, and
        ``copy_gbs`` (GB/s read and written) when timed; the step's
        counts (:data:`COUNTS`)
    """
    settings = dict(settings)
    batches = settings.pop('batches')
    dtype = settings['dtype']
    rng = numpy.random.RandomState(1234)
    from theano_compat import theano
    import pytensor
    theano_builder, torch_builder = BUILDERS[model]
    labelled = model in LABELLED
    # the tutorials run with THEANO_FLAGS=floatX=<dtype>
    with pytensor.config.change_flags(floatX=dtype):
        if model in SEQUENCES:  # minibatches of sequences, as arrays
            shared = data = [SEQUENCES[model](rng, batches, **settings)]
        else:
            rows = settings['batch'] * batches
            data_x = rng.uniform(0, 1, (rows, PIXELS)).astype(dtype)
            data_y = rng.randint(0, 10, rows).astype('int32')
            shared = [theano.shared(data_x, borrow=True)]
            data = [data_x]
            if labelled:
                shared.append(theano.shared(data_y, borrow=True))
                data.append(data_y.astype('int64'))
        sides = {'theano_compat': (theano_builder(*shared, rng=rng,
                                                  **settings), steps)}
        if torch_threads:
            sides['pytorch'] = (torch_builder(*data, rng=rng, **settings),
                                steps)
        sides['gemm'] = (gemm_product(dtype, gemm_size), 1)
    counts = COUNTS[model](**settings)
    if 'bytes' in counts:
        sides['copy'] = (memory_copy(copy_mb, threads()), 1)
    result = take_turns(sides, batches, repeats, pause, clock)
    result.update(counts)
    result['gemm_gflops'] = 2 * gemm_size ** 3 / result['gemm'] / 1e6
    if 'copy' in result:
        result['copy_gbs'] = 2 * copy_mb * 2 ** 20 / result['copy'] / 1e6
    return result


def table_row(model, settings, result):
    """The printed figures of a step: {side: (ms, GFLOP/s, share of the
    product's rate, share of the bandwidth or None)}, and the ratio of the
    port's time to PyTorch's (None without PyTorch)."""
    row = {}
    for side in ('theano_compat', 'pytorch'):
        if side not in result:
            continue
        ms = result[side]
        gflops = result['flops'] / ms / 1e6
        bandwidth = (result['bytes'] / ms / 1e6 / result['copy_gbs']
                     if 'bytes' in result else None)
        row[side] = (ms, gflops, gflops / result['gemm_gflops'], bandwidth)
    ratio = (result['theano_compat'] / result['pytorch']
             if 'pytorch' in result else None)
    return row, ratio


def table_head():
    """The table's first two lines."""
    head = ('%-6s %-7s %5s %9s %8s | %10s %8s %6s | %10s %8s %6s | %5s'
            % ('step', 'dtype', 'batch', 'GFLOP', 'GEMM', 'port ms',
               'GFLOP/s', 'peak', 'PyTorch ms', 'GFLOP/s', 'peak', 'ratio'))
    return [head, '-' * len(head)]


def format_row(model, settings, result):
    """A step's line of the table, and its note (or None): the share of
    the bandwidth, for a step whose bytes are counted."""
    row, ratio = table_row(model, settings, result)
    cells = []
    for side in ('theano_compat', 'pytorch'):
        if side in row:
            ms, gflops, share, _ = row[side]
            cells.append('%10.3f %8.2f %5.1f%%' % (ms, gflops, 100 * share))
        else:
            cells.append('%10s %8s %6s' % ('-', '-', '-'))
    line = '%-6s %-7s %5d %9.4f %8.1f | %s | %s | %5s' % (
        model, settings['dtype'], settings['batch'], result['flops'] / 1e9,
        result['gemm_gflops'], cells[0], cells[1],
        '%.2f' % ratio if ratio is not None else '-')
    note = None
    if 'bytes' in result:
        shares = ', '.join(
            '%s %.1f%%' % (name, 100 * row[side][3])
            for side, name in (('theano_compat', 'port'),
                               ('pytorch', 'PyTorch')) if side in row)
        note = ('%s: %.1f MB a step (the matrices read and updated); copy '
                '%.1f GB/s; share of it: %s' % (
                    model, result['bytes'] / 1e6, result['copy_gbs'],
                    shares))
    return line, note


def format_table(rows):
    """The table's lines, from [(model, settings, result)]: the rows,
    then the notes."""
    lines, notes = table_head(), []
    for model, settings, result in rows:
        line, note = format_row(model, settings, result)
        lines.append(line)
        notes += [note] if note else []
    return lines + notes


MODELS = {
    'lenet': dict(batch=500, batches=4, nkerns=(20, 50), hidden=500,
                  lr=0.1, dtype='float32'),
    'mlp': dict(batch=20, batches=50, hidden=500, lr=0.01, l1=0.0,
                l2=0.0001, dtype='float32'),
    'dA': dict(batch=20, batches=50, hidden=500, lr=0.1, corruption=0.3,
               dtype='float32'),
    'cA': dict(batch=10, batches=50, hidden=500, lr=0.01, contraction=0.1,
               dtype='float32'),
    'SdA': dict(batch=1, batches=50, hidden=(1000, 1000, 1000), lr=0.001,
                corruption=(0.1, 0.2, 0.3), dtype='float64'),
    'RBM': dict(batch=20, batches=50, hidden=500, lr=0.1, k=15,
                dtype='float32'),
    'DBN': dict(batch=10, batches=50, hidden=(1000, 1000, 1000), lr=0.01,
                k=1, dtype='float32'),
    'lstm': dict(batch=16, batches=10, length=100, dim=128,
                 vocabulary=10000, dtype='float32'),
}
# Steps timed per round.
STEPS = {'lenet': 4, 'mlp': 100, 'dA': 50, 'cA': 20, 'SdA': 20, 'RBM': 10,
         'DBN': 20, 'lstm': 5}
DRY = {
    'lenet': dict(batch=4, batches=2, nkerns=(2, 3), hidden=8, lr=0.1,
                  dtype='float32'),
    'mlp': dict(batch=4, batches=2, hidden=8, lr=0.01, l1=0.001, l2=0.0001,
                dtype='float32'),
    'dA': dict(batch=4, batches=2, hidden=8, lr=0.1, corruption=0.3,
               dtype='float32'),
    'cA': dict(batch=3, batches=2, hidden=8, lr=0.01, contraction=0.1,
               dtype='float32'),
    'SdA': dict(batch=1, batches=2, hidden=(6, 5, 4), lr=0.001,
                corruption=(0.1, 0.2, 0.3), dtype='float64'),
    'RBM': dict(batch=4, batches=2, hidden=8, lr=0.1, k=2, dtype='float32'),
    'DBN': dict(batch=3, batches=2, hidden=(6, 5, 4), lr=0.01, k=1,
                dtype='float32'),
    'lstm': dict(batch=3, batches=2, length=4, dim=5, vocabulary=20,
                 dtype='float32'),
}
GEMM_SIZE, COPY_MB = 2048, 128


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=7,
                        help='rounds of turns (default 7)')
    parser.add_argument('--steps', type=int, default=None,
                        help='steps timed per round (default: %s)' % ', '.join(
                            '%s %d' % item for item in STEPS.items()))
    parser.add_argument('--models', default=','.join(MODELS),
                        help='comma-separated, of: %s' % ', '.join(MODELS))
    parser.add_argument('--threads', type=int, default=None,
                        help='threads of both sides (default: those of '
                             "theano_compat's OpenBLAS)")
    parser.add_argument('--clock', choices=sorted(CLOCKS), default='wall',
                        help='wall time (default), or the process\'s CPU '
                             'time: with --threads 1, the work of a step '
                             'whatever else the machine runs')
    parser.add_argument('--dry-run', action='store_true',
                        help='tiny models, one round: checks that it runs')
    args = parser.parse_args(argv)
    if args.threads is not None:
        if 'theano_compat' in sys.modules or 'torch' in sys.modules:
            parser.error('--threads must be set before theano_compat and '
                         'torch are imported (run the script by itself)')
        for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
            os.environ[name] = str(args.threads)
    models = [m for m in args.models.split(',') if m]
    for model in models:
        if model not in MODELS:
            parser.error('unknown model %r; use some of %s'
                         % (model, ', '.join(MODELS)))
    count = threads()
    try:
        import torch
        torch.set_num_threads(count)
        torch_threads = count
        torch_version = torch.__version__
    except ImportError:
        torch_threads = 0
        torch_version = 'not installed (pip install torch): its side skipped'
    from theano_compat import backend_description
    # OpenBLAS reads this when it starts: how long its idle threads spin
    spin = os.environ.get('OPENBLAS_THREAD_TIMEOUT')
    print('theano_compat: %s; PyTorch %s; %d thread(s) each%s' % (
        backend_description(), torch_version, count,
        '; OPENBLAS_THREAD_TIMEOUT=%s' % spin if spin else ''))
    repeats = 1 if args.dry_run else args.repeats
    gemm_size, copy_mb = (64, 1) if args.dry_run else (GEMM_SIZE, COPY_MB)
    print('GEMM: GFLOP/s of a %d^3 product through theano_compat\'s BLAS in '
          'the step\'s dtype, timed in the same rounds; peak: the step\'s '
          'share of it; ratio: port / PyTorch (medians of %d rounds; %s '
          'time)' % (gemm_size, repeats, args.clock))
    for line in table_head():
        print(line)
    results, notes = {}, []
    for model in models:
        settings = (DRY if args.dry_run else MODELS)[model]
        steps = args.steps or (2 if args.dry_run else STEPS[model])
        result = compare(model, settings, repeats, steps, torch_threads,
                         gemm_size, copy_mb, 0 if args.dry_run else 0.2,
                         CLOCKS[args.clock])
        results[model] = result
        line, note = format_row(model, settings, result)
        print(line, flush=True)
        notes += [note] if note else []
    for note in notes:
        print(note)
    return results


if __name__ == '__main__':
    main()
