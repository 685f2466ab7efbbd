"""Downloading a missing data file, against a real HTTP server on 127.0.0.1.

The server runs in a thread of the test process and serves a small fake
payload (its SHA-256 is passed to the download), so nothing leaves the
machine and no test moves 17 MB.
"""

import hashlib
import http.server
import io
import os

import pytest

import logistic_sgd
import mnist_data
from conftest import http_server

PAYLOAD = bytes(range(256)) * 1200  # 307200 bytes: several 64 KiB blocks
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """One path per way a mirror can behave."""

    def do_GET(self):
        if self.path == '/good/mnist.pkl.gz':
            self.send_payload(PAYLOAD)
        elif self.path == '/wrong/mnist.pkl.gz':
            self.send_payload(PAYLOAD[::-1])
        elif self.path == '/drop/mnist.pkl.gz':
            # announce the whole file, send half, hang up
            self.send_response(200)
            self.send_header('Content-Length', str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[:len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404)

    def send_payload(self, data):
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope='module')
def server():
    """Base address of a mirror server running for this module's tests."""
    with http_server(MirrorHandler) as address:
        yield address


def fetch(target, urls, **options):
    return mnist_data.fetch_if_missing(str(target), urls=urls,
                                       sha256=PAYLOAD_SHA256, **options)


def test_good_download_lands_with_its_checksum_and_shows_progress(
        server, tmp_path, capsys):
    target = tmp_path / 'mnist.pkl.gz'
    assert fetch(target, [server + '/good/mnist.pkl.gz'],
                 progress=True) == str(target)
    assert target.read_bytes() == PAYLOAD
    assert mnist_data.sha256_of(str(target)) == PAYLOAD_SHA256
    assert os.listdir(str(tmp_path)) == ['mnist.pkl.gz']  # no temp file
    err = capsys.readouterr().err
    assert err.startswith('... downloading mnist.pkl.gz from %s/good/'
                          % server)
    # one line rewritten in place, block by block, ending at 100 %
    first_line, progress, rest = err.split('\n')
    updates = progress.split('\r')
    assert updates[0] == '' and rest == ''
    # 307200 bytes come in several blocks; each one rewrites the line
    assert len(updates) - 1 >= 2
    percents = [int(u[u.index('(') + 1:u.index('%')]) for u in updates[1:]]
    assert percents == sorted(percents) and percents[0] < 100
    assert updates[1].startswith('mnist.pkl.gz: 0.')
    assert updates[-1] == 'mnist.pkl.gz: 0.3 of 0.3 MB (100%)'


def test_quiet_and_no_terminal_print_nothing(server, tmp_path, capsys):
    fetch(tmp_path / 'quiet.pkl.gz', [server + '/good/mnist.pkl.gz'],
          quiet=True)
    assert capsys.readouterr().err == ''
    # not quiet, but stderr is not a terminal: the address, no progress line
    fetch(tmp_path / 'plain.pkl.gz', [server + '/good/mnist.pkl.gz'])
    assert capsys.readouterr().err == (
        '... downloading plain.pkl.gz from %s/good/mnist.pkl.gz\n' % server)
    assert (tmp_path / 'plain.pkl.gz').read_bytes() == PAYLOAD


def test_existing_file_is_left_alone(server, tmp_path):
    target = tmp_path / 'mnist.pkl.gz'
    target.write_bytes(b'mine')
    fetch(target, [server + '/good/mnist.pkl.gz'])
    assert target.read_bytes() == b'mine'


@pytest.mark.parametrize('path, reason', [
    ('/drop/mnist.pkl.gz', 'the connection closed after 153600 of 307200 '
                           'bytes'),
    ('/wrong/mnist.pkl.gz', 'wrong content: sha256 %s, expected %s' % (
        hashlib.sha256(PAYLOAD[::-1]).hexdigest(), PAYLOAD_SHA256)),
    ('/missing/mnist.pkl.gz', 'HTTPError: HTTP Error 404: Not Found'),
])
def test_failed_download_leaves_nothing_and_says_why(server, tmp_path, path,
                                                     reason):
    target = tmp_path / 'mnist.pkl.gz'
    url = server + path
    with pytest.raises(mnist_data.DataError) as caught:
        fetch(target, [url], quiet=True)
    assert str(caught.value) == (
        'could not download mnist.pkl.gz; tried:\n'
        '  %s\n    %s\n'
        'Fetch it by hand from one of these addresses, check that its '
        'sha256 is %s, and put it at %s' % (url, reason, PAYLOAD_SHA256,
                                            target))
    assert os.listdir(str(tmp_path)) == []


def test_next_mirror_is_used_when_one_fails(server, tmp_path, capsys):
    target = tmp_path / 'mnist.pkl.gz'
    urls = [server + '/missing/mnist.pkl.gz', server + '/drop/mnist.pkl.gz',
            server + '/good/mnist.pkl.gz']
    fetch(target, urls)
    assert target.read_bytes() == PAYLOAD
    assert os.listdir(str(tmp_path)) == ['mnist.pkl.gz']
    assert capsys.readouterr().err.splitlines() == [
        '... downloading mnist.pkl.gz from ' + urls[0],
        '    failed: HTTPError: HTTP Error 404: Not Found',
        '... downloading mnist.pkl.gz from ' + urls[1],
        '    failed: the connection closed after 153600 of 307200 bytes',
        '... downloading mnist.pkl.gz from ' + urls[2],
    ]


def test_unreachable_mirror_is_reported(tmp_path):
    # a port nobody listens on: get one free, then close it
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    url = 'http://127.0.0.1:%d/mnist.pkl.gz' % port
    with pytest.raises(mnist_data.DataError,
                       match=r'%s\n    ConnectionRefusedError: ' % url):
        fetch(tmp_path / 'mnist.pkl.gz', [url], quiet=True)
    assert os.listdir(str(tmp_path)) == []


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(mnist_data.DataError,
                       match='cannot download mnist.pkl.gz: the folder '
                             '.*nowhere does not exist'):
        fetch(tmp_path / 'nowhere' / 'mnist.pkl.gz', ['http://unused'])


class FakeResponse(io.BytesIO):
    """What urlopen returns, enough for the download loop."""
    headers = {}


def test_load_data_fetches_the_tutorial_file_from_the_known_mirrors(
        tmp_path, monkeypatch, capsys):
    # The data folder is empty: load_data must try every known mirror in
    # order and hold each answer to the real file's checksum.
    monkeypatch.setenv(mnist_data.DATA_DIR_VARIABLE, str(tmp_path))
    asked = []

    def fake_urlopen(url, timeout):
        asked.append((url, timeout))
        return FakeResponse(b'not the tutorial file')

    monkeypatch.setattr(mnist_data.urllib.request, 'urlopen', fake_urlopen)
    with pytest.raises(mnist_data.DataError) as caught:
        logistic_sgd.load_data('mnist.pkl.gz')
    assert asked == [(url, 30) for url in mnist_data.MNIST_URLS]
    assert mnist_data.MNIST_URLS[0].startswith('https://')
    assert mnist_data.KNOWN_URLS['mnist.pkl.gz'] == mnist_data.MNIST_URLS
    message = str(caught.value)
    assert message.count('expected %s' % mnist_data.MNIST_SHA256) == 3
    assert message.endswith('put it at %s' % (tmp_path / 'mnist.pkl.gz'))
    assert os.listdir(str(tmp_path)) == []
    assert mnist_data.MNIST_SHA256 == (
        'f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416')
