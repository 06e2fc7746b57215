/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * trash/'s retention; see trash.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "store/trash.h"
#include "util/error.h"
#include "util/stackframe.h"

#define CR_TRASH_STAMP_LEN 16	/* "20261207T153000Z" */
#define CR_TRASH_PEM_KEY "PRIVATE KEY-----"

struct entry {
	char *name;
	time_t when;
	uint64_t size;
	bool gone;
};

/* The time trash_at() put in the name, or -1. */
static time_t name_time(const char *name)
{
	struct tm tm;
	const char *end = NULL;

	if (strlen(name) <= CR_TRASH_STAMP_LEN ||
	    name[CR_TRASH_STAMP_LEN] != '-') {
		return (time_t)-1;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(name, "%Y%m%dT%H%M%SZ", &tm);
	if (end != name + CR_TRASH_STAMP_LEN) {
		return (time_t)-1;
	}
	return timegm(&tm);
}

/*
 * A file that came from certs/ and holds a PEM private key.  Its own read
 * loop, not util/readfile.c: a file over the limit is still scanned (its
 * first CR_STORE_MAX_FILE bytes), so a key in it is wiped, not kept.
 */
static bool holds_pem_key(int dirfd, const char *name)
{
	const char *from = strchr(name, '-');
	char *buf = NULL;
	size_t got = 0;
	bool found = false;
	int fd = -1;

	if (from == NULL || strncmp(from, "-certs-", 7) != 0) {
		return false;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	buf = talloc_size(NULL, CR_STORE_MAX_FILE);
	while (fd >= 0 && buf != NULL && got < CR_STORE_MAX_FILE) {
		ssize_t n = read(fd, buf + got, CR_STORE_MAX_FILE - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	if (buf != NULL) {
		found = memmem(buf, got, CR_TRASH_PEM_KEY,
			       strlen(CR_TRASH_PEM_KEY)) != NULL;
		memset(buf, 0, got);
	}
	TALLOC_FREE(buf);
	if (fd >= 0) {
		close(fd);
	}
	return found;
}

static int list_trash(TALLOC_CTX *mem_ctx, struct cr_store *store,
		      struct entry **pentries, size_t *pnum, char **errmsg)
{
	struct entry *entries = NULL;
	size_t num = 0;
	DIR *d = NULL;
	struct dirent *de = NULL;
	int fd = dup(store->trash_fd);
	int ret = 0;

	*pentries = NULL;
	*pnum = 0;
	d = (fd >= 0) ? fdopendir(fd) : NULL;
	if (d == NULL) {
		ret = errno;
		cr_seterr(errmsg, "cannot list '%s/trash': %s", store->root,
			  strerror(ret));
		if (fd >= 0) {
			close(fd);
		}
		return ret;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct entry *e = NULL;
		time_t t;

		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0)) {
			continue;
		}
		if (fstatat(store->trash_fd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
			continue;
		}
		entries = talloc_realloc(mem_ctx, entries, struct entry,
					 num + 1);
		if (entries == NULL) {
			ret = ENOMEM;
			break;
		}
		e = &entries[num++];
		e->name = talloc_strdup(entries, de->d_name);
		if (e->name == NULL) {
			ret = ENOMEM;
			break;
		}
		t = name_time(de->d_name);
		e->when = (t != (time_t)-1) ? t : st.st_ctime;
		e->size = (uint64_t)st.st_size;
		e->gone = false;
	}
	closedir(d);
	if (ret != 0) {
		TALLOC_FREE(entries);
		return ret;
	}
	*pentries = entries;
	*pnum = num;
	return 0;
}

static int older_first(const void *a, const void *b)
{
	const struct entry *x = a;
	const struct entry *y = b;

	if (x->when != y->when) {
		return (x->when < y->when) ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static int drop(TALLOC_CTX *mem_ctx, struct cr_store *store,
		struct entry *e, time_t now, bool wipe, const char *why,
		struct cr_trash_drop **drops, size_t *num, char **errmsg)
{
	struct cr_trash_drop *d = NULL;
	int ret = 0;

	if (wipe) {
		ret = cr_store_wipe_at(store->trash_fd, "trash", e->name,
				       errmsg);
	} else if (unlinkat(store->trash_fd, e->name, 0) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot delete 'trash/%s': %s", e->name,
			  strerror(ret));
	}
	if (ret == ENOENT) {
		ret = 0;
	}
	if (ret != 0) {
		return ret;
	}
	e->gone = true;
	*drops = talloc_realloc(mem_ctx, *drops, struct cr_trash_drop,
				*num + 1);
	if (*drops == NULL) {
		return ENOMEM;
	}
	d = &(*drops)[(*num)++];
	d->name = talloc_strdup(*drops, e->name);
	d->age = (now > e->when) ? (uint64_t)(now - e->when) : 0;
	d->size = e->size;
	d->why = talloc_strdup(*drops, why);
	return (d->name != NULL && d->why != NULL) ? 0 : ENOMEM;
}

int cr_store_trash_expire(TALLOC_CTX *mem_ctx, struct cr_store *store,
			  time_t now, const struct cr_trash_limits *limits,
			  struct cr_trash_drop **pdrops, size_t *pnum,
			  char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_trash_drop *drops = NULL;
	struct entry *entries = NULL;
	char *why = NULL;
	uint64_t bytes = 0;
	size_t left = 0;
	size_t num = 0;
	size_t n = 0;
	size_t i;
	int ret;

	*pdrops = NULL;
	*pnum = 0;
	ret = list_trash(frame, store, &entries, &num, errmsg);
	if (ret != 0) {
		goto done;
	}
	qsort(entries, num, sizeof(entries[0]), older_first);
	for (i = 0; i < num && ret == 0; i++) {
		struct entry *e = &entries[i];
		bool key = cr_store_is_key_file(e->name) ||
			   holds_pem_key(store->trash_fd, e->name);
		uint64_t age = (now > e->when) ? (uint64_t)(now - e->when)
					       : 0;

		if (key) {
			ret = drop(mem_ctx, store, e, now, true,
				   "a decrypted key", &drops, &n, errmsg);
		} else if (age > limits->max_age) {
			why = talloc_asprintf(frame, "older than %llu days",
				(unsigned long long)(limits->max_age / 86400));
			ret = (why == NULL) ? ENOMEM
				: drop(mem_ctx, store, e, now, false, why,
				       &drops, &n, errmsg);
		} else {
			bytes += e->size;
			left++;
		}
	}
	/* oldest first until both caps hold */
	for (i = 0; i < num && ret == 0 &&
		    (bytes > limits->max_bytes || left > limits->max_entries);
	     i++) {
		struct entry *e = &entries[i];

		if (e->gone) {
			continue;
		}
		why = talloc_asprintf(frame, "over the size cap of %llu "
				      "bytes and %zu entries",
				      (unsigned long long)limits->max_bytes,
				      limits->max_entries);
		ret = (why == NULL) ? ENOMEM
			: drop(mem_ctx, store, e, now, false, why, &drops, &n,
			       errmsg);
		if (ret == 0) {
			bytes -= e->size;
			left--;
		}
	}
	if (n > 0) {
		fsync(store->trash_fd);
	}
	*pdrops = drops;
	*pnum = n;
done:
	TALLOC_FREE(frame);
	return ret;
}
