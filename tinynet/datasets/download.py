"""Asking a mirror for a file without hanging on a silent network, and
remembering that a download failed.

Behind a firewall that drops packets, a connection is never refused: it
just never comes.  :func:`open_url` asks from a helper thread and gives up
after ``connect_timeout`` seconds without an answer (the name lookup, the
connection and the response's headers all count), calling ``waiting``
about once a second meanwhile, so a caller can show that it is waiting.
Once the file starts to arrive, each read may take up to ``timeout``
seconds.

:func:`remember_failure` leaves a small stamp in the cache folder when a
download fails, and :func:`recent_failure` reads it back, so that the
command line can go straight to the bundled sample for an hour instead of
waiting again on every run.
"""

import os
import time

#: Seconds to wait for a mirror to answer before trying the next one.
CONNECT_TIMEOUT = 5
#: The stamp a failed download leaves in the cache folder, and how long
#: (seconds) it is heeded.
FAILED, REMEMBER = ".download-failed", 3600


class NoAnswer(TimeoutError):
    """A mirror did not answer in time."""


def open_url(url, connect_timeout=None, timeout=30, waiting=None):
    """Return the response to a GET of ``url`` (http or https), or raise.

    A server that has not answered within ``connect_timeout`` seconds
    (default :data:`CONNECT_TIMEOUT`) is given up with :class:`NoAnswer`; the
    helper thread still asking is left to finish on its own (``timeout``
    bounds it) and closes what it gets.  ``waiting(url, seconds, done)`` is
    called when the request starts (0, False), about once a second while
    there is no answer, and once at the end (``done`` True)."""
    import threading
    import urllib.error
    import urllib.request

    limit = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    box, lock = {}, threading.Lock()

    def ask():
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except Exception as err:  # handed to the caller, who words it
            if isinstance(err, urllib.error.HTTPError):
                err.close()  # an HTTP error holds the connection open: the reason is all we need
            box["error"] = err
            return
        with lock:
            if box.get("given up"):
                response.close()
            else:
                box["response"] = response

    worker = threading.Thread(target=ask, name="tinynet download", daemon=True)
    started = time.monotonic()
    worker.start()
    try:
        while True:
            waited = time.monotonic() - started
            if waiting is not None:
                waiting(url, int(waited), False)
            worker.join(min(1.0, max(limit - waited, 0.0)))
            if not worker.is_alive():
                break
            if time.monotonic() - started >= limit:
                with lock:
                    if "response" not in box:
                        box["given up"] = True
                        raise NoAnswer("no answer within %g s" % limit)
                break
    finally:
        if waiting is not None:
            waiting(url, int(time.monotonic() - started), True)
    error = box.pop("error", None)
    if error is not None:
        try:
            raise error
        finally:
            error = None  # no cycle through this frame: the connection closes now
    return box["response"]


def reason(err):
    """One short phrase for why asking a mirror failed."""
    import socket
    import urllib.error

    if isinstance(err, urllib.error.HTTPError):
        return "HTTP Error %s: %s" % (err.code, err.reason)
    if isinstance(err, urllib.error.URLError):  # "<urlopen error ...>": say what is inside
        err = err.reason
    if isinstance(err, socket.timeout) and not isinstance(err, NoAnswer):
        return "the transfer stalled (%s)" % (str(err) or "timed out")
    return str(err) or type(err).__name__


def _stamp(directory):
    return os.path.join(directory, FAILED)


def remember_failure(directory, why):
    """Note in ``directory`` that a download failed now, and ``why``
    (nothing is noted where nothing can be written)."""
    from ..errors import TinynetError
    from ..files import write_atomically

    text = "%d %s\n" % (int(time.time()), " ".join(str(why).split()))
    try:
        write_atomically(_stamp(directory), text.encode("utf-8", "replace"))
    except (OSError, TinynetError):
        pass


def forget_failure(directory):
    """Remove the note of a failed download from ``directory``, if any."""
    try:
        os.remove(_stamp(directory))
    except OSError:
        pass


def recent_failure(directory, now=None):
    """Return ``(seconds ago, why)`` if a download into ``directory``
    failed less than :data:`REMEMBER` seconds ago, else None.  A stamp that
    cannot be read, or is dated in the future, is not heeded."""
    from ..errors import TinynetError
    from ..files import read_limited

    try:
        when, _, why = read_limited(_stamp(directory), 4096).decode("utf-8", "replace") \
            .strip().partition(" ")
        ago = (time.time() if now is None else now) - int(when)
    except (OSError, TinynetError, ValueError):
        return None
    return (ago, why) if 0 <= ago < REMEMBER else None


def minutes(seconds):
    """``seconds`` as people say it: "40 s", "1 minute", "12 minutes", "1 hour"."""
    if seconds < 60:
        return "%d s" % seconds
    n, unit = int(round(seconds / 60.0)), "minute"
    if n >= 60:
        n, unit = int(round(seconds / 3600.0)), "hour"
    return "%d %s%s" % (n, unit, "" if n == 1 else "s")
