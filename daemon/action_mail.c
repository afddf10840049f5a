/*
 * action_mail.c: the mail action (queued; see action.h).  Stub: filled in by
 * the mail work.
 */
#include <errno.h>

#include "action.h"

static int
render(const struct action_config *ac, const struct action_event *ev,
    struct buf *payload, struct buf *detail)
{
	(void)ac;
	(void)ev;
	(void)payload;
	buf_puts(detail, "not implemented");
	return -ENOSYS;
}

static enum send_result
send_one(const struct action_config *ac, const char *id, const char *payload,
    size_t len, struct buf *detail)
{
	(void)ac;
	(void)id;
	(void)payload;
	(void)len;
	buf_puts(detail, "not implemented");
	return SEND_DEAD;
}

const struct action_ops action_mail_ops = {
	.type = ACTION_MAIL,
	.render = render,
	.send = send_one,
};
