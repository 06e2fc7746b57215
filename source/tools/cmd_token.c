/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam token decode FILE|-: show a roaming token, given as raw bytes
 * or as one DN-Binary line "B:<count>:<hex>:<DN>" as AD returns it.
 *
 * A token that decodes but must not be roamed (unknown type, unsafe
 * identifier, hash mismatch, broken certificate element) is still shown,
 * then the command fails with the reason on stderr: for a roaming client
 * it is invalid input.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "format/advalue.h"
#include "format/certelem.h"
#include "util/encoding.h"
#include "util/error.h"
#include "format/token.h"

#define TOKEN_DECODE_USAGE "FILE|-"

/* The file may be hex text: room for a whole token twice plus a DN. */
#define TOKEN_INPUT_MAX ((size_t)CR_TOKEN_MAX_SIZE * 2 + 65536)

struct token_view {
	const char *source;
	struct cr_token *token;
	char *dn;			/* DN-Binary input only */
	char *identity;
	char *refusal;			/* why it must not roam (judge) */
	enum cr_token_problem problem;
	struct cr_certelem *elem;	/* certificate types with data */
	struct cr_x509_info *x509;
	char *cert_error;
};

static bool token_is_dnbinary(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 'B' && data[1] == ':';
}

static void token_decode_certificate(TALLOC_CTX *mem_ctx,
				     struct token_view *v)
{
	const struct cr_token *t = v->token;
	char *err = NULL;
	int rc;

	if (!cr_token_type_is_certificate(t->type) || t->data_length == 0) {
		return;
	}
	rc = cr_certelem_parse(mem_ctx, t->data, t->data_length, &v->elem,
			       NULL, &err);
	if (rc != 0) {
		v->cert_error = err;
		return;
	}
	/* subject and dates are a courtesy: the element itself is fine */
	rc = cr_x509_info(mem_ctx, v->elem->cert, v->elem->cert_len,
			  &v->x509, &err);
	if (rc != 0) {
		v->cert_error = err;
	}
}

/*
 * Read and judge as cr_ad_value_judge() judges an AD value (a DN-Binary
 * line is text: one line end is not part of it; raw bytes are a token
 * alone).  Returns 0 when the token decodes, refused or not, or an errno
 * with *errmsg when it does not decode at all.
 */
static int token_collect(TALLOC_CTX *mem_ctx, const char *path,
			 struct token_view *v, char **errmsg)
{
	const struct cr_ad_value_rules rules = { .text = true };
	struct cr_ad_value *judged = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	rc = cr_cli_read_file(mem_ctx, path, TOKEN_INPUT_MAX, &data, &len,
			      errmsg);
	if (rc != 0) {
		return rc;
	}
	v->source = strcmp(path, "-") == 0 ? "stdin" : path;
	if (token_is_dnbinary(data, len)) {
		rc = cr_ad_value_judge(mem_ctx, (const char *)data, len,
				       &rules, &judged, NULL);
	} else {
		rc = cr_ad_token_judge(mem_ctx, data, len, &rules, &judged,
				       NULL);
	}
	if (rc == ENOMEM) {
		return rc;
	}
	if (judged->token == NULL) {
		cr_seterr(errmsg, "%s", judged->refusal);
		return rc;
	}
	v->token = judged->token;
	v->dn = judged->dn;
	v->problem = judged->problem;
	v->refusal = judged->refusal;
	v->identity = cr_token_identity(mem_ctx, v->token);
	if (v->identity == NULL) {
		return ENOMEM;
	}
	token_decode_certificate(mem_ctx, v);
	return 0;
}

/* Terminal-safe copy: control bytes become \xNN. */
static char *token_printable(TALLOC_CTX *mem_ctx, const char *s)
{
	char *out = talloc_strdup(mem_ctx, "");
	size_t i;

	for (i = 0; s != NULL && out != NULL && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			out = talloc_asprintf_append_buffer(out, "\\x%02x", c);
		} else {
			out = talloc_asprintf_append_buffer(out, "%c", c);
		}
	}
	return out;
}

