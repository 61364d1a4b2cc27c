/* SPDX-License-Identifier: MIT */
/*
 * sdnotify.c: see sdnotify.h.  One non-blocking datagram socket; a
 * datagram that cannot be sent is dropped (systemd may be gone, and the
 * daemon must never wait for it).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sdnotify.h"

#define STATUS_TICK_MS	5000	/* STATUS= looked at, without a watchdog */

struct sdnotify {
	int fd;
	struct sockaddr_un sun;
	socklen_t sunlen;
	unsigned long long wd_usec;
	struct event *tick;
	sdnotify_status_fn status;
	void *arg;
	char last[256];			/* the last STATUS= sent */
	bool warned;
};

int
sdnotify_send(struct sdnotify *sn, const char *msg)
{
	if (sn == NULL)
		return 0;
	if (sendto(sn->fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sn->sun, sn->sunlen) < 0) {
		int r = -errno;

		if (!sn->warned)
			log_warn("cannot notify systemd");
		sn->warned = true;
		return r;
	}
	return 0;
}

/* Send STATUS= if the state changed since the last one. */
static void
send_status(struct sdnotify *sn)
{
	char now[sizeof(sn->last)], msg[sizeof(now) + 8];

	if (sn->status == NULL)
		return;
	now[0] = '\0';
	sn->status(sn->arg, now, sizeof(now));
	now[strcspn(now, "\n")] = '\0';		/* one line */
	if (strcmp(now, sn->last) == 0)
		return;
	snprintf(msg, sizeof(msg), "STATUS=%s", now);
	if (sdnotify_send(sn, msg) == 0)
		memcpy(sn->last, now, sizeof(now));
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sdnotify *sn = arg;

	if (sn->wd_usec > 0)
		sdnotify_send(sn, "WATCHDOG=1");
	send_status(sn);
}

/* An unsigned decimal environment variable: 0 and *v, -ENOENT, -EINVAL. */
static int
env_ull(const char *name, unsigned long long *v)
{
	const char *s = getenv(name);
	char *end;

	if (s == NULL || *s == '\0')
		return -ENOENT;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

int
sdnotify_open(struct event_base *base, sdnotify_status_fn fn, void *arg,
    struct sdnotify **out)
{
	const char *path = getenv("NOTIFY_SOCKET");
	unsigned long long pid, usec = 0, tick_usec;
	struct sdnotify *sn;
	struct timeval tv;
	size_t n;
	int r;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n < 2 ||
	    n >= sizeof(sn->sun.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not a socket path", path);
		return -EINVAL;
	}
	if ((r = env_ull("WATCHDOG_USEC", &usec)) == -EINVAL) {
		log_warnx("WATCHDOG_USEC=%s: not a number",
		    getenv("WATCHDOG_USEC"));
		return r;
	}
	/* The watchdog is someone else's when WATCHDOG_PID names another. */
	if ((r = env_ull("WATCHDOG_PID", &pid)) == 0 &&
	    pid != (unsigned long long)getpid())
		usec = 0;
	if ((sn = calloc(1, sizeof(*sn))) == NULL)
		return -ENOMEM;
	sn->status = fn;
	sn->arg = arg;
	sn->wd_usec = usec;
	sn->sun.sun_family = AF_UNIX;
	memcpy(sn->sun.sun_path, path, n);
	if (path[0] == '@')
		sn->sun.sun_path[0] = '\0';	/* abstract: no NUL at the end */
	sn->sunlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((sn->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0) {
		r = -errno;
		free(sn);
		return r;
	}
	/* Half the watchdog period (systemd's advice); at least every tick. */
	tick_usec = usec > 0 ? usec / 2 : STATUS_TICK_MS * 1000ULL;
	if (tick_usec == 0)
		tick_usec = 1;
	tv.tv_sec = (time_t)(tick_usec / 1000000);
	tv.tv_usec = (suseconds_t)(tick_usec % 1000000);
	if ((sn->tick = event_new(base, -1, EV_PERSIST, on_tick, sn)) == NULL ||
	    event_add(sn->tick, &tv) != 0) {
		sdnotify_free(sn);
		return -ENOMEM;
	}
	if (usec > 0)
		log_info("systemd watchdog: fed every %llu ms from the event "
		    "loop", tick_usec / 1000);
	*out = sn;
	return 0;
}

void
sdnotify_free(struct sdnotify *sn)
{
	if (sn == NULL)
		return;
	if (sn->tick != NULL)
		event_free(sn->tick);
	close(sn->fd);
	free(sn);
}

int
sdnotify_ready(struct sdnotify *sn)
{
	int r;

	if (sn == NULL)
		return 0;
	if ((r = sdnotify_send(sn, "READY=1")) != 0)
		return r;
	send_status(sn);
	return 0;
}

int
sdnotify_stopping(struct sdnotify *sn)
{
	return sdnotify_send(sn, "STOPPING=1");
}

unsigned long long
sdnotify_watchdog_usec(const struct sdnotify *sn)
{
	return sn ? sn->wd_usec : 0;
}
