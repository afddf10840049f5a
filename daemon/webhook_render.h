/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each webhook format's two renderers (a crash, a host event), which
 * webhook_json.c picks by enum webhook_format: webhook_generic.c,
 * webhook_slack.c, webhook_alertmanager.c.  Each appends its body to out
 * and returns 0 or -errno, leaving nothing of it in out on failure.
 */
#ifndef CRASHD_WEBHOOK_RENDER_H
#define CRASHD_WEBHOOK_RENDER_H

#include "buf.h"
#include "webhook_json.h"

int webhook_generic_crash(const struct webhook_crash *c, struct buf *out);
int webhook_generic_host(const struct webhook_host *h, struct buf *out);
int webhook_slack_crash(const struct webhook_crash *c, struct buf *out);
int webhook_slack_host(const struct webhook_host *h, struct buf *out);
int webhook_alertmanager_crash(const struct webhook_crash *c, struct buf *out);
int webhook_alertmanager_host(const struct webhook_host *h, struct buf *out);

#endif
