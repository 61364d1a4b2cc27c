/* SPDX-License-Identifier: MIT */
/*
 * canon.h: the daemon's state in a canonical order, so that two states can
 * be compared whatever order their hash maps were walked in (fuzz_api,
 * fuzz_store).
 */
#ifndef RP_FUZZ_CANON_H
#define RP_FUZZ_CANON_H

#include <cjson/cJSON.h>

#include "ctx.h"

/*
 * Put j in a canonical order in place: object members by name, array
 * elements by their canonical text (every array of the state is a set).
 */
void canon(cJSON *j);
/* canon(j), then j as unformatted text (malloc'd; aborts when out of memory). */
char *canon_text(cJSON *j);
/* The records of c's model, canonical; cJSON_Delete it. */
cJSON *canon_state(struct rp_ctx *c);

#endif
