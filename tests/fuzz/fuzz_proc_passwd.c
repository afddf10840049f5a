/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes proc_passwd_name(): the first four bytes are the uid, the rest is
 * /etc/passwd.
 */
#include <string.h>

#include "fuzz.h"
#include "proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[32];
	uint32_t uid;

	if (size < 4)
		return 0;
	memcpy(&uid, data, 4);
	memset(name, 'X', sizeof(name));
	if (proc_passwd_name((const char *)data + 4, size - 4, (uid_t)uid, name,
		sizeof(name)) == 1) {
		FUZZ_CHECK(memchr(name, '\0', sizeof(name)) != NULL);
		FUZZ_CHECK(strchr(name, ':') == NULL);
		FUZZ_CHECK(strchr(name, '\n') == NULL);
	}
	return 0;
}
