/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam._credroam: libcredroam for Python, the layer under
 * `samba-tool credroam`.  Every format (tokens, DN-Binary values,
 * certificate-store elements, Registry.pol, the DIMS policy values, the
 * roaming timestamp) is decoded and encoded here by the library; the
 * Python side only moves the results around.
 *
 * Samba's objects are unwrapped, not rebuilt: an ldb.Ldb / SamDB that
 * Python already connected and authenticated is handed to adstore as is
 * (pyldb_Ldb_AsLdbContext), so reads follow ranged retrieval and writes
 * are the library's value-level changes.
 *
 * Failures raise credroam._credroam.Error with args (errno, message,
 * problem), problem being the short name of the malformation ("id-dotdot",
 * "header-truncated", ...) or None.
 */
#include <Python.h>

#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <ldb.h>
#include <pytalloc.h>
#include <pyldb.h>
#include <util/discard.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "ad/dcverify.h"
#include "format/advalue.h"
#include "format/certelem.h"
#include "util/encoding.h"
#include "util/error.h"
#include "gpo/policy.h"
#include "format/preg.h"
#include "util/stackframe.h"
#include "format/token.h"

/* Seconds for each LDAP request made through a Python connection. */
#define PY_CR_LDAP_TIMEOUT 60

static PyObject *py_cr_error = NULL;

/*
 * One decoded token, the DN it came with when it was a DN-Binary, and
 * cr_ad_value_judge's verdict on it (CR_TOKEN_OK and NULL: acceptable).
 */
struct py_cr_token {
	struct cr_token *token;
	char *dn;
	enum cr_token_problem problem;
	char *refusal;
};

static PyTypeObject py_cr_token_type;

/* Raise Error(code, message, problem). */
static void py_cr_raise(int code, const char *msg, const char *problem)
{
	PyObject *args = NULL;

	if (code == ENOMEM) {
		PyErr_NoMemory();
		return;
	}
	args = Py_BuildValue("(isz)", code,
			     (msg != NULL) ? msg : strerror(code), problem);
	if (args == NULL) {
		return;
	}
	PyErr_SetObject(py_cr_error, args);
	Py_DECREF(args);
}

/*
 * The bytes of a str (UTF-8) or bytes-like argument.  *holder keeps them
 * alive; the caller releases it.
 */
static bool py_cr_get_bytes(PyObject *obj, const char *what,
			    PyObject **holder, const uint8_t **data,
			    size_t *len)
{
	PyObject *b = NULL;

	*holder = NULL;
	if (PyUnicode_Check(obj)) {
		b = PyUnicode_AsUTF8String(obj);
	} else if (PyBytes_Check(obj)) {
		Py_INCREF(obj);
		b = obj;
	} else if (PyByteArray_Check(obj) || PyMemoryView_Check(obj)) {
		b = PyBytes_FromObject(obj);
	} else {
		PyErr_Format(PyExc_TypeError, "%s must be bytes or str, not "
			     "%s", what, Py_TYPE(obj)->tp_name);
		return false;
	}
	if (b == NULL) {
		return false;
	}
	*holder = b;
	*data = (const uint8_t *)PyBytes_AS_STRING(b);
	*len = (size_t)PyBytes_GET_SIZE(b);
	return true;
}

/* py_cr_get_bytes(), but None is accepted as no bytes (NULL, 0). */
static bool py_cr_get_bytes_or_none(PyObject *obj, const char *what,
				    PyObject **holder, const uint8_t **data,
				    size_t *len)
{
	*holder = NULL;
	*data = NULL;
	*len = 0;
	if (obj == Py_None) {
		return true;
	}
	return py_cr_get_bytes(obj, what, holder, data, len);
}

static PyObject *py_cr_str_or_none(const char *s)
{
	if (s == NULL) {
		Py_RETURN_NONE;
	}
	return PyUnicode_DecodeUTF8(s, strlen(s), "backslashreplace");
}

/* d[key] = value, stealing value; false (exception set) on failure. */
static bool py_cr_dict_put(PyObject *d, const char *key, PyObject *value)
{
	int rc;

	if (value == NULL) {
		return false;
	}
	rc = PyDict_SetItemString(d, key, value);
	Py_DECREF(value);
	return rc == 0;
}

/* list.append(value), stealing value; false (exception set) on failure. */
static bool py_cr_list_put(PyObject *list, PyObject *value)
{
	int rc;

	if (value == NULL) {
		return false;
	}
	rc = PyList_Append(list, value);
	Py_DECREF(value);
	return rc == 0;
}

/*
 * A str of a string the library just made on a talloc context; NULL means
 * that allocation failed.
 */
static PyObject *py_cr_made_str(const char *s)
{
	if (s == NULL) {
		return PyErr_NoMemory();
	}
	return py_cr_str_or_none(s);
}

/* ---- Token ------------------------------------------------------------ */

static bool py_cr_is_dnbinary(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 'B' && data[1] == ':';
}

/*
 * Judge raw token bytes or a DN-Binary value under rules, as the run and
 * `credroam token decode` do, into a new holder on mem_ctx.  Returns 0
 * when the token decodes (refused or not: the holder keeps the verdict)
 * or an errno with *errmsg and *problem when it does not.
 */
