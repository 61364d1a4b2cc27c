/*
 * test_store.c: the state file: round trip, lock, refusal of bad files.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "announce.h"
#include "ipam.h"
#include "netdrv.h"
#include "store.h"

#define NID "n1"
#define EID "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"

/* A second context on the same directory, as after a restart. */
static int
reopen(struct fixture *fx, struct rp_ctx *ctx, char *err, size_t errlen)
{
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = fx->ctx.cfg;
	if (ipam_init(ctx) != 0 || netdrv_init(ctx) != 0 ||
	    announce_init(ctx) != 0)
		return -ENOMEM;
	if ((r = store_open(ctx, err, errlen)) != 0)
		return r;
	return store_load(ctx, err, errlen);
}

static void
close_ctx(struct rp_ctx *ctx)
{
	announce_free(ctx);
	netdrv_free(ctx);
	ipam_free(ctx);
	store_close(ctx);
}

/*
 * The fixture goes on as the restarted daemon ctx (from reopen): it takes
 * ctx's state and store, and drops its own modules.
 */
static void
adopt(struct fixture *fx, struct rp_ctx *ctx)
{
	netdrv_free(&fx->ctx);
	ipam_free(&fx->ctx);
	fx->ctx.store = ctx->store;
	fx->ctx.ipam = ctx->ipam;
	fx->ctx.netdrv = ctx->netdrv;
	announce_free(ctx);
}

static void
populate(struct fixture *fx)
{
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.46.0.0/16\",\"SubPool\":\"10.46.1.0/24\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"fd00:46::/64\",\"V6\":true}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"Options\":{\"com.docker.network.generic\":"
	    "{\"com.docker.network.driver.mtu\":\"9000\"},\"com.docker.network."
	    "internal\":true},\"IPv4Data\":[{\"Pool\":\"10.46.0.0/16\",\"AuxAddresses\":"
	    "{\"r\":\"10.46.0.2/32\"}}],\"IPv6Data\":[{\"Pool\":\"fd00:46::/64\"}]}"),
	    200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.1.0/32");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd00:46::/64\",\"Address\":\"\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\",\"Interface\":"
	    "{\"Address\":\"10.46.1.0/32\",\"AddressIPv6\":\"fd00:46::1/128\"}}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\",\"SandboxKey\":"
	    "\"/var/run/docker/netns/abc\"}"), 200);
}

static void
test_round_trip(void **state)
{
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512] = "", *before, *after;
	cJSON *a, *b;

	populate(fx);
	before = fx_state(fx);
	/* Release the lock as a stopped daemon would, then start again. */
	store_close(&fx->ctx);
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	{
		struct rp_ctx old = fx->ctx;
		fx->ctx.store = ctx.store;
		fx->ctx.ipam = ctx.ipam;
		fx->ctx.netdrv = ctx.netdrv;
		after = fx_state(fx);
		fx->ctx.store = old.store;
		fx->ctx.ipam = old.ipam;
		fx->ctx.netdrv = old.netdrv;
	}
	a = cJSON_Parse(before);
	b = cJSON_Parse(after);
	assert_true(cJSON_Compare(a, b, true));
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(before);
	free(after);

	/* The loaded state answers like the old one. */
	netdrv_free(&fx->ctx);
	ipam_free(&fx->ctx);
	announce_free(&fx->ctx);
	fx->ctx = ctx;
	assert_int_equal(fx_net(fx, "/NetworkDriver.EndpointOperInfo",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\"}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.0\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "already in use"));
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "auxiliary"));
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.1.1/32");
	fx_free(fx);
}

static void
test_lock(void **state)
{
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512] = "";

	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "in use by another routed-plugin"));
	close_ctx(&ctx);
	fx_free(fx);
}

static void
write_state(struct fixture *fx, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_FILE);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_bad_files_refused_and_kept(void **state)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{ "{\"version\":1,\"ipam\":{\"pools\":[]", "corrupt" },
		{ "", "corrupt" },
		{ "[]", "corrupt" },
		{ "{\"version\":3,\"records\":[]}", "version" },
		{ "{\"ipam\":{\"pools\":[]}}", "version" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[{\"pool\":\"x\"}]},"
		  "\"netdrv\":{\"networks\":[],\"endpoints\":[]}}", "pool" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[]},\"netdrv\":{\"networks\":"
		  "[],\"endpoints\":[{\"id\":\"e\",\"network\":\"gone\",\"addr4\":"
		  "\"10.0.0.1\"}]}}", "endpoint" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[{\"pool\":\"10.0.0.0/24\","
		  "\"allocated\":[\"10.9.0.1\"]}]},\"netdrv\":{\"networks\":[],"
		  "\"endpoints\":[]}}", "invalid allocation" },
	};
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512], *kept;
	size_t i;

	store_close(&fx->ctx);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		write_state(fx, cases[i].text);
		err[0] = '\0';
		assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), -EINVAL);
		if (strstr(err, cases[i].needle) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
		close_ctx(&ctx);
		kept = fx_state(fx);
		assert_string_equal(kept, cases[i].text);
		free(kept);
	}
	assert_int_equal(store_open(&fx->ctx, err, sizeof(err)), 0);
	fx_free(fx);
}

