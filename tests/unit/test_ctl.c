/* SPDX-License-Identifier: MIT */
/*
 * test_ctl.c: the control socket: its wire format (ctlproto), the server
 * on a real unix socket (ctl), who may connect and who may act (peer
 * credentials, checked with clients forked under another uid), and the
 * plugin's commands (console) over a fixture daemon.
 */
#define _GNU_SOURCE	/* setresuid */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "announce.h"
#include "console.h"
#include "ctl.h"
#include "ctlproto.h"
#include "fixture.h"
#include "metrics.h"
#include "plumb.h"
#include "scrape.h"
#include "model.h"

#define TEST_GID	4242	/* the socket's group; no name needed */
#define TEST_UID	4343	/* a user that is not root */

/* ---- the wire format ---- */

static void
test_request_decode(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *command;
	} t[] = {
		{ "{\"version\":1,\"command\":\"status\"}\n", 0, "status" },
		{ "{\"command\":\"withdraw-all\",\"version\":1}", 0,
		    "withdraw-all" },
		{ "  {\"version\":1,\"command\":\"a\",\"later\":[1,2]}\r\n", 0,
		    "a" },
		{ "{\"version\":2,\"command\":\"status\"}", -EPROTONOSUPPORT, 0 },
		{ "{\"version\":\"1\",\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"version\":1.5,\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"version\":0,\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"version\":-1,\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"version\":1e300,\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"command\":\"status\"}", -EBADMSG, 0 },
		{ "{\"version\":1}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":7}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"\"}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"Status\"}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"a b\"}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"../x\"}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":"
		    "\"abcdefghijabcdefghijabcdefghijab\"}", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"status\"} {}", -EBADMSG, 0 },
		{ "[1]", -EBADMSG, 0 },
		{ "", -EBADMSG, 0 },
		{ "{\"version\":1,\"command\":\"sta", -EBADMSG, 0 },
	};
	struct ctl_request rq;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ctlproto_request_decode(t[i].in,
		    strlen(t[i].in), &rq, err, sizeof(err)), t[i].ret);
		if (t[i].ret == 0)
			assert_string_equal(rq.command, t[i].command);
		else
			assert_true(err[0] != '\0');
	}
	/* A NUL inside, and a request over the limit. */
	assert_int_equal(ctlproto_request_decode("{\"version\":1,\0}", 15, &rq,
	    err, sizeof(err)), -EBADMSG);
	{
		char *big = malloc(CTL_REQUEST_MAX + 2);

		memset(big, ' ', CTL_REQUEST_MAX + 1);
		memcpy(big, "{\"version\":1,\"command\":\"x\"}", 27);
		big[CTL_REQUEST_MAX + 1] = '\0';
		assert_int_equal(ctlproto_request_decode(big, CTL_REQUEST_MAX,
		    &rq, err, sizeof(err)), 0);
		assert_int_equal(ctlproto_request_decode(big,
		    CTL_REQUEST_MAX + 1, &rq, err, sizeof(err)), -EBADMSG);
		free(big);
	}
}

