/* SPDX-License-Identifier: MIT */
/*
 * test_zclient.c: the zebra session against a fake zebra: a listening unix
 * socket in a temporary directory whose peer the test reads and writes as
 * raw bytes, stepping the event loop in between.  What the session sends
 * is compared byte for byte with vectors built from docs/zapi.md (2.1,
 * 2.6, 4.5, Appendix B) for type babel (0x16) and interface lo (ifindex
 * 1).  Every wait is bounded (2 s); nothing asserts on timing.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <net/if.h>

#include <errno.h>
#include <glob.h>
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

#include "addr.h"
#include "log.h"
#include "route.h"
#include "vectors.h"
#include "zapi.h"

/* FRR 8.2 to 8.5: the dialect the vectors below come from. */
#define D84	(zapi_dialect_default())
#include "zclient.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_STEPS	400	/* of at most 5 ms each */
#define NOVETH		"rpzc-veth0"	/* no such interface */

/* The detection probe: an unknown command (0xfff0), no body. */
static const uint8_t v_probe[] = {
	0x00, 0x0a, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0xff, 0xf0,
};

/* HELLO babel, instance 0, session 0, receive_notify 1, synchronous 0. */
/* Quagga 1.2's detection: ROUTER_ID_ADD in a ZSERV 3 header. */
static const uint8_t v_qprobe[] = {
	0x00, 0x08, 0xff, 0x03, 0x00, 0x00, 0x00, 0x14,
};
static const uint8_t v_hello[] = {
	0x00, 0x13, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
};

/* CLIENT_CAPABILITIES GR, stale time 20 s (captured, 2.6). */
static const uint8_t v_cap_gr[] = {
	0x00, 0x16, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x77,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
};

/* REDISTRIBUTE_ADD afi 1 and 2, type babel, instance 0. */
static const uint8_t v_redist4[] = {
	0x00, 0x0e, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
	0x01, 0x16, 0x00, 0x00,
};
static const uint8_t v_redist6[] = {
	0x00, 0x0e, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
	0x02, 0x16, 0x00, 0x00,
};

