/* SPDX-License-Identifier: MIT */
/*
 * addr.h: IPv4/IPv6 addresses and prefixes, parsed strictly.
 */
#ifndef RP_ADDR_H
#define RP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An address of either family; IPv4 uses bytes[0..3], the rest is zero. */
struct ipaddr {
	sa_family_t family;	/* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

struct ipprefix {
	struct ipaddr addr;
	uint8_t plen;
};

/* Longest text form of an address or prefix, with the NUL. */
#define ADDR_STRLEN 64

/* Length in bytes of an address of this family (4 or 16). */
size_t addr_len(sa_family_t family);
/* Maximum prefix length of the family (32 or 128). */
unsigned addr_bits(sa_family_t family);

/* Parse a plain IPv4 or IPv6 address. 0, or -EINVAL. */
int addr_parse(const char *s, struct ipaddr *out);
/* Parse "addr/len". 0, or -EINVAL (no slash, bad address, bad length). */
int prefix_parse(const char *s, struct ipprefix *out);
/* Parse "addr/len" or a plain address (taken as a host prefix). */
int prefix_parse_loose(const char *s, struct ipprefix *out);

/* Text forms; return out. */
const char *addr_fmt(const struct ipaddr *a, char *out, size_t len);
const char *prefix_fmt(const struct ipprefix *p, char *out, size_t len);

bool addr_eq(const struct ipaddr *a, const struct ipaddr *b);
/* memcmp-like order within a family; families order AF_INET first. */
int addr_cmp(const struct ipaddr *a, const struct ipaddr *b);
bool addr_is_zero(const struct ipaddr *a);

/* True when no host bit is set in p. */
bool prefix_is_network(const struct ipprefix *p);
/* The first and last address that p covers. */
void prefix_first(const struct ipprefix *p, struct ipaddr *out);
void prefix_last(const struct ipprefix *p, struct ipaddr *out);
bool prefix_contains(const struct ipprefix *p, const struct ipaddr *a);
/* p contains all of q. */
bool prefix_covers(const struct ipprefix *p, const struct ipprefix *q);
bool prefix_overlaps(const struct ipprefix *p, const struct ipprefix *q);
/* Host prefix (/32 or /128) of a. */
void prefix_host(const struct ipaddr *a, struct ipprefix *out);

/* a + 1 / a - 1 within the family; false on wrap. */
bool addr_inc(struct ipaddr *a);
bool addr_dec(struct ipaddr *a);

#endif
