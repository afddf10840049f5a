/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes container_from_cgroup() with /proc/PID/cgroup contents.
 */
#include <errno.h>
#include <string.h>

#include "container.h"
#include "fuzz.h"

static int
known_runtime(const char *r)
{
	return strcmp(r, "") == 0 || strcmp(r, "docker") == 0 ||
	    strcmp(r, "containerd") == 0 || strcmp(r, "cri-o") == 0 ||
	    strcmp(r, "podman") == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container ct;
	int r;

	memset(&ct, 0xa5, sizeof(ct));
	r = container_from_cgroup((const char *)data, size, &ct);
	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	if (r < 0)
		return 0;
	FUZZ_CHECK(memchr(ct.runtime, '\0', sizeof(ct.runtime)) != NULL);
	FUZZ_CHECK(memchr(ct.unit, '\0', sizeof(ct.unit)) != NULL);
	FUZZ_CHECK(known_runtime(ct.runtime));
	FUZZ_CHECK(strlen(ct.id) == 0 || strlen(ct.id) == 64);
	FUZZ_CHECK(strspn(ct.id, "0123456789abcdef") == strlen(ct.id));
	FUZZ_CHECK((ct.id[0] == '\0') == (ct.runtime[0] == '\0'));
	FUZZ_CHECK(strchr(ct.unit, '/') == NULL);
	FUZZ_CHECK(strchr(ct.unit, '\n') == NULL);
	/* (A unit found may start with a NUL byte of the input.) */
	FUZZ_CHECK(r == 1 || (ct.id[0] == '\0' && ct.unit[0] == '\0'));
	return 0;
}
