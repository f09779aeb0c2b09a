/* journal.c: the on-disk journals of VIPs and macvlans (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct journal {
	char *path;
	char *what;
	bool keep_open;
	int fd;                 /* append descriptor; -1: opened at need */
};

static int fd_ready(struct journal *j);

struct journal *journal_open(const char *path, const char *what, bool keep_open)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->fd = -1;
	j->keep_open = keep_open;
	if (!(j->path = strdup(path)) || !(j->what = strdup(what))) {
		journal_close(j);
		errno = ENOMEM;
		return NULL;
	}
	if (keep_open)
		fd_ready(j);    /* ahead of need; a failure is retried at the first append */
	return j;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->what);
	free(j);
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

/* open() that follows no symlink and accepts only a regular file: -1 with
 * ELOOP for anything else. O_NONBLOCK, as a FIFO would block (and means
 * nothing to a regular file). */
static int open_regular(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, JOURNAL_MODE);
	struct stat st;

	if (fd < 0) {
		/* A FIFO without a reader (for writing), a directory: not ours either. */
		if (errno == ENXIO || errno == EISDIR)
			errno = ELOOP;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

static void foreign_warn(const struct journal *j)
{
	log_warnx("%s journal %s is not a regular file (a symbolic link?): not followed, "
		  "replaced with an empty journal", j->what, j->path);
}

/* The journal's bytes, NUL-terminated for convenience (a NUL inside is
 * data). Absent reads as empty; not a regular file reads as empty with
 * *foreign set. NULL/errno on failure. */
static char *text_load(const struct journal *j, size_t *len, bool *foreign)
{
	int fd = open_regular(j->path, O_RDONLY);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char *buf = NULL, *grown;
	size_t cap = 0, n = 0;
	int err;

	*len = 0;
	*foreign = fd < 0 && errno == ELOOP;
	if (fd >= 0 && !f)
		close(fd);
	if (!f)
		return errno == ENOENT || *foreign ? calloc(1, 1) : NULL;
	/* The whole file, to its end: a NUL must not hide the lines after it. */
	for (;;) {
		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(grown = realloc(buf, cap)))
				break;
			buf = grown;
		}
		n += fread(buf + n, 1, cap - n - 1, f);
		if (feof(f) || ferror(f))
			break;
	}
	err = ferror(f) ? errno : n + 1 >= cap ? ENOMEM : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The append descriptor is of the file a rewrite just renamed away. */
static void fd_drop(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

static int fd_ready(struct journal *j)
{
	if (j->fd < 0)
		j->fd = open_regular(j->path, O_WRONLY | O_APPEND | O_CREAT);
	return j->fd;
}

int journal_store(struct journal *j, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f;
	bool ok;
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", j->path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);    /* O_EXCL: a leftover would keep its mode, a planted link its target */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, JOURNAL_MODE);
	if (fd < 0)
		return -1;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		goto fail;
	}
	ok = fwrite(text, 1, len, f) == len;
	if (fclose(f) == 0 && ok && rename(tmp, j->path) == 0) {
		fd_drop(j);
		if (j->keep_open)
			fd_ready(j);    /* a failure is retried at the next append */
		return 0;
	}
fail:
	err = errno ? errno : EIO;
	unlink(tmp);
	errno = err;
	return -1;
}

int journal_append(struct journal *j, const char *entry)
{
	size_t len = strlen(entry);
	char *line = malloc(len + 1);
	ssize_t n = -1;
	int err;

	if (!line)
		return -1;
	memcpy(line, entry, len);
	line[len] = '\n';
	if (fd_ready(j) < 0 && errno == ELOOP) {
		foreign_warn(j);        /* replaced: rename() swaps the link, not its target */
		if (journal_store(j, "", 0) == 0)
			fd_ready(j);
	}
	if (j->fd >= 0)
		n = write(j->fd, line, len + 1);
	err = n < 0 ? errno : n != (ssize_t)(len + 1) ? EIO : 0;
	free(line);
	if (!j->keep_open || err)
		fd_drop(j);     /* after a failure, the next append tries a fresh one */
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* The next line at *p (before end), without its newline, or NULL at the
 * end. Bytes, not a string: a NUL does not end the text. */
static const char *line_next(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	*len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*p = nl ? nl + 1 : end;
	return s;
}

int journal_replay(struct journal *j, journal_line_fn fn, void *arg)
{
	size_t len, llen, n = 0;
	bool foreign, dirty;
	char *text = text_load(j, &len, &foreign), *out = NULL;
	unsigned int lineno = 0;
	const char *p, *line;
	int rc = -1;

	if (!text || !(out = malloc(len + 1)))
		goto done;
	if ((dirty = foreign))
		foreign_warn(j);
	for (p = text; (line = line_next(&p, text + len, &llen)) != NULL; ) {
		if (!fn(line, llen, ++lineno, arg)) {
			dirty = true;
			continue;
		}
		memcpy(out + n, line, llen);
		n += llen;
		out[n++] = '\n';
	}
	rc = dirty ? journal_store(j, out, n) : 0;
done:
	free(text);
	free(out);
	return rc;
}

struct drop {
	const char *entry;
	size_t len;
};

static bool keep_other(const char *line, size_t len, unsigned int lineno, void *arg)
{
	const struct drop *d = arg;

	(void)lineno;
	return len != d->len || memcmp(line, d->entry, len) != 0;
}

int journal_remove(struct journal *j, const char *entry)
{
	struct drop d = { entry, strlen(entry) };

	return journal_replay(j, keep_other, &d);
}
