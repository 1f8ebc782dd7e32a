"""Downloads and the cache: mirrors tried in turn (a bad or silent one given
up), a failure said and remembered for an hour, the cache folder and its
checks; a download stops at the size the file can have, every file is
checked by the MD5 of its content (decompressed), and a cached file is
checked again before use (once, remembered beside it by size and
modification time), so a tampered cache is never used silently.  All
servers here are local (127.0.0.1)."""

import gzip
import hashlib
import http.server
import os
import re
import shutil
import socket
import sys
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


# Mirrors, the cache folder, failures remembered, and the bounds of a download.


class Mirror(http.server.BaseHTTPRequestHandler):
    """Serves self.server.files; behaviour per server: ok, no-length, 404, html, drop."""

    def do_GET(self):
        mode, files = self.server.mode, self.server.files
        name = self.path.rsplit("/", 1)[-1]
        self.server.hits.append(name)
        if mode == "404" or name not in files:
            self.send_error(404)
            return
        body = b"<html>Sorry, moved</html>" if mode == "html" else files[name]
        self.send_response(200)
        if mode != "no-length":  # (HTTP/1.0: the body ends where the connection does)
            self.send_header("Content-Length",
                             str(len(files[name]) if mode == "drop" else len(body)))
        self.end_headers()
        if mode == "drop":  # half the file, then the connection goes away
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def mirrors():
    servers = []

    def start(mode, files):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
        server.mode, server.files, server.hits = mode, files, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, "http://127.0.0.1:%d/mnist/" % server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def fake_mnist():
    X, labels = datasets.load_sample("test")
    files = {}
    for name, data in (("t10k-images-idx3-ubyte.gz", bytes(X.pixels[:784 * 30])),
                       ("t10k-labels-idx1-ubyte.gz", bytes(labels[:30]))):
        header = (b"\x00\x00\x08\x03" + (30).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
                  if "images" in name else b"\x00\x00\x08\x01" + (30).to_bytes(4, "big"))
        files[name] = gzip.compress(header + data, mtime=0)
    # checked by content: the MD5 of the decompressed file
    return files, {n: hashlib.md5(gzip.decompress(d)).hexdigest() for n, d in files.items()}


def test_download_falls_through_bad_mirrors_to_a_good_one(tmp_path, mirrors):
    files, md5 = fake_mnist()
    bad = [mirrors(mode, files) for mode in ("404", "html", "drop")]
    good, good_url = mirrors("ok", files)
    wrong = dict(files, **{n: d[:-1] + b"!" for n, d in files.items()})
    tampered, tampered_url = mirrors("ok", wrong)
    urls = [url for _, url in bad] + [tampered_url, good_url]
    progress = []
    X, labels = datasets.load_mnist("test", directory=str(tmp_path), mirrors=urls,
                                    checksums=md5, callback=lambda *a: progress.append(a))
    assert len(X) == 30 and labels == datasets.load_sample("test")[1][:30]
    for server, _ in bad:
        assert server.hits  # every bad mirror was tried first
    assert tampered.hits and good.hits
    # no partial files left; each download's check remembered beside it
    assert sorted(os.listdir(tmp_path)) == sorted(list(files) + ["." + n + ".md5" for n in files])
    assert progress[-1][1] == progress[-1][2] == len(files["t10k-labels-idx1-ubyte.gz"])
    # cached now: loading again downloads nothing
    hits = len(good.hits)
    datasets.load_mnist("test", directory=str(tmp_path), mirrors=urls, checksums=md5)
    assert len(good.hits) == hits


def test_download_failing_everywhere_says_why_and_leaves_nothing(tmp_path, mirrors):
    files, md5 = fake_mnist()
    urls = [mirrors(mode, files)[1] for mode in ("404", "html", "drop")]
    with pytest.raises(TinynetError) as info:
        datasets.fetch("t10k-images-idx3-ubyte.gz", str(tmp_path), urls, checksums=md5)
    message = str(info.value)
    assert "HTTP Error 404" in message and "checksum mismatch" in message
    assert message.count("127.0.0.1") == 3
    assert os.listdir(tmp_path) == []


def test_load_mnist_without_download_does_not_fetch(tmp_path):
    with pytest.raises(FileNotFoundError):
        datasets.load_mnist("test", directory=str(tmp_path), download=False)


