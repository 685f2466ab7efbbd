"""An Elman network labelling the words of sentences, Theano style.

Usage: python rnnslu_step.py [SLICE.npz]   (the slice is not read)

Data: series_data.atis_fold, an ATIS-like fold (sentences of word ids,
one slot label per word: O, B-/I-fromloc.city_name, B-/I-toloc...), the
first 40 training sentences and 30 test sentences.  Each sentence of n
words becomes its n context windows of 5 word ids (int32, -1 past either
end: the last embedding row), as the tutorial's ``contextwin`` makes them.

Model (embeddings of size 8, 12 hidden units, 5 classes):

* x = emb[windows].reshape((n, 5 * 8)), emb of shape (vocabulary + 1, 8);
* in ``theano.scan`` over the rows of x, from a learned h0:
  h_t = sigmoid(x_t Wx + h_{t-1} Wh + bh), s_t = softmax(h_t W + b) (a
  1 x 5 matrix, as softmax makes of a vector), so s is (n, 1, 5);
* nll = -mean log s[:, 0, :][arange(n), y]; each sentence one SGD step
  of every parameter (an OrderedDict of updates, the learning rate an
  input), then the embeddings' rows normalised to length 1 by a function
  with updates only.

Weights start at 0.2 times uniform in [-1, 1) from RandomState(345),
biases and h0 at 0.  Prints, one a line: each training sentence's nll,
the words labelled wrong on the training sentences and on the test
sentences (counts, exact), the labels given to the first test sentence
(text, exact), and JSON checksums of every parameter.
"""

from collections import OrderedDict

import numpy

import theano
import theano.tensor as T

from common import show, show_checksums
from series_data import atis_fold

WINDOW = 5
EMB_DIM = 8
N_HIDDEN = 12
LEARNING_RATE = 0.0970806646812754
N_TRAIN = 40
N_TEST = 30


def context_windows(sentence, window=WINDOW):
    """(n, window) int32 word ids around each word, -1 past the ends."""
    half = window // 2
    padded = [-1] * half + list(sentence) + [-1] * half
    return numpy.asarray([padded[i:i + window]
                          for i in range(len(sentence))], dtype='int32')


class ElmanTagger(object):
    """Elman network over context windows; see the module docstring."""

    def __init__(self, rng, n_words, n_classes):
        def weights(*shape):
            return theano.shared(
                (0.2 * rng.uniform(-1., 1., shape)).astype(
                    theano.config.floatX))

        def zeros(n):
            return theano.shared(numpy.zeros(n, dtype=theano.config.floatX))
        self.emb = weights(n_words + 1, EMB_DIM)
        self.wx = weights(EMB_DIM * WINDOW, N_HIDDEN)
        self.wh = weights(N_HIDDEN, N_HIDDEN)
        self.w = weights(N_HIDDEN, n_classes)
        self.bh, self.b, self.h0 = zeros(N_HIDDEN), zeros(n_classes), \
            zeros(N_HIDDEN)
        self.params = OrderedDict([
            ('emb', self.emb), ('wx', self.wx), ('wh', self.wh),
            ('w', self.w), ('bh', self.bh), ('b', self.b), ('h0', self.h0)])

        windows = T.imatrix('windows')
        labels = T.ivector('labels')
        lr = T.scalar('lr')
        x = self.emb[windows].reshape((windows.shape[0], EMB_DIM * WINDOW))

        def recurrence(x_t, h_prev):
            h_t = T.nnet.sigmoid(T.dot(x_t, self.wx) + T.dot(h_prev, self.wh)
                                 + self.bh)
            return [h_t, T.nnet.softmax(T.dot(h_t, self.w) + self.b)]

        [h, s], _ = theano.scan(fn=recurrence, sequences=x,
                                outputs_info=[self.h0, None],
                                n_steps=x.shape[0])
        p_y = s[:, 0, :]
        nll = -T.mean(T.log(p_y)[T.arange(x.shape[0]), labels])
        grads = T.grad(nll, list(self.params.values()))
        self.classify = theano.function([windows], T.argmax(p_y, axis=1))
        self.train_step = theano.function(
            [windows, labels, lr], nll,
            updates=OrderedDict((p, p - lr * g)
                                for p, g in zip(self.params.values(), grads)))
        self.normalize = theano.function(
            [], updates={self.emb: self.emb / T.sqrt(
                (self.emb ** 2).sum(axis=1)).dimshuffle(0, 'x')})


def wrong_labels(model, lex, y):
    return sum(int((model.classify(context_windows(words)) != labels).sum())
               for words, labels in zip(lex, y))


def main():
    train_set, _, test_set, dicts = atis_fold()
    train_lex, _, train_y = [part[:N_TRAIN] for part in train_set]
    test_lex, _, test_y = [part[:N_TEST] for part in test_set]
    idx2label = dict((i, l) for l, i in dicts['labels2idx'].items())
    model = ElmanTagger(numpy.random.RandomState(345),
                        len(dicts['words2idx']), len(idx2label))
    print('floatX', theano.config.floatX)
    for i, (words, labels) in enumerate(zip(train_lex, train_y)):
        show('sentence%d_nll' % i,
             model.train_step(context_windows(words), labels, LEARNING_RATE))
        model.normalize()
    print('train_errors %d' % wrong_labels(model, train_lex, train_y))
    print('test_errors %d' % wrong_labels(model, test_lex, test_y))
    print('test0_labels %s' % ','.join(
        idx2label[int(k)] for k in model.classify(
            context_windows(test_lex[0]))))
    for name, param in model.params.items():
        show_checksums(name, param.get_value())


if __name__ == '__main__':
    main()
