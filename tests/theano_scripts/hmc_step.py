"""Hybrid Monte Carlo on a correlated Gaussian, Theano style.

Usage: python hmc_step.py [SLICE.npz]   (the slice is not read)

A batch of 3 chains in 5 dimensions samples the Gaussian with mean mu
and covariance C (from RandomState(123): mu uniform in [0, 10), C a
random symmetric matrix with a unit diagonal), energy
E(x) = (x - mu) C^-1 (x - mu)^T / 2 for each row x of the positions.
One call of the compiled ``draw`` function:

* draws velocities v ~ N(0, 1) of the positions' shape (symbolic) from
  MRG_RandomStreams(12345);
* runs 20 leapfrog steps of size s (0.25 at first): a half step of v,
  then 19 full steps of (x, v) in ``theano.scan`` (the step size a
  non-sequence), then the last half step of v, gradients by ``T.grad``
  inside and outside scan;
* accepts each chain's proposal when exp(H(x, v) - H(x', v')) >= u, u
  uniform from the same stream, H = E + |v|^2 / 2;
* updates the positions (``T.switch`` on the accepted rows), the step
  size (times 1.02 when the mean acceptance is above 0.9, else 0.98,
  clipped to [0.001, 0.5]) and the moving mean acceptance (weight 0.9
  on the old), all as ``updates``.

Prints, one a line, ``name value``: for each of 40 draws the chains
accepted (text, compared exactly) and the step size, then the positions
as a JSON checksum line, the mean acceptance and the sample mean of the
last 20 draws.
"""

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

from common import show, show_checksums

DIM = 5
CHAINS = 3
LEAPFROG_STEPS = 20
DRAWS = 40
TARGET_RATE = 0.9
INITIAL_STEPSIZE = 0.25


def floatx(value):
    return numpy.asarray(value, dtype=theano.config.floatX)


def gaussian(rng):
    """mu (DIM,) and the inverse covariance (DIM, DIM) of the target."""
    mu = floatx(rng.rand(DIM) * 10)
    cov = rng.rand(DIM, DIM)
    cov = (cov + cov.T) / 2.
    cov[numpy.arange(DIM), numpy.arange(DIM)] = 1.
    return mu, floatx(numpy.linalg.inv(floatx(cov)))


def build_sampler(positions, energy, seed=12345):
    """The compiled draw (returns the accepted flags) and its state."""
    srng = MRG_RandomStreams(seed)
    stepsize = theano.shared(floatx(INITIAL_STEPSIZE), name='stepsize')
    mean_rate = theano.shared(floatx(TARGET_RATE), name='mean_rate')

    def force(x):
        return -T.grad(energy(x).sum(), x)

    def hamiltonian(x, v):
        return energy(x) + 0.5 * (v ** 2).sum(axis=1)

    def leapfrog(x, v, step):
        v_next = v + step * force(x)
        return [x + step * v_next, v_next], {}

    velocity = srng.normal(size=positions.shape)
    v_half = velocity + 0.5 * stepsize * force(positions)
    x_first = positions + stepsize * v_half
    (xs, vs), scan_updates = theano.scan(
        leapfrog, outputs_info=[x_first, v_half], non_sequences=[stepsize],
        n_steps=LEAPFROG_STEPS - 1)
    assert not scan_updates
    x_end = xs[-1]
    v_end = vs[-1] + 0.5 * stepsize * force(x_end)

    gain = T.exp(hamiltonian(positions, velocity) - hamiltonian(x_end, v_end))
    accepted = (gain - srng.uniform(size=(CHAINS,))) >= 0
    rate_dtype = theano.scalar.upcast(accepted.dtype, mean_rate.dtype)
    updates = [
        (positions, T.switch(accepted.dimshuffle(0, 'x'), x_end, positions)),
        (stepsize, T.clip(T.switch(mean_rate > TARGET_RATE,
                                   stepsize * 1.02, stepsize * 0.98),
                          0.001, 0.5)),
        (mean_rate, 0.9 * mean_rate
         + 0.1 * accepted.mean(dtype=rate_dtype)),
    ]
    draw = theano.function([], accepted, updates=updates, name='hmc_draw')
    return draw, stepsize, mean_rate


def main():
    rng = numpy.random.RandomState(123)
    mu, cov_inv = gaussian(rng)

    def energy(x):
        centred = x - mu
        return 0.5 * (T.dot(centred, cov_inv) * centred).sum(axis=1)

    positions = theano.shared(floatx(rng.randn(CHAINS, DIM)),
                              name='positions')
    draw, stepsize, mean_rate = build_sampler(positions, energy)
    print('floatX', theano.config.floatX)
    samples = []
    for i in range(DRAWS):
        accepted = draw()
        print('draw%d_accepted %s' % (i, ','.join(str(int(a))
                                                   for a in accepted)))
        show('draw%d_stepsize' % i, stepsize.get_value())
        samples.append(positions.get_value())
    show_checksums('positions', positions.get_value())
    show('mean_rate', mean_rate.get_value())
    show_checksums('sample_mean',
                   numpy.mean(samples[DRAWS // 2:], axis=(0, 1)))


if __name__ == '__main__':
    main()
