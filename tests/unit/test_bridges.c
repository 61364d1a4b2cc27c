/* SPDX-License-Identifier: MIT */
/*
 * test_bridges.c: the engine client (bridges.c) on a real unix socket,
 * against a fake engine on the same event loop: the list after the event
 * stream, create and destroy events, a bad label, an event while the list
 * is on its way, the stream ending (routes kept, reconnect, list again,
 * what went is withdrawn), an engine that never answers and one whose head
 * never ends (bounded, closed, retried).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "announce.h"
#include "bridges.h"
#include "ctx.h"
#include "log.h"

#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"
#define ID3 "3333333333333333333333333333333333333333333333333333333333333333"

enum mode { ANSWER, SILENT, ENDLESS_HEAD };

struct fake {
	struct event_base *base;
	struct evconnlistener *lev;
	enum mode mode;
	char path[108];
	struct bufferevent *events;	/* the stream, once asked */
	int lists;			/* GET /networks answered */
	bool hold_list;			/* keep the next list back */
	struct bufferevent *held;	/* ... on this connection */
	char nets[3][1024];		/* ID1..ID3: "" = absent */
	struct bufferevent *silent[8];
	int nsilent;
};

static struct fake fk;
static struct rp_ctx ctx;
static char warned[4096];

static void
hook(enum log_level lvl, const char *msg, void *arg)
{
	(void)arg;
	if (lvl == LOG_LVL_WARN || lvl == LOG_LVL_ERR)
		snprintf(warned + strlen(warned), sizeof(warned) -
		    strlen(warned), "%s\n", msg);
}

static const char *ids[3] = { ID1, ID2, ID3 };

static void
fake_net(int i, const char *name, const char *subnet, const char *labels)
{
	snprintf(fk.nets[i], sizeof(fk.nets[i]), "{\"Name\":\"%s\",\"Id\":\"%s\","
	    "\"Scope\":\"local\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":"
	    "[{\"Subnet\":\"%s\"}]},\"Options\":{},\"Labels\":{%s}}", name,
	    ids[i], subnet, labels);
}

static void
reply(struct bufferevent *bev, int status, const char *body)
{
	evbuffer_add_printf(bufferevent_get_output(bev), "HTTP/1.1 %d X\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    status, strlen(body), body);
}

static void
send_list(struct bufferevent *bev)
{
	char body[4096] = "[";
	int i;

	for (i = 0; i < 3; i++)
		if (fk.nets[i][0] != '\0')
			snprintf(body + strlen(body), sizeof(body) - strlen(body),
			    "%s%s", strlen(body) > 1 ? "," : "", fk.nets[i]);
	strcat(body, "]");
	reply(bev, 200, body);
	fk.lists++;
}

static void
fake_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	char head[1024], *sp;
	size_t n;
	int i;

	(void)arg;
	if (end.pos < 0)
		return;
	n = (size_t)end.pos + 4 < sizeof(head) ? (size_t)end.pos + 4 :
	    sizeof(head) - 1;
	evbuffer_remove(in, head, n);
	head[n] = '\0';
	evbuffer_drain(in, evbuffer_get_length(in));
	assert_memory_equal(head, "GET /", 5);
	assert_non_null(strstr(head, "Connection: close\r\n"));
	sp = strchr(head + 4, ' ');
	assert_non_null(sp);
	*sp = '\0';
	if (fk.mode == SILENT) {
		fk.silent[fk.nsilent++ % 8] = bev;
		return;
	}
	if (strncmp(head + 4, "/events?", 8) == 0) {
		if (fk.mode == ENDLESS_HEAD) {
			char junk[4096];

			memset(junk, 'a', sizeof(junk));
			evbuffer_add_printf(bufferevent_get_output(bev),
			    "HTTP/1.1 200 OK\r\nX-Junk: ");
			for (i = 0; i < 8; i++)
				evbuffer_add(bufferevent_get_output(bev), junk,
				    sizeof(junk));
			return;
		}
		evbuffer_add_printf(bufferevent_get_output(bev), "HTTP/1.1 200 "
		    "OK\r\nContent-Type: application/json\r\nTransfer-Encoding:"
		    " chunked\r\n\r\n");
		fk.events = bev;
		return;
	}
	if (strncmp(head + 4, "/networks?", 10) == 0) {
		if (fk.hold_list) {
			fk.held = bev;
			return;
		}
		send_list(bev);
		return;
	}
	for (i = 0; i < 3; i++)
		if (strcmp(head + 4 + strlen("/networks/"), ids[i]) == 0 &&
		    fk.nets[i][0] != '\0') {
			reply(bev, 200, fk.nets[i]);
			return;
		}
	reply(bev, 404, "{\"message\":\"network not found\"}");
}

