/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam_keys.so's answer for a logoff: did the user's store change
 * since the last run that saved its state?  See pam_credroam_keys.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pam_credroam_keys.h"
#include "store/fingerprint.h"
#include "store/state_peek.h"
#include "util/error.h"
#include "util/stackframe.h"

/* a state larger than this is not read here: the run decides */
#define PCR_STATE_MAX (16u * 1024 * 1024)

static int read_state(TALLOC_CTX *mem_ctx, const char *store_dir,
		      uint8_t **pdata, size_t *plen)
{
	struct stat st;
	char *path = NULL;
	uint8_t *data = NULL;
	size_t got = 0;
	int fd = -1;
	int ret = 0;

	*pdata = NULL;
	*plen = 0;
	path = talloc_asprintf(mem_ctx, "%s/state", store_dir);
	if (path == NULL) {
		return ENOMEM;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return errno;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > PCR_STATE_MAX) {
		ret = EINVAL;
		goto done;
	}
	data = talloc_size(mem_ctx, (size_t)st.st_size + 1);
	if (data == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	*pdata = data;
	*plen = got;
done:
	close(fd);
	return ret;
}

int pcr_keys_store_unchanged(const char *store_dir, const char *sid)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *text = NULL;
	size_t len = 0;
	char *state_sid = NULL;
	char *recorded = NULL;
	char *now = NULL;
	char *err = NULL;
	int ret;

	ret = read_state(frame, store_dir, &text, &len);
	if (ret == 0) {
		ret = cr_state_peek(frame, text, len, &state_sid, &recorded,
				    &err);
	}
	if (ret == 0) {
		ret = cr_store_fingerprint_dir(frame, store_dir, &now, &err);
	}
	if (ret == 0) {
		ret = (strcmp(state_sid, sid) == 0 &&
		       strcmp(recorded, now) == 0) ? 0 : 1;
	}
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}
