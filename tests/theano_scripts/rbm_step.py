"""A few CD-1 and PCD-2 steps of a restricted Boltzmann machine, Theano style.

Usage: python rbm_step.py SLICE.npz   (needs Theano's cxx= flag: 1.0.5's
scan does not compile on Python 3.11)

Binary RBM with 784 visible and 20 hidden units: W (784, 20), hbias (20,),
vbias (784,).  For a minibatch v of shape (B, 784), B = 20:

* p(h=1 | v) = sigmoid(v W + hbias), p(v=1 | h) = sigmoid(h W^T + vbias),
  both sampled with MRG_RandomStreams.binomial(size=..., n=1, p=...,
  dtype=floatX);
* the Gibbs chain h -> v -> h runs k steps in theano.scan, starting from
  the hidden sample of v (CD) or from a shared persistent chain (PCD);
* the update is W -= lr * grad(mean F(v) - mean F(chain end)), F the free
  energy, the chain end held constant, plus scan's own updates (its
  random streams);
* the monitored cost is the reconstruction cross-entropy (CD) or the
  stochastic pseudo-likelihood over one visible bit, moving bit by bit
  (PCD).

Each machine's W starts uniform in +-4 sqrt(6 / (784 + 20)) from
RandomState(123), after the draw randint(2 ** 30) that seeds its MRG
stream.  Prints, one a line, ``name value`` (a float written with
``repr``) or a JSON object on an array (see logreg.py).
"""

import sys

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

from common import show, show_checksums

BATCH_SIZE = 20
N_HIDDEN = 20
LEARNING_RATE = 0.1


class RBM(object):
    """Binary RBM on ``input`` (batch, n_visible)."""

    def __init__(self, input, n_visible, n_hidden, numpy_rng, theano_rng):
        self.n_visible = n_visible
        bound = 4 * numpy.sqrt(6. / (n_hidden + n_visible))
        self.W = theano.shared(
            numpy.asarray(numpy_rng.uniform(low=-bound, high=bound,
                                            size=(n_visible, n_hidden)),
                          dtype=theano.config.floatX),
            name='W', borrow=True)
        self.hbias = theano.shared(
            numpy.zeros(n_hidden, dtype=theano.config.floatX),
            name='hbias', borrow=True)
        self.vbias = theano.shared(
            numpy.zeros(n_visible, dtype=theano.config.floatX),
            name='vbias', borrow=True)
        self.input = input
        self.theano_rng = theano_rng
        self.params = [self.W, self.hbias, self.vbias]

    def free_energy(self, v_sample):
        """F(v) of each row of v (batch, n_visible) -> (batch,)."""
        wx_b = T.dot(v_sample, self.W) + self.hbias
        vbias_term = T.dot(v_sample, self.vbias)
        hidden_term = T.sum(T.log(1 + T.exp(wx_b)), axis=1)
        return -hidden_term - vbias_term

    def sample_h_given_v(self, v0_sample):
        """Pre-sigmoid, mean and binary sample of h, each (batch, n_hidden).
        """
        pre_sigmoid_h1 = T.dot(v0_sample, self.W) + self.hbias
        h1_mean = T.nnet.sigmoid(pre_sigmoid_h1)
        h1_sample = self.theano_rng.binomial(size=h1_mean.shape, n=1,
                                             p=h1_mean,
                                             dtype=theano.config.floatX)
        return [pre_sigmoid_h1, h1_mean, h1_sample]

    def sample_v_given_h(self, h0_sample):
        """Pre-sigmoid, mean and binary sample of v, each (batch, n_visible).
        """
        pre_sigmoid_v1 = T.dot(h0_sample, self.W.T) + self.vbias
        v1_mean = T.nnet.sigmoid(pre_sigmoid_v1)
        v1_sample = self.theano_rng.binomial(size=v1_mean.shape, n=1,
                                             p=v1_mean,
                                             dtype=theano.config.floatX)
        return [pre_sigmoid_v1, v1_mean, v1_sample]

    def gibbs_hvh(self, h0_sample):
        """One Gibbs step from the hidden state: six (batch, .) outputs."""
        pre_sigmoid_v1, v1_mean, v1_sample = self.sample_v_given_h(h0_sample)
        pre_sigmoid_h1, h1_mean, h1_sample = self.sample_h_given_v(v1_sample)
        return [pre_sigmoid_v1, v1_mean, v1_sample,
                pre_sigmoid_h1, h1_mean, h1_sample]

    def get_cost_updates(self, lr, persistent=None, k=1):
        """Monitoring cost and updates of one CD-k (or PCD-k) step."""
        pre_sigmoid_ph, ph_mean, ph_sample = self.sample_h_given_v(self.input)
        chain_start = ph_sample if persistent is None else persistent
        ([pre_sigmoid_nvs, nv_means, nv_samples,
          pre_sigmoid_nhs, nh_means, nh_samples],
         updates) = theano.scan(
            self.gibbs_hvh,
            outputs_info=[None, None, None, None, None, chain_start],
            n_steps=k, name='gibbs_hvh')
        chain_end = nv_samples[-1]
        cost = (T.mean(self.free_energy(self.input))
                - T.mean(self.free_energy(chain_end)))
        gparams = T.grad(cost, self.params, consider_constant=[chain_end])
        for gparam, param in zip(gparams, self.params):
            updates[param] = param - gparam * T.cast(
                lr, dtype=theano.config.floatX)
        if persistent is None:
            monitoring_cost = self.get_reconstruction_cost(
                pre_sigmoid_nvs[-1])
        else:
            updates[persistent] = nh_samples[-1]
            monitoring_cost = self.get_pseudo_likelihood_cost(updates)
        return monitoring_cost, updates

    def get_pseudo_likelihood_cost(self, updates):
        """n_visible * mean log sigmoid(F(v with bit i flipped) - F(v)) for
        the rounded input, bit i moving on by one at each call."""
        bit_i_idx = theano.shared(value=0, name='bit_i_idx')
        xi = T.round(self.input)
        fe_xi = self.free_energy(xi)
        xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx])
        fe_xi_flip = self.free_energy(xi_flip)
        cost = T.mean(self.n_visible
                      * T.log(T.nnet.sigmoid(fe_xi_flip - fe_xi)))
        updates[bit_i_idx] = (bit_i_idx + 1) % self.n_visible
        self.bit_i_idx = bit_i_idx
        return cost

    def get_reconstruction_cost(self, pre_sigmoid_nv):
        """Mean over the minibatch of the summed cross-entropy between the
        input and sigmoid(pre_sigmoid_nv), both (batch, n_visible)."""
        return T.mean(T.sum(
            self.input * T.log(T.nnet.sigmoid(pre_sigmoid_nv))
            + (1 - self.input) * T.log(1 - T.nnet.sigmoid(pre_sigmoid_nv)),
            axis=1))