static char *token_flag_names(TALLOC_CTX *mem_ctx, uint16_t flags)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{ CR_TOKEN_FLAG_TOMBSTONE, "tombstone" },
		{ CR_TOKEN_FLAG_UNREADABLE, "unreadable" },
		{ CR_TOKEN_FLAG_UNWRITABLE, "unwritable" },
		{ CR_TOKEN_FLAG_UNROAMABLE, "unroamable" },
		{ CR_TOKEN_FLAG_KNOWN_TYPE, "known-type" },
		{ CR_TOKEN_FLAG_ENCRYPTION_KEY, "encryption-key" },
	};
	char *s = talloc_strdup(mem_ctx, "");
	uint16_t rest = flags;
	size_t i;

	for (i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bit) == 0) {
			continue;
		}
		s = talloc_asprintf_append_buffer(s, "%s%s", s[0] ? ", " : "",
						  names[i].name);
		rest &= (uint16_t)~names[i].bit;
	}
	if (s != NULL && rest != 0) {
		s = talloc_asprintf_append_buffer(s, "%sunknown 0x%04x",
						  s[0] ? ", " : "", rest);
	}
	return s;
}

static void token_print_certificate(TALLOC_CTX *mem_ctx,
				    const struct token_view *v)
{
	const struct cr_certelem *e = v->elem;
	size_t i;

	if (e == NULL) {
		return;
	}
	printf("certificate\n");
	printf("  thumbprint  %s%s\n", e->thumbprint_hex,
	       strcmp(e->thumbprint_hex, v->token->identifier) == 0
	       ? "" : " (differs from the identifier)");
	if (v->x509 != NULL) {
		printf("  subject     %s\n",
		       token_printable(mem_ctx, v->x509->subject));
		printf("  issuer      %s\n",
		       token_printable(mem_ctx, v->x509->issuer));
		printf("  not after   %s\n", v->x509->not_after
		       ? v->x509->not_after : "?");
	}
	if (e->friendly_name != NULL) {
		printf("  name        %s\n",
		       token_printable(mem_ctx, e->friendly_name));
	}
	printf("  properties ");
	for (i = 0; i < e->n_props; i++) {
		printf(" %u", e->props[i].id);
	}
	printf("\n");
	if (e->key_prov != NULL) {
		printf("  key         container '%s', provider '%s'\n",
		       token_printable(mem_ctx, e->key_prov->container),
		       token_printable(mem_ctx, e->key_prov->provider));
	}
}

static int token_print_human(TALLOC_CTX *mem_ctx, const struct token_view *v)
{
	const struct cr_token *t = v->token;
	const char *type_name = cr_token_type_name(t->type);
	const char *attr = cr_token_type_attribute(t->type);
	char *flags = token_flag_names(mem_ctx, t->flags);
	char *sha1 = cr_hex_upper(mem_ctx, t->sha1, CR_SHA1_LEN);
	char *when = cr_filetime_iso8601(mem_ctx, t->filetime);

	if (flags == NULL || sha1 == NULL || when == NULL) {
		return ENOMEM;
	}
	printf("token       %s (%s)\n", v->identity,
	       type_name ? type_name : "unknown type");
	printf("attribute   %s\n", attr ? attr : "-");
	printf("modified    %s (FILETIME %llu)\n", when,
	       (unsigned long long)t->filetime);
	printf("flags       0x%04x%s%s%s\n", t->flags, flags[0] ? " (" : "",
	       flags, flags[0] ? ")" : "");
	printf("data        %u bytes, %u extra\n", t->data_length,
	       t->extra_length);
	printf("sha1        %s (%s)\n", sha1,
	       t->sha1_valid ? "valid" : "MISMATCH");
	if (v->dn != NULL) {
		printf("dn          %s\n", token_printable(mem_ctx, v->dn));
	}
	token_print_certificate(mem_ctx, v);
	return 0;
}

/* A string for JSON; falls back to an escaped copy if not UTF-8. */
static json_t *token_json_string(TALLOC_CTX *mem_ctx, const char *s)
{
	json_t *j = NULL;

	if (s == NULL) {
		return json_null();
	}
	j = json_string(s);
	if (j == NULL) {
		char *esc = token_printable(mem_ctx, s);
		size_t i;

		for (i = 0; esc != NULL && esc[i] != '\0'; i++) {
			if ((unsigned char)esc[i] >= 0x80) {
				esc[i] = '?';
			}
		}
		j = (esc != NULL) ? json_string(esc) : NULL;
	}
	return j;
}

