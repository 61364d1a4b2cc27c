/* SPDX-License-Identifier: MIT */
/*
 * ipam.h: the IPAM driver "ipam-routed".  Pools come from --subnet (and
 * --ip-range, --aux-address); addresses are handed out as /32 and /128 from
 * the model's pools; the gateway request gets the plugin's gateway.
 */
#ifndef RP_IPAM_H
#define RP_IPAM_H

#include <stddef.h>

#include "api.h"

extern const struct api_route ipam_routes[];
extern const size_t ipam_nroutes;

#endif
