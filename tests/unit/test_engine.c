/* SPDX-License-Identifier: MIT */
/*
 * test_engine.c: what the Docker engine's API says, parsed (engine.c): a
 * network object with its routed.* labels, good and bad; the subnet split
 * in halves; event lines; HTTP responses with Content-Length, chunked and
 * read-to-close bodies fed whole and a byte at a time; every bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct engine_defaults defs = { 100, 0, false, 0 };

/* A network object as GET /networks gives it (Docker 20.10), with labels. */
static cJSON *
net(const char *driver, const char *labels, const char *subnets,
    const char *options)
{
	char buf[4096];
	cJSON *o;

	snprintf(buf, sizeof(buf), "{\"Name\":\"lbl\",\"Id\":\"" ID "\","
	    "\"Created\":\"2026-12-02T09:00:00Z\",\"Scope\":\"local\","
	    "\"Driver\":\"%s\",\"EnableIPv6\":false,\"IPAM\":{\"Driver\":"
	    "\"default\",\"Options\":{},\"Config\":[%s]},\"Internal\":false,"
	    "\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":"
	    "\"\"},\"ConfigOnly\":false,\"Containers\":{},\"Options\":{%s},"
	    "\"Labels\":{%s}}", driver, subnets, options, labels);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	return o;
}

static int
parse(const char *driver, const char *labels, const char *subnets,
    const char *options, struct engine_net *n, char *err, size_t errlen)
{
	cJSON *o = net(driver, labels, subnets, options);
	int r = engine_net_parse(o, &defs, n, err, errlen);

	cJSON_Delete(o);
	return r;
}

#define SUB4 "{\"Subnet\":\"10.47.0.0/24\",\"Gateway\":\"10.47.0.1\"}"

static void
test_network_good(void **state)
{
	struct engine_net n;
	char err[256], ps[ADDR_STRLEN];

	(void)state;
	assert_int_equal(parse("bridge", "\"routed.announce\":\"aggregate\"",
	    SUB4, "\"com.docker.network.bridge.enable_ip_masquerade\":"
	    "\"false\"", &n, err, sizeof(err)), 1);
	assert_string_equal(n.id, ID);
	assert_string_equal(n.name, "lbl");
	assert_string_equal(n.bridge, "br-0123456789ab");
	assert_int_equal(n.nsubnets, 1);
	assert_string_equal(prefix_fmt(&n.subnets[0], ps, sizeof(ps)),
	    "10.47.0.0/24");
	assert_int_equal(n.tag, 100);
	assert_false(n.has_metric);
	assert_int_equal(n.distance, 0);

	/* attributes, a bridge name of the operator's, dual stack */
	assert_int_equal(parse("bridge", "\"routed.announce\":\"aggregate\","
	    "\"routed.tag\":\"200\",\"routed.metric\":\"7\","
	    "\"routed.distance\":\"90\",\"other\":\"x\"",
	    SUB4 ",{\"Subnet\":\"fd47::/64\"}",
	    "\"com.docker.network.bridge.name\":\"mybr0\"", &n, err,
	    sizeof(err)), 1);
	assert_int_equal(n.tag, 200);
	assert_true(n.has_metric);
	assert_int_equal(n.metric, 7);
	assert_int_equal(n.distance, 90);
	assert_string_equal(n.bridge, "mybr0");
	assert_int_equal(n.nsubnets, 2);
	assert_string_equal(prefix_fmt(&n.subnets[1], ps, sizeof(ps)),
	    "fd47::/64");
}

static void
test_network_ignored(void **state)
{
	struct engine_net n;
	char err[256];

	(void)state;
	/* no label, none, labels null, another driver without our label */
	assert_int_equal(parse("bridge", "", SUB4, "", &n, err, sizeof(err)), 0);
	assert_string_equal(n.id, ID);
	assert_int_equal(parse("bridge", "\"routed.announce\":\"none\"", SUB4,
	    "", &n, err, sizeof(err)), 0);
	assert_int_equal(parse("overlay", "\"a\":\"b\"", SUB4, "", &n, err,
	    sizeof(err)), 0);
}

struct bad {
	const char *driver, *labels, *subnets, *options, *msg;
};

