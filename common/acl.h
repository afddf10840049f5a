/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POSIX ACLs without libacl: grant one extra user read access to a dump
 * (the crashing uid, where the process was dumpable).
 */
#ifndef CRASHD_ACL_H
#define CRASHD_ACL_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Sets fd's access ACL to: owner as its mode says, uid read (and search for
 * a directory), group as its mode says, nobody else.  Returns 0 or -errno
 * (-EOPNOTSUPP on a file system without ACLs).
 */
int acl_grant_read(int fd, uid_t uid, bool is_dir);

/*
 * Gives fd the access ACL of the file name in dirfd, if it has one, so
 * that a file added to a dump is readable by whoever may read the dump.
 */
void acl_copy_at(int dirfd, const char *name, int fd);

#endif
