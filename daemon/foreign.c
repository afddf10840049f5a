/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * foreign.c owns saying, once, that an entry of the spool root is no dump.
 * The names said are kept in a short array (only root can put anything
 * in the spool root).
 */
#include "foreign.h"
#include "array.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "log.h"

void
foreign_init(struct foreign *f)
{
	memset(f, 0, sizeof(*f));
}

void
foreign_done(struct foreign *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Remembers name; out of memory, it is said again next time. */
static void
remember(struct foreign *f, const char *name)
{
	char *copy, **v;

	v = array_grow(f->v, &f->cap, f->n, sizeof(*f->v), 8);
	if (v == NULL)
		return;
	f->v = v;
	copy = strdup(name);
	if (copy != NULL)
		f->v[f->n++] = copy;
}

void
foreign_note(struct foreign *f, const char *spool, const char *name)
{
	struct buf q;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i], name) == 0)
			return;
	if (f->n >= FOREIGN_MAX) {
		if (!f->full)
			log_warn("%s: more than %d entries that are no dump; "
				 "left alone, not named any more",
			    spool, FOREIGN_MAX);
		f->full = true;
		return;
	}
	remember(f, name);
	buf_init(&q, 0);
	escape_c(&q, name, strlen(name));
	log_warn("\"%s\" in %s is no dump (a dump's name is made of "
		 "[A-Za-z0-9._-]); left alone",
	    q.data, spool);
	buf_done(&q);
}
