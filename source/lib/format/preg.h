/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Registry.pol ("PReg", version 1) reader and writer.
 *
 * Samba has no public C API for these files ([samba-integration.md] 1.6:
 * ndr_pull_preg_file lives in a private library), so credroam parses the
 * GPO's User/Registry.pol itself.  Facts from Microsoft's "Registry Policy
 * File Format" page, [MS-GPREG] 2.2.1 and Samba's librpc/idl/preg.idl:
 *
 *   header   "PReg" (DWORD 0x67655250, little-endian), DWORD version 1
 *   entry    '[' key ';' value ';' type ';' size ';' data ']'
 *
 * '[', ';' and ']' are UTF-16LE code units (2 bytes).  key and value are
 * UTF-16LE strings, each ended by one NUL code unit.  type and size are
 * little-endian DWORDs, data is exactly `size` bytes.  Entries follow each
 * other with nothing in between; nothing may follow the last ']'.
 *
 * The parser is strict: it takes a length and never reads past it; it
 * rejects a wrong signature or version, a missing or wrong delimiter, an
 * unterminated or too long string, a size that runs past the end,
 * trailing bytes, string data of odd length, a REG_DWORD or
 * REG_DWORD_BIG_ENDIAN whose size is not 4, a REG_QWORD whose size is not 8,
 * an empty key, an unknown type (above REG_QWORD), invalid UTF-16 (an
 * unpaired surrogate) in a key, a value name or string data, and more than
 * PREG_MAX_ENTRIES entries.  Error messages name the file, the entry index
 * (from 0) and the byte offset.
 *
 * The raw data bytes are kept, so preg_write() reproduces a parsed file
 * byte for byte.  Types REG_NONE (0), REG_LINK (6) and the resource types
 * (8, 9, 10) are accepted and kept as opaque bytes.
 *
 * Special value names (the "**" prefixes) are classified in
 * `preg_entry.action`, compared without regard to ASCII case:
 *
 *   **del.<name>     PREG_ACTION_DEL: delete value <name> of the key
 *   **delvals.       PREG_ACTION_DELVALS: delete every value of the key
 *   **DeleteValues   PREG_ACTION_DELETE_VALUES: data (REG_SZ) is a
 *                    ';'-separated list of value names to delete
 *   **DeleteKeys     PREG_ACTION_DELETE_KEYS: data (REG_SZ) is a
 *                    ';'-separated list of key paths (from the hive root)
 *                    to delete with everything below them
 *   **soft.<name>    PREG_ACTION_SOFT: set <name> only if it does not exist
 *   any other "**"   PREG_ACTION_OTHER (e.g. **SecureKey): no effect on
 *                    values; callers ignore it
 *
 * Key names compare with ASCII case folding (preg_key_equal()): the policy
 * keys are ASCII, and full Unicode case folding as the Windows registry
 * does it is not needed for them.
 */
#ifndef CREDROAM_PREG_H
#define CREDROAM_PREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define PREG_SIGNATURE 0x67655250u	/* "PReg" */
#define PREG_VERSION 1u
#define PREG_HEADER_SIZE 8

/* Hard limits, far above what a Group Policy editor writes. */
#define PREG_MAX_FILE_SIZE (16u * 1024 * 1024)
#define PREG_MAX_ENTRIES 65536u
#define PREG_MAX_KEY_CHARS 1024u	/* UTF-16 code units, without NUL */
#define PREG_MAX_VALUE_CHARS 1024u

/* Registry value types (WinNT.h numbers). */
#define PREG_REG_NONE 0u
#define PREG_REG_SZ 1u
#define PREG_REG_EXPAND_SZ 2u
#define PREG_REG_BINARY 3u
#define PREG_REG_DWORD 4u
#define PREG_REG_DWORD_BIG_ENDIAN 5u
#define PREG_REG_LINK 6u
#define PREG_REG_MULTI_SZ 7u
#define PREG_REG_QWORD 11u

enum preg_action {
	PREG_ACTION_SET = 0,		/* an ordinary value */
	PREG_ACTION_DEL,		/* **del.<target> */
	PREG_ACTION_DELVALS,		/* **delvals. */
	PREG_ACTION_DELETE_VALUES,	/* **DeleteValues */
	PREG_ACTION_DELETE_KEYS,	/* **DeleteKeys */
	PREG_ACTION_SOFT,		/* **soft.<target> */
	PREG_ACTION_OTHER,		/* another "**" name: ignored */
};

struct preg_entry {
	char *key;		/* UTF-8 */
	char *value;		/* UTF-8 value name as stored, may be "" */
	uint32_t type;
	uint32_t size;
	uint8_t *data;		/* size bytes, exactly as in the file */

	enum preg_action action;
	/*
	 * For DEL and SOFT the value name after the prefix, for SET the value
	 * name itself; points into `value`.  NULL otherwise.
	 */
	const char *target;

	/* Decoded data, by type. */
	uint64_t num;		/* DWORD, DWORD_BIG_ENDIAN, QWORD */
	char *str;		/* SZ, EXPAND_SZ: up to the first NUL */
	/* MULTI_SZ: the strings up to the first empty one */
	char **multi;
	size_t num_multi;

	size_t offset;		/* of '[' in the file; 0 if built */
};

struct preg_file {
	struct preg_entry **entries;	/* talloc children of the file */
	size_t num_entries;
	size_t entries_allocated;	/* room in entries[]; grows by half */
};

/* An empty file (header only). */
struct preg_file *preg_new(TALLOC_CTX *mem_ctx);

/*
 * Parse len bytes.  `name` (a path or GPO label) starts every error
 * message.  Returns 0, EBADMSG (malformed), EINVAL (larger than
 * PREG_MAX_FILE_SIZE) or ENOMEM.
 */
int preg_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
	       const char *name, struct preg_file **out, char **errmsg);

/*
 * Serialize.  A parsed file comes back byte for byte.  Returns 0, EINVAL
 * (an entry that preg_parse() would reject, e.g. invalid UTF-8) or ENOMEM.
 */
int preg_write(TALLOC_CTX *mem_ctx, const struct preg_file *f,
	       uint8_t **out, size_t *out_len, char **errmsg);

/*
 * Append an entry; data is copied and decoded as the parser does.
 * Returns 0, EINVAL (bad UTF-8, empty key, too long, wrong size for the
 * type, unknown type) or ENOMEM.
 */
int preg_add(struct preg_file *f, const char *key, const char *value,
	     uint32_t type, const uint8_t *data, uint32_t size,
	     char **errmsg);
int preg_add_dword(struct preg_file *f, const char *key, const char *value,
		   uint32_t v, char **errmsg);
/* REG_SZ with a terminating NUL. */
int preg_add_sz(struct preg_file *f, const char *key, const char *value,
		const char *s, char **errmsg);

/*
 * Replace entry idx (keeps its position) by a REG_DWORD value.  Returns 0,
 * EINVAL or ENOMEM.
 */
int preg_replace_dword(struct preg_file *f, size_t idx, const char *key,
		       const char *value, uint32_t v, char **errmsg);

/* Remove entry idx (no-op when out of range). */
void preg_remove(struct preg_file *f, size_t idx);

/* ASCII case-insensitive comparison of key paths or value names. */
bool preg_key_equal(const char *a, const char *b);
/* True if `key` is `parent` or lies below it ("parent\..."). */
bool preg_key_within(const char *key, const char *parent);

/* "REG_DWORD", ..., or "type 9" (on mem_ctx) for others. */
const char *preg_type_name(TALLOC_CTX *mem_ctx, uint32_t type);

#endif
