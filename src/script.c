/* script.c: vetting what a command line runs (script_security), and
 * escaping what scripts print (see script.h). */
#include "script.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VET_LINKS_MAX 40        /* as the kernel's ELOOP limit */
#define VET_DEPTH_MAX 4         /* sh -c in sh -c, #! of a #! interpreter */
#define VET_WORDS_MAX 128

/* ---- the real file system ----------------------------------------------- */

static int sys_lstat(const char *path, struct stat *st, void *arg)
{
	(void)arg;
	return lstat(path, st);
}

static ssize_t sys_readlink(const char *path, char *buf, size_t len, void *arg)
{
	(void)arg;
	return readlink(path, buf, len);
}

static ssize_t sys_head(const char *path, char *buf, size_t len, void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	(void)arg;
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

const struct script_fs script_fs_sys = { sys_lstat, sys_readlink, sys_head, NULL };

/* ---- one path ------------------------------------------------------------ */

static int say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Writable by someone other than root: owner not root, or group/other
 * write (a root group, or a sticky directory for others, is fine: nobody
 * else can replace what root owns there). */
static bool unsafe_mode(const struct stat *st)
{
	bool dir = S_ISDIR(st->st_mode);

	if (st->st_uid != 0)
		return true;
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		return true;
	return (st->st_mode & S_IWOTH) && !(dir && (st->st_mode & S_ISVTX));
}

int script_vet_path(const struct script_fs *fs, const char *path, int dir, char *why,
		    size_t len)
{
	char cur[PATH_MAX] = "", todo[2 * PATH_MAX], next[2 * PATH_MAX], target[PATH_MAX];
	const char *rest = todo;
	struct stat st;
	int links = 0;

	if (path[0] != '/')
		return say(why, len, "%s: not an absolute path", path);
	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return say(why, len, "%s: path too long", path);
	if (fs->lstat("/", &st, fs->arg) < 0 || unsafe_mode(&st))
		return say(why, len, "%s: / is writable by a user other than root", path);
	/* Component by component, as the kernel resolves it: a link is
	 * checked itself, then replaced by its target in what is left. */
	for (;;) {
		char cand[PATH_MAX];
		size_t n;
		bool more;
		ssize_t tl;

		rest += strspn(rest, "/");
		if (!*rest)
			break;
		n = strcspn(rest, "/");
		more = rest[n + strspn(rest + n, "/")] != '\0';
		if (n == 1 && rest[0] == '.') {
			rest += n;
			continue;
		}
		if (n == 2 && !strncmp(rest, "..", 2)) {
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
			rest += n;
			continue;
		}
		if (snprintf(cand, sizeof(cand), "%s/%.*s", cur, (int)n, rest) >= (int)sizeof(cand))
			return say(why, len, "%s: path too long", path);
		rest += n;
		if (fs->lstat(cand, &st, fs->arg) < 0)
			return say(why, len, "%s: %s: %s", path, cand, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			if (++links > VET_LINKS_MAX)
				return say(why, len, "%s: too many symbolic links", path);
			if (st.st_uid != 0)
				return say(why, len, "%s: %s is a symbolic link owned by uid %u, not root",
					   path, cand, (unsigned)st.st_uid);
			tl = fs->readlink(cand, target, sizeof(target) - 1, fs->arg);
			if (tl <= 0)
				return say(why, len, "%s: %s: %s", path, cand,
					   tl < 0 ? strerror(errno) : "empty link");
			target[tl] = '\0';
			if (snprintf(next, sizeof(next), "%s/%s", target, rest) >= (int)sizeof(next))
				return say(why, len, "%s: path too long", path);
			memcpy(todo, next, sizeof(todo));
			rest = todo;
			if (target[0] == '/')
				cur[0] = '\0';
			continue;
		}
		if ((more || dir) && !S_ISDIR(st.st_mode))
			return say(why, len, "%s: %s is not a directory", path, cand);
		if (!more && !dir && !S_ISREG(st.st_mode))
			return say(why, len, "%s: %s is not a regular file", path, cand);
		if (st.st_uid != 0)
			return say(why, len, "%s: %s is owned by uid %u, not root", path, cand,
				   (unsigned)st.st_uid);
		if (unsafe_mode(&st))
			return say(why, len, "%s: %s is writable by a user other than root", path,
				   cand);
		memcpy(cur, cand, sizeof(cur));
	}
	return 0;
}

/* ---- a command line ------------------------------------------------------ */

struct vet {
	const struct script_fs *fs;
	char *why;
	size_t len;
	int depth;
};

struct word {
	char *s;                /* after quote removal */
	bool dyn;               /* an expansion or a glob: its value is not known */
	bool assign;            /* NAME=value, unquoted NAME */
};

enum interp { I_NONE, I_SH, I_PY, I_PERL, I_DOT };

static int vet_line(struct vet *v, const char *line);
static int vet_argv(struct vet *v, struct word *w, size_t n, const char *path_env);

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static enum interp interp_of(const char *word)
{
	static const char *const sh[] = { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", NULL };
	const char *b = base_name(word);

	if (!strcmp(word, ".") || !strcmp(word, "source"))
		return I_DOT;
	if (in_list(b, sh))
		return I_SH;
	if (!strncmp(b, "python", 6) && strspn(b + 6, "0123456789.") == strlen(b + 6))
		return I_PY;
	if (!strncmp(b, "perl", 4) && strspn(b + 4, "0123456789.") == strlen(b + 4))
		return I_PERL;
	return I_NONE;
}

/* name found in the PATH dirs (colon-separated) into out; 0 or -1. */
static int path_search(const struct vet *v, const char *dirs, const char *name, char *out,
		       size_t len)
{
	struct stat st;

	while (dirs && *dirs) {
		size_t n = strcspn(dirs, ":");

		if (n && snprintf(out, len, "%.*s/%s", (int)n, dirs, name) < (int)len &&
		    v->fs->lstat(out, &st, v->fs->arg) == 0 && !S_ISDIR(st.st_mode))
			return 0;
		dirs += n + (dirs[n] == ':');
	}
	return -1;
}

/* A file that will run: trusted, and so is the interpreter its #! names. */
static int vet_exec_file(struct vet *v, const char *path, int depth)
{
	char head[256], interp[PATH_MAX], arg[256];
	ssize_t n;
	char *p;

	if (script_vet_path(v->fs, path, 0, v->why, v->len) < 0)
		return -1;
	n = v->fs->head ? v->fs->head(path, head, sizeof(head) - 1, v->fs->arg) : -1;
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	head[n] = '\0';
	head[strcspn(head, "\n")] = '\0';
	p = head + 2 + strspn(head + 2, " \t");
	snprintf(interp, sizeof(interp), "%.*s", (int)strcspn(p, " \t"), p);
	p += strcspn(p, " \t");
	p += strspn(p, " \t");
	snprintf(arg, sizeof(arg), "%.*s", (int)strcspn(p, " \t"), p);
	if (depth >= VET_DEPTH_MAX)
		return say(v->why, v->len, "%s: #! interpreters nest too deep", path);
	if (interp[0] != '/')
		return say(v->why, v->len, "%s: #! names no absolute interpreter", path);
	if (vet_exec_file(v, interp, depth + 1) < 0)
		return -1;
	if (!strcmp(base_name(interp), "env") && arg[0] && arg[0] != '-') {
		char found[PATH_MAX];

		if (path_search(v, SCRIPT_PATH, arg, found, sizeof(found)) < 0)
			return say(v->why, v->len, "%s: #! program %s: not found on PATH", path, arg);
		return vet_exec_file(v, found, depth + 1);
	}
	return 0;
}

/* The program of a simple command, as the shell finds it. With a PATH=
 * assignment both lookups are vetted: shells differ on which one a
 * prefix assignment changes. */
static int vet_program(struct vet *v, const char *name, const char *path_env)
{
	char found[PATH_MAX];
	bool any = false;

	if (strchr(name, '/')) {
		if (snprintf(found, sizeof(found), "%s%s", name[0] == '/' ? "" : "/", name) >=
		    (int)sizeof(found))
			return say(v->why, v->len, "%s: path too long", name);
		return vet_exec_file(v, found, 0);      /* relative: the cwd is / */
	}
	if (path_env && path_search(v, path_env, name, found, sizeof(found)) == 0) {
		if (vet_exec_file(v, found, 0) < 0)
			return -1;
		any = true;
	}
	if (path_search(v, SCRIPT_PATH, name, found, sizeof(found)) == 0) {
		if (vet_exec_file(v, found, 0) < 0)
			return -1;
		any = true;
	}
	return any ? 0 : say(v->why, v->len, "%s: not found on PATH", name);
}

static int vet_assign(struct vet *v, const struct word *w, const char **path_env)
{
	static const char *const names[] = {
		"BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "IFS", "PS4", "CDPATH", "GLOBIGNORE",
		"GCONV_PATH", "LOCPATH", "NLSPATH", "NODE_OPTIONS", "HOME", NULL,
	};
	static const char *const prefixes[] = { "LD_", "BASH_FUNC_", "PYTHON", "PERL", "RUBY", NULL };
	const char *eq = strchr(w->s, '=');
	char name[128];

	snprintf(name, sizeof(name), "%.*s", (int)(eq - w->s), w->s);
	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return say(v->why, v->len, "%s=: changes what programs load, cannot be vetted",
				   name);
	if (in_list(name, names))
		return say(v->why, v->len, "%s=: changes what the shell runs, cannot be vetted", name);
	if (strcmp(name, "PATH"))
		return 0;
	if (w->dyn)
		return say(v->why, v->len, "PATH=: from an expansion, cannot be vetted");
	for (const char *d = eq + 1;; d += strcspn(d, ":") + 1) {
		char dir[PATH_MAX];
		size_t n = strcspn(d, ":");

		if (n == 0 || d[0] != '/')
			return say(v->why, v->len, "PATH=%s: every entry must be an absolute path",
				   eq + 1);
		snprintf(dir, sizeof(dir), "%.*s", (int)n, d);
		if (script_vet_path(v->fs, dir, 1, v->why, v->len) < 0)
			return -1;
		if (!d[n])
			break;
	}
	*path_env = eq + 1;
	return 0;
}

/* Arguments of a program: any that names an executable file (by a path,
 * or found on PATH) is vetted, as a wrapper (timeout, nice, env...) may
 * run it; an interpreter among them is vetted with its script. */
static int vet_args(struct vet *v, struct word *w, size_t n, const char *path_env)
{
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (w[i].dyn || w[i].s[0] == '-' || !w[i].s[0])
			continue;
		if (interp_of(w[i].s) != I_NONE && interp_of(w[i].s) != I_DOT)
			return vet_argv(v, w + i, n - i, path_env);
		if (strchr(w[i].s, '/')) {
			snprintf(path, sizeof(path), "%s%s", w[i].s[0] == '/' ? "" : "/", w[i].s);
			if (v->fs->lstat(path, &st, v->fs->arg) < 0 || S_ISDIR(st.st_mode) ||
			    (!S_ISLNK(st.st_mode) && !(st.st_mode & 0111)))
				continue;
		} else if (path_search(v, SCRIPT_PATH, w[i].s, path, sizeof(path)) < 0) {
			continue;
		}
		if (vet_exec_file(v, path, 0) < 0)
			return -1;
	}
	return 0;
}

/* An interpreter's options, then its script (or sh -c's string). */
static int vet_interp(struct vet *v, enum interp k, const char *prog, struct word *w, size_t n,
		      const char *path_env)
{
	static const char *const sh_long[] = { "--norc", "--noprofile", "--posix", NULL };
	const char *refuse = k == I_SH ? "il" : k == I_PY ? "cmWX" : k == I_PERL ? "eEMmIxd" : "";
	bool cmd = false;
	size_t i = 0;
	char path[PATH_MAX];

	for (; k != I_DOT && i < n && (w[i].s[0] == '-' || (k == I_SH && w[i].s[0] == '+')) &&
	       w[i].s[1]; i++) {
		const char *o = w[i].s;

		if (w[i].dyn)
			return say(v->why, v->len, "%s: an option from an expansion cannot be vetted",
				   prog);
		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (o[1] == '-') {
			if (k == I_SH && in_list(o, sh_long))
				continue;
			return say(v->why, v->len, "%s %s: cannot be vetted", prog, o);
		}
		for (const char *c = o + 1; *c; c++) {
			if (strchr(refuse, *c))
				return say(v->why, v->len, "%s -%c: %s cannot be vetted", prog, *c,
					   *c == 'c' || *c == 'e' || *c == 'E' ? "code given inline" :
					   "this option");
			if (k == I_SH && *c == 'c')
				cmd = true;
			if (k == I_SH && (*c == 'o' || *c == 'O'))
				i++;            /* its argument */
		}
	}
	if (i >= n)
		return 0;               /* reads standard input: /dev/null */
	if (w[i].dyn)
		return say(v->why, v->len, "%s: a %s from an expansion cannot be vetted", prog,
			   cmd ? "command string" : "script");
	if (cmd) {
		if (v->depth >= VET_DEPTH_MAX)
			return say(v->why, v->len, "%s -c: nested too deep", prog);
		return vet_line(v, w[i].s);     /* what follows is $0, $1...: data */
	}
	if (strchr(w[i].s, '/') || k != I_DOT) {
		snprintf(path, sizeof(path), "%s%s", w[i].s[0] == '/' ? "" : "/", w[i].s);
		if (!strchr(w[i].s, '/') && v->fs->lstat(path, &(struct stat){ 0 }, v->fs->arg) < 0 &&
		    path_search(v, path_env ? path_env : SCRIPT_PATH, w[i].s, path,
				sizeof(path)) < 0)
			return say(v->why, v->len, "%s: script %s not found", prog, w[i].s);
	} else if (path_search(v, path_env ? path_env : SCRIPT_PATH, w[i].s, path,
			       sizeof(path)) < 0) {
		return say(v->why, v->len, "%s: %s not found on PATH", prog, w[i].s);
	}
	if (script_vet_path(v->fs, path, 0, v->why, v->len) < 0)
		return -1;
	return vet_args(v, w + i + 1, n - i - 1, path_env);
}

/* One simple command, assignments first. */
static int vet_argv(struct vet *v, struct word *w, size_t n, const char *path_env)
{
	static const char *const inert[] = {
		"exit", ":", "true", "false", "return", "shift", "set", "unset", "wait", "umask",
		"read", "echo", "printf", "test", "[", NULL,
	};
	static const char *const refused[] = {
		"eval", "trap", "alias", "builtin", "command", "cd", "pushd", "popd", "fc", "let",
		"coproc", "time", "exec", "export", "readonly", "local", "declare", "typeset",
		"hash", "enable", "if", "then", "else", "elif", "fi", "do", "done", "case", "esac",
		"while", "until", "for", "in", "function", "select", "{", "}", "!", "[[", "]]",
		NULL,
	};
	size_t i = 0;
	enum interp k;
	const char *prog;

	for (; i < n && w[i].assign; i++)
		if (vet_assign(v, &w[i], &path_env) < 0)
			return -1;
	if (i == n) {
		if (path_env)
			return say(v->why, v->len, "PATH=: a PATH for later commands cannot be vetted");
		return 0;
	}
	w += i, n -= i;
	prog = w[0].s;
	if (w[0].dyn)
		return say(v->why, v->len, "%s: a program from an expansion cannot be vetted", prog);
	if (!strcmp(prog, "exec") && n > 1 && w[1].s[0] != '-')
		return vet_argv(v, w + 1, n - 1, path_env);
	if (in_list(prog, inert))
		return 0;
	if (in_list(prog, refused))
		return say(v->why, v->len, "%s: cannot be vetted", prog);
	k = interp_of(prog);
	if (k == I_DOT)
		return vet_interp(v, k, prog, w + 1, n - 1, path_env);
	if (vet_program(v, prog, path_env) < 0)
		return -1;
	if (k != I_NONE)
		return vet_interp(v, k, prog, w + 1, n - 1, path_env);
	if (!strcmp(base_name(prog), "env")) {
		for (i = 1; i < n && strchr(w[i].s, '=') && !w[i].dyn && w[i].s[0] != '='; i++) {
			w[i].assign = true;
			if (vet_assign(v, &w[i], &path_env) < 0)
				return -1;
		}
		if (i < n && w[i].s[0] == '-')
			return say(v->why, v->len, "env %s: cannot be vetted", w[i].s);
		return vet_argv(v, w + i, n - i, path_env);
	}
	return vet_args(v, w + 1, n - 1, path_env);
}

static bool name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(!first && c >= '0' && c <= '9');
}

