/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delivery queue on disk: <spool>/.state/deliveries/{pending,dead,sent}.
 * Each delivery is a directory named by its qid (from the event id) with
 * two files: "payload" (what is delivered, written once) and "state"
 * (attempts, next attempt, last outcome; replaced atomically).  A new
 * delivery is built in deliveries/.tmp-<qid> and renamed into pending/, so
 * pending/ only ever holds complete ones.  A sent delivery keeps its state
 * (not its payload) for a while, so that an action rerun after a crash of
 * the daemon finds it and does not send it twice.  Shared by the daemon
 * (which adds and delivers) and the CLI (which lists, retries and drops).
 */
#ifndef CRASHD_QUEUE_H
#define CRASHD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#define QUEUE_DIR "deliveries" /* below <spool>/.state */
#define QUEUE_PAYLOAD_MAX (256u << 20)

enum queue_list {
	QUEUE_PENDING,
	QUEUE_DEAD,
	QUEUE_SENT,
	_QUEUE_LIST_MAX,
};

struct queue_entry {
	char qid[240]; /* the directory's name */
	char action[72]; /* the action's name in the config */
	char label[160]; /* its label in the dump's record (name@digest-N) */
	char type[16]; /* mail, webhook */
	char id[240]; /* the event id: the same on every attempt */
	char dump[128]; /* the dump's name in the spool */
	long long created_ms; /* wall clock */
	unsigned attempts;
	long long next_ms; /* wall clock of the next attempt */
	long long last_ms; /* wall clock of the last attempt's end */
	char last[512]; /* what the last attempt came to, one line */
};

struct queue {
	int dirfd; /* <spool>/.state/deliveries */
	int list_fd[_QUEUE_LIST_MAX];
};

const char *queue_list_to_string(enum queue_list l);

/*
 * Opens the queue of the spool in spool_dirfd, creating its directories
 * when create is set.  Returns 0, -ENOENT (no queue and !create), or
 * another -errno.
 */
int queue_open(int spool_dirfd, bool create, struct queue *q);
void queue_close(struct queue *q);

/* The qid of an event id: '/' becomes '+'.  -ENAMETOOLONG or 0. */
int queue_qid(const char *id, char *out, size_t size);

/*
 * Adds e (its qid set) with its payload, durably, to pending/.  Returns 1
 * when added, 0 when the qid is already pending, dead or sent (nothing
 * changed), or -errno.
 */
int queue_add(struct queue *q, const struct queue_entry *e, const char *payload,
    size_t len);

/* Reads the state of one delivery. 0, -ENOENT, -EBADMSG or -errno. */
int queue_load(
    struct queue *q, enum queue_list l, const char *qid, struct queue_entry *e);

/* Replaces the state of a delivery in list l atomically and durably. */
int queue_save(struct queue *q, enum queue_list l, const struct queue_entry *e);

/*
 * Moves a delivery between lists (durably).  Into sent/, its payload is
 * removed first.  Returns 0 or -errno (-ENOENT when it is not in from).
 */
int queue_move(
    struct queue *q, const char *qid, enum queue_list from, enum queue_list to);

/* Opens the payload of a pending or dead delivery for reading. fd or -errno */
int queue_open_payload(struct queue *q, enum queue_list l, const char *qid);

/* Removes a delivery from a list.  0 or -errno. */
int queue_remove(struct queue *q, enum queue_list l, const char *qid);

/*
 * The deliveries of list l (their states), sorted by qid; entries that
 * cannot be read are skipped.  The caller frees *ret.  0 or -errno.
 */
int queue_entries(
    struct queue *q, enum queue_list l, struct queue_entry **ret, size_t *n);

/* How many deliveries list l holds (one readdir, no state read). */
int queue_count(struct queue *q, enum queue_list l, size_t *n);

/* Removes the deliveries of l whose last change is older than age_s. */
void queue_prune(struct queue *q, enum queue_list l, long long age_s);

#endif
