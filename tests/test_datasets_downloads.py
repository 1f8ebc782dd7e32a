"""Hardening, downloads and the cache: a download stops at the size the file
can have, every file is checked by the MD5 of its content (decompressed),
and a cached file is checked again before use (once, remembered beside it
by size and modification time), so a tampered cache is never used silently.
All servers here are local (127.0.0.1)."""

import gzip
import hashlib
import http.server
import os
import shutil
import threading

import pytest

from tinynet import TinynetError, datasets

from conftest import MNIST
from hardening_util import leftovers

LABELS = "t10k-labels-idx1-ubyte.gz"
IMAGES = "t10k-images-idx3-ubyte.gz"


def labels_file(n=30, compress=True):
    raw = b"\x00\x00\x08\x01" + n.to_bytes(4, "big") + bytes(datasets.load_sample("test")[1][:n])
    return (gzip.compress(raw, mtime=0) if compress else raw), hashlib.md5(raw).hexdigest()


def images_file(n=30):
    X, _ = datasets.load_sample("test")
    raw = (b"\x00\x00\x08\x03" + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
           + bytes(X.pixels[:784 * n]))
    return gzip.compress(raw, mtime=0), hashlib.md5(raw).hexdigest()


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.server.hits.append(self.path)
        mode = self.server.mode
        self.send_response(200)
        if mode == "huge-length":
            self.send_header("Content-Length", str(10 ** 12))
        self.end_headers()
        if mode == "ok":
            self.wfile.write(self.server.body)
            return
        try:  # endless bytes, until the client hangs up
            block = b"\x1f\x8b" + bytes(1 << 16)
            for _ in range(1 << 16):  # 4 GiB at most, should the client never stop
                self.wfile.write(block)
                self.server.sent += len(block)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    servers = []

    def start(mode, body=b""):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
        srv.mode, srv.body, srv.hits, srv.sent = mode, body, [], 0
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv, "http://127.0.0.1:%d/mnist/" % srv.server_address[1]

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("mode", ["endless", "huge-length"])
def test_a_download_stops_at_the_size_the_file_can_have(tmp_path, server, mode):
    srv, url = server(mode)
    _, md5 = labels_file()
    with pytest.raises(TinynetError) as err:
        datasets.fetch(LABELS, str(tmp_path), [url], checksums={LABELS: md5})
    assert url in str(err.value) and "bytes" in str(err.value)
    assert srv.sent < 50 << 20  # the client hung up long before 4 GiB (labels: 10 KB)
    assert os.listdir(tmp_path) == []


def test_a_download_is_checked_by_content_whatever_the_compression(tmp_path, server):
    data, md5 = labels_file()
    for body in (data, gzip.compress(gzip.decompress(data), compresslevel=1, mtime=5),
                 gzip.decompress(data)):
        srv, url = server("ok", body)
        target = tmp_path / LABELS
        if target.exists():
            target.unlink()
        datasets.fetch(LABELS, str(tmp_path), [url], checksums={LABELS: md5})
        assert target.read_bytes() == body
    assert leftovers(tmp_path) == []


def test_the_check_cannot_be_skipped(tmp_path, server):
    data, _ = labels_file()
    srv, url = server("ok", data)
    for checksums in (None, {}, {LABELS: ""}):
        with pytest.raises((TinynetError, ValueError)):
            datasets.fetch(LABELS, str(tmp_path), [url], checksums=checksums)
    assert srv.hits == []  # refused before asking anyone
    with pytest.raises((TinynetError, ValueError)):
        datasets.fetch(LABELS, str(tmp_path), ["file:///etc/"], checksums={LABELS: "0" * 32})
    assert os.listdir(tmp_path) == []


def cache_with(tmp_path, tamper=None):
    images, images_md5 = images_file()
    labels, labels_md5 = labels_file()
    if tamper is not None:
        raw = bytearray(gzip.decompress(labels))
        raw[8 + tamper] = (raw[8 + tamper] + 1) % 10  # one label changed
        labels = gzip.compress(bytes(raw), mtime=0)
    (tmp_path / IMAGES).write_bytes(images)
    (tmp_path / LABELS).write_bytes(labels)
    return {IMAGES: images_md5, LABELS: labels_md5}


def test_a_cached_file_with_one_label_changed_is_refused(tmp_path):
    checksums = cache_with(tmp_path, tamper=7)
    with pytest.raises(TinynetError) as err:
        datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
    assert LABELS in str(err.value) and "MD5" in str(err.value)


def test_a_tampered_cache_is_downloaded_again_when_allowed(tmp_path, server):
    checksums = cache_with(tmp_path, tamper=3)
    good, _ = labels_file()
    srv, url = server("ok", good)
    X, labels = datasets.load_mnist("test", str(tmp_path), mirrors=[url], checksums=checksums)
    assert labels == datasets.load_sample("test")[1][:30]
    assert srv.hits == ["/mnist/" + LABELS]  # only the bad file was fetched again


def test_the_check_is_remembered_until_the_file_changes(tmp_path, monkeypatch):
    checksums = cache_with(tmp_path)
    datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
    calls = []
    real = hashlib.md5
    monkeypatch.setattr(hashlib, "md5", lambda *a: calls.append(a) or real(*a))
    datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
    assert calls == []  # remembered: no second pass over the content
    # Changing a file (new size or modification time) makes the check run again.
    labels = tmp_path / LABELS
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[9] = (raw[9] + 1) % 10
    labels.write_bytes(gzip.compress(bytes(raw), mtime=0))
    os.utime(labels, ns=(1, 1))
    with pytest.raises(TinynetError, match="MD5"):
        datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
    assert calls


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(os.environ.get("MNIST_DIR", MNIST)),
                    reason="needs the full MNIST in ../shared/mnist")
def test_the_recompressed_shared_copies_pass_the_check(tmp_path):
    source = os.environ.get("MNIST_DIR", MNIST)
    for name in datasets.FILES["test"]:
        shutil.copy(os.path.join(source, name), tmp_path / name)
    X, labels = datasets.load_mnist("test", str(tmp_path), download=False)
    assert len(X) == 10000 and len(labels) == 10000


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_no_stamp_is_left_in_a_read_only_directory(tmp_path):
    checksums = cache_with(tmp_path)
    before = sorted(os.listdir(tmp_path))
    tmp_path.chmod(0o555)
    try:
        datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
        assert sorted(os.listdir(tmp_path)) == before  # even as root, who could write
    finally:
        tmp_path.chmod(0o755)
    datasets.load_mnist("test", str(tmp_path), download=False, checksums=checksums)
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["." + IMAGES + ".md5",
                                                              "." + LABELS + ".md5"])
