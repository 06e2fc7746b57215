/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Master key files: PBKDF2 variant, pre-key derivations, parse/serialize,
 * decryption with every known answer of /work/shared/vectors (Nemesis,
 * john, the mimikatz wiki), the wrong derivations failing, Preferred.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "dpapi/alg.h"
#include "dpapi/masterkey.h"
#include "dpapi/pbkdf2.h"
#include "dpapi/prekey.h"
#include "test_util.h"

#define NEMESIS_SID "S-1-5-21-3821320868-1508310791-3575676346-1103"
#define NEMESIS_MK "36bd60cb9e7e52433169db00e93ed0a82d3c30c65d948bd8596fb3" \
	"2c267671020b02026b0ae03479dd18374adbdd7658f45cce6ed2a45319eff7a96c" \
	"411c85f5"

struct test_ctx {
	TALLOC_CTX *mem;
};

static int setup(void **state)
{
	struct test_ctx *t = NULL;

	cr_test_leak_begin();
	t = talloc_zero(NULL, struct test_ctx);
	assert_non_null(t);
	t->mem = talloc_new(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	cr_test_leak_end();
	return 0;
}

static void assert_hex(TALLOC_CTX *mem, const uint8_t *p, size_t n,
		       const char *hex)
{
	assert_string_equal(cr_hex_lower(mem, p, n), hex);
}

static void test_dpapi_masterkey_pbkdf2(void **state)
{
	struct test_ctx *t = *state;
	uint8_t out[48];
	uint8_t *pw = NULL;
	uint8_t *salt = NULL;

	/* spec/dpapi.md 1.5: dpapick XP key, HMAC-SHA1, 4000 rounds */
	pw = cr_test_hex(t->mem, "732f73394364c930ba285063e5ff1ae49ebb3332",
			 NULL);
	salt = cr_test_hex(t->mem, "a3e410b7f9a8f942e9a9b439157c35de", NULL);
	assert_int_equal(cr_dpapi_pbkdf2(GNUTLS_MAC_SHA1, pw, 20, salt, 16,
					 4000, out, 32), 0);
	assert_hex(t->mem, out, 32, "a8c7039f65f65040e7404d8ec826b11d567ad7"
		   "da02fc6e8371cf4e8db055f2ed");
	/* Nemesis domain key, HMAC-SHA512, 8000 rounds */
	pw = cr_test_hex(t->mem, "d3205d40d3df002fba1936ce075c0b2805fab06d",
			 NULL);
	salt = cr_test_hex(t->mem, "978d9c959a6a9685a55270cb4fc103d7", NULL);
	assert_int_equal(cr_dpapi_pbkdf2(GNUTLS_MAC_SHA512, pw, 20, salt, 16,
					 8000, out, 48), 0);
	assert_hex(t->mem, out, 48, "a21f40f84b623555c40e8316bc9a5632856508"
		   "45e1bacbf339d793d69e51e2cd11156c2306f81aeccef81116ebee2a"
		   "2b");
	assert_int_equal(cr_dpapi_pbkdf2(GNUTLS_MAC_SHA512, pw, 20, salt, 16,
					 0, out, 48), EINVAL);
}

static void test_dpapi_masterkey_prekeys(void **state)
{
	struct test_ctx *t = *state;
	uint8_t nt[16];
	uint8_t pk[20];

	assert_int_equal(cr_dpapi_nt_hash("Qwerty12345", nt), 0);
	assert_hex(t->mem, nt, 16, "abd9ffb762c86b26ef4ce5c81b0dd37f");
	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_NT_PBKDF2,
		"Qwerty12345", NEMESIS_SID, pk), 0);
	assert_hex(t->mem, pk, 20, "d3205d40d3df002fba1936ce075c0b2805fab06d");
	/* dpapick XP local account */
	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_SHA1, "tutu",
		"S-1-5-21-583907252-1547161642-682003330-1001", pk), 0);
	assert_hex(t->mem, pk, 20, "732f73394364c930ba285063e5ff1ae49ebb3332");
	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_PREKEY, "x",
		NEMESIS_SID, pk), EINVAL);
	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_SHA1,
		"\xff", NEMESIS_SID, pk), EILSEQ);
}

