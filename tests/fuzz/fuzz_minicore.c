/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes minicore_write() with a core stream: the input is the kernel's
 * stream, and the same bytes stand for the process's memory (address =
 * offset, so a seed's segments hold what the gdb variant follows) and for
 * its /proc/PID/maps (the NT_FILE made when the stream has none).  An odd
 * size runs the gdb variant.  A minicore written is a valid ELF core
 * header within total_max, holding no more memory than it says.
 */
#include <elf.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "minicore.h"

#define FUZZ_TOTAL_MAX (1u << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minicore_params p = {
		.stack_max = 64 * 1024,
		.total_max = FUZZ_TOTAL_MAX,
		.maps = (const char *)data,
		.maps_len = size,
		.gdb = size & 1,
	};
	struct minicore_result res;
	Elf64_Ehdr eh;
	struct stat st;
	int fd, out, r;

	fd = memfd_create("fuzz-minicore-in", MFD_CLOEXEC);
	out = memfd_create("fuzz-minicore-out", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && out >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	p.in_fd = fd;
	p.mem_fd = fd; /* pread(): the stream's position is its own */
	p.out_fd = out;
	r = minicore_write(&p, &res);
	FUZZ_CHECK(r <= 0);
	FUZZ_CHECK(res.file_note != NULL);
	if (r == 0) {
		FUZZ_CHECK(fstat(out, &st) == 0);
		FUZZ_CHECK((uint64_t)st.st_size == res.written);
		FUZZ_CHECK(res.written <= FUZZ_TOTAL_MAX);
		FUZZ_CHECK(res.memory_bytes + res.notes_bytes <= res.written);
		FUZZ_CHECK(res.segments >= 1);
		FUZZ_CHECK(pread(out, &eh, sizeof(eh), 0) == sizeof(eh));
		FUZZ_CHECK(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
		FUZZ_CHECK(eh.e_type == ET_CORE && eh.e_phoff == sizeof(eh));
		FUZZ_CHECK(eh.e_phnum ==
		    (res.segments < PN_XNUM ? res.segments : PN_XNUM));
	}
	close(fd);
	close(out);
	return 0;
}
