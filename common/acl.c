/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acl.c owns the one ACL we ever write, in the kernel's
 * system.posix_acl_access format (version 2, little-endian entries sorted
 * by tag).
 */
#include "acl.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ACL_XATTR_VERSION 2
#define ACL_TAG_USER_OBJ 0x01
#define ACL_TAG_USER 0x02
#define ACL_TAG_GROUP_OBJ 0x04
#define ACL_TAG_MASK 0x10
#define ACL_TAG_OTHER 0x20
#define ACL_UNDEFINED_ID 0xffffffffu

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
};

struct acl_xattr {
	uint32_t version;
	struct acl_entry e[5];
};

static struct acl_entry
entry(uint16_t tag, uint16_t perm, uint32_t id)
{
	return (struct acl_entry){ htole16(tag), htole16(perm), htole32(id) };
}

int
acl_grant_read(int fd, uid_t uid, bool is_dir)
{
	struct acl_xattr a;
	struct stat st;
	uint16_t rd = is_dir ? 5 : 4;

	if (fstat(fd, &st) < 0)
		return -errno;
	a.version = htole32(ACL_XATTR_VERSION);
	a.e[0] =
	    entry(ACL_TAG_USER_OBJ, (st.st_mode >> 6) & 7, ACL_UNDEFINED_ID);
	a.e[1] = entry(ACL_TAG_USER, rd, uid);
	a.e[2] =
	    entry(ACL_TAG_GROUP_OBJ, (st.st_mode >> 3) & 7, ACL_UNDEFINED_ID);
	a.e[3] =
	    entry(ACL_TAG_MASK, rd | ((st.st_mode >> 3) & 7), ACL_UNDEFINED_ID);
	a.e[4] = entry(ACL_TAG_OTHER, 0, ACL_UNDEFINED_ID);
	if (fsetxattr(fd, "system.posix_acl_access", &a, sizeof(a), 0) < 0)
		return -errno;
	return 0;
}

void
acl_copy_at(int dirfd, const char *name, int fd)
{
	char acl[256];
	ssize_t n;
	int src;

	src = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return;
	n = fgetxattr(src, "system.posix_acl_access", acl, sizeof(acl));
	if (n > 0)
		(void)fsetxattr(
		    fd, "system.posix_acl_access", acl, (size_t)n, 0);
	close(src);
}