/* CLIENT_CAPABILITIES UPDATE_COMPLETE afi 1 (captured) and 2, safi 1. */
static const uint8_t v_done4[] = {
	0x00, 0x1a, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x77,
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t v_done6[] = {
	0x00, 0x1a, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x77,
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

/* 4.5: 10.46.1.7/32 dev lo (1), metric 55, tag 100: NEXTHOP|METRIC|TAG. */
static const uint8_t v_add_host[] = {
	0x00, 0x30, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d,
	0x01, 0x02, 0x20, 0x0a, 0x2e, 0x01, 0x07,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x37, 0x00, 0x00, 0x00, 0x64,
};
#define HOST_PFX_OFF	24	/* prefix in v_add_host, v_del_host */
#define HOST_IFX_OFF	36	/* nexthop ifindex in v_add_host */

/* 4.5: fd46::7/128 dev lo, NEXTHOP only. */
static const uint8_t v_add_v6[] = {
	0x00, 0x34, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x0a, 0x80,
	0xfd, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* 10.46.0.0/16 blackhole (type 6, bh NULL), distance 200: 4.1 + 4.4. */
static const uint8_t v_add_agg[] = {
	0x00, 0x24, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	0x01, 0x02, 0x10, 0x0a, 0x2e,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x01,
	0xc8,
};

/* 4.5: DELETE 10.46.1.7/32, prefix only. */
static const uint8_t v_del_host[] = {
	0x00, 0x1c, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x02, 0x20, 0x0a, 0x2e, 0x01, 0x07,
};

/*
 * Appendix B: the captured REDISTRIBUTE_ROUTE_ADD body (10.46.40.1/32
 * IFINDEX 3 weight 1, distance 1, metric 9, tag 7, mtu 0) with our type.
 */
static const uint8_t v_redist_route[] = {
	0x00, 0x39, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e,
	0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x1f,
	0x01, 0x02, 0x20, 0x0a, 0x2e, 0x28, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x01,
	0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x07,
	0x00, 0x00, 0x00, 0x00,
};

/* 2.2 and 2.4: what zebra sends unasked, captured. */
static const uint8_t v_caps[] = {
	0x00, 0x14, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
};
static const uint8_t v_error[] = {
	0x00, 0x0e, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x76,
	0x02, 0x00, 0x00, 0x00,
};
/* CLIENT_CLOSE_NOTIFY: proto 3, instance 0, session 0. */
static const uint8_t v_close_notify[] = {
	0x00, 0x11, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7d,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* INTERFACE_ADDRESS_ADD 10.46.0.1/16 on ifindex 7 (15-byte body). */
static const uint8_t v_addr_add[] = {
	0x00, 0x19, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x02, 0x0a, 0x2e, 0x00, 0x01, 0x10,
	0x00, 0x00, 0x00, 0x00,
};
/* A command 8.4 does not have. */
static const uint8_t v_unknown[] = {
	0x00, 0x0c, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8,
	0xab, 0xcd,
};

struct tzc {
	char		 dir[64];
	struct zclient_config cfg;
	struct event_base *base;
	struct zclient	*zc;
	int		 lfd;		/* fake zebra: listening */
	int		 cfd;		/* fake zebra: the session */
	uint8_t		 rx[65536];	/* unread bytes from the session */
	size_t		 rxlen;
	int		 nwarn, ninfo, nretry;
	char		 lastwarn[512], lastinfo[512];
	int		 nhook;
	struct ipprefix	 hook_p;
	enum zroute_state hook_st;
};

static void
log_hook(enum log_level lvl, const char *msg, void *arg)
{
	struct tzc *t = arg;

	if (lvl <= LOG_LVL_WARN) {
		t->nwarn++;
		snprintf(t->lastwarn, sizeof(t->lastwarn), "%s", msg);
	} else if (lvl == LOG_LVL_INFO) {
		t->ninfo++;
		snprintf(t->lastinfo, sizeof(t->lastinfo), "%s", msg);
	} else if (strstr(msg, "zebra at ") != NULL)
		t->nretry++;	/* a quiet (debug) connection failure */
	if (getenv("TZC_DEBUG"))
		fprintf(stderr, "log: %s\n", msg);
}

static void
notify_hook(void *arg, const struct ipprefix *p, enum zroute_state st)
{
	struct tzc *t = arg;

	t->nhook++;
	t->hook_p = *p;
	t->hook_st = st;
}

static void
listen_zebra(struct tzc *t)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->cfg.socket_path);
	assert_true((t->lfd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(t->lfd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	assert_int_equal(listen(t->lfd, 8), 0);
}

static int
setup(void **state)
{
	struct tzc *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_zclient.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->cfg.socket_path, sizeof(t->cfg.socket_path),
	    "%s/zserv.api", t->dir);
	t->cfg.route_type = ZAPI_ROUTE_BABEL;
	t->cfg.reconnect_min_ms = 10;
	t->cfg.reconnect_max_ms = 40;
	t->cfg.retry_ms = 20;
	assert_non_null(t->base = event_base_new());
	t->cfd = -1;
	listen_zebra(t);
	log_set_hook(log_hook, t);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tzc *t = *state;

	zclient_free(t->zc);
	if (t->cfd >= 0)
		close(t->cfd);
	if (t->lfd >= 0)
		close(t->lfd);
	unlink(t->cfg.socket_path);
	rmdir(t->dir);
	event_base_free(t->base);
	log_set_hook(NULL, NULL);
	free(t);
	return 0;
}

/* One turn of the loop, then up to 5 ms for fd to become readable. */
static bool
step(struct tzc *t, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	event_base_loop(t->base, EVLOOP_NONBLOCK);
	if (fd < 0) {
		usleep(5000);
		return false;
	}
	return poll(&p, 1, 5) == 1;
}

static void
start(struct tzc *t, unsigned gr)
{
	t->cfg.gr_stale_time = gr;
	assert_int_equal(zclient_new(t->base, &t->cfg, &t->zc), 0);
	zclient_set_notify_hook(t->zc, notify_hook, t);
}

/* Wait for the session to connect; drop what the last one left. */
static void
accept_zebra(struct tzc *t)
{
	int i;

	if (t->cfd >= 0)
		close(t->cfd);
	t->cfd = -1;
	t->rxlen = 0;
	for (i = 0; i < WAIT_STEPS && t->cfd < 0; i++)
		if (step(t, t->lfd))
			t->cfd = accept(t->lfd, NULL, NULL);
	assert_true(t->cfd >= 0);
}

/* Read from the session until want bytes are buffered; false on EOF. */
static bool
fill(struct tzc *t, size_t want)
{
	ssize_t n;
	int i;

	for (i = 0; i < WAIT_STEPS && t->rxlen < want; i++) {
		if (!step(t, t->cfd))
			continue;
		n = read(t->cfd, t->rx + t->rxlen, sizeof(t->rx) - t->rxlen);
		if (n <= 0)
			return false;
		t->rxlen += (size_t)n;
	}
	return t->rxlen >= want;
}

/* The next whole message from the session into m; its length. */
static size_t
next_msg(struct tzc *t, uint8_t *m, size_t cap)
{
	size_t len;

	/* Quagga's headers are 8 bytes, FRR's 10: the length comes first */
	assert_true(fill(t, 2));
	len = (size_t)t->rx[0] << 8 | t->rx[1];
	assert_true(len >= ZAPI_Q_HEADER_LEN && len <= cap);
	assert_true(fill(t, len));
	memcpy(m, t->rx, len);
	memmove(t->rx, t->rx + len, t->rxlen - len);
	t->rxlen -= len;
	return len;
}

static void
expect(struct tzc *t, const uint8_t *want, size_t n)
{
	uint8_t m[ZAPI_MAX_LEN];

	assert_int_equal(next_msg(t, m, sizeof(m)), n);
	assert_memory_equal(m, want, n);
}

/* The next k messages are want[0..k) in any order (hash table replay). */
static void
expect_set(struct tzc *t, const uint8_t *const *want, const size_t *n,
    size_t k)
{
	uint8_t m[ZAPI_MAX_LEN];
	bool seen[8] = { false };
	size_t i, j, len;

	assert_true(k <= NELEM(seen));
	for (i = 0; i < k; i++) {
		len = next_msg(t, m, sizeof(m));
		for (j = 0; j < k; j++)
			if (!seen[j] && len == n[j] &&
			    memcmp(m, want[j], len) == 0)
				break;
		assert_true(j < k);
		seen[j] = true;
	}
}

/* The session sends nothing for a while (100 ms). */
static void
expect_quiet(struct tzc *t)
{
	ssize_t n;
	int i;

	for (i = 0; i < 20; i++) {
		if (!step(t, t->cfd))
			continue;
		n = read(t->cfd, t->rx + t->rxlen, sizeof(t->rx) - t->rxlen);
		assert_true(n > 0);
		t->rxlen += (size_t)n;
	}
	assert_int_equal(t->rxlen, 0);
}

/* The session closes its end. */
static void
expect_eof(struct tzc *t)
{
	uint8_t junk[4096];
	ssize_t n = -1;
	int i;

	for (i = 0; i < WAIT_STEPS && n != 0; i++)
		if (step(t, t->cfd))
			n = read(t->cfd, junk, sizeof(junk));
	assert_int_equal(n, 0);
}

static void
zsend(struct tzc *t, const uint8_t *p, size_t n)
{
	assert_int_equal(write(t->cfd, p, n), (ssize_t)n);
}

/* Step until the notify hook has run n times in all. */
static void
wait_hook(struct tzc *t, int n)
{
	int i;

	for (i = 0; i < WAIT_STEPS && t->nhook < n; i++)
		step(t, -1);
	assert_int_equal(t->nhook, n);
}

/* Let the session read what was sent (it answers nothing). */
static void
settle(struct tzc *t)
{
	int i;

	for (i = 0; i < 10; i++)
		step(t, -1);
}

/*
 * Detection as an 8.4 zebra answers it: ERROR (118) to the probe, then
 * CAPABILITIES (19, 10 bytes) to HELLO; then the session preamble.
 */
static void
hello_only(struct tzc *t, bool gr)
{
	accept_zebra(t);
	expect(t, v_probe, sizeof(v_probe));
	zsend(t, v_error, sizeof(v_error));
	expect(t, v_hello, sizeof(v_hello));
	zsend(t, v_caps, sizeof(v_caps));
	if (gr)
		expect(t, v_cap_gr, sizeof(v_cap_gr));
}

/*
 * The end of a confirmed replay: UPDATE_COMPLETE with GR, then the
 * subscription to our own routes.
 */
static void
replay_done(struct tzc *t, bool gr)
{
	if (gr) {
		expect(t, v_done4, sizeof(v_done4));
		expect(t, v_done6, sizeof(v_done6));
	}
	expect(t, v_redist4, sizeof(v_redist4));
	expect(t, v_redist6, sizeof(v_redist6));
}

/* A session that starts with an empty table: nothing to wait for. */
static void
preamble(struct tzc *t, bool gr)
{
	hello_only(t, gr);
	replay_done(t, gr);
}

/* A ROUTE_NOTIFY_OWNER from zebra for an IPv4 prefix (section 5). */
static size_t
notify_msg_plen(uint8_t *m, uint32_t note, const uint8_t a[4], uint8_t plen)
{
	static const uint8_t hdr[] = {
		0x00, 0x1a, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
	};
	static const uint8_t tail[] = { 0x00, 0x00, 0x00, 0xfe, 0x01, 0x01 };

	memcpy(m, hdr, sizeof(hdr));
	memcpy(m + 10, &note, 4);	/* host order */
	m[14] = AF_INET;
	m[15] = plen;
	memcpy(m + 16, a, 4);
	memcpy(m + 20, tail, sizeof(tail));
	return 26;
}

static size_t
notify_msg(uint8_t *m, uint32_t note, const uint8_t a[4])
{
	return notify_msg_plen(m, note, a, 32);
}

static void
znotify(struct tzc *t, uint32_t note, const uint8_t a[4])
{
	uint8_t m[32];

	zsend(t, m, notify_msg(m, note, a));
}

/* An 80-byte INTERFACE_* message for a veth (Appendix A). */
static void
ziface(struct tzc *t, uint16_t cmd, const char *name, uint32_t ifindex,
    uint32_t flags)
{
	uint8_t m[80];

	memset(m, 0, sizeof(m));
	m[0] = 0;
	m[1] = sizeof(m);
	m[2] = ZAPI_MARKER;
	m[3] = ZAPI_VERSION;
	m[9] = (uint8_t)cmd;
	strncpy((char *)m + 10, name, 15);
	m[26] = (uint8_t)(ifindex >> 24);
	m[27] = (uint8_t)(ifindex >> 16);
	m[28] = (uint8_t)(ifindex >> 8);
	m[29] = (uint8_t)ifindex;
	/* link detection is zebra's default */
	m[30] = ZAPI_IFS_ACTIVE | ZAPI_IFS_LINKDETECTION;
	m[35] = (uint8_t)(flags >> 24);
	m[36] = (uint8_t)(flags >> 16);
	m[37] = (uint8_t)(flags >> 8);
	m[38] = (uint8_t)flags;
	m[51] = 0x05;			/* mtu 1500 */
	m[52] = 0xdc;
	m[72] = 6;			/* hw_addr_len, then the MAC */
	m[73] = 0x02;
	zsend(t, m, sizeof(m));
}

static struct route
mkroute(const char *pfx, enum route_kind kind, const char *ifname)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(prefix_parse(pfx, &r.prefix), 0);
	r.kind = kind;
	if (ifname != NULL)
		snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	return r;
}

/* 10.46.1.<last>/32 dev ifname, metric 55, tag 100 (v_add_host's route). */
static struct route
host_route(uint8_t last, const char *ifname)
{
	char pfx[32];
	struct route r;

	snprintf(pfx, sizeof(pfx), "10.46.1.%u/32", (unsigned)last);
	r = mkroute(pfx, ROUTE_HOST, ifname);
	r.tag = 100;
	r.metric = 55;
	r.has_metric = true;
	return r;
}

/* v_add_host for 10.46.1.<last> through ifindex. */
static void
host_vec(uint8_t *m, uint8_t last, uint32_t ifindex)
{
	memcpy(m, v_add_host, sizeof(v_add_host));
	m[HOST_PFX_OFF + 3] = last;
	m[HOST_IFX_OFF] = (uint8_t)(ifindex >> 24);
	m[HOST_IFX_OFF + 1] = (uint8_t)(ifindex >> 16);
	m[HOST_IFX_OFF + 2] = (uint8_t)(ifindex >> 8);
	m[HOST_IFX_OFF + 3] = (uint8_t)ifindex;
}

static enum zroute_state
state_of(struct tzc *t, const char *pfx)
{
	struct ipprefix p;
	enum zroute_state st;

	assert_int_equal(prefix_parse(pfx, &p), 0);
	assert_int_equal(zclient_route_state(t->zc, &p, &st), 0);
	return st;
}

static const uint8_t a_host[4] = { 10, 46, 1, 7 };

/*
 * GR session: HELLO, GR capability, both subscriptions, UPDATE_COMPLETE for
 * both AFIs; then a host route with tag and metric, an IPv6 host route, a
 * blackhole aggregate and a withdrawal.
 */
static void
test_session_bytes(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	struct route v6 = mkroute("fd46::7/128", ROUTE_HOST, "lo");
	struct route agg = mkroute("10.46.0.0/16", ROUTE_AGGREGATE, NULL);

	assert_int_equal(if_nametoindex("lo"), 1);
	agg.distance = 200;
	start(t, 20);
	assert_false(zclient_connected(t->zc));
	preamble(t, true);
	assert_true(zclient_connected(t->zc));
	assert_non_null(strstr(t->lastinfo, "replaying 0 routes"));

	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));
	assert_int_equal(zclient_route_add(t->zc, &v6), 0);
	expect(t, v_add_v6, sizeof(v_add_v6));
	assert_int_equal(zclient_route_add(t->zc, &agg), 0);
	expect(t, v_add_agg, sizeof(v_add_agg));
	assert_int_equal(zclient_route_count(t->zc), 3);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_PENDING);

	assert_int_equal(zclient_route_del(t->zc, &host.prefix), 0);
	expect(t, v_del_host, sizeof(v_del_host));
	assert_int_equal(zclient_route_count(t->zc), 2);
	assert_int_equal(zclient_route_del(t->zc, &host.prefix), -ENOENT);
	expect_quiet(t);
	assert_int_equal(t->nwarn, 0);
}

