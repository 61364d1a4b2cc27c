/*
 * test_zmq.c: the route stream end to end in one process: a zmqpub on an
 * ipc:// endpoint in a temporary directory and a zmqsub whose sink is a
 * recorder, both on one event base stepped with EVLOOP_NONBLOCK.  Where
 * the test needs to misbehave on purpose (gaps, other epochs, garbage) a
 * raw ZeroMQ socket plays the publisher or a helper.  Timings are shortened
 * (heartbeat 100 ms, silence 300 ms); every wait is bounded (10 s) and
 * nothing asserts on timing.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

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
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <zmq.h>

#include "addr.h"
#include "hmap.h"
#include "log.h"
#include "proto/routed.pb-c.h"
#include "route.h"
#include "stream.h"
#include "zmqpub.h"
#include "zmqsub.h"

#define WAIT_MS		10000
#define MAX_OPS		64

/* The fake sink: what a zclient would hold, and the order of the calls. */
struct rentry {
	char key[ADDR_STRLEN];
	struct route r;
};

struct recorder {
	struct hmap *map;
	unsigned adds, dels;
	char ops[MAX_OPS][96];
	size_t nops;
};

struct tz {
	char dir[64];
	char endpoint[STREAM_ENDPOINT_MAX];
	struct event_base *base;
	struct zmqpub *pub;
	struct zmqsub *sub;
	struct recorder rec;
	void *zctx;		/* for raw sockets */
	void *raw;
	unsigned warnings;
	char last_warning[512];
	unsigned applied;	/* calls of the applied callback */
	size_t applied_held;	/* routes the sink held at the last one */
};

static void
log_hook(enum log_level lvl, const char *msg, void *arg)
{
	struct tz *t = arg;

	if (lvl <= LOG_LVL_WARN) {
		t->warnings++;
		snprintf(t->last_warning, sizeof(t->last_warning), "%s", msg);
	}
	if (getenv("TEST_ZMQ_LOG") != NULL)
		fprintf(stderr, "log: %s\n", msg);
}

static void
rec_op(struct recorder *rec, const char *op, const struct ipprefix *p)
{
	char key[ADDR_STRLEN];

	if (rec->nops < MAX_OPS)
		snprintf(rec->ops[rec->nops++], sizeof(rec->ops[0]), "%s %s", op,
		    prefix_fmt(p, key, sizeof(key)));
}

static int
rec_add(void *arg, const struct route *r)
{
	struct recorder *rec = arg;
	struct rentry *e;
	char key[ADDR_STRLEN];

	assert_int_equal(stream_route_check(r), 0);
	prefix_fmt(&r->prefix, key, sizeof(key));
	if ((e = hmap_find(rec->map, key)) == NULL) {
		assert_non_null(e = calloc(1, sizeof(*e)));
		memcpy(e->key, key, sizeof(key));
		assert_int_equal(hmap_add(rec->map, e->key, e), 0);
	}
	e->r = *r;
	rec->adds++;
	rec_op(rec, "add", &r->prefix);
	return 0;
}

static int
rec_del(void *arg, const struct ipprefix *p)
{
	struct recorder *rec = arg;
	char key[ADDR_STRLEN];

	free(hmap_del(rec->map, prefix_fmt(p, key, sizeof(key))));
	rec->dels++;
	rec_op(rec, "del", p);
	return 0;
}

static const struct route *
rec_find(struct tz *t, const char *prefix)
{
	struct rentry *e = hmap_find(t->rec.map, prefix);

	return e != NULL ? &e->r : NULL;
}

static void
rec_clear_ops(struct tz *t)
{
	t->rec.nops = 0;
	t->rec.adds = 0;
	t->rec.dels = 0;
}