def train_steps(prefix, train_x, n_steps, persistent_chain, k):
    """Build an RBM, train it ``n_steps`` minibatches, print what it did."""
    numpy_rng = numpy.random.RandomState(123)
    theano_rng = MRG_RandomStreams(numpy_rng.randint(2 ** 30))
    index = T.lscalar('index')
    x = T.matrix('x')  # (B, 784)
    rbm = RBM(input=x, n_visible=28 * 28, n_hidden=N_HIDDEN,
              numpy_rng=numpy_rng, theano_rng=theano_rng)
    cost, updates = rbm.get_cost_updates(lr=LEARNING_RATE,
                                         persistent=persistent_chain, k=k)
    train_rbm = theano.function(
        [index], cost, updates=updates,
        givens={x: train_x[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]},
        name='train_rbm')
    for i in range(n_steps):
        show('%s_minibatch%d_cost' % (prefix, i), train_rbm(i))
    show_checksums(prefix + '_W', rbm.W.get_value())
    show_checksums(prefix + '_hbias', rbm.hbias.get_value())
    show_checksums(prefix + '_vbias', rbm.vbias.get_value())
    if persistent_chain is not None:
        show_checksums(prefix + '_chain', persistent_chain.get_value())
        print('%s_bit_i_idx %d' % (prefix, rbm.bit_i_idx.get_value()))


def main(path):
    data = numpy.load(path, allow_pickle=False)
    train_x = theano.shared(
        numpy.asarray(data['train_x'], dtype=theano.config.floatX),
        borrow=True)
    print('floatX', theano.config.floatX)
    train_steps('cd1', train_x, 6, None, 1)
    chain = theano.shared(
        numpy.zeros((BATCH_SIZE, N_HIDDEN), dtype=theano.config.floatX),
        borrow=True)
    train_steps('pcd2', train_x, 4, chain, 2)


if __name__ == '__main__':
    main(sys.argv[1])