static json_t *token_json_certificate(TALLOC_CTX *mem_ctx,
				      const struct token_view *v)
{
	const struct cr_certelem *e = v->elem;
	const struct cr_key_prov_info *k = NULL;
	json_t *o = json_object();
	json_t *props = json_array();
	bool ok = (o != NULL && props != NULL);
	size_t i;

	if (e == NULL) {
		ok = ok && json_object_set_new(o, "error",
			token_json_string(mem_ctx, v->cert_error)) == 0;
		json_decref(props);
		goto done;
	}
	for (i = 0; ok && i < e->n_props; i++) {
		ok = json_array_append_new(props,
			json_integer(e->props[i].id)) == 0;
	}
	ok = ok && json_object_set_new(o, "thumbprint",
		json_string(e->thumbprint_hex)) == 0;
	ok = ok && json_object_set_new(o, "thumbprint_matches_identifier",
		json_boolean(strcmp(e->thumbprint_hex,
				    v->token->identifier) == 0)) == 0;
	ok = ok && json_object_set_new(o, "sha1_property_valid",
		e->has_sha1_prop ? json_boolean(e->sha1_prop_matches)
				 : json_null()) == 0;
	if (v->x509 != NULL) {
		ok = ok && json_object_set_new(o, "subject",
			token_json_string(mem_ctx, v->x509->subject)) == 0;
		ok = ok && json_object_set_new(o, "issuer",
			token_json_string(mem_ctx, v->x509->issuer)) == 0;
		ok = ok && json_object_set_new(o, "serial",
			token_json_string(mem_ctx, v->x509->serial)) == 0;
		ok = ok && json_object_set_new(o, "not_before",
			token_json_string(mem_ctx, v->x509->not_before)) == 0;
		ok = ok && json_object_set_new(o, "not_after",
			token_json_string(mem_ctx, v->x509->not_after)) == 0;
	} else {
		ok = ok && json_object_set_new(o, "error",
			token_json_string(mem_ctx, v->cert_error)) == 0;
	}
	ok = ok && json_object_set_new(o, "friendly_name",
		token_json_string(mem_ctx, e->friendly_name)) == 0;
	ok = ok && json_object_set_new(o, "properties", props) == 0;
	props = NULL;
	k = e->key_prov;
	if (k != NULL) {
		ok = ok && json_object_set_new(o, "key_container",
			token_json_string(mem_ctx, k->container)) == 0;
		ok = ok && json_object_set_new(o, "key_provider",
			token_json_string(mem_ctx, k->provider)) == 0;
		ok = ok && json_object_set_new(o, "key_provider_type",
			json_integer(k->prov_type)) == 0;
		ok = ok && json_object_set_new(o, "key_spec",
			json_integer(k->key_spec)) == 0;
	}
	json_decref(props);
done:
	if (!ok) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *token_json(TALLOC_CTX *mem_ctx, const struct token_view *v)
{
	const struct cr_token *t = v->token;
	const char *type_name = cr_token_type_name(t->type);
	const char *attr = cr_token_type_attribute(t->type);
	char *sha1 = cr_hex_upper(mem_ctx, t->sha1, CR_SHA1_LEN);
	char *data_sha1 = cr_token_content_hash(mem_ctx, t);
	char *when = cr_filetime_iso8601(mem_ctx, t->filetime);
	char *id_hex = cr_hex_upper(mem_ctx, (const uint8_t *)t->identifier,
				    strlen(t->identifier));
	bool safe = (t->id_problem == CR_TOKEN_OK);
	json_t *o = json_object();
	json_t *id = NULL;
	bool ok = (o != NULL && sha1 != NULL && data_sha1 != NULL &&
		   when != NULL && id_hex != NULL);

	ok = ok && json_object_set_new(o, "type", json_integer(t->type)) == 0;
	ok = ok && json_object_set_new(o, "type_name",
		type_name ? json_string(type_name) : json_null()) == 0;
	/* the identifier itself when JSON can carry it, else escaped */
	id = json_string(t->identifier);
	ok = ok && json_object_set_new(o, "identifier",
		id ? id : json_string(t->id_escaped)) == 0;
	ok = ok && json_object_set_new(o, "identity",
		json_string(v->identity)) == 0;
	ok = ok && json_object_set_new(o, "identifier_safe",
		json_boolean(safe)) == 0;
	if (!safe) {
		ok = ok && json_object_set_new(o, "identifier_problem",
			json_string(cr_token_problem_name(t->id_problem))) == 0;
		ok = ok && json_object_set_new(o, "identifier_hex",
			json_string(id_hex)) == 0;
	}
	ok = ok && json_object_set_new(o, "attribute",
		attr ? json_string(attr) : json_null()) == 0;
	ok = ok && json_object_set_new(o, "filetime",
		json_integer((json_int_t)t->filetime)) == 0;
	ok = ok && json_object_set_new(o, "modified", json_string(when)) == 0;
	ok = ok && json_object_set_new(o, "flags",
		json_integer(t->flags)) == 0;
	ok = ok && json_object_set_new(o, "tombstone",
		json_boolean(cr_token_is_tombstone(t))) == 0;
	ok = ok && json_object_set_new(o, "data_length",
		json_integer(t->data_length)) == 0;
	ok = ok && json_object_set_new(o, "extra_length",
		json_integer(t->extra_length)) == 0;
	ok = ok && json_object_set_new(o, "sha1", json_string(sha1)) == 0;
	ok = ok && json_object_set_new(o, "data_sha1",
		json_string(data_sha1)) == 0;
	ok = ok && json_object_set_new(o, "sha1_valid",
		json_boolean(t->sha1_valid)) == 0;
	if (v->dn != NULL) {
		ok = ok && json_object_set_new(o, "dn",
			token_json_string(mem_ctx, v->dn)) == 0;
	}
	if (v->elem != NULL || v->cert_error != NULL) {
		ok = ok && json_object_set_new(o, "certificate",
			token_json_certificate(mem_ctx, v)) == 0;
	}
	ok = ok && json_object_set_new(o, "refusal",
		cr_cli_json_refusal(v->problem, v->refusal)) == 0;
	if (!ok) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int cmd_token_decode(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = NULL;
	struct token_view v = { .problem = CR_TOKEN_OK };
	char *errmsg = NULL;
	const char *why = NULL;
	bool json = cli->json;
	int rc;
	int ret;

	if (argc == 1 && (strcmp(argv[0], "--help") == 0 ||
			  strcmp(argv[0], "-h") == 0)) {
		printf("usage: %s %s %s\n", cli->progname, cli->cmdpath,
		       TOKEN_DECODE_USAGE);
		return CR_EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[0], "--") == 0) {
		/* a file whose name starts with '-' */
		argc = 1;
		argv += 1;
	} else if (argc == 1 && argv[0][0] == '-' && argv[0][1] != '\0') {
		return cr_cli_usage(cli, TOKEN_DECODE_USAGE,
				    "unknown option '%s'", argv[0]);
	}
	if (argc != 1) {
		return cr_cli_usage(cli, TOKEN_DECODE_USAGE,
				    "expected one FILE or -");
	}
	frame = talloc_new(NULL);
	if (frame == NULL) {
		return cr_cli_fail(cli, "out of memory");
	}
	rc = token_collect(frame, argv[0], &v, &errmsg);
	if (rc != 0) {
		if (errmsg != NULL) {
			/* the library's message names the file already */
			ret = cr_cli_fail(cli, "%s", errmsg);
		} else {
			ret = cr_cli_fail(cli, "cannot decode '%s': %s",
					  argv[0], strerror(rc));
		}
		goto done;
	}
	if (json) {
		ret = cr_cli_print_json(cli, token_json(frame, &v));
	} else {
		rc = token_print_human(frame, &v);
		ret = (rc == 0) ? CR_EXIT_OK
				: cr_cli_fail(cli, "out of memory");
	}
	if (ret != CR_EXIT_OK) {
		goto done;
	}
	why = (v.refusal != NULL) ? v.refusal : v.cert_error;
	if (why != NULL) {
		/* the output above already carries it for machines */
		cli->json = false;
		ret = cr_cli_fail(cli, "%s while decoding '%s'", why,
				  argv[0]);
		cli->json = json;
	}
done:
	cr_err_clear(&errmsg);
	cr_err_clear(&v.cert_error);
	TALLOC_FREE(frame);
	return ret;
}

static const struct cr_cmd token_commands[] = {
	{ "decode", cmd_token_decode, "FILE|-",
	  "decode a roaming token or a DN-Binary \"B:...\" line" },
	{ NULL, NULL, NULL, NULL },
};

int cmd_token(struct cr_cli *cli, int argc, char **argv)
{
	return cr_cli_dispatch(cli, token_commands, argc, argv);
}
