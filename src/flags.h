/*
 * flags.h: command-line value parsing shared by routed-plugin and
 * routed-zebra-helper.  A refused value prints one line naming the flag and
 * the reason, and exits with status 2.
 */
#ifndef RP_FLAGS_H
#define RP_FLAGS_H

#include <stddef.h>
#include <stdint.h>

/* Print "PROGRAM: <message>" on standard error and exit(2). */
void flag_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
/* A decimal value of flag in [min, max]. */
unsigned long flag_ulong(const char *flag, const char *s, unsigned long min,
    unsigned long max);
/* An absolute path shorter than len into out. */
void flag_path(const char *flag, const char *s, char *out, size_t len);
/* NAME[:INSTANCE]: a route type zebra accepts from a client. */
void flag_route_type(const char *s, uint8_t *type, uint16_t *instance);
/* auto, or a ZAPI dialect's name (zapi_dialect_find), into out[len]. */
void flag_dialect(const char *s, char *out, size_t len);
/* An ipc:// or tcp:// ZeroMQ endpoint shorter than len into out. */
void flag_zmq_endpoint(const char *s, char *out, size_t len);

#endif
