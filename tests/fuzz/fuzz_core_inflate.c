/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes core_inflate() with core.gz bytes (gzip, or plain bytes, which
 * zlib passes through: the ELF header parser sees them as they are).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_inflate.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_inflate_result res = { 0 };
	struct stat st;
	int in, out;

	in = memfd_create("fuzz-core-gz", MFD_CLOEXEC);
	FUZZ_CHECK(in >= 0);
	FUZZ_CHECK(write(in, data, size) == (ssize_t)size);
	FUZZ_CHECK(lseek(in, 0, SEEK_SET) == 0);
	out = core_inflate(in, 0, &res); /* takes in */
	if (out < 0)
		return 0;
	FUZZ_CHECK(fstat(out, &st) == 0);
	FUZZ_CHECK((uint64_t)st.st_size == res.size);
	FUZZ_CHECK(res.data <= res.size);
	FUZZ_CHECK(res.size <= CORE_INFLATE_MAX);
	FUZZ_CHECK(res.data <= CORE_INFLATE_DATA_MAX + 65536);
	if (res.declared > 0)
		FUZZ_CHECK(res.size <= res.declared);
	close(out);
	return 0;
}
