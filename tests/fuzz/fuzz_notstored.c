/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the reader of the not-stored ring (notstored_count(),
 * notstored_get()) with any file: a record is returned only when it is
 * valid and is the one asked for; nothing else reads as one.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsutil.h"
#include "fuzz.h"
#include "notstored.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notstored_record rec;
	int64_t n;
	int fd = memfd_create("notstored", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || pwrite_all(fd, data, size, 0) == 0);
	n = notstored_count(fd);
	FUZZ_CHECK(n >= 0 || n == -EBADMSG);
	for (int64_t seq = n > 3 ? n - 3 : 0; n > 0 && seq < n; seq++) {
		int r = notstored_get(fd, (uint64_t)seq, &rec);

		FUZZ_CHECK(r == 0 || r == -ESTALE || r == -EBADMSG);
		if (r == 0) {
			FUZZ_CHECK(notstored_valid(&rec));
			FUZZ_CHECK(rec.seq == (uint64_t)seq);
			FUZZ_CHECK(strlen(rec.executable) < NOTSTORED_EXE_MAX);
		}
	}
	close(fd);
	return 0;
}
