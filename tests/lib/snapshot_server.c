/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test server for libcrashd, built by tests/lib/snapshot.sh against the
 * installed library (pkg-config crashd): HTTP/1.0 on 127.0.0.1, one
 * request per connection, served by 8 threads.
 *   GET /        200 "ok"
 *   GET /assert  check_invariant() fails a CRASHD_ASSERT: 500 "assert"
 *   GET /snap    crashd_snapshot() by hand: 200 "snapshot=R" (its result)
 * It prints "port N" once listening, and runs until killed.
 */
#include <crashd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define THREADS 8

static int listen_fd;

/* The handler the snapshot's crashing thread must show. */
__attribute__((noinline)) static int
check_invariant(const char *path)
{
	if (!CRASHD_ASSERT(strcmp(path, "/assert") != 0))
		return 500;
	return 200;
}

static void
reply(int fd, int code, const char *body)
{
	char out[256];
	int n = snprintf(out, sizeof(out),
	    "HTTP/1.0 %d %s\r\nContent-Length: %zu\r\n\r\n%s", code,
	    code == 200 ? "OK" : "Internal Server Error", strlen(body), body);

	if (n > 0 && write(fd, out, (size_t)n) < 0)
		perror("write");
}

static void *
serve(void *arg)
{
	(void)arg;
	for (;;) {
		char req[1024], path[256] = "", body[64];
		int fd = accept(listen_fd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			continue;
		n = read(fd, req, sizeof(req) - 1);
		if (n > 0) {
			req[n] = '\0';
			if (sscanf(req, "GET %255s", path) != 1)
				path[0] = '\0';
		}
		if (strcmp(path, "/assert") == 0) {
			reply(fd, check_invariant(path), "assert");
		} else if (strcmp(path, "/snap") == 0) {
			snprintf(body, sizeof(body), "snapshot=%d",
			    crashd_snapshot("taken by hand", 0));
			reply(fd, 200, body);
		} else {
			reply(fd, 200, "ok");
		}
		close(fd);
	}
	return NULL;
}

int
main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pthread_t t[THREADS];

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, len) < 0 ||
	    listen(listen_fd, 128) < 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) < 0) {
		perror("listen");
		return 1;
	}
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, serve, NULL) != 0)
			return 1;
	printf("port %d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;)
		pause();
}