static int
setup(void **state)
{
	struct tz *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_zmq.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	/* A directory zmqpub has to create. */
	snprintf(t->endpoint, sizeof(t->endpoint), "ipc://%s/run/routes.sock",
	    t->dir);
	assert_non_null(t->base = event_base_new());
	assert_non_null(t->rec.map = hmap_new());
	assert_non_null(t->zctx = zmq_ctx_new());
	log_set_hook(log_hook, t);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tz *t = *state;
	struct rentry *e;
	char path[128];
	size_t pos = 0;

	zmqsub_free(t->sub);
	zmqpub_free(t->pub);
	if (t->raw != NULL)
		zmq_close(t->raw);
	zmq_ctx_term(t->zctx);
	while ((e = hmap_next(t->rec.map, &pos, NULL)) != NULL) {
		hmap_del(t->rec.map, e->key);
		free(e);
	}
	hmap_free(t->rec.map);
	snprintf(path, sizeof(path), "%s/run/routes.sock", t->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/run", t->dir);
	rmdir(path);
	assert_int_equal(rmdir(t->dir), 0);	/* nothing left behind */
	event_base_free(t->base);
	log_set_hook(NULL, NULL);
	free(t);
	return 0;
}

/* One turn of the loop, then a short nap. */
static void
step(struct tz *t)
{
	event_base_loop(t->base, EVLOOP_NONBLOCK);
	poll(NULL, 0, 1);
}

#define WAIT_FOR(t, cond) do {						\
	int waited_;							\
	for (waited_ = 0; !(cond) && waited_ < WAIT_MS; waited_++)	\
		step(t);						\
	if (!(cond))							\
		fail_msg("timed out waiting for %s", #cond);		\
} while (0)

/* Step for about ms milliseconds. */
static void
run_for(struct tz *t, int ms)
{
	int i;

	for (i = 0; i < ms; i++)
		step(t);
}

static void
mkroute(struct route *r, const char *prefix, enum route_kind kind,
    uint32_t tag)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(prefix_parse(prefix, &r->prefix), 0);
	r->kind = kind;
	if (kind == ROUTE_HOST) {
		snprintf(r->ifname, sizeof(r->ifname), "rt%s", "0123abcd4567");
		snprintf(r->endpoint_id, sizeof(r->endpoint_id), "b60d82");
	}
	snprintf(r->network_id, sizeof(r->network_id), "4330aa");
	r->tag = tag;
}

static void
pub_add(struct tz *t, const char *prefix, enum route_kind kind, uint32_t tag)
{
	struct route r;

	mkroute(&r, prefix, kind, tag);
	assert_int_equal(zmqpub_route_add(t->pub, &r), 0);
}

static void
pub_del(struct tz *t, const char *prefix)
{
	struct ipprefix p;

	assert_int_equal(prefix_parse(prefix, &p), 0);
	assert_int_equal(zmqpub_route_del(t->pub, &p), 0);
}

static void
start_pub(struct tz *t, uint64_t epoch)
{
	struct zmqpub_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	cfg.epoch = epoch;
	cfg.heartbeat_ms = 100;
	assert_int_equal(zmqpub_new(t->base, &cfg, &t->pub), 0);
}

static void
on_applied(void *arg)
{
	struct tz *t = arg;

	t->applied++;
	t->applied_held = hmap_count(t->rec.map);
}

static void
start_sub_timed(struct tz *t, unsigned timeout_ms, unsigned retry_ms)
{
	struct zmqsub_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	cfg.sink.add = rec_add;
	cfg.sink.del = rec_del;
	cfg.sink.arg = &t->rec;
	cfg.applied = on_applied;
	cfg.applied_arg = t;
	cfg.timeout_ms = timeout_ms;
	cfg.retry_ms = retry_ms;
	assert_int_equal(zmqsub_new(t->base, &cfg, &t->sub), 0);
}

static void
start_sub(struct tz *t)
{
	start_sub_timed(t, 300, 100);
}

static bool
in_sync(struct tz *t)
{
	return zmqsub_synced(t->sub) &&
	    zmqsub_epoch(t->sub) == zmqpub_epoch(t->pub) &&
	    zmqsub_seq(t->sub) == zmqpub_seq(t->pub) &&
	    zmqsub_route_count(t->sub) == zmqpub_route_count(t->pub) &&
	    hmap_count(t->rec.map) == zmqpub_route_count(t->pub);
}

static struct zmqsub_stats
stats(struct tz *t)
{
	struct zmqsub_stats st;

	zmqsub_get_stats(t->sub, &st);
	return st;
}

