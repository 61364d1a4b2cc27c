/* SPDX-License-Identifier: MIT */
/*
 * http.c: the Docker plugin transport: a small HTTP/1.1 server on a unix
 * socket, on the daemon's one event base (an evconnlistener and one
 * bufferevent per connection).  Handlers run to completion inside the read
 * callback; replies are queued and written when the socket is writable.
 *
 * Not evhttp: it reads and queues a connection's pipelined requests on its
 * own, gives no whole-request deadline (its timeout restarts on every byte)
 * and no way to choose which connection to drop.  Here each connection is
 * bounded in memory and in time:
 *  - at most HTTP_MAX_HEADERS of head and API_MAX_BODY of body per request;
 *  - no request is read while the replies already queued on the connection
 *    exceed out_max (a client that pipelines and never reads is stopped by
 *    its own socket buffers, not by our memory);
 *  - a request must arrive whole within the deadline counted from the
 *    connection's start or its previous request, however it trickles in;
 *  - at most max_conns connections per socket: a new one (or an accept()
 *    failing for want of descriptors) closes the oldest idle one (nothing
 *    of a request held, here or in the kernel, nothing unsent).  With none
 *    idle, new connections wait in the listen backlog (4096) until one is,
 *    or until the one busy the longest has been busy for grace_ms (1 s),
 *    and that one goes: a slow or stuck client cannot keep Docker's next
 *    call out for long, and no connection is closed with its request
 *    unread (Docker 20.10 resends such a call with an empty body).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctx.h"
#include "http.h"
#include "log.h"

#define HTTP_MAX_HEADERS	16384	/* request line and headers */
#define HTTP_TIMEOUT_MS		60000	/* a whole request must arrive within */
#define HTTP_MAX_CONNS		512	/* per socket */
#define HTTP_OUT_MAX		65536	/* queued reply bytes before reading stops */
#define HTTP_BACKLOG		4096	/* the kernel caps it at somaxconn */
#define HTTP_PAUSE_MS		500	/* accepting paused after EMFILE */
#define HTTP_GRACE_MS		1000	/* busy this long, a connection may be shed */
#define HTTP_WAIT_MS		50	/* at the cap, look again after */
#define HTTP_PATH_MAX		256	/* longer paths are unknown anyway */

struct conn {
	TAILQ_ENTRY(conn) entry;	/* oldest first */
	struct http *h;
	struct bufferevent *bev;
	struct event *deadline;
	bool closing;			/* close once the output is written */
	struct timeval busy_since;	/* not idle since (zero: idle) */
	/* The request whose head has been read, waiting for its body. */
	bool have_head;
	bool post;
	bool keep;			/* keep-alive after this request */
	bool http10;			/* an HTTP/1.0 request */
	size_t scanned;			/* head bytes searched for its end */
	size_t body_len;
	char path[HTTP_PATH_MAX];
};
TAILQ_HEAD(conn_list, conn);

struct http {
	struct rp_ctx *ctx;
	struct evconnlistener *lev;
	struct event *resume;		/* accepting again after a pause */
	struct conn_list conns;
	unsigned nconns;
	bool shut;			/* http_shutdown() done */
	const struct api_route *routes;
	size_t nroutes;
	struct http_limits lim;
	struct log_rate shed_log;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void
conn_free(struct conn *c)
{
	struct http *h = c->h;

	TAILQ_REMOVE(&h->conns, c, entry);
	h->nconns--;
	event_free(c->deadline);
	bufferevent_free(c->bev);	/* closes the socket */
	free(c);
}

static void
arm_deadline(struct conn *c)
{
	struct timeval tv = { c->h->lim.deadline_ms / 1000,
	    (c->h->lim.deadline_ms % 1000) * 1000 };

	evtimer_add(c->deadline, &tv);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/*
 * Queue a reply.  With close set, nothing more is read and the connection
 * ends once the reply is written (conn_process frees it if nothing is left
 * to write).
 */
static void
reply(struct conn *c, int status, const char *body, bool close)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t n = strlen(body);

	if (evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/vnd.docker.plugins.v1+json\r\n"
	    "Content-Length: %zu\r\n%s\r\n", status, reason(status), n,
	    close ? "Connection: close\r\n" : c->http10 ?
	    "Connection: keep-alive\r\n" : "") < 0 ||
	    evbuffer_add(out, body, n) != 0)
		close = true;	/* out of memory: the client sees the close */
	if (close) {
		c->closing = true;
		bufferevent_disable(c->bev, EV_READ);
	}
}

