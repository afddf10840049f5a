/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.c owns recognising container runtimes and systemd units in
 * cgroup paths.  Known shapes (v1 cgroupfs and v2 systemd drivers):
 *   /docker/<id>                              docker, cgroupfs
 *   /system.slice/docker-<id>.scope           docker, systemd
 *   /kubepods/<qos>/pod<uid>/<id>             containerd, cgroupfs
 *   /kubepods.slice/.../cri-containerd-<id>.scope
 *   /kubepods.slice/.../crio-<id>.scope       cri-o
 *   /machine.slice/libpod-<id>.scope/container podman (also rootless)
 *   /libpod_parent/libpod-<id>                podman, cgroupfs
 *   /system.slice/nginx.service               a systemd unit
 */
#include "container.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bytes.h"

static bool
is_hex_id(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "<prefix><id>[.scope]" → id */
static bool
match_prefixed(const char *c, size_t n, const char *prefix, const char **id)
{
	size_t p = strlen(prefix);

	if (!bytes_has_prefix(c, n, prefix))
		return false;
	c += p;
	n -= p;
	if (bytes_has_suffix(c, n, ".scope"))
		n -= strlen(".scope");
	if (!is_hex_id(c, n))
		return false;
	*id = c;
	return true;
}

static void
set_container(struct container *ct, const char *runtime, const char *id)
{
	strncpy(ct->runtime, runtime, sizeof(ct->runtime) - 1);
	memcpy(ct->id, id, 64);
	ct->id[64] = '\0';
}

/* Scans one cgroup path, component by component. */
static void
scan_path(const char *path, size_t len, struct container *ct)
{
	const char *p = path, *end = path + len, *prev = NULL, *id;
	size_t prev_n = 0;

	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);

		if (n > 0 && ct->id[0] == '\0') {
			if (match_prefixed(p, n, "docker-", &id))
				set_container(ct, "docker", id);
			else if (match_prefixed(p, n, "cri-containerd-", &id))
				set_container(ct, "containerd", id);
			else if (match_prefixed(p, n, "crio-", &id))
				set_container(ct, "cri-o", id);
			else if (match_prefixed(p, n, "libpod-", &id))
				set_container(ct, "podman", id);
			else if (is_hex_id(p, n) && prev && prev_n == 6 &&
			    memcmp(prev, "docker", 6) == 0)
				set_container(ct, "docker", p);
			else if (is_hex_id(p, n) && prev &&
			    bytes_has_prefix(prev, prev_n, "pod"))
				set_container(ct, "containerd", p);
		}
		/* The innermost service wins; a scope only if there is none. */
		if (n > 0 && n < sizeof(ct->unit) &&
		    (bytes_has_suffix(p, n, ".service") ||
			(bytes_has_suffix(p, n, ".scope") &&
			    !bytes_has_suffix(
				ct->unit, strlen(ct->unit), ".service")))) {
			memcpy(ct->unit, p, n);
			ct->unit[n] = '\0';
		}
		if (n > 0) {
			prev = p;
			prev_n = n;
		}
		p += n + 1;
	}
}

int
container_from_cgroup(const char *data, size_t len, struct container *ret)
{
	struct container ct;
	const char *p = data, *end = data + len;

	memset(&ct, 0, sizeof(ct));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *c1, *c2;

		if (n > 0) {
			/* hierarchy-ID:controller-list:cgroup-path */
			c1 = memchr(p, ':', n);
			c2 = c1 ? memchr(c1 + 1, ':', (size_t)(p + n - c1 - 1))
				: NULL;
			if (c2 == NULL)
				return -EINVAL;
			scan_path(c2 + 1, (size_t)(p + n - c2 - 1), &ct);
		}
		p += n + 1;
	}
	/* A container's scope is no unit of the host's. */
	if (ct.id[0] && strstr(ct.unit, ct.id))
		ct.unit[0] = '\0';
	*ret = ct;
	return ct.id[0] || ct.unit[0] ? 1 : 0;
}
