/*
 * http.c: the Docker plugin transport: HTTP/1.1 over a unix socket, served
 * by evhttp on the daemon's one event base.  Handlers run to completion
 * inside the callback; evhttp writes the reply when the socket is writable.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "ctx.h"
#include "http.h"
#include "log.h"

#define HTTP_MAX_HEADERS	16384
#define HTTP_TIMEOUT		60	/* seconds a request may take to arrive */
#define HTTP_PAUSE_MS		500	/* accepting paused after EMFILE */

struct http {
	struct rp_ctx *ctx;
	struct evhttp *eh;
	struct evhttp_bound_socket *bound;
	bool shut;			/* http_shutdown() done */
	const struct api_route *routes;
	size_t nroutes;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void
reply(struct evhttp_request *req, int status, const char *text)
{
	struct evbuffer *out = evbuffer_new();
	const char *reason = status == 200 ? "OK" : status == 404 ?
	    "Not Found" : status == 405 ? "Method Not Allowed" :
	    "Internal Server Error";

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/vnd.docker.plugins.v1+json");
	if (out != NULL)
		evbuffer_add(out, text, strlen(text));
	evhttp_send_reply(req, status, reason, out);
	if (out != NULL)
		evbuffer_free(out);
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body;
	char *out = NULL;
	int status;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply(req, 405, "{\"Err\":\"only POST is served\"}");
		return;
	}
	if (path == NULL)
		path = "";
	if ((body = (const char *)evbuffer_pullup(in, -1)) == NULL)
		body = "";
	status = api_dispatch(h->ctx, h->routes, h->nroutes, path, body, len,
	    &out);
	reply(req, status, out ? out : "{\"Err\":\"out of memory\"}");
	free(out);
}

/*
 * accept() failed (EMFILE, ENFILE, ENOMEM...): the listening socket stays
 * readable, so stop listening for a moment instead of spinning; the
 * connections already open go on being served.
 */
static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	evconnlistener_enable(arg);
}

static void
accept_error(struct evconnlistener *lev, void *arg)
{
	struct timeval tv = { 0, HTTP_PAUSE_MS * 1000 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warnx("cannot accept a connection: %s; pausing for %d ms",
	    evutil_socket_error_to_string(e), HTTP_PAUSE_MS);
	evconnlistener_disable(lev);
	event_base_once(evconnlistener_get_base(lev), -1, EV_TIMEOUT,
	    accept_resume, lev, &tv);
}

/* Is somebody accepting on path?  1 yes, 0 no (stale or absent), -errno. */
static int
socket_live(const char *path)
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
http_open(struct rp_ctx *ctx, const char *path, const struct api_route *routes,
    size_t nroutes, struct http **out, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct http *h;
	mode_t old;
	int fd = -1, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	if ((r = socket_live(path)) == 1) {
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
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -ENOMEM;
	h->ctx = ctx;
	h->routes = routes;
	h->nroutes = nroutes;
	snprintf(h->path, sizeof(h->path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		goto syserr;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	old = umask(0117);	/* srw-rw---- */
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r != 0 || listen(fd, 128) != 0)
		goto syserr;
	if ((h->eh = evhttp_new(ctx->base)) == NULL)
		goto nomem;
	evhttp_set_max_body_size(h->eh, API_MAX_BODY);
	evhttp_set_max_headers_size(h->eh, HTTP_MAX_HEADERS);
	evhttp_set_timeout(h->eh, HTTP_TIMEOUT);
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_POST | EVHTTP_REQ_GET |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(h->eh, http_cb, h);
	if ((h->bound = evhttp_accept_socket_with_handle(h->eh, fd)) == NULL)
		goto nomem;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(h->bound),
	    accept_error);
	*out = h;
	return 0;
nomem:
	errno = ENOMEM;
syserr:
	r = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
	if (h->eh != NULL)
		evhttp_free(h->eh);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(h);
	return r;
}

void
http_shutdown(struct http *h)
{
	if (h == NULL || h->bound == NULL || h->shut)
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
	if (h->bound != NULL)
		evhttp_del_accept_socket(h->eh, h->bound);	/* closes the fd */
	evhttp_free(h->eh);
	free(h);
}
