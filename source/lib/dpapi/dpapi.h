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
 *   dpapi/capi_dss.h   CAPI key containers of the DSS provider (DSA keys)
 *   dpapi/cng.h        CNG key files, MIB1, BCRYPT RSA blobs
 *   dpapi/cngkey.h     CNG key files of any key type; new EC key files
 *   dpapi/eccblob.h    BCRYPT ECC key blobs
 *   dpapi/dssblob.h    CryptoAPI DSS key blobs (v2 "DSS1/2", v3 "DSS4")
 *   dpapi/keyfile.h    any of the key files -> a key of any type
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
#include "dpapi/capi_dss.h"
#include "dpapi/cng.h"
#include "dpapi/cngkey.h"
#include "dpapi/domainkey.h"
#include "dpapi/dssblob.h"
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
