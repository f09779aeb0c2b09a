/* ctl.h: the control socket that hafctl talks to, and the status it serves.
 *
 * Protocol: the client connects to control_socket (a unix stream socket,
 * mode 0600: only root may talk to hafd; with control_group, mode 0660 and
 * that group, whose members may only read: see ctl_read_only), writes one
 * request line, and
 * reads the answer until hafd closes the connection. The answer's first
 * line is "ok", "error" or "busy" (too many clients: nothing was done, try
 * again); the rest is the body. Requests:
 *   status            a table of instances and checks (text)
 *   status --json     the same with every counter, one JSON object
 *   metrics           Prometheus text exposition format 0.0.4
 *   reload            hafd_reload(): "ok", or "error" and one line per problem
 *   version           "hafd VERSION"
 * Nothing a client does can stall the loop: sockets are non-blocking, each
 * client has one deadline (CTL_DEADLINE_US) for the whole exchange, the
 * answer is buffered (up to CTL_ANSWER_MAX) and written as the client
 * reads it, and at most CTL_MAX_CLIENTS are served at once (more are
 * answered "busy", with a line for people, and closed at once).
 *
 * Under systemd (NOTIFY_SOCKET), the context also keeps the unit's STATUS=
 * line in step with the instances' states, checked once a second.
 */
#ifndef HAFD_CTL_H
#define HAFD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MAX_CLIENTS 16
#define CTL_REQUEST_MAX 256
#define CTL_DEADLINE_US (5 * 1000000ull)
#define CTL_ANSWER_MAX (32u << 20)
/* The HTTP /metrics endpoint (metrics_listen, ctl_http.c): clients served
 * at once, and the deadline of each, from accept to the last byte. */
#define CTL_HTTP_MAX_CLIENTS 8
#define CTL_HTTP_DEADLINE_US (5 * 1000000ull)

struct hafd;
struct ctl;

/* Listen on h's control_socket, on h's loop, and on metrics_listen when
 * set. A socket file left by a run that died is replaced; one where a live
 * daemon answers is not (EADDRINUSE), nor anything that is not a socket
 * (EEXIST). With control_group, the socket, the JSON dump and runtime_dir
 * get that group (ENOENT: no such group). 0 or -1/errno; a failure other than
 * the control socket's own is also logged, with its key. */
int ctl_open(struct ctl **out, struct hafd *h);

/* The requests a peer that is not root may make (control_group): those
 * that only read. Anything else, and whatever is added later, needs root. */
bool ctl_read_only(const char *req);
/* Drop the clients, close and unlink the socket (when it is still ours),
 * free. NULL is harmless. */
void ctl_close(struct ctl *c);

/* SIGUSR1: the status JSON into <runtime_dir>/hafd.json, through a
 * temporary file and a rename, so readers never see half of it. */
int ctl_dump(struct ctl *c);

/* "2 instances: 1 master, 1 backup" (the systemd STATUS= line). */
void ctl_summary(const struct hafd *h, char *buf, size_t len);

#endif