static void
test_network_bad(void **state)
{
	static const struct bad cases[] = {
		{ "bridge", "\"routed.announce\":\"bogus\"", SUB4, "",
		  "label routed.announce=bogus: must be aggregate or none" },
		{ "bridge", "\"routed.announce\":\"Aggregate\"", SUB4, "",
		  "must be aggregate or none" },
		{ "bridge", "\"routed.announce\":\"host\"", SUB4, "",
		  "must be aggregate or none" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.tag\":\"x1\"", SUB4, "",
		  "label routed.tag=x1: must be 0..4294967295" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.tag\":\"4294967296\"", SUB4, "", "routed.tag" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.tag\":\"-1\"", SUB4, "", "routed.tag" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.distance\":\"0\"", SUB4, "",
		  "routed.distance=0: must be 1..255" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.metric\":\"\"", SUB4, "", "routed.metric" },
		{ "bridge", "\"routed.announce\":\"aggregate\","
		  "\"routed.tga\":\"1\"", SUB4, "", "unknown label routed.tga" },
		{ "bridge", "\"routed.tag\":\"1\"", SUB4, "",
		  "label routed.tag without routed.announce=aggregate" },
		{ "overlay", "\"routed.announce\":\"aggregate\"", SUB4, "",
		  "driver overlay: only bridge networks" },
		{ "bridge", "\"routed.announce\":\"aggregate\"", "", "",
		  "no subnet" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"10.47.0.1/24\"}", "", "host bits set" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"10.47.0.0/33\"}", "", "not a prefix" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"10.47.0.7/32\"}", "", "not a subnet" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"10.47.0.0\"}", "", "not a prefix" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\" 10.47.0.0/24\"}", "", "not a prefix" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"127.0.0.0/8\"}", "", "loopback" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"224.1.0.0/16\"}", "", "multicast" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":\"fe80::/64\"}", "", "link-local" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  "{\"Subnet\":7}", "", "not a prefix" },
		{ "bridge", "\"routed.announce\":\"aggregate\"",
		  SUB4 "," SUB4, "", "given twice" },
		{ "bridge", "\"routed.announce\":\"aggregate\"", SUB4,
		  "\"com.docker.network.bridge.name\":\"a/b\"",
		  "not an interface name" },
		{ "bridge", "\"routed.announce\":\"aggregate\"", SUB4,
		  "\"com.docker.network.bridge.name\":\"sixteen-chars-xx\"",
		  "not an interface name" },
		{ "bridge", "\"routed.announce\":7", SUB4, "", "not a string" },
	};
	struct engine_net n;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (parse(cases[i].driver, cases[i].labels, cases[i].subnets,
		    cases[i].options, &n, err, sizeof(err)) != -EINVAL ||
		    strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i, err,
			    cases[i].msg);
		/* the network is named in the error's context */
		assert_string_equal(n.id, ID);
	}
}

static void
test_network_malformed(void **state)
{
	static const char *docs[] = {
		"[]", "{}", "{\"Id\":\"abc\"}", "{\"Id\":7}",
		"{\"Id\":\"" ID "0\"}",
		"{\"Id\":\"0123456789ABCDEF0123456789abcdef0123456789abcdef"
		"0123456789abcdef\"}",
		"{\"Id\":\"" ID "\",\"Labels\":[1]}",
		"{\"Id\":\"" ID "\",\"Labels\":{\"routed.announce\":"
		"\"aggregate\"},\"Driver\":\"bridge\"}",
		"{\"Id\":\"" ID "\",\"Labels\":{\"routed.announce\":"
		"\"aggregate\"},\"Driver\":\"bridge\",\"IPAM\":{\"Config\":{}}}",
		"{\"Id\":\"" ID "\",\"Labels\":{\"routed.announce\":"
		"\"aggregate\"},\"Driver\":\"bridge\",\"Scope\":\"swarm\"}",
	};
	struct engine_net n;
	char err[256];
	size_t i;
	cJSON *o;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_non_null(o = cJSON_Parse(docs[i]));
		err[0] = '\0';
		if (engine_net_parse(o, &defs, &n, err, sizeof(err)) != -EINVAL ||
		    err[0] == '\0')
			fail_msg("doc %zu accepted: %s", i, docs[i]);
		cJSON_Delete(o);
	}
}

