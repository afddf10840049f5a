/*
 * The "mini" core mode: what a backtrace needs, for any process size.
 * From the kernel's core stream only the ELF header, the program headers
 * and the notes are read (registers of every thread, the mapped files);
 * then each thread's stack (from its stack pointer) and the first page of
 * every mapped file (build ids) are read from /proc/PID/mem while the
 * kernel still holds the process, and written as a small, valid ELF core.
 */
#ifndef CRASHD_MINICORE_H
#define CRASHD_MINICORE_H

#include <stdint.h>

struct minicore_params {
	int in_fd; /* the kernel's core stream */
	int mem_fd; /* /proc/PID/mem of the crashing process */
	int out_fd; /* core.mini */
	uint64_t stack_max; /* bytes of stack kept per thread */
	uint64_t total_max; /* bytes of memory kept in all */
	int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
};

struct minicore_result {
	unsigned threads;
	unsigned regions;
	uint64_t notes_bytes;
	uint64_t memory_bytes; /* kept from /proc/PID/mem */
	uint64_t written; /* size of core.mini */
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