static void
test_encode_roundtrip(void **state)
{
	struct ctl_request rq;
	cJSON *res, *o;
	char err[128], *l;

	assert_non_null(l = ctlproto_request_encode("routes"));
	assert_string_equal(l, "{\"version\":1,\"command\":\"routes\"}\n");
	assert_int_equal(ctlproto_request_decode(l, strlen(l), &rq, err,
	    sizeof(err)), 0);
	assert_string_equal(rq.command, "routes");
	free(l);
	errno = 0;
	assert_null(ctlproto_request_encode("no such"));
	assert_int_equal(errno, EINVAL);

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", 3);
	assert_non_null(l = ctlproto_reply_encode(o));
	assert_non_null(strchr(l, '\n'));
	assert_int_equal(strchr(l, '\n')[1], '\0');
	assert_int_equal(ctlproto_reply_decode(l, strlen(l), &res, err,
	    sizeof(err)), 0);
	assert_int_equal(cJSON_GetObjectItem(res, "n")->valueint, 3);
	cJSON_Delete(res);
	free(l);

	assert_non_null(l = ctlproto_error_encode("no \"such\"\nthing"));
	assert_int_equal(strchr(l, '\n')[1], '\0');	/* one line */
	assert_int_equal(ctlproto_reply_decode(l, strlen(l), &res, err,
	    sizeof(err)), -EREMOTEIO);
	assert_null(res);
	assert_string_equal(err, "no \"such\"\nthing");
	free(l);

	assert_int_equal(ctlproto_reply_decode("{\"version\":1,\"ok\":true}",
	    23, &res, err, sizeof(err)), -EBADMSG);
	assert_int_equal(ctlproto_reply_decode("{\"version\":3,\"ok\":true,"
	    "\"result\":1}", 34, &res, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_int_equal(ctlproto_reply_decode("{\"version\":1,\"ok\":false}",
	    24, &res, err, sizeof(err)), -EBADMSG);
}

/* ---- the server ---- */

struct srv {
	struct event_base *base;
	struct ctl *ctl;
	char dir[64];
	char path[128];
	int queries, actions;
};

static int
q_fn(void *arg, struct ctl_call *c)
{
	struct srv *s = arg;

	s->queries++;
	c->result = cJSON_CreateNumber(c->uid);
	return 0;
}

static int
a_fn(void *arg, struct ctl_call *c)
{
	struct srv *s = arg;

	s->actions++;
	return 0;
}

static int
fail_fn(void *arg, struct ctl_call *c)
{
	return ctl_fail(c, -EIO, "it broke: %d", 42);
}

static const struct ctl_cmd cmds[] = {
	{ "query", q_fn, false, "a query" },
	{ "act", a_fn, true, "an action" },
	{ "fail", fail_fn, false, "fails" },
};

static int
srv_setup(void **state)
{
	struct srv *s = calloc(1, sizeof(*s));
	char err[256];

	snprintf(s->dir, sizeof(s->dir), "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	assert_int_equal(chmod(s->dir, 0755), 0);	/* others may look */
	snprintf(s->path, sizeof(s->path), "%s/ctl.sock", s->dir);
	assert_non_null(s->base = event_base_new());
	assert_int_equal(ctl_open(s->base, s->path, TEST_GID, cmds, 3, s,
	    &s->ctl, err, sizeof(err)), 0);
	*state = s;
	return 0;
}

static int
srv_teardown(void **state)
{
	struct srv *s = *state;

	ctl_free(s->ctl);
	event_base_free(s->base);
	rmdir(s->dir);
	free(s);
	return 0;
}

/* Run the loop until fd has a whole line (or EOF); it goes into buf. */
static size_t
read_line(struct event_base *base, int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;	/* closed (a reset: it left input unread) */
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if (memchr(buf, '\n', len) != NULL &&
			    buf[len - 1] == '\n')
				break;
		} else
			assert_true(errno == EAGAIN);
		if (len >= cap - 1)
			break;
	}
	buf[len] = '\0';
	return len;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), r;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (r != 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Ask command over fd, in-process; the reply's decode status. */
static int
ask(struct srv *s, int fd, const char *command, cJSON **res, char *err,
    size_t errlen)
{
	static char buf[1 << 16];
	char *l = ctlproto_request_encode(command);
	size_t n;

	assert_non_null(l);
	assert_int_equal(send(fd, l, strlen(l), 0), (ssize_t)strlen(l));
	free(l);
	n = read_line(s->base, fd, buf, sizeof(buf));
	assert_true(n > 0);
	return ctlproto_reply_decode(buf, n, res, err, errlen);
}

static void
test_socket_mode(void **state)
{
	struct srv *s = *state;
	struct stat sb;

	assert_int_equal(stat(s->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0660);
	assert_int_equal(sb.st_gid, TEST_GID);
}

static void
test_root_queries_and_acts(void **state)
{
	struct srv *s = *state;
	char err[256];
	cJSON *res;
	int fd = connect_to(s->path);

	assert_true(fd >= 0);
	assert_int_equal(ask(s, fd, "query", &res, err, sizeof(err)), 0);
	assert_int_equal(res->valueint, 0);	/* the server saw uid 0 */
	cJSON_Delete(res);
	assert_int_equal(ask(s, fd, "act", &res, err, sizeof(err)), 0);
	cJSON_Delete(res);
	assert_int_equal(s->actions, 1);
	assert_int_equal(ask(s, fd, "fail", &res, err, sizeof(err)),
	    -EREMOTEIO);
	assert_string_equal(err, "it broke: 42");
	assert_int_equal(ask(s, fd, "nope", &res, err, sizeof(err)),
	    -EREMOTEIO);
	assert_non_null(strstr(err, "unknown command"));
	assert_int_equal(ask(s, fd, "help", &res, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(res), 3);
	cJSON_Delete(res);
	assert_int_equal(ctl_clients(s->ctl), 1);
	close(fd);
	event_base_loop(s->base, EVLOOP_NONBLOCK);
	assert_int_equal(ctl_clients(s->ctl), 0);
}

/*
 * In a child running as TEST_UID (with the socket's group or not): ask
 * "query" and "act" and exit with a code telling what happened:
 * bit 0 could not connect (EACCES), bit 1 query answered, bit 2 act
 * refused for want of root.
 */
static int
as_user(struct srv *s, bool in_group)
{
	gid_t g = in_group ? TEST_GID : TEST_UID;
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct ctl_request rq;
		char buf[4096], err[256];
		cJSON *res;
		int fd, code = 0;
		size_t len;
		ssize_t n;
		const char *q[] = { "query", "act" };
		size_t i;

		(void)rq;
		if (setgroups(1, &g) != 0 || setresgid(g, g, g) != 0 ||
		    setresuid(TEST_UID, TEST_UID, TEST_UID) != 0)
			_exit(100);
		if ((fd = connect_to(s->path)) < 0)
			_exit(fd == -EACCES ? 1 : 101);
		for (i = 0; i < 2; i++) {
			char *l = ctlproto_request_encode(q[i]);

			if (write(fd, l, strlen(l)) != (ssize_t)strlen(l))
				_exit(102);
			free(l);
			len = 0;
			while ((n = read(fd, buf + len, sizeof(buf) - 1 -
			    len)) > 0) {
				len += (size_t)n;
				if (buf[len - 1] == '\n')
					break;
			}
			int r = ctlproto_reply_decode(buf, len, &res, err,
			    sizeof(err));
			if (i == 0 && r == 0 && res->valueint == TEST_UID)
				code |= 2;
			if (i == 1 && r == -EREMOTEIO &&
			    strstr(err, "only root") != NULL)
				code |= 4;
			if (r == 0)
				cJSON_Delete(res);
		}
		_exit(code);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		struct timeval tv = { 0, 1000 };

		event_base_loopexit(s->base, &tv);
		event_base_dispatch(s->base);
	}
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
test_group_member_queries_not_acts(void **state)
{
	struct srv *s = *state;

	if (geteuid() != 0)
		skip();
	assert_int_equal(as_user(s, true), 2 | 4);
	assert_int_equal(s->queries, 1);
	assert_int_equal(s->actions, 0);
}

static void
test_others_cannot_connect(void **state)
{
	struct srv *s = *state;

	if (geteuid() != 0)
		skip();
	assert_int_equal(as_user(s, false), 1);
	assert_int_equal(s->queries, 0);
}

static void
test_pipelined_and_too_long(void **state)
{
	struct srv *s = *state;
	char buf[8192], *big;
	int fd = connect_to(s->path);
	const char *two = "{\"version\":1,\"command\":\"query\"}\n"
	    "{\"version\":1,\"command\":\"query\"}\n";
	size_t len = 0;

	assert_int_equal(send(fd, two, strlen(two), 0), (ssize_t)strlen(two));
	while (s->queries < 2 || len == 0 || buf[len - 1] != '\n' ||
	    strchr(buf, '\n') == buf + len - 1)
		len += read_line(s->base, fd, buf + len, sizeof(buf) - len);
	assert_string_equal(buf, "{\"version\":1,\"ok\":true,\"result\":0}\n"
	    "{\"version\":1,\"ok\":true,\"result\":0}\n");
	/* A line longer than the limit: an error, then the close. */
	big = malloc(CTL_REQUEST_MAX + 100);
	memset(big, 'x', CTL_REQUEST_MAX + 100);
	assert_int_equal(send(fd, big, CTL_REQUEST_MAX + 1, 0),
	    CTL_REQUEST_MAX + 1);
	len = read_line(s->base, fd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "too long"));
	assert_int_equal(read_line(s->base, fd, buf, sizeof(buf)), 0);	/* EOF */
	assert_int_equal(ctl_clients(s->ctl), 0);
	close(fd);
	/* Far longer: closed all the same (reset: the rest is unread). */
	fd = connect_to(s->path);
	assert_int_equal(send(fd, big, CTL_REQUEST_MAX + 100, 0),
	    CTL_REQUEST_MAX + 100);
	free(big);
	while (read_line(s->base, fd, buf, sizeof(buf)) > 0)
		;
	assert_int_equal(ctl_clients(s->ctl), 0);
	close(fd);
	/* Garbage gets an error and the connection stays. */
	fd = connect_to(s->path);
	assert_int_equal(send(fd, "hello\n", 6, 0), 6);
	read_line(s->base, fd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"ok\":false"));
	assert_int_equal(ctl_clients(s->ctl), 1);
	close(fd);
}

static void
test_live_socket_is_kept(void **state)
{
	struct srv *s = *state;
	struct ctl *other;
	char err[256];

	assert_int_equal(ctl_open(s->base, s->path, 0, cmds, 3, s, &other,
	    err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another live process"));
}

/* ---- the plugin's commands ---- */

#define NID "4330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa01"
#define EID "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"
#define NID2 "5330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa02"
#define EID2 "c11d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb03"

/*
 * Run check: the number of differences; with object, the one difference
 * must be about it.
 */
static int
check(struct srv *s, int fd, const char *object)
{
	cJSON *res, *d;
	char err[256];
	int n;

	assert_int_equal(ask(s, fd, "check", &res, err, sizeof(err)), 0);
	d = cJSON_GetObjectItem(res, "differences");
	n = cJSON_GetArraySize(d);
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(res, "agree")),
	    n == 0);
	if (object != NULL) {
		if (n != 1) {
			char *t = cJSON_Print(d);

			print_message("differences: %s\n", t);
			free(t);
		}
		assert_int_equal(n, 1);
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(d,
		    0), "object")->valuestring, object);
	}
	cJSON_Delete(res);
	return n;
}

