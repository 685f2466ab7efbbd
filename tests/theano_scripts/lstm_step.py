"""An LSTM sentiment classifier trained a few steps by ADADELTA, Theano style.

Usage: python lstm_step.py [SLICE.npz]   (the slice is not read)

Data: series_data.imdb_sets (reviews as lists of word ids, labels 0/1),
the first 160 training reviews and 100 test reviews.  A minibatch of B
reviews becomes, as the tutorial's ``prepare_data`` makes it, x of shape
(T, B) int64 (word ids, 0 after a review's end; T its longest review)
and a mask of the same shape in floatX (1 where a word is).

Model (embedding and hidden size 16, vocabulary of 200 words):

* emb = Wemb[x.flatten()].reshape((T, B, 16));
* an LSTM over time in ``theano.scan`` (sequences: the mask and the
  projected input emb W + b; outputs_info: zeros from ``T.alloc``): gates
  i, f, o = sigmoid and candidate c~ = tanh of slices of
  h_{t-1} U + input_t; c_t = f c_{t-1} + i c~, h_t = o tanh(c_t), both
  kept at their previous value where the mask is 0;
* the mean of h over each review's words, dropout (MRG binomial with
  p=0.5 while a shared ``use_noise`` is 1, times 0.5 when it is 0), then
  softmax(h V + c) over 2 classes;
* cost = -mean log(p[arange(B), y] + 1e-8).

Weights start from RandomState(123): uniform in +-0.1 for W, U, V, 0.01
times uniform in [0, 1) for Wemb; biases 0.  Training: ADADELTA (rho 0.95,
eps 1e-6) as two compiled functions, one storing the gradients and their
running squares in shared variables, one applying the step; 10
minibatches of 16, in an order shuffled by RandomState(7).

Prints, one a line: each step's cost, the prediction errors (counts,
exact) on the training reviews seen and on the test reviews, the mean
predicted probability of class 1 on the test set, and JSON checksums of
every parameter.
"""

from collections import OrderedDict

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

from common import show, show_checksums
from series_data import imdb_sets

DIM = 16
N_WORDS = 200
N_CLASSES = 2
BATCH_SIZE = 16
STEPS = 10
N_TRAIN = 160
N_TEST = 100


def floatx(value):
    return numpy.asarray(value, dtype=theano.config.floatX)


def pad(reviews):
    """x (T, B) int64 and mask (T, B) floatX of a list of B reviews."""
    lengths = [len(r) for r in reviews]
    x = numpy.zeros((max(lengths), len(reviews)), dtype='int64')
    mask = numpy.zeros(x.shape, dtype=theano.config.floatX)
    for column, review in enumerate(reviews):
        x[:len(review), column] = review
        mask[:len(review), column] = 1.
    return x, mask


def init_params(rng):
    """The model's parameters as shared variables, by name."""
    def uniform(*shape):
        return floatx(rng.uniform(-0.1, 0.1, size=shape))
    values = OrderedDict([
        ('Wemb', floatx(0.01 * rng.rand(N_WORDS, DIM))),
        ('lstm_W', uniform(DIM, 4 * DIM)),
        ('lstm_U', uniform(DIM, 4 * DIM)),
        ('lstm_b', floatx(numpy.zeros(4 * DIM))),
        ('V', uniform(DIM, N_CLASSES)),
        ('c', floatx(numpy.zeros(N_CLASSES))),
    ])
    return OrderedDict((name, theano.shared(value, name=name))
                       for name, value in values.items())


def lstm(params, inputs, mask):
    """Hidden states (T, B, DIM) of the LSTM over ``inputs`` (T, B, DIM)."""
    n_steps, n_samples = inputs.shape[0], inputs.shape[1]

    def gate(preact, k):
        return preact[:, k * DIM:(k + 1) * DIM]

    def step(m, x_t, h_prev, c_prev):
        preact = T.dot(h_prev, params['lstm_U']) + x_t
        i = T.nnet.sigmoid(gate(preact, 0))
        f = T.nnet.sigmoid(gate(preact, 1))
        o = T.nnet.sigmoid(gate(preact, 2))
        c = f * c_prev + i * T.tanh(gate(preact, 3))
        c = m[:, None] * c + (1. - m)[:, None] * c_prev
        h = o * T.tanh(c)
        h = m[:, None] * h + (1. - m)[:, None] * h_prev
        return h, c

    projected = T.dot(inputs, params['lstm_W']) + params['lstm_b']
    zeros = T.alloc(floatx(0.), n_samples, DIM)
    (h, c), updates = theano.scan(step, sequences=[mask, projected],
                                  outputs_info=[zeros, zeros],
                                  n_steps=n_steps, name='lstm_steps')
    return h