/* A request that cannot be framed: say why and close (framing is lost). */
static void
refuse(struct conn *c, int status, const char *msg)
{
	char body[256];

	log_debug("http: %s", msg);
	snprintf(body, sizeof(body), "{\"Err\":\"%s\"}", msg);
	reply(c, status, body, true);
}

/* Does header line l (name: value, n bytes) have this name?  Then its value. */
const char *
http_header_value(const char *l, size_t n, const char *name, size_t *vlen)
{
	size_t k = strlen(name);
	const char *v, *end = l + n;

	if (n <= k || strncasecmp(l, name, k) != 0 || l[k] != ':')
		return NULL;
	for (v = l + k + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*vlen = (size_t)(end - v);
	return v;
}

/* Does the comma-separated list v (n bytes) hold token? */
bool
http_has_token(const char *v, size_t n, const char *token)
{
	size_t k = strlen(token), i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && v[j] != ',')
			j++;
		while (i < j && (v[i] == ' ' || v[i] == '\t'))
			i++;
		{
			size_t e = j;
			while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
				e--;
			if (e - i == k && strncasecmp(v + i, token, k) == 0)
				return true;
		}
		i = j + 1;
	}
	return false;
}

int
http_next_header(const char **p, const char *end, const char **line,
    size_t *len)
{
	const char *l = *p, *eol, *c;
	size_t n;

	if (l >= end || (eol = memchr(l, '\n', (size_t)(end - l))) == NULL)
		return 0;
	n = (size_t)(eol - l);
	if (n > 0 && l[n - 1] == '\r')
		n--;
	*p = eol + 1;
	if (n == 0)
		return 0;		/* the empty line */
	c = memchr(l, ':', n);
	if (*l == ' ' || *l == '\t' || c == NULL || c == l || c[-1] == ' ' ||
	    c[-1] == '\t')
		return -1;
	*line = l;
	*len = n;
	return 1;
}

/*
 * Parse the request head p (n bytes, through the empty line) into c.
 * 0, or an HTTP status with *msg saying why.
 */
static int
parse_head(struct conn *c, const char *p, size_t n, bool *expect,
    const char **msg)
{
	const char *end = p + n, *eol, *sp1, *sp2, *v, *l;
	bool http10, have_len = false, conn_close = false, conn_keep = false;
	size_t vlen, plen, ln;
	int hr;

	*expect = false;
	/* Request line: METHOD SP target SP HTTP/1.x */
	eol = memchr(p, '\n', n);
	if ((sp1 = memchr(p, ' ', (size_t)(eol - p))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL) {
		*msg = "malformed request line";
		return 400;
	}
	v = sp2 + 1;
	vlen = (size_t)(eol - v);
	if (vlen > 0 && v[vlen - 1] == '\r')
		vlen--;
	if (vlen == 8 && memcmp(v, "HTTP/1.1", 8) == 0)
		http10 = false;
	else if (vlen == 8 && memcmp(v, "HTTP/1.0", 8) == 0)
		http10 = true;
	else {
		*msg = "only HTTP/1.0 and HTTP/1.1 are served";
		return 505;
	}
	c->post = (size_t)(sp1 - p) == 4 && memcmp(p, "POST", 4) == 0;
	/* The path: the target without its query; an absolute URI's path. */
	v = sp1 + 1;
	plen = (size_t)(sp2 - v);
	if (plen > 7 && strncasecmp(v, "http://", 7) == 0) {
		const char *s = memchr(v + 7, '/', plen - 7);
		plen = s ? plen - (size_t)(s - v) : 0;
		v = s ? s : v;
	}
	for (vlen = 0; vlen < plen && v[vlen] != '?' && v[vlen] != '#'; vlen++)
		;
	if (vlen >= sizeof(c->path))
		vlen = sizeof(c->path) - 1;
	memcpy(c->path, v, vlen);
	c->path[vlen] = '\0';
	c->body_len = 0;

	p = eol + 1;
	while ((hr = http_next_header(&p, end, &l, &ln)) != 0) {
		if (hr < 0) {
			*msg = "malformed header line";
			return 400;
		}
		if ((v = http_header_value(l, ln, "Content-Length", &vlen)) != NULL) {
			unsigned long long cl = 0;
			size_t i;

			/* Two of them is how bodies are smuggled: refuse. */
			if (have_len) {
				*msg = "more than one Content-Length header";
				return 400;
			}
			have_len = true;
			if (vlen == 0 || vlen > 12) {
				*msg = "bad Content-Length";
				return vlen > 12 ? 413 : 400;
			}
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9') {
					*msg = "bad Content-Length";
					return 400;
				}
				cl = cl * 10 + (unsigned)(v[i] - '0');
			}
			if (cl > API_MAX_BODY) {
				*msg = "request body over 1048576 bytes";
				return 413;
			}
			c->body_len = (size_t)cl;
		} else if (http_header_value(l, ln, "Transfer-Encoding", &vlen)) {
			*msg = "Transfer-Encoding (chunked bodies) is not "
			    "served: send a Content-Length";
			return 501;
		} else if ((v = http_header_value(l, ln, "Connection", &vlen))) {
			conn_close |= http_has_token(v, vlen, "close");
			conn_keep |= http_has_token(v, vlen, "keep-alive");
		} else if ((v = http_header_value(l, ln, "Expect", &vlen))) {
			*expect = http_has_token(v, vlen, "100-continue");
		}
	}
	c->keep = http10 ? conn_keep && !conn_close : !conn_close;
	c->http10 = http10;
	*expect = *expect && !http10;
	return 0;
}

