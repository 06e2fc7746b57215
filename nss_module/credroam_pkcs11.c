/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam-pkcs11.so: the PKCS#11 module that NSS (Firefox, Thunderbird,
 * Chromium, Evolution) loads to reach the user's credroam token.
 *
 * Why a module of our own: NSS loads a PKCS#11 library by path from
 * pkcs11.txt and knows nothing of p11-kit's configuration, so it cannot
 * use the `remote:` line of ~/.config/pkcs11/modules/credroam.module.
 * The alternatives are worse:
 *   - p11-kit-proxy.so would bring every p11-kit module into NSS: the
 *     p11-kit-trust anchors beside NSS's own roots (a trust change nobody
 *     asked for) and OpenSC a second time beside pkcs11-register's entry.
 *   - p11-kit-client.so reads its address only from P11_KIT_SERVER_ADDRESS
 *     or uses p11-kit-server's default socket ($XDG_RUNTIME_DIR/p11-kit/
 *     pkcs11); a browser has no such variable, and taking the default
 *     address would steal it from `p11-kit server` users.
 * So this module asks libp11-kit for the one module named "credroam" (the
 * p11-kit registration credroam keeps true) and hands NSS that function
 * list: p11-kit's own RPC client speaks to the agent, nothing here speaks
 * PKCS#11 itself, and no key material ever passes through this code.
 *
 * Only libp11-kit's public API; no talloc (it runs inside browsers).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

/* the name p11-kit gives ~/.config/pkcs11/modules/credroam.module */
#define CREDROAM_P11KIT_NAME "credroam"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static CK_FUNCTION_LIST *credroam_module = NULL;

/* The credroam module of p11-kit's configuration; the others released. */
static CK_FUNCTION_LIST *load_credroam_module(void)
{
	CK_FUNCTION_LIST **modules = NULL;
	CK_FUNCTION_LIST *found = NULL;
	size_t i;

	modules = p11_kit_modules_load(NULL, 0);
	if (modules == NULL) {
		return NULL;
	}
	for (i = 0; modules[i] != NULL; i++) {
		char *name = p11_kit_module_get_name(modules[i]);
		bool ours = name != NULL && found == NULL &&
			    strcmp(name, CREDROAM_P11KIT_NAME) == 0;

		free(name);
		if (ours) {
			found = modules[i];
			continue;
		}
		p11_kit_module_release(modules[i]);
	}
	free(modules);
	return found;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv = CKR_OK;

	if (list == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	pthread_mutex_lock(&lock);
	if (credroam_module == NULL) {
		credroam_module = load_credroam_module();
	}
	if (credroam_module == NULL) {
		/* not registered: `credroam register` writes credroam.module */
		rv = CKR_GENERAL_ERROR;
	} else {
		*list = credroam_module;
	}
	pthread_mutex_unlock(&lock);
	return rv;
}

__attribute__((destructor)) static void release_credroam_module(void)
{
	pthread_mutex_lock(&lock);
	if (credroam_module != NULL) {
		p11_kit_module_release(credroam_module);
		credroam_module = NULL;
	}
	pthread_mutex_unlock(&lock);
}
