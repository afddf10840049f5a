/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The body of a mail about a kernel report (mail_body.c calls these). */
#ifndef CRASHD_MAIL_KERNEL_H
#define CRASHD_MAIL_KERNEL_H

#include "dump.h"
#include "mail_text.h"

/* The report's facts, then its call trace bt (may be ""). */
void mail_kernel_facts(
    struct mail_text *t, const struct dump *d, const char *bt);

/* The report as the kernel printed it (the kernel_log item). */
void mail_kernel_log(struct mail_text *t, const struct dump *d);

#endif