/*
 * The end of the head (offset past its empty line) in p[0..n), or 0.  The
 * search resumes near from, where the previous one stopped: a head
 * trickled in a byte at a time costs O(n), not O(n^2).
 */
size_t
http_head_end(const char *p, size_t n, size_t from)
{
	size_t i;

	for (i = from > 2 ? from - 2 : 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static void
serve(struct conn *c, const char *body)
{
	struct http *h = c->h;
	char *out = NULL;
	int status;

	if (!c->post) {
		reply(c, 405, "{\"Err\":\"only POST is served\"}", !c->keep);
		return;
	}
	status = api_dispatch(h->ctx, h->routes, h->nroutes, c->path, body,
	    c->body_len, &out);
	reply(c, status, out ? out : "{\"Err\":\"out of memory\"}", !c->keep);
	free(out);
}

/*
 * Serve every complete request in the input, as long as the replies queued
 * stay under out_max; then wait for more input, or for the output to drain.
 */
static void
conn_serve_all(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);

	while (!c->closing) {
		size_t len = evbuffer_get_length(in);
		const char *p, *msg = NULL;
		bool expect;
		int st;

		if (evbuffer_get_length(out) >= c->h->lim.out_max) {
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		if (!c->have_head) {
			size_t n = len < HTTP_MAX_HEADERS ? len : HTTP_MAX_HEADERS;
			size_t e;

			if (n == 0)
				return;
			/* Blank lines before a request line are ignored. */
			if ((p = (const char *)evbuffer_pullup(in, 1)) != NULL &&
			    (*p == '\r' || *p == '\n')) {
				evbuffer_drain(in, 1);
				continue;
			}
			if ((p = (const char *)evbuffer_pullup(in,
			    (ev_ssize_t)n)) == NULL) {
				refuse(c, 500, "out of memory");
				return;
			}
			if ((e = http_head_end(p, n, c->scanned)) == 0) {
				c->scanned = n;
				if (len >= HTTP_MAX_HEADERS)
					refuse(c, 431, "request headers over "
					    "16384 bytes");
				return;
			}
			if ((st = parse_head(c, p, e, &expect, &msg)) != 0) {
				refuse(c, st, msg);
				return;
			}
			evbuffer_drain(in, e);
			c->scanned = 0;
			c->have_head = true;
			len -= e;
			if (expect && len < c->body_len)
				evbuffer_add_printf(out,
				    "HTTP/1.1 100 Continue\r\n\r\n");
		}
		if (len < c->body_len)
			return;
		p = c->body_len == 0 ? "" :
		    (const char *)evbuffer_pullup(in, (ev_ssize_t)c->body_len);
		if (p == NULL) {
			refuse(c, 500, "out of memory");
			return;
		}
		c->have_head = false;
		arm_deadline(c);	/* the next request's time starts now */
		serve(c, p);
		if (c->closing)
			return;
		evbuffer_drain(in, c->body_len);
	}
}

static void
conn_process(struct conn *c)
{
	size_t out;

	conn_serve_all(c);
	out = evbuffer_get_length(bufferevent_get_output(c->bev));
	if (c->closing && out == 0) {
		conn_free(c);
		return;
	}
	if (!c->have_head && out == 0 &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0)
		timerclear(&c->busy_since);
	else if (!timerisset(&c->busy_since))
		event_base_gettimeofday_cached(c->h->ctx->base, &c->busy_since);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	conn_process(arg);
}

/* The output drained: close, or read again if reading had stopped. */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (c->closing) {
		conn_free(c);
		return;
	}
	if (!(bufferevent_get_enabled(bev) & EV_READ))
		bufferevent_enable(bev, EV_READ);
	conn_process(c);	/* requests already buffered; idle now? */
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	/* EOF with replies still queued: write them, then close. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0) {
		c->closing = true;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	conn_free(c);
}

static void
conn_expired(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	log_debug("http: %s: a request did not arrive within %u ms; closing "
	    "its connection", c->h->path, c->h->lim.deadline_ms);
	conn_free(c);
}

/*
 * Idle: nothing of a request held here or waiting in the kernel, nothing
 * unsent.  A connection whose request is still unread must not be closed:
 * Docker 20.10 resends such a call with an empty body.
 */
static bool
conn_idle(struct conn *c)
{
	int n = 0;

	return !c->closing && !timerisset(&c->busy_since) &&
	    ioctl(bufferevent_getfd(c->bev), FIONREAD, &n) == 0 && n == 0;
}

/* Busy (not idle) for longer than the grace: fair game for shedding. */
static bool
conn_stuck(struct conn *c, const struct timeval *now)
{
	struct timeval d;

	if (!timerisset(&c->busy_since))
		return false;
	timersub(now, &c->busy_since, &d);
	return d.tv_sec * 1000 + d.tv_usec / 1000 >= c->h->lim.grace_ms;
}

/*
 * The connection to close for a new one: the oldest idle one, else the one
 * busy the longest if it has been so for the grace (or whatever its age,
 * with force).  NULL: none may go yet.
 */
static struct conn *
victim(struct http *h, bool force)
{
	struct conn *c, *busy = NULL;
	struct timeval now;

	event_base_gettimeofday_cached(h->ctx->base, &now);
	TAILQ_FOREACH(c, &h->conns, entry) {
		if (conn_idle(c))
			return c;
		if (timerisset(&c->busy_since) && (busy == NULL ||
		    timercmp(&c->busy_since, &busy->busy_since, <)))
			busy = c;
	}
	if (busy == NULL && force)
		busy = TAILQ_FIRST(&h->conns);	/* all closing */
	return busy != NULL && (force || conn_stuck(busy, &now)) ? busy : NULL;
}

static bool
shed(struct http *h, bool force, const char *why)
{
	struct conn *c = victim(h, force);

	if (c == NULL)
		return false;
	if (log_rate_allow(&h->shed_log, "closed connections"))
		log_warnx("%s: %s: closing the oldest %s connection", h->path,
		    why, conn_idle(c) ? "idle" : "busy");
	conn_free(c);
	return true;
}

/* Stop accepting for ms; accept_resume decides whether to go on. */
static void
accept_pause(struct http *h, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evconnlistener_disable(h->lev);
	evtimer_add(h->resume, &tv);
}

/*
 * At the cap with nobody to shed yet (every connection busy, and not for
 * long): new connections wait in the listen backlog, where they are safe,
 * until one finishes or the oldest busy one has had its grace.
 */
static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	if (h->nconns >= h->lim.max_conns && victim(h, false) == NULL)
		accept_pause(h, HTTP_WAIT_MS);
	else
		evconnlistener_enable(h->lev);
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct http *h = arg;
	struct conn *c;

	if (h->nconns >= h->lim.max_conns)
		shed(h, true, "too many connections");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->h = h;
	c->bev = bufferevent_socket_new(h->ctx->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(h->ctx->base, conn_expired, c);
	if (c->bev == NULL || c->deadline == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);	/* closes fd */
		else
			evutil_closesocket(fd);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		return;
	}
	/* Busy until it is read: its request may be on its way. */
	event_base_gettimeofday_cached(h->ctx->base, &c->busy_since);
	TAILQ_INSERT_TAIL(&h->conns, c, entry);
	h->nconns++;
	/* Stop reading at one whole request; conn_process drains it. */
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    HTTP_MAX_HEADERS + API_MAX_BODY + 1);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	arm_deadline(c);
	if (h->nconns >= h->lim.max_conns && victim(h, false) == NULL)
		accept_pause(h, HTTP_WAIT_MS);
	return;
fail:
	evutil_closesocket(fd);
}

