/* SPDX-License-Identifier: MIT */
/*
 * test_store.c: the state on disk: round trip, lock, refusal of anything
 * damaged, torn tails, reconciliation at start.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "announce.h"
#include "reconcile.h"
#include "store.h"

#define NID "n1"
#define EID "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"

/* Stop and start again on the same directory, as a restarted daemon. */
static int
restart(struct fixture *fx, char *err, size_t errlen)
{
	fx_close_state(fx);
	return fx_open_state(fx, err, errlen);
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
	char err[512] = "", *before, *after;

	populate(fx);
	before = fx_state(fx);
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	after = fx_state(fx);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* The loaded state answers like the old one. */
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
	struct store *st = NULL;
	char err[512] = "";

	assert_int_equal(store_open(&st, fx->dir, &fx->schema, err,
	    sizeof(err)), -EBUSY);
	assert_null(st);
	assert_non_null(strstr(err, "in use by another routed-plugin"));
	fx_free(fx);
}

static char *
read_in(const char *dir, const char *name)
{
	char path[128], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static char *
read_text(struct fixture *fx, const char *name)
{
	return read_in(fx->dir, name);
}

static void
write_text(struct fixture *fx, const char *name, const char *text, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* The version 2 header the released daemon wrote. */
#define J2 "{\"version\":2,\"journal\":true}\n"

static void
test_bad_files_refused_and_kept(void **state)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{ "{\"version\":1,\"ipam\":{\"pools\":[]", "damaged" },
		{ "", "damaged" },
		{ "[]", "damaged" },
		{ "{\"version\":9,\"records\":[]}", "version" },
		{ "{\"ipam\":{\"pools\":[]}}", "version" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[{\"pool\":\"x\"}]},"
		  "\"netdrv\":{\"networks\":[],\"endpoints\":[]}}", "pool" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[]},\"netdrv\":{\"networks\":"
		  "[],\"endpoints\":[{\"id\":\"e\",\"network\":\"gone\",\"addr4\":"
		  "\"10.0.0.1\"}]}}", "network gone has no record" },
		{ "{\"version\":1,\"ipam\":{\"pools\":[{\"pool\":\"10.0.0.0/24\","
		  "\"allocated\":[\"10.9.0.1\"]}]},\"netdrv\":{\"networks\":[],"
		  "\"endpoints\":[]}}", "not an address of pool" },
		/* issue 18: a bad record after the first ended the load, silently */
		{ "{\"version\":2,\"records\":[{\"kind\":\"pool\",\"key\":"
		  "\"10.46.0.0/16\",\"value\":{\"pool\":\"10.46.0.0/16\"}},{\"kind\":"
		  "\"addr\",\"key\":\"10.46.0.0/16 10.46.0.5\",\"velue\":true},"
		  "{\"kind\":\"addr\",\"key\":\"10.46.0.0/16 10.46.0.6\",\"value\":"
		  "true}]}", "record 2 is not {kind, key, value}" },
		{ "{\"version\":2,\"records\":[{\"kind\":\"pool\",\"key\":"
		  "\"10.46.0.0/16\",\"value\":{\"pool\":\"10.46.0.0/16\"}},{\"kind\":"
		  "7,\"key\":\"x\",\"value\":true}]}", "record 2" },
		{ "{\"version\":2,\"records\":[{\"kind\":\"frob\",\"key\":\"x\","
		  "\"value\":true}]}", "unknown kind" },
		/* version 3 without its checksum, or with a wrong one */
		{ "{\"version\":3,\"generation\":1,\"records\":[]}", "checksum" },
		{ "{\"version\":3,\"generation\":1,\"records\":[]}\ncrc32 "
		  "00000000\n", "checksum does not match" },
	};
	struct fixture *fx = fx_new();
	char err[1024], *kept;
	size_t i;

	fx_close_state(fx);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		write_text(fx, STORE_FILE, cases[i].text, strlen(cases[i].text));
		write_text(fx, STORE_JOURNAL, J2, strlen(J2));
		err[0] = '\0';
		assert_int_equal(fx_open_state(fx, err, sizeof(err)), -EINVAL);
		if (strstr(err, cases[i].needle) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
		assert_non_null(strstr(err, "left in place"));
		kept = read_text(fx, STORE_FILE);
		assert_string_equal(kept, cases[i].text);
		free(kept);
		kept = read_text(fx, STORE_JOURNAL);
		assert_string_equal(kept, J2);
		free(kept);
	}
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), -EINVAL);
	write_text(fx, STORE_FILE, "{\"version\":2,\"records\":[]}", 26);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
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
	char err[512] = "";

	populate(fx);
	assert_int_equal(file_size(fx, STORE_FILE), -1);
	assert_true(file_size(fx, STORE_JOURNAL) > 0);
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
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
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	fx_net(fx, "/NetworkDriver.EndpointOperInfo",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "unknown endpoint"));
	fx_free(fx);
}

