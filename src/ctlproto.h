/* SPDX-License-Identifier: MIT */
/*
 * ctlproto.h: the control socket's wire format, shared by the daemons'
 * server (ctl.c) and routedctl.  No I/O here.
 *
 * A request is one JSON object on one line, at most CTL_REQUEST_MAX bytes
 * with its newline:
 *	{"version":1,"command":"status"}
 * A reply is one JSON object on one line:
 *	{"version":1,"ok":true,"result":<any JSON value>}
 *	{"version":1,"ok":false,"error":"why"}
 * Members a decoder does not know are ignored, so that either side may add
 * some within a version; a version it does not speak is refused.
 */
#ifndef RP_CTLPROTO_H
#define RP_CTLPROTO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define CTL_VERSION		1
#define CTL_REQUEST_MAX		4096		/* bytes, newline included */
#define CTL_REPLY_MAX		(64u << 20)	/* what routedctl accepts */
#define CTL_COMMAND_MAX		32		/* command name, with its NUL */
#define CTL_SOCKET		"routed-plugin.ctl"	/* under --run-dir */
#define CTL_HELPER_SOCKET	"routed-zebra-helper.ctl"

struct ctl_request {
	unsigned version;
	char command[CTL_COMMAND_MAX];	/* [a-z0-9-], 1..31 characters */
};

/*
 * Decode the request in p[0..n) (its newline may be there or not).  0, or
 * -EBADMSG (not one JSON object, no or a bad "command") or
 * -EPROTONOSUPPORT (another version), with the reason in err.
 */
int ctlproto_request_decode(const char *p, size_t n, struct ctl_request *rq,
    char *err, size_t errlen);

/*
 * A request line for command, newline included (malloc'd, the caller
 * frees); NULL with errno set: EINVAL (a bad name) or ENOMEM.
 */
char *ctlproto_request_encode(const char *command);

/*
 * Reply lines, newline included (malloc'd; NULL on ENOMEM).  The success
 * reply consumes result (also on failure).
 */
char *ctlproto_reply_encode(cJSON *result);
char *ctlproto_error_encode(const char *msg);

/*
 * Decode the reply in p[0..n).  0 and *result (the caller frees it with
 * cJSON_Delete); -EREMOTEIO when the server refused the request (its
 * message in err); -EBADMSG (malformed) or -EPROTONOSUPPORT (another
 * version), with the reason in err.
 */
int ctlproto_reply_decode(const char *p, size_t n, cJSON **result, char *err,
    size_t errlen);

#endif
