"""An RNN-RBM on piano-rolls: training steps and a generated sequence.

Usage: python rnnrbm_step.py [SLICE.npz]   (the slice is not read)

Data: series_data.piano_rolls, 2 sequences of 0/1 frames over 88 keys
(what the tutorial's ``midiread(...).piano_roll`` gives for a MIDI file),
cut into pieces of at most 30 frames, as the tutorial's minibatches.

Model (88 visible units, 20 hidden units per frame's RBM, 15 recurrent
units): for a piece v of shape (T, 88),

* ``theano.scan`` over the frames computes the recurrent state
  u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu) from u_0 = 0, and each frame's
  RBM biases bv_t = bv + u_{t-1} Wuv, bh_t = bh + u_{t-1} Wuh (the
  parameters passed as non_sequences);
* a Gibbs chain of k = 3 steps over all frames at once, in a second
  ``theano.scan``, sampling h and v with MRG_RandomStreams binomials;
* cost = (F(v) - F(v~)) / T (F the free energy, v~ the chain's end,
  held constant in ``T.grad``), one SGD step of rate 0.01 on the eight
  parameters, plus the scan's random-stream updates;
* the monitored value: the mean over frames of
  xlogy0(v, p) + xlogy0(1 - v, 1 - p), p the mean of v given the chain's
  hidden sample (``T.xlogx.xlogy0``).

Generation: a ``theano.scan`` of 8 frames from u_0, each frame the end
of its own 3-step Gibbs chain (a scan inside the scan) from zeros, with
the stream's updates of the inner scan returned to the outer one.

Weights start from RandomState(0xbeef) (normal, scale 0.01 for W and
0.0001 for the recurrent weights), whose next draw seeds the MRG stream.
Prints, one a line: each training call's monitored value, JSON checksums
of every parameter, then the generated (8, 88) piano-roll's checksum.
"""

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

from common import show, show_checksums
from series_data import piano_rolls

N_VISIBLE = 88
N_HIDDEN = 20
N_RECURRENT = 15
GIBBS_STEPS = 3
PIECE = 30
LEARNING_RATE = 0.01
GENERATED_FRAMES = 8


def floatx(value):
    return numpy.asarray(value, dtype=theano.config.floatX)


class RnnRbm(object):
    """The model's parameters, training and generating functions."""

    def __init__(self, rng):
        def normal(scale, *shape):
            return theano.shared(floatx(rng.normal(scale=scale, size=shape)))

        def zeros(n):
            return theano.shared(floatx(numpy.zeros(n)))
        self.srng = MRG_RandomStreams(rng.randint(1 << 30))
        self.W = normal(0.01, N_VISIBLE, N_HIDDEN)
        self.bv, self.bh = zeros(N_VISIBLE), zeros(N_HIDDEN)
        self.Wuh = normal(0.0001, N_RECURRENT, N_HIDDEN)
        self.Wuv = normal(0.0001, N_RECURRENT, N_VISIBLE)
        self.Wvu = normal(0.0001, N_VISIBLE, N_RECURRENT)
        self.Wuu = normal(0.0001, N_RECURRENT, N_RECURRENT)
        self.bu = zeros(N_RECURRENT)
        self.params = [self.W, self.bv, self.bh, self.Wuh, self.Wuv,
                       self.Wvu, self.Wuu, self.bu]
        self.names = ['W', 'bv', 'bh', 'Wuh', 'Wuv', 'Wvu', 'Wuu', 'bu']

    def sample(self, mean):
        return self.srng.binomial(size=mean.shape, n=1, p=mean,
                                  dtype=theano.config.floatX)

    def gibbs_chain(self, v, bv, bh):
        """The end of a GIBBS_STEPS chain from v, the last visible mean
        given that end's hidden sample, and the scan's updates."""
        def step(v):
            h = self.sample(T.nnet.sigmoid(T.dot(v, self.W) + bh))
            return self.sample(T.nnet.sigmoid(T.dot(h, self.W.T) + bv))
        chain, updates = theano.scan(step, outputs_info=[v],
                                     n_steps=GIBBS_STEPS)
        end = chain[-1]
        h = self.sample(T.nnet.sigmoid(T.dot(end, self.W) + bh))
        return end, T.nnet.sigmoid(T.dot(h, self.W.T) + bv), updates

    def recurrent_state(self, v_t, u_prev):
        return T.tanh(self.bu + T.dot(v_t, self.Wvu) + T.dot(u_prev, self.Wuu))

    def training_function(self):
        v = T.matrix('v')  # (frames, 88)
        u0 = T.zeros((N_RECURRENT,))

        def frame(v_t, u_prev, *params):
            return [self.recurrent_state(v_t, u_prev),
                    self.bv + T.dot(u_prev, self.Wuv),
                    self.bh + T.dot(u_prev, self.Wuh)]
        (u, bv_t, bh_t), updates = theano.scan(
            frame, sequences=v, outputs_info=[u0, None, None],
            non_sequences=self.params)
        end, mean_v, chain_updates = self.gibbs_chain(v, bv_t, bh_t)
        updates.update(chain_updates)

        def free_energy(x):
            return (-(x * bv_t).sum()
                    - T.log(1 + T.exp(T.dot(x, self.W) + bh_t)).sum())
        cost = (free_energy(v) - free_energy(end)) / v.shape[0]
        monitor = (T.xlogx.xlogy0(v, mean_v)
                   + T.xlogx.xlogy0(1 - v, 1 - mean_v)).sum() / v.shape[0]
        grads = T.grad(cost, self.params, consider_constant=[end])
        updates.update((p, p - LEARNING_RATE * g)
                       for p, g in zip(self.params, grads))
        return theano.function([v], monitor, updates=updates)

    def generating_function(self):
        u0 = T.zeros((N_RECURRENT,))

        def frame(u_prev, *params):
            bv_t = self.bv + T.dot(u_prev, self.Wuv)
            bh_t = self.bh + T.dot(u_prev, self.Wuh)
            v_t, _, updates = self.gibbs_chain(T.zeros((N_VISIBLE,)), bv_t,
                                               bh_t)
            return [v_t, self.recurrent_state(v_t, u_prev)], updates
        (v, u), updates = theano.scan(frame, outputs_info=[None, u0],
                                      non_sequences=self.params,
                                      n_steps=GENERATED_FRAMES)
        return theano.function([], v, updates=updates)


def main():
    rng = numpy.random.RandomState(0xbeef)
    model = RnnRbm(rng)
    train = model.training_function()
    generate = model.generating_function()
    print('floatX', theano.config.floatX)
    calls = 0
    for roll in piano_rolls(n_sequences=2, lengths=(40, 70)):
        roll = floatx(roll)
        for start in range(0, len(roll), PIECE):
            show('call%d_monitor' % calls, train(roll[start:start + PIECE]))
            calls += 1
    for name, param in zip(model.names, model.params):
        show_checksums(name, param.get_value())
    show_checksums('generated', generate())


if __name__ == '__main__':
    main()
