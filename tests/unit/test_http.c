/* SPDX-License-Identifier: MIT */
/*
 * test_http.c: the transport on a real unix socket, driven in-process: a
 * client writes raw HTTP/1.1 bytes and the event loop is stepped until the
 * reply is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "fixture.h"
#include "http.h"
#include "netdrv.h"

struct tfx {
	struct fixture *fx;
	struct http *h;
	char path[100];
};

static int
setup(void **state)
{
	struct tfx *t = calloc(1, sizeof(*t));
	char err[256];

	t->fx = fx_new();
	assert_non_null(t->fx->ctx.base = event_base_new());
	snprintf(t->path, sizeof(t->path), "%s/net-routed.sock", t->fx->dir);
	assert_int_equal(http_open(&t->fx->ctx, t->path, netdrv_routes,
	    netdrv_nroutes, &t->h, err, sizeof(err)), 0);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tfx *t = *state;

	http_free(t->h);
	event_base_free(t->fx->ctx.base);
	fx_free(t->fx);
	free(t);
	return 0;
}

static int
client(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
send_all(int fd, const char *s, size_t n)
{
	assert_int_equal(write(fd, s, n), (ssize_t)n);
}

/*
 * Step the loop until fd has delivered `want` complete replies (counted by
 * their status lines and bodies) or 2 s pass.  Returns what was read.
 */
static char *
replies(struct tfx *t, int fd, int want)
{
	static char buf[65536];
	size_t len = 0;
	int i, got = 0;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 400 && got < want; i++) {
		struct pollfd p = { fd, POLLIN, 0 };
		event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 5) == 1) {
			ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			/* every reply of ours ends with a JSON object */
			got = 0;
			for (char *q = buf; (q = strstr(q, "HTTP/1.1 ")) != NULL; q++)
				got++;
			if (got == want && buf[len - 1] != '}')
				got--;
		}
	}
	return buf;
}

static void
test_docker_style_request(void **state)
{
	struct tfx *t = *state;
	static const char req[] =
	    "POST /Plugin.Activate HTTP/1.1\r\n"
	    "Host: \r\n"
	    "User-Agent: Go-http-client/1.1\r\n"
	    "Content-Length: 0\r\n"
	    "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
	    "Accept-Encoding: gzip\r\n\r\n";
	int fd = client(t->path);
	char *r;

	send_all(fd, req, sizeof(req) - 1);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "\r\n\r\n{\"Implements\":[\"NetworkDriver\"]}"));
	close(fd);
}

static void
test_keepalive_pipelined(void **state)
{
	struct tfx *t = *state;
	static const char req[] =
	    "POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 0\r\n\r\n"
	    "POST /NetworkDriver.Nope HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 2\r\n\r\n{}"
	    "POST /NetworkDriver.CreateNetwork HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 3\r\n\r\n{x}";
	int fd = client(t->path);
	char *r, *a, *b, *c;

	send_all(fd, req, sizeof(req) - 1);
	r = replies(t, fd, 3);
	assert_non_null(a = strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(a, "{\"Scope\":\"local\""));
	assert_non_null(b = strstr(a + 1, "HTTP/1.1 404"));
	assert_non_null(strstr(b, "{\"Err\":\"unknown method /NetworkDriver.Nope\"}"));
	assert_non_null(c = strstr(b + 1, "HTTP/1.1 500"));
	assert_non_null(strstr(c, "{\"Err\":\"request body is not valid JSON\"}"));
	close(fd);
}

static void
test_concurrent_connections(void **state)
{
	struct tfx *t = *state;
	static const char req[] =
	    "POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 0\r\n\r\n";
	int fds[20], i;

	/* All connect, one sends half a request, the rest are still served. */
	for (i = 0; i < 20; i++)
		fds[i] = client(t->path);
	send_all(fds[0], req, 20);
	for (i = 1; i < 20; i++)
		send_all(fds[i], req, sizeof(req) - 1);
	for (i = 1; i < 20; i++)
		assert_non_null(strstr(replies(t, fds[i], 1), "HTTP/1.1 200"));
	send_all(fds[0], req + 20, sizeof(req) - 1 - 20);
	assert_non_null(strstr(replies(t, fds[0], 1), "HTTP/1.1 200"));
	for (i = 0; i < 20; i++)
		close(fds[i]);
}