/*
 * accept() failed (EMFILE, ENFILE, ENOMEM...): the listening socket stays
 * readable, so stop listening for a moment instead of spinning; the
 * connections already open go on being served.  Out of descriptors with
 * connections of our own open, close one the way the cap does, so that
 * clients holding descriptors cannot lock Docker out.
 */
static void
accept_error(struct evconnlistener *lev, void *arg)
{
	struct http *h = arg;
	int e = EVUTIL_SOCKET_ERROR();

	if ((e == EMFILE || e == ENFILE) && h->nconns > 0) {
		struct pollfd p = { evconnlistener_get_fd(lev), POLLIN, 0 };

		/*
		 * accept() fails so even with nobody waiting (it takes the
		 * descriptor first): close one only for a connection that is
		 * really there, and if none may go yet, wait a little.
		 */
		if (poll(&p, 1, 0) == 1 &&
		    !shed(h, false, "out of file descriptors"))
			accept_pause(h, HTTP_WAIT_MS);
		return;
	}
	log_warnx("cannot accept a connection: %s; pausing for %d ms",
	    evutil_socket_error_to_string(e), HTTP_PAUSE_MS);
	accept_pause(h, HTTP_PAUSE_MS);
}

int
http_socket_live(const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd, r;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode))
		return -ENOTSOCK;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 1 :
	    errno == ECONNREFUSED ? 0 : -errno;
	close(fd);
	return r;
}

