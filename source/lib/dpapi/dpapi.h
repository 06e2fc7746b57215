/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libcredroam DPAPI: everything in one include.
 *
 *   dpapi/masterkey.h  master key files, Preferred, password/pre-key/backup
 *                      key decryption, creation
 *   dpapi/prekey.h     pre-key derivations (sha1, nt, nt-pbkdf2)
 *   dpapi/domainkey.h  MS-BKRP domain key sections, DC reply hook
 *   dpapi/blob.h       DPAPI blobs (CryptProtectData)
 *   dpapi/capi.h       CAPI key containers
 *   dpapi/cng.h        CNG key files, MIB1, BCRYPT RSA blobs
 *   dpapi/cngkey.h     CNG key files of any key type; new EC key files
 *   dpapi/eccblob.h    BCRYPT ECC key blobs
 *   dpapi/keyfile.h    any of the key files -> RSA key
 *   dpapi/pvk.h        PVK / PRIVATEKEYBLOB (domain backup key)
 *   dpapi/pkcs8.h      RSA keys <-> GnuTLS / PKCS#8
 *   dpapi/privkey.h    keys of any type (RSA, EC, DSA) <-> GnuTLS / PKCS#8
 *   dpapi/pbkdf2.h     DPAPI's PBKDF2 variant
 */
#ifndef CREDROAM_DPAPI_H
#define CREDROAM_DPAPI_H

#include "dpapi/alg.h"
#include "dpapi/blob.h"
#include "dpapi/capi.h"
#include "dpapi/cng.h"
#include "dpapi/cngkey.h"
#include "dpapi/domainkey.h"
#include "dpapi/eccblob.h"
#include "dpapi/keyfile.h"
#include "dpapi/masterkey.h"
#include "dpapi/pbkdf2.h"
#include "dpapi/pkcs8.h"
#include "dpapi/prekey.h"
#include "dpapi/privkey.h"
#include "dpapi/pvk.h"
#include "dpapi/sid.h"
#include "dpapi/utf16.h"

#endif
