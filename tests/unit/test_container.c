/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for hook/container.c on real /proc/PID/cgroup contents
 * (tests/fixtures/cgroup/): docker, containerd/CRI, cri-o, podman, systemd
 * units, host processes, and garbage.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

/* The ids used throughout the fixtures. */
#define DOCKER_ID                                                              \
	"3f1e0c2d9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f3a2b1c0d9e8f"
#define K8S_ID                                                                 \
	"8c4b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a090"
#define CRIO_ID                                                                \
	"b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1"
#define PODMAN_ID                                                              \
	"e7a9c3b5d1f2e4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4"

static const struct {
	const char *fixture;
	int ret;
	const char *runtime, *id, *unit;
} cases[] = {
	/* docker: cgroupfs driver (v1, v2) and systemd driver (v1, v2) */
	{ "docker_v1_cgroupfs", 1, "docker", DOCKER_ID, "" },
	{ "docker_v2_cgroupfs", 1, "docker", DOCKER_ID, "" },
	{ "docker_v1_systemd", 1, "docker", DOCKER_ID, "" },
	{ "docker_v2_systemd", 1, "docker", DOCKER_ID, "" },
	/* systemd running inside the container: its own unit is kept */
	{ "docker_v2_systemd_inside", 1, "docker", DOCKER_ID, "nginx.service" },
	/* containerd under kubernetes (CRI) */
	{ "containerd_v1_cgroupfs", 1, "containerd", K8S_ID, "" },
	{ "containerd_v2_cgroupfs", 1, "containerd", K8S_ID, "" },
	{ "containerd_v2_systemd", 1, "containerd", K8S_ID, "" },
	{ "containerd_v2_systemd_guaranteed", 1, "containerd", K8S_ID, "" },
	/* cri-o; its conmon is a scope of the host, not the container */
	{ "crio_v2_systemd", 1, "cri-o", CRIO_ID, "" },
	{ "crio_v1_systemd", 1, "cri-o", CRIO_ID, "" },
	{ "crio_conmon", 1, "", "", "crio-conmon-" CRIO_ID ".scope" },
	/* podman, rootful and rootless; libpod-conmon is not the container */
	{ "podman_v2_rootful", 1, "podman", PODMAN_ID, "" },
	{ "podman_v2_rootful_old", 1, "podman", PODMAN_ID, "" },
	{ "podman_v2_rootless", 1, "podman", PODMAN_ID, "user@1000.service" },
	{ "podman_v1_cgroupfs", 1, "podman", PODMAN_ID, "" },
	{ "podman_conmon", 1, "", "", "libpod-conmon-" PODMAN_ID ".scope" },
	{ "podman_conmon_rootless", 1, "", "", "user@1000.service" },
	/* systemd units: the innermost service, else the scope */
	{ "systemd_service_v2", 1, "", "", "nginx.service" },
	{ "systemd_service_hybrid", 1, "", "", "nginx.service" },
	{ "systemd_template_v2", 1, "", "", "getty@tty1.service" },
	{ "systemd_user_service", 1, "", "", "dbus.service" },
	{ "systemd_user_app_scope", 1, "", "", "user@1000.service" },
	{ "systemd_session_v2", 1, "", "", "session-3.scope" },
	{ "systemd_session_hybrid", 1, "", "", "session-3.scope" },
	/* host processes */
	{ "host_init", 1, "", "", "init.scope" },
	{ "host_root_v2", 0, "", "", "" },
	{ "host_root_v1", 0, "", "", "" },
};

static void
test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container ct;
		char rel[256];
		size_t len;
		char *d;
		int r;

		snprintf(rel, sizeof(rel), "cgroup/%s", cases[i].fixture);
		d = tu_fixture(rel, &len);
		memset(&ct, 0xa5, sizeof(ct));
		r = container_from_cgroup(d, len, &ct);
		if (r != cases[i].ret || strcmp(ct.runtime, cases[i].runtime) ||
		    strcmp(ct.id, cases[i].id) ||
		    strcmp(ct.unit, cases[i].unit))
			fail_msg("%s: got %d runtime \"%s\" id \"%s\" unit "
				 "\"%s\"; want %d \"%s\" \"%s\" \"%s\"",
			    cases[i].fixture, r, r >= 0 ? ct.runtime : "?",
			    r >= 0 ? ct.id : "?", r >= 0 ? ct.unit : "?",
			    cases[i].ret, cases[i].runtime, cases[i].id,
			    cases[i].unit);
		free(d);
	}
}