/* ROUTE_NOTIFY_OWNER drives the state; REMOVED of a wanted route re-adds. */
static void
test_notify_states(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	static const uint8_t other[4] = { 10, 9, 9, 9 };

	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));

	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 1);
	assert_int_equal(t->hook_st, ZR_INSTALLED);
	assert_true(t->hook_p.addr.family == AF_INET && t->hook_p.plen == 32);
	assert_memory_equal(t->hook_p.addr.bytes, a_host, 4);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_INSTALLED);

	znotify(t, ZAPI_NOTE_BETTER_ADMIN_WON, a_host);
	wait_hook(t, 2);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_REJECTED);
	assert_non_null(strstr(t->lastinfo, "10.46.1.7/32"));
	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 3);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_INSTALLED);

	/* Not ours: ignored. */
	znotify(t, ZAPI_NOTE_INSTALLED, other);
	znotify(t, ZAPI_NOTE_REMOVED, other);
	expect_quiet(t);
	assert_int_equal(t->nhook, 3);

	/* A GR sweep raced our replay: the route goes out again. */
	znotify(t, ZAPI_NOTE_REMOVED, a_host);
	expect(t, v_add_host, sizeof(v_add_host));
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_PENDING);
	assert_int_equal(t->nwarn, 0);
}

/* FAIL_INSTALL: FAILED, one warning, and the same ROUTE_ADD again. */
static void
test_fail_install_retry(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");

	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));

	znotify(t, ZAPI_NOTE_FAIL_INSTALL, a_host);
	wait_hook(t, 1);
	assert_int_equal(t->hook_st, ZR_FAILED);
	assert_int_equal(t->nwarn, 1);
	assert_non_null(strstr(t->lastwarn, "10.46.1.7/32"));
	expect(t, v_add_host, sizeof(v_add_host));	/* the retry */

	/* Failing again: retried again, not logged again. */
	znotify(t, ZAPI_NOTE_FAIL_INSTALL, a_host);
	wait_hook(t, 2);
	expect(t, v_add_host, sizeof(v_add_host));
	assert_int_equal(t->nwarn, 1);

	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 3);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_INSTALLED);
	expect_quiet(t);
}

