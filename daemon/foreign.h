/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What sits in the spool root and is no dump by its name
 * (spool_is_dump_name(): "lost+found", "a b"): the daemon leaves it alone,
 * never processes nor removes it, and says so once per run and name.
 */
#ifndef CRASHD_FOREIGN_H
#define CRASHD_FOREIGN_H

#include <stdbool.h>
#include <stddef.h>

/* Past this many names, one more line says that the rest go unnamed. */
#define FOREIGN_MAX 1024

struct foreign {
	char **v; /* the names said, owned */
	size_t n, cap;
	bool full; /* FOREIGN_MAX reached, and said */
};

void foreign_init(struct foreign *f);
void foreign_done(struct foreign *f);

/*
 * Logs, the first time it is seen, that name in spool is no dump and is
 * left alone.
 */
void foreign_note(struct foreign *f, const char *spool, const char *name);

#endif
