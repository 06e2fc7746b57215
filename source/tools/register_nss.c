/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Our entry in an NSS database's pkcs11.txt; see register.h.
 *
 * Why not modutil: `modutil -add` loads the module to check it, which
 * needs the agent up, and registration must also work before the agent
 * first starts (at logon, from the run).  The edit below changes our
 * block only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "register.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/stackframe.h"

#define PKCS11_TXT "pkcs11.txt"
#define PKCS11_TXT_MAX (1024 * 1024)

extern char **environ;

/* The line at text[*pos] (without its end); *pos moves past the end. */
static size_t next_line(const char *text, size_t len, size_t *pos,
			const char **line)
{
	const char *nl = NULL;
	size_t n;

	*line = text + *pos;
	nl = memchr(text + *pos, '\n', len - *pos);
	n = (nl != NULL) ? (size_t)(nl - (text + *pos)) : len - *pos;
	*pos += n + ((nl != NULL) ? 1 : 0);
	if (n > 0 && (*line)[n - 1] == '\r') {
		n--;
	}
	return n;
}

static bool line_is(const char *line, size_t n, const char *key,
		    const char *value)
{
	size_t k = strlen(key);
	size_t v = strlen(value);

	return n == k + v && memcmp(line, key, k) == 0 &&
	       memcmp(line + k, value, v) == 0;
}

static bool line_blank(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (line[i] != ' ' && line[i] != '\t') {
			return false;
		}
	}
	return true;
}

int cr_reg_nss_edit(TALLOC_CTX *mem_ctx, const char *text, size_t len,
		    const char *module, bool add, char **out, bool *present,
		    bool *changed)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *result = NULL;
	char *ours = NULL;
	size_t pos = 0;
	int ret = ENOMEM;

	*out = NULL;
	*present = false;
	*changed = false;
	ours = talloc_asprintf(frame, "library=%s\nname=%s\n", module,
			       CR_REG_NAME);
	result = talloc_strdup(frame, "");
	if (ours == NULL || result == NULL) {
		goto done;
	}
	while (pos < len) {
		size_t start = pos;
		size_t end;
		bool is_ours = false;
		bool has_lib = false;
		const char *line = NULL;
		size_t n = next_line(text, len, &pos, &line);

		if (line_blank(line, n)) {
			result = talloc_strndup_append(result, text + start,
						       pos - start);
			if (result == NULL) {
				goto done;
			}
			continue;
		}
		/* a block: this line and the non-blank ones after it */
		for (;;) {
			is_ours |= line_is(line, n, "name=", CR_REG_NAME);
			has_lib |= line_is(line, n, "library=", module);
			end = pos;
			if (pos >= len) {
				break;
			}
			n = next_line(text, len, &pos, &line);
			if (line_blank(line, n)) {
				pos = end;
				break;
			}
		}
		if (!is_ours) {
			result = talloc_strndup_append(result, text + start,
						       end - start);
			if (result == NULL) {
				goto done;
			}
			continue;
		}
		*present = *present || has_lib;
		if (add && end - start == strlen(ours) &&
		    memcmp(text + start, ours, end - start) == 0 &&
		    strstr(result, ours) == NULL) {
			/* exactly ours, the first time: keep it */
			result = talloc_strdup_append(result, ours);
			if (result == NULL) {
				goto done;
			}
			continue;
		}
		/* ours but stale (or a repeat): dropped, its blank line too */
		*changed = true;
		if (pos < len) {
			size_t before = pos;

			n = next_line(text, len, &pos, &line);
			if (!line_blank(line, n)) {
				pos = before;
			}
		}
	}
	if (add && strstr(result, ours) == NULL) {
		size_t rl = strlen(result);

		if (rl > 0 && result[rl - 1] != '\n') {
			result = talloc_strdup_append(result, "\n");
		}
		rl = (result != NULL) ? strlen(result) : 0;
		if (result != NULL && rl > 0 &&
		    !(rl >= 2 && result[rl - 2] == '\n')) {
			/* NSS separates entries with one blank line */
			result = talloc_strdup_append(result, "\n");
		}
		if (result != NULL) {
			result = talloc_asprintf_append(result, "%s\n", ours);
		}
		if (result == NULL) {
			goto done;
		}
		*changed = true;
	}
	*out = talloc_move(mem_ctx, &result);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * certutil -N -f /dev/null -d sql:DIR (a database without a password, as
 * Chromium makes it), as the user; 0 on success.
 */