/*
 * Interfaces: a route through a missing interface waits for zebra to
 * report it operative; INTERFACE_UP re-sends every route through it; a
 * recreated interface (new ifindex) gets the route with the new ifindex.
 */
static void
test_interface_events(void **state)
{
	struct tzc *t = *state;
	struct route veth = host_route(8, NOVETH);
	struct route lo = host_route(7, "lo");
	uint8_t m[sizeof(v_add_host)];
	uint8_t bad[40];

	assert_int_equal(if_nametoindex(NOVETH), 0);
	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &veth), 0);
	expect_quiet(t);
	assert_int_equal(state_of(t, "10.46.1.8/32"), ZR_PENDING);

	/* Known but not running yet (0x1003): still waiting. */
	ziface(t, ZAPI_INTERFACE_ADD, NOVETH, 77, 0x1003);
	expect_quiet(t);
	ziface(t, ZAPI_INTERFACE_UP, NOVETH, 77, 0x11043);
	host_vec(m, 8, 77);
	expect(t, m, sizeof(m));
	/* A link flap: the kernel route is gone, send it again. */
	ziface(t, ZAPI_INTERFACE_DOWN, NOVETH, 77, 0x1003);
	ziface(t, ZAPI_INTERFACE_UP, NOVETH, 77, 0x11043);
	expect(t, m, sizeof(m));
	/* The same ADD again changes nothing... */
	ziface(t, ZAPI_INTERFACE_ADD, NOVETH, 77, 0x11043);
	expect_quiet(t);
	/* ...a recreated veth does. */
	ziface(t, ZAPI_INTERFACE_DELETE, NOVETH, 77, 0x1002);
	ziface(t, ZAPI_INTERFACE_ADD, NOVETH, 78, 0x11043);
	host_vec(m, 8, 78);
	expect(t, m, sizeof(m));

	/* INTERFACE_UP for lo re-sends the lo route only. */
	assert_int_equal(zclient_route_add(t->zc, &lo), 0);
	expect(t, v_add_host, sizeof(v_add_host));
	ziface(t, ZAPI_INTERFACE_UP, "lo", 1, 0x10049);
	expect(t, v_add_host, sizeof(v_add_host));
	expect_quiet(t);

	/* A truncated interface message is skipped, the session kept. */
	memcpy(bad, "\x00\x28\xfe\x06\x00\x00\x00\x00\x00\x04", 10);
	memset(bad + 10, 'a', 30);
	zsend(t, bad, sizeof(bad));
	expect_quiet(t);
	assert_int_equal(t->nwarn, 1);
	ziface(t, ZAPI_INTERFACE_UP, "lo", 1, 0x10049);
	expect(t, v_add_host, sizeof(v_add_host));
}

/* Our own redistribution: a prefix zebra holds that we do not is deleted. */
static void
test_reconcile_orphans(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	uint8_t m[sizeof(v_redist_route)], del[sizeof(v_del_host)];
	struct zclient_status zs;
	bool in;

	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));

	zsend(t, v_redist_route, sizeof(v_redist_route));
	memcpy(del, v_del_host, sizeof(del));
	memcpy(del + HOST_PFX_OFF, "\x0a\x2e\x28\x01", 4);
	expect(t, del, sizeof(del));

	/* Ours and in the table: kept. */
	memcpy(m, v_redist_route, sizeof(m));
	memcpy(m + 24, a_host, 4);
	zsend(t, m, sizeof(m));
	/* Another type (static) or instance: not ours to judge. */
	memcpy(m, v_redist_route, sizeof(m));
	m[10] = ZAPI_ROUTE_STATIC;
	zsend(t, m, sizeof(m));
	memcpy(m, v_redist_route, sizeof(m));
	m[12] = 5;
	zsend(t, m, sizeof(m));
	expect_quiet(t);

	/* What zebra redistributes is what its RIB selected: for check. */
	zclient_status(t->zc, &zs);
	assert_true(zs.rib_known);
	assert_int_equal(zclient_route_in_rib(t->zc, &host.prefix, &in), 0);
	assert_true(in);
	memcpy(m, v_redist_route, sizeof(m));
	memcpy(m + 24, a_host, 4);
	m[9] = (uint8_t)zapi_dialect_default()->cmd[ZAPI_REDISTRIBUTE_ROUTE_DEL];
	zsend(t, m, sizeof(m));
	expect_quiet(t);
	assert_int_equal(zclient_route_in_rib(t->zc, &host.prefix, &in), 0);
	assert_false(in);
}

