/* SPDX-License-Identifier: MIT */
/*
 * console.h: routed-plugin's control socket commands (status, networks,
 * endpoints, routes, metrics, withdraw-all), served by ctl.c for routedctl.
 * Everything here reads the daemon context; only withdraw-all changes it.
 */
#ifndef RP_CONSOLE_H
#define RP_CONSOLE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct rp_ctx;
struct zclient;

/*
 * Serve the commands on --run-dir/CTL_SOCKET (group --socket-group).  0,
 * or -errno with a message in err.
 */
int console_open(struct rp_ctx *ctx, char *err, size_t errlen);
/*
 * The state in one line ("3 networks, 12 endpoints, 12 routes; zebra up:
 * ..."), for systemd's STATUS=; arg is the context.
 */
void console_status_line(void *arg, char *buf, size_t len);

/* Stop serving and free (nothing open is fine). */
void console_close(struct rp_ctx *ctx);

/*
 * Parts of "status" that routed-zebra-helper's console shares: add
 * "zebra" (the session of zc, or {"session": "none"} for NULL) and
 * "last_error" to parent.  0 or -ENOMEM.
 */
int console_put_zebra(struct zclient *zc, cJSON *parent);
int console_put_last_error(cJSON *parent);

#endif