/* Refused with needle in the message, and the journal left as it was. */
static void
assert_refused(struct fixture *fx, const char *needle)
{
	char err[1024] = "", *before, *after;

	before = read_text(fx, STORE_JOURNAL);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), -EINVAL);
	if (strstr(err, needle) == NULL)
		fail_msg("'%s' lacks '%s'", err, needle);
	after = read_text(fx, STORE_JOURNAL);
	if (before != NULL)
		assert_string_equal(before, after);
	else
		assert_null(after);
	free(before);
	free(after);
}

/*
 * A crash in the middle of a write: the unfinished last line is dropped,
 * with a warning.  Damage anywhere else is refused.
 */
static void
test_torn_journal_tail(void **state)
{
	static const char zeros[64];
	struct fixture *fx = fx_new();
	char err[512] = "", *good, *bad;
	long before;
	size_t n;

	populate(fx);
	fx_close_state(fx);
	before = file_size(fx, STORE_JOURNAL);
	good = read_text(fx, STORE_JOURNAL);
	n = strlen(good);
	append(fx, STORE_JOURNAL, "[{\"op\":\"put\",\"kind\":\"ep\",\"ke");
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	fx_close_state(fx);
	/*
	 * A commit of several changes cut after its first one: dropped whole,
	 * or the pool would go while its addresses stay.
	 */
	append(fx, STORE_JOURNAL, "[{\"op\":\"del\",\"kind\":\"pool\",\"key\":"
	    "\"10.46.0.0/16\"},{\"op\":\"del\",\"kind\":\"addr\",\"key\":"
	    "\"10.46.0.0/16 10.4");
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}");
	assert_non_null(strstr(fx_str(fx, "Err"), "auxiliary"));	/* pool kept */
	fx_close_state(fx);
	/* A tail the crash left as zeros: dropped too. */
	write_text(fx, STORE_JOURNAL, good, n);
	append(fx, STORE_JOURNAL, "[{\"op\":");
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_JOURNAL);
		assert_non_null(f = fopen(path, "a"));
		fwrite(zeros, 1, sizeof(zeros), f);
		fclose(f);
	}
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_int_equal(file_size(fx, STORE_JOURNAL), before);
	fx_close_state(fx);

	/* A bad line in the middle is damage: refused, files kept. */
	append(fx, STORE_JOURNAL, "{\"op\":\"frobnicate\"}\n[{\"op\":\"del\","
	    "\"kind\":\"ep\",\"key\":\"x\"}] 00000000\n");
	assert_refused(fx, "damaged at line");
	/* NUL bytes in the middle (issue 18: they truncated everything after). */
	bad = malloc(n + 64);
	assert_non_null(bad);
	memcpy(bad, good, n);
	memset(bad + 60, 0, 8);
	write_text(fx, STORE_JOURNAL, bad, n);
	assert_refused(fx, "damaged at line");
	/* One flipped bit in an acknowledged line: the checksum says so. */
	memcpy(bad, good, n);
	bad[n - 30] ^= 0x01;
	write_text(fx, STORE_JOURNAL, bad, n);
	assert_refused(fx, "checksum mismatch");
	/* The header cut short, then a commit after it. */
	write_text(fx, STORE_JOURNAL, "{\"version\":3,\"jou", 17);
	assert_refused(fx, "header is cut short");
	free(bad);
	/* The journal gone or emptied while a snapshot is there. */
	write_text(fx, STORE_JOURNAL, good, n);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_int_equal(store_compact(fx->ctx.store), 0);
	fx_close_state(fx);
	write_text(fx, STORE_JOURNAL, "", 0);
	assert_refused(fx, "is empty while");
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_JOURNAL);
		unlink(path);
	}
	assert_refused(fx, "is missing while");
	free(good);
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
	char err[512] = "";
	struct stub_link *l;

	populate(fx);		/* endpoint EID: veth rtb60d823d5fe2, 2 routes */
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	/* While the plugin was down: its routes vanished, strays appeared. */
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	l->routes = 0;
	l->mtu = 1500;
	l->moved = true;
	strcpy(stub_links[stub_nlinks].host, "rt0123456789ab");
	strcpy(stub_links[stub_nlinks++].peer, "rc0123456789ab");
	strcpy(stub_links[stub_nlinks].host, "rtabcdefabcdef");
	strcpy(stub_links[stub_nlinks].peer, "rcabcdefabcdef");
	stub_links[stub_nlinks++].moved = true;	/* in an unknown container */
	strcpy(stub_links[stub_nlinks].host, "rtnotours");
	strcpy(stub_links[stub_nlinks++].peer, "rcnotours");
	reconcile_start(&fx->ctx);
	assert_non_null(l = stub_find("rtb60d823d5fe2"));
	assert_int_equal(l->routes, 2);		/* /32 and /128 back */
	assert_int_equal(l->mtu, 9000);		/* the network's MTU */
	assert_true(l->gw6);			/* proxy NDP back */
	assert_null(stub_find("rt0123456789ab"));	/* stray deleted */
	assert_non_null(stub_find("rtabcdefabcdef"));	/* a container's: kept */
	assert_non_null(stub_find("rtnotours"));	/* not our naming */
	fx_free(fx);
}

