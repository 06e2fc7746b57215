/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * $XDG_CONFIG_HOME/pkcs11/modules/credroam.module; see register.h.
 *
 * p11-kit reads this for every program that loads modules through it
 * (GnuTLS, p11tool, NetworkManager, OpenConnect, p11-kit-proxy.so users,
 * and our own credroam-pkcs11.so for NSS).  `remote:` makes p11-kit's RPC
 * client talk to the agent's socket; the keys never enter those programs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "register.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/stackframe.h"

#define MODULE_MAX 65536

static char *module_text(TALLOC_CTX *mem_ctx, const char *socket)
{
	return talloc_asprintf(mem_ctx,
		"# Written by `credroam register`, kept by every credroam "
		"run;\n"
		"# `credroam register --remove` removes it.  The user's "
		"roamed\n"
		"# certificates and keys, served by `credroam agent`.\n"
		"remote: unix:path=%s\n", socket);
}

/* mkdir -p for the folders under config_home (mode 0700 when made). */
static int make_dirs(TALLOC_CTX *mem_ctx, const char *config_home)
{
	const char *parts[] = { "", "/pkcs11", "/pkcs11/modules" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char *d = talloc_asprintf(mem_ctx, "%s%s", config_home,
					  parts[i]);

		if (d == NULL) {
			return ENOMEM;
		}
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			return errno;
		}
	}
	return 0;
}

static int read_module(TALLOC_CTX *mem_ctx, const char *path, char **text)
{
	char *buf = NULL;
	ssize_t n;
	size_t got = 0;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return errno;
	}
	buf = talloc_zero_array(mem_ctx, char, MODULE_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return ENOMEM;
	}
	do {
		n = read(fd, buf + got, MODULE_MAX - got);
		if (n > 0) {
			got += (size_t)n;
		}
	} while ((n > 0 || (n < 0 && errno == EINTR)) && got < MODULE_MAX);
	close(fd);
	*text = buf;
	return 0;
}

int cr_reg_p11kit(TALLOC_CTX *mem_ctx, const struct cr_reg_paths *p,
		  enum cr_reg_action action, struct cr_reg_entry *e)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *want = module_text(frame, p->socket);
	char *old = NULL;
	int ret;

	e->kind = "p11-kit";
	e->path = talloc_asprintf(mem_ctx, "%s/pkcs11/modules/%s.module",
				  p->config_home, CR_REG_NAME);
	if (want == NULL || e->path == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = read_module(frame, e->path, &old);
	if (ret != 0 && ret != ENOENT) {
		e->note = talloc_asprintf(mem_ctx, "cannot read it: %s",
					  strerror(ret));
		ret = 0;
		goto done;
	}
	e->registered = old != NULL && strcmp(old, want) == 0;
	if (action == CR_REG_CHECK) {
		if (old != NULL && !e->registered) {
			e->note = talloc_strdup(mem_ctx, "differs from what "
						"credroam writes");
		}
		ret = 0;
		goto done;
	}
	if (action == CR_REG_REMOVE) {
		ret = 0;
		if (old != NULL && unlink(e->path) != 0 && errno != ENOENT) {
			e->note = talloc_asprintf(mem_ctx, "cannot remove it: "
						  "%s", strerror(errno));
			goto done;
		}
		e->changed = old != NULL;
		e->registered = false;
		goto done;
	}
	if (e->registered) {
		ret = 0;
		goto done;
	}
	ret = make_dirs(frame, p->config_home);
	if (ret == 0) {
		ret = cr_write_atomic(e->path, (const uint8_t *)want,
				      strlen(want), 0644, true);
	}
	if (ret != 0) {
		e->note = talloc_asprintf(mem_ctx, "cannot write it: %s",
					  strerror(ret));
		ret = (ret == ENOMEM) ? ENOMEM : 0;
		goto done;
	}
	e->registered = true;
	e->changed = true;
done:
	TALLOC_FREE(frame);
	return ret;
}
