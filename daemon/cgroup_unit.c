/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup_unit.c owns reading a unit out of a cgroup path, the way
 * systemd's cg_path_get_unit() and friends do: leading slices are
 * skipped, the first unit name is the unit; inside a user@UID.service the
 * first unit after its slices is the user unit; the last slice before the
 * unit is the slice.  See cgroup_unit.h.
 */
#include "cgroup_unit.h"

#include <stdlib.h>
#include <string.h>

static const char *const unit_types[] = {
	".service",
	".socket",
	".target",
	".device",
	".mount",
	".automount",
	".swap",
	".timer",
	".path",
	".slice",
	".scope",
};

bool
cgroup_unit_name_valid(const char *s, size_t len)
{
	const char *dot = NULL;

	if (len == 0 || len >= CGROUP_UNIT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == ':' || c == '-' ||
			c == '_' || c == '.' || c == '\\' || c == '@'))
			return false;
		if (c == '.')
			dot = s + i;
	}
	if (dot == NULL || dot == s)
		return false;
	for (size_t i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++)
		if (strlen(unit_types[i]) == (size_t)(s + len - dot) &&
		    memcmp(dot, unit_types[i], (size_t)(s + len - dot)) == 0)
			return true;
	return false;
}

static bool
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The path of the systemd hierarchy in /proc/PID/cgroup's lines. */
static void
systemd_path(const char *item, size_t len, char *out, size_t size)
{
	const char *p = item, *end = item + len, *unified = NULL;
	size_t unified_len = 0;

	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(eol - p));
		const char *c2 =
		    c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;

		if (c2) {
			size_t ctl = (size_t)(c2 - c1 - 1);
			size_t n = (size_t)(eol - c2 - 1);

			if (ctl == strlen("name=systemd") &&
			    memcmp(c1 + 1, "name=systemd", ctl) == 0) {
				if (n < size) {
					memcpy(out, c2 + 1, n);
					out[n] = '\0';
				}
				return;
			}
			if (ctl == 0 && c1 - p == 1 && p[0] == '0') {
				unified = c2 + 1;
				unified_len = n;
			}
		}
		p = eol + 1;
	}
	if (unified && unified_len < size) {
		memcpy(out, unified, unified_len);
		out[unified_len] = '\0';
	}
}

static void
copy_name(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* "user-1000.slice" -> 1000; -1 otherwise. */
static long long
slice_uid(const char *s, size_t len)
{
	char num[24];
	char *end;
	long long v;

	if (len <= strlen("user-.slice") || memcmp(s, "user-", 5) != 0 ||
	    !has_suffix(s, len, ".slice") || len - 11 >= sizeof(num))
		return -1;
	memcpy(num, s + 5, len - 11);
	num[len - 11] = '\0';
	if (num[0] < '0' || num[0] > '9')
		return -1;
	v = strtoll(num, &end, 10);
	return *end == '\0' && v >= 0 && v < 4294967295LL ? v : -1;
}

void
cgroup_unit_parse(const char *item, size_t len, struct cgroup_unit *out)
{
	const char *p, *end;
	bool in_user_manager = false;

	memset(out, 0, sizeof(*out));
	out->owner_uid = -1;
	if (item == NULL)
		return;
	systemd_path(item, len, out->path, sizeof(out->path));
	p = out->path;
	end = p + strlen(p);
	while (p < end) {
		const char *c, *slash;
		size_t n;

		while (p < end && *p == '/')
			p++;
		if (p >= end)
			break;
		slash = memchr(p, '/', (size_t)(end - p));
		c = p;
		n = (size_t)((slash ? slash : end) - p);
		p = c + n;
		if (!cgroup_unit_name_valid(c, n))
			break; /* systemd stops at the first non-unit */
		if (has_suffix(c, n, ".slice")) {
			long long uid = slice_uid(c, n);

			if (uid >= 0 && out->unit[0] == '\0')
				out->owner_uid = uid;
			if (out->unit[0] == '\0')
				copy_name(out->slice, sizeof(out->slice), c, n);
			continue;
		}
		if (out->unit[0] == '\0') {
			copy_name(out->unit, sizeof(out->unit), c, n);
			if (n > strlen("session-.scope") &&
			    memcmp(c, "session-", 8) == 0 &&
			    has_suffix(c, n, ".scope"))
				copy_name(out->session, sizeof(out->session),
				    c + 8, n - 8 - 6);
			in_user_manager = n > strlen("user@.service") &&
			    memcmp(c, "user@", 5) == 0 &&
			    has_suffix(c, n, ".service");
			if (!in_user_manager)
				break;
			continue;
		}
		/* Inside user@UID.service: its first unit is the user unit. */
		copy_name(out->user_unit, sizeof(out->user_unit), c, n);
		break;
	}
}
