/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ctl.c: libFuzzer harness for the control socket's wire format
 * (ctlproto.c), both directions: the daemon decoding a request, routedctl
 * decoding a reply.  The first byte chooses the direction, the rest is the
 * line.
 *
 * Oracles: a decoded request has a valid command that encodes and decodes
 * back to itself; a refused one leaves a message; a decoded reply's result
 * encodes to a reply that decodes to an equal result; a server error's
 * message survives its own encoding.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_ctl.c src/ctlproto.c -lcjson -o fuzz_ctl
 *   ./fuzz_ctl -max_total_time=60 tests/fuzz/corpus/ctl
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_ctl: INVARIANT %s (line %d)\n",	\
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

static void
request(const char *p, size_t n)
{
	struct ctl_request rq, rq2;
	char err[256], *l;
	int r;

	err[0] = '\0';
	r = ctlproto_request_decode(p, n, &rq, err, sizeof(err));
	CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT);
	if (r != 0) {
		CHECK(err[0] != '\0');
		/* The error reply the server sends for it is one line. */
		l = ctlproto_error_encode(err);
		CHECK(l != NULL && strchr(l, '\n') == l + strlen(l) - 1);
		free(l);
		return;
	}
	CHECK(rq.version == CTL_VERSION);
	l = ctlproto_request_encode(rq.command);
	CHECK(l != NULL);
	CHECK(strlen(l) <= CTL_REQUEST_MAX);
	CHECK(ctlproto_request_decode(l, strlen(l), &rq2, err,
	    sizeof(err)) == 0);
	CHECK(strcmp(rq.command, rq2.command) == 0);
	free(l);
}

static void
reply(const char *p, size_t n)
{
	char err[256], err2[256], *l;
	cJSON *res = NULL, *res2 = NULL, *copy;
	int r;

	err[0] = '\0';
	r = ctlproto_reply_decode(p, n, &res, err, sizeof(err));
	CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT ||
	    r == -EREMOTEIO);
	if (r == -EREMOTEIO) {
		CHECK(res == NULL);
		l = ctlproto_error_encode(err);
		CHECK(l != NULL);
		CHECK(ctlproto_reply_decode(l, strlen(l), &res2, err2,
		    sizeof(err2)) == -EREMOTEIO);
		CHECK(strcmp(err, err2) == 0);
		free(l);
		return;
	}
	if (r != 0) {
		CHECK(res == NULL && err[0] != '\0');
		return;
	}
	CHECK(res != NULL);
	copy = cJSON_Duplicate(res, 1);
	l = ctlproto_reply_encode(res);		/* consumes res */
	if (copy == NULL || l == NULL) {	/* out of memory only */
		cJSON_Delete(copy);
		free(l);
		return;
	}
	CHECK(ctlproto_reply_decode(l, strlen(l), &res2, err,
	    sizeof(err)) == 0);
	CHECK(cJSON_Compare(copy, res2, 1));
	cJSON_Delete(copy);
	cJSON_Delete(res2);
	free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		reply((const char *)data + 1, size - 1);
	else
		request((const char *)data + 1, size - 1);
	return 0;
}
