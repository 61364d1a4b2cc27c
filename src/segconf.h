/* SPDX-License-Identifier: MIT */
/*
 * segconf.h: the settings of a VXLAN segment network (-o routed.mode=vxlan):
 * the VNI, the gateway every host's bridge carries, and the VXLAN and
 * bridge options named after iproute2's keywords.  Pure data and text: no
 * netlink, no JSON.  segconf_set() is the one parser, used for Docker's
 * options and for records on disk alike; segconf_walk() gives the options
 * back as the same key=value text, so a record reads back to the same
 * settings.
 */
#ifndef RP_SEGCONF_H
#define RP_SEGCONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SEG_VNI_MAX	16777215
#define SEG_REMOTES_MAX	16
#define SEG_DSTPORT	4789		/* IANA's; the kernel's default is 8472 */

/* What the plugin made on this host, so that only that is taken down. */
#define SEG_MADE_VXLAN	0x01
#define SEG_MADE_BRIDGE	0x02
#define SEG_MADE_ADDR	0x04		/* the gateway's proxy entry on the bridge */
#define SEG_MADE_ROUTE	0x08		/* the subnet route via the bridge */
#define SEG_MADE_PORT	0x10		/* the VXLAN device became a port */

struct segconf {
	uint32_t vni;			/* 1..SEG_VNI_MAX */
	uint32_t set;			/* bit i: option i of segconf.c given */
	struct ipaddr gateway;		/* family 0: the plugin's --gateway */
	char vx_name[IFNAMSIZ];		/* the VXLAN device ("rv<vni>") */
	char br_name[IFNAMSIZ];		/* the bridge ("rb<vni>") */
	char dev[IFNAMSIZ];		/* the underlay device, "" none */
	struct ipaddr local, group;	/* family 0: unset */
	struct ipaddr remote[SEG_REMOTES_MAX];	/* the static flood list */
	unsigned nremote;
	uint8_t ttl, tos;
	bool learning;			/* default: on with remote or group */
	bool proxy, rsc, l2miss, l3miss, gbp;
	uint32_t ageing, maxaddress;
	uint16_t srcport_lo, srcport_hi;
	uint16_t dstport;
	unsigned vx_mtu, br_mtu;	/* 0: the kernel's */
	uint32_t vx_txqlen, br_txqlen;
	uint8_t vx_mac[6], br_mac[6];	/* br_mac defaults to the gateway MAC */
	/* state, not options */
	uint32_t made;			/* SEG_MADE_* */
	uint32_t made_fdb;		/* bit i: the flood entry to remote[i] */
};

/* Defaults for a segment: names and MAC from the VNI, dstport 4789. */
void segconf_init(struct segconf *c, uint32_t vni);

/*
 * Option key (a full "routed.vxlan.ttl" or "routed.bridge.mtu" key, or
 * "routed.gateway") = value into c.  0; 1 when key is not a segment option
 * (the caller tries its own); -EINVAL with a message in err.
 */
int segconf_set(struct segconf *c, const char *key, const char *value,
    char *err, size_t errlen);
/*
 * Checks across options, and fills the defaults that depend on others
 * (learning).  0, or -EINVAL with a message in err.
 */
int segconf_finish(struct segconf *c, char *err, size_t errlen);

/* fn(key, value, arg) for every option given, in a fixed order; stops at
 * the first non-zero return of fn and returns it. */
int segconf_walk(const struct segconf *c,
    int (*fn)(const char *key, const char *value, void *arg), void *arg);

/* Whether option key (e.g. "routed.vxlan.ttl") was given. */
bool segconf_given(const struct segconf *c, const char *key);

/* True when a and b hold the same options (not the same state). */
bool segconf_same(const struct segconf *a, const struct segconf *b);

/* Whether key is "routed.vxlan.*", "routed.bridge.*" or "routed.gateway". */
bool segconf_is_key(const char *key);

/* The option keys, ", "-separated, for error messages. */
const char *segconf_keys(void);

#endif