/* zebra goes away: reconnect, HELLO, GR, full replay, UPDATE_COMPLETE. */
static void
test_reconnect_replay(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	struct route agg = mkroute("10.46.0.0/16", ROUTE_AGGREGATE, NULL);
	const uint8_t *want[] = { v_add_host, v_add_agg };
	const size_t n[] = { sizeof(v_add_host), sizeof(v_add_agg) };

	agg.distance = 200;
	start(t, 20);
	preamble(t, true);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	assert_int_equal(zclient_route_add(t->zc, &agg), 0);
	expect_set(t, want, n, 2);
	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 1);

	close(t->cfd);
	t->cfd = -1;
	hello_only(t, true);
	assert_non_null(strstr(t->lastwarn, "reconnecting"));
	assert_non_null(strstr(t->lastinfo, "replaying 2 routes"));
	expect_set(t, want, n, 2);
	/*
	 * UPDATE_COMPLETE waits until zebra has answered for every replayed
	 * route: zebra 8.4 would sweep the ones still in its queue.
	 */
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_PENDING);
	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 2);
	expect_quiet(t);
	{
		static const uint8_t a_agg[4] = { 10, 46, 0, 0 };
		uint8_t m[32];

		zsend(t, m, notify_msg_plen(m, ZAPI_NOTE_INSTALLED, a_agg, 16));
	}
	wait_hook(t, 3);
	replay_done(t, true);
	assert_int_equal(zclient_route_count(t->zc), 2);
	expect_quiet(t);
}

/*
 * cfg.hold: no connection at all until zclient_release() (zebra listens
 * the whole time), then HELLO, GR and the replay of the whole table.
 */
static void
test_hold_until_release(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	int i;

	t->cfg.hold = true;
	start(t, 20);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	for (i = 0; i < 20; i++)
		assert_false(step(t, t->lfd));	/* nobody connects */
	assert_false(zclient_connected(t->zc));
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_PENDING);

	zclient_release(t->zc);
	zclient_release(t->zc);		/* idempotent */
	hello_only(t, true);
	expect(t, v_add_host, sizeof(v_add_host));
	znotify(t, ZAPI_NOTE_INSTALLED, a_host);
	wait_hook(t, 1);
	replay_done(t, true);
	expect_quiet(t);
	/* One session: a second release does not connect again. */
	for (i = 0; i < 20; i++)
		assert_false(step(t, t->lfd));
}

/*
 * No zebra at first: the table fills, one warning however many attempts,
 * and everything goes out once zebra listens.  A route replaced before
 * that is sent in its last form only.
 */
static void
test_zebra_absent_at_start(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	struct route v6 = mkroute("fd46::7/128", ROUTE_HOST, "lo");
	struct route agg = mkroute("10.46.0.0/16", ROUTE_AGGREGATE, NULL);
	const uint8_t *want[] = { v_add_host, v_add_v6, v_add_agg };
	const size_t n[] = { sizeof(v_add_host), sizeof(v_add_v6),
	    sizeof(v_add_agg) };
	int i;

	close(t->lfd);
	t->lfd = -1;
	unlink(t->cfg.socket_path);
	agg.distance = 200;
	start(t, 0);
	host.tag = 1;
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	assert_int_equal(zclient_route_add(t->zc, &v6), 0);
	assert_int_equal(zclient_route_add(t->zc, &agg), 0);
	host.tag = 100;
	/* replaced */
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	for (i = 0; i < WAIT_STEPS && t->nretry < 3; i++)
		step(t, -1);
	assert_true(t->nretry >= 3);
	assert_int_equal(t->nwarn, 1);
	assert_false(zclient_connected(t->zc));
	assert_int_equal(zclient_route_count(t->zc), 3);
	assert_int_equal(state_of(t, "10.46.0.0/16"), ZR_PENDING);

	listen_zebra(t);
	hello_only(t, false);
	expect_set(t, want, n, 3);
	assert_non_null(strstr(t->lastinfo, "replaying 3 routes"));
	expect_quiet(t);
}

/* A bad header (marker, version, length) closes; the session comes back. */
static void
test_framing_error_reconnects(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	static const uint8_t bad[][10] = {
		{ 0x00, 0x0a, 0xff, 0x06, 0, 0, 0, 0, 0x00, 0x13 },
		{ 0x00, 0x0a, 0xfe, 0x05, 0, 0, 0, 0, 0x00, 0x13 },
		{ 0x00, 0x05, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 0x13 },
		{ 0xff, 0xff, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 0x13 },
	};
	size_t i;

	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));
	for (i = 0; i < NELEM(bad); i++) {
		zsend(t, bad[i], sizeof(bad[i]));
		expect_eof(t);
		hello_only(t, false);
		expect(t, v_add_host, sizeof(v_add_host));
		/* The subscription follows the confirmed replay. */
		znotify(t, ZAPI_NOTE_INSTALLED, a_host);
		replay_done(t, false);
	}
	assert_true(t->nwarn >= 1);
	assert_non_null(strstr(t->lastwarn, "reconnecting"));
}

/*
 * What zebra sends unasked, a truncated body for a known command and a
 * message split across writes: all skipped or handled, the stream stays
 * in sync, no reconnect.
 */
