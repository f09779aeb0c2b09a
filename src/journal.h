/* journal.h: a journal on disk of what hafd added to the system (VIPs,
 * use_vmac macvlans), one entry per line, under runtime_dir: the crash
 * guard and the next start replay it to remove what a dead run left.
 * Callers write an entry before they add the thing, so a crash in between
 * leaves a line for nothing, never a thing without its line.
 *
 * One implementation for every journal, so they share these properties:
 * never opened through a symbolic link or as anything but a regular file
 * (O_NOFOLLOW; one planted there would have us read names to delete from
 * any file, or write to its target: it is replaced, its target left
 * alone); created mode 0600 (JOURNAL_MODE); rewritten by renaming a new
 * file over the old, so a crash leaves one journal whole; read as bytes,
 * so a NUL inside a line is data the caller rejects, and a long line is one
 * line, never split into pieces that could name something. */
#ifndef HAFD_JOURNAL_H
#define HAFD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define JOURNAL_MODE 0600

struct journal;

/* The journal at path. what names it in log lines ("VIP", "macvlan").
 * keep_open: open the append descriptor now (creating the file) and keep
 * it open between appends, reopened after a rewrite, for a caller on a hot
 * path: a takeover then journals its VIPs with one write(), no open().
 * Otherwise nothing is opened until needed, and nothing stays open. NULL
 * with errno. */
struct journal *journal_open(const char *path, const char *what, bool keep_open);
void journal_close(struct journal *j);
const char *journal_path(const struct journal *j);

/* Add entry (one line, no newline in it) at the end with one write(): a
 * crash mid-write leaves a malformed last line, which replay shows its
 * callback like any other. 0 or -1/errno. */
int journal_append(struct journal *j, const char *entry);

/* Called with each line, in order, without its newline: len bytes, which
 * may hold NULs. Return false to drop the line from the journal. */
typedef bool (*journal_line_fn)(const char *line, size_t len, unsigned int lineno, void *arg);

/* Call fn on every line, then rewrite the journal without the lines it
 * dropped (only when it dropped one). An absent journal has no lines; one
 * that is not a regular file has none and is replaced with an empty one,
 * with a warning. 0 or -1/errno. */
int journal_replay(struct journal *j, journal_line_fn fn, void *arg);

/* Drop every line equal to entry. 0 or -1/errno. */
int journal_remove(struct journal *j, const char *entry);

/* Replace the whole journal with text (lines, each ending in a newline).
 * 0 or -1/errno. */
int journal_store(struct journal *j, const char *text, size_t len);

#endif
