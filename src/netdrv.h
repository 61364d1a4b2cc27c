/* SPDX-License-Identifier: MIT */
/*
 * netdrv.h: the network driver "net-routed": Docker's NetworkDriver calls,
 * turned into changes of the model (model.h), the host (host.h), the
 * announcements (routes.h) and the disk (records.h).
 */
#ifndef RP_NETDRV_H
#define RP_NETDRV_H

#include <stddef.h>

#include "api.h"

extern const struct api_route netdrv_routes[];
extern const size_t netdrv_nroutes;

#endif