static void
test_halves(void **state)
{
	static const char *cases[][3] = {
		{ "10.47.0.0/24", "10.47.0.0/25", "10.47.0.128/25" },
		{ "10.0.0.0/8", "10.0.0.0/9", "10.128.0.0/9" },
		{ "172.18.0.0/16", "172.18.0.0/17", "172.18.128.0/17" },
		{ "10.47.0.6/31", "10.47.0.6/32", "10.47.0.7/32" },
		{ "fd47::/64", "fd47::/65", "fd47::8000:0:0:0/65" },
	};
	struct ipprefix p, h[2];
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(prefix_parse(cases[i][0], &p), 0);
		assert_int_equal(engine_halves(&p, h), 0);
		assert_string_equal(prefix_fmt(&h[0], a, sizeof(a)), cases[i][1]);
		assert_string_equal(prefix_fmt(&h[1], b, sizeof(b)), cases[i][2]);
	}
	assert_int_equal(prefix_parse("10.47.0.7/32", &p), 0);
	assert_int_equal(engine_halves(&p, h), -EINVAL);
}

static void
test_events(void **state)
{
	static const char create[] = "{\"Type\":\"network\",\"Action\":"
	    "\"create\",\"Actor\":{\"ID\":\"" ID "\",\"Attributes\":{\"name\":"
	    "\"lbl\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1,"
	    "\"timeNano\":1}";
	static const char destroy[] = "{\"Type\":\"network\",\"Action\":"
	    "\"destroy\",\"Actor\":{\"ID\":\"" ID "\",\"Attributes\":{\"name\":"
	    "\"lbl\",\"type\":\"bridge\"}}}";
	static const char *other[] = {
		/* connect, another driver, another type */
		"{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":"
		"\"" ID "\",\"Attributes\":{\"type\":\"bridge\"}}}",
		"{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":"
		"\"" ID "\",\"Attributes\":{\"type\":\"net-routed\"}}}",
		("{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":"
		    "{\"ID\":\"x\"}}"),
	};
	static const char *bad[] = {
		"", "{", "[]", "{\"Type\":\"network\"}",
		"{\"Type\":\"network\",\"Action\":\"create\"}",
		("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":"
		    "{\"ID\":\"../x\"}}"),
		"{\"Type\":1,\"Action\":\"create\"}",
	};
	enum engine_action act;
	char id[ENGINE_ID_LEN + 1], err[128];
	size_t i;

	(void)state;
	assert_int_equal(engine_event_parse(create, strlen(create), &act, id,
	    err, sizeof(err)), 0);
	assert_int_equal(act, ENGINE_EV_CREATE);
	assert_string_equal(id, ID);
	assert_int_equal(engine_event_parse(destroy, strlen(destroy), &act, id,
	    err, sizeof(err)), 0);
	assert_int_equal(act, ENGINE_EV_DESTROY);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_int_equal(engine_event_parse(other[i], strlen(other[i]),
		    &act, id, err, sizeof(err)), 0);
		assert_int_equal(act, ENGINE_EV_OTHER);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(engine_event_parse(bad[i], strlen(bad[i]),
		    &act, id, err, sizeof(err)), -EINVAL);
	/* a NUL inside: refused, not cut short */
	assert_int_equal(engine_event_parse(create, sizeof(create), &act, id,
	    err, sizeof(err)), -EINVAL);
}

/* ------------------------------------------------------------- responses */

struct sink {
	char buf[1 << 16];
	size_t len;
};