static int py_cr_token_decode(TALLOC_CTX *mem_ctx, const uint8_t *data,
			      size_t len,
			      const struct cr_ad_value_rules *rules,
			      struct py_cr_token **_holder,
			      enum cr_token_problem *problem, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct py_cr_token *holder = NULL;
	struct cr_ad_value *v = NULL;
	int ret;

	*_holder = NULL;
	*problem = CR_TOKEN_OK;
	holder = talloc_zero(frame, struct py_cr_token);
	if (holder == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (py_cr_is_dnbinary(data, len)) {
		ret = cr_ad_value_judge(holder, (const char *)data, len,
					rules, &v, NULL);
	} else {
		ret = cr_ad_token_judge(holder, data, len, rules, &v, NULL);
	}
	if (ret == ENOMEM) {
		goto done;
	}
	if (v->token == NULL) {
		*problem = v->problem;
		cr_seterr(errmsg, "%s", v->refusal);
		goto done;
	}
	holder->token = v->token;
	holder->dn = v->dn;
	holder->problem = v->problem;
	holder->refusal = v->refusal;
	*_holder = talloc_move(mem_ctx, &holder);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Wrap a holder (on no parent) in a new Token; frees it on failure. */
static PyObject *py_cr_token_wrap(PyTypeObject *type,
				  struct py_cr_token *holder)
{
	PyObject *obj = pytalloc_steal(type, holder);

	if (obj == NULL) {
		talloc_free(holder);
	}
	return obj;
}

static PyObject *py_cr_token_new(PyTypeObject *type, PyObject *args,
				 PyObject *kwargs)
{
	const char * const kwnames[] = { "value", "attribute", "owner",
					 "max_token_size", "text", NULL };
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_ad_value_rules rules = { .attribute = NULL };
	unsigned long long max_token_size = 0;
	int text = 0;
	PyObject *py_value = NULL;
	PyObject *holder_bytes = NULL;
	PyObject *result = NULL;
	struct py_cr_token *holder = NULL;
	enum cr_token_problem problem = CR_TOKEN_OK;
	const uint8_t *data = NULL;
	size_t len = 0;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTupleAndKeywords(args, kwargs, "O|$zzKp:Token",
					 discard_const_p(char *, kwnames),
					 &py_value, &rules.attribute,
					 &rules.owner_dn, &max_token_size,
					 &text);
	if (!ok) {
		goto out;
	}
	if (max_token_size > SIZE_MAX) {
		PyErr_SetString(PyExc_OverflowError, "max_token_size");
		goto out;
	}
	rules.max_token_size = (size_t)max_token_size;
	rules.text = (text != 0);
	ok = py_cr_get_bytes(py_value, "value", &holder_bytes, &data, &len);
	if (!ok) {
		goto out;
	}
	ret = py_cr_token_decode(frame, data, len, &rules, &holder, &problem,
				 &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, problem == CR_TOKEN_OK ? NULL :
			    cr_token_problem_name(problem));
		goto out;
	}
	result = py_cr_token_wrap(type, talloc_steal(NULL, holder));
out:
	cr_err_clear(&errmsg);
	Py_XDECREF(holder_bytes);
	TALLOC_FREE(frame);
	return result;
}

static struct py_cr_token *py_cr_token_of(PyObject *self)
{
	return pytalloc_get_type(self, struct py_cr_token);
}

static PyObject *py_token_get_type(PyObject *self, void *closure)
{
	return PyLong_FromUnsignedLong(py_cr_token_of(self)->token->type);
}

static PyObject *py_token_get_type_name(PyObject *self, void *closure)
{
	return py_cr_str_or_none(cr_token_type_name(
					 py_cr_token_of(self)->token->type));
}

static PyObject *py_token_get_identifier(PyObject *self, void *closure)
{
	return py_cr_str_or_none(py_cr_token_of(self)->token->id_escaped);
}

static PyObject *py_token_get_identifier_raw(PyObject *self, void *closure)
{
	const char *id = py_cr_token_of(self)->token->identifier;

	return PyBytes_FromStringAndSize(id, strlen(id));
}

static PyObject *py_token_get_identity(PyObject *self, void *closure)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *result = py_cr_made_str(cr_token_identity(
		frame, py_cr_token_of(self)->token));

	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_token_get_filetime(PyObject *self, void *closure)
{
	return PyLong_FromUnsignedLongLong(
		py_cr_token_of(self)->token->filetime);
}

static PyObject *py_token_get_modified(PyObject *self, void *closure)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *result = py_cr_made_str(cr_filetime_iso8601(
		frame, py_cr_token_of(self)->token->filetime));

	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_token_get_flags(PyObject *self, void *closure)
{
	return PyLong_FromUnsignedLong(py_cr_token_of(self)->token->flags);
}

static PyObject *py_token_get_tombstone(PyObject *self, void *closure)
{
	return PyBool_FromLong(cr_token_is_tombstone(
				       py_cr_token_of(self)->token));
}

static PyObject *py_token_get_extra_length(PyObject *self, void *closure)
{
	return PyLong_FromUnsignedLong(
		py_cr_token_of(self)->token->extra_length);
}

static PyObject *py_token_get_data_length(PyObject *self, void *closure)
{
	return PyLong_FromUnsignedLong(
		py_cr_token_of(self)->token->data_length);
}

static PyObject *py_cr_hex(const uint8_t *p, size_t n)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *result = py_cr_made_str(cr_hex_upper(frame, p, n));

	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_token_get_sha1(PyObject *self, void *closure)
{
	return py_cr_hex(py_cr_token_of(self)->token->sha1, CR_SHA1_LEN);
}

static PyObject *py_token_get_data_sha1(PyObject *self, void *closure)
{
	return py_cr_hex(py_cr_token_of(self)->token->data_sha1,
			 CR_SHA1_LEN);
}

static PyObject *py_token_get_sha1_valid(PyObject *self, void *closure)
{
	return PyBool_FromLong(py_cr_token_of(self)->token->sha1_valid);
}

/* Why the value must not be acted upon (the judge's problem), or None. */
static PyObject *py_token_get_problem(PyObject *self, void *closure)
{
	const struct py_cr_token *t = py_cr_token_of(self);

	if (t->refusal == NULL) {
		Py_RETURN_NONE;
	}
	return PyUnicode_FromString(cr_token_problem_name(t->problem));
}

static PyObject *py_token_get_refusal(PyObject *self, void *closure)
{
	return py_cr_str_or_none(py_cr_token_of(self)->refusal);
}

static PyObject *py_token_get_dn(PyObject *self, void *closure)
{
	return py_cr_str_or_none(py_cr_token_of(self)->dn);
}

static PyObject *py_token_get_data(PyObject *self, void *closure)
{
	const struct cr_token *t = py_cr_token_of(self)->token;

	return PyBytes_FromStringAndSize((const char *)t->data,
					 t->data_length);
}

static PyObject *py_token_get_raw(PyObject *self, void *closure)
{
	const struct cr_token *t = py_cr_token_of(self)->token;

	return PyBytes_FromStringAndSize((const char *)t->raw, t->raw_len);
}

static PyObject *py_token_get_attribute(PyObject *self, void *closure)
{
	return py_cr_str_or_none(cr_token_type_attribute(
					 py_cr_token_of(self)->token->type));
}

static PyObject *py_token_get_is_certificate(PyObject *self, void *closure)
{
	return PyBool_FromLong(cr_token_type_is_certificate(
				       py_cr_token_of(self)->token->type));
}

static PyGetSetDef py_cr_token_getset[] = {
	{ "type", py_token_get_type, NULL, "type digit (0..9)", NULL },
	{ "type_name", py_token_get_type_name, NULL,
	  "\"CNGCertificate\", ...; None for unknown types", NULL },
	{ "identifier", py_token_get_identifier, NULL,
	  "identifier, '\\\\' doubled and unsafe bytes as \\xNN", NULL },
	{ "identifier_raw", py_token_get_identifier_raw, NULL,
	  "identifier bytes up to the first NUL", NULL },
	{ "identity", py_token_get_identity, NULL,
	  "\"<type>\\\\<identifier>\": the token's identity", NULL },
	{ "filetime", py_token_get_filetime, NULL, "FILETIME", NULL },
	{ "modified", py_token_get_modified, NULL,
	  "FILETIME as ISO 8601 UTC", NULL },
	{ "flags", py_token_get_flags, NULL, "flags word", NULL },
	{ "tombstone", py_token_get_tombstone, NULL, "tombstone flag", NULL },
	{ "extra_length", py_token_get_extra_length, NULL, NULL, NULL },
	{ "data_length", py_token_get_data_length, NULL, NULL, NULL },
	{ "sha1", py_token_get_sha1, NULL, "stored SHA-1 (hex)", NULL },
	{ "data_sha1", py_token_get_data_sha1, NULL,
	  "SHA-1 of the data (hex)", NULL },
	{ "sha1_valid", py_token_get_sha1_valid, NULL, NULL, NULL },
	{ "problem", py_token_get_problem, NULL,
	  "why the token must not roam (short name), or None", NULL },
	{ "refusal", py_token_get_refusal, NULL,
	  "the same as a sentence, or None", NULL },
	{ "dn", py_token_get_dn, NULL, "DN of a DN-Binary value", NULL },
	{ "data", py_token_get_data, NULL, NULL, NULL },
	{ "raw", py_token_get_raw, NULL, "the token's bytes", NULL },
	{ "attribute", py_token_get_attribute, NULL,
	  "the AD attribute of the token's type, or None", NULL },
	{ "is_certificate", py_token_get_is_certificate, NULL,
	  "data is a certificate-store element", NULL },
	{ NULL },
};

static PyObject *py_token_to_tombstone(PyObject *self, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct py_cr_token *old = py_cr_token_of(self);
	struct py_cr_token *holder = NULL;
	unsigned long long filetime = 0;
	PyObject *result = NULL;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "|K:to_tombstone", &filetime);
	if (!ok) {
		goto out;
	}
	if (filetime == 0) {
		filetime = cr_filetime_now();
	}
	holder = talloc_zero(frame, struct py_cr_token);
	if (holder == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	ret = cr_token_tombstone(holder, old->token, filetime, &holder->token,
				 &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	if (old->dn != NULL) {
		holder->dn = talloc_strdup(holder, old->dn);
		if (holder->dn == NULL) {
			PyErr_NoMemory();
			goto out;
		}
	}
	result = py_cr_token_wrap(Py_TYPE(self), talloc_steal(NULL, holder));
out:
	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_token_dnbinary(PyObject *self, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct py_cr_token *t = py_cr_token_of(self);
	const char *dn = NULL;
	char *value = NULL;
	char *errmsg = NULL;
	PyObject *result = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "|z:dnbinary", &dn);
	if (!ok) {
		goto out;
	}
	if (dn == NULL) {
		dn = t->dn;
	}
	if (dn == NULL) {
		PyErr_SetString(PyExc_ValueError, "the token came without a "
				"DN: pass the owner's DN");
		goto out;
	}
	ret = cr_dnbinary_build(frame, t->token->raw, t->token->raw_len, dn,
				&value, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	result = PyUnicode_FromString(value);
out:
	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_cr_certinfo(const uint8_t *data, size_t len);

static PyObject *py_token_certificate(PyObject *self,
				      PyObject *Py_UNUSED(ignored))
{
	const struct cr_token *t = py_cr_token_of(self)->token;

	if (!cr_token_type_is_certificate(t->type) || t->data_length == 0) {
		Py_RETURN_NONE;
	}
	return py_cr_certinfo(t->data, t->data_length);
}

static PyMethodDef py_cr_token_methods[] = {
	{ "to_tombstone", py_token_to_tombstone, METH_VARARGS,
	  "to_tombstone([filetime]) -> Token\n"
	  "The tombstone replacing this token (flags 1, no data); FILETIME "
	  "now by default." },
	{ "dnbinary", py_token_dnbinary, METH_VARARGS,
	  "dnbinary([dn]) -> str\n"
	  "The DN-Binary value \"B:<count>:<HEX>:<dn>\" AD stores." },
	{ "certificate", py_token_certificate, METH_NOARGS,
	  "certificate() -> dict or None\n"
	  "certificate_info() of the data of a certificate token." },
	{ NULL },
};

static PyObject *py_token_repr(PyObject *self)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *result = NULL;
	char *identity = cr_token_identity(frame,
					   py_cr_token_of(self)->token);

	if (identity == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	result = PyUnicode_FromFormat("<credroam Token %s>", identity);
out:
	TALLOC_FREE(frame);
	return result;
}

static PyTypeObject py_cr_token_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "credroam._credroam.Token",
	.tp_doc = "Token(value, *, attribute=None, owner=None, "
		  "max_token_size=0, text=False)\n"
		  "A roaming token, from its bytes or a DN-Binary value "
		  "(str or bytes), judged as the roaming run and the DC's "
		  "guard judge an AD value (cr_ad_value_judge): in attribute, "
		  "for the object whose DN is owner, with tokens of at most "
		  "max_token_size bytes (None/0: not checked).  text=True: "
		  "one trailing line end is not part of the value, as in "
		  "`credroam token decode`.\n"
		  "problem and refusal say why it must not be acted upon.  "
		  "Raises Error(errno, message, problem) when it does not "
		  "decode.",
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_new = py_cr_token_new,
	.tp_getset = py_cr_token_getset,
	.tp_methods = py_cr_token_methods,
	.tp_repr = py_token_repr,
};

/* ---- certificates ---------------------------------------------------- */

static PyObject *py_cr_certinfo(const uint8_t *data, size_t len)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_certelem *elem = NULL;
	struct cr_x509_info *x509 = NULL;
	enum cr_certelem_problem problem = CR_CERTELEM_OK;
	PyObject *d = NULL;
	PyObject *result = NULL;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ret = cr_certelem_parse(frame, data, len, &elem, &problem, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, problem == CR_CERTELEM_OK ? NULL :
			    cr_certelem_problem_name(problem));
		goto out;
	}
	ret = cr_x509_info(frame, elem->cert, elem->cert_len, &x509,
			   &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, "x509");
		goto out;
	}
	d = PyDict_New();
	if (d == NULL) {
		goto out;
	}
	ok = py_cr_dict_put(d, "thumbprint",
			    py_cr_str_or_none(elem->thumbprint_hex)) &&
	     py_cr_dict_put(d, "subject", py_cr_str_or_none(x509->subject)) &&
	     py_cr_dict_put(d, "issuer", py_cr_str_or_none(x509->issuer)) &&
	     py_cr_dict_put(d, "serial", py_cr_str_or_none(x509->serial)) &&
	     py_cr_dict_put(d, "not_before",
			    py_cr_str_or_none(x509->not_before)) &&
	     py_cr_dict_put(d, "not_after",
			    py_cr_str_or_none(x509->not_after)) &&
	     py_cr_dict_put(d, "friendly_name",
			    py_cr_str_or_none(elem->friendly_name)) &&
	     py_cr_dict_put(d, "key_container",
			    py_cr_str_or_none(elem->key_prov != NULL ?
					      elem->key_prov->container :
					      NULL)) &&
	     py_cr_dict_put(d, "key_provider",
			    py_cr_str_or_none(elem->key_prov != NULL ?
					      elem->key_prov->provider :
					      NULL)) &&
	     py_cr_dict_put(d, "der_length",
			    PyLong_FromSize_t(elem->cert_len));
	if (!ok) {
		goto out;
	}
	result = d;
	d = NULL;
out:
	Py_XDECREF(d);
	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_certificate_info(PyObject *module, PyObject *args)
{
	PyObject *py_data = NULL;
	PyObject *holder = NULL;
	PyObject *result = NULL;
	const uint8_t *data = NULL;
	size_t len = 0;
	bool ok;

	ok = PyArg_ParseTuple(args, "O:certificate_info", &py_data);
	if (!ok) {
		goto out;
	}
	ok = py_cr_get_bytes(py_data, "data", &holder, &data, &len);
	if (!ok) {
		goto out;
	}
	result = py_cr_certinfo(data, len);
out:
	Py_XDECREF(holder);
	return result;
}

/* ---- policy ------------------------------------------------------------ */

static PyObject *py_policy_values(PyObject *module,
				  PyObject *Py_UNUSED(ignored))
{
	PyObject *list = PyList_New(0);
	unsigned i;

	if (list == NULL) {
		return NULL;
	}
	for (i = 0; i < POLICY_NUM; i++) {
		uint32_t min = 0;
		uint32_t max = 0;
		PyObject *d = NULL;
		bool ok;

		policy_range((enum policy_id)i, &min, &max);
		d = Py_BuildValue("{s:s,s:I,s:k,s:k,s:k}",
				  "name", policy_value_name((enum policy_id)i),
				  "id", i,
				  "default", (unsigned long)policy_default(
					  (enum policy_id)i),
				  "min", (unsigned long)min,
				  "max", (unsigned long)max);
		ok = py_cr_list_put(list, d);
		if (!ok) {
			Py_DECREF(list);
			return NULL;
		}
	}
	return list;
}

/* The policy value called name (any ASCII case), or POLICY_NUM. */
static enum policy_id py_cr_policy_lookup(const char *name)
{
	unsigned i;

	for (i = 0; i < POLICY_NUM; i++) {
		const char *known = policy_value_name((enum policy_id)i);
		bool same = preg_key_equal(name, known);

		if (same) {
			return (enum policy_id)i;
		}
	}
	return POLICY_NUM;
}

/* One (name, value or None) pair of pol_update() into a change. */
static bool py_cr_policy_change(PyObject *item, struct policy_change *ch)
{
	const char *name = NULL;
	PyObject *py_value = NULL;
	unsigned long v;
	bool ok;

	ok = PyArg_ParseTuple(item, "sO;a change is (name, value or None)",
			      &name, &py_value);
	if (!ok) {
		return false;
	}
	ch->id = py_cr_policy_lookup(name);
	if (ch->id == POLICY_NUM) {
		PyErr_Format(PyExc_ValueError, "'%s' is not a credential "
			     "roaming policy value", name);
		return false;
	}
	if (py_value == Py_None) {
		ch->remove = true;
		return true;
	}
	v = PyLong_AsUnsignedLong(py_value);
	if (PyErr_Occurred() != NULL) {
		return false;
	}
	if (v > UINT32_MAX) {
		PyErr_Format(PyExc_ValueError, "%s = %lu does not fit a "
			     "REG_DWORD", name, v);
		return false;
	}
	ch->remove = false;
	ch->value = (uint32_t)v;
	return true;
}

static PyObject *py_pol_update(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_old = NULL;
	PyObject *py_changes = NULL;
	PyObject *seq = NULL;
	PyObject *holder = NULL;
	PyObject *result = NULL;
	struct policy_change *changes = NULL;
	const uint8_t *old = NULL;
	size_t old_len = 0;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char *errmsg = NULL;
	Py_ssize_t n;
	Py_ssize_t i;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "OO:pol_update", &py_old, &py_changes);
	if (!ok) {
		goto out;
	}
	ok = py_cr_get_bytes_or_none(py_old, "old", &holder, &old, &old_len);
	if (!ok) {
		goto out;
	}
	seq = PySequence_Fast(py_changes, "changes must be a sequence of "
			      "(name, value or None)");
	if (seq == NULL) {
		goto out;
	}
	n = PySequence_Fast_GET_SIZE(seq);
	changes = talloc_zero_array(frame, struct policy_change, n + 1);
	if (changes == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	for (i = 0; i < n; i++) {
		ok = py_cr_policy_change(PySequence_Fast_GET_ITEM(seq, i),
					 &changes[i]);
		if (!ok) {
			goto out;
		}
	}
	ret = policy_pol_update(frame, old, old_len, changes, (size_t)n,
				&out, &out_len, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	result = PyBytes_FromStringAndSize((const char *)out, out_len);
out:
	Py_XDECREF(seq);
	Py_XDECREF(holder);
	TALLOC_FREE(frame);
	return result;
}

static const char *py_cr_preg_action_name(enum preg_action a)
{
	switch (a) {
	case PREG_ACTION_SET:
		return "set";
	case PREG_ACTION_DEL:
		return "del";
	case PREG_ACTION_DELVALS:
		return "delvals";
	case PREG_ACTION_DELETE_VALUES:
		return "delete-values";
	case PREG_ACTION_DELETE_KEYS:
		return "delete-keys";
	case PREG_ACTION_SOFT:
		return "soft";
	case PREG_ACTION_OTHER:
		return "other";
	}
	return "other";
}

static PyObject *py_cr_preg_entry(TALLOC_CTX *mem_ctx,
				  const struct preg_entry *e)
{
	PyObject *d = PyDict_New();
	PyObject *value = NULL;
	bool numeric = (e->type == PREG_REG_DWORD ||
			e->type == PREG_REG_DWORD_BIG_ENDIAN ||
			e->type == PREG_REG_QWORD);
	bool ok;

	if (d == NULL) {
		return NULL;
	}
	if (numeric) {
		value = PyLong_FromUnsignedLongLong(e->num);
	} else if (e->str != NULL) {
		value = py_cr_str_or_none(e->str);
	} else if (e->multi != NULL) {
		size_t i;

		value = PyList_New(0);
		for (i = 0; value != NULL && i < e->num_multi; i++) {
			bool put = py_cr_list_put(
				value, py_cr_str_or_none(e->multi[i]));

			if (!put) {
				Py_CLEAR(value);
			}
		}
	} else {
		value = PyBytes_FromStringAndSize((const char *)e->data,
						  e->size);
	}
	ok = py_cr_dict_put(d, "data", value) &&
	     py_cr_dict_put(d, "key", py_cr_str_or_none(e->key)) &&
	     py_cr_dict_put(d, "value", py_cr_str_or_none(e->value)) &&
	     py_cr_dict_put(d, "type", PyLong_FromUnsignedLong(e->type)) &&
	     py_cr_dict_put(d, "type_name", py_cr_str_or_none(
				    preg_type_name(mem_ctx, e->type))) &&
	     py_cr_dict_put(d, "size", PyLong_FromUnsignedLong(e->size)) &&
	     py_cr_dict_put(d, "action", PyUnicode_FromString(
				    py_cr_preg_action_name(e->action))) &&
	     py_cr_dict_put(d, "target", py_cr_str_or_none(e->target));
	if (!ok) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *py_pol_parse(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_data = NULL;
	PyObject *holder = NULL;
	PyObject *list = NULL;
	PyObject *result = NULL;
	struct preg_file *f = NULL;
	const char *name = "Registry.pol";
	const uint8_t *data = NULL;
	size_t len = 0;
	char *errmsg = NULL;
	size_t i;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "O|s:pol_parse", &py_data, &name);
	if (!ok) {
		goto out;
	}
	ok = py_cr_get_bytes(py_data, "data", &holder, &data, &len);
	if (!ok) {
		goto out;
	}
	ret = preg_parse(frame, data, len, name, &f, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	list = PyList_New(0);
	if (list == NULL) {
		goto out;
	}
	for (i = 0; i < f->num_entries; i++) {
		ok = py_cr_list_put(list, py_cr_preg_entry(frame,
							   f->entries[i]));
		if (!ok) {
			goto out;
		}
	}
	result = list;
	list = NULL;
out:
	Py_XDECREF(list);
	Py_XDECREF(holder);
	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_cr_policy_value(const struct policy *p, enum policy_id id)
{
	const struct policy_value *v = &p->v[id];
	PyObject *configured = NULL;
	uint32_t min = 0;
	uint32_t max = 0;

	policy_range(id, &min, &max);
	if (v->set && !v->invalid) {
		configured = PyLong_FromUnsignedLong(v->configured);
	} else {
		configured = Py_None;
		Py_INCREF(configured);
	}
	if (configured == NULL) {
		return NULL;
	}
	return Py_BuildValue("{s:s,s:k,s:O,s:O,s:N,s:z,s:z,s:z,s:k,s:k,s:k}",
			     "name", policy_value_name(id),
			     "value", (unsigned long)v->value,
			     "set", v->set ? Py_True : Py_False,
			     "invalid", v->invalid ? Py_True : Py_False,
			     "configured", configured,
			     "source", v->source,
			     "note", v->note,
			     "deleted_by", v->deleted_by,
			     "default", (unsigned long)policy_default(id),
			     "min", (unsigned long)min,
			     "max", (unsigned long)max);
}

/*
 * policy_effective([(pol_bytes, label), ...]) in application order:
 * the effective policy those GPOs give, without credroam.conf.
 */
static PyObject *py_policy_effective(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_pols = NULL;
	PyObject *seq = NULL;
	PyObject *values = NULL;
	PyObject *result = NULL;
	struct policy *gpo = NULL;
	struct policy *eff = NULL;
	char *errmsg = NULL;
	char *reason = NULL;
	Py_ssize_t n;
	Py_ssize_t i;
	unsigned id;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "O:policy_effective", &py_pols);
	if (!ok) {
		goto out;
	}
	seq = PySequence_Fast(py_pols, "expected a sequence of (bytes, label)");
	if (seq == NULL) {
		goto out;
	}
	gpo = policy_new(frame);
	if (gpo == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++) {
		PyObject *py_data = NULL;
		PyObject *holder = NULL;
		struct preg_file *f = NULL;
		const char *label = NULL;
		const uint8_t *data = NULL;
		size_t len = 0;

		ok = PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i),
				      "Os;each GPO is (bytes, label)",
				      &py_data, &label);
		if (!ok) {
			goto out;
		}
		ok = py_cr_get_bytes(py_data, "Registry.pol", &holder, &data,
				     &len);
		if (!ok) {
			goto out;
		}
		ret = preg_parse(frame, data, len, label, &f, &errmsg);
		Py_DECREF(holder);
		if (ret == 0) {
			ret = policy_apply_preg(gpo, f, label, &errmsg);
		}
		if (ret != 0) {
			py_cr_raise(ret, errmsg, NULL);
			goto out;
		}
	}
	ret = policy_merge(frame, gpo, NULL, &eff, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	values = PyList_New(0);
	if (values == NULL) {
		goto out;
	}
	for (id = 0; id < POLICY_NUM; id++) {
		ok = py_cr_list_put(values, py_cr_policy_value(
					    eff, (enum policy_id)id));
		if (!ok) {
			goto out;
		}
	}
	reason = policy_reason_off(frame, eff);
	result = Py_BuildValue("{s:O,s:z,s:O}",
			       "roaming_on", policy_roaming_on(eff) ?
			       Py_True : Py_False,
			       "reason_off", reason,
			       "values", values);
out:
	Py_XDECREF(values);
	Py_XDECREF(seq);
	TALLOC_FREE(frame);
	return result;
}

/* ---- AD through a Python ldb connection ------------------------------ */

/*
 * An adconn around the ldb of a connected ldb.Ldb / SamDB: adstore only
 * needs the ldb, a timeout and a name for messages.
 */
static struct cr_adconn *py_cr_adconn(TALLOC_CTX *mem_ctx, PyObject *py_ldb,
				      const char *server)
{
	struct ldb_context *ldb = pyldb_Ldb_AsLdbContext(py_ldb);
	struct cr_adconn *conn = NULL;
	int ret;

	if (ldb == NULL) {
		PyErr_SetString(PyExc_TypeError, "expected an ldb.Ldb (e.g. a "
				"SamDB) connection");
		return NULL;
	}
	conn = talloc_zero(mem_ctx, struct cr_adconn);
	if (conn == NULL) {
		PyErr_NoMemory();
		return NULL;
	}
	conn->ldb = ldb;
	conn->ev = ldb_get_event_context(ldb);
	conn->timeout = PY_CR_LDAP_TIMEOUT;
	conn->dc = talloc_strdup(conn, (server != NULL) ? server : "the DC");
	if (conn->dc == NULL) {
		PyErr_NoMemory();
		return NULL;
	}
	/* the administrator chose the server: no DC check (dcverify.h) */
	ret = cr_dcverify_caller_chosen(conn);
	if (ret != 0) {
		PyErr_NoMemory();
		return NULL;
	}
	return conn;
}

/*
 * Writes run inside an ldb transaction: a local sam.ldb (samba-tool on the
 * DC without -H) refuses writes outside one; over LDAP it costs nothing.
 * Both ends raise Error and return false on failure.
 */
static bool py_cr_transaction_start(struct cr_adconn *conn)
{
	TALLOC_CTX *frame = NULL;
	char *errmsg = NULL;
	int rc = ldb_transaction_start(conn->ldb);

	if (rc == LDB_SUCCESS) {
		return true;
	}
	frame = talloc_stackframe();
	cr_seterr(&errmsg, "starting a transaction at %s failed: %s",
		  conn->dc, ldb_errstring(conn->ldb));
	py_cr_raise(EIO, errmsg, NULL);
	TALLOC_FREE(frame);
	return false;
}

/*
 * Commit the transaction if the write (ret, errmsg) succeeded, else cancel
 * it and raise the write's error: problem "conflict" for ESTALE.
 */
static bool py_cr_transaction_end(struct cr_adconn *conn, int ret,
				  const char *errmsg)
{
	TALLOC_CTX *frame = NULL;
	char *commit_errmsg = NULL;
	int rc;

	if (ret != 0) {
		ldb_transaction_cancel(conn->ldb);
		py_cr_raise(ret, errmsg, ret == ESTALE ? "conflict" : NULL);
		return false;
	}
	rc = ldb_transaction_commit(conn->ldb);
	if (rc == LDB_SUCCESS) {
		return true;
	}
	frame = talloc_stackframe();
	cr_seterr(&commit_errmsg, "committing the change at %s "
		  "failed: %s", conn->dc, ldb_errstring(conn->ldb));
	py_cr_raise(EIO, commit_errmsg, NULL);
	TALLOC_FREE(frame);
	return false;
}

static PyObject *py_cr_str_list(char **values, size_t count)
{
	PyObject *list = PyList_New(0);
	size_t i;

	for (i = 0; list != NULL && i < count; i++) {
		bool ok = py_cr_list_put(list, PyBytes_FromString(values[i]));

		if (!ok) {
			Py_CLEAR(list);
		}
	}
	return list;
}

static PyObject *py_read_tokens(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_ldb = NULL;
	PyObject *creds = NULL;
	PyObject *mkeys = NULL;
	PyObject *result = NULL;
	struct cr_adconn *conn = NULL;
	struct cr_ad_user *user = NULL;
	const char *dn = NULL;
	const char *server = NULL;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "Os|z:read_tokens", &py_ldb, &dn,
			      &server);
	if (!ok) {
		goto out;
	}
	conn = py_cr_adconn(frame, py_ldb, server);
	if (conn == NULL) {
		goto out;
	}
	user = talloc_zero(frame, struct cr_ad_user);
	if (user == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	user->dn = talloc_strdup(user, dn);
	if (user->dn == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	ret = cr_adstore_read_tokens(conn, user, &errmsg);
	if (ret != 0) {
		py_cr_raise(ret, errmsg, NULL);
		goto out;
	}
	creds = py_cr_str_list(user->creds.values, user->creds.count);
	mkeys = py_cr_str_list(user->mkeys.values, user->mkeys.count);
	if (creds == NULL || mkeys == NULL) {
		goto out;
	}
	result = PyTuple_Pack(2, creds, mkeys);
out:
	Py_XDECREF(creds);
	Py_XDECREF(mkeys);
	TALLOC_FREE(frame);
	return result;
}

static bool py_cr_attr(const char *name, enum cr_ad_attr *attr)
{
	if (strcasecmp(name, CR_ATTR_CREDENTIALS) == 0) {
		*attr = CR_AD_CREDENTIALS;
		return true;
	}
	if (strcasecmp(name, CR_ATTR_MASTERKEYS) == 0) {
		*attr = CR_AD_MASTERKEYS;
		return true;
	}
	PyErr_Format(PyExc_ValueError, "'%s' is not a roaming token "
		     "attribute", name);
	return false;
}

/*
 * A value for change_value(): None, or str/bytes without NUL (adstore takes
 * C strings).
 */
static bool py_cr_value_arg(PyObject *obj, const char *what,
			    PyObject **holder, const char **value)
{
	const uint8_t *data = NULL;
	size_t len = 0;
	bool ok;

	*value = NULL;
	ok = py_cr_get_bytes_or_none(obj, what, holder, &data, &len);
	if (!ok) {
		return false;
	}
	if (data != NULL && memchr(data, '\0', len) != NULL) {
		PyErr_Format(PyExc_ValueError, "%s holds a NUL byte", what);
		Py_CLEAR(*holder);
		return false;
	}
	*value = (const char *)data;
	return true;
}

static PyObject *py_change_value(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_ldb = NULL;
	PyObject *py_old = NULL;
	PyObject *py_new = NULL;
	PyObject *old_holder = NULL;
	PyObject *new_holder = NULL;
	PyObject *result = NULL;
	struct cr_adconn *conn = NULL;
	enum cr_ad_attr attr = CR_AD_CREDENTIALS;
	const char *dn = NULL;
	const char *attr_name = NULL;
	const char *old_value = NULL;
	const char *new_value = NULL;
	const char *server = NULL;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "OssOO|z:change_value", &py_ldb, &dn,
			      &attr_name, &py_old, &py_new, &server);
	if (!ok) {
		goto out;
	}
	ok = py_cr_attr(attr_name, &attr) &&
	     py_cr_value_arg(py_old, "old", &old_holder, &old_value) &&
	     py_cr_value_arg(py_new, "new", &new_holder, &new_value);
	if (!ok) {
		goto out;
	}
	conn = py_cr_adconn(frame, py_ldb, server);
	if (conn == NULL) {
		goto out;
	}
	ok = py_cr_transaction_start(conn);
	if (!ok) {
		goto out;
	}
	ret = cr_adstore_change_value(frame, conn, dn, attr, old_value,
				      new_value, &errmsg);
	ok = py_cr_transaction_end(conn, ret, errmsg);
	if (!ok) {
		goto out;
	}
	result = Py_None;
	Py_INCREF(result);
out:
	Py_XDECREF(old_holder);
	Py_XDECREF(new_holder);
	TALLOC_FREE(frame);
	return result;
}

static PyObject *py_bump_timestamp(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	PyObject *py_ldb = NULL;
	PyObject *py_old = NULL;
	PyObject *holder = NULL;
	PyObject *result = NULL;
	struct cr_adconn *conn = NULL;
	const uint8_t *old = NULL;
	size_t old_len = 0;
	uint8_t new_ts[CR_TIMESTAMP_LEN];
	unsigned long long now = 0;
	const char *dn = NULL;
	const char *server = NULL;
	char *errmsg = NULL;
	bool ok;
	int ret;

	ok = PyArg_ParseTuple(args, "OsO|Kz:bump_timestamp", &py_ldb, &dn,
			      &py_old, &now, &server);
	if (!ok) {
		goto out;
	}
	ok = py_cr_get_bytes_or_none(py_old, "old", &holder, &old, &old_len);
	if (!ok) {
		goto out;
	}
	if (old != NULL && old_len != CR_TIMESTAMP_LEN) {
		PyErr_Format(PyExc_ValueError, "%s of '%s' is %zu bytes, not "
			     "%d", CR_ATTR_TIMESTAMP, dn, old_len,
			     CR_TIMESTAMP_LEN);
		goto out;
	}
	if (now == 0) {
		now = cr_filetime_now();
	}
	conn = py_cr_adconn(frame, py_ldb, server);
	if (conn == NULL) {
		goto out;
	}
	ok = py_cr_transaction_start(conn);
	if (!ok) {
		goto out;
	}
	ret = cr_adstore_bump_timestamp(frame, conn, dn, old, now, new_ts,
					&errmsg);
	ok = py_cr_transaction_end(conn, ret, errmsg);
	if (!ok) {
		goto out;
	}
	result = PyBytes_FromStringAndSize((const char *)new_ts,
					   CR_TIMESTAMP_LEN);
out:
	Py_XDECREF(holder);
	TALLOC_FREE(frame);
	return result;
}

/* ---- small encodings ---------------------------------------------------- */

static PyObject *py_filetime_now(PyObject *module,
				 PyObject *Py_UNUSED(ignored))
{
	return PyLong_FromUnsignedLongLong(cr_filetime_now());
}

static PyObject *py_filetime_iso8601(PyObject *module, PyObject *args)
{
	TALLOC_CTX *frame = talloc_stackframe();
	unsigned long long ft = 0;
	PyObject *result = NULL;
	bool ok;

	ok = PyArg_ParseTuple(args, "K:filetime_iso8601", &ft);
	if (!ok) {
		goto out;
	}
	result = py_cr_made_str(cr_filetime_iso8601(frame, ft));
out:
	TALLOC_FREE(frame);
	return result;
}

static PyMethodDef py_cr_methods[] = {
	{ "certificate_info", py_certificate_info, METH_VARARGS,
	  "certificate_info(element) -> dict\n"
	  "Decode a serialized certificate-store element: thumbprint, "
	  "subject,\nissuer, serial, not_before, not_after, friendly_name, "
	  "key_container,\nkey_provider, der_length." },
	{ "policy_values", py_policy_values, METH_NOARGS,
	  "policy_values() -> [dict]\n"
	  "The DIMS policy values: name, id, default, min, max." },
	{ "pol_update", py_pol_update, METH_VARARGS,
	  "pol_update(old, [(name, value or None), ...]) -> bytes\n"
	  "A GPO's User/Registry.pol with these policy values set (None: "
	  "removed);\nold is the current file or None.  Other entries are "
	  "kept byte for byte." },
	{ "pol_parse", py_pol_parse, METH_VARARGS,
	  "pol_parse(data[, name]) -> [dict]\n"
	  "The entries of a Registry.pol: key, value, type, type_name, size,"
	  "\naction, target, data." },
	{ "policy_effective", py_policy_effective, METH_VARARGS,
	  "policy_effective([(pol_bytes, label), ...]) -> dict\n"
	  "The policy these GPOs give, in application order (lowest "
	  "precedence\nfirst): roaming_on, reason_off, values." },
	{ "read_tokens", py_read_tokens, METH_VARARGS,
	  "read_tokens(ldb, dn[, server]) -> ([creds], [mkeys])\n"
	  "Both token attributes of dn as DN-Binary bytes, following "
	  "ranged retrieval." },
	{ "change_value", py_change_value, METH_VARARGS,
	  "change_value(ldb, dn, attr, old, new[, server])\n"
	  "One value-level change: delete old (if not None), add new (if "
	  "not None)\nin one modify.  Error with errno ESTALE on a "
	  "conflict." },
	{ "bump_timestamp", py_bump_timestamp, METH_VARARGS,
	  "bump_timestamp(ldb, dn, old[, filetime[, server]]) -> bytes\n"
	  "Set msPKIRoamingTimeStamp to old[8:16] + now as a delete of old "
	  "and an add." },
	{ "filetime_now", py_filetime_now, METH_NOARGS,
	  "filetime_now() -> int" },
	{ "filetime_iso8601", py_filetime_iso8601, METH_VARARGS,
	  "filetime_iso8601(filetime) -> str" },
	{ NULL },
};

static struct PyModuleDef py_cr_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_credroam",
	.m_doc = "libcredroam: roaming tokens, certificate elements, "
		 "credential roaming policy, AD token attributes.",
	.m_size = -1,
	.m_methods = py_cr_methods,
};

static bool py_cr_add_constants(PyObject *m)
{
	static const struct {
		const char *name;
		long value;
	} ints[] = {
		{ "FLAG_TOMBSTONE", CR_TOKEN_FLAG_TOMBSTONE },
		{ "FLAG_UNREADABLE", CR_TOKEN_FLAG_UNREADABLE },
		{ "FLAG_UNWRITABLE", CR_TOKEN_FLAG_UNWRITABLE },
		{ "FLAG_UNROAMABLE", CR_TOKEN_FLAG_UNROAMABLE },
		{ "FLAG_KNOWN_TYPE", CR_TOKEN_FLAG_KNOWN_TYPE },
		{ "FLAG_ENCRYPTION_KEY", CR_TOKEN_FLAG_ENCRYPTION_KEY },
		{ "TIMESTAMP_LEN", CR_TIMESTAMP_LEN },
	};
	static const struct {
		const char *name;
		const char *value;
	} strs[] = {
		{ "ATTR_CREDENTIALS", CR_ATTR_CREDENTIALS },
		{ "ATTR_MASTERKEYS", CR_ATTR_MASTERKEYS },
		{ "ATTR_TIMESTAMP", CR_ATTR_TIMESTAMP },
		{ "POLICY_KEY", POLICY_KEY },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		rc = PyModule_AddIntConstant(m, ints[i].name, ints[i].value);
		if (rc != 0) {
			return false;
		}
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		rc = PyModule_AddStringConstant(m, strs[i].name,
						strs[i].value);
		if (rc != 0) {
			return false;
		}
	}
	return true;
}

PyMODINIT_FUNC PyInit__credroam(void);
PyMODINIT_FUNC PyInit__credroam(void)
{
	PyObject *m = NULL;
	bool ok;
	int rc;

	rc = pytalloc_BaseObject_PyType_Ready(&py_cr_token_type);
	if (rc < 0) {
		return NULL;
	}
	m = PyModule_Create(&py_cr_module);
	if (m == NULL) {
		return NULL;
	}
	py_cr_error = PyErr_NewExceptionWithDoc(
		"credroam._credroam.Error",
		"Error(errno, message, problem): a libcredroam failure.",
		NULL, NULL);
	if (py_cr_error == NULL) {
		goto fail;
	}
	Py_INCREF(py_cr_error);
	rc = PyModule_AddObject(m, "Error", py_cr_error);
	if (rc != 0) {
		Py_DECREF(py_cr_error);
		goto fail;
	}
	Py_INCREF(&py_cr_token_type);
	rc = PyModule_AddObject(m, "Token", (PyObject *)&py_cr_token_type);
	if (rc != 0) {
		Py_DECREF(&py_cr_token_type);
		goto fail;
	}
	ok = py_cr_add_constants(m);
	if (!ok) {
		goto fail;
	}
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