/*
 * Bug 3 of the model issue: a repair that fails (a sysctl, a netlink error)
 * must never delete the running container's veth it found.
 */
static void
test_reconcile_failure_keeps_the_link(void **state)
{
	struct fixture *fx = fx_new();
	char err[512] = "";
	int n;

	populate(fx);
	stub_find("rtb60d823d5fe2")->moved = true;
	for (n = 1; n <= 4; n++) {
		assert_int_equal(restart(fx, err, sizeof(err)), 0);
		stub_fail_nth = n;	/* veth set-up, a route, ... fails */
		reconcile_start(&fx->ctx);
		stub_fail_nth = 0;
		assert_non_null(stub_find("rtb60d823d5fe2"));
	}
	fx_free(fx);
}

/* cJSON's allocator, failing from the Nth allocation on when armed. */
static int cjson_left = -1;

static void *
failing_malloc(size_t n)
{
	if (cjson_left == 0)
		return NULL;
	if (cjson_left > 0)
		cjson_left--;
	return malloc(n);
}

/*
 * Bug 1 of the model issue: a compaction that cannot serialise a part of
 * the state (out of memory) wrote a snapshot without it and emptied the
 * journal.  Now it fails closed, at whatever allocation it fails.
 */
static void
test_compaction_fails_closed(void **state)
{
	cJSON_Hooks hooks = { failing_malloc, free };
	struct fixture *fx = fx_new();
	char err[512] = "", *want, *snap, *journal, *snap2, *journal2, *got;
	int n, failed = 0;

	populate(fx);
	want = fx_state(fx);		/* compacts: a snapshot exists */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.9\"}"), 200);
	snap = read_text(fx, STORE_FILE);
	journal = read_text(fx, STORE_JOURNAL);
	for (n = 0; n < 400; n++) {
		cJSON_InitHooks(&hooks);
		cjson_left = n;
		if (store_compact(fx->ctx.store) == 0) {
			cJSON_InitHooks(NULL);
			cjson_left = -1;
			break;
		}
		cJSON_InitHooks(NULL);
		cjson_left = -1;
		failed++;
		snap2 = read_text(fx, STORE_FILE);
		journal2 = read_text(fx, STORE_JOURNAL);
		assert_string_equal(snap, snap2);
		assert_string_equal(journal, journal2);
		free(snap2);
		free(journal2);
	}
	assert_true(failed > 10);
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	got = fx_state(fx);
	assert_string_not_equal(got, want);	/* .9 is in: nothing lost */
	assert_non_null(strstr(got, "10.46.1.9"));
	free(got);
	free(want);
	free(snap);
	free(journal);
	fx_free(fx);
}

static int
fail_second(void *arg)
{
	int *calls = arg;

	return ++*calls == 2 ? -ENOSPC : 0;
}

/*
 * A compaction that wrote its snapshot but not the new journal: nothing
 * may go to the old journal then (a load skips it, being older than the
 * snapshot), so the next commit compacts again first; and a crash right
 * there loads the snapshot alone, which holds everything.
 */
static void
test_compaction_crash_between_files(void **state)
{
	struct fixture *fx = fx_new();
	char err[512] = "", *want, *got;
	int calls = 0;

	populate(fx);
	want = fx_state(fx);
	store_set_fault(fx->ctx.store, fail_second, &calls);
	assert_int_not_equal(store_compact(fx->ctx.store), 0);
	store_set_fault(fx->ctx.store, NULL, NULL);
	/* The crash: the journal is of the generation before the snapshot. */
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	got = fx_state(fx);
	assert_string_equal(got, want);
	free(got);
	/* Without a crash: the next commit goes to a new journal. */
	calls = 0;
	store_set_fault(fx->ctx.store, fail_second, &calls);
	assert_int_not_equal(store_compact(fx->ctx.store), 0);
	store_set_fault(fx->ctx.store, NULL, NULL);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.9\"}"), 200);
	assert_int_equal(restart(fx, err, sizeof(err)), 0);
	got = fx_state(fx);
	assert_non_null(strstr(got, "10.46.1.9"));
	free(got);
	free(want);
	fx_free(fx);
}

