#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hostile_clients.py - hostile HTTP clients against routed-plugin, and a
Docker-shaped caller that must keep getting answers meanwhile.

  hostile_clients.py --pid PID --net SOCK --ipam SOCK [--seconds 60]
                     [--clients 4] [--rss-abort-mb 512]
  hostile_clients.py --pid PID --net SOCK --ipam SOCK --burst N

For --seconds, --clients connections to the net socket pipeline
GetCapabilities requests as fast as the daemon takes them and never read a
reply (a closed one reconnects at once).  Every second a fresh connection
makes one call the way Docker does (alternately /Plugin.Activate on the net
socket and /IpamDriver.GetCapabilities on the ipam socket) and times it.
The daemon's RSS is sampled from /proc/PID/status every 0.2 s; if it passes
--rss-abort-mb the attack stops there (so that running this against a
daemon without limits does not take the machine down with it).

Prints one line per call and per second, then a summary line
  # SUMMARY calls=N answered=N max_ms=X median_ms=X peak_rss_kb=N \
      hostile_bytes=N aborted=0|1
and exits 0 (the shell script asserts on the summary).

With --burst N: the daemon is stopped (SIGSTOP) while N connections are
made to the net socket at once, so that they all wait in the listen
backlog; then it is continued, each connection sends one request, and a
Docker-shaped call is made.  Prints
  # BURST n=N connected=N refused=N answered=N closed=N call=STATUS \
      rss_kb=N
(refused: connect() failed with EAGAIN, the backlog was full; closed: the
daemon closed the connection before answering).
"""
import argparse
import os
import resource
import selectors
import signal
import socket
import sys
import threading
import time

PIPELINED = (b"POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
             b"User-Agent: hostile\r\nContent-Length: 0\r\n\r\n") * 64


def docker_call(path, method):
    """One call on a fresh connection, shaped like Docker's plugin client.
    Returns (status or None, milliseconds, error text)."""
    req = ("POST %s HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
           "Content-Length: 0\r\n"
           "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
           "Accept-Encoding: gzip\r\n\r\n" % method).encode()
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(path)
        s.sendall(req)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("connection closed before the reply")
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("connection closed inside the reply")
            body += chunk
        status = int(head.split(b" ", 2)[1])
        return status, (time.monotonic() - t0) * 1000, body.decode(errors="replace")
    except (OSError, ValueError, IndexError) as e:
        return None, (time.monotonic() - t0) * 1000, str(e)
    finally:
        s.close()


def rss_kb(pid, field="VmRSS"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Hostile(threading.Thread):
    """Non-reading pipelining clients, all in one thread (selectors)."""

    def __init__(self, path, n):
        super().__init__(daemon=True)
        self.path, self.n = path, n
        self.stop = threading.Event()
        self.sent = 0
        self.reconnects = 0

    def connect(self, sel):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_WRITE, [0])
        return s

    def run(self):
        sel = selectors.DefaultSelector()
        for _ in range(self.n):
            self.connect(sel)
        while not self.stop.is_set():
            for key, _ in sel.select(timeout=0.1):
                s, off = key.fileobj, key.data
                try:
                    n = s.send(PIPELINED[off[0]:])
                    self.sent += n
                    off[0] = (off[0] + n) % len(PIPELINED)
                except BlockingIOError:
                    pass
                except OSError:	# closed by the daemon: come back
                    sel.unregister(s)
                    s.close()
                    self.reconnects += 1
                    try:
                        self.connect(sel)
                    except OSError:
                        pass
        for key in list(sel.get_map().values()):
            key.fileobj.close()


def burst(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < a.burst + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(hard, a.burst + 64), hard))
    socks, refused = [], 0
    os.kill(a.pid, signal.SIGSTOP)
    try:
        for _ in range(a.burst):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(a.net)
                socks.append(s)
            except BlockingIOError:
                refused += 1
                s.close()
    finally:
        os.kill(a.pid, signal.SIGCONT)
    req = PIPELINED[:len(PIPELINED) // 64]
    for s in socks:
        s.setblocking(True)
        s.settimeout(10)
        try:
            s.sendall(req)
        except OSError:
            pass
    answered = closed = 0
    for s in socks:
        try:
            data = b""
            while b"}" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"HTTP/1.1 200"):
                answered += 1
            else:
                closed += 1
        except OSError:
            closed += 1
    status, ms, _ = docker_call(a.net, "/Plugin.Activate")
    print("# BURST n=%d connected=%d refused=%d answered=%d closed=%d "
          "call=%s rss_kb=%d" % (a.burst, len(socks), refused, answered,
                                 closed, status, rss_kb(a.pid)), flush=True)
    for s in socks:
        s.close()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--net", required=True)
    ap.add_argument("--ipam", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rss-abort-mb", type=int, default=512)
    ap.add_argument("--burst", type=int, default=0)
    a = ap.parse_args()
    if a.burst:
        return burst(a)

    print("# RSS before: %d kB" % rss_kb(a.pid), flush=True)
    hostile = Hostile(a.net, a.clients)
    hostile.start()
    lat, answered, calls, peak, aborted = [], 0, 0, 0, False
    t0 = time.monotonic()
    next_call = t0 + 1
    while time.monotonic() - t0 < a.seconds and not aborted:
        now = time.monotonic()
        peak = max(peak, rss_kb(a.pid))
        if peak > a.rss_abort_mb * 1024:
            aborted = True
            print("# RSS passed %d MB after %.1f s: attack stopped" %
                  (a.rss_abort_mb, now - t0), flush=True)
            break
        if now < next_call:
            time.sleep(min(0.2, next_call - now))
            continue
        next_call += 1
        calls += 1
        if calls % 2:
            path, method = a.net, "/Plugin.Activate"
        else:
            path, method = a.ipam, "/IpamDriver.GetCapabilities"
        status, ms, body = docker_call(path, method)
        ok = status == 200 and "Err" not in body
        answered += ok
        lat.append(ms)
        print("# t=%5.1fs %-28s %s %7.1f ms  rss %6d kB  hostile sent %d MB"
              % (now - t0, method, status, ms, rss_kb(a.pid),
                 hostile.sent >> 20) + ("" if ok else "  " + body[:120]),
              flush=True)
    hostile.stop.set()
    hostile.join(5)
    peak = max(peak, rss_kb(a.pid, "VmHWM"))
    lat.sort()
    print("# SUMMARY calls=%d answered=%d max_ms=%.1f median_ms=%.1f "
          "peak_rss_kb=%d hostile_bytes=%d reconnects=%d aborted=%d" %
          (calls, answered, lat[-1] if lat else 0,
           lat[len(lat) // 2] if lat else 0, peak, hostile.sent,
           hostile.reconnects, int(aborted)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