static int
parse(const char *text, struct container *ct)
{
	size_t len;
	char *d = tu_memdup(text, &len);
	int r;

	memset(ct, 0xa5, sizeof(*ct));
	r = container_from_cgroup(d, len, ct);
	free(d);
	return r;
}

static void
test_lines(void **state)
{
	struct container ct;

	(void)state;
	/* No trailing newline. */
	assert_int_equal(
	    parse("0::/system.slice/docker-" DOCKER_ID ".scope", &ct), 1);
	assert_string_equal(ct.id, DOCKER_ID);
	assert_string_equal(ct.runtime, "docker");
	/* Empty input and empty lines: nothing, no error. */
	assert_int_equal(parse("", &ct), 0);
	assert_string_equal(ct.runtime, "");
	assert_string_equal(ct.id, "");
	assert_string_equal(ct.unit, "");
	assert_int_equal(parse("\n\n", &ct), 0);
	/* A v1 controller list with ':' in the name= part. */
	assert_int_equal(
	    parse("1:name=systemd:/system.slice/cron.service\n", &ct), 1);
	assert_string_equal(ct.unit, "cron.service");
}

static void
test_not_an_id(void **state)
{
	struct container ct;

	(void)state;
	/* 63 and 65 hex digits, upper case, non-hex: no container. */
	assert_int_equal(parse("0::/docker/" DOCKER_ID "0\n", &ct), 0);
	assert_string_equal(ct.id, "");
	assert_int_equal(parse("0::/docker/3f1e0c2d9a8b7c6d5e4f30211203f4e5d6c"
			       "7b8a99a8b7c6d5e4f3a2b1c0d9e8\n",
			     &ct),
	    0);
	assert_int_equal(parse("0::/docker/3F1E0C2D9A8B7C6D5E4F30211203F4E5D6C"
			       "7B8A99A8B7C6D5E4F3A2B1C0D9E8F\n",
			     &ct),
	    0);
	assert_int_equal(parse("0::/docker/zf1e0c2d9a8b7c6d5e4f30211203f4e5d6c"
			       "7b8a99a8b7c6d5e4f3a2b1c0d9e8f\n",
			     &ct),
	    0);
	/* A 64-hex component under anything else is no container. */
	assert_int_equal(parse("0::/system.slice/" DOCKER_ID "\n", &ct), 0);
	assert_int_equal(parse("0::/" DOCKER_ID "\n", &ct), 0);
	/* A prefix alone, or with a suffix other than .scope. */
	assert_int_equal(parse("0::/system.slice/docker-.scope\n", &ct), 1);
	assert_string_equal(ct.id, "");
	assert_int_equal(
	    parse("0::/machine.slice/libpod-" PODMAN_ID ".scopex\n", &ct), 0);
	assert_string_equal(ct.id, "");
	/* docker.service itself is a unit, not a container. */
	assert_int_equal(parse("0::/system.slice/docker.service\n", &ct), 1);
	assert_string_equal(ct.id, "");
	assert_string_equal(ct.unit, "docker.service");
}

static void
test_garbage(void **state)
{
	struct container ct;

	(void)state;
	assert_int_equal(parse("garbage\n", &ct), -EINVAL);
	assert_int_equal(parse("0:/system.slice/x.service\n", &ct), -EINVAL);
	assert_int_equal(
	    parse("0::/system.slice/x.service\nnot a line\n", &ct), -EINVAL);
	assert_int_equal(parse("\x01\x02\x03", &ct), -EINVAL);
}

static void
test_garbage_leaves_output(void **state)
{
	struct container ct, before;

	(void)state;
	memset(&ct, 0x5a, sizeof(ct));
	before = ct;
	assert_int_equal(container_from_cgroup("x", 1, &ct), -EINVAL);
	assert_memory_equal(&ct, &before, sizeof(ct));
}

/* The first container named wins; nothing overflows the fixed fields. */
static void
test_bounds(void **state)
{
	struct container ct;
	char line[1024];

	(void)state;
	assert_int_equal(parse("0::/docker/" DOCKER_ID
			       "/machine.slice/libpod-" PODMAN_ID ".scope\n",
			     &ct),
	    1);
	assert_string_equal(ct.runtime, "docker");
	assert_string_equal(ct.id, DOCKER_ID);
	/* A unit name longer than the field is dropped, not cut. */
	memset(line, 0, sizeof(line));
	strcpy(line, "0::/system.slice/");
	memset(line + strlen(line), 'u', 300);
	strcat(line, ".service\n");
	assert_int_equal(parse(line, &ct), 0);
	assert_string_equal(ct.unit, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_not_an_id),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_garbage_leaves_output),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
