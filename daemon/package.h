/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The package of a crashed executable (the daemon's `package` item,
 * "coreutils 9.1-1"): asked of dpkg (dpkg-query -S, then its version),
 * or of rpm -qf where there is no dpkg answer and rpm exists, in a child
 * with a deadline, and cached by the file's identity (path, device,
 * inode, mtime).  Never for a crash in another mount namespace or root
 * (a container's): there the host's database would name the wrong
 * package, so nothing is said.
 */
#ifndef CRASHD_PACKAGE_H
#define CRASHD_PACKAGE_H

#include <stddef.h>

#include "dump.h"
#include "package_parse.h"

/* "NAME VERSION" */
#define PACKAGE_TEXT_MAX (PACKAGE_NAME_MAX + PACKAGE_VERSION_MAX + 2)
/* Answers kept (a host crashes with few executables). */
#define PACKAGE_CACHE_MAX 128
/* How long one query may take before it is killed (the loop waits). */
#define PACKAGE_QUERY_TIMEOUT_MS 2000

struct package_cache;

struct package_cache *package_cache_new(void);
void package_cache_free(struct package_cache *pc);

/*
 * The package of d's executable as "NAME VERSION" in ret (size bytes, at
 * least PACKAGE_TEXT_MAX).  Returns 1 when a package manager names it, 0
 * when there is nothing to say (a container's crash, an executable
 * deleted or gone, not from a package, no manager, no answer in time),
 * or -ENOMEM.
 */
int package_lookup(
    struct package_cache *pc, const struct dump *d, char *ret, size_t size);

#endif