def build(params):
    """Inputs, compiled predictors, cost and the dropout switch."""
    srng = MRG_RandomStreams(123)
    use_noise = theano.shared(floatx(0.), name='use_noise')
    x = T.matrix('x', dtype='int64')
    mask = T.matrix('mask', dtype=theano.config.floatX)
    y = T.vector('y', dtype='int64')
    n_steps, n_samples = x.shape[0], x.shape[1]
    emb = params['Wemb'][x.flatten()].reshape([n_steps, n_samples, DIM])
    h = lstm(params, emb, mask)
    pooled = (h * mask[:, :, None]).sum(axis=0) / mask.sum(axis=0)[:, None]
    kept = srng.binomial(pooled.shape, p=0.5, n=1, dtype=pooled.dtype)
    pooled = T.switch(use_noise, pooled * kept, pooled * 0.5)
    prob = T.nnet.softmax(T.dot(pooled, params['V']) + params['c'])
    predict_prob = theano.function([x, mask], prob, name='predict_prob')
    predict = theano.function([x, mask], prob.argmax(axis=1), name='predict')
    cost = -T.log(prob[T.arange(n_samples), y] + 1e-8).mean()
    return x, mask, y, cost, predict, predict_prob, use_noise


def adadelta(params, grads, inputs, cost, rho=0.95, eps=1e-6):
    """Two functions: store the gradients (returning the cost), step."""
    def zeros_like(p, suffix):
        return theano.shared(p.get_value() * floatx(0.),
                             name='%s_%s' % (p.name, suffix))
    stored = [zeros_like(p, 'grad') for p in params.values()]
    grad_sq = [zeros_like(p, 'rgrad2') for p in params.values()]
    step_sq = [zeros_like(p, 'rup2') for p in params.values()]
    store = theano.function(
        inputs, cost,
        updates=[(s, g) for s, g in zip(stored, grads)]
        + [(r, rho * r + (1 - rho) * g ** 2)
           for r, g in zip(grad_sq, grads)],
        name='adadelta_store')
    steps = [-T.sqrt(u + eps) / T.sqrt(r + eps) * g
             for g, u, r in zip(stored, step_sq, grad_sq)]
    apply_step = theano.function(
        [], [],
        updates=[(u, rho * u + (1 - rho) * d ** 2)
                 for u, d in zip(step_sq, steps)]
        + [(p, p + d) for p, d in zip(params.values(), steps)],
        name='adadelta_step')
    return store, apply_step


def errors(predict, reviews, labels):
    """Wrong predictions over ``reviews``, in minibatches of 64."""
    wrong = 0
    for start in range(0, len(reviews), 64):
        x, mask = pad(reviews[start:start + 64])
        wrong += int((predict(x, mask)
                      != numpy.asarray(labels[start:start + 64])).sum())
    return wrong


def main():
    (train_x, train_y), (test_x, test_y) = imdb_sets()
    train_x, train_y = train_x[:N_TRAIN], train_y[:N_TRAIN]
    test_x, test_y = test_x[:N_TEST], test_y[:N_TEST]
    params = init_params(numpy.random.RandomState(123))
    x, mask, y, cost, predict, predict_prob, use_noise = build(params)
    grads = T.grad(cost, wrt=list(params.values()))
    store, apply_step = adadelta(params, grads, [x, mask, y], cost)
    print('floatX', theano.config.floatX)
    order = numpy.random.RandomState(7).permutation(N_TRAIN)
    seen = []
    for step in range(STEPS):
        batch = order[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        use_noise.set_value(floatx(1.))
        bx, bmask = pad([train_x[i] for i in batch])
        show('step%d_cost' % step,
             store(bx, bmask, numpy.asarray([train_y[i] for i in batch])))
        apply_step()
        seen.extend(batch)
    use_noise.set_value(floatx(0.))
    print('train_errors %d' % errors(predict, [train_x[i] for i in seen],
                                     [train_y[i] for i in seen]))
    print('test_errors %d' % errors(predict, test_x, test_y))
    tx, tmask = pad(test_x)
    show('test_mean_prob1', predict_prob(tx, tmask)[:, 1].mean())
    for name, param in params.items():
        show_checksums(name, param.get_value())


if __name__ == '__main__':
    main()
