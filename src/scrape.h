/* SPDX-License-Identifier: MIT */
/*
 * scrape.h: routed-plugin's metrics exposition: the counters of metrics.h
 * and the state of the daemon context, read when a scrape asks.  Served on
 * the control socket ("metrics") and, with --metrics-listen, over HTTP.
 */
#ifndef RP_SCRAPE_H
#define RP_SCRAPE_H

#include <stddef.h>

struct rp_ctx;
struct scrape;

/* The exposition, malloc'd (the caller frees); NULL: ENOMEM. */
char *scrape_render(struct rp_ctx *ctx);

/*
 * Serve GET /metrics over HTTP on addr ("HOST:PORT", "[V6]:PORT") on the
 * context's loop.  0 and *out, or -errno with a message in err.
 */
int scrape_listen(struct rp_ctx *ctx, const char *addr, struct scrape **out,
    char *err, size_t errlen);
void scrape_free(struct scrape *s);

/* Split "HOST:PORT" or "[V6]:PORT": 0, or -EINVAL. */
int scrape_parse_addr(const char *s, char *host, size_t hostlen,
    unsigned short *port);

#endif