/* The ipvlan network NID2 on parent fab0, 10.98.0.0/16. */
static void
ipvlan_net(struct fixture *fx)
{
	stub_add_link("fab0");
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID2 "\",\"Options\":{\"com.docker.network."
	    "generic\":{\"routed.link\":\"ipvlan\",\"routed.parent\":"
	    "\"fab0\"}},\"IPv4Data\":[{\"Pool\":\"10.98.0.0/16\"}]}"), 200);
}

/* routedctl repair, and then check agrees. */
static void
repair_agrees(struct srv *s, int fd)
{
	char err[256];
	cJSON *res;

	assert_int_equal(ask(s, fd, "repair", &res, err, sizeof(err)), 0);
	cJSON_Delete(res);
	assert_int_equal(check(s, fd, NULL), 0);
}

/* A fixture daemon with its control socket, and a client on it. */
static struct fixture *
console_up(struct srv *s, int *fd)
{
	struct fixture *fx = fx_new();
	char err[256];

	memset(s, 0, sizeof(*s));
	assert_non_null(s->base = fx->ctx.base = event_base_new());
	assert_non_null(fx->ctx.metrics = metrics_new());
	snprintf(fx->ctx.cfg.run_dir, sizeof(fx->ctx.cfg.run_dir), "%s",
	    fx->dir);
	assert_int_equal(console_open(&fx->ctx, err, sizeof(err)), 0);
	snprintf(s->path, sizeof(s->path), "%s/%s", fx->dir, CTL_SOCKET);
	assert_true((*fd = connect_to(s->path)) >= 0);
	return fx;
}

