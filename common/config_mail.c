/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_mail.c owns what crashd.conf must say for a mail action to be
 * sent: its addresses, one transport (smtp or sendmail) with only the
 * keys that apply to it, no credentials in clear, and a subject template
 * of known fields.
 */
#include <libconfig.h>
#include <string.h>

#include "config.h"
#include "config_key.h"
#include "mail_address.h"

/* The placeholders a mail subject may use (mail_body.c expands them). */
static const char *const subject_fields[] = { "reason", "hostname",
	"executable", "comm", "signal", "signal_name", "pid", "uid", "count",
	"event", "id", NULL };

static void
check_subject(
    struct config_loader *l, const config_setting_t *g, const char *subject)
{
	for (const char *p = subject; *p; p++) {
		const char *end;
		bool known = false;

		if (*p == '\r' || *p == '\n') {
			config_problem(l, config_member_or(g, "subject"),
			    "actions.subject", "must be one line");
			return;
		}
		if (*p != '{')
			continue;
		end = strchr(p, '}');
		if (end == NULL)
			break;
		for (const char *const *f = subject_fields; *f; f++)
			known = known ||
			    (strlen(*f) == (size_t)(end - p - 1) &&
				strncmp(p + 1, *f, (size_t)(end - p - 1)) == 0);
		if (!known) {
			struct buf use;

			buf_init(&use, 0);
			for (const char *const *f = subject_fields; *f; f++)
				buf_printf(&use, "%s{%s}",
				    f == subject_fields ? ""
					: f[1]          ? ", "
							: " or ",
				    *f);
			config_problem(l, config_member_or(g, "subject"),
			    "actions.subject", "unknown field {%.*s}: use %s",
			    (int)(end - p - 1 > 64 ? 64 : end - p - 1), p + 1,
			    use.data ? use.data : "");
			buf_done(&use);
			return;
		}
		p = end;
	}
}

void
config_mail_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a)
{
	if (a->to == NULL || a->to[0] == NULL)
		config_problem(l, config_member_or(g, "to"), "actions.to",
		    "a mail action needs to = [ \"root@localhost\" ]");
	for (char **t = a->to; t && *t; t++)
		if (!mail_address_valid(*t))
			config_problem(l, config_member_or(g, "to"),
			    "actions.to",
			    "\"%s\" is not a plain address (user@domain)", *t);
	if (a->from && !mail_address_valid(a->from))
		config_problem(l, config_member_or(g, "from"), "actions.from",
		    "\"%s\" is not a plain address (user@domain)", a->from);
	if ((a->smtp == NULL) == (a->sendmail == NULL))
		config_problem(l, g, "actions.smtp",
		    "a mail action needs one of smtp = \"smtp://host:port\" "
		    "or sendmail = \"/usr/sbin/sendmail\"");
	if (a->smtp && strncmp(a->smtp, "smtp://", 7) != 0 &&
	    strncmp(a->smtp, "smtps://", 8) != 0)
		config_problem(l, config_member_or(g, "smtp"), "actions.smtp",
		    "\"%s\": expected smtp://host[:port] or "
		    "smtps://host[:port]",
		    a->smtp);
	if (a->smtp && strncmp(a->smtp, "smtps://", 8) == 0 &&
	    config_setting_get_member(g, "starttls"))
		config_problem(l, config_member_or(g, "starttls"),
		    "actions.starttls",
		    "does not apply to smtps:// (TLS from the start)");
	if (a->sendmail) {
		static const char *const smtp_only[] = { "starttls",
			"auth_file", "tls_verify", "ca_file", "connect_timeout",
			NULL };

		for (const char *const *k = smtp_only; *k; k++)
			if (config_setting_get_member(g, *k))
				config_problem(l, config_member_or(g, *k),
				    "actions.sendmail",
				    "%s applies to smtp only, not to sendmail",
				    *k);
	}
	/* libcurl would send them in clear on a relay without STARTTLS. */
	if (a->auth_file && a->smtp && strncmp(a->smtp, "smtp://", 7) == 0 &&
	    a->starttls != STARTTLS_REQUIRED)
		config_problem(l, config_member_or(g, "auth_file"),
		    "actions.auth_file",
		    "credentials over smtp:// need starttls = \"required\" "
		    "(or use smtps://)");
	if (a->subject)
		check_subject(l, g, a->subject);
}