static void
test_skips_and_truncated(void **state)
{
	struct tzc *t = *state;
	struct route host = host_route(7, "lo");
	uint8_t m[32], vrf[86];
	struct pollfd p;
	size_t n;

	start(t, 0);
	preamble(t, false);
	assert_int_equal(zclient_route_add(t->zc, &host), 0);
	expect(t, v_add_host, sizeof(v_add_host));

	/* VRF_ADD: table id (host order), netns name, vrf name. */
	memset(vrf, 0, sizeof(vrf));
	memcpy(vrf, "\x00\x56\xfe\x06\x00\x00\x00\x00\x00\x21\xfe", 11);
	memcpy(vrf + 10 + 4 + 36, "default", 7);
	zsend(t, v_caps, sizeof(v_caps));
	zsend(t, vrf, sizeof(vrf));
	zsend(t, v_close_notify, sizeof(v_close_notify));
	zsend(t, v_addr_add, sizeof(v_addr_add));
	zsend(t, v_unknown, sizeof(v_unknown));
	zsend(t, v_error, sizeof(v_error));	/* logged */
	/* NOTIFY_OWNER cut to 8 body bytes, length consistent. */
	(void)notify_msg(m, ZAPI_NOTE_INSTALLED, a_host);
	m[1] = 18;
	zsend(t, m, 18);
	settle(t);
	assert_int_equal(t->nwarn, 2);
	assert_non_null(strstr(t->lastwarn, "ROUTE_NOTIFY_OWNER"));
	assert_int_equal(t->nhook, 0);

	/* Still in sync: a notification in three pieces is understood. */
	n = notify_msg(m, ZAPI_NOTE_INSTALLED, a_host);
	zsend(t, m, 1);
	settle(t);
	zsend(t, m + 1, 11);
	settle(t);
	zsend(t, m + 12, n - 12);
	wait_hook(t, 1);
	assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_INSTALLED);
	expect_quiet(t);
	/* ...and nobody connected again. */
	p.fd = t->lfd;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_true(zclient_connected(t->zc));
}

/* The next message the session sends is the capture's m. */
static void
expect_vec(struct tzc *t, const struct vec_file *vf, const char *label)
{
	const struct vec_msg *m;
	size_t from = 0;

	assert_non_null(m = vec_next(vf, '>', label, &from));
	expect(t, m->p, m->n);
}

/* zebra's first answer after the capture sent `after`. */
static void
send_vec(struct tzc *t, const struct vec_file *vf, const char *after,
    const char *label)
{
	const struct vec_msg *m;
	size_t from = 0;

	assert_non_null(vec_next(vf, '>', after, &from));
	assert_non_null(m = vec_next(vf, '<', label, &from));
	zsend(t, m->p, m->n);
}

/*
 * Detection from what real zebras answered (tests/unit/vectors): the
 * probe, HELLO and the session preamble are the bytes zebra accepted, the
 * dialect is the release's, then every message that zebra sent during the
 * capture is understood (no warning); 10.3's first ROUTE_NOTIFY_OWNER
 * tells it from 10.2, and 10.2's own keep it at 10.2.  9.0 ends as
 * frr8.2: it answers detection like 8.2 to 8.5.
 */
static void
test_detect_recorded(void **state)
{
	struct tzc *t = *state;
	const struct vec_release *rel;
	struct vec_file vf;
	size_t i, r, from;

	for (r = 0; r < vec_nreleases; r++) {
		rel = &vec_releases[r];
		vec_load(rel->file, &vf);
		t->nwarn = 0;
		start(t, 0);
		assert_null(zclient_dialect(t->zc));
		accept_zebra(t);
		expect_vec(t, &vf, "probe");
		/* events zebra sends anyone may come first: skipped */
		send_vec(t, &vf, "probe", "interface_up_vcap0");
		send_vec(t, &vf, "probe", "interface_address_add_2");
		if (strcmp(rel->dialect, "frr10.3") == 0)
			send_vec(t, &vf, "probe", "interface_link_params");
		else
			zsend(t, v_close_notify, sizeof(v_close_notify));
		send_vec(t, &vf, "probe", "error");
		send_vec(t, &vf, "probe", "vrf_add");
		if (rel->other_first) {
			/* 10.0/10.1 share 8.2's ERROR code: 8.2's HELLO first */
			expect_vec(t, &vf, "hello_other");
			send_vec(t, &vf, "hello_other", "error");
		}
		expect_vec(t, &vf, "hello");
		send_vec(t, &vf, "hello", "caps");
		send_vec(t, &vf, "hello", "vrf_add");
		from = 0;
		if (vec_next(&vf, '>', "notify_request", &from) != NULL)
			expect_vec(t, &vf, "notify_request");
		/* no routes: the replay is done at once */
		expect_vec(t, &vf, "redistribute_add");
		assert_true(zclient_connected(t->zc));
		assert_string_equal(zclient_dialect(t->zc), rel->detected);
		for (i = 0; i < vf.n; i++)
			if (vf.m[i].dir == '<' && strcmp(vf.m[i].label, "caps") &&
			    strcmp(vf.m[i].label, "error"))
				zsend(t, vf.m[i].p, vf.m[i].n);
		settle(t);
		settle(t);
		assert_string_equal(zclient_dialect(t->zc), rel->dialect);
		assert_int_equal(t->nwarn, 0);
		zclient_free(t->zc);
		t->zc = NULL;
		vec_free(&vf);
	}
}

/*
 * A zebra that answers like no known release: a clear warning naming
 * what it sent, the connection closed, nothing but the probe or HELLO
 * sent, no dialect, and the session tries again.
 */
