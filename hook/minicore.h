/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "mini" core mode: what a backtrace needs, for any process size.
 * From the kernel's core stream only the ELF header, the program headers
 * and the notes are read (registers of every thread, the mapped files);
 * then each thread's stack (from its stack pointer) and the first page of
 * every mapped file (build ids) are read from /proc/PID/mem while the
 * kernel still holds the process, and written as a small, valid ELF core.
 * With gdb set, also what gdb needs to load the shared libraries: the
 * executable's dynamic section, ld.so's r_debug, the link_map list and
 * its names, and the vDSO.
 */
#ifndef CRASHD_MINICORE_H
#define CRASHD_MINICORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct minicore_params {
	int in_fd; /* the kernel's core stream */
	int mem_fd; /* /proc/PID/mem of the crashing process */
	int out_fd; /* core.mini */
	uint64_t stack_max; /* bytes of stack kept per thread */
	uint64_t total_max; /* bytes of notes and memory kept in all */
	int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
	/*
	 * /proc/PID/maps (not owned; NULL when unread): the mapped files
	 * when the kernel left its NT_FILE note out (too many mappings).
	 */
	const char *maps;
	size_t maps_len;
	bool gdb; /* also what gdb needs to load shared libraries */
};

struct minicore_result {
	unsigned threads;
	unsigned regions;
	unsigned segments; /* program headers written */
	unsigned link_maps; /* gdb: link_map entries kept */
	uint64_t notes_bytes;
	uint64_t memory_bytes; /* kept from /proc/PID/mem */
	uint64_t written; /* size of core.mini */
	const char *file_note; /* "kernel", "maps" (made here) or "none" */
	const char *stopped; /* NULL, or why it is less than it should be */
};

/*
 * Writes the minicore.  Returns 0 (ret filled), -EPROTO for a stream that
 * is no ELF core of a supported machine, -ETIMEDOUT, or -errno of a
 * failed read or write.
 */
int minicore_write(
    const struct minicore_params *p, struct minicore_result *ret);

/*
 * Appends the core_info item of a minicore: mode, threads, regions, the
 * bytes of notes and memory kept, the size written, and why it is less
 * (error is minicore_write()'s result).
 */
struct buf;
int minicore_info_format(struct buf *out, const struct minicore_result *res,
    int error, const char *note);

#endif
