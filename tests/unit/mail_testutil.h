/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers of the mail tests (test_mail_msg.c, test_mail_body.c,
 * test_mail_send.c): reading a rendered message back, and a fake dump as
 * the hook and the daemon write it, rendered by the mail action.
 */
#ifndef CRASHD_MAIL_TESTUTIL_H
#define CRASHD_MAIL_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "action.h"
#include "dump.h"

extern const char mt_dump_name[];

struct fake {
	char *dir; /* the spool */
	int spool_fd;
	struct dump *d;
	char path[4096];
	char id[512];
	struct action_event ev;
	struct action_config ac;
	char *to[3];
};

#define ITEM(dir, name, lit) mt_put_item(dir, name, lit, sizeof(lit) - 1)

char *mt_visible(const char *s, size_t len);
void mt_check_header(const char *name, const char *value, size_t len);
const char *mt_find_field(
    const char *msg, size_t hdr_len, const char *name, int nth);
size_t mt_header_len(const char *msg);
char *mt_field(const char *msg, const char *name);
char *mt_qp_text(const char *msg);
void mt_put_item(
    const char *dir, const char *name, const char *data, size_t len);
void mt_fake_open(struct fake *f, bool hostile);
void mt_fake_close(struct fake *f);
char *mt_render(struct fake *f);

#endif