static void
test_detect_garbage(void **state)
{
	static const uint8_t bad_marker[] = {
		0x00, 0x0e, 0xff, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x76,
		0x02, 0x00, 0x00, 0x00,
	};
	static const uint8_t error119[] = {
		0x00, 0x0e, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x77,
		0x02, 0x00, 0x00, 0x00,
	};
	static const uint8_t caps13[] = {
		0x00, 0x17, 0xfe, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13,
		0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
	};
	static const struct {
		const uint8_t *probe_answer, *hello_answer;
		size_t n1, n2;
		const char *warn;
	} cases[] = {
		{ bad_marker, NULL, sizeof(bad_marker), 0,
		    "header that is not ZAPI 6 (00 0e ff 03)" },
		{ v_unknown, NULL, sizeof(v_unknown), 0,
		    "answered the probe with command 200 and 2 body bytes, not "
		    "ERROR (00 0c fe 06 00 00 00 00 00 c8 ab cd)" },
		{ error119, NULL, sizeof(error119), 0,
		    "ERROR as command 119, a code no known release uses (00 0e "
		    "fe 06 00 00 00 00 00 77 02 00 00 00)" },
		{ v_error, caps13, sizeof(v_error), sizeof(caps13),
		    "with command 19 and 13 body bytes, not CAPABILITIES" },
		{ v_error, v_unknown, sizeof(v_error), sizeof(v_unknown),
		    "with command 200 and 2 body bytes" },
		{ NULL, NULL, 0, 0, "closed the connection after the ZSERV 3 "
		    "(Quagga) ROUTER_ID_ADD" },
		{ v_error, NULL, sizeof(v_error), 0,
		    "did not answer the HELLO within 50 ms" },
	};
	struct tzc *t = *state;
	size_t i;

	t->cfg.detect_ms = 50;
	for (i = 0; i < NELEM(cases); i++) {
		t->nwarn = 0;
		start(t, 0);
		accept_zebra(t);
		expect(t, v_probe, sizeof(v_probe));
		if (cases[i].probe_answer == NULL) {
			/* closed on: asked again as Quagga, closed on too */
			close(t->cfd);
			t->cfd = -1;
			accept_zebra(t);
			expect(t, v_qprobe, sizeof(v_qprobe));
			close(t->cfd);
			t->cfd = -1;
			for (int k = 0; k < 20 && t->nwarn == 0; k++)
				step(t, -1);
		} else {
			zsend(t, cases[i].probe_answer, cases[i].n1);
			if (cases[i].n1 == sizeof(v_error) &&
			    memcmp(cases[i].probe_answer, v_error, 14) == 0) {
				expect(t, v_hello, sizeof(v_hello));
				if (cases[i].hello_answer != NULL)
					zsend(t, cases[i].hello_answer,
					    cases[i].n2);
			}
			expect_eof(t);
		}
		assert_int_equal(t->nwarn, 1);
		if (strstr(t->lastwarn, cases[i].warn) == NULL ||
		    strstr(t->lastwarn, "nothing was registered") == NULL)
			fail_msg("case %zu: %s", i, t->lastwarn);
		assert_false(zclient_connected(t->zc));
		assert_null(zclient_dialect(t->zc));
		/* and it tries again, quietly */
		accept_zebra(t);
		expect(t, v_probe, sizeof(v_probe));
		assert_int_equal(t->nwarn, 1);
		zclient_free(t->zc);
		t->zc = NULL;
	}
}

/*
 * --zebra-dialect: no probe, the forced HELLO; a zebra of another
 * release refuses it (the 8.4 capture's answer to a 10.x HELLO) and
 * nothing more is sent; the right one is confirmed by CAPABILITIES.
 */
static void
test_detect_forced(void **state)
{
	struct tzc *t = *state;
	struct vec_file vf;

	vec_load("frr-8.4.4.vec", &vf);
	snprintf(t->cfg.dialect, sizeof(t->cfg.dialect), "frr10.3");
	start(t, 0);
	accept_zebra(t);
	expect_vec(t, &vf, "hello_other");
	send_vec(t, &vf, "hello_other", "error");
	expect_eof(t);
	assert_non_null(strstr(t->lastwarn, "refused HELLO as command 19"));
	assert_non_null(strstr(t->lastwarn, "(frr10.3)"));
	assert_false(zclient_connected(t->zc));
	zclient_free(t->zc);
	t->zc = NULL;

	snprintf(t->cfg.dialect, sizeof(t->cfg.dialect), "frr8.2");
	start(t, 0);
	accept_zebra(t);
	expect_vec(t, &vf, "hello");
	send_vec(t, &vf, "hello", "caps");
	expect_vec(t, &vf, "redistribute_add");
	assert_string_equal(zclient_dialect(t->zc), "frr8.2");

	/* a name no dialect has is refused */
	snprintf(t->cfg.dialect, sizeof(t->cfg.dialect), "frr6.0");
	assert_int_equal(zclient_new(t->base, &t->cfg, &t->zc), -EINVAL);
	vec_free(&vf);
}

/*
 * Quagga 1.2.4 as recorded (tests/unit/vectors/quagga-1.2.4.vec): it
 * closes on the ZAPI 6 probe; the next connection asks with ROUTER_ID_ADD
 * in a ZSERV 3 header, and only its ROUTER_ID_UPDATE lets HELLO, the
 * interface request and the subscription out.  No notifications: zebra's
 * redistribution of a route confirms it, and an orphan is deleted.
 */
static void
test_detect_quagga(void **state)
{
	struct tzc *t = *state;
	struct route r = host_route(7, "vcap0");
	struct vec_file vf;
	struct zclient_status st;
	size_t i;

	vec_load("quagga-1.2.4.vec", &vf);
	start(t, 30);		/* asks for GR: Quagga has none, not sent */
	accept_zebra(t);
	expect_vec(t, &vf, "frr_probe");
	close(t->cfd);
	t->cfd = -1;
	accept_zebra(t);
	expect_vec(t, &vf, "router_id_add");
	assert_false(zclient_connected(t->zc));
	send_vec(t, &vf, "router_id_add", "router_id_update");
	expect_vec(t, &vf, "router_id_delete");
	expect_vec(t, &vf, "hello");
	expect_vec(t, &vf, "interface_dump");
	expect_vec(t, &vf, "redistribute_add");
	expect_quiet(t);
	assert_true(zclient_connected(t->zc));
	assert_string_equal(zclient_dialect(t->zc), "quagga1.2");
	zclient_status(t->zc, &st);
	assert_string_equal(st.dialect, "quagga1.2");
	assert_non_null(strstr(t->lastinfo, "no graceful restart"));

	/* vcap0 is not in this kernel: the route waits for zebra's word */
	if (if_nametoindex("vcap0") == 0) {
		assert_int_equal(zclient_route_add(t->zc, &r), 0);
		expect_quiet(t);
		send_vec(t, &vf, "interface_dump", "interface_add_vcap0");
		expect_vec(t, &vf, "route_add");
		assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_PENDING);
		/* redistributed back: selected, so installed */
		send_vec(t, &vf, "route_add", "ipv4_route_add");
		settle(t);
		assert_int_equal(state_of(t, "10.46.1.7/32"), ZR_INSTALLED);
		assert_int_equal(t->hook_st, ZR_INSTALLED);
		/* fd46::7/128 is none of ours: deleted */
		send_vec(t, &vf, "route_add6", "ipv6_route_add");
		expect_vec(t, &vf, "route_delete6");
		assert_int_equal(zclient_route_del(t->zc, &r.prefix), 0);
		expect_vec(t, &vf, "route_delete");
	}
	/* everything zebra sent decodes: no warning */
	for (i = 0; i < vf.n; i++)
		if (vf.m[i].dir == '<' && strncmp(vf.m[i].label, "ipv", 3))
			zsend(t, vf.m[i].p, vf.m[i].n);
	settle(t);
	assert_int_equal(t->nwarn, 0);
	assert_true(zclient_connected(t->zc));

	/* zebra restarts: asked as Quagga at once, no ZAPI 6 probe first */
	close(t->cfd);
	t->cfd = -1;
	accept_zebra(t);
	expect_vec(t, &vf, "router_id_add");
	/* ... and it is an FRR zebra now: it closes, and is probed */
	close(t->cfd);
	t->cfd = -1;
	accept_zebra(t);
	expect_vec(t, &vf, "frr_probe");
	assert_int_equal(t->nwarn, 1);	/* the lost session's, only */
	vec_free(&vf);
}