static void
console_down(struct fixture *fx, struct srv *s, int fd)
{
	close(fd);
	console_close(&fx->ctx);
	assert_int_equal(access(s->path, F_OK), -1);
	event_base_free(fx->ctx.base);
	fx->ctx.base = NULL;
	metrics_free(fx->ctx.metrics);
	fx->ctx.metrics = NULL;
	fx_free(fx);
}

static void
test_console(void **state)
{
	struct srv s;
	int fd;
	struct fixture *fx = console_up(&s, &fd);
	struct stub_link *l;
	char err[256];
	cJSON *res, *e;

	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"Options\":{},\"IPv4Data\":[{"
	    "\"Pool\":\"10.99.0.0/16\"}],\"IPv6Data\":[]}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\","
	    "\"Interface\":{\"Address\":\"10.99.0.11/32\"}}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\","
	    "\"SandboxKey\":\"/var/run/docker/netns/x\"}"), 200);

	assert_int_equal(ask(&s, fd, "endpoints", &res, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(res), 1);
	e = cJSON_GetArrayItem(res, 0);
	assert_string_equal(cJSON_GetObjectItem(e, "id")->valuestring, EID);
	assert_string_equal(cJSON_GetObjectItem(e, "state")->valuestring,
	    "joined");
	assert_string_equal(cJSON_GetObjectItem(e,
	    "host_interface")->valuestring, "rtb60d823d5fe2");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(e,
	    "addresses"), 0)->valuestring, "10.99.0.11");
	cJSON_Delete(res);

	assert_int_equal(ask(&s, fd, "networks", &res, err, sizeof(err)), 0);
	e = cJSON_GetArrayItem(res, 0);
	assert_string_equal(cJSON_GetObjectItem(e, "subnet4")->valuestring,
	    "10.99.0.0/16");
	assert_int_equal(cJSON_GetObjectItem(e, "endpoints")->valueint, 1);
	cJSON_Delete(res);

	assert_int_equal(ask(&s, fd, "routes", &res, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(res), 1);
	e = cJSON_GetArrayItem(res, 0);
	assert_string_equal(cJSON_GetObjectItem(e, "prefix")->valuestring,
	    "10.99.0.11/32");
	cJSON_Delete(res);

	assert_int_equal(ask(&s, fd, "status", &res, err, sizeof(err)), 0);
	e = cJSON_GetObjectItem(res, "counts");
	assert_int_equal(cJSON_GetObjectItem(e, "endpoints")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(e, "routes")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(res,
	    "zebra"), "session")->valuestring, "none");
	cJSON_Delete(res);

	/* metrics: the calls above are counted */
	assert_int_equal(ask(&s, fd, "metrics", &res, err, sizeof(err)), 0);
	{
		const char *t = cJSON_GetObjectItem(res, "text")->valuestring;

		assert_non_null(strstr(t, "\nrouted_plugin_docker_requests_total{"
		    "method=\"NetworkDriver.Join\",outcome=\"ok\"} 1\n"));
		assert_non_null(strstr(t, "\nrouted_plugin_endpoints{state=\""
		    "joined\"} 1\n"));
		assert_non_null(strstr(t, "\nrouted_plugin_routes{state=\""
		    "announced\"} 1\n"));
		assert_non_null(strstr(t, "\n# TYPE routed_plugin_docker_request_"
		    "duration_seconds histogram\n"));
	}
	cJSON_Delete(res);

	/* check: all agree; a host route lost behind our back is named. */
	assert_int_equal(check(&s, fd, NULL), 0);
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	assert_int_equal(l->routes, 1);
	l->routes = 0;
	assert_int_equal(check(&s, fd, "10.99.0.11 dev rtb60d823d5fe2"), 1);
	/* repair puts it back, and only it */
	assert_int_equal(ask(&s, fd, "repair", &res, err, sizeof(err)), 0);
	cJSON_Delete(res);
	assert_int_equal(l->routes, 1);
	assert_int_equal(check(&s, fd, NULL), 0);

	/* An ipvlan endpoint: its route is on its network's host link. */
	ipvlan_net(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" NID2 "\",\"EndpointID\":\"" EID2 "\","
	    "\"Interface\":{\"Address\":\"10.98.0.5/32\"}}"), 200);
	assert_int_equal(check(&s, fd, NULL), 0);
	assert_non_null(l = stub_find("rv5330d3fcb3c2"));
	l->routes = 0;
	assert_int_equal(check(&s, fd, "10.98.0.5 dev rv5330d3fcb3c2"), 1);
	l->routes = 1;
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteEndpoint",
	    "{\"NetworkID\":\"" NID2 "\",\"EndpointID\":\"" EID2 "\"}"),
	    200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork",
	    "{\"NetworkID\":\"" NID2 "\"}"), 200);
	assert_int_equal(check(&s, fd, NULL), 0);

	/* root here: withdraw-all empties the table, the model stays. */
	assert_int_equal(ask(&s, fd, "withdraw-all", &res, err, sizeof(err)),
	    0);
	assert_int_equal(cJSON_GetObjectItem(res, "withdrawn")->valueint, 1);
	cJSON_Delete(res);
	assert_int_equal(announce_count(&fx->ctx), 0);
	assert_int_equal(model_ep_count(fx->ctx.model), 1);
	/* which check calls a difference */
	assert_int_equal(check(&s, fd, "10.99.0.11/32"), 1);
	console_down(fx, &s, fd);
}

