/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the parser of /dev/kmsg records (daemon/kmsg.c): kernel log
 * text carries attacker-chosen comms and any bytes a driver logs.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "kmsg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *rec = malloc(size ? size : 1);
	uint64_t seq = 12345;
	int r;

	if (rec == NULL)
		return 0;
	memcpy(rec, data, size);
	r = kmsg_parse(rec, size, &seq);
	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	/* A drop is only ever the kernel's own line. */
	if (r == 1)
		FUZZ_CHECK(
		    memmem(rec, size, "over core_pipe_limit", 20) != NULL);
	free(rec);
	return 0;
}
