/* SPDX-License-Identifier: MIT */
/*
 * sdnotify.h: systemd's notify protocol without libsystemd: datagrams to
 * $NOTIFY_SOCKET ("READY=1", "STATUS=...", "WATCHDOG=1", "STOPPING=1"),
 * and the watchdog fed from the event loop, so that a loop that stops
 * turning stops feeding it and systemd restarts the daemon.
 */
#ifndef RP_SDNOTIFY_H
#define RP_SDNOTIFY_H

#include <stddef.h>

struct event_base;
struct sdnotify;

/*
 * fn(arg, buf, len) writes the one-line state for STATUS= (sent when it
 * changes, looked at every tick); NULL: no STATUS= updates.
 */
typedef void (*sdnotify_status_fn)(void *arg, char *buf, size_t len);

/*
 * Read $NOTIFY_SOCKET (a path, or "@name" for an abstract socket) and
 * $WATCHDOG_USEC (used only when $WATCHDOG_PID is unset or ours).  Without
 * NOTIFY_SOCKET, 0 and *out = NULL: every call below is then a no-op.  With
 * a watchdog, a timer on base sends WATCHDOG=1 every half period.  0, or
 * -EINVAL (a bad variable) / -errno.
 */
int sdnotify_open(struct event_base *base, sdnotify_status_fn fn, void *arg,
    struct sdnotify **out);
void sdnotify_free(struct sdnotify *sn);

/* Send "READY=1" and the current STATUS=; "STOPPING=1".  0 or -errno. */
int sdnotify_ready(struct sdnotify *sn);
int sdnotify_stopping(struct sdnotify *sn);

/* Send msg (newline-separated assignments) as one datagram.  0 or -errno. */
int sdnotify_send(struct sdnotify *sn, const char *msg);

/* The watchdog period in microseconds, 0 when there is none. */
unsigned long long sdnotify_watchdog_usec(const struct sdnotify *sn);

#endif
