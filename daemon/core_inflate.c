/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core_inflate.c owns decompressing core.gz for the unwinder.  A core of
 * a big sparse process is mostly zeros, and a crafted one can be a gzip
 * bomb: the output stops at the extent the core's own program headers
 * declare (read from the first bytes inflated), at a total cap and at a
 * cap on bytes that are not zeros; zero blocks are skipped with lseek,
 * so that they take no memory in the memfd.
 */
#include "core_inflate.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"

#define CHUNK 65536
#define BLOCK 4096

/* (memcmp against itself shifted by one: libc's speed, not a loop's.) */
static bool
all_zero(const unsigned char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * The end of the last segment an ELF64 core declares, from its header
 * and program headers in head (the first len bytes).  Returns 0 while
 * head does not hold them all yet, or when they cannot say (no ELF64,
 * PN_XNUM): then only the caps bound the output.  Sets *known when
 * the answer is final.
 */
static uint64_t
declared_extent(const unsigned char *head, size_t len, bool *known)
{
	Elf64_Ehdr eh;
	uint64_t end, phend;

	*known = false;
	if (len < sizeof(eh))
		return 0;
	memcpy(&eh, head, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phnum == PN_XNUM ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > (1 << 20)) {
		*known = true;
		return 0;
	}
	phend = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (phend > len)
		return 0;
	end = phend;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, head + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_offset > CORE_INFLATE_MAX ||
		    ph.p_filesz > CORE_INFLATE_MAX) {
			end = CORE_INFLATE_MAX;
			break;
		}
		if (ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	*known = true;
	return end;
}

/* Writes n bytes at *pos, skipping zero blocks; counts the rest. */
static int
put(int out, const unsigned char *p, size_t n, uint64_t *pos, uint64_t *data)
{
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t k = n - i < BLOCK ? n - i : BLOCK;

		if (!all_zero(p + i, k)) {
			if (pwrite(out, p + i, k, (off_t)*pos) != (ssize_t)k)
				return -EIO;
			*data += k;
		}
		*pos += k;
	}
	return 0;
}

int
core_inflate(int gz_fd, int64_t deadline_ms, struct core_inflate_result *ret)
{
	/* The header and program headers: 65,535 of them at most. */
	static unsigned char head[64 + 65535 * sizeof(Elf64_Phdr)];
	struct core_inflate_result res = { 0 };
	unsigned char buf[CHUNK];
	uint64_t limit = CORE_INFLATE_MAX;
	size_t head_len = 0;
	bool known = false;
	gzFile gz;
	int out, n, r = 0;

	out = memfd_create("crashd-core", MFD_CLOEXEC);
	if (out < 0) {
		r = -errno;
		close(gz_fd);
		return r;
	}
	gz = gzdopen(gz_fd, "rb");
	if (gz == NULL) {
		close(gz_fd);
		close(out);
		return -ENOMEM;
	}
	while (res.size < limit) {
		size_t want = limit - res.size < CHUNK
		    ? (size_t)(limit - res.size)
		    : CHUNK;

		if (deadline_ms > 0 &&
		    clock_now_ms(CLOCK_MONOTONIC) >= deadline_ms) {
			res.cut = "the unwinder's time limit";
			break;
		}
		n = gzread(gz, buf, (unsigned)want);
		if (n < 0) {
			r = -EIO;
			break;
		}
		if (n == 0)
			break;
		if (!known && head_len < sizeof(head)) {
			size_t k = sizeof(head) - head_len < (size_t)n
			    ? sizeof(head) - head_len
			    : (size_t)n;

			memcpy(head + head_len, buf, k);
			head_len += k;
			res.declared = declared_extent(head, head_len, &known);
			if (known && res.declared > 0 && res.declared < limit)
				limit = res.declared;
			/* Its size at once: zeros are holes, not writes. */
			if (known && ftruncate(out, (off_t)limit) < 0) {
				r = -errno;
				break;
			}
		}
		if (limit < res.size + (uint64_t)n)
			n = (int)(limit - res.size);
		r = put(out, buf, (size_t)n, &res.size, &res.data);
		if (r < 0)
			break;
		if (res.data >= CORE_INFLATE_DATA_MAX) {
			res.cut = "its cap on data (CORE_INFLATE_DATA_MAX)";
			break;
		}
	}
	if (r == 0 && res.size >= limit && !res.cut && gzread(gz, buf, 1) > 0)
		res.cut = limit == res.declared
		    ? "the end its headers declare (the rest is no segment)"
		    : "its cap on size (CORE_INFLATE_MAX)";
	gzclose(gz);
	if (r == 0 && ftruncate(out, (off_t)res.size) < 0)
		r = -errno;
	if (r < 0) {
		close(out);
		return r;
	}
	*ret = res;
	return out;
}
