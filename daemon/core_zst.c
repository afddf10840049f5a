/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core_zst.c owns the zstd framing of a minicore (RFC 8878): a frame
 * header with the content size, then raw blocks of at most 128 KiB, no
 * checksum.  See core_zst.h.
 */
#include "core_zst.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "fsutil.h"
#include "items.h"

#define ZST_MAGIC 0xFD2FB528u
#define ZST_BLOCK_MAX (128 * 1024) /* the largest block any window allows */
#define ZST_TMP ".core.mini.zst.tmp"

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int
write_frame(int in, uint64_t size, int out)
{
	unsigned char head[4 + 1 + 1 + 8], bh[3];
	unsigned char *block;
	uint64_t left = size;
	int r;

	put_le(head, ZST_MAGIC, 4);
	/* Frame_Content_Size in 8 bytes; not single-segment; no checksum. */
	head[4] = 0xC0;
	/* Window_Descriptor: 2^(10 + 7) = 128 KiB, the block size. */
	head[5] = 7 << 3;
	put_le(head + 6, size, 8);
	r = write_all(out, head, sizeof(head));
	if (r < 0)
		return r;
	block = malloc(ZST_BLOCK_MAX);
	if (block == NULL)
		return -ENOMEM;
	do {
		size_t n = left < ZST_BLOCK_MAX ? (size_t)left : ZST_BLOCK_MAX;
		size_t got = 0;

		while (got < n) {
			ssize_t k = read(in, block + got, n - got);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				r = k < 0 ? -errno : -EIO; /* shrank under us */
				goto out;
			}
			got += (size_t)k;
		}
		left -= n;
		/* Last_Block, Block_Type 0 (raw), Block_Size. */
		put_le(bh, (uint64_t)(left == 0) | ((uint64_t)n << 3), 3);
		r = write_all(out, bh, sizeof(bh));
		if (r >= 0)
			r = write_all(out, block, n);
		if (r < 0)
			goto out;
	} while (left > 0);
	r = 0;
out:
	free(block);
	return r;
}

int
core_zst_write_at(int dump_dirfd)
{
	struct stat st;
	int in, out = -1, r;

	if (faccessat(dump_dirfd, CORE_ZST_ITEM, F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0)
		return 0;
	in = open_regular_at(
	    dump_dirfd, DUMP_ITEM_CORE_MINI, O_RDONLY | O_NONBLOCK);
	if (in < 0)
		return in;
	if (fstat(in, &st) < 0) {
		r = -errno;
		goto out;
	}
	(void)unlinkat(dump_dirfd, ZST_TMP, 0);
	out = openat(dump_dirfd, ZST_TMP,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    st.st_mode & 0640);
	if (out < 0) {
		r = -errno;
		goto out;
	}
	r = write_frame(in, (uint64_t)st.st_size, out);
	if (r >= 0 && fchown(out, st.st_uid, st.st_gid) < 0)
		r = -errno;
	if (r >= 0) {
		acl_copy_at(dump_dirfd, DUMP_ITEM_CORE_MINI, out);
		if (fsync(out) < 0)
			r = -errno;
	}
	if (r >= 0 &&
	    renameat(dump_dirfd, ZST_TMP, dump_dirfd, CORE_ZST_ITEM) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dump_dirfd, ZST_TMP, 0);
out:
	safe_close(in);
	safe_close(out);
	if (r < 0)
		return r;
	(void)fsync(dump_dirfd);
	return 1;
}