/* Snapshot, then updates in order; heartbeats keep the session. */
static void
test_snapshot_then_updates(void **state)
{
	struct tz *t = *state;
	const struct route *r;
	struct zmqsub_stats st;

	start_pub(t, 0);
	assert_true(zmqpub_epoch(t->pub) != 0);	/* random */
	pub_add(t, "10.46.1.7/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.1.8/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.0.0/16", ROUTE_AGGREGATE, 100);
	pub_add(t, "10.46.0.0/16", ROUTE_AGGREGATE, 100);	/* no change */
	assert_int_equal(zmqpub_seq(t->pub), 3);
	start_sub(t);
	assert_int_equal(zmqpub_snapshots_sent(t->pub), 0);
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(zmqpub_subscriber_count(t->pub), 1);
	assert_int_equal(zmqpub_snapshots_sent(t->pub), 1);
	assert_int_equal(t->rec.adds, 3);
	assert_non_null(r = rec_find(t, "10.46.0.0/16"));
	assert_int_equal(r->kind, ROUTE_AGGREGATE);

	rec_clear_ops(t);
	pub_add(t, "10.46.1.9/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.1.7/32", ROUTE_HOST, 200);		/* replaced */
	pub_del(t, "10.46.1.8/32");
	pub_add(t, "fd46::9/128", ROUTE_HOST, 100);
	pub_del(t, "10.46.1.9/32");
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(zmqsub_seq(t->sub), 8);
	assert_int_equal(t->rec.nops, 5);
	assert_string_equal(t->rec.ops[0], "add 10.46.1.9/32");
	assert_string_equal(t->rec.ops[1], "add 10.46.1.7/32");
	assert_string_equal(t->rec.ops[2], "del 10.46.1.8/32");
	assert_string_equal(t->rec.ops[3], "add fd46::9/128");
	assert_string_equal(t->rec.ops[4], "del 10.46.1.9/32");
	assert_int_equal(rec_find(t, "10.46.1.7/32")->tag, 200);
	assert_null(rec_find(t, "10.46.1.8/32"));

	/* Several silence timeouts' worth of heartbeats: nothing happens. */
	run_for(t, 700);
	assert_true(in_sync(t));
	st = stats(t);
	assert_int_equal(st.snapshots, 1);
	assert_int_equal(st.resyncs, 0);
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.updates, 5);
	assert_int_equal(t->warnings, 0);
}

/* A raw ROUTER as the publisher: receive one frame with its routing id. */
static size_t
fake_recv(struct tz *t, uint8_t *id, size_t *idlen, uint8_t *buf, size_t cap)
{
	int n, i, more;
	size_t len = sizeof(more);

	for (i = 0; i < WAIT_MS; i++) {
		n = zmq_recv(t->raw, id, 255, ZMQ_DONTWAIT);
		if (n >= 0) {
			*idlen = (size_t)n;
			n = zmq_recv(t->raw, buf, cap, 0);
			assert_true(n >= 0 && (size_t)n <= cap);
			assert_int_equal(zmq_getsockopt(t->raw, ZMQ_RCVMORE, &more,
			    &len), 0);
			assert_int_equal(more, 0);
			return (size_t)n;
		}
		step(t);
	}
	fail_msg("the helper sent nothing");
	return 0;
}

/* Expect a snapshot request, or (want false) no message at all. */
static void
fake_expect_request(struct tz *t, uint8_t *id, size_t *idlen)
{
	struct stream_msg m;
	uint8_t buf[64];
	size_t n = fake_recv(t, id, idlen, buf, sizeof(buf));

	assert_int_equal(stream_decode(buf, n, &m), 0);
	assert_int_equal(m.type, STREAM_SNAPSHOT_REQUEST);
}

static void
fake_send(struct tz *t, const uint8_t *id, size_t idlen, const void *p,
    size_t n)
{
	assert_int_equal(zmq_send(t->raw, id, idlen, ZMQ_SNDMORE), (int)idlen);
	assert_int_equal(zmq_send(t->raw, p, n, 0), (int)n);
}

