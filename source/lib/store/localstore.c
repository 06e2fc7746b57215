/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-user local store; see localstore.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/fault.h"
#include "store/fingerprint.h"
#include "store/localstore.h"
#include "util/stackframe.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int store_destructor(struct cr_store *s)
{
	int *fds[] = { &s->root_fd, &s->roaming_fd, &s->certs_fd,
		       &s->trash_fd, &s->lock_fd };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
	return 0;
}

int cr_store_default_path(TALLOC_CTX *mem_ctx, char **path, char **errmsg)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	*path = NULL;
	if (xdg != NULL && xdg[0] == '/') {
		*path = talloc_asprintf(mem_ctx, "%s/credroam", xdg);
	} else if (home != NULL && home[0] == '/') {
		*path = talloc_asprintf(mem_ctx, "%s/.local/share/credroam",
					home);
	} else {
		cr_seterr(errmsg, "neither XDG_DATA_HOME nor HOME is "
			  "an absolute path: cannot place the local store");
		return EINVAL;
	}
	return *path == NULL ? ENOMEM : 0;
}

/* mkdir -p of the parents of root, each 0700 when we make it. */
static int make_parents(TALLOC_CTX *mem_ctx, const char *root,
			char **errmsg)
{
	char *p = talloc_strdup(mem_ctx, root);
	char *slash = NULL;

	if (p == NULL) {
		return ENOMEM;
	}
	for (slash = strchr(p + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		int rc;

		*slash = '\0';
		rc = mkdir(p, 0700);
		if (rc != 0 && errno != EEXIST) {
			int err = errno;
			cr_seterr(errmsg, "cannot create '%s': %s", p,
				  strerror(err));
			return err;
		}
		*slash = '/';
	}
	return 0;
}

/* Open (making it if asked) a directory below dirfd, 0700, no symlink. */
static int open_subdir(TALLOC_CTX *mem_ctx, int dirfd, const char *name,
		       bool create, const char *what, int *pfd,
		       char **errmsg)
{
	int fd;

	if (create) {
		int rc = mkdirat(dirfd, name, 0700);
		if (rc != 0 && errno != EEXIST) {
			int err = errno;
			cr_seterr(errmsg, "cannot create '%s': %s",
				  what, strerror(err));
			return err;
		}
	}
	fd = openat(dirfd, name, DIR_FLAGS);
	if (fd < 0) {
		int err = errno;
		if (err == ELOOP || err == ENOTDIR) {
			cr_seterr(errmsg, "'%s' is not a directory "
				  "(a symlink or a file): refusing to use it",
				  what);
			return EINVAL;
		}
		cr_seterr(errmsg, "cannot open '%s': %s", what,
			  strerror(err));
		return err;
	}
	*pfd = fd;
	return 0;
}

int cr_store_open(TALLOC_CTX *mem_ctx, const char *root, bool create,
		  struct cr_store **pstore, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store *s = NULL;
	struct stat st;
	int ret;

	*pstore = NULL;
	if (root == NULL || root[0] != '/') {
		cr_seterr(errmsg, "local store path '%s' is not "
			  "absolute", root != NULL ? root : "(null)");
		ret = EINVAL;
		goto done;
	}
	s = talloc_zero(frame, struct cr_store);
	if (s == NULL) {
		ret = ENOMEM;
		goto done;
	}
	s->root_fd = s->roaming_fd = s->certs_fd = s->trash_fd = -1;
	s->lock_fd = -1;
	talloc_set_destructor(s, store_destructor);
	s->root = talloc_strdup(s, root);
	if (s->root == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (create) {
		ret = make_parents(frame, root, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = open_subdir(frame, AT_FDCWD, root, create, root, &s->root_fd,
			  errmsg);
	if (ret != 0) {
		goto done;
	}
	if (fstat(s->root_fd, &st) != 0) {
		ret = errno;
		goto done;
	}
	if (st.st_uid != geteuid()) {
		cr_seterr(errmsg, "local store '%s' belongs to uid "
			  "%u, not to you (uid %u): refusing to use it", root,
			  (unsigned)st.st_uid, (unsigned)geteuid());
		ret = EACCES;
		goto done;
	}
	if ((st.st_mode & 077) != 0 && fchmod(s->root_fd, 0700) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot make '%s' private (0700): "
			  "%s", root, strerror(ret));
		goto done;
	}
	ret = open_subdir(frame, s->root_fd, "roaming", create,
			  talloc_asprintf(frame, "%s/roaming", root),
			  &s->roaming_fd, errmsg);
	if (ret == 0) {
		ret = open_subdir(frame, s->root_fd, "certs", create,
				  talloc_asprintf(frame, "%s/certs", root),
				  &s->certs_fd, errmsg);
	}
	if (ret == 0) {
		ret = open_subdir(frame, s->root_fd, "trash", create,
				  talloc_asprintf(frame, "%s/trash", root),
				  &s->trash_fd, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	*pstore = talloc_move(mem_ctx, &s);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_store_lock(struct cr_store *store, unsigned wait_seconds,
		  char **errmsg)
{
	unsigned waited_ms = 0;
	int fd = store->lock_fd;

	if (fd < 0) {
		fd = openat(store->root_fd, ".lock",
			    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			int err = errno;
			cr_seterr(errmsg, "cannot open the lock file of "
				  "'%s': %s", store->root, strerror(err));
			return err;
		}
		store->lock_fd = fd;
	}
	for (;;) {
		struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
		int rc = flock(fd, LOCK_EX | LOCK_NB);

		if (rc == 0) {
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;
			cr_seterr(errmsg, "cannot lock '%s': %s",
				  store->root, strerror(err));
			return err;
		}
		if (waited_ms >= wait_seconds * 1000) {
			cr_seterr(errmsg, "another roaming run holds "
				  "the lock of '%s'", store->root);
			return EWOULDBLOCK;
		}
		nanosleep(&ts, NULL);
		waited_ms += 50;
	}
}

const char *cr_store_type_dir(unsigned type)
{
	return cr_token_type_name(type);
}

/*
 * Write name in dirfd atomically (atomic_file.h), with the fault points
 * before and after that the kill harness counts.
 */
static int write_atomic(TALLOC_CTX *errctx, int dirfd, const char *what,
			const char *name, const uint8_t *data, size_t len,
			mode_t mode, char **errmsg)
{
	int ret;

	cr_fault_point("local-write", what);
	ret = cr_write_atomic_at(dirfd, name, data, len, mode, true);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot write '%s': %s", what,
			  strerror(ret));
		return ret;
	}
	cr_fault_point("local-write-done", what);
	return 0;
}

/* Read a regular file below dirfd without following a symlink. */
static int read_at(TALLOC_CTX *mem_ctx, int dirfd, const char *what,
		   const char *name, uint8_t **pdata, size_t *plen,
		   char **errmsg)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd;
	int ret = 0;

	*pdata = NULL;
	*plen = 0;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		if (ret == ENOENT) {
			return ENOENT;
		}
		cr_seterr(errmsg, "cannot open '%s': %s", what,
			  ret == ELOOP ? "it is a symlink (not followed)"
				       : strerror(ret));
		return ret == ELOOP ? EINVAL : ret;
	}
	if (fstat(fd, &st) != 0) {
		ret = errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		cr_seterr(errmsg, "'%s' is not a regular file", what);
		ret = EINVAL;
		goto done;
	}
	if (st.st_size > CR_STORE_MAX_FILE) {
		cr_seterr(errmsg, "'%s' is %lld bytes, more than the "
			  "%d a store file may have", what,
			  (long long)st.st_size, CR_STORE_MAX_FILE);
		ret = EFBIG;
		goto done;
	}
	buf = talloc_size(mem_ctx, (size_t)st.st_size + 1);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			ret = errno;
			cr_seterr(errmsg, "cannot read '%s': %s",
				  what, strerror(ret));
			goto done;
		}
		if (n == 0) {
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*pdata = buf;
	*plen = got;
	buf = NULL;
done:
	TALLOC_FREE(buf);
	close(fd);
	return ret;
}

/* Move name (in dirfd) into trash/ under a new, unique name. */
static int trash_at(struct cr_store *store, int dirfd, const char *prefix,
		    const char *name, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *target = NULL;
	unsigned n;
	int ret = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	cr_fault_point("local-trash", name);
	for (n = 0; n < 1000; n++) {
		target = n == 0
			? talloc_asprintf(frame, "%s-%s-%s", stamp, prefix,
					  name)
			: talloc_asprintf(frame, "%s-%s-%s.%u", stamp, prefix,
					  name, n);
		if (target == NULL) {
			ret = ENOMEM;
			goto done;
		}
		if (renameat2(dirfd, name, store->trash_fd, target,
			      RENAME_NOREPLACE) == 0) {
			fsync(store->trash_fd);
			fsync(dirfd);
			cr_fault_point("local-trash-done", name);
			goto done;
		}
		if (errno != EEXIST) {
			ret = errno;
			if (ret != ENOENT) {
				cr_seterr(errmsg, "cannot move '%s/%s' "
					  "to the trash: %s", prefix, name,
					  strerror(ret));
			}
			goto done;
		}
	}
	ret = EEXIST;
done:
	TALLOC_FREE(frame);
	return ret;
}

static int open_type_dir(struct cr_store *store, unsigned type, bool create,
			 int *pfd, char **errmsg)
{
	const char *dir = cr_store_type_dir(type);

	if (dir == NULL) {
		cr_seterr(errmsg, "token type %u has no folder", type);
		return EINVAL;
	}
	return open_subdir(store, store->roaming_fd, dir, create,
			   talloc_asprintf(store, "%s/roaming/%s",
					   store->root, dir),
			   pfd, errmsg);
}

int cr_store_put_token(struct cr_store *store, const struct cr_token *token,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *what = NULL;
	int fd = -1;
	int ret;

	ret = cr_token_check(frame, token, NULL, errmsg);
	if (ret == 0 && token->identifier[0] == '.') {
		cr_seterr(errmsg, "identifier '%s' starts with a dot",
			  token->id_escaped);
		ret = EINVAL;
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "refusing to store a token");
		goto done;
	}
	ret = open_type_dir(store, token->type, true, &fd, errmsg);
	if (ret != 0) {
		goto done;
	}
	what = talloc_asprintf(frame, "roaming/%s/%s",
			       cr_store_type_dir(token->type),
			       token->identifier);
	ret = write_atomic(store, fd, what, token->identifier, token->raw,
			   token->raw_len, 0600, errmsg);
done:
	if (fd >= 0) {
		close(fd);
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_store_trash_token(struct cr_store *store, unsigned type,
			 const char *id, char **errmsg)
{
	int fd = -1;
	int ret;

	if (id == NULL || id[0] == '\0' || id[0] == '.' ||
	    strchr(id, '/') != NULL) {
		cr_seterr(errmsg, "'%s' is not a token file name",
			  id != NULL ? id : "(null)");
		return EINVAL;
	}
	ret = open_type_dir(store, type, false, &fd, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = trash_at(store, fd, cr_store_type_dir(type), id, errmsg);
	close(fd);
	return ret;
}

static bool plain_name(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '.' &&
	       strchr(name, '/') == NULL && strlen(name) < 200;
}

static int refuse_name(struct cr_store *store, const char *name,
		       char **errmsg)
{
	cr_seterr(errmsg, "'%s' is not a plain file name",
		  name != NULL ? name : "(null)");
	return EINVAL;
}

int cr_store_write_cert_file(struct cr_store *store, const char *name,
			     const uint8_t *data, size_t len, mode_t mode,
			     char **errmsg)
{
	char what[256];

	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	snprintf(what, sizeof(what), "certs/%s", name);
	return write_atomic(store, store->certs_fd, what, name, data, len,
			    mode, errmsg);
}

int cr_store_read_cert_file(TALLOC_CTX *mem_ctx, struct cr_store *store,
			    const char *name, uint8_t **data, size_t *len,
			    char **errmsg)
{
	char what[256];

	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	snprintf(what, sizeof(what), "%s/certs/%s", store->root, name);
	return read_at(mem_ctx, store->certs_fd, what, name, data, len,
		       errmsg);
}

int cr_store_protect_cert_file(struct cr_store *store, const char *name,
			       char **errmsg)
{
	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	int fd = openat(store->certs_fd, name,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int err = 0;

	if (fd < 0 || fchmod(fd, 0600) != 0) {
		err = errno;
		cr_seterr(errmsg, "cannot make certs/%s private: %s",
			  name, strerror(err));
	}
	if (fd >= 0) {
		close(fd);
	}
	return err;
}

bool cr_store_cert_file_exists(struct cr_store *store, const char *name)
{
	struct stat st;

	return plain_name(name) &&
	       fstatat(store->certs_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

bool cr_store_is_key_file(const char *name)
{
	static const char * const exts[] = { ".key", ".p12", ".pfx" };
	size_t n = strlen(name);
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcasecmp(name + n - e, exts[i]) == 0) {
			return true;
		}
	}
	return false;
}

int cr_store_wipe_at(int dirfd, const char *dir, const char *name,
		     char **errmsg)
{
	uint8_t zeros[4096] = { 0 };
	struct stat st;
	off_t done = 0;
	int fd = -1;
	int ret;

	fd = openat(dirfd, name,
		    O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = errno;
		if (ret != ENOENT) {
			cr_seterr(errmsg, "cannot open '%s/%s' to "
				  "wipe it: %s", dir, name, strerror(ret));
		}
		return ret;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cr_seterr(errmsg, "'%s/%s' is not a regular file", dir,
			  name);
		ret = EINVAL;
		goto done;
	}
	while (done < st.st_size) {
		size_t want = sizeof(zeros);
		ssize_t n;

		if ((off_t)want > st.st_size - done) {
			want = (size_t)(st.st_size - done);
		}
		n = pwrite(fd, zeros, want, done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = (n < 0) ? errno : EIO;
			cr_seterr(errmsg, "cannot wipe '%s/%s': %s", dir,
				  name, strerror(ret));
			goto done;
		}
		done += n;
	}
	if (fsync(fd) != 0 || ftruncate(fd, 0) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot wipe '%s/%s': %s", dir, name,
			  strerror(ret));
		goto done;
	}
	if (unlinkat(dirfd, name, 0) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot delete '%s/%s': %s", dir, name,
			  strerror(ret));
		goto done;
	}
	fsync(dirfd);
	ret = 0;
done:
	close(fd);
	return ret;
}

int cr_store_trash_cert_file(struct cr_store *store, const char *name,
			     char **errmsg)
{
	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	if (cr_store_is_key_file(name)) {
		/* never trashed: the DPAPI-protected token is the copy */
		return cr_store_wipe_at(store->certs_fd, "certs", name,
					errmsg);
	}
	return trash_at(store, store->certs_fd, "certs", name, errmsg);
}

int cr_store_rename_cert_file(struct cr_store *store, const char *from,
			      const char *to, char **errmsg)
{
	if (!plain_name(from) || !plain_name(to)) {
		return refuse_name(store, plain_name(from) ? to : from,
				   errmsg);
	}
	cr_fault_point("local-rename", to);
	if (renameat2(store->certs_fd, from, store->certs_fd, to,
		      RENAME_NOREPLACE) != 0) {
		int err = errno;
		cr_seterr(errmsg, "cannot rename certs/%s to %s: %s",
			  from, to, strerror(err));
		return err;
	}
	fsync(store->certs_fd);
	cr_fault_point("local-rename-done", to);
	return 0;
}

int cr_store_list_certs(TALLOC_CTX *mem_ctx, struct cr_store *store,
			char ***pnames, size_t *pcount, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char **all = NULL;
	char **names = NULL;
	size_t n_all = 0;
	size_t count = 0;
	size_t i;
	int ret;

	*pnames = NULL;
	*pcount = 0;
	ret = cr_store_list_names(frame, store->certs_fd, "certs", &all, &n_all,
			 errmsg);
	if (ret != 0) {
		goto done;
	}
	names = talloc_array(mem_ctx, char *, n_all + 1);
	if (names == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < n_all; i++) {
		struct stat st;
		int rc;

		if (all[i][0] == '.') {
			continue;
		}
		rc = fstatat(store->certs_fd, all[i], &st,
			     AT_SYMLINK_NOFOLLOW);
		if (rc != 0 || !S_ISREG(st.st_mode)) {
			continue;
		}
		names[count++] = talloc_move(names, &all[i]);
	}
	names[count] = NULL;
	*pnames = names;
	*pcount = count;
done:
	TALLOC_FREE(frame);
	return ret;
}

static void add_problem(struct cr_store_view *v, const char *relpath,
			const char *message)
{
	struct cr_store_problem *p = NULL;

	p = talloc_realloc(v, v->problems, struct cr_store_problem,
			   v->num_problems + 1);
	if (p == NULL) {
		return;
	}
	v->problems = p;
	p[v->num_problems].relpath = talloc_strdup(p, relpath);
	p[v->num_problems].message = talloc_strdup(p, message);
	v->num_problems++;
}

/* One file of roaming/<dir>/: a token whose type and id match its place. */
static void load_one(struct cr_store_view *v, int dirfd, unsigned type,
		     const char *dir, const char *name)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *relpath = talloc_asprintf(frame, "roaming/%s/%s", dir, name);
	struct cr_store_token *t = NULL;
	struct cr_token *token = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	int ret;

	if (relpath == NULL) {
		goto done;
	}
	if (strncmp(name, ".tmp-", 5) == 0) {
		/* A write that a killed run left half done: its target is
		 * intact, the copy is ours and worthless. */
		unlinkat(dirfd, name, 0);
		goto done;
	}
	ret = read_at(frame, dirfd, relpath, name, &data, &len, &err);
	if (ret == 0) {
		ret = cr_token_parse(frame, data, len, &token, NULL, &err);
	}
	if (ret == 0) {
		ret = cr_token_check(frame, token, NULL, &err);
	}
	if (ret == 0 && (token->type != type ||
			 strcmp(token->identifier, name) != 0)) {
		cr_seterr(&err, "holds token %u\\%s, which belongs "
			  "elsewhere", token->type, token->id_escaped);
		ret = EINVAL;
	}
	if (ret == 0 && cr_token_is_tombstone(token)) {
		cr_seterr(&err, "is a tombstone; the local store holds "
			  "only live tokens");
		ret = EINVAL;
	}
	if (ret != 0) {
		add_problem(v, relpath, err != NULL ? err : strerror(ret));
		goto done;
	}
	t = talloc_realloc(v, v->tokens, struct cr_store_token,
			   v->num_tokens + 1);
	if (t == NULL) {
		goto done;
	}
	v->tokens = t;
	t[v->num_tokens].token = talloc_steal(t, token);
	t[v->num_tokens].relpath = talloc_steal(t, relpath);
	v->num_tokens++;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
}

int cr_store_load(TALLOC_CTX *mem_ctx, struct cr_store *store,
		  struct cr_store_view **pview, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store_view *v = NULL;
	char **dirs = NULL;
	size_t n_dirs = 0;
	size_t d;
	int ret;

	*pview = NULL;
	v = talloc_zero(frame, struct cr_store_view);
	if (v == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_store_list_names(frame, store->roaming_fd, "roaming", &dirs, &n_dirs,
			 errmsg);
	if (ret != 0) {
		goto done;
	}
	for (d = 0; d < n_dirs; d++) {
		char **names = NULL;
		size_t n_names = 0;
		unsigned type;
		size_t i;
		int fd = -1;
		bool known = false;

		for (type = 0; type < 10; type++) {
			const char *tdir = cr_store_type_dir(type);
			if (tdir != NULL && strcmp(tdir, dirs[d]) == 0) {
				known = true;
				break;
			}
		}
		if (!known) {
			add_problem(v, talloc_asprintf(frame, "roaming/%s",
						       dirs[d]),
				    "not a token folder (left alone)");
			continue;
		}
		fd = openat(store->roaming_fd, dirs[d], DIR_FLAGS);
		if (fd < 0) {
			add_problem(v, talloc_asprintf(frame, "roaming/%s",
						       dirs[d]),
				    "not a directory, or a symlink (not "
				    "followed)");
			continue;
		}
		ret = cr_store_list_names(frame, fd, dirs[d], &names, &n_names,
				 errmsg);
		if (ret != 0) {
			close(fd);
			goto done;
		}
		for (i = 0; i < n_names; i++) {
			load_one(v, fd, type, dirs[d], names[i]);
		}
		close(fd);
	}
	*pview = talloc_move(mem_ctx, &v);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_store_write_root_file(struct cr_store *store, const char *name,
			     const uint8_t *data, size_t len, char **errmsg)
{
	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	return write_atomic(store, store->root_fd, name, name, data, len,
			    0600, errmsg);
}

int cr_store_read_root_file(TALLOC_CTX *mem_ctx, struct cr_store *store,
			    const char *name, uint8_t **data, size_t *len,
			    char **errmsg)
{
	char what[512];

	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	snprintf(what, sizeof(what), "%s/%s", store->root, name);
	return read_at(mem_ctx, store->root_fd, what, name, data, len,
		       errmsg);
}

int cr_store_rename_root_file(struct cr_store *store, const char *from,
			      const char *to, char **errmsg)
{
	if (!plain_name(from) || !plain_name(to)) {
		return refuse_name(store, plain_name(from) ? to : from,
				   errmsg);
	}
	if (renameat(store->root_fd, from, store->root_fd, to) != 0) {
		int err = errno;
		if (err != ENOENT) {
			cr_seterr(errmsg, "cannot rename %s to %s in "
				  "'%s': %s", from, to, store->root,
				  strerror(err));
		}
		return err;
	}
	fsync(store->root_fd);
	return 0;
}

int cr_store_unlink_root_file(struct cr_store *store, const char *name,
			      char **errmsg)
{
	if (!plain_name(name)) {
		return refuse_name(store, name, errmsg);
	}
	if (unlinkat(store->root_fd, name, 0) != 0 && errno != ENOENT) {
		int err = errno;
		cr_seterr(errmsg, "cannot remove '%s/%s': %s",
			  store->root, name, strerror(err));
		return err;
	}
	return 0;
}

/* Feed "<prefix>/<name> size mtime inode\n" of each entry of dirfd. */
int cr_store_fingerprint(TALLOC_CTX *mem_ctx, struct cr_store *store,
			 char **pfp, char **errmsg)
{
	return cr_store_fingerprint_at(mem_ctx, store->roaming_fd,
				       store->certs_fd, pfp, errmsg);
}
