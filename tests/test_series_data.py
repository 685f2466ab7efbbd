"""The data the rest of the series runs on (tests/theano_scripts/
series_data.py) and the MIDI stand-in tools/run_series.py gives rnnrbm.py
(tools/midi_standin/midi/utils.py)."""

import gzip
import os
import struct
import sys

import numpy
import pytest

from conftest import ROOT

sys.path[:0] = [os.path.join(ROOT, 'tests', 'theano_scripts'),
                os.path.join(ROOT, 'tools', 'midi_standin')]
import series_data  # noqa: E402
from midi.utils import midiread, midiwrite  # noqa: E402
sys.path[:2] = []

from mnist_data import SafeUnpickler  # noqa: E402


def midi_file(path, division, track):
    """A format-0 MIDI file of one track's event bytes."""
    with open(str(path), 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, division))
        f.write(b'MTrk' + struct.pack('>I', len(track)) + track)
    return str(path)


def test_midiread_reads_notes_tempo_and_running_status(tmp_path):
    """A hand-made file: 96 ticks a quarter at 120 beats/min, so 96 ticks
    are 0.5 s; with dt = 0.25 s a frame is 48 ticks.  Middle C (60) from
    0 to 1 s; E (64) from 0.5 s (by running status) to 1 s; then the
    tempo halves (1 s a quarter) and G (67) sounds 96 ticks = 1 s."""
    track = bytes([
        0x00, 0x90, 60, 80,         # C on at 0
        0x60, 64, 80,               # +96 ticks (0.5 s): E on, running status
        0x60, 0x80, 60, 0,          # +96 (1 s): C off
        0x00, 64, 0,                # E off, running status
        0x00, 0xff, 0x51, 0x03, 0x0f, 0x42, 0x40,   # tempo 1,000,000 us
        0x00, 0x90, 67, 80,         # G on at 1 s
        0x60, 0x90, 67, 0,          # +96 ticks (1 s now): off as velocity 0
        0x00, 0xff, 0x2f, 0x00])
    roll = midiread(midi_file(tmp_path / 'a.mid', 96, track), (60, 70),
                    0.25).piano_roll
    expected = numpy.zeros((8, 10))
    expected[0:4, 0] = 1      # C: frames 0-3
    expected[2:4, 4] = 1      # E: frames 2-3
    expected[4:8, 7] = 1      # G: frames 4-7
    numpy.testing.assert_array_equal(roll, expected)


def test_midiwrite_then_midiread_gives_the_piano_roll_back(tmp_path):
    for i, roll in enumerate(series_data.piano_rolls(n_sequences=3)):
        path = str(tmp_path / ('%d.mid' % i))
        midiwrite(path, roll, (21, 109), 0.3)
        numpy.testing.assert_array_equal(
            midiread(path, (21, 109), 0.3).piano_roll, roll)


def test_midiread_refuses_what_is_not_midi(tmp_path):
    path = tmp_path / 'not.mid'
    path.write_bytes(b'RIFF' + bytes(20))
    with pytest.raises(ValueError, match='is not a MIDI file'):
        midiread(str(path))


def test_imdb_file_holds_two_pickles_of_reviews_and_labels(tmp_path):
    """imdb.pkl as imdb.load_data reads it: the training pair, then the
    test pair; each label says whether upper-half words are the most."""
    path = str(tmp_path / 'imdb.pkl')
    series_data.write_imdb_pkl(path, n_train=30, n_test=20)
    with open(path, 'rb') as f:
        unpickler = SafeUnpickler(f)
        sets = [unpickler.load(), unpickler.load()]
        assert f.read() == b''
    for (reviews, labels), n in zip(sets, (30, 20)):
        assert len(reviews) == len(labels) == n
        for review, label in zip(reviews, labels):
            assert all(type(w) is int and 2 <= w < 200 for w in review)
            upper = sum(w >= 100 for w in review)
            assert label == int(upper > len(review) - upper)
    assert 0 < sum(sets[0][1]) < 30   # both classes present


def test_atis_fold_file_holds_sentences_labels_and_dictionaries(tmp_path):
    """atis.foldN.pkl.gz as rnnslu.atisfold reads it: (train, valid, test,
    dicts), sets of (words, entities, labels) int32 arrays; the words
    after "from"/"to" are city names labelled B-/I- slots."""
    path = str(tmp_path / 'atis.fold3.pkl.gz')
    series_data.write_atis_fold(path, sizes=(20, 5, 5))
    with gzip.open(path, 'rb') as f:
        train, valid, test, dicts = SafeUnpickler(f).load()
    idx2word = {i: w for w, i in dicts['words2idx'].items()}
    idx2label = {i: l for l, i in dicts['labels2idx'].items()}
    assert [len(s[0]) for s in (train, valid, test)] == [20, 5, 5]
    cities = {w for c in series_data.ATIS_CITIES for w in c.split()}
    for lex, ne, y in (train, valid, test):
        for words, entities, labels in zip(lex, ne, y):
            assert words.dtype == labels.dtype == numpy.int32
            assert len(words) == len(entities) == len(labels)
            text = [idx2word[i] for i in words]
            tags = [idx2label[i] for i in labels]
            for k, (word, tag) in enumerate(zip(text, tags)):
                assert (tag != 'O') == (word in cities)
                if tag.startswith('B-'):
                    assert text[k - 1] == ('from' if 'fromloc' in tag
                                           else 'to')