static struct cr_mkf *load_mkf(TALLOC_CTX *mem, const char *rel)
{
	struct cr_mkf *mkf = NULL;
	char *err = NULL;
	uint8_t *data = NULL;
	uint8_t *again = NULL;
	size_t len = 0;
	size_t again_len = 0;
	int rc;

	data = cr_test_read(mem, rel, &len);
	assert_non_null(data);
	rc = cr_mkf_parse(mem, data, len, rel, &mkf, &err);
	if (rc != 0) {
		print_error("%s: %s\n", rel, err);
	}
	assert_int_equal(rc, 0);
	/* every file must come back byte for byte */
	assert_int_equal(cr_mkf_serialize(mem, mkf, &again, &again_len, &err),
			 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, data, len);
	return mkf;
}

static void test_dpapi_masterkey_nemesis_domain(void **state)
{
	struct test_ctx *t = *state;
	struct cr_mkf *mkf = load_mkf(t->mem, "nemesis/masterkey_domain.bin");
	enum cr_dpapi_derivation how = CR_DPAPI_DERIV_PREKEY;
	static const enum cr_dpapi_derivation wrong[2] = {
		CR_DPAPI_DERIV_SHA1, CR_DPAPI_DERIV_NT,
	};
	uint8_t *mk = NULL;
	uint8_t *lk = NULL;
	uint8_t pk[20];
	char *err = NULL;
	size_t i;

	assert_string_equal(mkf->guid, "ed93694f-5a6d-46e2-b821-219f2c0ecd4d");
	assert_int_equal(mkf->policy, 0);
	assert_int_equal(mkf->mk->rounds, 8000);
	assert_int_equal(mkf->mk->alg_hash, CR_CALG_SHA_512);
	assert_int_equal(mkf->mk->alg_crypt, CR_CALG_AES_256);
	assert_non_null(mkf->dk);
	assert_int_equal(mkf->dk->version, 3);
	assert_null(mkf->credhist);

	assert_int_equal(cr_mkf_decrypt_password(t->mem, mkf, "Qwerty12345",
		NEMESIS_SID, &mk, &how, &err), 0);
	assert_int_equal(how, CR_DPAPI_DERIV_NT_PBKDF2);
	assert_string_equal(cr_dpapi_derivation_name(how), "nt-pbkdf2");
	assert_hex(t->mem, mk, 64, NEMESIS_MK);

	for (i = 0; i < 2; i++) {
		assert_int_equal(cr_dpapi_prekey_password(wrong[i],
			"Qwerty12345", NEMESIS_SID, pk), 0);
		assert_int_equal(cr_mkf_decrypt_prekey(t->mem, mkf, pk, 20,
						       &mk, &err), EACCES);
		assert_non_null(strstr(err, "HMAC check failed"));
		assert_null(mk);
	}
	assert_int_equal(cr_mkf_decrypt_password(t->mem, mkf, "qwerty12345",
		NEMESIS_SID, &mk, &how, &err), EACCES);
	assert_non_null(strstr(err, "HMAC check failed"));

	assert_int_equal(cr_mkf_decrypt_localkey(t->mem, mkf, NEMESIS_SID,
						 NULL, 0, &lk, &err), 0);
	assert_hex(t->mem, lk, 32, "7a195283d32f84a262408fc5e8247f57bee69f26"
		   "598163c64916455b5e77f29c");
}

static void test_dpapi_masterkey_nemesis_system(void **state)
{
	struct test_ctx *t = *state;
	static const struct {
		const char *file;
		const char *prekey;
		const char *mk_sha1;
	} cases[] = {
		{ "nemesis/masterkey_system.bin",
		  "dcfd03644f501805c189e15e9367b01415dea75a",
		  "b848ddc68f5250e5977bc52fd9671811ba3bc3b1" },
		{ "nemesis/masterkey_systemuser.bin",
		  "4e25d96d26879ded571f5d48a6887455d28f66f5",
		  "8a6f191d551750fa51324a6b8f3afc7086658888" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cr_mkf *mkf = NULL;
		uint8_t *pk = NULL;
		uint8_t *mk = NULL;
		uint8_t sha[20];
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].file);
		mkf = load_mkf(t->mem, cases[i].file);
		assert_int_equal(mkf->policy, 6);
		pk = cr_test_hex(t->mem, cases[i].prekey, NULL);
		assert_int_equal(cr_mkf_decrypt_prekey(t->mem, mkf, pk, 20,
						       &mk, &err), 0);
		assert_true(cr_dpapi_mk_sha1(mk, 64, sha));
		assert_hex(t->mem, sha, 20, cases[i].mk_sha1);
		/* the other half must not fit */
		pk = cr_test_hex(t->mem, cases[1 - i].prekey, NULL);
		assert_int_equal(cr_mkf_decrypt_prekey(t->mem, mkf, pk, 20,
						       &mk, &err), EACCES);
	}
	(void)load_mkf(t->mem, "nemesis/masterkey_local.bin");
}

