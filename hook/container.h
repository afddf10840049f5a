/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process's cgroup path says about where it runs: a container
 * runtime and id (docker, containerd/CRI, cri-o, podman) and the systemd
 * unit.
 */
#ifndef CRASHD_CONTAINER_H
#define CRASHD_CONTAINER_H

#include <stddef.h>

struct container {
	char runtime[16]; /* "docker", "containerd", "cri-o", "podman", or "" */
	char id[65];	  /* 64 hex digits, or "" */
	char unit[256];	  /* "nginx.service", "session-3.scope", or "" */
};

/*
 * Parses the text of /proc/PID/cgroup (v1 or v2 lines).  Returns 1 when a
 * container or unit was found, 0 when none, -EINVAL on garbage.
 */
int container_from_cgroup(const char *data, size_t len, struct container *ret);

#endif