#define NID3 "6330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa03"
#define EID3 "d11d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb04"
#define EID4 "e11d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb05"
#define EID5 "f21d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb06"

/* CreateEndpoint (and Join when sandbox is not NULL) of id on net. */
static void
endpoint(struct fixture *fx, const char *net, const char *id,
    const char *addr, const char *sandbox)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":"
	    "\"%s\",\"Interface\":{\"Address\":\"%s/32\"}}", net, id, addr);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint", body),
	    200);
	if (sandbox == NULL)
		return;
	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":"
	    "\"%s\",\"SandboxKey\":\"%s\"}", net, id, sandbox);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", body), 200);
}

/*
 * check knows the kinds of endpoint links: a healthy endpoint of each kind
 * agrees, and what is missing or wrong is named.  A VXLAN segment's
 * endpoint is a bridge port with no host route; a joined ipvlan
 * endpoint's slave is in its container, alive while the parent's port
 * holds its address; one not joined has its slave here.
 */
static void
test_check_link_kinds(void **state)
{
	struct srv s;
	int fd;
	struct fixture *fx = console_up(&s, &fd);
	struct stub_link *l;

	/* a deleted veth waits for its batch: not a link of no endpoint */
	fx->ctx.cfg.teardown_delay_ms = 600000;
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"Options\":{},\"IPv4Data\":[{"
	    "\"Pool\":\"10.99.0.0/16\"}],\"IPv6Data\":[]}"), 200);
	endpoint(fx, NID, EID, "10.99.0.11", "/var/run/docker/netns/x");
	endpoint(fx, NID, EID4, "10.99.0.12", NULL);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID4 "\"}"), 200);
	assert_non_null(stub_find("rte11d823d5fe2"));
	assert_int_equal(check(&s, fd, NULL), 0);
	/* a host link of the wrong kind */
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	snprintf(l->parent, sizeof(l->parent), "eth9");
	assert_int_equal(check(&s, fd, "rtb60d823d5fe2"), 1);
	l->parent[0] = '\0';

	/* VXLAN segment: a bridge port, no host route */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID3 "\",\"Options\":{\"com.docker.network."
	    "generic\":{\"routed.mode\":\"vxlan\",\"routed.vni\":\"100\","
	    "\"routed.vxlan.dev\":\"eth9\"}},\"IPv4Data\":[{\"Pool\":"
	    "\"10.97.0.0/16\"}]}"), 200);
	endpoint(fx, NID3, EID3, "10.97.0.5", "/var/run/docker/netns/y");
	assert_int_equal(stub_find("rtd11d823d5fe2")->routes, 0);
	assert_int_equal(check(&s, fd, NULL), 0);
	assert_true(stub_has_obj("port rtd11d823d5fe2 rb100"));
	assert_int_equal(plumb_port_del(NULL, "rtd11d823d5fe2"), 0);
	assert_int_equal(check(&s, fd, "rtd11d823d5fe2"), 1);
	repair_agrees(&s, fd);

	/* ipvlan: joined (slave in its container) and not joined (here) */
	ipvlan_net(fx);
	stub_addr_held = 1;
	endpoint(fx, NID2, EID2, "10.98.0.5", "/nonexistent/netns/z");
	endpoint(fx, NID2, EID5, "10.98.0.6", NULL);
	assert_int_equal(check(&s, fd, NULL), 0);
	/* the joined one's container died: its address is free on fab0 */
	stub_addr_held = 0;
	assert_int_equal(check(&s, fd, "rcc11d823d5fe2"), 1);
	stub_addr_held = 1;
	/* the other's slave went */
	assert_non_null(l = stub_find("rcf21d823d5fe2"));
	*l = stub_links[--stub_nlinks];
	assert_int_equal(check(&s, fd, "rcf21d823d5fe2"), 1);
	repair_agrees(&s, fd);
	assert_non_null(stub_find("rcf21d823d5fe2"));
	console_down(fx, &s, fd);
}

