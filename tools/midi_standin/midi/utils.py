"""A stand-in for ``midi.utils`` of the modified Python MIDI package that
the RNN-RBM tutorial (rnnrbm.py) imports: ``midiread`` and ``midiwrite``.

That package was a zip file on the tutorial's web site and is not in any
package registry (PyPI's ``python-midi`` 0.2.4 is another package, for
Python 2 only, without ``midi.utils``).  tools/run_series.py puts this
folder on the tutorial's path so that ``rnnrbm.py`` runs unchanged.  It
reads and writes plain Standard MIDI Files: format 0 or 1, note-on and
note-off events (with running status), tempo changes, other events
skipped; enough for the files ``midiwrite`` makes and for simple pieces.
"""

import struct

import numpy

__all__ = ['midiread', 'midiwrite']

DEFAULT_TEMPO = 500000      # microseconds a quarter note (120 beats/min)
TICKS_PER_QUARTER = 480


class MidiFormatError(ValueError):
    """A file this reader cannot understand."""


def _varlen(data, pos):
    """(value, next position) of a variable-length quantity at ``pos``."""
    value = 0
    while True:
        if pos >= len(data):
            raise MidiFormatError('truncated variable-length number')
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7f)
        if not byte & 0x80:
            return value, pos


def _track_events(data):
    """[(tick, kind, a, b)] of one track's bytes: kind 'on', 'off' (a =
    note, b = velocity) or 'tempo' (a = microseconds a quarter)."""
    events, pos, tick, status = [], 0, 0, None
    while pos < len(data):
        delta, pos = _varlen(data, pos)
        tick += delta
        if data[pos] & 0x80:
            status = data[pos]
            pos += 1
        if status is None:
            raise MidiFormatError('running status before any status byte')
        if status == 0xff:                      # meta event
            kind = data[pos]
            length, pos = _varlen(data, pos + 1)
            if kind == 0x51 and length == 3:
                events.append((tick, 'tempo',
                               int.from_bytes(data[pos:pos + 3], 'big'), 0))
            pos += length
            if kind == 0x2f:
                break
        elif status in (0xf0, 0xf7):            # system exclusive
            length, pos = _varlen(data, pos)
            pos += length
        else:
            high = status & 0xf0
            size = 1 if high in (0xc0, 0xd0) else 2
            a = data[pos]
            b = data[pos + 1] if size == 2 else 0
            pos += size
            if high == 0x90 and b > 0:
                events.append((tick, 'on', a, b))
            elif high == 0x80 or high == 0x90:
                events.append((tick, 'off', a, b))
    return events


def _chunks(data):
    pos = 0
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        length = struct.unpack('>I', data[pos + 4:pos + 8])[0]
        yield kind, data[pos + 8:pos + 8 + length]
        pos += 8 + length


class midiread(object):
    """Read a MIDI file: ``piano_roll`` (frames, r[1] - r[0]) holds 1
    where a note of the range ``r`` sounds during a frame of ``dt``
    seconds."""

    def __init__(self, filename, r=(21, 109), dt=0.2):
        with open(filename, 'rb') as f:
            data = f.read()
        chunks = list(_chunks(data))
        if not chunks or chunks[0][0] != b'MThd' or len(chunks[0][1]) < 6:
            raise MidiFormatError('%s is not a MIDI file' % filename)
        division = struct.unpack('>H', chunks[0][1][4:6])[0]
        if division & 0x8000:
            raise MidiFormatError('%s: SMPTE time is not supported'
                                  % filename)
        events = sorted(e for kind, body in chunks[1:] if kind == b'MTrk'
                        for e in _track_events(body))
        notes, sounding = [], {}
        seconds, last_tick, tempo = 0., 0, DEFAULT_TEMPO
        for tick, kind, a, b in events:
            seconds += (tick - last_tick) * tempo / 1e6 / division
            last_tick = tick
            if kind == 'tempo':
                tempo = a
            elif kind == 'on':
                sounding.setdefault(a, seconds)
            elif a in sounding:
                notes.append((a, sounding.pop(a), seconds))
        notes += [(a, start, seconds) for a, start in sounding.items()]
        self.notes = sorted(notes, key=lambda n: (n[1], n[0]))
        # (a hair under a whole frame: times add up in floating point)
        frames = int(numpy.ceil(seconds / dt - 1e-9)) if notes else 0
        self.piano_roll = numpy.zeros((frames, r[1] - r[0]))
        for note, start, end in self.notes:
            if r[0] <= note < r[1]:
                first = int(round(start / dt))
                last = max(first + 1, int(round(end / dt)))
                self.piano_roll[first:last, note - r[0]] = 1


def _varlen_bytes(value):
    out = [value & 0x7f]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7f))
        value >>= 7
    return bytes(reversed(out))


def midiwrite(filename, piano_roll, r=(21, 109), dt=0.2):
    """Write ``piano_roll`` (frames, r[1] - r[0]) of 0/1 as a format-0
    MIDI file, each frame ``dt`` seconds, velocity 90."""
    piano_roll = numpy.asarray(piano_roll) > 0
    ticks_per_frame = int(round(dt * 1e6 / DEFAULT_TEMPO
                                * TICKS_PER_QUARTER))
    padded = numpy.zeros((len(piano_roll) + 2, piano_roll.shape[1]), bool)
    padded[1:-1] = piano_roll
    changes = numpy.diff(padded.astype(int), axis=0)   # +1 on, -1 off
    track, last = bytearray(), 0
    for frame, key in sorted(zip(*numpy.nonzero(changes)),
                             key=lambda fk: (fk[0], changes[fk] > 0, fk[1])):
        tick = int(frame) * ticks_per_frame
        on = changes[frame, key] > 0
        track += _varlen_bytes(tick - last)
        track += bytes([0x90 if on else 0x80, int(key) + r[0],
                        90 if on else 0])
        last = tick
    track += b'\x00\xff\x2f\x00'
    with open(filename, 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, TICKS_PER_QUARTER))
        f.write(b'MTrk' + struct.pack('>I', len(track)) + bytes(track))