/* The journal of another snapshot (a restored backup of one file) is refused. */
static void
test_generation_mismatch_refused(void **state)
{
	struct fixture *fx = fx_new();
	char err[1024] = "", *old_journal;

	populate(fx);
	free(fx_state(fx));			/* generation 1 */
	old_journal = read_text(fx, STORE_JOURNAL);
	free(fx_state(fx));			/* generation 2 */
	free(fx_state(fx));			/* generation 3 */
	fx_close_state(fx);
	write_text(fx, STORE_JOURNAL, old_journal, strlen(old_journal));
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "do not belong together"));
	free(old_journal);
	fx_free(fx);
}

/* A schema of its own for the snapshot writer: n records, one of them big. */
struct stream_arg {
	int n;
	int fail_at;		/* the walk fails at this record, or -1 */
	char *big;
};

static const char *const stream_kinds[] = { "k" };

static int
stream_apply(void *arg, const char *kind, const char *key, const cJSON *value,
    char *err, size_t errlen)
{
	return 0;
}

static int
stream_record(const struct stream_arg *sa, int i, char *key, size_t len,
    cJSON **value)
{
	snprintf(key, len, "key \"%d\"\t\\", i);
	*value = i == 7 ? cJSON_CreateString(sa->big) : cJSON_CreateNumber(i);
	return *value != NULL ? 0 : -ENOMEM;
}

static int
stream_walk(void *arg, store_emit_fn emit, void *earg)
{
	struct stream_arg *sa = arg;
	cJSON *v;
	char key[64];
	int i, r;

	for (i = 0; i < sa->n; i++) {
		if (i == sa->fail_at)
			return -EIO;
		if ((r = stream_record(sa, i, key, sizeof(key), &v)) != 0 ||
		    (r = emit(earg, "k", key, v)) != 0)
			return r;
	}
	return 0;
}

/*
 * The snapshot is written record by record (the memory does not grow with
 * the state), and its bytes are those of the whole snapshot printed at
 * once; a walk that fails leaves the old snapshot and no temporary file.
 */
static void
test_snapshot_streamed(void **state)
{
	struct stream_arg sa = { 3000, -1, NULL };
	struct store_schema sc = { stream_kinds, 1, stream_apply, stream_walk,
	    NULL, &sa };
	struct store *st = NULL;
	char dir[] = "/tmp/test_store.XXXXXX", path[128], err[256] = "";
	char key[64], *text, *want, *got;
	cJSON *snap, *recs, *o, *v;
	size_t len;
	int i;

	assert_non_null(mkdtemp(dir));
	assert_non_null(sa.big = malloc(100 * 1024));
	memset(sa.big, 'x', 100 * 1024 - 1);
	sa.big[100 * 1024 - 1] = '\0';
	assert_int_equal(store_open(&st, dir, &sc, err, sizeof(err)), 0);
	assert_int_equal(store_load(st, err, sizeof(err)), 0);
	assert_int_equal(store_compact(st), 0);

	assert_non_null(snap = cJSON_CreateObject());
	cJSON_AddNumberToObject(snap, "version", STORE_VERSION);
	cJSON_AddNumberToObject(snap, "generation", 1);
	recs = cJSON_AddArrayToObject(snap, "records");
	for (i = 0; i < sa.n; i++) {
		assert_int_equal(stream_record(&sa, i, key, sizeof(key), &v), 0);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", "k");
		cJSON_AddStringToObject(o, "key", key);
		cJSON_AddItemToObject(o, "value", v);
		cJSON_AddItemToArray(recs, o);
	}
	assert_non_null(text = cJSON_PrintUnformatted(snap));
	len = strlen(text);
	assert_non_null(want = malloc(len + 17));
	snprintf(want, len + 17, "%s\ncrc32 %08lx\n", text,
	    store_crc32(text, len));
	assert_non_null(got = read_in(dir, STORE_FILE));
	assert_string_equal(got, want);

	/* A walk that fails half way: nothing replaced, nothing left. */
	sa.fail_at = 2000;
	assert_int_equal(store_compact(st), -EIO);
	free(got);
	assert_non_null(got = read_in(dir, STORE_FILE));
	assert_string_equal(got, want);
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, STORE_FILE);
	assert_int_equal(access(path, F_OK), -1);

	store_close(st);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	cJSON_Delete(snap);
	free(text);
	free(want);
	free(got);
	free(sa.big);
}

static void
test_crc32(void **state)
{
	assert_int_equal(store_crc32("123456789", 9), 0xcbf43926UL);
	assert_int_equal(store_crc32("", 0), 0);
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
		cmocka_unit_test(test_reconcile_failure_keeps_the_link),
		cmocka_unit_test(test_compaction_fails_closed),
		cmocka_unit_test(test_compaction_crash_between_files),
		cmocka_unit_test(test_generation_mismatch_refused),
		cmocka_unit_test(test_snapshot_streamed),
		cmocka_unit_test(test_crc32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