/*
 * openwall/john src/dpapimk_fmt_plug.c dpapimk_tests[] (commit 066ade18):
 * $DPAPImk$version*context*SID*cipher*hash*rounds*salt*hexlen*ciphertext.
 * Context 1 = local (sha1), 2 = domain NT, 3 = domain 1607+.  The master
 * keys are spec/dpapi.md section 8 (john itself only checks the HMAC).
 */
static const struct {
	const char *line;
	const char *password;
	const char *mk;
} john_cases[] = {
	{ "$DPAPImk$1*1*S-15-21-447321867-460417387-480872410-1240*des3*sha1*"
	  "24000*9b49e2d3b25103d03e936fdf66b94d26*208*ec96025ed4b023ebfa52bd"
	  "fd91dfeb64edf3f3970b347ee8bb8adfb2a686a0a34792d40074edd372f346da8f"
	  "cd02cc5d4182c2fd09f4549ec106273926edd05c42e4b5fc8b8758a7c48f6ddae2"
	  "73f357bcb645c8ad16e3161e8a9dbb5002454f4db5ef0d5d7a93ac",
	  "bouledepetanque",
	  "9bbe3b182851264601e7ac5c3228d1c4cb98395c5a7f1222149fa510dd505aeb"
	  "d4d471a831c8a395af1629353357d4b0755ec45da0d152d1e1feabcff1e2abc4" },
	{ "$DPAPImk$1*2*S-15-21-458698633-447735394-485599537-1788*des3*sha1*"
	  "24000*96b957d9bf0f8846399e70a84431b595*208*0ee9fa2baf2cf0efda8151"
	  "4376aef853c6c93a5776fa6af66a869f44c50ac80148b7488f52b4c52c305e89a4"
	  "97a583e17cca4a9bab580668a8a5ce2eee083382c98049e481e47629b5815fb162"
	  "47e3bbfa62c454585aaaf51ef15555a355fcf925cff16c0bb006f8",
	  "jordifirstcredit",
	  "2619861d1f65d6f23988128123a58991f221f9aa948e15b839a98d88060f2f3e"
	  "b7493f754c76f916fc3dbb65eb3ec23241ec379a8a25a24039f74abe156d1f74" },
	{ "$DPAPImk$2*1*S-15-21-417226446-481759312-475941522-1494*aes256*"
	  "sha512*8000*1e6b7a71a079bc12e71c75a6bcfd865c*288*5b5d651e538e5185"
	  "f7d6939ba235ca2d8a2b9726a6e95b59844320ba1d1f22282527210bc784d22075"
	  "e596d113927761a644ad4057cb4dbb497bd64ee6c630930a4ba388eadb59484ec2"
	  "be7fb4cc79299a87f341d002d25b5b187c71fa19417ec9d1b65568a79c962cb3b5"
	  "bcb1b8df5f968669af35eec5a24ed5dcee46deef42bfee5ad665dd4de56ccd9c6b"
	  "a26b2acd",
	  "PaulSmiteSuper160",
	  "02c57213e019bfb929433e6ad7a24ee0abc6d1c272d46694b07e426204dd38dc"
	  "94f903d7dc7c8b7f08f3193372a9cb6cd416dcc687be5ff5385ff6d31de9ddb3" },
	{ "$DPAPImk$2*2*S-15-21-402916398-457068774-444912990-1699*aes256*"
	  "sha512*17000*4c51109a901e4be7f1e208f82a56e690*288*bb80d538ac4185eb"
	  "0382080fda0d405bb74da3a6b98e96f222292b819fa9168cf1571e9bc9c698ad10"
	  "daf850ab34de1a1765cfd5c0fb8a63a413a767d241dfe6355804af259d24f6be72"
	  "82daac0a9e02d7fbe20675afb3733141995990a6d11012edfb7e81b49c0e1132db"
	  "c4503dd2206489e4f512e4fe9d573566c9d8973188b8d1a87610b8bef09e971270"
	  "a376a52b",
	  "Juan-Carlos",
	  "735f887113f05059ed89dc453e0d82d68855ab02fe856033ebdf0ef4bf140f37"
	  "7ff7167e6a693c0042aebc0dcd08f0ceedc12bad7756b235ab35a3c485fbf16e" },
	{ "$DPAPImk$1*3*S-1-5-21-1857904334-2267218879-1458651445-1123*des3*"
	  "sha1*18000*e4c529ba8975e4ed56f5fb8b1e85be43*208*af96b391f1d6e2d37a"
	  "4de3b4c412ce78f032d446d77ea1fb6a0782f47c390c844349c2bcaeba9fd570b3"
	  "9def6f67a369aa2e266e8d017689d8a09667fdfb640feb3e19ca22067cc5704644"
	  "c1dcc43d4cccac667391f4918d0de77f36569fd2e104ef0619a46edcfc",
	  "LaKuckaracha42",
	  "dfa041c913b29e212df4b513d0fc57098ebe457e3b9cec52ed35057da74e8732"
	  "91f1d50dcb570bb836a245c688de403b5544fda51c4e63b78bd6e73e7b71a6f1" },
	{ "$DPAPImk$1*1*S-1-5-21-1482476501-1659004503-725345543-1003*des3*"
	  "sha1*4000*b3d62a0b06cecc236fe3200460426a13*208*d3841257348221cd92"
	  "caf4427a59d785ed1474cab3d0101fc8d37137dbb598ff1fd2455826128b2594b8"
	  "46934c073528f8648d750d3c8e6621e6f706d79b18c22f172c0930d9a934de73ea"
	  "2eb63b7b44810d332f7d03f14d1c153de16070a5cab9324da87405c1c0",
	  "openwall",
	  "63f10eeed6cb10c13304f4603e7ee994cfb6495a871ed689e97b8ac897dd74dc"
	  "690d7b86282396df9cbb3e7e804ca3156e632ae2e3d2ab7362d0e38f41b261a9" },
	{ "$DPAPImk$1*1*S-1-5-21-1482476501-1659004503-725345543-1005*des3*"
	  "sha1*4000*c9cbd491f78ea6d512276b33f025bce8*208*091a13443cfc2ddb16"
	  "dcf256ab2a6707a27aa22b49a9a9011ebf3bb778d0088c2896de31de67241d91df"
	  "75306e56f835337c89cfb2f9afa940b4e7e019ead2737145032fac0bb34587a707"
	  "d42da7e00b72601a730f5c848094d54c47c622e2f8c8d204c80ad061be",
	  "JtRisthebest",
	  "fad3e61054b503e13073e57a9be3ec1f0921afde128935a603bb05ae8599167a"
	  "43a4bb77025be0e2c42a895ce2849f923bbce4d64a20cf1cc5329f2b73e9fc39" },
};