static void
fake_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (fk.events == bev)
		fk.events = NULL;
	if (fk.held == bev)
		fk.held = NULL;
	bufferevent_free(bev);
}

static void
fake_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(fk.base, fd,
	    BEV_OPT_CLOSE_ON_FREE);

	(void)lev;
	(void)sa;
	(void)len;
	(void)arg;
	assert_non_null(bev);
	bufferevent_setcb(bev, fake_read, NULL, fake_event, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void
push_event(const char *action, const char *id)
{
	char line[512];

	assert_non_null(fk.events);
	snprintf(line, sizeof(line), "{\"Type\":\"network\",\"Action\":\"%s\","
	    "\"Actor\":{\"ID\":\"%s\",\"Attributes\":{\"name\":\"n\",\"type\":"
	    "\"bridge\"}},\"scope\":\"local\",\"time\":1}\n", action, id);
	evbuffer_add_printf(bufferevent_get_output(fk.events), "%zx\r\n%s\r\n",
	    strlen(line), line);
}

static void
run_ms(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(fk.base, &tv);
	event_base_dispatch(fk.base);
}

/* Run the loop until pred() holds, at most ms; pred()'s last value. */
static bool
run_until(bool (*pred)(void), int ms)
{
	int t;

	for (t = 0; t < ms && !pred(); t += 10)
		run_ms(10);
	return pred();
}

static const char *
state(void)
{
	struct bridges_state st;

	assert_true(bridges_state(&ctx, &st));
	return st.state;
}

static bool following(void) { return strcmp(state(), "following events") == 0; }
static bool waiting(void) { return strcmp(state(), "waiting to reconnect") == 0; }

static bool
announced(const char *prefix)
{
	struct ipprefix p;

	assert_int_equal(prefix_parse(prefix, &p), 0);
	return announce_find(&ctx, &p) != NULL;
}

static bool has_n2(void) { return announced("10.47.2.0/25"); }
static bool no_n2(void) { return !announced("10.47.2.0/25"); }
static bool no_n1(void) { return !announced("10.47.1.128/25"); }
static bool two_lists(void) { return fk.lists >= 2 && following(); }
static bool held(void) { return fk.held != NULL; }

static int
setup(void **st)
{
	struct sockaddr_un sun;

	(void)st;
	memset(&fk, 0, sizeof(fk));
	memset(&ctx, 0, sizeof(ctx));
	warned[0] = '\0';
	log_set_hook(hook, NULL);
	assert_non_null(fk.base = event_base_new());
	ctx.base = fk.base;
	ctx.cfg.tag = 100;
	assert_int_equal(announce_init(&ctx), 0);
	snprintf(fk.path, sizeof(fk.path), "/tmp/rp-test-engine-%d.sock",
	    (int)getpid());
	unlink(fk.path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fk.path);
	fk.lev = evconnlistener_new_bind(fk.base, fake_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sun, sizeof(sun));
	assert_non_null(fk.lev);
	return 0;
}

static int
teardown(void **st)
{
	int i;

	(void)st;
	bridges_free(&ctx);
	for (i = 0; i < 8 && i < fk.nsilent; i++)
		bufferevent_free(fk.silent[i]);
	if (fk.events != NULL)
		bufferevent_free(fk.events);
	if (fk.held != NULL)
		bufferevent_free(fk.held);
	evconnlistener_free(fk.lev);
	unlink(fk.path);
	announce_free(&ctx);
	run_ms(1);
	event_base_free(fk.base);
	log_set_hook(NULL, NULL);
	return 0;
}

static void
test_follow(void **st)
{
	const struct route *r;
	const struct bridge_net *bn;
	struct ipprefix p;
	size_t pos = 0;
	int nbad = 0;

	(void)st;
	fake_net(0, "n1", "10.47.1.0/24", "\"routed.announce\":\"aggregate\","
	    "\"routed.tag\":\"200\"");
	fake_net(1, "bad", "10.49.0.0/24", "\"routed.announce\":\"bogus\"");
	assert_int_equal(bridges_parse_host("tcp://x", fk.nets[2], 8), -EINVAL);
	assert_int_equal(bridges_start(&ctx, fk.path), 0);
	assert_true(run_until(following, 3000));
	/* n1 as its two halves via its bridge, with its tag */
	assert_int_equal(prefix_parse("10.47.1.0/25", &p), 0);
	assert_non_null(r = announce_find(&ctx, &p));
	assert_string_equal(r->ifname, "br-111111111111");
	assert_int_equal(r->kind, ROUTE_HOST);
	assert_int_equal(r->tag, 200);
	assert_string_equal(r->network_id, ID1);
	assert_true(announced("10.47.1.128/25"));
	assert_int_equal(announce_count(&ctx), 2);
	/* bad: named with its reason, nothing announced */
	while ((bn = bridges_next(&ctx, &pos)) != NULL)
		if (strcmp(bn->n.name, "bad") == 0) {
			nbad++;
			assert_non_null(strstr(bn->error, "routed.announce=bogus"));
			assert_int_equal(bn->nroutes, 0);
		}
	assert_int_equal(nbad, 1);
	assert_non_null(strstr(warned, "docker network bad (222222222222): "
	    "label routed.announce=bogus: must be aggregate or none"));

	/* create: looked up and announced; destroy: withdrawn */
	fake_net(2, "n2", "10.47.2.0/24", "\"routed.announce\":\"aggregate\"");
	push_event("create", ID3);
	assert_true(run_until(has_n2, 3000));
	fk.nets[2][0] = '\0';
	push_event("destroy", ID3);
	assert_true(run_until(no_n2, 3000));
	assert_int_equal(announce_count(&ctx), 2);
	/* a destroy for a network never seen, an unknown action: nothing */
	push_event("destroy", ID3);
	push_event("connect", ID1);
	run_ms(50);
	assert_int_equal(announce_count(&ctx), 2);
	assert_int_equal(fk.lists, 1);

	/* routedctl withdraw-all, then repair: announced again, listed again */
	assert_int_equal(prefix_parse("10.47.1.0/25", &p), 0);
	announce_del(&ctx, &p);
	assert_int_equal(prefix_parse("10.47.1.128/25", &p), 0);
	announce_del(&ctx, &p);
	assert_int_equal(announce_count(&ctx), 0);
	bridges_repair(&ctx);
	assert_int_equal(announce_count(&ctx), 2);
	assert_true(run_until(two_lists, 3000));
	assert_int_equal(announce_count(&ctx), 2);
}

static void
test_event_during_list(void **st)
{
	(void)st;
	fake_net(0, "n1", "10.47.1.0/24", "\"routed.announce\":\"aggregate\"");
	fk.hold_list = true;
	assert_int_equal(bridges_start(&ctx, fk.path), 0);
	assert_true(run_until(held, 3000));
	/* n2 is made while the (older) list is on its way */
	fake_net(2, "n2", "10.47.2.0/24", "\"routed.announce\":\"aggregate\"");
	push_event("create", ID3);
	run_ms(50);
	fk.hold_list = false;
	send_list(fk.held);	/* the old list: without n2 */
	fk.held = NULL;
	/* ... is not trusted: a second list has n2 */
	assert_true(run_until(two_lists, 3000));
	assert_true(has_n2());
	assert_true(announced("10.47.1.0/25"));
}

static void
test_reconnect(void **st)
{
	struct bridges_state bs;

	(void)st;
	fake_net(0, "n1", "10.47.1.0/24", "\"routed.announce\":\"aggregate\"");
	fake_net(2, "n2", "10.47.2.0/24", "\"routed.announce\":\"aggregate\"");
	assert_int_equal(bridges_start(&ctx, fk.path), 0);
	assert_true(run_until(following, 3000));
	assert_int_equal(announce_count(&ctx), 4);
	/* the engine goes: the routes stay */
	bufferevent_free(fk.events);
	fk.events = NULL;
	assert_true(run_until(waiting, 3000));
	assert_int_equal(announce_count(&ctx), 4);
	assert_true(bridges_state(&ctx, &bs));
	assert_non_null(strstr(bs.error, "GET /events"));
	/* n1 went meanwhile: the list after the reconnect withdraws it */
	fk.nets[0][0] = '\0';
	assert_true(run_until(two_lists, 3000));
	assert_true(no_n1());
	assert_true(has_n2());
	assert_int_equal(announce_count(&ctx), 2);
}

static void
test_silent_engine(void **st)
{
	(void)st;
	fk.mode = SILENT;
	assert_int_equal(bridges_start(&ctx, fk.path), 0);
	run_ms(200);
	assert_string_equal(state(), "connecting");
	assert_int_equal(announce_count(&ctx), 0);
}

static void
test_endless_head(void **st)
{
	struct bridges_state bs;

	(void)st;
	fk.mode = ENDLESS_HEAD;
	assert_int_equal(bridges_start(&ctx, fk.path), 0);
	assert_true(run_until(waiting, 3000));
	assert_true(bridges_state(&ctx, &bs));
	assert_non_null(strstr(bs.error, "over its bound"));
}

static void
test_no_engine(void **st)
{
	struct bridges_state bs;

	(void)st;
	assert_int_equal(bridges_start(&ctx, "/nonexistent/docker.sock"), 0);
	assert_true(run_until(waiting, 3000));
	assert_true(bridges_state(&ctx, &bs));
	assert_non_null(strstr(bs.error, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_during_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_engine, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_endless_head, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_engine, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