static void
fake_snapshot(struct tz *t, const uint8_t *id, size_t idlen, uint64_t epoch,
    uint64_t seq, const char *const *prefixes, size_t n)
{
	struct route rs[8];
	const struct route *ptrs[8];
	uint8_t *p;
	size_t len, i;

	for (i = 0; i < n; i++) {
		mkroute(&rs[i], prefixes[i], ROUTE_HOST, 100);
		ptrs[i] = &rs[i];
	}
	assert_int_equal(stream_snapshot_encode(epoch, seq, ptrs, n, &p, &len),
	    0);
	fake_send(t, id, idlen, p, len);
	free(p);
}

static void
fake_update(struct tz *t, const uint8_t *id, size_t idlen, uint64_t epoch,
    uint64_t seq, enum stream_op op, const char *prefix)
{
	struct route r;
	uint8_t *p;
	size_t len;

	mkroute(&r, prefix, ROUTE_HOST, 100);
	assert_int_equal(stream_update_encode(epoch, seq, op, &r, &p, &len), 0);
	fake_send(t, id, idlen, p, len);
	free(p);
}

static void
fake_heartbeat(struct tz *t, const uint8_t *id, size_t idlen, uint64_t epoch,
    uint64_t seq)
{
	uint8_t *p;
	size_t len;

	assert_int_equal(stream_heartbeat_encode(epoch, seq, &p, &len), 0);
	fake_send(t, id, idlen, p, len);
	free(p);
}

/* Nothing more from the helper for a while. */
static void
fake_expect_silence(struct tz *t, int ms)
{
	uint8_t buf[64];
	int i;

	for (i = 0; i < ms; i++) {
		assert_int_equal(zmq_recv(t->raw, buf, sizeof(buf), ZMQ_DONTWAIT),
		    -1);
		step(t);
	}
}