/* Split a john line into a MASTERKEY_BLOB, the SID and the context. */
static void john_parse(TALLOC_CTX *mem, const char *line,
		       struct cr_mk_blob *b, char **sid, int *context)
{
	char *copy = talloc_strdup(mem, line + strlen("$DPAPImk$"));
	char *f[9];
	char *save = NULL;
	size_t n = 0;
	size_t ct_len = 0;
	uint8_t *salt = NULL;
	int i;

	for (i = 0; i < 9; i++) {
		f[i] = strtok_r(i == 0 ? copy : NULL, "*", &save);
		assert_non_null(f[i]);
	}
	*context = atoi(f[1]);
	*sid = f[2];
	memset(b, 0, sizeof(*b));
	b->version = 2;
	if (strcmp(f[0], "1") == 0) {
		b->alg_hash = CR_CALG_HMAC;
		b->alg_crypt = CR_CALG_3DES;
	} else {
		b->alg_hash = CR_CALG_SHA_512;
		b->alg_crypt = CR_CALG_AES_256;
	}
	b->rounds = (uint32_t)atoi(f[5]);
	salt = cr_test_hex(mem, f[6], &n);
	assert_int_equal(n, 16);
	memcpy(b->salt, salt, 16);
	b->ct = cr_test_hex(mem, f[8], &ct_len);
	assert_int_equal(ct_len * 2, (size_t)atoi(f[7]));
	b->ct_len = ct_len;
}

