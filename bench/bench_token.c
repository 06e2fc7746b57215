/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_token: the two measurements of bench_token.sh, each in one
 * process so that neither program start nor module loading is counted.
 *
 *   bench_token sign MODULE PIN SECONDS
 *       RSA signatures per second (CKM_SHA256_RSA_PKCS, one session, the
 *       token's first private key) through the PKCS#11 module MODULE
 *       (p11-kit-client.so to the agent, or libsofthsm2.so in process)
 *   bench_token tls PORT CERT KEY CAFILE COUNT
 *       milliseconds per TLS 1.3 handshake with client authentication
 *       against 127.0.0.1:PORT; CERT and KEY are files or pkcs11: URIs
 *       (GnuTLS loads those through p11-kit)
 */
#include "config.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <p11-kit/pkcs11.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_sign(const char *module, const char *pin, double seconds)
{
	CK_C_GetFunctionList get = NULL;
	CK_FUNCTION_LIST *f = NULL;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE find = { CKA_CLASS, &cls, sizeof(cls) };
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SLOT_ID slots[16];
	CK_ULONG num = 16;
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_HANDLE key = 0;
	CK_ULONG got = 0;
	unsigned char data[64] = "credroam bench";
	unsigned char sig[1024];
	unsigned long n = 0;
	double t0;
	double t;
	CK_RV rv;
	CK_ULONG i;
	void *lib = dlopen(module, RTLD_NOW);

	if (lib == NULL) {
		fprintf(stderr, "bench_token: %s\n", dlerror());
		return 1;
	}
	get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	rv = (get != NULL) ? get(&f) : CKR_GENERAL_ERROR;
	if (rv == CKR_OK) {
		rv = f->C_Initialize(&args);
	}
	if (rv == CKR_OK) {
		rv = f->C_GetSlotList(CK_TRUE, slots, &num);
	}
	/* the first token that has a private key after login */
	for (i = 0; rv == CKR_OK && i < num && key == 0; i++) {
		if (f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL,
				     NULL, &s) != CKR_OK) {
			continue;
		}
		(void)f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin,
				 strlen(pin));
		if (f->C_FindObjectsInit(s, &find, 1) == CKR_OK) {
			(void)f->C_FindObjects(s, &key, 1, &got);
			f->C_FindObjectsFinal(s);
		}
		if (got == 0) {
			key = 0;
			f->C_CloseSession(s);
		}
	}
	if (rv != CKR_OK || key == 0) {
		fprintf(stderr, "bench_token: no private key in %s (0x%lx)\n",
			module, (unsigned long)rv);
		return 1;
	}
	t0 = now_s();
	do {
		CK_ULONG sig_len = sizeof(sig);

		data[0] = (unsigned char)n;
		rv = f->C_SignInit(s, &mech, key);
		if (rv == CKR_OK) {
			rv = f->C_Sign(s, data, sizeof(data), sig, &sig_len);
		}
		if (rv != CKR_OK) {
			fprintf(stderr, "bench_token: C_Sign: 0x%lx\n",
				(unsigned long)rv);
			return 1;
		}
		n++;
		t = now_s() - t0;
	} while (t < seconds);
	printf("%.1f\n", (double)n / t);
	f->C_CloseSession(s);
	f->C_Finalize(NULL);
	return 0;
}

static int handshake(int port, gnutls_certificate_credentials_t cred)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	gnutls_session_t ses = NULL;
	int fd;
	int ret;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("bench_token: connect");
		return -1;
	}
	gnutls_init(&ses, GNUTLS_CLIENT);
	gnutls_set_default_priority(ses);
	gnutls_credentials_set(ses, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_server_name_set(ses, GNUTLS_NAME_DNS, "localhost", 9);
	gnutls_session_set_verify_cert(ses, NULL, 0);
	gnutls_transport_set_int(ses, fd);
	do {
		ret = gnutls_handshake(ses);
	} while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
	if (ret == 0) {
		/* TLS 1.3: the server's verdict on our certificate comes
		 * with its first record; s_server -Verify closes on failure */
		const char req[] = "GET / HTTP/1.0\r\n\r\n";
		char buf[256];

		gnutls_record_send(ses, req, sizeof(req) - 1);
		(void)gnutls_record_recv(ses, buf, sizeof(buf));
		gnutls_bye(ses, GNUTLS_SHUT_WR);
	} else {
		fprintf(stderr, "bench_token: handshake: %s\n",
			gnutls_strerror(ret));
	}
	gnutls_deinit(ses);
	close(fd);
	return ret;
}

static int bench_tls(int port, const char *cert, const char *key,
		     const char *cafile, int count)
{
	gnutls_certificate_credentials_t cred = NULL;
	double t0;
	int ret;
	int i;

	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&cred);
	gnutls_certificate_set_x509_trust_file(cred, cafile,
					       GNUTLS_X509_FMT_PEM);
	ret = gnutls_certificate_set_x509_key_file(cred, cert, key,
						   GNUTLS_X509_FMT_PEM);
	if (ret < 0) {
		fprintf(stderr, "bench_token: %s / %s: %s\n", cert, key,
			gnutls_strerror(ret));
		return 1;
	}
	/* one handshake first: module loading and login are not timed */
	if (handshake(port, cred) != 0) {
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		if (handshake(port, cred) != 0) {
			return 1;
		}
	}
	printf("%.3f\n", (now_s() - t0) * 1000.0 / count);
	gnutls_certificate_free_credentials(cred);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "sign") == 0) {
		return bench_sign(argv[2], argv[3], atof(argv[4]));
	}
	if (argc == 7 && strcmp(argv[1], "tls") == 0) {
		return bench_tls(atoi(argv[2]), argv[3], argv[4], argv[5],
				 atoi(argv[6]));
	}
	fprintf(stderr, "usage: bench_token sign MODULE PIN SECONDS\n"
		"       bench_token tls PORT CERT KEY CAFILE COUNT\n");
	return 2;
}