def test_cache_dir_follows_tinynet_data(monkeypatch, tmp_path):
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path))
    assert datasets.cache_dir() == str(tmp_path)
    monkeypatch.delenv("TINYNET_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    if sys.platform.startswith("linux"):
        assert datasets.cache_dir() == str(tmp_path / "c" / "tinynet")


def test_mirror_urls_end_with_a_slash(monkeypatch):
    from tinynet.datasets import mnist

    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", " http://a/x  https://b/y/ ")
    assert mnist.mirror_urls() == ("http://a/x/", "https://b/y/")
    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", " ")
    assert mnist.mirror_urls() == mnist.MIRRORS


def test_a_verified_file_is_remembered_in_a_text_stamp(tmp_path):
    from tinynet.datasets import mnist

    path = str(tmp_path / "x-idx1-ubyte")
    with open(path, "wb") as f:
        f.write(b"content")
    md5 = hashlib.md5(b"content").hexdigest()
    with pytest.raises(TinynetError, match="^no MD5 known for x: tinynet uses only files it can "
                                           "check$"):
        mnist.verify(path, "x", checksums={})
    mnist.verify(path, "x", checksums={"x": md5})
    st = os.stat(path)
    stamp = mnist._stamp_path(path)
    expected = "%d %d %s\n" % (st.st_size, st.st_mtime_ns, md5)  # what other versions read
    with open(stamp) as f:
        assert f.read() == expected
    with open(stamp, "wb") as f:
        f.write(b"\xff\xfe not a stamp")  # not even ASCII: stale, so the file is checked again
    mnist.verify(path, "x", checksums={"x": md5})
    with open(stamp) as f:
        assert f.read() == expected


def test_a_download_without_a_length_reports_its_total_as_unknown():
    import io

    from tinynet.datasets import mnist

    class Response:
        headers = {}
        body = io.BytesIO(b"x" * 10)

        def read(self, n):
            return self.body.read(n)

    seen = []
    assert mnist._receive(Response(), "f", 100, lambda *event: seen.append(event)) == b"x" * 10
    assert seen[-1] == ("f", 10, 0)


def test_gzipped_content_may_fill_its_limit_exactly(monkeypatch):
    from tinynet.datasets import mnist

    monkeypatch.setitem(mnist.SIZES, "f.gz", 10)
    data = gzip.compress(b"0123456789")
    assert mnist._md5_of_bytes(data, "f.gz") == hashlib.md5(b"0123456789").hexdigest()
    with pytest.raises(TinynetError, match="^more content than f.gz can hold$"):
        mnist._md5_of_bytes(gzip.compress(b"0123456789!"), "f.gz")


def test_a_checksum_that_is_not_hex_is_refused_before_the_stamp_holds_it(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x00")
    for bad in ("\n" * 32, "g" * 32, "\u00e9" * 32):
        with pytest.raises(TinynetError, match="no MD5 known"):
            datasets.mnist.verify(str(path), path.name + ".gz", {path.name + ".gz": bad})
    assert os.listdir(tmp_path) == [path.name]


def test_a_home_that_does_not_exist_gives_no_cache_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "nobody"))
    if sys.platform == "win32":
        pytest.skip("the Windows cache is under LOCALAPPDATA")
    with pytest.raises(TinynetError, match="home folder %s does not exist; set TINYNET_DATA"
                       % re.escape(str(tmp_path / "nobody"))):
        datasets.cache_dir()
    assert os.listdir(tmp_path) == []
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid by the XDG spec: ignored
    with pytest.raises(TinynetError, match="does not exist"):
        datasets.cache_dir()
    (tmp_path / "nobody").mkdir()
    assert datasets.cache_dir().startswith(str(tmp_path / "nobody"))


@pytest.mark.parametrize("what", ["a file", "a symlink loop", "under a file", "/proc"])
def test_a_cache_folder_that_cannot_be_used_is_refused_before_downloading(tmp_path, what):
    if what == "a file":
        cache = tmp_path / "file"
        cache.write_bytes(b"x")
    elif what == "a symlink loop":
        cache = tmp_path / "loop"
        cache.symlink_to(cache)
    elif what == "under a file":
        (tmp_path / "file").write_bytes(b"x")
        cache = tmp_path / "file" / "cache"
    else:
        if not os.path.isdir("/proc/self"):
            pytest.skip("no /proc here")
        cache = "/proc/self/tinynet-cache"  # not writable, even by root
    with pytest.raises(TinynetError, match="cannot keep downloads in this folder") as err:
        datasets.fetch(datasets.FILES["test"][1], str(cache), ["http://127.0.0.1:9/"])
    assert str(cache) in str(err.value) and "127.0.0.1" not in str(err.value)  # no download tried


@pytest.fixture
def silent():
    """Make http URLs on 127.0.0.1 that never answer: "dropped", a listening
    socket whose queue is full, so that a connection is never completed (as
    behind a firewall that drops packets), or "mute", one whose connections
    the kernel completes but nothing ever answers."""
    opened = []

    def make(kind):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        opened.append(server)
        if kind == "dropped":  # takes the one place in the queue: later connections wait
            opened.append(socket.create_connection(server.getsockname(), timeout=5))
        return "http://127.0.0.1:%d/mnist/" % server.getsockname()[1]

    yield make
    for sock in opened:
        sock.close()