static void
test_method_and_size_limits(void **state)
{
	struct tfx *t = *state;
	static const char get[] =
	    "GET /Plugin.Activate HTTP/1.1\r\nHost: \r\n\r\n";
	static const char big[] =
	    "POST /NetworkDriver.Join HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 2000000\r\n\r\n{";
	int fd = client(t->path);
	char *r;

	send_all(fd, get, sizeof(get) - 1);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 405"));
	assert_non_null(strstr(r, "{\"Err\":\"only POST is served\"}"));
	close(fd);
	fd = client(t->path);
	send_all(fd, big, sizeof(big) - 1);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 413"));	/* refused unread */
	close(fd);
}

static void
test_socket_mode_and_live_check(void **state)
{
	struct tfx *t = *state;
	struct http *h2 = NULL;
	struct stat sb;
	char err[256];

	assert_int_equal(stat(t->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0660);
	/* A second server on a live socket is refused... */
	assert_int_equal(http_open(&t->fx->ctx, t->path, netdrv_routes,
	    netdrv_nroutes, &h2, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another live process"));
	/* ...a stale one (nobody listening) is replaced, and shutdown removes it. */
	http_free(t->h);
	t->h = NULL;
	{
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(fd);	/* a crash leaves exactly this */
	}
	assert_int_equal(http_open(&t->fx->ctx, t->path, netdrv_routes,
	    netdrv_nroutes, &t->h, err, sizeof(err)), 0);
	http_shutdown(t->h);
	assert_int_not_equal(stat(t->path, &sb), 0);
}

/*
 * Shutdown (SIGTERM): a request already written on a connection that is
 * still in the listen backlog is answered, not reset; after shutdown
 * nobody can connect.  A reset would make Docker 20.10 resend the call
 * with an empty body.
 */
static void
test_shutdown_serves_the_backlog(void **state)
{
	struct tfx *t = *state;
	static const char req[] =
	    "POST /Plugin.Activate HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 0\r\n\r\n";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, late;
	char *r;

	fd = client(t->path);		/* in the backlog: the loop has not run */
	send_all(fd, req, sizeof(req) - 1);
	http_shutdown(t->h);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
	assert_true((late = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_not_equal(connect(late, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	assert_int_equal(errno, ENOENT);
	close(late);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "{\"Implements\":[\"NetworkDriver\"]}"));
	close(fd);
}

/*
 * 500 connections at once, one of them a client that sends its request a
 * byte at a time: every other connection is answered while the slow one
 * dribbles, and the slow one is answered at the end.
 */
static void
test_many_connections_and_a_slow_client(void **state)
{
	struct tfx *t = *state;
	static const char req[] =
	    "POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
	    "Content-Length: 0\r\n\r\n";
	enum { N = 500 };
	struct rlimit rl;
	int *fds = calloc(N, sizeof(int)), i, slow, served = 0;
	size_t sent = 0;

	assert_non_null(fds);
	/* Client and server ends share this process: 2 fds a connection. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 2 * N + 64) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	assert_true(rl.rlim_cur >= 2 * N + 64);
	for (i = 0; i < N; i++) {
		fds[i] = client(t->path);
		/* let the server accept: connect() blocks on a full backlog */
		if (i % 64 == 63)
			for (int k = 0; k < 8; k++)
				event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
	}
	slow = fds[0];
	for (i = 1; i < N; i++) {
		send_all(fds[i], req, sizeof(req) - 1);
		/* the slow client gets one more byte per answered request */
		if (sent < sizeof(req) - 2)
			send_all(slow, req + sent++, 1);
		if (strstr(replies(t, fds[i], 1), "HTTP/1.1 200") != NULL)
			served++;
		close(fds[i]);
	}
	assert_int_equal(served, N - 1);
	send_all(slow, req + sent, sizeof(req) - 1 - sent);
	assert_non_null(strstr(replies(t, slow, 1), "HTTP/1.1 200"));
	close(slow);
	free(fds);
}

static const char caps[] =
    "POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
    "Content-Length: 0\r\n\r\n";

static void
step(struct tfx *t, int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
	if (ms > 0)
		nanosleep(&ts, NULL);
	event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
}

/* Has the server closed fd?  Reads (and drops) what is pending. */
static bool
closed_by_server(int fd)
{
	char buf[4096];
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	while (poll(&p, 1, 0) == 1) {
		if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) == 0 ||
		    (n < 0 && errno != EAGAIN))
			return true;
		if (n < 0)
			break;
	}
	return false;
}

static bool
wait_closed(struct tfx *t, int fd)
{
	for (int i = 0; i < 200; i++) {
		step(t, 1);
		if (closed_by_server(fd))
			return true;
	}
	return false;
}

/*
 * A client that pipelines requests and never reads the replies: the server
 * stops reading it once its queued replies pass out_max, so the client's
 * writes stall after a bounded amount (socket buffers, not our memory).
 * Then the client reads, and every request it wrote is answered.
 */
static void
test_pipelining_non_reader_bounded(void **state)
{
	struct tfx *t = *state;
	struct http_limits lim = { .out_max = 16384 };
	enum { CHUNK = 64, LIMIT = 32 << 20 };
	char *batch = malloc(CHUNK * sizeof(caps)), buf[65536];
	size_t blen = CHUNK * (sizeof(caps) - 1), sent = 0, off = 0, peak = 0;
	static const char ok[] = "HTTP/1.1 200 OK";
	size_t want, got = 0, matched = 0;
	int fd, idle = 0;

	assert_non_null(batch);
	for (int i = 0; i < CHUNK; i++)
		memcpy(batch + i * (sizeof(caps) - 1), caps, sizeof(caps) - 1);
	http_set_limits(t->h, &lim);
	fd = client(t->path);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	/* Write until the writes stall for 100 steps of the loop. */
	while (sent < LIMIT && idle < 100) {
		ssize_t n = write(fd, batch + off, blen - off);

		if (n > 0) {
			sent += (size_t)n;
			off = (off + (size_t)n) % blen;
			idle = 0;
		} else {
			assert_int_equal(errno, EAGAIN);
			idle++;
		}
		event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
		if (http_buffered(t->h) > peak)
			peak = http_buffered(t->h);
	}
	print_message("non-reading client: wrote %zu bytes before stalling; "
	    "server buffers peaked at %zu bytes\n", sent, peak);
	assert_true(sent < 4 << 20);
	assert_true(peak <= lim.out_max + 16384 + 65536);
	/* Whole requests only, then read every reply. */
	if (off != 0) {
		size_t rest = (sizeof(caps) - 1) - off % (sizeof(caps) - 1);
		if (rest != sizeof(caps) - 1) {
			assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
			send_all(fd, batch, rest);
			sent += rest;
		}
	}
	want = sent / (sizeof(caps) - 1);
	for (int i = 0; i < 20000 && got < want; i++) {
		ssize_t n;

		event_base_loop(t->fx->ctx.base, EVLOOP_NONBLOCK);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		for (ssize_t k = 0; k < n; k++) {
			/* 'H' opens the pattern only: a plain scan will do */
			if (buf[k] == ok[matched])
				matched++;
			else
				matched = buf[k] == 'H';
			if (ok[matched] == '\0') {
				got++;
				matched = 0;
			}
		}
	}
	assert_int_equal(got, want);
	close(fd);
	free(batch);
}

/*
 * Slowloris: a request dribbled a byte every 20 ms never completes within
 * the whole-request deadline (1 s here), and is closed there, although each
 * byte arrives well within it; a normal call meanwhile is served.
 */
static void
test_slowloris_closed_at_deadline(void **state)
{
	struct tfx *t = *state;
	struct http_limits lim = { .deadline_ms = 1000 };
	static const char req[] =
	    "POST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\n"
	    "User-Agent: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	    "Content-Length: 0\r\n\r\n";
	int slow, fd;
	size_t sent = 0;
	bool closed = false;

	http_set_limits(t->h, &lim);
	slow = client(t->path);
	while (sent < sizeof(req) - 1 && !closed) {
		if (send(slow, req + sent, 1, MSG_NOSIGNAL) != 1)
			break;
		sent++;
		step(t, 20);
		closed = closed_by_server(slow);
		if (sent == 10) {	/* meanwhile, a normal call */
			fd = client(t->path);
			send_all(fd, caps, sizeof(caps) - 1);
			assert_non_null(strstr(replies(t, fd, 1), "HTTP/1.1 200"));
			close(fd);
		}
	}
	if (!closed)
		closed = wait_closed(t, slow);
	print_message("slowloris: closed after %zu of %zu bytes\n", sent,
	    sizeof(req) - 1);
	assert_true(closed);
	assert_true(sent > 10);
	assert_true(sent < sizeof(req) - 1);	/* before it was whole */
	close(slow);
}

/*
 * At most max_conns connections.  A new one closes the oldest idle one
 * (nothing of a request pending, here or in the kernel, nothing unsent; a
 * connection that has sent nothing is idle).  With none idle, new
 * connections wait in the listen backlog until the connection busy the
 * longest has been so for the grace, and that one goes.
 */
static void
test_connection_cap_sheds_oldest_idle(void **state)
{
	struct tfx *t = *state;
	struct http_limits lim = { .max_conns = 4, .grace_ms = 300 };
	int a, b, c, d, e, f, g, i;
	char *r;

	http_set_limits(t->h, &lim);
	a = client(t->path);
	send_all(a, caps, 20);			/* busy: half a request */
	b = client(t->path);
	send_all(b, caps, sizeof(caps) - 1);	/* idle after its reply */
	assert_non_null(strstr(replies(t, b, 1), "HTTP/1.1 200"));
	c = client(t->path);
	send_all(c, caps, 30);			/* busy */
	d = client(t->path);			/* idle: sent nothing */
	for (i = 0; i < 10; i++)
		step(t, 1);
	/* e, its request sent at once: b goes, the oldest idle one. */
	e = client(t->path);
	send_all(e, caps, sizeof(caps) - 1);
	assert_true(wait_closed(t, b));
	assert_non_null(strstr(replies(t, e, 1), "HTTP/1.1 200"));
	assert_false(closed_by_server(d));
	/* then d, the next oldest idle one; the busy ones stay */
	f = client(t->path);
	send_all(f, caps, sizeof(caps) - 1);
	assert_true(wait_closed(t, d));
	assert_non_null(strstr(replies(t, f, 1), "HTTP/1.1 200"));
	assert_false(closed_by_server(a));
	assert_false(closed_by_server(c));
	assert_false(closed_by_server(e));
	/* Four busy: e and f leave, two more half requests come. */
	close(e), close(f);
	e = client(t->path);
	send_all(e, caps, 25);
	f = client(t->path);
	send_all(f, caps, 25);
	for (i = 0; i < 10; i++)
		step(t, 1);
	/* g waits in the backlog, unread, until a has had its grace. */
	g = client(t->path);
	send_all(g, caps, sizeof(caps) - 1);
	r = replies(t, g, 1);			/* 2 s; the grace is 0.3 s */
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_true(closed_by_server(a));
	assert_false(closed_by_server(c));
	assert_false(closed_by_server(e));
	assert_false(closed_by_server(f));
	send_all(c, caps + 30, sizeof(caps) - 1 - 30);
	assert_non_null(strstr(replies(t, c, 1), "HTTP/1.1 200"));
	close(a), close(b), close(c), close(d), close(e), close(f), close(g);
}

/*
 * A burst of connections past the cap, each with its request written:
 * every one is answered (they wait in the backlog while the first ones are
 * served, then shed those, now idle), none closed unread.
 */
static void
test_cap_burst_all_answered(void **state)
{
	struct tfx *t = *state;
	struct http_limits lim = { .max_conns = 8 };
	enum { N = 40 };
	int fds[N], i;

	http_set_limits(t->h, &lim);
	for (i = 0; i < N; i++) {
		fds[i] = client(t->path);
		send_all(fds[i], caps, sizeof(caps) - 1);
	}
	for (i = 0; i < N; i++)
		assert_non_null(strstr(replies(t, fds[i], 1), "HTTP/1.1 200"));
	for (i = 0; i < N; i++)
		close(fds[i]);
}

/*
 * Out of descriptors with hostile connections holding them: the accept()
 * that fails with EMFILE closes the oldest connection of the socket, so
 * Docker's next call gets in (before, accepting paused until one left).
 */
static void
test_emfile_sheds_oldest(void **state)
{
	struct tfx *t = *state;
	struct http_limits lim = { .grace_ms = 100 };
	struct rlimit old, rl;
	int hostile[4], fillers[64], nf = 0, fd, i;

	http_set_limits(t->h, &lim);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	for (i = 0; i < 4; i++) {
		hostile[i] = client(t->path);
		send_all(hostile[i], caps, 10);	/* half a request each */
	}
	for (i = 0; i < 10; i++)
		step(t, 1);
	/* Every descriptor taken but one: the client's socket. */
	rl = old;
	rl.rlim_cur = (rlim_t)dup(0) + 40;
	close((int)rl.rlim_cur - 40);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (nf < 64 && (fillers[nf] = dup(0)) >= 0)
		nf++;
	assert_true(nf < 64);
	close(fillers[--nf]);
	fd = client(t->path);		/* in the backlog: accept() has no fd */
	send_all(fd, caps, sizeof(caps) - 1);
	assert_non_null(strstr(replies(t, fd, 1), "HTTP/1.1 200"));
	assert_true(closed_by_server(hostile[0]));
	assert_false(closed_by_server(hostile[1]));
	close(fd);
	while (nf > 0)
		close(fillers[--nf]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (i = 0; i < 4; i++)
		close(hostile[i]);
}

/*
 * A burst of connects while the loop is busy waits in the listen backlog
 * (4096, capped by somaxconn) instead of failing with EAGAIN past 128.
 */
static void
test_listen_backlog(void **state)
{
	struct tfx *t = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	enum { N = 1000 };
	struct rlimit rl;
	int *fds = calloc(N, sizeof(int)), i, ok = 0;
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	unsigned somax = 0;

	assert_non_null(fds);
	if (f != NULL) {
		if (fscanf(f, "%u", &somax) != 1)
			somax = 0;
		fclose(f);
	}
	if (somax < N) {
		print_message("somaxconn is %u: skipped\n", somax);
		free(fds);
		skip();
	}
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < N + 64) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
	for (i = 0; i < N; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fds[i] >= 0);
		if (connect(fds[i], (struct sockaddr *)&sun, sizeof(sun)) == 0)
			ok++;
	}
	assert_int_equal(ok, N);
	for (i = 0; i < N; i++)
		close(fds[i]);
	for (i = 0; i < 50; i++)
		step(t, 0);
	free(fds);
}

/*
 * HTTP/1.0 closes unless asked to keep alive; Expect: 100-continue gets its
 * interim reply before the body is sent.
 */
static void
test_http10_and_expect(void **state)
{
	struct tfx *t = *state;
	static const char r10[] = "POST /Plugin.Activate HTTP/1.0\r\n\r\n";
	static const char r10k[] = "POST /Plugin.Activate HTTP/1.0\r\n"
	    "Connection: Keep-Alive\r\n\r\n";
	static const char head[] = "POST /NetworkDriver.GetCapabilities "
	    "HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
	char *r, buf[256];
	int fd;

	fd = client(t->path);
	send_all(fd, r10, sizeof(r10) - 1);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "Connection: close\r\n"));
	assert_true(wait_closed(t, fd));
	close(fd);
	fd = client(t->path);
	send_all(fd, r10k, sizeof(r10k) - 1);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "Connection: keep-alive\r\n"));
	send_all(fd, r10k, sizeof(r10k) - 1);
	assert_non_null(strstr(replies(t, fd, 1), "HTTP/1.1 200 OK\r\n"));
	close(fd);
	fd = client(t->path);
	send_all(fd, head, sizeof(head) - 1);
	for (int i = 0; i < 10; i++)
		step(t, 1);
	memset(buf, 0, sizeof(buf));
	assert_true(recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0);
	assert_string_equal(buf, "HTTP/1.1 100 Continue\r\n\r\n");
	send_all(fd, "{}", 2);
	assert_non_null(strstr(replies(t, fd, 1), "HTTP/1.1 200 OK\r\n"));
	close(fd);
}

