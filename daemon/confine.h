/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unwinder's confinement, entered in its child process: no root, no
 * capabilities, no new privileges, bounded memory, and a root directory
 * where nothing can be found.  Files of the host are then opened only by
 * confine_open(): regular files, never blocking, resolved inside the
 * host's root, and by path only for a crash of the host's own mount
 * namespace (a container's paths mean nothing in the host's tree).
 */
#ifndef CRASHD_CONFINE_H
#define CRASHD_CONFINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dump.h"

/* The unwinder's address space in a normal build (none under ASan). */
#define CONFINE_AS_MAX (6ULL << 30)

/*
 * Whom the unwinder runs as: the crashing uid for a dumpable crash of a
 * user (it could read that process's files and its core anyway), else
 * nobody (root's crashes, setuid ones, and when debuginfod shares a
 * cache).  Returns 0 and *ret_uid, *ret_gid.
 */
int confine_identity(
    const struct dump *d, bool shared_cache, uid_t *ret_uid, gid_t *ret_gid);

/*
 * Enters the confinement (in the child, after its core is open).
 * cache: the debuginfod cache to be the unwinder's root (made and given
 * to the unwinder's uid), or NULL: an empty, deleted directory is.
 * Returns 0, or -errno when the child must not unwind.  Without root
 * (unit tests run as a user), only the limits and no_new_privs apply.
 */
int confine_enter(const struct dump *d, const char *cache);

/*
 * The exit status base of a supervisor whose unwinder died of a signal:
 * CONFINE_EXIT_SIGNAL + the signal (confine_supervise()).
 */
#define CONFINE_EXIT_SIGNAL 64

/*
 * Splits the confined child in two (after confine_enter()): the unwind
 * goes on in a grandchild of the same uid, and this process supervises
 * it, killing it when kill_ms have passed or when ctl_fd (a pipe's read
 * end the daemon holds the other end of) ends: the daemon has no
 * CAP_KILL for the unwinder's uid, its supervisor needs none.  Returns 0
 * in the grandchild or -errno; the supervisor does not return: it exits
 * as the grandchild did (CONFINE_EXIT_SIGNAL + a signal for one that died
 * of a signal), or is ended by SIGALRM when it stopped the unwind.
 */
int confine_supervise(int ctl_fd, int64_t kill_ms);

/* True in a child that entered the confinement. */
bool confine_entered(void);

/* True when the crash shared the host's mount namespace. */
bool confine_host_paths(void);

/*
 * Opens path (absolute) in the host's tree: a regular file, O_NONBLOCK,
 * the last component no symlink.  trusted: a path of the host's own
 * (/usr/lib/debug by build id), opened for a container's crash too; else
 * a path the crash named, for the host's crashes only (-EPERM).  Returns
 * an fd, or -errno (-EINVAL for anything but a regular file).
 */
int confine_open(const char *path, bool trusted);

#endif
