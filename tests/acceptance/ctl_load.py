#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ctl_load.py - many control clients and a slow one against routed-plugin's
control socket, while a Docker-shaped caller times its calls.

  ctl_load.py --ctl SOCK --net SOCK [--clients 200] [--calls 200]

First CALLS calls to the net socket (POST /NetworkDriver.GetCapabilities,
a fresh connection each, the way Docker makes them) are timed with the
control socket idle.  Then CLIENTS connections to the control socket ask
"status" and "endpoints" in a loop, reading every reply, and one slow
client sends requests and never reads a reply (so its replies pile up in
the daemon) while one more sends half a request line and stops; meanwhile
the same CALLS calls are timed again.  Figures only, no timed assertion:

  # CTL_LOAD idle_median_ms=X idle_max_ms=X loaded_median_ms=X \
      loaded_p99_ms=X loaded_max_ms=X calls_ok=N/N ctl_replies=N \
      ctl_errors=N
"""
import argparse
import json
import multiprocessing
import socket
import statistics
import threading
import time


def docker_call(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    t0 = time.monotonic()
    s.connect(path)
    s.sendall(b"POST /NetworkDriver.GetCapabilities HTTP/1.1\r\n"
              b"Host: plugin\r\nContent-Length: 2\r\n"
              b"Content-Type: application/json\r\nConnection: close\r\n"
              b"\r\n{}")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    ms = (time.monotonic() - t0) * 1000
    return ms, data.startswith(b"HTTP/1.1 200")


def timed_calls(path, n):
    out, ok = [], 0
    for _ in range(n):
        ms, good = docker_call(path)
        out.append(ms)
        ok += good
    return out, ok


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.replies = 0
        self.errors = 0


def ctl_client(path, stop, stats):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(path)
        f = s.makefile("rb")
        i = 0
        while not stop.is_set():
            cmd = "status" if i % 2 == 0 else "endpoints"
            i += 1
            s.sendall(json.dumps({"version": 1, "command": cmd}).encode()
                      + b"\n")
            line = f.readline()
            if not line or not json.loads(line).get("ok"):
                with stats.lock:
                    stats.errors += 1
                return
            with stats.lock:
                stats.replies += 1
        s.close()
    except (OSError, ValueError):
        with stats.lock:
            stats.errors += 1


def slow_clients(path, stop):
    # one never reads its replies; one sends half a line and stops
    a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a.connect(path)
    a.setblocking(False)
    b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b.connect(path)
    b.sendall(b'{"version":1,"comm')
    req = b'{"version":1,"command":"endpoints"}\n' * 64
    while not stop.is_set():
        try:
            a.send(req)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    a.close()
    b.close()


def load(a, go, done, q):
    stop = threading.Event()
    stats = Stats()
    threads = [threading.Thread(target=ctl_client, args=(a.ctl, stop, stats))
               for _ in range(a.clients)]
    threads.append(threading.Thread(target=slow_clients, args=(a.ctl, stop)))
    for t in threads:
        t.start()
    go.set()
    done.wait()
    stop.set()
    for t in threads:
        t.join()
    q.put((stats.replies, stats.errors))


def ms(v):
    return "%.2f" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--net", required=True)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--calls", type=int, default=200)
    a = ap.parse_args()

    idle, ok_idle = timed_calls(a.net, a.calls)
    # The load in a process of its own: its threads must not hold the
    # timing caller's interpreter lock.
    go, done = multiprocessing.Event(), multiprocessing.Event()
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=load, args=(a, go, done, q))
    p.start()
    go.wait()
    time.sleep(0.5)  # all connected and busy
    loaded, ok_loaded = timed_calls(a.net, a.calls)
    done.set()
    replies, errors = q.get()
    p.join()
    stats = Stats()
    stats.replies, stats.errors = replies, errors
    loaded.sort()
    print("# CTL_LOAD idle_median_ms=%s idle_max_ms=%s loaded_median_ms=%s "
          "loaded_p99_ms=%s loaded_max_ms=%s calls_ok=%d/%d ctl_replies=%d "
          "ctl_errors=%d" % (
              ms(statistics.median(idle)), ms(max(idle)),
              ms(statistics.median(loaded)),
              ms(loaded[int(len(loaded) * 0.99) - 1]), ms(max(loaded)),
              ok_idle + ok_loaded, 2 * a.calls, stats.replies, stats.errors))


if __name__ == "__main__":
    main()
