/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store's fingerprint; see fingerprint.h.
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
#include <sys/stat.h>
#include <unistd.h>

#include "store/fingerprint.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/stackframe.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cr_store_list_names(TALLOC_CTX *mem_ctx, int dirfd, const char *what,
			char ***pnames, size_t *pcount, char **errmsg)
{
	char **names = NULL;
	size_t count = 0;
	struct dirent *de = NULL;
	DIR *d = NULL;
	int fd;

	*pnames = NULL;
	*pcount = 0;
	fd = dup(dirfd);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		int err = errno;
		if (fd >= 0) {
			close(fd);
		}
		return err;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		int err = errno;
		close(fd);
		cr_seterr(errmsg, "cannot list '%s': %s", what,
			  strerror(err));
		return err;
	}
	names = talloc_array(mem_ctx, char *, 0);
	while (names != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		names = talloc_realloc(mem_ctx, names, char *, count + 1);
		if (names == NULL) {
			break;
		}
		names[count] = talloc_strdup(names, de->d_name);
		if (names[count] == NULL) {
			TALLOC_FREE(names);
			break;
		}
		count++;
	}
	closedir(d);
	if (names == NULL) {
		return ENOMEM;
	}
	qsort(names, count, sizeof(char *), name_cmp);
	*pnames = names;
	*pcount = count;
	return 0;
}

static int fingerprint_dir(TALLOC_CTX *mem_ctx, gnutls_hash_hd_t h,
			   int dirfd, const char *prefix, bool recurse,
			   char **errmsg)
{
	char **names = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	ret = cr_store_list_names(mem_ctx, dirfd, prefix, &names, &n, errmsg);
	if (ret != 0) {
		return ret;
	}
	for (i = 0; i < n; i++) {
		struct stat st;
		char line[600];
		int len;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			continue;
		}
		len = snprintf(line, sizeof(line), "%s/%s %lld %lld.%09ld "
			       "%llu %o\n", prefix, names[i],
			       (long long)st.st_size,
			       (long long)st.st_mtim.tv_sec,
			       st.st_mtim.tv_nsec,
			       (unsigned long long)st.st_ino, st.st_mode);
		if (len > 0 && (size_t)len < sizeof(line)) {
			gnutls_hash(h, line, (size_t)len);
		}
		if (recurse && S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, names[i], DIR_FLAGS);
			if (fd >= 0) {
				char *sub = talloc_asprintf(mem_ctx, "%s/%s",
							    prefix,
							    names[i]);
				ret = sub == NULL ? ENOMEM
					: fingerprint_dir(mem_ctx, h, fd, sub,
							  false, errmsg);
				close(fd);
				if (ret != 0) {
					return ret;
				}
			}
		}
	}
	return 0;
}

int cr_store_fingerprint_at(TALLOC_CTX *mem_ctx, int roaming_fd,
			    int certs_fd, char **pfp, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	gnutls_hash_hd_t h = NULL;
	uint8_t digest[CR_SHA1_LEN];
	int ret;

	*pfp = NULL;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) != 0) {
		ret = ENOMEM;
		goto done;
	}
	ret = fingerprint_dir(frame, h, roaming_fd, "roaming", true,
			      errmsg);
	if (ret == 0) {
		ret = fingerprint_dir(frame, h, certs_fd, "certs",
				      false, errmsg);
	}
	gnutls_hash_deinit(h, digest);
	if (ret != 0) {
		goto done;
	}
	*pfp = cr_hex_upper(mem_ctx, digest, sizeof(digest));
	ret = *pfp == NULL ? ENOMEM : 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_store_fingerprint_dir(TALLOC_CTX *mem_ctx, const char *root,
			     char **pfp, char **errmsg)
{
	int root_fd = -1;
	int roaming_fd = -1;
	int certs_fd = -1;
	int ret;

	*pfp = NULL;
	root_fd = open(root, DIR_FLAGS);
	if (root_fd >= 0) {
		roaming_fd = openat(root_fd, "roaming", DIR_FLAGS);
		certs_fd = openat(root_fd, "certs", DIR_FLAGS);
	}
	if (roaming_fd < 0 || certs_fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open the store '%s': %s", root,
			  strerror(ret));
		goto done;
	}
	ret = cr_store_fingerprint_at(mem_ctx, roaming_fd, certs_fd, pfp,
				      errmsg);
done:
	if (certs_fd >= 0) {
		close(certs_fd);
	}
	if (roaming_fd >= 0) {
		close(roaming_fd);
	}
	if (root_fd >= 0) {
		close(root_fd);
	}
	return ret;
}