/* Split line as sh does, as far as vetting needs: words, quotes, simple
 * commands between ; & | and newlines, redirections (their targets are
 * not run). What it cannot follow it refuses. */
static int vet_line(struct vet *v, const char *line)
{
	struct word w[VET_WORDS_MAX];
	size_t nw = 0, wl = 0;
	char *buf = malloc(strlen(line) + 1);
	const char *s = line;
	bool inword = false, dyn = false, lbracket = false, assign = false, redirect = false;
	int rc = 0;

	if (!buf)
		return say(v->why, v->len, "out of memory");
	v->depth++;
	for (;;) {
		char c = *s;
		bool end_word = !c || (!inword ? false : strchr(" \t\n;&|<>()", c) != NULL);

		if (end_word && inword) {
			buf[wl] = '\0';
			if (redirect) {
				redirect = false;
			} else if (nw == VET_WORDS_MAX) {
				rc = say(v->why, v->len, "too many words");
				goto out;
			} else if (!(w[nw].s = strdup(buf))) {
				rc = say(v->why, v->len, "out of memory");
				goto out;
			} else {
				w[nw].dyn = dyn;
				w[nw].assign = assign && (nw == 0 || w[nw - 1].assign);
				nw++;
			}
			inword = dyn = lbracket = assign = false;
			wl = 0;
		}
		if (!c || c == ';' || c == '&' || c == '|' || c == '\n') {
			if (redirect && c != '&') {
				rc = say(v->why, v->len, "a redirection without a target");
				goto out;
			}
			if (!redirect && (rc = vet_argv(v, w, nw, NULL)) < 0)
				goto out;
			while (nw)
				free(w[--nw].s);
			if (!c)
				break;
			s++;
			continue;
		}
		if (c == ' ' || c == '\t') {
			s++;
			continue;
		}
		if (c == '(' || c == ')') {
			rc = say(v->why, v->len, "subshells and functions cannot be vetted");
			goto out;
		}
		if (c == '<' || c == '>') {
			if (s[1] == '(' || (c == '<' && s[1] == '<')) {
				rc = say(v->why, v->len, "%s cannot be vetted",
					 s[1] == '(' ? "process substitution" : "a here-document");
				goto out;
			}
			/* "2>": the digits were the descriptor, not a word */
			if (nw && !w[nw - 1].dyn && w[nw - 1].s[strspn(w[nw - 1].s, "0123456789")] ==
			    '\0' && s > line && s[-1] >= '0' && s[-1] <= '9')
				free(w[--nw].s);
			s += strspn(s, "<>&|");
			if (*s == '-' || (*s >= '0' && *s <= '9' && s[-1] == '&')) {
				s += strspn(s, "-0123456789");   /* >&2, >&- */
				continue;
			}
			redirect = true;
			continue;
		}
		if (!inword) {
			size_t nn = 0;

			inword = true;
			if (c == '#') {                  /* a comment, to the end of the line */
				inword = false;
				s += strcspn(s, "\n");
				continue;
			}
			while (name_char(s[nn], nn == 0))
				nn++;
			assign = nn && s[nn] == '=';
			if (c == '~')
				dyn = true;
		}
		if (c == '\'') {
			const char *q = strchr(s + 1, '\'');

			if (!q) {
				rc = say(v->why, v->len, "an unterminated quote");
				goto out;
			}
			memcpy(buf + wl, s + 1, (size_t)(q - s - 1));
			wl += (size_t)(q - s - 1);
			s = q + 1;
		} else if (c == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '`' || (*s == '$' && s[1] == '(')) {
					rc = say(v->why, v->len, "command substitution cannot be vetted");
					goto out;
				}
				if (*s == '$')
					dyn = true;
				if (*s == '\\' && s[1] && strchr("$`\"\\\n", s[1]))
					s++;
				buf[wl++] = *s;
			}
			if (!*s) {
				rc = say(v->why, v->len, "an unterminated quote");
				goto out;
			}
			s++;
		} else if (c == '\\') {
			if (s[1] == '\n') {
				s += 2;
				continue;
			}
			if (s[1])
				buf[wl++] = s[1];
			s += s[1] ? 2 : 1;
		} else if (c == '`' || (c == '$' && s[1] == '(')) {
			rc = say(v->why, v->len, "command substitution cannot be vetted");
			goto out;
		} else {
			if (c == '$' || c == '*' || c == '?' || (c == ']' && lbracket))
				dyn = true;
			lbracket |= c == '[';
			buf[wl++] = c;
			s++;
		}
	}