def test_a_silent_mirror_is_given_up_after_the_connect_timeout(tmp_path, silent, mirrors):
    files, md5 = fake_mnist()
    name = "t10k-labels-idx1-ubyte.gz"
    urls = [silent("dropped"), silent("mute")]
    seen = []
    with pytest.raises(TinynetError) as info:
        datasets.fetch(name, str(tmp_path), urls, checksums=md5, connect_timeout=1, timeout=3,
                       waiting=lambda *event: seen.append(event))
    message = str(info.value)
    assert "\n" not in message  # one sentence, not a list after a colon
    assert message == ("could not download %s from any of its 2 mirrors: %s%s: no answer within "
                       "1 s; %s%s: no answer within 1 s" % (name, urls[0], name, urls[1], name))
    for url in urls:  # each wait reported as it starts, while it lasts, and when it ends
        events = [(s, done) for u, s, done in seen if u == url + name]
        assert events[0] == (0, False) and events[-1][1] is True
        assert [s for s, done in events if not done] == sorted(s for s, done in events if not done)
    assert os.listdir(tmp_path) == []
    # a mirror that answers after a silent one is still reached
    good, good_url = mirrors("ok", files)
    datasets.fetch(name, str(tmp_path), [silent("dropped"), good_url], checksums=md5,
                   connect_timeout=1, timeout=3)
    assert good.hits == [name]


def test_a_failure_is_remembered_for_an_hour_and_forgotten_on_request(tmp_path):
    from tinynet.datasets import download

    assert download.recent_failure(str(tmp_path)) is None
    download.remember_failure(str(tmp_path), "could not download x:\n  y")
    ago, why = download.recent_failure(str(tmp_path))
    assert 0 <= ago < 60 and why == "could not download x: y"
    import time

    now = time.time()
    assert download.recent_failure(str(tmp_path), now + download.REMEMBER + 1) is None
    assert download.recent_failure(str(tmp_path), now - 3600) is None  # dated in the future
    (tmp_path / download.FAILED).write_bytes(b"\xff garbage")
    assert download.recent_failure(str(tmp_path)) is None
    download.remember_failure(str(tmp_path), "again")
    download.forget_failure(str(tmp_path))
    assert os.listdir(tmp_path) == []
    download.remember_failure(str(tmp_path / "no" / "such"), "nowhere to write: no error")


def test_waits_are_said_as_people_say_them():
    from tinynet.datasets.download import minutes

    assert [minutes(s) for s in (0, 59, 60, 89, 150, 3599, 3600, 7300)] == [
        "0 s", "59 s", "1 minute", "1 minute", "2 minutes", "1 hour", "1 hour", "2 hours"]


@pytest.mark.parametrize("mode", ["ok", "no-length"])
def test_a_download_may_take_its_content_limit_and_what_gzip_adds_and_no_more(
        tmp_path, mirrors, monkeypatch, mode):
    """A file whose content may be N bytes may take N + N // 500 + 4096
    bytes to download (gzip's worst case, data it cannot compress): a body of
    exactly that is taken (then refused by its checksum), one byte more is
    refused by its size, announced or counted."""
    from tinynet.datasets import mnist

    name = "t10k-labels-idx1-ubyte.gz"
    monkeypatch.setitem(mnist.SIZES, name, 1000)
    limit = 1000 + 2 + 4096
    _, md5 = fake_mnist()
    for size in (limit, limit + 1):
        _, url = mirrors(mode, {name: b"x" * size})
        with pytest.raises(TinynetError) as info:
            datasets.fetch(name, str(tmp_path), [url], checksums=md5)
        reason = str(info.value).split(url + name + ": ", 1)[1]
        if size == limit:
            assert "cannot be more than" not in reason and "MD5" in reason, reason
        elif mode == "ok":
            assert reason == "the server announces 5,099 bytes; %s cannot be more than 5,098" % name
        else:
            assert reason == "stopped after 5,099 bytes: %s cannot be more than 5,098" % name
        assert os.listdir(tmp_path) == []


def test_an_md5_is_32_hex_digits_exactly(tmp_path):
    from tinynet.datasets import mnist

    path = str(tmp_path / "x-idx1-ubyte")
    with open(path, "wb") as f:
        f.write(b"content")
    md5 = hashlib.md5(b"content").hexdigest()
    for bad in (md5[:31], md5 + "0"):
        with pytest.raises(TinynetError, match="^no MD5 known for x: tinynet uses only files it "
                                               "can check$"):
            mnist.verify(path, "x", checksums={"x": bad})
    mnist.verify(path, "x", checksums={"x": md5.upper()})
