/* SPDX-License-Identifier: MIT */
/*
 * ctl.h: the control socket server, for routedctl: a unix stream socket
 * (mode 0660, owned by a group), served on the daemon's event loop,
 * separate from Docker's sockets.  Requests and replies are ctlproto lines;
 * the commands come from the caller's table, so that routed-plugin and
 * routed-zebra-helper each serve their own.
 *
 * Who may do what: the socket's mode and group decide who may connect; a
 * command marked privileged runs only for a peer whose uid is 0 (the
 * kernel's SO_PEERCRED, taken at connect time).
 */
#ifndef RP_CTL_H
#define RP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct event_base;
struct ctl;

struct ctl_call {
	pid_t pid;		/* the peer, as the kernel saw it at connect */
	uid_t uid;
	gid_t gid;
	cJSON *result;		/* NULL: the handler sets it on success */
	char err[256];		/* the message of a failure */
};

/* 0 with c->result set, or -errno with a message in c->err. */
typedef int (*ctl_fn)(void *arg, struct ctl_call *c);

struct ctl_cmd {
	const char *name;
	ctl_fn fn;
	bool privileged;	/* root only */
	const char *help;	/* one line, for "help" */
};

/*
 * Listen on path (mode 0660; group gid unless it is 0) and serve cmds with
 * arg on base.  "help" is answered by the server itself.  A stale socket
 * file is replaced; a live one fails with -EADDRINUSE.  0, or -errno with
 * a message in err.  cmds is borrowed and must outlive the server.
 */
int ctl_open(struct event_base *base, const char *path, gid_t gid,
    const struct ctl_cmd *cmds, size_t ncmds, void *arg, struct ctl **out,
    char *err, size_t errlen);
/* Remove the socket file, close every connection and free (NULL is fine). */
void ctl_free(struct ctl *ctl);

/* Clients connected now, and requests served since ctl_open(). */
unsigned ctl_clients(const struct ctl *ctl);
unsigned long ctl_requests(const struct ctl *ctl);

/* Record a failure message in c->err; returns code (< 0). */
int ctl_fail(struct ctl_call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
