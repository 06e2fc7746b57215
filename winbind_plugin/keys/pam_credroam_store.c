/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam_keys.so's answer for a logoff: did the user's store change
 * since the last run that saved its state?  See pam_credroam_keys.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pam_credroam_keys.h"
#include "store/fingerprint.h"
#include "store/state_peek.h"
#include "util/error.h"
#include "util/readfile.h"
#include "util/stackframe.h"

/* a state larger than this is not read here: the run decides */
#define PCR_STATE_MAX (16u * 1024 * 1024)

static int read_state(TALLOC_CTX *mem_ctx, const char *store_dir,
		      uint8_t **pdata, size_t *plen)
{
	char *path = NULL;
	int fd = -1;
	int ret;

	*pdata = NULL;
	*plen = 0;
	path = talloc_asprintf(mem_ctx, "%s/state", store_dir);
	if (path == NULL) {
		return ENOMEM;
	}
	/* O_NONBLOCK: a FIFO put there cannot hold the logoff up */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return errno;
	}
	ret = cr_read_regular_fd(mem_ctx, fd, PCR_STATE_MAX, path, pdata,
				 plen, NULL);
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