/*
 * Two Content-Length headers (conflicting, or even equal) are how a body
 * is smuggled past a proxy: refused with 400 and the connection closed,
 * and the request is not run.  Chunked bodies and header floods are
 * refused clearly too.
 */
static void
test_framing_refusals(void **state)
{
	struct tfx *t = *state;
	static const char body[] = "{\"NetworkID\":\"n1\",\"IPv4Data\":"
	    "[{\"Pool\":\"10.99.0.0/16\",\"Gateway\":\"169.254.1.1/32\"}]}";
	static const struct {
		const char *headers;
		const char *status;
		const char *err;
	} cases[] = {
		{ "Content-Length: 0\r\nContent-Length: #\r\n", "400",
		    "more than one Content-Length header" },
		{ "Content-Length: #\r\nContent-Length: 0\r\n", "400",
		    "more than one Content-Length header" },
		{ "Content-Length: #\r\ncontent-length: #\r\n", "400",
		    "more than one Content-Length header" },
		{ "Content-Length: #, #\r\n", "400", "bad Content-Length" },
		{ "Content-Length : #\r\n", "400", "malformed header line" },
		{ "Transfer-Encoding: chunked\r\n", "501",
		    "Transfer-Encoding (chunked bodies) is not served" },
	};
	char req[1024], hdr[256], *before, *after, *r, *big;
	size_t i;
	int fd;

	before = fx_state(t->fx);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		/* # is the body's length */
		hdr[0] = '\0';
		for (const char *q = cases[i].headers; *q != '\0'; q++) {
			size_t k = strlen(hdr);
			if (*q == '#')
				snprintf(hdr + k, sizeof(hdr) - k, "%zu",
				    sizeof(body) - 1);
			else
				snprintf(hdr + k, sizeof(hdr) - k, "%c", *q);
		}
		snprintf(req, sizeof(req), "POST /NetworkDriver.CreateNetwork "
		    "HTTP/1.1\r\nHost: \r\n%s\r\n%s", hdr, body);
		fd = client(t->path);
		send_all(fd, req, strlen(req));
		r = replies(t, fd, 1);
		assert_non_null(strstr(r, "HTTP/1.1 "));
		assert_memory_equal(strstr(r, "HTTP/1.1 ") + 9, cases[i].status, 3);
		assert_non_null(strstr(r, cases[i].err));
		assert_null(strstr(r, "HTTP/1.1 200"));
		assert_true(wait_closed(t, fd));
		close(fd);
	}
	after = fx_state(t->fx);
	assert_string_equal(after, before);	/* no network was created */
	free(before);
	free(after);
	/* Headers over 16 KiB: 431, closed. */
	assert_non_null(big = malloc(20000));
	memset(big, 'a', 20000);
	memcpy(big, "POST /Plugin.Activate HTTP/1.1\r\nX: ", 36);
	fd = client(t->path);
	send_all(fd, big, 20000);
	r = replies(t, fd, 1);
	assert_non_null(strstr(r, "HTTP/1.1 431"));
	assert_true(wait_closed(t, fd));
	close(fd);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_style_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_and_size_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_mode_and_live_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_serves_the_backlog,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_connections_and_a_slow_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelining_non_reader_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_slowloris_closed_at_deadline,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_cap_sheds_oldest_idle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_burst_all_answered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_emfile_sheds_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http10_and_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