static void
start_fake_pub(struct tz *t)
{
	char dir[128];
	int one = 1;

	snprintf(dir, sizeof(dir), "%s/run", t->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_non_null(t->raw = zmq_socket(t->zctx, ZMQ_ROUTER));
	assert_int_equal(zmq_setsockopt(t->raw, ZMQ_ROUTER_MANDATORY, &one,
	    sizeof(one)), 0);
	assert_int_equal(zmq_bind(t->raw, t->endpoint), 0);
}

/*
 * Against a fake publisher: a gap, a duplicate, a heartbeat ahead, another
 * epoch, garbage.  The timeouts are long here, so every resync seen is
 * one the test provoked.
 */
static void
test_gaps_epochs_garbage(void **state)
{
	static const char *const snap1[] = { "10.46.1.1/32", "10.46.1.2/32" };
	static const char *const snap2[] = {
		"10.46.1.1/32", "10.46.1.3/32", "10.46.1.4/32",
	};
	static const uint8_t garbage[] = { 0xde, 0xad, 0xbe, 0xef, 0xff };
	static const uint8_t unknown[] = { 0x7a, 0x00 };	/* field 15 */
	struct tz *t = *state;
	struct zmqsub_config cfg;
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__RouteUpdate up = ROUTED__V1__ROUTE_UPDATE__INIT;
	Routed__V1__Route pr = ROUTED__V1__ROUTE__INIT;
	uint8_t id[256], *p;
	size_t idlen, len;
	struct zmqsub_stats st;
	uint64_t e = 0x7c3f00000000beefull;

	start_fake_pub(t);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	cfg.sink.add = rec_add;
	cfg.sink.del = rec_del;
	cfg.sink.arg = &t->rec;
	cfg.timeout_ms = 60000;
	cfg.retry_ms = 60000;
	assert_int_equal(zmqsub_new(t->base, &cfg, &t->sub), 0);

	fake_expect_request(t, id, &idlen);
	fake_snapshot(t, id, idlen, e, 10, snap1, 2);
	WAIT_FOR(t, zmqsub_synced(t->sub) && zmqsub_seq(t->sub) == 10);
	assert_int_equal(hmap_count(t->rec.map), 2);

	/* In order: applied.  Again: ignored. */
	fake_update(t, id, idlen, e, 11, STREAM_ADD, "10.46.1.3/32");
	fake_update(t, id, idlen, e, 11, STREAM_ADD, "10.46.1.9/32");
	fake_update(t, id, idlen, e, 5, STREAM_WITHDRAW, "10.46.1.1/32");
	fake_heartbeat(t, id, idlen, e, 11);
	WAIT_FOR(t, stats(t).ignored == 2);
	assert_int_equal(zmqsub_seq(t->sub), 11);
	assert_non_null(rec_find(t, "10.46.1.3/32"));
	assert_null(rec_find(t, "10.46.1.9/32"));
	assert_non_null(rec_find(t, "10.46.1.1/32"));
	fake_expect_silence(t, 50);

	/* A gap: 13 after 11.  Not applied; a new snapshot is asked for. */
	fake_update(t, id, idlen, e, 13, STREAM_ADD, "10.46.1.4/32");
	fake_expect_request(t, id, &idlen);
	assert_false(zmqsub_synced(t->sub));
	assert_null(rec_find(t, "10.46.1.4/32"));
	/* Updates before the snapshot are ignored: it will hold them. */
	fake_update(t, id, idlen, e, 14, STREAM_ADD, "10.46.1.5/32");
	rec_clear_ops(t);
	fake_snapshot(t, id, idlen, e, 14, snap2, 3);
	WAIT_FOR(t, zmqsub_synced(t->sub) && zmqsub_seq(t->sub) == 14);
	assert_null(rec_find(t, "10.46.1.5/32"));
	assert_null(rec_find(t, "10.46.1.2/32"));	/* withdrawn */
	assert_non_null(rec_find(t, "10.46.1.4/32"));	/* added */
	assert_int_equal(t->rec.adds, 1);	/* .1 and .3: unchanged */
	assert_int_equal(t->rec.dels, 1);
	assert_int_equal(stats(t).resyncs, 1);

	/* A heartbeat ahead of us: the last update was lost. */
	fake_heartbeat(t, id, idlen, e, 15);
	fake_expect_request(t, id, &idlen);
	fake_snapshot(t, id, idlen, e, 15, snap2, 3);
	WAIT_FOR(t, zmqsub_synced(t->sub) && zmqsub_seq(t->sub) == 15);
	/* An update of another epoch: the plugin restarted. */
	fake_update(t, id, idlen, e + 1, 1, STREAM_ADD, "10.46.1.6/32");
	fake_expect_request(t, id, &idlen);
	fake_snapshot(t, id, idlen, e + 1, 1, snap2, 3);
	WAIT_FOR(t, zmqsub_synced(t->sub) && zmqsub_epoch(t->sub) == e + 1);
	/* A heartbeat of another epoch, too. */
	fake_heartbeat(t, id, idlen, e, 1);
	fake_expect_request(t, id, &idlen);
	fake_snapshot(t, id, idlen, e + 1, 1, snap2, 3);
	WAIT_FOR(t, zmqsub_synced(t->sub) && stats(t).snapshots == 5);
	assert_int_equal(stats(t).resyncs, 4);
	assert_int_equal(t->warnings, 0);

	/* Garbage of every kind: logged, dropped, the session stays. */
	fake_send(t, id, idlen, garbage, sizeof(garbage));
	fake_send(t, id, idlen, garbage, 0);			/* empty */
	fake_send(t, id, idlen, unknown, sizeof(unknown));	/* unknown */
	assert_int_equal(stream_heartbeat_encode(e + 1, 1, &p, &len), 0);
	fake_send(t, id, idlen, p, len - 1);			/* truncated */
	free(p);
	routed__v1__route__init(&pr);
	pr.prefix = (char *)"10.46.1.999/32";	/* does not parse */
	pr.kind = ROUTED__V1__ROUTE_KIND__ROUTE_KIND_HOST;
	pr.ifname = (char *)"rt0";
	up.epoch = e + 1;
	up.seq = 2;
	up.op = ROUTED__V1__OP__OP_ADD;
	up.route = &pr;
	env.body_case = ROUTED__V1__ENVELOPE__BODY_UPDATE;
	env.update = &up;
	assert_non_null(p = malloc(routed__v1__envelope__get_packed_size(&env)));
	len = routed__v1__envelope__pack(&env, p);
	fake_send(t, id, idlen, p, len);
	free(p);
	/* Two parts after the id, and a request (the wrong direction). */
	assert_int_equal(zmq_send(t->raw, id, idlen, ZMQ_SNDMORE), (int)idlen);
	assert_int_equal(zmq_send(t->raw, "a", 1, ZMQ_SNDMORE), 1);
	assert_int_equal(zmq_send(t->raw, "b", 1, 0), 1);
	assert_int_equal(stream_request_encode(&p, &len), 0);
	fake_send(t, id, idlen, p, len);
	free(p);
	WAIT_FOR(t, stats(t).bad == 7);
	assert_int_equal(t->warnings, 7);
	fake_expect_silence(t, 50);
	assert_true(zmqsub_synced(t->sub));
	/* The session goes on: seq 2 is the next update. */
	fake_update(t, id, idlen, e + 1, 2, STREAM_ADD, "10.46.1.7/32");
	WAIT_FOR(t, zmqsub_seq(t->sub) == 2);
	assert_non_null(rec_find(t, "10.46.1.7/32"));
	st = stats(t);
	assert_int_equal(st.resyncs, 4);
	assert_int_equal(st.bad, 7);
}

/* A flood of bad frames is logged at a bounded rate. */
static void
test_rate_limited_logs(void **state)
{
	struct tz *t = *state;
	struct zmqsub_config cfg;
	uint8_t id[256];
	size_t idlen;
	int i;

	start_fake_pub(t);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	cfg.sink.add = rec_add;
	cfg.sink.del = rec_del;
	cfg.sink.arg = &t->rec;
	cfg.timeout_ms = 60000;
	cfg.retry_ms = 60000;
	assert_int_equal(zmqsub_new(t->base, &cfg, &t->sub), 0);
	fake_expect_request(t, id, &idlen);
	for (i = 0; i < 1000; i++)
		fake_send(t, id, idlen, "\xff\xff", 2);
	WAIT_FOR(t, stats(t).bad == 1000);
	assert_true(t->warnings <= 11);
}

/*
 * The publisher drops a helper that cannot keep up; the helper notices the
 * silence and resynchronises.
 */
static void
test_dropped_subscriber_resyncs(void **state)
{
	struct tz *t = *state;
	struct zmqpub_config cfg;
	char pfx[32];
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	cfg.heartbeat_ms = 100;
	cfg.sndhwm = 10;
	assert_int_equal(zmqpub_new(t->base, &cfg, &t->pub), 0);
	start_sub(t);
	WAIT_FOR(t, in_sync(t));
	/* Without a turn of the loop the helper reads nothing. */
	for (i = 0; i < 20000 && zmqpub_subscriber_count(t->pub) > 0; i++) {
		snprintf(pfx, sizeof(pfx), "10.%zu.%zu.%zu/32", 46 + i / 65536,
		    (i / 256) % 256, i % 256);
		pub_add(t, pfx, ROUTE_HOST, 100);
	}
	print_message("dropped after %zu updates\n", i);
	assert_int_equal(zmqpub_subscriber_count(t->pub), 0);
	pub_add(t, "fd46::1/128", ROUTE_HOST, 100);
	WAIT_FOR(t, in_sync(t));
	assert_true(stats(t).resyncs >= 1);
	assert_int_equal(stats(t).bad, 0);
	assert_non_null(rec_find(t, "fd46::1/128"));
	assert_int_equal(zmqpub_subscriber_count(t->pub), 1);
}

/* A new publisher (new epoch) with another table: the helper follows. */
static void
test_publisher_restart(void **state)
{
	struct tz *t = *state;
	struct zmqpub *other;
	struct zmqpub_config cfg;
	char path[100];
	int fd;

	start_pub(t, 1);
	pub_add(t, "10.46.1.1/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.1.2/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.1.3/32", ROUTE_HOST, 100);
	start_sub(t);
	WAIT_FOR(t, in_sync(t));

	/* A second publisher on a live endpoint is refused. */
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", t->endpoint);
	assert_int_equal(zmqpub_new(t->base, &cfg, &other), -EADDRINUSE);

	zmqpub_free(t->pub);
	t->pub = NULL;
	run_for(t, 50);
	rec_clear_ops(t);
	start_pub(t, 2);
	pub_add(t, "10.46.1.2/32", ROUTE_HOST, 100);	/* the same */
	pub_add(t, "10.46.1.3/32", ROUTE_HOST, 300);	/* changed */
	pub_add(t, "10.46.1.4/32", ROUTE_HOST, 100);	/* new */
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(zmqsub_epoch(t->sub), 2);
	assert_null(rec_find(t, "10.46.1.1/32"));
	assert_int_equal(rec_find(t, "10.46.1.3/32")->tag, 300);
	assert_non_null(rec_find(t, "10.46.1.4/32"));
	assert_int_equal(t->rec.adds, 2);
	assert_int_equal(t->rec.dels, 1);
	assert_int_equal(stats(t).snapshots, 2);

	/* A stale socket file (nobody listens) is taken over. */
	zmqpub_free(t->pub);
	t->pub = NULL;
	snprintf(path, sizeof(path), "%s/run/routes.sock", t->dir);
	if (access(path, F_OK) != 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)),
		    0);
		close(fd);	/* bound, never listened: a stale file */
	}
	start_pub(t, 3);
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(zmqsub_route_count(t->sub), 0);
	zmqpub_free(t->pub);
	t->pub = NULL;

	/* Something that is not a socket is left alone. */
	unlink(path);
	assert_true((fd = open(path, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(zmqpub_new(t->base, &cfg, &other), -EEXIST);
	unlink(path);
}

/* A raw helper that sends garbage: logged, and the publisher serves on. */
static void
test_garbage_to_publisher(void **state)
{
	struct tz *t = *state;
	struct stream_msg m;
	uint8_t buf[4096], *p;
	size_t len;
	int n, i;

	start_pub(t, 5);
	pub_add(t, "10.46.1.1/32", ROUTE_HOST, 100);
	assert_non_null(t->raw = zmq_socket(t->zctx, ZMQ_DEALER));
	assert_int_equal(zmq_connect(t->raw, t->endpoint), 0);
	assert_int_equal(zmq_send(t->raw, "\x08\x01garbage", 9, 0), 9);
	assert_int_equal(zmq_send(t->raw, "", 0, 0), 0);
	assert_int_equal(zmq_send(t->raw, "\x7a\x00", 2, 0), 2);
	assert_int_equal(stream_heartbeat_encode(1, 1, &p, &len), 0);
	assert_int_equal(zmq_send(t->raw, p, len, 0), (int)len);
	free(p);
	assert_int_equal(zmq_send(t->raw, "x", 1, ZMQ_SNDMORE), 1);
	assert_int_equal(zmq_send(t->raw, "y", 1, 0), 1);
	WAIT_FOR(t, t->warnings == 5);
	assert_int_equal(zmqpub_subscriber_count(t->pub), 0);

	/* The same peer then asks properly and gets its snapshot. */
	assert_int_equal(stream_request_encode(&p, &len), 0);
	assert_int_equal(zmq_send(t->raw, p, len, 0), (int)len);
	free(p);
	for (i = 0, n = -1; i < WAIT_MS && n < 0; i++) {
		step(t);
		n = zmq_recv(t->raw, buf, sizeof(buf), ZMQ_DONTWAIT);
	}
	assert_true(n > 0);
	assert_int_equal(stream_decode(buf, (size_t)n, &m), 0);
	assert_int_equal(m.type, STREAM_SNAPSHOT);
	assert_int_equal(m.epoch, 5);
	assert_int_equal(m.nroutes, 1);
	stream_msg_free(&m);
	assert_int_equal(zmqpub_subscriber_count(t->pub), 1);

	/* A helper that goes away is dropped at the next send. */
	zmq_close(t->raw);
	t->raw = NULL;
	WAIT_FOR(t, zmqpub_subscriber_count(t->pub) == 0);

	/* And a real helper is served as usual. */
	start_sub(t);
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(t->warnings, 5);
}

/*
 * A helper started long after the publisher: 10,000 routes added, some
 * replaced and withdrawn, heartbeats going to nobody.  One snapshot
 * brings it up to date, then it follows.
 */
static void
test_late_helper(void **state)
{
	struct tz *t = *state;
	char pfx[32];
	size_t i;

	start_pub(t, 0);
	for (i = 0; i < 10000; i++) {
		snprintf(pfx, sizeof(pfx), "10.%zu.%zu.%zu/32", 46 + i / 65536,
		    (i / 256) % 256, i % 256);
		pub_add(t, pfx, ROUTE_HOST, 100);
		if (i % 5 == 0)
			pub_add(t, pfx, ROUTE_HOST, 200);
		if (i % 4 == 0)
			pub_del(t, pfx);
	}
	run_for(t, 300);
	assert_int_equal(zmqpub_seq(t->pub), 10000 + 2000 + 2500);
	/*
	 * Both ends share one thread here: a slow snapshot (sanitizers,
	 * valgrind) stalls the helper's clock too.  Give it time.
	 */
	start_sub_timed(t, 5000, 2000);
	WAIT_FOR(t, in_sync(t));
	assert_int_equal(hmap_count(t->rec.map), 7500);
	assert_int_equal(t->rec.adds, 7500);
	assert_null(rec_find(t, "10.46.0.0/32"));
	assert_int_equal(rec_find(t, "10.46.0.5/32")->tag, 200);
	assert_int_equal(rec_find(t, "10.46.0.6/32")->tag, 100);
	pub_del(t, "10.46.0.5/32");
	WAIT_FOR(t, in_sync(t));
	assert_null(rec_find(t, "10.46.0.5/32"));
	assert_int_equal(stats(t).snapshots, 1);
	assert_int_equal(stats(t).resyncs, 0);
}

/* No publisher yet: the helper keeps asking, without piling requests up. */
static void
test_helper_first(void **state)
{
	struct tz *t = *state;

	start_sub(t);
	run_for(t, 500);
	assert_false(zmqsub_synced(t->sub));
	assert_int_equal(stats(t).requests, 0);	/* nothing to send to */
	assert_int_equal(t->applied, 0);	/* the helper holds zebra off */
	start_pub(t, 9);
	pub_add(t, "10.46.1.1/32", ROUTE_HOST, 100);
	pub_add(t, "10.46.1.2/32", ROUTE_HOST, 100);
	WAIT_FOR(t, in_sync(t));
	/* Told once the snapshot is in the sink, not before. */
	assert_int_equal(t->applied, stats(t).snapshots);
	assert_int_equal(t->applied_held, 2);
	/* Every request went on a live connection and was answered. */
	WAIT_FOR(t, stats(t).snapshots == stats(t).requests);
	assert_true(stats(t).requests >= 1);
}

static void
test_refusals(void **state)
{
	struct tz *t = *state;
	struct zmqpub_config pc;
	struct zmqsub_config sc;
	struct zmqpub *pub;
	struct zmqsub *sub;
	struct route r;

	memset(&pc, 0, sizeof(pc));
	snprintf(pc.endpoint, sizeof(pc.endpoint), "inproc://x");
	assert_int_equal(zmqpub_new(t->base, &pc, &pub), -EINVAL);
	memset(&sc, 0, sizeof(sc));
	snprintf(sc.endpoint, sizeof(sc.endpoint), "%s", t->endpoint);
	assert_int_equal(zmqsub_new(t->base, &sc, &sub), -EINVAL); /* no sink */
	start_pub(t, 1);
	mkroute(&r, "10.46.1.1/32", ROUTE_HOST, 100);
	r.prefix.plen = 24;
	assert_int_equal(zmqpub_route_add(t->pub, &r), -EINVAL);
	assert_int_equal(zmqpub_route_del(t->pub, &r.prefix), -ENOENT);
	assert_int_equal(zmqpub_seq(t->pub), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_snapshot_then_updates),
		T(test_gaps_epochs_garbage),
		T(test_rate_limited_logs),
		T(test_dropped_subscriber_resyncs),
		T(test_publisher_restart),
		T(test_garbage_to_publisher),
		T(test_late_helper),
		T(test_helper_first),
		T(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
