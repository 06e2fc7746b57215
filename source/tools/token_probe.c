/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The agent and its token, as a client sees them; see token_probe.h.
 *
 * p11-kit-client.so takes its address from P11_KIT_SERVER_ADDRESS when
 * C_GetFunctionList runs; this command is single-threaded, so setting it
 * for the call is safe here (never in a library or a module).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#include "token_probe.h"
#include "util/stackframe.h"

#ifndef CR_P11KIT_CLIENT
#define CR_P11KIT_CLIENT "p11-kit-client.so"
#endif

/* p11-kit's address syntax: unix:path=<percent-encoded path> */
static char *address_of(TALLOC_CTX *mem_ctx, const char *path)
{
	char *a = talloc_strdup(mem_ctx, "unix:path=");
	size_t i;

	for (i = 0; a != NULL && path[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)path[i];
		bool plain = (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '/' ||
			     ch == '.' || ch == '_' || ch == '-';

		a = plain ? talloc_asprintf_append(a, "%c", ch) :
			    talloc_asprintf_append(a, "%%%02X", ch);
	}
	return a;
}

static bool can_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool ok;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return false;
	}
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Blank-padded PKCS#11 text to a string. */
static char *padded(TALLOC_CTX *mem_ctx, const CK_UTF8CHAR *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ') {
		n--;
	}
	return talloc_strndup(mem_ctx, (const char *)s, n);
}

static unsigned long count_class(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s,
				 CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };
	CK_OBJECT_HANDLE h[64];
	CK_ULONG got = 0;
	unsigned long n = 0;

	if (f->C_FindObjectsInit(s, &a, 1) != CKR_OK) {
		return 0;
	}
	do {
		if (f->C_FindObjects(s, h, 64, &got) != CKR_OK) {
			break;
		}
		n += got;
	} while (got == 64);
	f->C_FindObjectsFinal(s);
	return n;
}

static void ask_token(TALLOC_CTX *mem_ctx, struct cr_token_probe *p)
{
	CK_C_GetFunctionList get = NULL;
	CK_FUNCTION_LIST *f = NULL;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_SLOT_ID slots[8];
	CK_ULONG num = 8;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s = 0;
	char *addr = address_of(mem_ctx, p->socket);
	char *old = NULL;
	void *lib = NULL;
	CK_RV rv;

	lib = dlopen(CR_P11KIT_CLIENT, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL || addr == NULL) {
		p->problem = talloc_asprintf(mem_ctx, "cannot load %s "
					     "(p11-kit-modules)",
					     CR_P11KIT_CLIENT);
		goto done;
	}
	get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	old = getenv("P11_KIT_SERVER_ADDRESS");
	old = (old != NULL) ? talloc_strdup(mem_ctx, old) : NULL;
	setenv("P11_KIT_SERVER_ADDRESS", addr, 1);
	rv = (get != NULL) ? get(&f) : CKR_GENERAL_ERROR;
	if (old != NULL) {
		setenv("P11_KIT_SERVER_ADDRESS", old, 1);
	} else {
		unsetenv("P11_KIT_SERVER_ADDRESS");
	}
	if (rv == CKR_OK) {
		rv = f->C_Initialize(&args);
	}
	if (rv != CKR_OK) {
		p->problem = talloc_asprintf(mem_ctx, "the agent does not "
					     "answer PKCS#11 (0x%lx)",
					     (unsigned long)rv);
		goto done;
	}
	rv = f->C_GetSlotList(CK_TRUE, slots, &num);
	if (rv != CKR_OK || num == 0) {
		p->problem = talloc_strdup(mem_ctx, "the agent serves no "
					   "token");
		goto fin;
	}
	rv = f->C_GetTokenInfo(slots[0], &ti);
	if (rv != CKR_OK) {
		goto fin;
	}
	p->token = true;
	p->label = padded(mem_ctx, ti.label, sizeof(ti.label));
	p->login_required = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
	rv = f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv == CKR_OK) {
		p->certs = count_class(f, s, CKO_CERTIFICATE);
		p->private_keys = count_class(f, s, CKO_PRIVATE_KEY);
		f->C_CloseSession(s);
	}
fin:
	f->C_Finalize(NULL);
done:
	/* p11-kit-client keeps state behind atexit handlers: not unloaded */
	(void)lib;
}

int cr_token_probe(TALLOC_CTX *mem_ctx, const char *socket,
		   struct cr_token_probe **out)
{
	struct cr_token_probe *p = NULL;
	struct stat st;

	*out = NULL;
	p = talloc_zero(mem_ctx, struct cr_token_probe);
	if (p == NULL) {
		return ENOMEM;
	}
	p->socket = talloc_strdup(p, socket);
	if (p->socket == NULL) {
		TALLOC_FREE(p);
		return ENOMEM;
	}
	p->socket_exists = lstat(socket, &st) == 0 && S_ISSOCK(st.st_mode);
	p->reachable = p->socket_exists && can_connect(socket);
	if (!p->reachable) {
		p->problem = talloc_strdup(p, p->socket_exists ?
			"nothing answers on the socket" :
			"no agent socket (systemctl --user start "
			"credroam-agent.socket, or credroam agent)");
	} else {
		ask_token(p, p);
	}
	*out = p;
	return 0;
}

struct json_t *cr_token_probe_json(const struct cr_token_probe *p)
{
	json_t *agent = json_pack("{s:s,s:b,s:b,s:s?}", "socket", p->socket,
				  "socket_exists", p->socket_exists,
				  "running", p->reachable, "problem",
				  p->problem);
	json_t *token = json_null();

	if (p->token) {
		token = json_pack("{s:s,s:b,s:I,s:I}", "label",
				  p->label ? p->label : "",
				  "login_required", p->login_required,
				  "certificates", (json_int_t)p->certs,
				  "private_keys",
				  (json_int_t)p->private_keys);
	}
	if (agent != NULL) {
		json_object_set_new(agent, "token", token);
	}
	return agent;
}

void cr_token_probe_print(const struct cr_token_probe *p)
{
	printf("Agent: %s (%s)\n", p->reachable ? "running" :
	       "not running", p->socket);
	if (p->token) {
		printf("Token: '%s': %lu certificates, %lu private keys "
		       "visible%s\n", p->label ? p->label : "", p->certs,
		       p->private_keys, p->login_required ?
		       "; login required (your domain password unlocks "
		       "the keys)" : "");
	}
	if (p->problem != NULL) {
		printf("  %s\n", p->problem);
	}
}