static long
file_size(struct fixture *fx, const char *name)
{
	char path[128];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static void
append(struct fixture *fx, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	assert_non_null(f = fopen(path, "a"));
	fputs(text, f);
	fclose(f);
}

/* Restart from the journal alone: no snapshot was ever written. */
static void
test_journal_replay(void **state)
{
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512] = "";

	populate(fx);
	assert_int_equal(file_size(fx, STORE_FILE), -1);
	assert_true(file_size(fx, STORE_JOURNAL) > 0);
	store_close(&fx->ctx);
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	adopt(fx, &ctx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.EndpointOperInfo",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\"}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "auxiliary"));
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.1.1/32");
	/* A delete replayed: the endpoint stays gone after another restart. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\"}"), 200);
	store_close(&fx->ctx);
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	adopt(fx, &ctx);
	fx_net(fx, "/NetworkDriver.EndpointOperInfo",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "unknown endpoint"));
	fx_free(fx);
}

/* A crash in the middle of a write: the unfinished line is dropped. */
static void
test_torn_journal_tail(void **state)
{
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512] = "";
	long before;

	populate(fx);
	store_close(&fx->ctx);
	before = file_size(fx, STORE_JOURNAL);
	append(fx, STORE_JOURNAL, "{\"op\":\"put\",\"kind\":\"ep\",\"ke");
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	close_ctx(&ctx);
	/*
	 * A commit of several changes cut after its first one: dropped whole,
	 * or the pool would go while its addresses stay (corrupt state).
	 */
	append(fx, STORE_JOURNAL, "[{\"op\":\"del\",\"kind\":\"pool\",\"key\":"
	    "\"10.46.0.0/16\"},{\"op\":\"del\",\"kind\":\"addr\",\"key\":"
	    "\"10.46.0.0/16 10.4");
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	adopt(fx, &ctx);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "auxiliary"));	/* pool kept */
	store_close(&fx->ctx);
	/* A bad line in the middle is corruption: refused, files kept. */
	append(fx, STORE_JOURNAL, "{\"op\":\"frobnicate\"}\n{\"op\":\"del\","
	    "\"kind\":\"ep\",\"key\":\"x\"}\n");
	before = file_size(fx, STORE_JOURNAL);
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "corrupt at line"));
	assert_non_null(strstr(err, "left in place"));
	close_ctx(&ctx);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	fx_free(fx);
}

/*
 * The cost of a write does not grow with the state: the journal grows by
 * the same number of bytes for the 10th endpoint as for the 300th, and
 * the snapshot is rewritten only when the journal outgrows the state.
 */
static void
test_write_cost_is_constant(void **state)
{
	struct fixture *fx = fx_new();
	long grow10 = 0, grow300 = 0, a, b;
	char body[512], ep[80];
	int i;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.46.0.0/16\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"IPv4Data\":[{\"Pool\":"
	    "\"10.46.0.0/16\"}]}"), 200);
	for (i = 1; i <= 300; i++) {
		snprintf(ep, sizeof(ep), "%012x%052d", i, 0);
		snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\","
		    "\"EndpointID\":\"%s\",\"Interface\":{\"Address\":"
		    "\"10.46.%d.%d/32\"}}", ep, 100 + i / 100, 100 + i % 100);
		a = file_size(fx, STORE_JOURNAL);
		assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint", body),
		    200);
		b = file_size(fx, STORE_JOURNAL);
		if (i == 10)
			grow10 = b - a;
		if (i == 300)
			grow300 = b - a;
		stub_reset();	/* the stub holds 64 veths */
	}
	assert_true(grow10 > 0);
	assert_int_equal(grow10, grow300);
	/* Still no snapshot: 300 writes are far from a compaction. */
	assert_int_equal(file_size(fx, STORE_FILE), -1);
	fx_free(fx);
}

/* Start-up makes the host match the state (stubbed netlink). */
static void
test_reconcile_after_restart(void **state)
{
	struct fixture *fx = fx_new();
	struct rp_ctx ctx;
	char err[512] = "";
	struct stub_link *l;

	populate(fx);		/* endpoint EID: veth rtb60d823d5fe2, 2 routes */
	store_close(&fx->ctx);
	assert_int_equal(reopen(fx, &ctx, err, sizeof(err)), 0);
	/* While the plugin was down: its routes vanished, strays appeared. */
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	l->routes = 0;
	l->mtu = 1500;
	strcpy(stub_links[stub_nlinks].host, "rt0123456789ab");
	strcpy(stub_links[stub_nlinks++].peer, "rc0123456789ab");
	strcpy(stub_links[stub_nlinks].host, "rtnotours");
	strcpy(stub_links[stub_nlinks++].peer, "rcnotours");
	netdrv_reconcile(&ctx);
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	assert_int_equal(l->routes, 2);		/* /32 and /128 back */
	assert_int_equal(l->mtu, 9000);		/* the network's MTU */
	assert_true(l->gw6);			/* proxy NDP back */
	assert_null(stub_find("rt0123456789ab"));	/* stray deleted */
	assert_non_null(stub_find("rtnotours"));	/* not our naming */
	close_ctx(&ctx);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_bad_files_refused_and_kept),
		cmocka_unit_test(test_journal_replay),
		cmocka_unit_test(test_torn_journal_tail),
		cmocka_unit_test(test_write_cost_is_constant),
		cmocka_unit_test(test_reconcile_after_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