static void test_dpapi_masterkey_john(void **state)
{
	struct test_ctx *t = *state;
	static const enum cr_dpapi_derivation kinds[3] = {
		CR_DPAPI_DERIV_SHA1, CR_DPAPI_DERIV_NT,
		CR_DPAPI_DERIV_NT_PBKDF2,
	};
	size_t i;
	size_t k;

	for (i = 0; i < sizeof(john_cases) / sizeof(john_cases[0]); i++) {
		struct cr_mk_blob b;
		char *sid = NULL;
		int context = 0;

		print_message("case %zu: %s\n", i, john_cases[i].password);
		john_parse(t->mem, john_cases[i].line, &b, &sid, &context);
		for (k = 0; k < 3; k++) {
			uint8_t pk[20];
			uint8_t *mk = NULL;
			char *err = NULL;
			int rc;

			assert_int_equal(cr_dpapi_prekey_password(kinds[k],
				john_cases[i].password, sid, pk), 0);
			rc = cr_mk_blob_decrypt(t->mem, &b, pk, 20, 64, &mk,
						&err);
			if ((int)k == context - 1) {
				assert_int_equal(rc, 0);
				assert_hex(t->mem, mk, 64, john_cases[i].mk);
			} else {
				/* only the stated derivation may pass */
				assert_int_equal(rc, EACCES);
				assert_null(mk);
			}
		}
	}
}

/* A Windows 10 local account, rebuilt from the mimikatz wiki's dump. */
static void test_dpapi_masterkey_mimikatz_local(void **state)
{
	struct test_ctx *t = *state;
	struct cr_mkf *mkf = load_mkf(t->mem,
		"mimikatz-efs/1eccdbd2-4771-4360-8b19-9d6060a061dc");
	enum cr_dpapi_derivation how = CR_DPAPI_DERIV_PREKEY;
	uint8_t *mk = NULL;
	uint8_t *lk = NULL;
	uint8_t sha[20];
	char *err = NULL;

	assert_int_equal(mkf->policy, 5);
	assert_int_equal(mkf->credhist_len, 20);
	assert_int_equal(cr_mkf_decrypt_password(t->mem, mkf, "waza1234/",
		"S-1-5-21-494464150-3436831043-1864828003-1001", &mk, &how,
		&err), 0);
	assert_int_equal(how, CR_DPAPI_DERIV_SHA1);
	assert_hex(t->mem, mk, 64, "d3fb9169447509d9a2d3d4f6fc0e84b4733a676a"
		   "dd274094f91452b8fe4984ab8fe02326c8be8931122514b90f8d8502"
		   "05bb1a84db54fc72d1cffb521377bafc");
	assert_true(cr_dpapi_mk_sha1(mk, 64, sha));
	assert_hex(t->mem, sha, 20, "f2c9ea33a990c865e985c496fb8915445895d80b");
	/* policy 5: the local key also needs DPAPI_SYSTEM, which we lack */
	assert_int_equal(cr_mkf_decrypt_localkey(t->mem, mkf,
		"S-1-5-21-494464150-3436831043-1864828003-1001", NULL, 0, &lk,
		&err), EACCES);
}

