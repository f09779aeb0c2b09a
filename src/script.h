/* script.h: what hafd must make safe about the programs it runs for
 * checks and hooks: which files a command line would run (script_security)
 * and the text they print, shown in the log and in `hafctl status`. No
 * process is started here; the file system is reached through a table of
 * functions, so that tests can describe a tree with any owner. */
#ifndef HAFD_SCRIPT_H
#define HAFD_SCRIPT_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What vetting reads of the file system. Each returns like the system
 * call of its name (-1 with errno); head reads the first len bytes of a
 * file. arg is passed through. */
struct script_fs {
	int (*lstat)(const char *path, struct stat *st, void *arg);
	ssize_t (*readlink)(const char *path, char *buf, size_t len, void *arg);
	ssize_t (*head)(const char *path, char *buf, size_t len, void *arg);
	void *arg;
};

/* The real file system. */
extern const struct script_fs script_fs_sys;

/* The PATH children get (proc.h's PROC_PATH without "PATH="). */
#define SCRIPT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* A trusted file (dir: a directory): path is absolute, and it, every
 * directory on the way, every symbolic link met and the link's target
 * are owned by root and writable by no one else (a directory writable by
 * root's group, or by all with the sticky bit, is trusted too: nobody else
 * can replace what root owns there). 0, or -1 with the reason in why. */
int script_vet_path(const struct script_fs *fs, const char *path, int dir, char *why,
		    size_t len);

/* Every file that `/bin/sh -c command` would execute or source, as far as
 * the command line says, is trusted (script_vet_path): each simple
 * command's program (found on PATH when it has no slash, and the
 * interpreter of its #! line), every argument that names an executable
 * file (wrappers such as timeout run them), the script argument of an
 * interpreter (sh, bash, dash, python3, perl, . and source; sh -c strings
 * are vetted the same way), and the directories of a PATH= assignment.
 * What cannot be vetted is refused: command substitution, subshells and
 * compound commands, a program from an expansion, eval, python -c, perl -e,
 * assignments to LD_*, BASH_ENV, ENV, PYTHON*, PERL5* and the like. 0, or
 * -1 with the reason in why. */
int script_vet_command(const struct script_fs *fs, const char *command, char *why, size_t len);

/* src, made printable into dst (len bytes, NUL-terminated): control
 * characters (C0, DEL, and C1 as UTF-8), bytes that are not valid UTF-8
 * and backslashes are escaped (\t, \n, \r, \\, else \xNN, one per byte);
 * valid UTF-8 is kept. An escape or character that does not fit is left
 * out whole. Returns strlen(dst). */
size_t script_escape(char *dst, size_t len, const char *src);

#endif
