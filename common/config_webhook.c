/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_webhook.c owns what crashd.conf must say for a webhook action to
 * be posted: an http:// or https:// URL and headers that cannot split the
 * request or override what the daemon sets.
 */
#include <libconfig.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_key.h"

/* "Name: value": a token, a colon, a value without control bytes. */
static bool
valid_header(const char *h)
{
	const char *colon = strchr(h, ':');

	if (colon == NULL || colon == h)
		return false;
	for (const char *p = h; p < colon; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("()<>@,;\\\"/[]?={}", *p))
			return false;
	for (const char *p = colon + 1; *p; p++)
		if ((unsigned char)*p < ' ' && *p != '\t')
			return false;
	return strncasecmp(h, "Content-Length:", 15) != 0 &&
	    strncasecmp(h, "Host:", 5) != 0;
}

static bool
valid_url(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

void
config_webhook_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a)
{
	if (a->url == NULL && a->urls == NULL) /* (an empty list: said) */
		config_problem(l, g, "actions.url",
		    "a webhook action needs url = \"https://...\"");
	else if (a->urls == NULL && !valid_url(a->url))
		config_problem(l, config_member_or(g, "url"), "actions.url",
		    "\"%s\": expected http://... or https://...", a->url);
	for (char **u = a->urls; u && *u; u++)
		if (!valid_url(*u))
			config_problem(l, config_member_or(g, "url"),
			    "actions.url",
			    "\"%s\": expected http://... or https://...", *u);
	for (char **h = a->headers; h && *h; h++)
		if (!valid_header(*h))
			config_problem(l, config_member_or(g, "headers"),
			    "actions.headers",
			    "\"%s\": expected \"Name: value\" on one line "
			    "(not Host or Content-Length)",
			    *h);
}