out:
	while (nw)
		free(w[--nw].s);
	free(buf);
	v->depth--;
	return rc < 0 ? -1 : 0;
}

int script_vet_command(const struct script_fs *fs, const char *command, char *why, size_t len)
{
	struct vet v = { .fs = fs, .why = why, .len = len };

	if (!command[strspn(command, " \t\n")])
		return say(why, len, "an empty command");
	return vet_line(&v, command);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when it is not one.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)      /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t script_escape(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0;

	if (len == 0)
		return 0;
	while (*s) {
		char esc[5];
		const char *piece = esc;
		size_t n = utf8_seq(s), take = n ? n : 1;

		/* A terminal acts on C0, DEL and C1 (U+0080..U+009F, c2 80..9f). */
		if (n == 1 && (*s < 0x20 || *s == 0x7f || *s == '\\')) {
			if (*s == '\\' || *s == '\t' || *s == '\n' || *s == '\r')
				snprintf(esc, sizeof(esc), "\\%c", *s == '\\' ? '\\' : *s == '\t' ? 't' :
					 *s == '\n' ? 'n' : 'r');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = strlen(esc);
		} else if (n == 0 || (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			take = 1;       /* each byte of a C1 control on its own */
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = strlen(esc);
		} else {
			piece = (const char *)s;
		}
		if (out + n >= len)
			break;
		memcpy(dst + out, piece, n);
		out += n;
		s += take;
	}
	dst[out] = '\0';
	return out;
}
