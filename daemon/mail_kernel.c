/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_kernel.c owns what a mail about a kernel report (kernel_dumps.c:
 * kinds kernel, oom, panic) says in place of a crash's facts: the process
 * it names, the kernel and its taint, the OOM killer's figures, the call
 * trace and the report as the kernel printed it.
 */
#include "mail_kernel.h"

#include "items.h"

/* One item's text after a label, when the dump has it. */
static void
put_item_line(struct mail_text *t, const struct dump *d, const char *label,
    const char *item)
{
	size_t len;
	char *v = mail_text_item(d, item, true, &len, NULL, &t->r);

	if (len > 0) {
		mail_text_label(t, label);
		mail_text_visible(t, v, len);
		mail_text_puts(t, "\n");
	}
	mail_text_item_free(v);
}

/*
 * A kernel report's facts (kernel_dumps.c): the process it names, the
 * kernel and its taint, the OOM killer's figures, then the call trace.
 */
void
mail_kernel_facts(struct mail_text *t, const struct dump *d, const char *bt)
{
	put_item_line(t, d, "process", DUMP_ITEM_COMM);
	if (d->pid > 0) {
		mail_text_label(t, "pid");
		mail_text_printf(t, "%ld\n", d->pid);
	}
	mail_text_label(t, "time");
	mail_text_time(t, d->time);
	mail_text_puts(t, "\n");
	put_item_line(t, d, "kernel", DUMP_ITEM_KERNEL);
	put_item_line(t, d, "taint", DUMP_ITEM_TAINT);
	if (d->kind == DUMP_KIND_OOM) {
		put_item_line(t, d, "cgroup", DUMP_ITEM_CGROUP);
		put_item_line(t, d, "memory", DUMP_ITEM_OOM_MEMORY);
	}
	put_item_line(t, d, "pstore", DUMP_ITEM_PSTORE);
	if (d->repeats > 1) {
		mail_text_label(t, "reports");
		mail_text_printf(
		    t, "%llu identical, in this dump\n", d->repeats);
	}
	mail_text_puts(t, "\n");
	if (bt[0])
		mail_text_block(t, "Call trace", bt);
}

/* The report as the kernel printed it. */
void
mail_kernel_log(struct mail_text *t, const struct dump *d)
{
	char *log =
	    mail_text_item(d, DUMP_ITEM_KERNEL_LOG, true, NULL, NULL, &t->r);

	mail_text_block(t, "Kernel log", log);
	mail_text_item_free(log);
}