static int create_nss_db(const char *dir, char **why)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *db = talloc_asprintf(frame, "sql:%s", dir);
	char *argv[] = { (char *)"certutil", (char *)"-N", (char *)"-f",
			 (char *)"/dev/null", (char *)"-d", db, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid = -1;
	int status = 0;
	int ret;

	if (db == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		ret = errno;
		cr_seterr(why, "cannot create %s: %s", dir, strerror(ret));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, "certutil", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret != 0) {
		cr_seterr(why, "no NSS database at %s, and certutil "
			  "(libnss3-tools) to create one cannot run: %s",
			  dir, strerror(ret));
		goto done;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ret = EIO;
		cr_seterr(why, "certutil -N could not create the NSS "
			  "database %s", dir);
		goto done;
	}
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static int read_small(TALLOC_CTX *mem_ctx, const char *path, char **text,
		      size_t *len, mode_t *mode)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;
	int ret = 0;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return errno;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = EINVAL;
		goto done;
	}
	if (st.st_size > PKCS11_TXT_MAX) {
		ret = EFBIG;
		goto done;
	}
	*mode = st.st_mode & 07777;
	buf = talloc_array(mem_ctx, char, (size_t)st.st_size + 1);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = (n < 0) ? errno : EIO;
			goto done;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
done:
	TALLOC_FREE(buf);
	close(fd);
	return ret;
}

int cr_reg_nss_db(TALLOC_CTX *mem_ctx, const char *dir, const char *module,
		  enum cr_reg_action action, bool create, bool in_use,
		  struct cr_reg_entry *e)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *path = talloc_asprintf(frame, "%s/%s", dir, PKCS11_TXT);
	char *text = NULL;
	char *edited = NULL;
	char *why = NULL;
	size_t len = 0;
	mode_t mode = 0600;
	bool present = false;
	bool changed = false;
	int ret;

	e->path = talloc_strdup(mem_ctx, dir);
	if (path == NULL || e->path == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = read_small(frame, path, &text, &len, &mode);
	if (ret == ENOENT && action == CR_REG_ADD && create && !in_use) {
		ret = create_nss_db(dir, &why);
		if (ret == 0) {
			ret = read_small(frame, path, &text, &len, &mode);
		}
	}
	if (ret == ENOENT) {
		e->note = talloc_strdup(mem_ctx, "no NSS database yet (the "
					"application makes it at its first "
					"start; the next run registers it)");
		ret = 0;
		goto done;
	}
	if (ret != 0) {
		e->note = talloc_asprintf(mem_ctx, "%s: %s", path,
					  why ? why : strerror(ret));
		ret = (ret == ENOMEM) ? ENOMEM : 0;
		goto done;
	}
	ret = cr_reg_nss_edit(frame, text, len, module,
			      action != CR_REG_REMOVE, &edited, &present,
			      &changed);
	if (ret != 0) {
		goto done;
	}
	e->registered = present;
	if (action == CR_REG_CHECK || !changed) {
		goto done;
	}
	if (in_use) {
		e->note = talloc_strdup(mem_ctx, "in use by a running "
					"application: left for the next run "
					"after it exits");
		goto done;
	}
	ret = cr_write_atomic(path, (const uint8_t *)edited, strlen(edited),
			      mode, true);
	if (ret != 0) {
		e->note = talloc_asprintf(mem_ctx, "cannot write %s: %s",
					  path, strerror(ret));
		ret = 0;
		goto done;
	}
	e->changed = true;
	e->registered = action == CR_REG_ADD;
done:
	cr_err_clear(&why);
	TALLOC_FREE(frame);
	return ret;
}