int
http_listen(const char *path, int backlog, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	if ((r = http_socket_live(path)) == 1) {
		snprintf(err, errlen, "%s is served by another live process "
		    "(another routed-plugin?)", path);
		return -EADDRINUSE;
	}
	if (r == -ENOTSOCK) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return r;
	}
	if (r == 0 && unlink(path) == 0)
		log_info("removed stale socket %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		goto syserr;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	old = umask(0117);	/* srw-rw---- */
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r != 0)
		goto syserr;
	if (listen(fd, backlog) != 0) {
		r = -errno;
		unlink(path);
		errno = -r;
		goto syserr;
	}
	return fd;
syserr:
	r = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

int
http_open(struct rp_ctx *ctx, const char *path, const struct api_route *routes,
    size_t nroutes, struct http **out, char *err, size_t errlen)
{
	struct http *h;
	int fd;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->ctx = ctx;
	h->routes = routes;
	h->nroutes = nroutes;
	h->lim.max_conns = HTTP_MAX_CONNS;
	h->lim.deadline_ms = HTTP_TIMEOUT_MS;
	h->lim.out_max = HTTP_OUT_MAX;
	h->lim.grace_ms = HTTP_GRACE_MS;
	TAILQ_INIT(&h->conns);
	snprintf(h->path, sizeof(h->path), "%s", path);
	if ((fd = http_listen(path, HTTP_BACKLOG, err, errlen)) < 0) {
		free(h);
		return fd;
	}
	/* backlog 0: listening already (-1 would listen again with 128) */
	if ((h->lev = evconnlistener_new(ctx->base, accept_cb, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL ||
	    (h->resume = evtimer_new(ctx->base, accept_resume, h)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s: out of memory",
		    path);
		if (h->lev != NULL)
			evconnlistener_free(h->lev);	/* closes fd */
		else
			close(fd);
		unlink(path);
		free(h);
		return -ENOMEM;
	}
	evconnlistener_set_error_cb(h->lev, accept_error);
	*out = h;
	return 0;
}

void
http_set_limits(struct http *h, const struct http_limits *lim)
{
	if (lim->max_conns > 0)
		h->lim.max_conns = lim->max_conns;
	if (lim->deadline_ms > 0)
		h->lim.deadline_ms = lim->deadline_ms;
	if (lim->out_max > 0)
		h->lim.out_max = lim->out_max;
	if (lim->grace_ms > 0)
		h->lim.grace_ms = lim->grace_ms;
}

size_t
http_buffered(const struct http *h)
{
	const struct conn *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &h->conns, entry)
		n += evbuffer_get_length(bufferevent_get_input(c->bev)) +
		    evbuffer_get_length(bufferevent_get_output(c->bev));
	return n;
}

void
http_shutdown(struct http *h)
{
	if (h == NULL || h->lev == NULL || h->shut)
		return;
	/*
	 * Remove the socket's name, so that nobody can connect any more: a
	 * client's connect() fails and Docker retries the call, body intact.
	 * But go on accepting until http_free(): a connection already in the
	 * listen backlog carries a request Docker has written, and a reset
	 * would make Docker 20.10 resend it with an empty body (its retry
	 * reuses the drained request).  The caller runs the loop a little
	 * while to serve them.
	 */
	h->shut = true;
	if (unlink(h->path) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", h->path);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	http_shutdown(h);
	while (!TAILQ_EMPTY(&h->conns))
		conn_free(TAILQ_FIRST(&h->conns));
	if (h->lev != NULL)
		evconnlistener_free(h->lev);	/* closes the fd */
	event_free(h->resume);
	free(h);
}