/*
 * --zebra-dialect quagga1.2: no ZAPI 6 probe at all; an FRR zebra closes
 * on the ZSERV 3 header and nothing else was sent.
 */
static void
test_detect_quagga_forced(void **state)
{
	struct tzc *t = *state;
	struct vec_file vf;

	vec_load("quagga-1.2.4.vec", &vf);
	snprintf(t->cfg.dialect, sizeof(t->cfg.dialect), "quagga1.2");
	start(t, 0);
	accept_zebra(t);
	expect_vec(t, &vf, "router_id_add");
	close(t->cfd);
	t->cfd = -1;
	for (int k = 0; k < 20 && t->nwarn == 0; k++)
		step(t, -1);
	assert_int_equal(t->nwarn, 1);
	assert_non_null(strstr(t->lastwarn, "(quagga1.2)"));
	assert_non_null(strstr(t->lastwarn, "closed the connection"));
	assert_false(zclient_connected(t->zc));
	/* the retry asks as Quagga again; this time zebra answers */
	accept_zebra(t);
	expect_vec(t, &vf, "router_id_add");
	send_vec(t, &vf, "router_id_add", "router_id_update");
	expect_vec(t, &vf, "router_id_delete");
	expect_vec(t, &vf, "hello");
	assert_true(zclient_connected(t->zc));
	vec_free(&vf);
}

/* What the API refuses; nothing of it reaches zebra. */
static void
test_api_refusals(void **state)
{
	struct tzc *t = *state;
	struct zclient_config cfg = t->cfg;
	struct zclient *zc = NULL;
	struct route r;
	struct ipprefix p;
	enum zroute_state st;

	cfg.route_type = ZAPI_ROUTE_CONNECT;
	assert_int_equal(zclient_new(t->base, &cfg, &zc), -EINVAL);
	cfg.route_type = ZAPI_ROUTE_ALL;
	assert_int_equal(zclient_new(t->base, &cfg, &zc), -EINVAL);
	cfg.route_type = ZAPI_ROUTE_BABEL;
	cfg.socket_path[0] = '\0';
	assert_int_equal(zclient_new(t->base, &cfg, &zc), -EINVAL);
	memset(cfg.socket_path, 'x', sizeof(cfg.socket_path));
	assert_int_equal(zclient_new(t->base, &cfg, &zc), -EINVAL);
	assert_null(zc);
	zclient_free(NULL);

	start(t, 0);
	r = mkroute("10.46.1.7/32", ROUTE_HOST, NULL);	/* no interface */
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	memset(r.ifname, 'x', sizeof(r.ifname));	/* unterminated */
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	/* host bits set */
	r = mkroute("10.46.1.7/24", ROUTE_AGGREGATE, NULL);
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	r = mkroute("10.46.1.0/24", ROUTE_AGGREGATE, NULL);
	r.prefix.plen = 33;
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	r.prefix.plen = 24;
	r.prefix.addr.family = AF_UNIX;
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	r = mkroute("10.46.1.0/24", (enum route_kind)7, "lo");
	assert_int_equal(zclient_route_add(t->zc, &r), -EINVAL);
	assert_int_equal(zclient_route_count(t->zc), 0);
	assert_int_equal(prefix_parse("10.46.1.0/24", &p), 0);
	assert_int_equal(zclient_route_del(t->zc, &p), -ENOENT);
	assert_int_equal(zclient_route_state(t->zc, &p, &st), -ENOENT);
	preamble(t, false);
	expect_quiet(t);
}

/* One process per (zebra socket, type, instance): the second is refused. */
static void
test_single_instance_lock(void **state)
{
	struct tzc *t = *state;
	struct zclient *a = NULL, *b = NULL, *c = NULL;
	struct zclient_config other;
	char pattern[200];
	glob_t g;
	size_t i;

	snprintf(t->cfg.lock_dir, sizeof(t->cfg.lock_dir), "%s", t->dir);
	assert_int_equal(zclient_new(t->base, &t->cfg, &a), 0);
	assert_int_equal(zclient_new(t->base, &t->cfg, &b), -EBUSY);
	assert_null(b);
	assert_non_null(strstr(t->lastwarn, "already talks to zebra"));
	/* Another instance of the type is another identity: allowed. */
	other = t->cfg;
	other.instance = 1;
	assert_int_equal(zclient_new(t->base, &other, &c), 0);
	zclient_free(c);
	/* Released with its owner. */
	zclient_free(a);
	assert_int_equal(zclient_new(t->base, &t->cfg, &b), 0);
	zclient_free(b);
	snprintf(pattern, sizeof(pattern), "%s/zebra-*.lock", t->dir);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 2);	/* instance 0 and 1 */
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
	t->cfg.lock_dir[0] = '\0';
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_instance_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_notify_states, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fail_install_retry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interface_events, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_orphans, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_replay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hold_until_release, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zebra_absent_at_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing_error_reconnects,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_skips_and_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_detect_recorded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_detect_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_detect_quagga,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_detect_quagga_forced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_detect_forced, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