static int
sink(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	assert_true(s->len + n <= sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

/* Feed text whole, or a byte at a time; the final result. */
static int
feed(struct engine_resp *r, const char *text, bool bytewise)
{
	size_t i, n = strlen(text);
	int e = 0;

	if (!bytewise)
		return engine_resp_feed(r, text, n);
	for (i = 0; i < n && e == 0; i++)
		e = engine_resp_feed(r, text + i, 1);
	return e;
}

static void
test_responses(void **state)
{
	static const struct {
		const char *text;
		int status, result;
		const char *body;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		  "Content-Length: 2\r\n\r\n[]", 200, 1, "[]" },
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, 1,
		  "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", 200, 1,
		  "hello world" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "A\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n", 200, 1,
		  "0123456789" },
		/* a stream: chunks keep coming */
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "3\r\n{}\n\r\n", 200, 0, "{}\n" },
		/* to close */
		{ "HTTP/1.0 200 OK\r\n\r\nabc", 200, 0, "abc" },
		{ "HTTP/1.1 204 No Content\r\n\r\n", 204, 1, "" },
		{ "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", 200, 1, "x" },
		/* malformed */
		{ "HTTP/2 200 OK\r\n\r\n", 0, -EBADMSG, "" },
		{ "HTTP/1.1 2x0 OK\r\n\r\n", 0, -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
		  "Content-Length: 1\r\n\r\n", 200, -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n", 200, -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200,
		  -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 200,
		  -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", 200, -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "zz\r\n", 200, -EBADMSG, "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "2\r\nabX\r\n", 200, -EBADMSG, "ab" },
		/* over the bounds */
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 200,
		  -EMSGSIZE, "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "ffffffffffffffffff\r\n", 200, -EMSGSIZE, "" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "800\r\n", 200, 0, "" },
	};
	static struct engine_resp r;
	static struct sink s;
	size_t i;
	int bw, e;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (bw = 0; bw < 2; bw++) {
			memset(&s, 0, sizeof(s));
			engine_resp_init(&r, 1024, sink, &s);
			e = feed(&r, cases[i].text, bw);
			if (e != cases[i].result || (int)s.len !=
			    (int)strlen(cases[i].body) || memcmp(s.buf,
			    cases[i].body, s.len) != 0 || (cases[i].status &&
			    r.status != cases[i].status))
				fail_msg("case %zu (%s): result %d status %d "
				    "body '%.*s'", i, bw ? "bytewise" : "whole",
				    e, r.status, (int)s.len, s.buf);
		}
	/* the sum of chunks is bounded too */
	memset(&s, 0, sizeof(s));
	engine_resp_init(&r, 4, sink, &s);
	assert_int_equal(feed(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n", false), -EMSGSIZE);
	/* to close: complete at EOF; a cut Content-Length is not */
	engine_resp_init(&r, 0, sink, &s);
	assert_int_equal(feed(&r, "HTTP/1.1 200 OK\r\n\r\n[]", false), 0);
	assert_int_equal(engine_resp_eof(&r), 1);
	engine_resp_init(&r, 0, sink, &s);
	assert_int_equal(feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "\r\n[]", false), 0);
	assert_int_equal(engine_resp_eof(&r), -EPIPE);
	engine_resp_init(&r, 0, sink, &s);
	assert_int_equal(engine_resp_eof(&r), -EPIPE);
}

static void
test_head_bound(void **state)
{
	static struct engine_resp r;
	char line[1024];
	int e = 0, i;

	(void)state;
	engine_resp_init(&r, 0, NULL, NULL);
	assert_int_equal(engine_resp_feed(&r, "HTTP/1.1 200 OK\r\n", 17), 0);
	memset(line, 'a', sizeof(line));
	line[0] = 'X';
	line[1] = ':';
	line[sizeof(line) - 2] = '\r';
	line[sizeof(line) - 1] = '\n';
	for (i = 0; i < 64 && e == 0; i++)
		e = engine_resp_feed(&r, line, sizeof(line));
	assert_int_equal(e, -EMSGSIZE);
	assert_true(i <= ENGINE_HEAD_MAX / (int)sizeof(line) + 1);
}

struct lines {
	int n;
	char last[64];
};

static int
on_line(void *arg, const char *p, size_t n)
{
	struct lines *l = arg;

	l->n++;
	snprintf(l->last, sizeof(l->last), "%.*s", (int)n, p);
	return 0;
}

static void
test_lines(void **state)
{
	struct lines got = { 0, "" };
	struct engine_lines l = { NULL, 0, on_line, &got };
	char *big;

	(void)state;
	assert_int_equal(engine_lines_feed(&l, "{\"a\":1}\n{\"b\"", 12), 0);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.last, "{\"a\":1}");
	assert_int_equal(engine_lines_feed(&l, ":2}\r\n\n", 6), 0);
	assert_int_equal(got.n, 2);		/* empty lines are skipped */
	assert_string_equal(got.last, "{\"b\":2}");
	/* a line over the bound, even fed in pieces */
	big = malloc(ENGINE_LINE_MAX / 2 + 1);
	assert_non_null(big);
	memset(big, 'x', ENGINE_LINE_MAX / 2 + 1);
	assert_int_equal(engine_lines_feed(&l, big, ENGINE_LINE_MAX / 2), 0);
	assert_int_equal(engine_lines_feed(&l, big, ENGINE_LINE_MAX / 2 + 1),
	    -EMSGSIZE);
	free(big);
	engine_lines_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_good),
		cmocka_unit_test(test_network_ignored),
		cmocka_unit_test(test_network_bad),
		cmocka_unit_test(test_network_malformed),
		cmocka_unit_test(test_halves),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_head_bound),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
