"""Small synthetic data in the shapes of the series' other data sets.

The LSTM, RNN-SLU and RNN-RBM tutorials read IMDB reviews, ATIS
sentences and MIDI piano-rolls, none of which this repository ships.
These functions make small stand-ins with the same structure, the same
on every machine (NumPy's ``RandomState``, whose streams never change),
each with a pattern a model can learn:

* :func:`imdb_sets`: reviews as lists of word ids, labelled 1 when
  words of the "positive" half of the vocabulary outnumber the others;
* :func:`atis_fold`: sentences of word ids with one slot label per word
  (``B-``/``I-``/``O`` tags over city names that follow "from" or "to");
* :func:`piano_rolls`: binary (time, 88) matrices of chords that move
  up and down the keyboard.

The scripts beside this file build their data from them in memory;
tools/run_series.py writes the same data as the tutorials' own files
(``imdb.pkl``, ``atis.fold3.pkl.gz``) to run the original tutorials.
Plain Python and NumPy only: they run on Theano 1.0.5's NumPy 1.23 too.
"""

import numpy

IMDB_WORDS = 200        # word ids 2 .. IMDB_WORDS - 1 (0 pads, 1 is unknown)
PIANO_KEYS = 88         # MIDI notes 21 .. 108, as rnnrbm.py's r=(21, 109)


def imdb_sets(n_train=400, n_test=200, seed=1234, n_words=IMDB_WORDS,
              lengths=(5, 60)):
    """``(train, test)``, each ``(reviews, labels)`` as imdb.pkl holds
    them: reviews a list of lists of Python ints (word ids from 2), labels
    a list of 0/1 ints.  A review's label is 1 when it has more words from
    the upper half of the vocabulary than from the lower half (ties: 0)."""
    rng = numpy.random.RandomState(seed)

    def reviews(n):
        texts, labels = [], []
        for _ in range(n):
            length = rng.randint(lengths[0], lengths[1] + 1)
            words = rng.randint(2, n_words, size=length)
            texts.append([int(w) for w in words])
            labels.append(int((words >= n_words // 2).sum() * 2 > length))
        return texts, labels
    return reviews(n_train), reviews(n_test)


# Vocabulary of the ATIS stand-in: filler words, two markers, cities.
ATIS_FILLER = ('show', 'me', 'flights', 'i', 'want', 'a', 'flight', 'on',
               'monday', 'morning', 'please', 'the', 'cheapest', 'fare')
ATIS_CITIES = ('boston', 'denver', 'new york', 'san francisco', 'dallas',
               'salt lake city', 'atlanta', 'washington')
ATIS_SLOTS = ('fromloc.city_name', 'toloc.city_name')


def atis_dicts():
    """``{'words2idx', 'labels2idx', 'tables2idx'}`` of the stand-in, as the
    ATIS fold pickles' fourth element: names to ids from 0."""
    words = sorted(set(ATIS_FILLER) | {'from', 'to'}
                   | {w for city in ATIS_CITIES for w in city.split()})
    labels = ['O'] + ['%s-%s' % (tag, slot) for slot in ATIS_SLOTS
                      for tag in ('B', 'I')]
    return {'words2idx': {w: i for i, w in enumerate(words)},
            'labels2idx': {l: i for i, l in enumerate(labels)},
            'tables2idx': {'O': 0}}


def atis_sentences(n, rng, dicts):
    """``(lex, ne, y)``: ``n`` sentences as lists of int32 arrays of word
    ids, named-entity ids (all 0 here) and label ids."""
    words2idx, labels2idx = dicts['words2idx'], dicts['labels2idx']
    lex, ne, y = [], [], []
    for _ in range(n):
        words, labels = [], []
        for _ in range(rng.randint(1, 4)):
            words.append(ATIS_FILLER[rng.randint(len(ATIS_FILLER))])
            labels.append('O')
        for marker, slot in zip(('from', 'to'), ATIS_SLOTS):
            if rng.rand() < 0.8:
                city = ATIS_CITIES[rng.randint(len(ATIS_CITIES))].split()
                words += [marker] + city
                labels += ['O'] + ['%s-%s' % ('B' if i == 0 else 'I', slot)
                                   for i in range(len(city))]
            for _ in range(rng.randint(0, 3)):
                words.append(ATIS_FILLER[rng.randint(len(ATIS_FILLER))])
                labels.append('O')
        lex.append(numpy.array([words2idx[w] for w in words], 'int32'))
        ne.append(numpy.zeros(len(words), 'int32'))
        y.append(numpy.array([labels2idx[l] for l in labels], 'int32'))
    return lex, ne, y


def atis_fold(sizes=(300, 60, 60), seed=4321):
    """``(train_set, valid_set, test_set, dicts)`` as an ATIS fold pickle
    holds them, each set ``(lex, ne, y)`` (see :func:`atis_sentences`)."""
    rng = numpy.random.RandomState(seed)
    dicts = atis_dicts()
    sets = tuple(atis_sentences(n, rng, dicts) for n in sizes)
    return sets + (dicts,)


def piano_rolls(n_sequences=4, lengths=(40, 120), seed=2012,
                keys=PIANO_KEYS):
    """A list of ``n_sequences`` float64 arrays (time, keys) of 0/1: what
    rnnrbm.py's ``midiread(...).piano_roll`` gives.  Each step holds a
    triad (root, third, fifth) whose root walks up or down by a few keys,
    with an occasional extra note."""
    rng = numpy.random.RandomState(seed)
    rolls = []
    for _ in range(n_sequences):
        steps = rng.randint(lengths[0], lengths[1] + 1)
        roll = numpy.zeros((steps, keys))
        root = rng.randint(20, 50)
        for t in range(steps):
            root = int(numpy.clip(root + rng.randint(-3, 4), 5, keys - 12))
            roll[t, [root, root + 4, root + 7]] = 1.
            if rng.rand() < 0.2:
                roll[t, rng.randint(keys)] = 1.
        rolls.append(roll)
    return rolls


# --- the tutorials' own files (tools/run_series.py writes them) ---

def write_imdb_pkl(path, **sizes):
    """Write :func:`imdb_sets` as imdb.pkl holds IMDB: the training pair
    pickled, then the test pair, in one file (pickle protocol 2)."""
    import pickle
    train, test = imdb_sets(**sizes)
    with open(path, 'wb') as f:
        pickle.dump(train, f, protocol=2)
        pickle.dump(test, f, protocol=2)


def write_atis_fold(path, **sizes):
    """Write :func:`atis_fold` as an ATIS fold file: one gzipped pickle
    (protocol 2) of (train_set, valid_set, test_set, dicts)."""
    import gzip
    import pickle
    with gzip.open(path, 'wb') as f:
        pickle.dump(atis_fold(**sizes), f, protocol=2)
