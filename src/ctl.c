/* SPDX-License-Identifier: MIT */
/*
 * ctl.c: the control socket server (ctl.h).  One evconnlistener and one
 * bufferevent per client on the daemon's event base; a request is served
 * to completion in the read callback and its reply queued.
 *
 * Docker's calls come in on other sockets of the same loop, so what keeps
 * them quick is that nothing here waits or grows without bound:
 *  - a request line is at most CTL_REQUEST_MAX bytes; a longer one gets an
 *    error and the connection is closed;
 *  - no further request of a client is read while its queued replies
 *    exceed CTL_OUT_MAX: a client that sends and never reads holds one
 *    reply, no more;
 *  - a client silent (or not reading) for CTL_TIMEOUT_S is closed;
 *  - at most CTL_MAX_CONNS clients: the next one is closed at once;
 *    accept() failing (EMFILE) pauses accepting for a moment;
 *  - clients' events have the base's lowest priority: libevent runs them
 *    only when nothing of a higher priority (Docker's sockets) is ready.
 */
#define _GNU_SOURCE	/* struct ucred */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl.h"
#include "ctlproto.h"
#include "http.h"
#include "log.h"

#define CTL_MAX_CONNS	256
#define CTL_OUT_MAX	(256u << 10)	/* queued reply bytes: stop reading */
#define CTL_TIMEOUT_S	30
#define CTL_BACKLOG	256
#define CTL_PAUSE_MS	500

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn) entry;
	struct ctl *ctl;
	struct bufferevent *bev;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool closing;		/* close once the output is written */
};
TAILQ_HEAD(ctl_conns, ctl_conn);

struct ctl {
	struct event_base *base;
	struct evconnlistener *lev;
	struct event *resume;
	struct ctl_conns conns;
	unsigned nconns;
	unsigned long requests;
	const struct ctl_cmd *cmds;
	size_t ncmds;
	void *arg;
	struct log_rate refuse_log;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

int
ctl_fail(struct ctl_call *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
}

static void
conn_free(struct ctl_conn *c)
{
	TAILQ_REMOVE(&c->ctl->conns, c, entry);
	c->ctl->nconns--;
	bufferevent_free(c->bev);	/* closes the socket */
	free(c);
}

/* The commands and what they do, for "help". */
static int
help(const struct ctl *ctl, struct ctl_call *call)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; a != NULL && i < ctl->ncmds; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(a, o) ||
		    cJSON_AddStringToObject(o, "command", ctl->cmds[i].name) ==
		    NULL || cJSON_AddStringToObject(o, "help",
		    ctl->cmds[i].help ? ctl->cmds[i].help : "") == NULL ||
		    cJSON_AddBoolToObject(o, "root_only",
		    ctl->cmds[i].privileged) == NULL) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	if (a == NULL)
		return ctl_fail(call, -ENOMEM, "out of memory");
	call->result = a;
	return 0;
}

/* Run one request line; the reply line (malloc'd), NULL on ENOMEM. */
static char *
serve(struct ctl_conn *c, const char *p, size_t n)
{
	struct ctl *ctl = c->ctl;
	struct ctl_request rq;
	struct ctl_call call;
	const struct ctl_cmd *cmd = NULL;
	size_t i;
	int r;

	memset(&call, 0, sizeof(call));
	call.pid = c->pid;
	call.uid = c->uid;
	call.gid = c->gid;
	ctl->requests++;
	if (ctlproto_request_decode(p, n, &rq, call.err, sizeof(call.err)) != 0)
		return ctlproto_error_encode(call.err);
	if (strcmp(rq.command, "help") == 0)
		r = help(ctl, &call);
	else {
		for (i = 0; i < ctl->ncmds && cmd == NULL; i++)
			if (strcmp(ctl->cmds[i].name, rq.command) == 0)
				cmd = &ctl->cmds[i];
		if (cmd == NULL)
			r = ctl_fail(&call, -ENOENT, "unknown command \"%s\" "
			    "(try \"help\")", rq.command);
		else if (cmd->privileged && c->uid != 0)
			r = ctl_fail(&call, -EPERM, "%s: only root may do this "
			    "(you are uid %u)", cmd->name, (unsigned)c->uid);
		else
			r = cmd->fn(ctl->arg, &call);
	}
	if (cmd != NULL && cmd->privileged)
		log_info("control: %s by uid %u pid %ld: %s", cmd->name,
		    (unsigned)c->uid, (long)c->pid, r == 0 ? "done" :
		    call.err);
	if (r != 0) {
		cJSON_Delete(call.result);
		return ctlproto_error_encode(call.err[0] ? call.err :
		    strerror(-r));
	}
	if (call.result == NULL)
		call.result = cJSON_CreateObject();
	return ctlproto_reply_encode(call.result);
}

/* Queue line (consumed); on ENOMEM say nothing more and close. */
static void
queue(struct ctl_conn *c, char *line)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (line == NULL || evbuffer_add(out, line, strlen(line)) != 0)
		c->closing = true;
	free(line);
}