/* Re-encrypting a decrypted blob with its own salt and R3 is exact. */
static void test_dpapi_masterkey_reencrypt(void **state)
{
	struct test_ctx *t = *state;
	struct cr_mkf *mkf = load_mkf(t->mem, "nemesis/masterkey_domain.bin");
	struct cr_mk_blob *b = NULL;
	uint8_t *pk = cr_test_hex(t->mem,
		"d3205d40d3df002fba1936ce075c0b2805fab06d", NULL);
	uint8_t *mk = NULL;
	uint8_t kiv[48];
	uint8_t *plain = NULL;
	char *err = NULL;

	assert_int_equal(cr_mkf_decrypt_prekey(t->mem, mkf, pk, 20, &mk,
					       &err), 0);
	/* recover R3 the way the decryptor does */
	assert_int_equal(cr_dpapi_pbkdf2(GNUTLS_MAC_SHA512, pk, 20,
		mkf->mk->salt, 16, 8000, kiv, 48), 0);
	plain = talloc_memdup(t->mem, mkf->mk->ct, mkf->mk->ct_len);
	assert_int_equal(cr_dpapi_cbc(false, cr_dpapi_cipher_by_alg(
		CR_CALG_AES_256), kiv, kiv + 32, plain, mkf->mk->ct_len), 0);
	assert_int_equal(cr_mk_blob_encrypt(t->mem, CR_CALG_SHA_512,
		CR_CALG_AES_256, 8000, mkf->mk->salt, plain, pk, 20, mk, 64, &b,
		&err), 0);
	assert_int_equal(b->ct_len, mkf->mk->ct_len);
	assert_memory_equal(b->ct, mkf->mk->ct, b->ct_len);

	/* a fresh 3DES blob round-trips and pads to the block size */
	assert_int_equal(cr_mk_blob_encrypt(t->mem, CR_CALG_HMAC, CR_CALG_3DES,
		4000, NULL, NULL, pk, 20, mk, 64, &b, &err), 0);
	assert_int_equal(b->ct_len, 104);
	TALLOC_FREE(mk);
	assert_int_equal(cr_mk_blob_decrypt(t->mem, b, pk, 20, 64, &mk, &err),
			 0);
	assert_hex(t->mem, mk, 64, NEMESIS_MK);
}

static void test_dpapi_masterkey_malformed(void **state)
{
	struct test_ctx *t = *state;
	size_t len = 0;
	uint8_t *good = cr_test_read(t->mem, "nemesis/masterkey_domain.bin",
				     &len);
	uint8_t *bad = NULL;
	struct cr_mkf *mkf = NULL;
	char *err = NULL;
	static const struct {
		const char *what;
		size_t off;		/* byte to change, or SIZE_MAX */
		uint8_t value;
		long len_delta;		/* truncate (<0) or extend (>0) */
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -876 },
		{ "header only", SIZE_MAX, 0, -(876 - 128) },
		{ "one byte short", SIZE_MAX, 0, -1 },
		{ "trailing byte", SIZE_MAX, 0, 1 },
		{ "MK length lies", 96, 0xb1, 0 },
		{ "DK length lies", 120, 0xff, 0 },
		{ "DK length high dword", 127, 0x01, 0 },
		{ "version 7", 0, 7, 0 },
		{ "GUID garbage", 12, 'x', 0 },
		{ "DK version 4", 128 + 176 + 144, 4, 0 },
		{ "DK secret length lies", 128 + 176 + 144 + 4, 0xff, 0 },
	};
	size_t i;

	assert_int_equal(len, 876);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = (size_t)((long)len + cases[i].len_delta);

		print_message("case %zu: %s\n", i, cases[i].what);
		bad = talloc_zero_size(t->mem, n + 1);
		memcpy(bad, good, n < len ? n : len);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		err = NULL;
		assert_int_equal(cr_mkf_parse(t->mem, bad, n, "bad", &mkf,
					      &err), EBADMSG);
		assert_null(mkf);
		assert_non_null(err);
		print_message("  -> %s\n", err);
	}
}

static void test_dpapi_masterkey_preferred(void **state)
{
	struct test_ctx *t = *state;
	struct cr_dpapi_preferred p;
	struct cr_dpapi_preferred q;
	uint8_t out[CR_DPAPI_PREFERRED_LEN];
	char *err = NULL;

	assert_true(cr_guid_parse("ed93694f-5a6d-46e2-b821-219f2c0ecd4d",
				  &p.guid));
	p.expires = 0x01d9a1b2c3d4e5f6ULL;
	cr_dpapi_preferred_build(&p, out);
	assert_hex(t->mem, out, 4, "4f6993ed");
	assert_int_equal(cr_dpapi_preferred_parse(t->mem, out, sizeof(out),
						  &q, &err), 0);
	assert_memory_equal(q.guid.b, p.guid.b, 16);
	assert_true(q.expires == p.expires);
	assert_int_equal(cr_dpapi_preferred_parse(t->mem, out, 23, &q, &err),
			 EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_pbkdf2,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_prekeys,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_masterkey_nemesis_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_masterkey_nemesis_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_john,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_masterkey_mimikatz_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_reencrypt,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_malformed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_masterkey_preferred,
						setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dpapi_masterkey",
					   tests, NULL, NULL);
}