/* Latencies land in the right bucket; buckets are cumulative. */
static void
test_metrics_histogram(void **state)
{
	struct metrics *m = metrics_new();
	struct timespec t;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	assert_non_null(m);
	for (i = 0; i < 3; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec -= 3000000;		/* 3 ms ago */
		if (t.tv_nsec < 0) {
			t.tv_sec--;
			t.tv_nsec += 1000000000;
		}
		metrics_api_observe(m, "/IpamDriver.RequestAddress",
		    i == 2 ? 500 : 200, &t);
	}
	metrics_api_observe(m, "/no such thing", 404, &t);
	metrics_api_observe(NULL, "/x", 200, &t);	/* nothing, no crash */
	assert_non_null(f = open_memstream(&text, &len));
	metrics_write_api(f, m);
	fclose(f);
	assert_non_null(strstr(text, "requests_total{method=\"IpamDriver."
	    "RequestAddress\",outcome=\"ok\"} 2\n"));
	assert_non_null(strstr(text, "requests_total{method=\"IpamDriver."
	    "RequestAddress\",outcome=\"error\"} 1\n"));
	/* the client's path is not a label */
	assert_null(strstr(text, "no such"));
	assert_non_null(strstr(text, "{method=\"unknown\",outcome=\""
	    "not_found\"} 1\n"));
	assert_non_null(strstr(text, "_bucket{method=\"IpamDriver."
	    "RequestAddress\",le=\"0.0025\"} 0\n"));
	assert_non_null(strstr(text, "_bucket{method=\"IpamDriver."
	    "RequestAddress\",le=\"0.005\"} 3\n"));
	assert_non_null(strstr(text, "_bucket{method=\"IpamDriver."
	    "RequestAddress\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(text, "_count{method=\"IpamDriver."
	    "RequestAddress\"} 3\n"));
	free(text);
	metrics_free(m);
}

static void
test_scrape_addr(void **state)
{
	char h[64];
	unsigned short port;

	assert_int_equal(scrape_parse_addr("127.0.0.1:9464", h, sizeof(h),
	    &port), 0);
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(port, 9464);
	assert_int_equal(scrape_parse_addr("[::1]:80", h, sizeof(h), &port), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(scrape_parse_addr("::1:80", h, sizeof(h), &port),
	    -EINVAL);
	assert_int_equal(scrape_parse_addr("host:0", h, sizeof(h), &port),
	    -EINVAL);
	assert_int_equal(scrape_parse_addr("host:65536", h, sizeof(h), &port),
	    -EINVAL);
	assert_int_equal(scrape_parse_addr(":80", h, sizeof(h), &port),
	    -EINVAL);
	assert_int_equal(scrape_parse_addr("host:8x", h, sizeof(h), &port),
	    -EINVAL);
	assert_int_equal(scrape_parse_addr("[::1]80", h, sizeof(h), &port),
	    -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_decode),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test_setup_teardown(test_socket_mode, srv_setup,
		    srv_teardown),
		cmocka_unit_test_setup_teardown(test_root_queries_and_acts,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(
		    test_group_member_queries_not_acts, srv_setup,
		    srv_teardown),
		cmocka_unit_test_setup_teardown(test_others_cannot_connect,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_and_too_long,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_live_socket_is_kept,
		    srv_setup, srv_teardown),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_check_link_kinds),
		cmocka_unit_test(test_metrics_histogram),
		cmocka_unit_test(test_scrape_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