static void
conn_serve_all(struct ctl_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_ptr eol;
	const char *p;
	size_t n;

	while (!c->closing) {
		if (evbuffer_get_length(out) >= CTL_OUT_MAX) {
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		eol = evbuffer_search(in, "\n", 1, NULL);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) >= CTL_REQUEST_MAX) {
				queue(c, ctlproto_error_encode("request line "
				    "too long"));
				c->closing = true;
			}
			return;
		}
		n = (size_t)eol.pos + 1;
		if (n > CTL_REQUEST_MAX) {
			queue(c, ctlproto_error_encode("request line too long"));
			c->closing = true;
			return;
		}
		if ((p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n)) ==
		    NULL) {
			c->closing = true;
			return;
		}
		queue(c, serve(c, p, n));
		evbuffer_drain(in, n);
	}
}

static void
conn_process(struct ctl_conn *c)
{
	conn_serve_all(c);
	if (c->closing) {
		bufferevent_disable(c->bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			conn_free(c);
	}
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	conn_process(arg);
}

static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (c->closing) {
		conn_free(c);
		return;
	}
	if (!(bufferevent_get_enabled(bev) & EV_READ)) {
		bufferevent_enable(bev, EV_READ);
		conn_process(c);	/* requests already buffered */
	}
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	/* EOF after the last request: write the replies, then close. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0) {
		c->closing = true;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	conn_free(c);
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *ctl = arg;

	evconnlistener_enable(ctl->lev);
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	const struct timeval tmo = { CTL_TIMEOUT_S, 0 };
	struct ctl *ctl = arg;
	struct ctl_conn *c;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
	    ctl->nconns >= CTL_MAX_CONNS || (c = calloc(1, sizeof(*c))) ==
	    NULL) {
		if (log_rate_allow(&ctl->refuse_log, "refused control clients"))
			log_warnx("%s: refusing a client (%u connected)",
			    ctl->path, ctl->nconns);
		evutil_closesocket(fd);
		return;
	}
	c->ctl = ctl;
	c->pid = cr.pid;
	c->uid = cr.uid;
	c->gid = cr.gid;
	if ((c->bev = bufferevent_socket_new(ctl->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	/*
	 * The lowest priority the base has: while a Docker call (or anything
	 * else) is ready, control requests wait.
	 */
	if (event_base_get_npriorities(ctl->base) > 1)
		bufferevent_priority_set(c->bev,
		    event_base_get_npriorities(ctl->base) - 1);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_REQUEST_MAX + 1);
	bufferevent_set_timeouts(c->bev, &tmo, &tmo);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
accept_error(struct evconnlistener *lev, void *arg)
{
	const struct timeval tv = { 0, CTL_PAUSE_MS * 1000 };
	struct ctl *ctl = arg;

	if (log_rate_allow(&ctl->refuse_log, "refused control clients"))
		log_warnx("%s: cannot accept a client: %s; pausing", ctl->path,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	evconnlistener_disable(lev);
	evtimer_add(ctl->resume, &tv);
}

int
ctl_open(struct event_base *base, const char *path, gid_t gid,
    const struct ctl_cmd *cmds, size_t ncmds, void *arg, struct ctl **out,
    char *err, size_t errlen)
{
	struct ctl *ctl;
	int fd, r;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctl->base = base;
	ctl->cmds = cmds;
	ctl->ncmds = ncmds;
	ctl->arg = arg;
	TAILQ_INIT(&ctl->conns);
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	if ((fd = http_listen(path, CTL_BACKLOG, err, errlen)) < 0) {
		free(ctl);
		return fd;
	}
	if (gid != 0 && chown(path, (uid_t)-1, gid) != 0) {
		r = -errno;
		snprintf(err, errlen, "cannot give %s to group %u: %s", path,
		    (unsigned)gid, strerror(errno));
		goto fail;
	}
	r = -ENOMEM;
	snprintf(err, errlen, "cannot listen on %s: out of memory", path);
	if ((ctl->lev = evconnlistener_new(base, accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL)
		goto fail;
	fd = -1;	/* the listener owns it */
	if ((ctl->resume = evtimer_new(base, accept_resume, ctl)) == NULL)
		goto fail;
	evconnlistener_set_error_cb(ctl->lev, accept_error);
	*out = ctl;
	return 0;
fail:
	if (ctl->lev != NULL)
		evconnlistener_free(ctl->lev);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(ctl);
	return r;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	if (unlink(ctl->path) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", ctl->path);
	while (!TAILQ_EMPTY(&ctl->conns))
		conn_free(TAILQ_FIRST(&ctl->conns));
	evconnlistener_free(ctl->lev);
	event_free(ctl->resume);
	free(ctl);
}

unsigned
ctl_clients(const struct ctl *ctl)
{
	return ctl ? ctl->nconns : 0;
}

unsigned long
ctl_requests(const struct ctl *ctl)
{
	return ctl ? ctl->requests : 0;
}
